"""A fake Bluesky public AppView (XRPC), rendering the world model.

Serves GET /app.bsky.actor.getProfile, /app.bsky.feed.getAuthorFeed,
/app.bsky.feed.getPostThread and /app.bsky.feed.getPosts (``uris`` repeated, up to 25) under the
base https://public.api.bsky.app/xrpc, without any authentication (the public AppView needs
none). Errors use the XRPC shape
``{"error": "InvalidRequest", "message": "..."}``.

Ids: accounts are ``did:plc:`` + 24 base32 chars; posts are
``at://{did}/app.bsky.feed.post/{rkey}`` with the rkey a TID (13 base32-sortable chars built
from the creation time in microseconds, so rkeys sort by time as real ones do). CIDs are real-shaped
CIDv1 (base32 ``bafyrei...`` dag-cbor for records, ``bafkrei...`` raw for blobs, sha2-256), so
they decode as the lexicons' ``format: cid`` requires. Commenters are
fans with ``fan_NNNN.bsky.social`` handles; creator replies come from the account itself.

The author feed also carries some reposts of other people's posts (``reason`` of type
``app.bsky.feed.defs#reasonRepost``), as real feeds do. ``replyCount`` counts direct replies
only, like the real AppView. Bluesky has no views: the world's views only drive likes etc.

Rate limits: every answer carries ``ratelimit-limit`` / ``ratelimit-remaining`` /
``ratelimit-reset`` (epoch seconds) / ``ratelimit-policy`` for a window of 3,000 requests per 5
minutes (real clock; both can be changed for tests); past the limit the answer is 429
``RateLimitExceeded``.
"""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable


from . import world
from .transport import PlatformSimulator, SimRequest, SimResponse

PAGE_CAP = 10  # feed items per page we serve at most (documented limit is 1..100, default 50)
REPOST_EVERY = 6  # one repost slipped in after every sixth own post
GET_POSTS_MAX = 25
RATE_LIMIT = 3000  # AppView: 3,000 requests per 5 minutes per IP
RATE_WINDOW_SECONDS = 300
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


def tid(moment: datetime, salt: int) -> str:
    micros = int(moment.timestamp() * 1_000_000)
    value = (micros << 10) | (salt & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _did(*parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return "did:plc:" + "".join(_B32[b % 32] for b in digest[:24])


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


DAG_CBOR = 0x71  # records (posts): CIDs start "bafyrei"
RAW = 0x55  # blobs (images, videos): CIDs start "bafkrei"


def _cid(*parts: object, codec: int = DAG_CBOR) -> str:
    """A real-shaped CIDv1 (what the lexicons' ``format: cid`` means): multibase 'b' (base32
    lowercase, unpadded) of version 1, codec (0x71 dag-cbor for records, 0x55 raw for blobs),
    multihash sha2-256 (0x12, length 0x20, 32 digest bytes): 59 characters starting ``bafyrei``
    (records) or ``bafkrei`` (blobs); deterministic from ``parts``."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    raw = bytes([0x01, codec, 0x12, 0x20]) + digest
    return "b" + base64.b32encode(raw).decode("ascii").lower().rstrip("=")


def xrpc_error(status: int, name: str, message: str) -> SimResponse:
    return SimResponse(status, {"error": name, "message": message})


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{offset}".encode()).decode().rstrip("=")


def query_values(request: SimRequest, name: str) -> list[str]:
    """Every value of a repeated query parameter (XRPC sends arrays as ``uris=a&uris=b``)."""
    return request.values(name)


def _offset(cursor: str | None) -> int | None:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(raw) if raw.isdigit() else None
    except (ValueError, UnicodeDecodeError):
        return None


class Simulator(PlatformSimulator):
    platform = "bluesky"

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests: its body and headers besides Retry-After
        (``wait``: whole seconds until a request is accepted again; ``limit``: per second)."""
        # XRPC's error shape, with the IETF draft RateLimit headers the AppView sends.
        reset = str(int(time.time()) + wait)
        return {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, {
            "ratelimit-limit": str(limit), "ratelimit-remaining": "0", "ratelimit-reset": reset,
            "ratelimit-policy": f"{limit};w=1",
        }

    def __init__(
        self,
        as_of: datetime,
        handles: list[str] | None = None,
        *,
        rate_limit: int = RATE_LIMIT,
        rate_window: int = RATE_WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(as_of, handles)
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self._clock = clock
        self._window = (0, 0)  # (reset epoch, requests used)

    # -- identity ---------------------------------------------------------------------------
    def account_id(self, account: world.Account) -> str:
        return _did("bluesky-account", account.uid)

    def post_uri(self, post: world.Post) -> str:
        return f"at://{self.account_id(post.account)}/app.bsky.feed.post/{tid(post.posted_at, post.uid)}"

    def post_id(self, post: world.Post) -> str:
        return self.post_uri(post)

    def comment_author(self, post: world.Post, comment: world.Comment) -> dict[str, Any]:
        if comment.is_creator:
            return self._author(post.account)
        did = _did("bluesky-fan", comment.author)
        handle = f"{comment.author.replace('_', '-')}.bsky.social"
        return {"did": did, "handle": handle, "displayName": comment.author.replace("_", " ").title(), "labels": [], "createdAt": _iso(world.EPOCH)}

    def comment_uri(self, post: world.Post, comment: world.Comment) -> str:
        author = self.comment_author(post, comment)
        return f"at://{author['did']}/app.bsky.feed.post/{tid(comment.created_at, comment.uid)}"

    def _author(self, acct: world.Account) -> dict[str, Any]:
        return {
            "did": self.account_id(acct),
            "handle": acct.handle,
            "displayName": acct.display_name,
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{self.account_id(acct)}/{_cid('avatar', acct.uid, codec=RAW)}@jpeg",
            "labels": [],
            "createdAt": _iso(world.EPOCH - timedelta(days=acct.uid % 400)),
        }

    def _resolve(self, actor: str) -> world.Account | None:
        if actor.startswith("did:"):
            return self.find_account(actor)
        handle = actor.lstrip("@").lower()
        labels = handle.split(".")
        if len(labels) < 2 or not all(labels) or any(not l.replace("-", "").isalnum() for l in labels):
            return None
        return self.account(handle)

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        now = int(self._clock())
        reset, used = self._window
        if now >= reset:
            reset, used = now + self.rate_window, 0
        exhausted = used >= self.rate_limit
        used += 0 if exhausted else 1
        self._window = (reset, used)
        if exhausted:
            answer = xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded")
        else:
            answer = self._answer(request)
        answer.headers.update(
            {
                "ratelimit-limit": str(self.rate_limit),
                "ratelimit-remaining": str(max(self.rate_limit - used, 0)),
                "ratelimit-reset": str(reset),
                "ratelimit-policy": f"{self.rate_limit};w={self.rate_window}",
            }
        )
        return answer

    def _answer(self, request: SimRequest) -> SimResponse:
        if request.method != "GET":
            return xrpc_error(405, "InvalidRequest", "Method Not Allowed")
        path = request.path.rstrip("/")
        if path == "/app.bsky.feed.getPosts":
            return self._posts(query_values(request, "uris"))
        routes = {
            "/app.bsky.actor.getProfile": self._profile,
            "/app.bsky.feed.getAuthorFeed": self._feed,
            "/app.bsky.feed.getPostThread": self._thread,
        }
        route = routes.get(path)
        if route is None:
            return xrpc_error(404, "MethodNotImplemented", "Method Not Implemented")
        return route(request.query)

    def _posts(self, uris: list[str]) -> SimResponse:
        """app.bsky.feed.getPosts: hydrated views of the given posts; unknown ones left out."""
        if not uris:
            return xrpc_error(400, "InvalidRequest", 'Error: Params must have the property "uris"')
        if len(uris) > GET_POSTS_MAX:
            return xrpc_error(400, "InvalidRequest", f"Error: uris must not have more than {GET_POSTS_MAX} elements")
        if any(not u.startswith("at://") for u in uris):
            return xrpc_error(400, "InvalidRequest", "Error: uris/0 must be a valid at-uri")
        views = []
        for uri in dict.fromkeys(uris):
            post = self.find_post(uri)
            if post is not None:
                views.append(self._post_view(post))
        return SimResponse(200, {"posts": views})

    def _profile(self, q: dict[str, str]) -> SimResponse:
        actor = q.get("actor", "")
        if not actor:
            return xrpc_error(400, "InvalidRequest", 'Error: Params must have the property "actor"')
        acct = self._resolve(actor)
        if acct is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        posts = acct.posts_until(self.as_of)
        return SimResponse(
            200,
            {
                **self._author(acct),
                "description": f"Posts by {acct.display_name}",
                "banner": f"https://cdn.bsky.app/img/banner/plain/{self.account_id(acct)}/{_cid('banner', acct.uid, codec=RAW)}@jpeg",
                "followersCount": acct.followers(self.as_of),
                "followsCount": acct.following(self.as_of),
                "postsCount": len(posts) + len(posts) // REPOST_EVERY,
                "indexedAt": _iso(self.as_of - timedelta(hours=1)),
                "associated": {"lists": 0, "feedgens": 0, "starterPacks": 0, "labeler": False},
            },
        )

    def _post_view(self, post: world.Post) -> dict[str, Any]:
        m = post.metrics(self.as_of)
        uri = self.post_uri(post)
        did = self.account_id(post.account)
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": post.caption, "createdAt": _iso(post.posted_at), "langs": ["en"]}
        tags = [t for t in post.hashtags if ("#" + t) in post.caption]
        if tags:
            facets = []
            for t in tags:
                start = len(post.caption[: post.caption.find("#" + t)].encode("utf-8"))  # byte offsets
                facets.append(
                    {
                        "index": {"byteStart": start, "byteEnd": start + len(("#" + t).encode("utf-8"))},
                        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": t}],
                    }
                )
            record["facets"] = facets
        view: dict[str, Any] = {
            "uri": uri,
            "cid": _cid("post", post.uid),
            "author": self._author(post.account),
            "record": record,
            "replyCount": sum(1 for c in post.comments(self.as_of) if c.parent_seq is None),
            "repostCount": m["shares"] - m["shares"] // 5,
            "likeCount": m["likes"],
            "quoteCount": m["shares"] // 5,
            "bookmarkCount": m["saves"],
            "indexedAt": _iso(post.posted_at + timedelta(seconds=2)),
            "labels": [],
        }
        if post.kind == "video":
            cid = _cid("video", post.uid, codec=RAW)
            record["embed"] = {"$type": "app.bsky.embed.video", "video": {"$type": "blob", "ref": {"$link": cid}, "mimeType": "video/mp4", "size": post.duration * 250_000}}
            view["embed"] = {
                "$type": "app.bsky.embed.video#view",
                "cid": cid,
                "playlist": f"https://video.bsky.app/watch/{did.replace(':', '%3A')}/{cid}/playlist.m3u8",
                "thumbnail": f"https://video.bsky.app/watch/{did.replace(':', '%3A')}/{cid}/thumbnail.jpg",
                "aspectRatio": {"width": 1080, "height": 1920},
            }
        elif post.kind in ("image", "carousel"):
            n = 1 if post.kind == "image" else 2 + post.uid % 3
            cids = [_cid("image", post.uid, i, codec=RAW) for i in range(n)]
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": "", "image": {"$type": "blob", "ref": {"$link": c}, "mimeType": "image/jpeg", "size": 300_000}} for c in cids],
            }
            view["embed"] = {
                "$type": "app.bsky.embed.images#view",
                "images": [
                    {
                        "thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{did}/{c}@jpeg",
                        "fullsize": f"https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{c}@jpeg",
                        "alt": "",
                    }
                    for c in cids
                ],
            }
        return view

    def _feed_items(self, acct: world.Account) -> list[dict[str, Any] | world.Post]:
        """Own posts newest first, with a repost of someone else after every sixth one."""
        items: list[Any] = []
        for i, post in enumerate(acct.posts_until(self.as_of)):
            items.append(post)
            if i % REPOST_EVERY == REPOST_EVERY - 1:
                items.append(("repost", post))
        return items

    def _repost_item(self, acct: world.Account, after: world.Post) -> dict[str, Any]:
        friend = world.account("bluesky", f"friend{after.uid % 7}.bsky.social")
        original = friend.post(after.seq % 50)
        view = self._post_view(original)
        return {
            "post": view,
            "reason": {
                "$type": "app.bsky.feed.defs#reasonRepost",
                "by": self._author(acct),
                "indexedAt": _iso(after.posted_at - timedelta(minutes=30)),
            },
        }

    def _feed(self, q: dict[str, str]) -> SimResponse:
        acct = self._resolve(q.get("actor", ""))
        if acct is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        raw = q.get("limit", "50")
        if not raw.isdigit() or not 1 <= int(raw) <= 100:
            return xrpc_error(400, "InvalidRequest", "Error: limit must be an integer between 1 and 100")
        size = min(int(raw), PAGE_CAP)
        start = _offset(q.get("cursor"))
        if start is None:
            return xrpc_error(400, "InvalidRequest", "Malformed cursor")
        filt = q.get("filter", "posts_with_replies")
        if filt not in ("posts_with_replies", "posts_no_replies", "posts_with_media", "posts_and_author_threads", "posts_with_video"):
            return xrpc_error(400, "InvalidRequest", "Error: filter must be one of the known values")
        items = self._feed_items(acct)
        if filt == "posts_with_media":
            items = [i for i in items if isinstance(i, world.Post) and i.kind in ("image", "carousel", "video")]
        elif filt == "posts_with_video":
            items = [i for i in items if isinstance(i, world.Post) and i.kind == "video"]
        feed = []
        for item in items[start : start + size]:
            if isinstance(item, world.Post):
                feed.append({"post": self._post_view(item)})
            else:
                feed.append(self._repost_item(acct, item[1]))
        body: dict[str, Any] = {"feed": feed}
        if start + size < len(items):
            body["cursor"] = _cursor(start + size)
        return SimResponse(200, body)

    def _thread(self, q: dict[str, str]) -> SimResponse:
        uri = q.get("uri", "")
        if not uri.startswith("at://"):
            return xrpc_error(400, "InvalidRequest", "Error: uri must be a valid at-uri")
        raw_depth = q.get("depth", "6")
        if not raw_depth.isdigit() or int(raw_depth) > 1000:
            return xrpc_error(400, "InvalidRequest", "Error: depth must be an integer between 0 and 1000")
        post = self.find_post(uri)
        if post is None:
            return xrpc_error(400, "NotFound", f"Post not found: {uri}")
        visible = post.comments(self.as_of)
        children: dict[int | None, list[world.Comment]] = {}
        for c in visible:
            children.setdefault(c.parent_seq, []).append(c)

        def node(comment: world.Comment, depth: int) -> dict[str, Any]:
            author = self.comment_author(post, comment)
            c_uri = self.comment_uri(post, comment)
            parent = None if comment.parent_seq is None else post._all_comments()[comment.parent_seq]
            parent_ref = (
                {"uri": self.post_uri(post), "cid": _cid("post", post.uid)}
                if parent is None
                else {"uri": self.comment_uri(post, parent), "cid": _cid("comment", parent.uid)}
            )
            view = {
                "uri": c_uri,
                "cid": _cid("comment", comment.uid),
                "author": author,
                "record": {
                    "$type": "app.bsky.feed.post",
                    "text": comment.text,
                    "createdAt": _iso(comment.created_at),
                    "reply": {"root": {"uri": self.post_uri(post), "cid": _cid("post", post.uid)}, "parent": parent_ref},
                },
                "replyCount": len(children.get(comment.seq, [])),
                "repostCount": 0,
                "likeCount": comment.likes(self.as_of),
                "quoteCount": 0,
                "indexedAt": _iso(comment.created_at + timedelta(seconds=1)),
                "labels": [],
            }
            out: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": view}
            if depth > 0:
                out["replies"] = [node(c, depth - 1) for c in children.get(comment.seq, [])]
            return out

        depth = int(raw_depth)
        thread: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": self._post_view(post)}
        if depth > 0:
            thread["replies"] = [node(c, depth - 1) for c in children.get(None, [])]
        return SimResponse(200, {"thread": thread})
