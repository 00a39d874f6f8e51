"""TikTok Display API v2 answers -> records.

What the parser relies on (from TikTok's reference pages, see ``SPEC.docs``):

- Every answer has the envelope ``{"data": {...}, "error": {"code", "message", "log_id"}}``; only
  ``code == "ok"`` carries data.
- ``v2/user/info``: ``data.user`` with ``open_id`` (always), the basic/profile fields and the
  ``user.info.stats`` counters; a counter TikTok did not return (scope not granted) is None, not 0.
- ``v2/video/list`` and ``v2/video/query``: ``data.videos``, a list of Video Objects. ``id`` is a
  19-digit number sent as a string; ``create_time`` is epoch **seconds**; ``duration`` is seconds
  (0 for photo posts). Counters TikTok leaves out stay None.
- The Display API has no hashtag field: ``hashtags`` stays None and the pipeline extracts them
  from the caption (``video_description``). It offers no comments and no demographics either.
- Canonical post URL: ``https://www.tiktok.com/@{username}/video/{id}``; ``share_url`` when
  ``username`` was not returned (it needs ``user.info.profile``).
"""

from __future__ import annotations

from typing import Any, Iterable

from ..base import ParsedPull, ParseError, RawResponse, ok_payloads, parse_timestamp
from ..payload import counter, field_obj, obj, opt_text
from ..records import AccountRecord, PostRecord

USER_INFO = "v2/user/info"
VIDEO_LIST = "v2/video/list"
VIDEO_QUERY = "v2/video/query"


def parse(responses: Iterable[RawResponse]) -> ParsedPull:
    responses = list(responses)
    out = ParsedPull()

    infos = ok_payloads(responses, USER_INFO)
    if not infos:
        raise ParseError("no successful v2/user/info response to parse")
    user = field_obj(_data(infos[-1], USER_INFO), "user", "v2/user/info: data")
    open_id = user.get("open_id")
    if not isinstance(open_id, str) or not open_id:
        raise ParseError("v2/user/info: data.user.open_id is missing")
    where = "v2/user/info: data.user"
    username = opt_text(user, "username", where)
    out.account = AccountRecord(
        external_user_id=open_id,
        display_name=opt_text(user, "display_name", where) or username,
        profile_url=f"https://www.tiktok.com/@{username}" if username else None,
        followers_count=counter(user, "follower_count", where),
        following_count=counter(user, "following_count", where),
        posts_count=counter(user, "video_count", where),
        total_likes=counter(user, "likes_count", where),  # likes received across all videos
    ).as_dict()

    # Listed pages and by-id lookups, in the order they were fetched: a video seen twice keeps its
    # first position and its most recently fetched figures.
    posts: dict[str, dict[str, Any]] = {}
    fetched = sorted((r for r in responses if r.ok and r.endpoint in (VIDEO_LIST, VIDEO_QUERY)),
                     key=lambda r: r.fetched_at)
    for r in fetched:
        data = _data(r.payload, r.endpoint)
        if not isinstance(data.get("videos"), list):
            raise ParseError(f"{r.endpoint}: data.videos is missing or not a list")
        for video in data["videos"]:
            post = parse_video(video, username)
            posts[post["external_post_id"]] = post
    out.posts = list(posts.values())

    # The Display API has neither comments nor audience demographics.
    out.comments = []
    out.demographics = None
    return out


def _data(payload: Any, endpoint: str) -> dict[str, Any]:
    body = obj(payload, endpoint)
    err = body.get("error")
    if isinstance(err, dict) and err.get("code") not in (None, "ok"):
        raise ParseError(f"{endpoint}: payload carries error code {err.get('code')!r}")
    data = body.get("data")
    if not isinstance(data, dict):
        raise ParseError(f"{endpoint}: 'data' is missing or not an object")
    return data


def parse_video(video: Any, username: str | None) -> dict[str, Any]:
    if not isinstance(video, dict):
        raise ParseError("v2/video/list: a video entry is not an object")
    vid = video.get("id")
    if isinstance(vid, int) and not isinstance(vid, bool):
        vid = str(vid)
    if not isinstance(vid, str) or not vid:
        raise ParseError("v2/video/list: a video has no id")
    where = f"v2/video/list video {vid}"
    if "create_time" not in video:
        raise ParseError(f"{where}: create_time is missing")
    create_time = video["create_time"]
    if isinstance(create_time, bool) or not isinstance(create_time, (int, float)):
        raise ParseError(f"{where}: create_time should be epoch seconds, got {create_time!r}")
    share_url = opt_text(video, "share_url", where)
    return PostRecord(
        external_post_id=vid,
        post_url=f"https://www.tiktok.com/@{username}/video/{vid}" if username else share_url,
        caption=opt_text(video, "video_description", where),
        title=opt_text(video, "title", where),
        media_type="video",
        media_url=opt_text(video, "embed_link", where) or opt_text(video, "cover_image_url", where),
        thumbnail_url=opt_text(video, "cover_image_url", where),  # CDN link, TTL 6 hours (Video Object)
        duration=counter(video, "duration", where),  # seconds
        posted_at=parse_timestamp(create_time),
        hashtags=None,  # no structured tags in the Display API: taken from the caption
        likes_count=counter(video, "like_count", where),
        comments_count=counter(video, "comment_count", where),
        views_count=counter(video, "view_count", where),
        shares_count=counter(video, "share_count", where),
        # saves, watch time, completion, impressions and reach: not offered by the Display API.
    ).as_dict()
