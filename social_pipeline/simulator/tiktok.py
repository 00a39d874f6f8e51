"""A fake TikTok Display API v2 server rendering :mod:`social_pipeline.simulator.world`.

Serves ``GET /v2/user/info/`` and ``POST /v2/video/list/`` the way TikTok documents them: the
``{"data": ..., "error": {"code", "message", "log_id"}}`` envelope on every answer, only the
requested ``fields``, ``max_count`` capped at 20, a millisecond ``cursor`` and ``has_more``.
Every world post is listed as a TikTok post (the API only knows videos; non-video world posts
play the part of photo-mode posts and report a duration of 0).
"""

from __future__ import annotations

from typing import Any

from . import world
from .transport import PlatformSimulator, SimRequest, SimResponse

MAX_COUNT = 20
DEFAULT_COUNT = 10


class Simulator(PlatformSimulator):
    platform = "tiktok"

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
        if path == "/v2/user/info/" and request.method == "GET":
            route = self._user_info
        elif path == "/v2/video/list/" and request.method == "POST":
            route = self._video_list
        else:
            return _error(404, "invalid_params", f"The requested path {request.path} does not exist.")
        acct = self.account_for_token(self.bearer(request))
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
