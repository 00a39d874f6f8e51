"""A fake RapidAPI "TikTok Scraper" (tiktok-scraper7) rendering :mod:`social_pipeline.simulator.world`.

Serves what :mod:`social_pipeline.platforms.tiktok_rapidapi` calls: ``/user/info``,
``/user/posts``, ``/comment/list``, ``/comment/reply`` and ``/?url=`` (one video), every answer in
the scraper's envelope ``{"code": 0, "msg": "success", "processed_time": ..., "data": ...}``.

It renders the same world account as the Display API simulator (platform ``tiktok``), with the
same video ids, so both providers describe the same videos. Comments are shown TikTok-style, two
levels deep: replies to replies hang under their top-level comment.

The RapidAPI gateway is imitated too: a request needs ``X-RapidAPI-Key`` starting with ``demo``
(401 ``{"message": "Invalid API key..."}`` otherwise) and ``X-RapidAPI-Host``.
``Simulator(..., throttle_first=N)`` answers the first N requests with the scraper's in-body rate
limit (HTTP 200, ``{"code": -1, "msg": "Free Api Limit: 1 request/second."}``).
"""

from __future__ import annotations

import re
from typing import Any

from . import world
from .tiktok import Simulator as DisplaySimulator
from .transport import PlatformSimulator, SimRequest, SimResponse

MAX_POSTS = 35
MAX_COMMENTS = 50
_VIDEO_IN_URL = re.compile(r"/video/(\d+)")


class Simulator(PlatformSimulator):
    platform = "tiktok"

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests: its body and headers besides Retry-After
        (``wait``: whole seconds until a request is accepted again; ``limit``: per second)."""
        return {"message": "You have exceeded the rate limit per second for your plan."}, {}

    def __init__(self, as_of, handles=None, *, throttle_first: int = 0):
        super().__init__(as_of, handles)
        self.throttle_left = max(int(throttle_first), 0)
        self._comments: dict[str, tuple[world.Post, world.Comment]] = {}

    # the same video ids as the Display API simulator
    post_id = DisplaySimulator.post_id

    def account_id(self, account: world.Account) -> str:
        return "6" + str(account.uid % 10**18).zfill(18)

    def comment_id(self, comment: world.Comment) -> str:
        return "7" + str((comment.uid + 3) % 10**18).zfill(18)

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        key = request.headers.get("X-RapidAPI-Key", "")
        if not key:
            return SimResponse(401, {"message": "Missing RapidAPI application key. Go to https://docs.rapidapi.com/docs/keys to learn how to get your API application key."})
        if not key.startswith("demo"):
            return SimResponse(401, {"message": "Invalid API key. Go to https://docs.rapidapi.com/docs/keys for more info."})
        if not request.headers.get("X-RapidAPI-Host"):
            return SimResponse(400, {"message": "Missing X-RapidAPI-Host header"})
        if request.method != "GET":
            return SimResponse(404, {"message": "Endpoint '" + request.path + "' does not exist"})
        if self.throttle_left > 0:
            self.throttle_left -= 1
            return SimResponse(200, {"code": -1, "msg": "Free Api Limit: 1 request/second.", "processed_time": 0.01})
        path = request.path.rstrip("/") or "/"
        routes = {
            "/user/info": self._user_info,
            "/user/posts": self._user_posts,
            "/comment/list": self._comment_list,
            "/comment/reply": self._comment_reply,
            "/": self._video_info,
        }
        route = routes.get(path)
        if route is None:
            return SimResponse(404, {"message": "Endpoint '" + request.path + "' does not exist"})
        return route(request)

    # -- users ------------------------------------------------------------------------------
    def _user(self, request: SimRequest) -> world.Account | None:
        handle = (request.query.get("unique_id") or "").lstrip("@")
        return self.account(handle) if handle else None

    def _user_info(self, request: SimRequest) -> SimResponse:
        acct = self._user(request)
        if acct is None:
            return _fail("unique_id or user_id is required")
        posts = acct.posts_until(self.as_of)
        user = {
            "id": self.account_id(acct),
            "uniqueId": acct.handle,
            "nickname": acct.display_name,
            "avatarThumb": f"https://p16-sign-va.tiktokcdn.com/avatar/{acct.uid:x}~c5_100x100.jpeg",
            "signature": f"Hi, I'm {acct.display_name}",
            "verified": False,
            "secUid": f"MS4wLjABAAAA{acct.uid:x}",
            "privateAccount": False,
        }
        likes = sum(p.metrics(self.as_of)["likes"] for p in posts)
        stats = {
            "followerCount": acct.followers(self.as_of),
            "followingCount": acct.following(self.as_of),
            "heart": likes,
            "heartCount": likes,
            "videoCount": len(posts),
            "diggCount": 0,
        }
        return _ok({"user": user, "stats": stats})

    def _user_posts(self, request: SimRequest) -> SimResponse:
        acct = self._user(request)
        if acct is None:
            return _fail("unique_id or user_id is required")
        try:
            wanted = max(1, min(int(request.query.get("count", 10)), MAX_POSTS))
            cursor = int(request.query.get("cursor") or 0)
        except ValueError:
            return _fail("count and cursor must be numbers")
        posts = acct.posts_until(self.as_of)
        if cursor:
            posts = [p for p in posts if int(p.posted_at.timestamp() * 1000) < cursor]
        page, rest = posts[:wanted], posts[wanted:]
        next_cursor = str(int(page[-1].posted_at.timestamp() * 1000)) if page else str(cursor)
        return _ok({"videos": [self._video(p) for p in page], "cursor": next_cursor, "hasMore": bool(rest)})

    # -- videos -----------------------------------------------------------------------------
    def _video(self, post: world.Post) -> dict[str, Any]:
        m = post.metrics(self.as_of)
        vid = self.post_id(post)
        acct = post.account
        out: dict[str, Any] = {
            "aweme_id": f"v09044g40000{vid[-12:]}",
            "video_id": vid,
            "region": "US",
            "title": post.caption,
            "cover": f"https://p16-sign-va.tiktokcdn.com/obj/tos-maliva-p-0068/{vid}~tplv-dmt-logom.jpeg",
            "origin_cover": f"https://p16-sign-va.tiktokcdn.com/obj/tos-maliva-p-0068/{vid}.jpeg",
            "duration": post.duration,
            "play": f"https://v16m.tiktokcdn.com/{vid}/video.mp4",
            "size": 1_000_000 + post.duration * 50_000,
            "play_count": m["views"],
            "digg_count": m["likes"],
            "comment_count": m["comments"],
            "share_count": m["shares"],
            "download_count": m["shares"] // 4,
            "collect_count": m["saves"],
            "create_time": int(post.posted_at.timestamp()),
            "is_top": 0,
            "author": {"id": self.account_id(acct), "unique_id": acct.handle, "nickname": acct.display_name},
        }
        if post.kind in ("image", "carousel"):
            n = 1 if post.kind == "image" else 3
            out["images"] = [f"https://p16-sign-va.tiktokcdn.com/photo/{vid}-{i}.jpeg" for i in range(n)]
        return out

    def _video_info(self, request: SimRequest) -> SimResponse:
        target = request.query.get("url", "")
        match = _VIDEO_IN_URL.search(target)
        vid = match.group(1) if match else target
        post = self.find_post(vid) if vid else None
        if post is None:
            return _fail("Url parsing is failed! Please check url.")
        video = self._video(post)
        video["id"] = video.pop("video_id")
        return _ok(video)

    # -- comments ---------------------------------------------------------------------------
    def _threads(self, post: world.Post) -> tuple[list[world.Comment], dict[int, list[world.Comment]]]:
        comments = post.comments(self.as_of)
        by_seq = {c.seq: c for c in comments}

        def root(c: world.Comment) -> world.Comment:
            while c.parent_seq is not None:
                c = by_seq[c.parent_seq]
            return c

        tops = sorted((c for c in comments if c.parent_seq is None), key=lambda c: c.created_at, reverse=True)
        replies: dict[int, list[world.Comment]] = {c.seq: [] for c in tops}
        for c in comments:
            top = root(c)
            self._comments[self.comment_id(c)] = (post, top)
            if c.parent_seq is not None:
                replies[top.seq].append(c)
        for items in replies.values():
            items.sort(key=lambda c: c.created_at)
        return tops, replies

    def _comment(self, c: world.Comment, post: world.Post, reply_total: int | None) -> dict[str, Any]:
        author_id = self.account_id(post.account) if c.is_creator else str(6_000_000_000_000_000_000 + world.stable_int(c.author) % 10**17)
        out = {
            "id": self.comment_id(c),
            "video_id": self.post_id(post),
            "text": c.text,
            "create_time": int(c.created_at.timestamp()),
            "digg_count": c.likes(self.as_of),
            "status": 1,
            "user": {"id": author_id, "unique_id": c.author, "nickname": c.author.replace("_", " ").title()},
        }
        if reply_total is not None:
            out["reply_total"] = reply_total
        return out

    def _page(self, request: SimRequest, items: list[Any], render) -> SimResponse:
        try:
            wanted = max(1, min(int(request.query.get("count", 10)), MAX_COMMENTS))
            cursor = max(int(request.query.get("cursor") or 0), 0)
        except ValueError:
            return _fail("count and cursor must be numbers")
        chunk = items[cursor : cursor + wanted]
        return _ok(
            {
                "comments": [render(it) for it in chunk],
                "total": len(items),
                "cursor": cursor + len(chunk),
                "hasMore": cursor + len(chunk) < len(items),
            }
        )

    def _comment_list(self, request: SimRequest) -> SimResponse:
        target = request.query.get("url") or request.query.get("video_id") or ""
        match = _VIDEO_IN_URL.search(target)
        post = self.find_post(match.group(1) if match else target)
        if post is None:
            return _fail("Url parsing is failed! Please check url.")
        tops, replies = self._threads(post)
        return self._page(request, tops, lambda c: self._comment(c, post, len(replies[c.seq])))

    def _comment_reply(self, request: SimRequest) -> SimResponse:
        cid = request.query.get("comment_id", "")
        if cid not in self._comments:
            for acct in list(self._accounts.values()):  # not listed yet: index every thread
                for post in acct.posts_until(self.as_of):
                    if post.comments(self.as_of):
                        self._threads(post)
        if cid not in self._comments:
            return _fail("comment_id is invalid")
        post, top = self._comments[cid]
        if self.comment_id(top) != cid:
            return _ok({"comments": [], "total": 0, "cursor": 0, "hasMore": False})
        _, replies = self._threads(post)
        return self._page(request, replies[top.seq], lambda c: self._comment(c, post, None))


def _ok(data: Any) -> SimResponse:
    return SimResponse(200, {"code": 0, "msg": "success", "processed_time": 0.0421, "data": data})


def _fail(msg: str) -> SimResponse:
    return SimResponse(200, {"code": -1, "msg": msg, "processed_time": 0.0107})
