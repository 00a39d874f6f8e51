"""Bluesky responses -> records (the parse half of :mod:`.client`).

- Own posts only: feed items with ``reason`` ``app.bsky.feed.defs#reasonRepost`` are reposts of
  someone else's post and are skipped, as is any post whose author is not the account (e.g. the
  ``reply.parent`` / ``reply.root`` posts that accompany a reply in the feed).
- ``post_kind``: a record with ``reply`` whose root *and* parent are the account's own posts is a
  self-thread continuation ("thread"); any other reply is "reply"; a post whose record embeds
  another record (``app.bsky.embed.record`` or ``app.bsky.embed.recordWithMedia``) is "quote";
  anything else "original".
- Hashtags: the record's facets (``app.bsky.richtext.facet#tag`` features, ``tag`` without '#')
  plus the record's ``tags`` array (up to 8 tags not shown in the text). A post with neither
  gets ``hashtags=None``: the pipeline extracts from the caption.
- Counts: likeCount, replyCount (direct replies only), repostCount, quoteCount and, on newer
  AppViews, bookmarkCount. shares_count = repostCount + quoteCount; saves_count = bookmarkCount.
  An absent count stays None (never 0). No views, impressions, reach or watch time exist.
- posted_at is the record's ``createdAt`` (client-set), falling back to ``indexedAt``.
- Threads nest: ``thread.replies[].replies[]...``; the enclosing node is a reply's parent.
  ``notFoundPost`` / ``blockedPost`` nodes are skipped.
- Media comes from the post's *view* embed: ``app.bsky.embed.video#view`` -> video (no duration
  exposed), ``app.bsky.embed.images#view`` -> image (several -> carousel), also inside
  ``app.bsky.embed.recordWithMedia#view``; anything else (links, quotes) -> text.
- thumbnail_url, the picture to show for a post: the first image's ``thumb``
  (``images#viewImage``), the video's ``thumbnail`` (``video#view``, optional) or a link card's
  ``thumb`` (``external#viewExternal``, optional), looking inside ``recordWithMedia#view``'s
  ``media``; None for anything else.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..base import ParsedPull, ParseError, RawResponse, ok_payloads, parse_timestamp
from ..payload import counter, field_list, field_obj, obj, opt_obj, opt_text, text
from ..records import AccountRecord, CommentRecord, PostRecord

EP_PROFILE = "app.bsky.actor.getProfile"
EP_FEED = "app.bsky.feed.getAuthorFeed"
EP_THREAD = "app.bsky.feed.getPostThread"
EP_POSTS = "app.bsky.feed.getPosts"

REPOST = "app.bsky.feed.defs#reasonRepost"
THREAD_POST = "app.bsky.feed.defs#threadViewPost"
TAG_FEATURE = "app.bsky.richtext.facet#tag"
QUOTE_EMBEDS = ("app.bsky.embed.record", "app.bsky.embed.recordWithMedia")


def parse(responses: Iterable[RawResponse]) -> ParsedPull:
    responses = list(responses)
    out = ParsedPull()
    profiles = ok_payloads(responses, EP_PROFILE)
    if not profiles:
        raise ParseError("bluesky: no successful getProfile response")
    profile = obj(profiles[0], f"{EP_PROFILE}: response")
    did = text(profile, "did", EP_PROFILE)
    handle = text(profile, "handle", EP_PROFILE)
    out.account = AccountRecord(
        external_user_id=did,
        display_name=opt_text(profile, "displayName", EP_PROFILE),
        profile_url=f"https://bsky.app/profile/{handle}",
        followers_count=counter(profile, "followersCount", EP_PROFILE),
        following_count=counter(profile, "followsCount", EP_PROFILE),
        posts_count=counter(profile, "postsCount", EP_PROFILE),
    ).as_dict()

    # Feed order first, then refreshed posts; a post fetched twice keeps the later data.
    posts: dict[str, dict[str, Any]] = {}
    for body in ok_payloads(responses, EP_FEED):
        for item in field_list(body, "feed", EP_FEED):
            if not isinstance(item, dict):
                raise ParseError(f"{EP_FEED}: a feed item is not an object")
            post = own_post(item, did)
            if post is not None:
                posts[post["uri"]] = post_record(post, did, EP_FEED).as_dict()
    for body in ok_payloads(responses, EP_POSTS):
        for post in field_list(body, "posts", EP_POSTS):
            if not isinstance(post, dict):
                raise ParseError(f"{EP_POSTS}: a post is not an object")
            if own_post({"post": post}, did) is None:
                continue  # someone else's post: not ours to track
            posts[post["uri"]] = post_record(post, did, EP_POSTS).as_dict()
    out.posts = list(posts.values())

    comment_ids: set[str] = set()
    for body in ok_payloads(responses, EP_THREAD):
        thread = body.get("thread") if isinstance(body, dict) else None
        if not isinstance(thread, dict) or thread.get("$type", THREAD_POST) != THREAD_POST:
            raise ParseError(f"{EP_THREAD}: 'thread' is missing or not a threadViewPost")
        root = field_obj(thread, "post", EP_THREAD)
        root_uri = text(root, "uri", EP_THREAD)
        _walk(out, comment_ids, thread, root_uri, root_uri)
    return out


def own_post(item: Any, did: str) -> dict[str, Any] | None:
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


def rkey_of(uri: str) -> str:
    """The record key: the last segment of at://{did}/app.bsky.feed.post/{rkey}."""
    parts = uri.split("/")
    if len(parts) != 5 or parts[0] != "at:" or parts[3] != "app.bsky.feed.post" or not parts[4]:
        raise ParseError(f"not a post at-uri: {uri[:80]!r}")
    return parts[4]


def did_of(uri: Any) -> str | None:
    """The repository (author) DID of an at-uri, None when it is not one."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    return uri[len("at://"):].split("/", 1)[0] or None


def post_kind(record: dict[str, Any], did: str, where: str) -> str:
    reply = opt_obj(record, "reply", where)
    if reply is not None:
        root = field_obj(reply, "root", f"{where}: reply")
        parent = field_obj(reply, "parent", f"{where}: reply")
        if did_of(root.get("uri")) == did and did_of(parent.get("uri")) == did:
            return "thread"
        return "reply"
    embed = opt_obj(record, "embed", where)
    if embed is not None and embed.get("$type") in QUOTE_EMBEDS:
        return "quote"
    return "original"


def hashtags(record: dict[str, Any], where: str) -> list[str] | None:
    """Tags from facets then the ``tags`` array, in order, without '#', without repeats; None when
    the record has neither (the pipeline then reads the caption)."""
    facets = record.get("facets")
    extra = record.get("tags")
    if facets is None and extra is None:
        return None
    found: list[str] = []
    for facet in field_list(record, "facets", where, missing_ok=True):
        for feature in field_list(obj(facet, f"{where}: facet"), "features", f"{where}: facet"):
            feature = obj(feature, f"{where}: facet feature")
            if feature.get("$type") == TAG_FEATURE:
                found.append(text(feature, "tag", f"{where}: tag facet").lstrip("#"))
    for tag in field_list(record, "tags", where, missing_ok=True):
        if not isinstance(tag, str):
            raise ParseError(f"{where}: 'tags' holds a value that is not a string")
        found.append(tag.lstrip("#"))
    return list(dict.fromkeys(t for t in found if t))


def _url(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _media(embed: Any) -> tuple[str, str | None, str | None]:
    """(media_type, media_url, thumbnail_url) of a post's view embed."""
    if not isinstance(embed, dict):
        return "text", None, None
    kind = embed.get("$type")
    if kind == "app.bsky.embed.recordWithMedia#view":
        return _media(embed.get("media"))
    if kind == "app.bsky.embed.video#view":
        return "video", _url(embed.get("playlist")), _url(embed.get("thumbnail"))
    if kind == "app.bsky.embed.images#view":
        images = embed.get("images")
        if not isinstance(images, list):
            raise ParseError("embed images is not a list")
        first = images[0] if images and isinstance(images[0], dict) else {}
        return ("carousel" if len(images) > 1 else "image"), _url(first.get("fullsize")), _url(first.get("thumb"))
    if kind == "app.bsky.embed.external#view":
        card = embed.get("external")
        return "text", None, _url(card.get("thumb")) if isinstance(card, dict) else None
    return "text", None, None


def post_record(post: dict[str, Any], did: str, where: str) -> PostRecord:
    uri = text(post, "uri", where)
    record = field_obj(post, "record", where)
    handle = text(post["author"], "handle", where)
    created = parse_timestamp(record.get("createdAt")) or parse_timestamp(post.get("indexedAt"))
    if created is None:
        raise ParseError(f"{where}: post {uri[:80]} has no createdAt")
    media_type, media_url, thumbnail_url = _media(post.get("embed"))
    reposts = counter(post, "repostCount", where)
    quotes = counter(post, "quoteCount", where)
    shares = None if reposts is None and quotes is None else (reposts or 0) + (quotes or 0)
    return PostRecord(
        external_post_id=uri,
        post_url=f"https://bsky.app/profile/{handle}/post/{rkey_of(uri)}",
        caption=opt_text(record, "text", where),
        media_type=media_type,
        media_url=media_url,
        thumbnail_url=thumbnail_url,
        posted_at=created,
        post_kind=post_kind(record, did, where),
        hashtags=hashtags(record, where),
        likes_count=counter(post, "likeCount", where),
        comments_count=counter(post, "replyCount", where),  # direct replies only
        shares_count=shares,  # reposts + quote posts
        saves_count=counter(post, "bookmarkCount", where),
    )


def _walk(out: ParsedPull, seen: set[str], node: dict[str, Any], parent_uri: str, root_uri: str) -> None:
    replies = node.get("replies", [])
    if not isinstance(replies, list):
        raise ParseError(f"{EP_THREAD}: 'replies' is not a list")
    for child in replies:
        if not isinstance(child, dict):
            raise ParseError(f"{EP_THREAD}: a reply is not an object")
        if child.get("$type", THREAD_POST) != THREAD_POST:
            continue  # notFoundPost / blockedPost
        post = field_obj(child, "post", f"{EP_THREAD}: reply")
        uri = text(post, "uri", EP_THREAD)
        record = field_obj(post, "record", EP_THREAD)
        author = field_obj(post, "author", EP_THREAD)
        if uri not in seen:
            seen.add(uri)
            out.comments.append(
                CommentRecord(
                    external_post_id=root_uri,
                    external_comment_id=uri,
                    parent_external_comment_id=None if parent_uri == root_uri else parent_uri,
                    comment_text=opt_text(record, "text", EP_THREAD),
                    author_username=opt_text(author, "handle", EP_THREAD),
                    author_external_id=opt_text(author, "did", EP_THREAD),
                    likes_count=counter(post, "likeCount", EP_THREAD),
                    commented_at=parse_timestamp(record.get("createdAt")),
                ).as_dict()
            )
        _walk(out, seen, child, uri, root_uri)
