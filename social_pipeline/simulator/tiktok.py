"""A fake TikTok Display API v2 server rendering :mod:`social_pipeline.simulator.world`.

Serves ``GET /v2/user/info/`` and ``POST /v2/video/list/`` the way TikTok documents them: the
``{"data": ..., "error": {"code", "message", "log_id"}}`` envelope on every answer, only the
requested ``fields``, ``max_count`` capped at 20, a millisecond ``cursor`` and ``has_more``.
Every world post is listed as a TikTok post (the API only knows videos; non-video world posts
play the part of photo-mode posts and report a duration of 0).

Also served: ``POST /v2/video/query/`` (``{"filters": {"video_ids": [...]}}``, at most 20 ids; ids
of other accounts or unknown ids are left out, as TikTok does) and ``POST /v2/oauth/token/``
(``grant_type=refresh_token``: a demo refresh token ``demo-refresh-<handle>`` gets the documented
token JSON, anything else ``invalid_grant``).

Failure modes on demand:
- the token ``demo_token("tiktok", handle) + "-expired"`` answers 401 ``access_token_invalid``;
- ``Simulator(..., throttle_first=N)`` answers the first N API requests with HTTP **200** whose
  envelope says ``rate_limit_exceeded``, and so does any request carrying ``X-Demo-Throttle: 1``.
"""

from __future__ import annotations

from typing import Any

from . import world
from .transport import DEMO_TOKEN_PREFIX, PlatformSimulator, SimRequest, SimResponse, demo_token

MAX_COUNT = 20
DEFAULT_COUNT = 10
MAX_QUERY_IDS = 20
DEMO_REFRESH_PREFIX = "demo-refresh-"
EXPIRED_SUFFIX = "-expired"


class Simulator(PlatformSimulator):
    platform = "tiktok"

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests: its body and headers besides Retry-After
        (``wait``: whole seconds until a request is accepted again; ``limit``: per second)."""
        # The Display API's error envelope, code rate_limit_exceeded.
        error = {"code": "rate_limit_exceeded", "message": "The API rate limit was exceeded. Please try again later.",
                 "log_id": f"20260101000000{wait:06d}"}
        return {"data": {}, "error": error}, {}

    def __init__(self, as_of, handles=None, *, throttle_first: int = 0):
        super().__init__(as_of, handles)
        self.throttle_left = max(int(throttle_first), 0)

    def account_id(self, account: world.Account) -> str:
        # open_id: an app-scoped opaque id, UUID-like.
        h = f"{account.uid:016x}"
        return f"-000{h[:4]}-{h[4:8]}-{h[8:12]}-{h[12:16]}"

    def post_id(self, post: world.Post) -> str:
        # TikTok video ids are 19-digit numbers starting with 7.
        return "7" + str(post.uid % 10**18).zfill(18)

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        path = request.path.rstrip("/") + "/"
        if path == "/v2/oauth/token/" and request.method == "POST":
            return self._oauth_token(request)
        if path == "/v2/user/info/" and request.method == "GET":
            route = self._user_info
        elif path == "/v2/video/list/" and request.method == "POST":
            route = self._video_list
        elif path == "/v2/video/query/" and request.method == "POST":
            route = self._video_query
        else:
            return _error(404, "invalid_params", f"The requested path {request.path} does not exist.")
        if self.throttle_left > 0 or request.headers.get("X-Demo-Throttle", "").strip() in ("1", "true"):
            self.throttle_left = max(self.throttle_left - 1, 0)
            # Documented with HTTP 429, but seen inside a 200 envelope as well.
            return _error(200, "rate_limit_exceeded", "The API rate limit was exceeded. Please try again later.")
        token = self.bearer(request)
        if token and token.endswith(EXPIRED_SUFFIX) and token.startswith(f"{DEMO_TOKEN_PREFIX}{self.platform}-"):
            return _error(
                401,
                "access_token_invalid",
                "The access token is invalid or not found in the request. Please refresh the token and retry.",
            )
        acct = self.account_for_token(token)
        if acct is None:
            return _error(
                401,
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
            )
        fields = [f for f in request.query.get("fields", "").split(",") if f]
        if not fields:
            return _error(400, "invalid_params", "fields is required")
        return route(acct, fields, request)

    def _user_info(self, acct: world.Account, fields: list[str], request: SimRequest) -> SimResponse:
        posts = acct.posts_until(self.as_of)
        full = {
            "open_id": self.account_id(acct),
            "union_id": f"u-{acct.uid:x}",
            "avatar_url": f"https://p16-sign.tiktokcdn-us.com/avatar/{acct.uid:x}.jpeg",
            "display_name": acct.display_name,
            "username": acct.handle,
            "bio_description": f"Hi, I'm {acct.display_name}",
            "is_verified": False,
            "follower_count": acct.followers(self.as_of),
            "following_count": acct.following(self.as_of),
            "likes_count": sum(p.metrics(self.as_of)["likes"] for p in posts),
            "video_count": len(posts),
        }
        user = {k: v for k, v in full.items() if k in fields}
        return _ok({"user": user})

    def _video_list(self, acct: world.Account, fields: list[str], request: SimRequest) -> SimResponse:
        body = request.body if isinstance(request.body, dict) else {}
        max_count = body.get("max_count", DEFAULT_COUNT)
        if isinstance(max_count, bool) or not isinstance(max_count, int) or not 1 <= max_count <= MAX_COUNT:
            return _error(400, "invalid_params", "max_count must be an integer between 1 and 20")
        cursor = body.get("cursor")
        if cursor is not None and (isinstance(cursor, bool) or not isinstance(cursor, int)):
            return _error(400, "invalid_params", "cursor must be an int64 epoch in milliseconds")
        posts = acct.posts_until(self.as_of)  # newest first
        if cursor is not None:
            posts = [p for p in posts if int(p.posted_at.timestamp() * 1000) < cursor]
        page, rest = posts[:max_count], posts[max_count:]
        videos = [self._video(p, fields) for p in page]
        next_cursor = int(page[-1].posted_at.timestamp() * 1000) if page else (cursor or 0)
        return _ok({"videos": videos, "cursor": next_cursor, "has_more": bool(rest)})

    def _video_query(self, acct: world.Account, fields: list[str], request: SimRequest) -> SimResponse:
        body = request.body if isinstance(request.body, dict) else {}
        filters = body.get("filters")
        ids = filters.get("video_ids") if isinstance(filters, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            return _error(400, "invalid_params", "filters.video_ids must be a non-empty list of video ids")
        if len(ids) > MAX_QUERY_IDS:
            return _error(400, "invalid_params", f"filters.video_ids accepts at most {MAX_QUERY_IDS} ids")
        found = [self.find_post(i) for i in dict.fromkeys(ids)]
        videos = [self._video(p, fields) for p in found if p is not None and p.account == acct]
        return _ok({"videos": videos, "cursor": 0, "has_more": False})

    def _oauth_token(self, request: SimRequest) -> SimResponse:
        form = request.body if isinstance(request.body, dict) else {}
        if not form.get("client_key") or not form.get("client_secret"):
            return _oauth_error(401, "invalid_client", "Client key or secret is missing or invalid.")
        if form.get("grant_type") != "refresh_token":
            return _oauth_error(400, "unsupported_grant_type", "The grant type is not supported.")
        refresh = str(form.get("refresh_token") or "")
        handle = refresh[len(DEMO_REFRESH_PREFIX):] if refresh.startswith(DEMO_REFRESH_PREFIX) else ""
        if not handle or handle.endswith(EXPIRED_SUFFIX):
            return _oauth_error(400, "invalid_grant", "Refresh token is invalid or expired.")
        acct = self.account(handle)
        return SimResponse(
            200,
            {
                "access_token": demo_token(self.platform, acct.handle),
                "expires_in": 86400,
                "open_id": self.account_id(acct),
                "refresh_expires_in": 31536000,
                "refresh_token": DEMO_REFRESH_PREFIX + acct.handle,  # rotated (same value in the demo)
                "scope": "user.info.basic,user.info.profile,user.info.stats,video.list",
                "token_type": "Bearer",
            },
        )

    def _video(self, post: world.Post, fields: list[str]) -> dict[str, Any]:
        m = post.metrics(self.as_of)
        vid = self.post_id(post)
        handle = post.account.handle
        full = {
            "id": vid,
            "create_time": int(post.posted_at.timestamp()),
            "title": post.title,
            "video_description": post.caption,
            "duration": post.duration,
            "height": 1920,
            "width": 1080,
            "cover_image_url": f"https://p16-sign.tiktokcdn-us.com/obj/{vid}.jpeg",
            "share_url": f"https://www.tiktok.com/@{handle}/video/{vid}?utm_source=open_api",
            "embed_link": f"https://www.tiktok.com/player/v1/{vid}",
            "embed_html": f'<blockquote class="tiktok-embed" data-video-id="{vid}"></blockquote>',
            "like_count": m["likes"],
            "comment_count": m["comments"],
            "share_count": m["shares"],
            "view_count": m["views"],
        }
        return {k: v for k, v in full.items() if k in fields}


def _log_id(seed: object) -> str:
    return f"2026{world.stable_int('tiktok-log', seed):020d}"[:32]


def _ok(data: dict[str, Any]) -> SimResponse:
    return SimResponse(200, {"data": data, "error": {"code": "ok", "message": "", "log_id": _log_id(sorted(data))}})


def _error(status: int, code: str, message: str) -> SimResponse:
    return SimResponse(status, {"data": {}, "error": {"code": code, "message": message, "log_id": _log_id(code)}})


def _oauth_error(status: int, error: str, description: str) -> SimResponse:
    return SimResponse(status, {"error": error, "error_description": description, "log_id": _log_id(error)})
