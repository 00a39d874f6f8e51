"""TikTok through RapidAPI's "TikTok Scraper" (tikwm) API: provider ``rapidapi_tiktok``.

A third-party scraping API for *public* TikTok data, reached through RapidAPI's gateway at
``https://tiktok-scraper7.p.rapidapi.com`` (``SOCIAL_PIPELINE_TIKTOK_BASE_URL``-style override via
the ``base_url`` argument). Unlike the Display API it needs no user OAuth token, only the app's
RapidAPI key, and it offers comments and saves; it offers no demographics, reach, impressions or
watch time.

Auth headers on every request: ``X-RapidAPI-Key`` (secret: ``credentials["rapidapi_key"]``, env
``SOCIAL_PIPELINE_TIKTOK_RAPIDAPI_KEY``; sent, never recorded) and ``X-RapidAPI-Host``
(``credentials["rapidapi_host"]`` or the base URL's host).

Endpoints used (all GET):

- ``/user/info?unique_id=<handle>`` ->
  ``{"code": 0, "msg": "success", "data": {"user": {"id", "uniqueId", "nickname", ...},
  "stats": {"followerCount", "followingCount", "heartCount", "videoCount", ...}}}``.
- ``/user/posts?unique_id=&count=&cursor=`` -> ``{"code": 0, "data": {"videos": [{"video_id",
  "title", "create_time", "duration", "play_count", "digg_count", "comment_count",
  "share_count", "collect_count", "cover", "author": {...}, ...}], "cursor", "hasMore"}}``,
  newest first; ``cursor`` is echoed back for the next page.
- ``/comment/list?url=<video url>&count=&cursor=`` -> ``{"code": 0, "data": {"comments": [{"id",
  "text", "create_time", "digg_count", "reply_total", "user": {"id", "unique_id", ...}}],
  "cursor", "hasMore", "total"}}``: top-level comments.
- ``/comment/reply?comment_id=&count=&cursor=``: the replies of one comment, same shape.
- ``/?url=<video url>``: one video (``data`` is the video object, its id in ``id``): used to
  refresh tracked posts by id (``AccountRef.refresh_post_ids``).

Assumptions (the provider publishes examples, not a schema; checked against public client code):

- Video ids come as ``video_id`` (list endpoints) or ``id`` (single video); ``aweme_id`` is
  accepted too. Comment ids come as ``id`` (``cid`` accepted). Ids may be strings or numbers.
- ``create_time`` is epoch seconds; ``duration`` is seconds.
- ``title`` is the caption (TikTok has no separate title), so ``title`` stays None.
- ``collect_count`` is saves ("favorites"); ``play_count`` views; ``digg_count`` likes.
- TikTok threads are two levels deep: a reply's parent is the comment whose ``/comment/reply``
  page listed it (the ``comment_id`` request parameter).
- Photo posts carry an ``images`` list: media_type "image" (one) or "carousel" (several).
- Errors: the gateway answers 401/403 (bad key / not subscribed) and 429 (plan quota) with
  ``{"message": ...}``; the scraper itself answers HTTP 200 with ``code`` != 0 and a ``msg``
  (e.g. ``"Free Api Limit: 1 request/second."``). A non-zero code is an error; one whose message
  speaks of a limit, frequency or "too many" is throttling, retried with backoff.
"""

from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import urlsplit

from ..base import (
    AccountRef,
    ParsedPull,
    ParseError,
    PlatformClient,
    PlatformError,
    RawResponse,
    count,
    ok_payloads,
    parse_timestamp,
)

PROVIDER = "rapidapi_tiktok"
USER_INFO = "scraper/user/info"
USER_POSTS = "scraper/user/posts"
VIDEO = "scraper/video"
COMMENTS = "scraper/comment/list"
REPLIES = "scraper/comment/reply"

POSTS_PAGE = 30  # assumed per-page maximum of /user/posts (the provider caps around 30-35)
COMMENTS_PAGE = 50  # assumed per-page maximum of /comment/list and /comment/reply
MAX_COMMENT_PAGES = 20  # per video / per comment: bounded cost on viral posts
_THROTTLE_WORDS = re.compile(r"limit|too many|frequen|rate|429|slow down", re.IGNORECASE)


class Client(PlatformClient):
    platform = "tiktok"
    provider_name = PROVIDER
    default_base_url = "https://tiktok-scraper7.p.rapidapi.com"
    # The scraper shows lifetime counters of any public video; as for the Display API, tracked
    # videos are refreshed for the pipeline's default 30 days.
    update_window_days = 30

    @staticmethod
    def throttled(payload: Any) -> str | None:
        """A 200 whose ``code`` is non-zero and whose ``msg`` speaks of a rate limit."""
        if isinstance(payload, dict) and "code" in payload and payload.get("code") != 0:
            msg = str(payload.get("msg") or payload.get("message") or "")
            if _THROTTLE_WORDS.search(msg):
                return f"RapidAPI TikTok code {payload.get('code')}: {msg[:120]}"
        return None

    def _headers(self, label: str = "tiktok via RapidAPI") -> tuple[dict[str, str], dict[str, str]]:
        key = self.credentials.get("rapidapi_key")
        if not key:
            raise PlatformError(
                f"{label}: no RapidAPI key configured: set SOCIAL_PIPELINE_TIKTOK_RAPIDAPI_KEY "
                "(and subscribe the key to the TikTok Scraper API)"
            )
        host = self.credentials.get("rapidapi_host") or urlsplit(self.base_url).hostname or ""
        return {"X-RapidAPI-Host": host}, {"X-RapidAPI-Key": key}

    def _get(self, label: str, path: str, endpoint: str, params: dict[str, Any], page_index: int = 0) -> Any:
        headers, secret = self._headers(label)
        hint = (
            f"the RapidAPI gateway refused the key used for {label}: check SOCIAL_PIPELINE_TIKTOK_RAPIDAPI_KEY "
            f"and that it is subscribed to {headers['X-RapidAPI-Host']}"
        )
        try:
            payload = self.http.get(
                self.url(path),
                endpoint=endpoint,
                params=params,
                headers=headers,
                secret_headers=secret,
                page_index=page_index,
                auth_hint=hint,
            )
        except PlatformError as exc:
            if exc.status_code in (401, 403):
                raise PlatformError(
                    f"{label}: the RapidAPI gateway refused the key (HTTP {exc.status_code}): check "
                    f"SOCIAL_PIPELINE_TIKTOK_RAPIDAPI_KEY and that it is subscribed to {headers['X-RapidAPI-Host']} "
                    f"[{_gateway_message(self.http, endpoint)}]",
                    status_code=exc.status_code,
                    endpoint=endpoint,
                ) from None
            raise PlatformError(f"{label}: {exc}", status_code=exc.status_code, endpoint=endpoint) from None
        _check(payload, endpoint, label)
        return payload

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        label = f"tiktok account @{handle} (RapidAPI)"
        self._headers(label)  # fail early, before any request, when the key is missing

        self._get(label, "/user/info", USER_INFO, {"unique_id": handle})

        wanted = max(int(account.posts_per_fetch), 0)
        videos: list[dict[str, Any]] = []
        cursor: Any = 0
        page = 0
        while len(videos) < wanted:
            payload = self._get(
                label,
                "/user/posts",
                USER_POSTS,
                {"unique_id": handle, "count": min(POSTS_PAGE, wanted - len(videos)), "cursor": cursor},
                page_index=page,
            )
            data = payload.get("data")
            items = data.get("videos") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise PlatformError(f"{label}: {USER_POSTS} answer has no data.videos list", endpoint=USER_POSTS)
            videos.extend(v for v in items if isinstance(v, dict))
            next_cursor = data.get("cursor")
            if not data.get("hasMore") or not items or next_cursor in (None, cursor):
                break
            cursor = next_cursor
            page += 1
        videos = videos[:wanted]

        for video in videos:
            vid = _video_id(video)
            if vid is None or video.get("comment_count") == 0:
                continue
            self._pull_comments(label, handle, vid)

        listed = {_video_id(v) for v in videos}
        todo = [vid for vid in dict.fromkeys(str(i) for i in account.refresh_post_ids) if vid not in listed]
        for page, vid in enumerate(todo):
            try:
                self._get(label, "/", VIDEO, {"url": video_url(handle, vid)}, page_index=page)
            except ScraperError:
                continue  # code != 0 for one video: deleted or private since; nothing to refresh

    def _pull_comments(self, label: str, handle: str, vid: str) -> None:
        cursor: Any = 0
        for page in range(MAX_COMMENT_PAGES):
            payload = self._get(
                label,
                "/comment/list",
                COMMENTS,
                {"url": video_url(handle, vid), "count": COMMENTS_PAGE, "cursor": cursor},
                page_index=page,
            )
            data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
            comments = data.get("comments") if isinstance(data.get("comments"), list) else []
            for c in comments:
                cid = _comment_id(c) if isinstance(c, dict) else None
                if cid and isinstance(c.get("reply_total"), int) and c["reply_total"] > 0:
                    self._pull_replies(label, cid)
            next_cursor = data.get("cursor")
            if not data.get("hasMore") or not comments or next_cursor in (None, cursor):
                return
            cursor = next_cursor

    def _pull_replies(self, label: str, comment_id: str) -> None:
        cursor: Any = 0
        for page in range(MAX_COMMENT_PAGES):
            payload = self._get(
                label,
                "/comment/reply",
                REPLIES,
                {"comment_id": comment_id, "count": COMMENTS_PAGE, "cursor": cursor},
                page_index=page,
            )
            data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
            replies = data.get("comments") if isinstance(data.get("comments"), list) else []
            next_cursor = data.get("cursor")
            if not data.get("hasMore") or not replies or next_cursor in (None, cursor):
                return
            cursor = next_cursor

    # -- parsing -------------------------------------------------------------------------------
    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
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
        username = _opt_str(user, "uniqueId", USER_INFO)
        out.account = {
            "external_user_id": user_id,
            "display_name": _opt_str(user, "nickname", USER_INFO) or username,
            "followers_count": count(stats.get("followerCount")),
            "following_count": count(stats.get("followingCount")),
            "posts_count": count(stats.get("videoCount")),
            "total_likes": count(stats.get("heartCount")),  # likes received across all videos
            "total_comments": None,
            "total_views": None,
            "total_shares": None,
            "subscribers_count": None,
            "pins_count": None,
            "retweets_count": None,
            "watch_time_minutes": None,
        }

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


# -- helpers -----------------------------------------------------------------------------------
class ScraperError(PlatformError):
    """The scraper answered HTTP 200 with a non-zero ``code`` (not throttling)."""


def video_url(handle: str, video_id: str) -> str:
    return f"https://www.tiktok.com/@{handle.lstrip('@')}/video/{video_id}"


def _gateway_message(http, endpoint: str) -> str:
    for r in reversed(http.responses[-2:]):
        if r.endpoint == endpoint and isinstance(r.payload, dict):
            return str(r.payload.get("message") or r.payload.get("msg") or "")[:200]
    return ""


def _check(payload: Any, endpoint: str, label: str) -> None:
    if not isinstance(payload, dict):
        raise PlatformError(f"{label}: {endpoint} answer is not a JSON object", status_code=200, endpoint=endpoint)
    code = payload.get("code")
    if code != 0:
        msg = str(payload.get("msg") or payload.get("message") or "")[:200]
        raise ScraperError(f"{label}: {endpoint} answered code {code!r}: {msg}", status_code=200, endpoint=endpoint)


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


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(f"{where}: {key} should be a string, got {type(value).__name__}")
    return value


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
        "caption": _opt_str(video, "title", where),
        "title": None,  # TikTok has no title apart from the caption
        "media_type": media_type,
        "media_url": _opt_str(video, "cover", where) or _opt_str(video, "origin_cover", where),
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
        "comment_text": _opt_str(c, "text", where),
        "author_username": _opt_str(user, "unique_id", where),
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
