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

from . import rapidapi_parse as _parse
from .rapidapi_parse import COMMENTS, REPLIES, USER_INFO, USER_POSTS, VIDEO, _comment_id, _video_id, video_url  # noqa: F401
from ..base import (
    AccountRef,
    ParsedPull,
    PlatformClient,
    PlatformError,
    RawResponse,
)

PROVIDER = "rapidapi_tiktok"

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

    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        """Records from the stored answers: see :mod:`.rapidapi_parse`."""
        return _parse.parse(responses)


# -- helpers -----------------------------------------------------------------------------------
class ScraperError(PlatformError):
    """The scraper answered HTTP 200 with a non-zero ``code`` (not throttling)."""


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
