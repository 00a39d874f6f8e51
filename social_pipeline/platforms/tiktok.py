"""TikTok Display API v2 (https://open.tiktokapis.com).

Endpoints used (scopes: user.info.basic, user.info.profile, user.info.stats, video.list):

- ``GET  /v2/user/info/?fields=...``: the authorised user's profile and lifetime counters.
- ``POST /v2/video/list/?fields=...`` with a JSON body ``{"max_count": <=20, "cursor": <ms>}``:
  the user's public videos, newest first.

Quirks worth knowing:

- Auth is a per-user OAuth token sent as ``Authorization: Bearer <token>``. There is no app-level
  key on these endpoints.
- Every answer, successful or not, carries the envelope
  ``{"error": {"code": "ok", "message": "", "log_id": "..."}}``. A code other than ``"ok"`` inside an
  HTTP 200 is still an error, so the client checks it and raises :class:`PlatformError`.
- ``fields`` is a *query* parameter even on the POST; only ``max_count``/``cursor`` go in the body.
- ``max_count`` is capped at 20. ``cursor`` is a UTC epoch in **milliseconds** ("videos created
  before this moment"), while ``create_time`` on a video is epoch **seconds**. ``has_more`` says
  whether to ask again with the returned ``cursor``.
- Video ids are 19-digit numbers sent as JSON strings; ``open_id`` is an app-scoped user id.
- ``duration`` is in seconds already. Photo-mode posts come back with duration 0.
- The Display API offers no comments endpoint, no saves/watch-time/reach/impressions and no audience
  demographics, so those stay empty / ``None``.
- Canonical post URL: ``https://www.tiktok.com/@{username}/video/{id}``; ``share_url`` is the
  fallback when ``username`` was not returned (it needs the ``user.info.profile`` scope).
"""

from __future__ import annotations

from typing import Any, Iterable

from .base import (
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

USER_INFO = "v2/user/info"
VIDEO_LIST = "v2/video/list"

USER_FIELDS = (
    "open_id",
    "union_id",
    "avatar_url",
    "display_name",
    "username",
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
)
VIDEO_FIELDS = (
    "id",
    "create_time",
    "title",
    "video_description",
    "duration",
    "cover_image_url",
    "share_url",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)
MAX_COUNT = 20  # documented maximum of video/list's max_count


class Client(PlatformClient):
    platform = "tiktok"
    default_base_url = "https://open.tiktokapis.com"

    def pull(self, account: AccountRef) -> None:
        token = account.access_token
        if not token:
            raise PlatformError(
                f"tiktok account @{account.handle.lstrip('@')}: no access token "
                "(AccountRef.access_token is empty; a TikTok user access token with the "
                "user.info.basic, user.info.stats and video.list scopes is required)"
            )
        auth = {"Authorization": f"Bearer {token}"}

        info = self.http.get(
            self.url("/v2/user/info/"),
            endpoint=USER_INFO,
            params={"fields": ",".join(USER_FIELDS)},
            secret_headers=auth,
        )
        _check_envelope(info, USER_INFO)

        wanted = max(int(account.posts_per_fetch), 0)
        seen = 0
        cursor: int | None = None
        page = 0
        while seen < wanted:
            body: dict[str, Any] = {"max_count": min(MAX_COUNT, wanted - seen)}
            if cursor is not None:
                body["cursor"] = cursor
            payload = self.http.request(
                "POST",
                self.url("/v2/video/list/"),
                endpoint=VIDEO_LIST,
                params={"fields": ",".join(VIDEO_FIELDS)},
                headers={"Content-Type": "application/json"},
                secret_headers=auth,
                json_body=body,
                page_index=page,
            )
            _check_envelope(payload, VIDEO_LIST)
            data = payload.get("data") if isinstance(payload, dict) else None
            videos = data.get("videos") if isinstance(data, dict) else None
            if not isinstance(videos, list):
                raise PlatformError(f"{VIDEO_LIST}: answer has no data.videos list", endpoint=VIDEO_LIST)
            seen += len(videos)
            next_cursor = data.get("cursor")
            if not data.get("has_more") or not videos or next_cursor in (None, cursor):
                break
            cursor = next_cursor
            page += 1

    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        responses = list(responses)
        out = ParsedPull()

        infos = ok_payloads(responses, USER_INFO)
        if not infos:
            raise ParseError("no successful v2/user/info response to parse")
        user = _data(infos[-1], USER_INFO).get("user")
        if not isinstance(user, dict):
            raise ParseError("v2/user/info: data.user is missing or not an object")
        open_id = user.get("open_id")
        if not isinstance(open_id, str) or not open_id:
            raise ParseError("v2/user/info: data.user.open_id is missing")
        username = _opt_str(user, "username", USER_INFO)
        out.account = {
            "external_user_id": open_id,
            "display_name": _opt_str(user, "display_name", USER_INFO) or username,
            "followers_count": count(user.get("follower_count")),
            "following_count": count(user.get("following_count")),
            "posts_count": count(user.get("video_count")),
            "total_likes": count(user.get("likes_count")),  # likes received across all videos
            "total_comments": None,
            "total_views": None,
            "total_shares": None,
            "subscribers_count": None,
            "pins_count": None,
            "retweets_count": None,
            "watch_time_minutes": None,
        }

        seen: set[str] = set()
        for payload in ok_payloads(responses, VIDEO_LIST):
            videos = _data(payload, VIDEO_LIST).get("videos")
            if not isinstance(videos, list):
                raise ParseError("v2/video/list: data.videos is missing or not a list")
            for video in videos:
                post = _parse_video(video, username)
                if post["external_post_id"] in seen:
                    continue
                seen.add(post["external_post_id"])
                out.posts.append(post)

        # The Display API has neither comments nor audience demographics.
        out.comments = []
        out.demographics = None
        return out


def _check_envelope(payload: Any, endpoint: str) -> None:
    """TikTok reports errors inside the body, even with HTTP 200."""
    if not isinstance(payload, dict):
        raise PlatformError(f"{endpoint}: answer is not a JSON object", endpoint=endpoint)
    err = payload.get("error")
    if not isinstance(err, dict):
        raise PlatformError(f"{endpoint}: answer has no error envelope", endpoint=endpoint)
    code = err.get("code")
    if code != "ok":
        message = str(err.get("message") or "")[:200]
        raise PlatformError(
            f"{endpoint}: TikTok error {code!r}: {message} (log_id {err.get('log_id')})", endpoint=endpoint
        )


def _data(payload: Any, endpoint: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ParseError(f"{endpoint}: payload is not an object")
    err = payload.get("error")
    if isinstance(err, dict) and err.get("code") not in (None, "ok"):
        raise ParseError(f"{endpoint}: payload carries error code {err.get('code')!r}")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise ParseError(f"{endpoint}: 'data' is missing or not an object")
    return data


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(f"{where}: {key} should be a string, got {type(value).__name__}")
    return value


def _parse_video(video: Any, username: str | None) -> dict[str, Any]:
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
    share_url = _opt_str(video, "share_url", where)
    if username:
        post_url = f"https://www.tiktok.com/@{username}/video/{vid}"
    else:
        post_url = share_url
    return {
        "external_post_id": vid,
        "post_url": post_url,
        "caption": _opt_str(video, "video_description", where),
        "title": _opt_str(video, "title", where),
        "media_type": "video",
        "media_url": _opt_str(video, "embed_link", where) or _opt_str(video, "cover_image_url", where),
        "duration": count(video.get("duration")),  # seconds
        "posted_at": parse_timestamp(create_time),
        "likes_count": count(video.get("like_count")),
        "comments_count": count(video.get("comment_count")),
        "views_count": count(video.get("view_count")),
        "shares_count": count(video.get("share_count")),
        # Not offered by the Display API.
        "saves_count": None,
        "watch_time_seconds": None,
        "completion_rate": None,
        "impressions": None,
        "reach": None,
    }
