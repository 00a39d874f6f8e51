"""Bluesky, through the public AppView (XRPC over HTTPS, no authentication needed).

Endpoints used (all GET under https://public.api.bsky.app/xrpc):
- ``app.bsky.actor.getProfile``   ?actor=<handle or DID>
- ``app.bsky.feed.getAuthorFeed`` ?actor=<DID>&limit=1..100&cursor=&filter=posts_no_replies
- ``app.bsky.feed.getPostThread`` ?uri=<at-uri>&depth=&parentHeight=0, for posts with replies
- ``app.bsky.feed.getPosts``      ?uris=<at-uri>&uris=... (up to 25, repeated parameter), to
  refresh tracked posts that are no longer among the newest ``posts_per_fetch``

Quirks worth knowing:
- Public data needs no token; ``account.access_token`` is ignored (a PDS session token is not
  valid at the public AppView). Errors are ``{"error": "<Name>", "message": "..."}``; an unknown
  actor is HTTP 400 ``InvalidRequest`` "Profile not found".
- Ids: accounts are DIDs (``did:plc:...``); a post is an at-uri
  ``at://{did}/app.bsky.feed.post/{rkey}`` (the rkey is a 13-char TID) which we keep as
  external_post_id; its public URL is ``https://bsky.app/profile/{handle}/post/{rkey}``.
- The author feed mixes in the account's reposts (items with ``reason`` of type
  ``app.bsky.feed.defs#reasonRepost``); they are skipped, as are posts by other authors.
  ``cursor`` is absent on the last page.
- Counts: likeCount, replyCount (direct replies only), repostCount, quoteCount and, on newer
  AppViews, bookmarkCount. shares_count = repostCount + quoteCount; saves_count = bookmarkCount
  (None when absent). Bluesky reports no views, impressions, reach or watch time: all None.
- posted_at is the record's ``createdAt`` (client-set), not ``indexedAt``.
- Threads nest: ``thread.replies[].replies[]...``; the enclosing node is a reply's parent.
  Deleted or blocked replies come as ``notFoundPost`` / ``blockedPost`` and are skipped.
- Media comes from the post's *view* embed: ``app.bsky.embed.video#view`` -> video (no duration
  exposed), ``app.bsky.embed.images#view`` -> image (several images -> carousel), also inside
  ``app.bsky.embed.recordWithMedia#view``; anything else (links, quotes) -> text.
- No audience demographics exist.
- Rate limits: the AppView answers 429 with ``ratelimit-limit`` / ``ratelimit-remaining`` /
  ``ratelimit-reset`` (epoch seconds) / ``ratelimit-policy`` headers (3,000 requests per 5
  minutes per IP); the HTTP layer retries 429 with backoff and records the headers.
- Refresh by id: posts tracked inside ``update_window_days`` but missing from the newest feed
  page(s) are re-read with getPosts (25 uris a call; unknown or deleted uris are silently left
  out), and their threads are re-read when they have replies. Posts by other authors are
  ignored. No tokens are involved, so there is nothing to refresh or expire.
"""

from __future__ import annotations

from typing import Any, Iterable

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

EP_PROFILE = "app.bsky.actor.getProfile"
EP_FEED = "app.bsky.feed.getAuthorFeed"
EP_THREAD = "app.bsky.feed.getPostThread"
EP_POSTS = "app.bsky.feed.getPosts"

FEED_MAX = 100
GET_POSTS_MAX = 25  # lexicon: uris maxLength 25
THREAD_DEPTH = 100  # lexicon allows up to 1000; deep enough for real conversations

REPOST = "app.bsky.feed.defs#reasonRepost"
THREAD_POST = "app.bsky.feed.defs#threadViewPost"


class Client(PlatformClient):
    platform = "bluesky"
    default_base_url = "https://public.api.bsky.app/xrpc"
    # Bluesky counts never freeze and the AppView documents no metric window; the default 30 days
    # covers the weeks in which posts still gather likes and reposts (one getPosts per 25 posts).
    update_window_days = 30

    def pull(self, account: AccountRef) -> None:
        actor = account.external_id or account.handle.lstrip("@")
        try:
            profile = self.http.get(self.url(EP_PROFILE), endpoint=EP_PROFILE, params={"actor": actor})
        except PlatformError as exc:
            # XRPC errors put the name in "error" and the reason in "message"; add the latter.
            last = self.http.responses[-1].payload if self.http.responses else None
            message = last.get("message") if isinstance(last, dict) else None
            detail = f" ({str(message)[:200]})" if message else ""
            raise PlatformError(
                f"bluesky account @{account.handle.lstrip('@')}: profile lookup failed: {exc}{detail}",
                status_code=exc.status_code,
                endpoint=EP_PROFILE,
            ) from None
        did = profile.get("did") if isinstance(profile, dict) else None
        if not isinstance(did, str):
            raise PlatformError(f"{EP_PROFILE}: no DID for @{account.handle}", endpoint=EP_PROFILE)

        wanted = max(account.posts_per_fetch, 0)
        own = 0
        seen: set[str] = set()
        with_replies: list[str] = []
        cursor: str | None = None
        page = 0
        while own < wanted:
            # Each page holds at most `limit` items, so asking for what is left never overshoots.
            params = {"actor": did, "limit": min(FEED_MAX, wanted - own), "filter": "posts_no_replies"}
            if cursor:
                params["cursor"] = cursor
            body = self.http.get(self.url(EP_FEED), endpoint=EP_FEED, params=params, page_index=page)
            page += 1
            items = body.get("feed") if isinstance(body, dict) else None
            for item in items or []:
                try:
                    post = _own_post(item, did)
                except ParseError:
                    post = None  # malformed item: parse() will report it from the stored page
                if post is None:
                    continue
                own += 1
                seen.add(post.get("uri"))
                if isinstance(post.get("replyCount"), int) and post["replyCount"] > 0:
                    with_replies.append(post.get("uri"))
            cursor = body.get("cursor") if isinstance(body, dict) else None
            if not cursor or not items:
                break

        # Tracked posts still inside the update window but no longer among the newest.
        refresh = [u for u in dict.fromkeys(account.refresh_post_ids) if isinstance(u, str) and u and u not in seen]
        for index, begin in enumerate(range(0, len(refresh), GET_POSTS_MAX)):
            body = self.http.get(
                self.url(EP_POSTS),
                endpoint=EP_POSTS,
                params={"uris": refresh[begin : begin + GET_POSTS_MAX]},  # sent as repeated uris=
                page_index=index,
            )
            for post in (body.get("posts") or []) if isinstance(body, dict) else []:
                author = (post or {}).get("author") if isinstance(post, dict) else None
                if not isinstance(author, dict) or author.get("did") != did:
                    continue
                if isinstance(post.get("replyCount"), int) and post["replyCount"] > 0:
                    with_replies.append(post.get("uri"))

        for index, uri in enumerate(u for u in with_replies if isinstance(u, str)):
            self.http.get(
                self.url(EP_THREAD),
                endpoint=EP_THREAD,
                params={"uri": uri, "depth": THREAD_DEPTH, "parentHeight": 0},
                page_index=index,
            )

    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        responses = list(responses)
        out = ParsedPull()
        profiles = ok_payloads(responses, EP_PROFILE)
        if not profiles:
            raise ParseError("bluesky: no successful getProfile response")
        profile = profiles[0]
        if not isinstance(profile, dict):
            raise ParseError(f"{EP_PROFILE}: response is not an object")
        did = _str(profile, "did", EP_PROFILE)
        _str(profile, "handle", EP_PROFILE)
        out.account = {
            "external_user_id": did,
            "display_name": _opt_str(profile, "displayName", EP_PROFILE),
            "followers_count": _count(profile, "followersCount", EP_PROFILE),
            "following_count": _count(profile, "followsCount", EP_PROFILE),
            "posts_count": _count(profile, "postsCount", EP_PROFILE),
            "total_likes": None,
            "total_comments": None,
            "total_views": None,
            "total_shares": None,
            "subscribers_count": None,
            "pins_count": None,
            "retweets_count": None,
            "watch_time_minutes": None,
        }

        # Feed order first, then refreshed posts; a post fetched twice keeps the later data.
        posts: dict[str, dict[str, Any]] = {}
        for body in ok_payloads(responses, EP_FEED):
            if not isinstance(body, dict) or not isinstance(body.get("feed"), list):
                raise ParseError(f"{EP_FEED}: 'feed' is missing or not a list")
            for item in body["feed"]:
                if not isinstance(item, dict):
                    raise ParseError(f"{EP_FEED}: a feed item is not an object")
                post = _own_post(item, did)
                if post is None:
                    continue
                record = _post_record(post, EP_FEED)
                posts[post["uri"]] = _post(post, record)
        for body in ok_payloads(responses, EP_POSTS):
            if not isinstance(body, dict) or not isinstance(body.get("posts"), list):
                raise ParseError(f"{EP_POSTS}: 'posts' is missing or not a list")
            for post in body["posts"]:
                if not isinstance(post, dict):
                    raise ParseError(f"{EP_POSTS}: a post is not an object")
                if _own_post({"post": post}, did) is None:
                    continue  # someone else's post: not ours to track
                record = _post_record(post, EP_POSTS)
                posts[post["uri"]] = _post(post, record)
        out.posts = list(posts.values())

        comment_ids: set[str] = set()
        for body in ok_payloads(responses, EP_THREAD):
            thread = body.get("thread") if isinstance(body, dict) else None
            if not isinstance(thread, dict) or thread.get("$type", THREAD_POST) != THREAD_POST:
                raise ParseError(f"{EP_THREAD}: 'thread' is missing or not a threadViewPost")
            root = thread.get("post")
            if not isinstance(root, dict):
                raise ParseError(f"{EP_THREAD}: thread has no post")
            root_uri = _str(root, "uri", EP_THREAD)
            _walk(out, comment_ids, thread, root_uri, root_uri)
        return out


def _own_post(item: Any, did: str) -> dict[str, Any] | None:
    """The item's post when it is the account's own post (not a repost, not someone else's)."""
    if not isinstance(item, dict):
        return None
    reason = item.get("reason")
    if isinstance(reason, dict) and reason.get("$type") == REPOST:
        return None
    post = item.get("post")
    if not isinstance(post, dict):
        raise ParseError(f"{EP_FEED}: a feed item has no post")
    author = post.get("author")
    if not isinstance(author, dict) or not isinstance(author.get("did"), str):
        raise ParseError(f"{EP_FEED}: a post has no author DID")
    return post if author["did"] == did else None


def _post_record(post: dict[str, Any], where: str) -> dict[str, Any]:
    _str(post, "uri", where)
    record = post.get("record")
    if not isinstance(record, dict):
        raise ParseError(f"{where}: post 'record' is missing or not an object")
    return record


def rkey_of(uri: str) -> str:
    """The record key: the last segment of at://{did}/app.bsky.feed.post/{rkey}."""
    parts = uri.split("/")
    if len(parts) != 5 or parts[0] != "at:" or parts[3] != "app.bsky.feed.post" or not parts[4]:
        raise ParseError(f"not a post at-uri: {uri[:80]!r}")
    return parts[4]


def _media(embed: Any) -> tuple[str, str | None]:
    if not isinstance(embed, dict):
        return "text", None
    kind = embed.get("$type")
    if kind == "app.bsky.embed.recordWithMedia#view":
        return _media(embed.get("media"))
    if kind == "app.bsky.embed.video#view":
        url = embed.get("playlist")
        return "video", url if isinstance(url, str) else None
    if kind == "app.bsky.embed.images#view":
        images = embed.get("images")
        if not isinstance(images, list):
            raise ParseError("embed images is not a list")
        first = images[0] if images and isinstance(images[0], dict) else {}
        url = first.get("fullsize")
        return ("carousel" if len(images) > 1 else "image"), url if isinstance(url, str) else None
    return "text", None


def _post(post: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    where = EP_FEED
    uri = post["uri"]
    handle = _str(post["author"], "handle", where)
    created = parse_timestamp(record.get("createdAt")) or parse_timestamp(post.get("indexedAt"))
    if created is None:
        raise ParseError(f"{where}: post {uri[:80]} has no createdAt")
    media_type, media_url = _media(post.get("embed"))
    reposts = _count(post, "repostCount", where)
    quotes = _count(post, "quoteCount", where)
    shares = None if reposts is None and quotes is None else (reposts or 0) + (quotes or 0)
    return {
        "external_post_id": uri,
        "post_url": f"https://bsky.app/profile/{handle}/post/{rkey_of(uri)}",
        "caption": _opt_str(record, "text", where),
        "title": None,
        "media_type": media_type,
        "media_url": media_url,
        "duration": None,  # the video view does not expose a duration
        "posted_at": created,
        "likes_count": _count(post, "likeCount", where),
        "comments_count": _count(post, "replyCount", where),  # direct replies only
        "views_count": None,  # Bluesky does not report views
        "shares_count": shares,  # reposts + quote posts
        "saves_count": _count(post, "bookmarkCount", where),
        "watch_time_seconds": None,
        "completion_rate": None,
        "impressions": None,
        "reach": None,
    }


def _walk(out: ParsedPull, seen: set[str], node: dict[str, Any], parent_uri: str, root_uri: str) -> None:
    replies = node.get("replies", [])
    if not isinstance(replies, list):
        raise ParseError(f"{EP_THREAD}: 'replies' is not a list")
    for child in replies:
        if not isinstance(child, dict):
            raise ParseError(f"{EP_THREAD}: a reply is not an object")
        if child.get("$type", THREAD_POST) != THREAD_POST:
            continue  # notFoundPost / blockedPost
        post = child.get("post")
        if not isinstance(post, dict):
            raise ParseError(f"{EP_THREAD}: a reply has no post")
        record = _post_record(post, EP_THREAD)
        uri = post["uri"]
        author = post.get("author")
        if not isinstance(author, dict):
            raise ParseError(f"{EP_THREAD}: a reply has no author")
        if uri not in seen:
            seen.add(uri)
            out.comments.append(
                {
                    "external_post_id": root_uri,
                    "external_comment_id": uri,
                    "parent_external_comment_id": None if parent_uri == root_uri else parent_uri,
                    "comment_text": _opt_str(record, "text", EP_THREAD),
                    "author_username": _opt_str(author, "handle", EP_THREAD),
                    "author_external_id": _opt_str(author, "did", EP_THREAD),
                    "likes_count": _count(post, "likeCount", EP_THREAD),
                    "commented_at": parse_timestamp(record.get("createdAt")),
                }
            )
        _walk(out, seen, child, uri, root_uri)


def _str(container: Any, key: str, where: str) -> str:
    value = container.get(key) if isinstance(container, dict) else None
    if not isinstance(value, str) or not value:
        raise ParseError(f"{where}: {key!r} is missing or not a string")
    return value


def _opt_str(container: dict[str, Any], key: str, where: str) -> str | None:
    value = container.get(key)
    if value is not None and not isinstance(value, str):
        raise ParseError(f"{where}: {key!r} is not a string")
    return value


def _count(container: dict[str, Any], key: str, where: str) -> int | None:
    try:
        return count(container.get(key))
    except ParseError as exc:
        raise ParseError(f"{where}: {key}: {exc}") from None
