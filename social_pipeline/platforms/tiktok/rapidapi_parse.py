"""Records from the RapidAPI TikTok scraper's stored answers (the HTTP side is :mod:`.rapidapi`)."""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..base import ParsedPull, ParseError, RawResponse, count, ok_payloads, parse_timestamp
from ..payload import opt_text
from ..records import AccountRecord

USER_INFO = "scraper/user/info"
USER_POSTS = "scraper/user/posts"
VIDEO = "scraper/video"
COMMENTS = "scraper/comment/list"
REPLIES = "scraper/comment/reply"


def video_url(handle: str, video_id: str) -> str:
    return f"https://www.tiktok.com/@{handle.lstrip('@')}/video/{video_id}"


def parse(responses: Iterable[RawResponse]) -> ParsedPull:
    """Records from one pull's stored exchanges with the scraper."""
    responses = list(responses)
    out = ParsedPull()

    infos = ok_payloads(responses, USER_INFO)
    if not infos:
        raise ParseError(f"no successful {USER_INFO} response to parse")
    data = _data(infos[-1], USER_INFO)
    user, stats = data.get("user"), data.get("stats")
    if not isinstance(user, dict):
        raise ParseError(f"{USER_INFO}: data.user is missing or not an object")
    if stats is not None and not isinstance(stats, dict):
        raise ParseError(f"{USER_INFO}: data.stats is not an object")
    stats = stats or {}
    user_id = _id(user.get("id"))
    if user_id is None:
        raise ParseError(f"{USER_INFO}: data.user.id is missing")
    username = opt_text(user, "uniqueId", USER_INFO)
    out.account = AccountRecord(
        external_user_id=user_id,
        display_name=opt_text(user, "nickname", USER_INFO) or username,
        profile_url=f"https://www.tiktok.com/@{username}" if username else None,
        followers_count=count(stats.get("followerCount")),
        following_count=count(stats.get("followingCount")),
        posts_count=count(stats.get("videoCount")),
        total_likes=count(stats.get("heartCount")),  # likes received across all videos
    ).as_dict()

    posts: dict[str, dict[str, Any]] = {}
    fetched = sorted((r for r in responses if r.ok and r.endpoint in (USER_POSTS, VIDEO)), key=lambda r: r.fetched_at)
    for r in fetched:
        if r.endpoint == VIDEO and isinstance(r.payload, dict) and r.payload.get("code") not in (0, None):
            continue  # a tracked video that is gone: the lookup answered an error code
        body = _data(r.payload, r.endpoint)
        if r.endpoint == USER_POSTS:
            videos = body.get("videos")
            if not isinstance(videos, list):
                raise ParseError(f"{USER_POSTS}: data.videos is missing or not a list")
        else:
            videos = [body]
        for video in videos:
            post = _parse_video(video, username, r.endpoint)
            posts[post["external_post_id"]] = post
    out.posts = list(posts.values())

    out.comments = _parse_comments(responses)
    out.demographics = None  # not offered
    return out


def _data(payload: Any, endpoint: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ParseError(f"{endpoint}: payload is not an object")
    if payload.get("code") not in (0, None):
        raise ParseError(f"{endpoint}: payload carries code {payload.get('code')!r}")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise ParseError(f"{endpoint}: 'data' is missing or not an object")
    return data


def _id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _video_id(video: dict[str, Any]) -> str | None:
    for key in ("video_id", "id", "aweme_id"):
        vid = _id(video.get(key))
        if vid is not None:
            return vid
    return None


def _comment_id(comment: dict[str, Any]) -> str | None:
    return _id(comment.get("id")) or _id(comment.get("cid"))


def _epoch(value: Any, where: str, required: bool) -> Any:
    if value is None:
        if required:
            raise ParseError(f"{where}: create_time is missing")
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParseError(f"{where}: create_time should be epoch seconds, got {value!r}")
    return parse_timestamp(value)


def _parse_video(video: Any, username: str | None, endpoint: str) -> dict[str, Any]:
    if not isinstance(video, dict):
        raise ParseError(f"{endpoint}: a video entry is not an object")
    vid = _video_id(video)
    if vid is None:
        raise ParseError(f"{endpoint}: a video has no video_id")
    where = f"{endpoint} video {vid}"
    author = video.get("author") if isinstance(video.get("author"), dict) else {}
    owner = username or (author.get("unique_id") if isinstance(author.get("unique_id"), str) else None)
    images = video.get("images")
    if isinstance(images, list) and images:
        media_type = "carousel" if len(images) > 1 else "image"
    else:
        media_type = "video"
    return {
        "external_post_id": vid,
        "post_url": video_url(owner, vid) if owner else None,
        "caption": opt_text(video, "title", where),
        "title": None,  # TikTok has no title apart from the caption
        "media_type": media_type,
        "media_url": opt_text(video, "cover", where) or opt_text(video, "origin_cover", where),
        "thumbnail_url": opt_text(video, "cover", where) or opt_text(video, "origin_cover", where),
        "duration": count(video.get("duration")),
        "posted_at": _epoch(video.get("create_time"), where, required=True),
        "likes_count": count(video.get("digg_count")),
        "comments_count": count(video.get("comment_count")),
        "views_count": count(video.get("play_count")),
        "shares_count": count(video.get("share_count")),
        "saves_count": count(video.get("collect_count")),
        "watch_time_seconds": None,
        "completion_rate": None,
        "impressions": None,
        "reach": None,
    }


_VIDEO_IN_URL = re.compile(r"/video/(\d+)")


def _comment_record(c: Any, post_id: str, parent: str | None, where: str) -> dict[str, Any]:
    if not isinstance(c, dict):
        raise ParseError(f"{where}: a comment is not an object")
    cid = _comment_id(c)
    if cid is None:
        raise ParseError(f"{where}: a comment has no id")
    user = c.get("user")
    if user is not None and not isinstance(user, dict):
        raise ParseError(f"{where}: comment {cid} user should be an object")
    user = user or {}
    return {
        "external_post_id": post_id,
        "external_comment_id": cid,
        "parent_external_comment_id": parent,
        "comment_text": opt_text(c, "text", where),
        "author_username": opt_text(user, "unique_id", where),
        "author_external_id": _id(user.get("id")),
        "likes_count": count(c.get("digg_count")),
        "commented_at": _epoch(c.get("create_time"), f"{where} comment {cid}", required=False),
    }


def _parse_comments(responses: list[RawResponse]) -> list[dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    post_of: dict[str, str] = {}
    for r in sorted((r for r in responses if r.ok and r.endpoint == COMMENTS), key=lambda r: r.fetched_at):
        asked = str(r.request_params.get("url") or r.request_params.get("video_id") or "")
        match = _VIDEO_IN_URL.search(asked)
        request_vid = match.group(1) if match else (asked if asked.isdigit() else None)
        comments = _data(r.payload, COMMENTS).get("comments")
        if comments is None:
            continue  # a video without comments may answer without the list
        if not isinstance(comments, list):
            raise ParseError(f"{COMMENTS}: data.comments is not a list")
        for c in comments:
            vid = _id(c.get("video_id")) if isinstance(c, dict) else None
            vid = vid or request_vid
            if vid is None:
                raise ParseError(f"{COMMENTS}: cannot tell which video a comment belongs to")
            rec = _comment_record(c, vid, None, COMMENTS)
            records[rec["external_comment_id"]] = rec
            post_of[rec["external_comment_id"]] = vid
    for r in sorted((r for r in responses if r.ok and r.endpoint == REPLIES), key=lambda r: r.fetched_at):
        parent = _id(r.request_params.get("comment_id"))
        if parent is None or parent not in post_of:
            raise ParseError(f"{REPLIES}: replies of unknown comment {parent!r}")
        replies = _data(r.payload, REPLIES).get("comments")
        if replies is None:
            continue
        if not isinstance(replies, list):
            raise ParseError(f"{REPLIES}: data.comments is not a list")
        for c in replies:
            rec = _comment_record(c, post_of[parent], parent, REPLIES)
            records[rec["external_comment_id"]] = rec
    return list(records.values())
