"""X API v2 responses -> records.

Field names follow the OpenAPI description X publishes (schemas ``Tweet``/``Post``, ``User``,
``Expansions``, ``Problem``). Two spellings are live in X's descriptions: v2.159 names
``retweet_count``, ``tweet_count``, ``referenced_tweets``; v2.167 renames them ``repost_count``,
``post_count``, ``referenced_posts``. The parser reads either.

- Metrics mapping: shares_count = retweet (repost) count + quote_count; saves_count =
  bookmark_count; impressions = non_public_metrics.impression_count, falling back to
  public_metrics.impression_count (what the app shows as "views" on a post); views_count is the
  video's own ``media.public_metrics.view_count`` (None for posts without video). Reach, watch
  time are not offered. ``media.duration_ms`` is milliseconds -> seconds. completion_rate =
  playback_100_count / playback_0_count * 100 from the video's non_public (or organic) media
  metrics. A metric X did not send is None, never 0.
- Account: ``public_metrics.like_count`` counts likes the user *gave*, so it is not mapped to
  total_likes; totals and retweets_count are summed downstream from posts.
- post_kind from ``referenced_tweets``: ``replied_to`` a tweet of the account itself (its
  ``in_reply_to_user_id`` is the account's id) -> "thread"; ``replied_to`` anyone else ->
  "reply"; ``quoted`` -> "quote"; otherwise "original". A ``retweeted`` tweet is a repost and is
  never stored (the client asks the timeline with ``exclude=retweets``; one arriving anyway is
  dropped).
- hashtags: ``entities.hashtags[].tag`` (without '#'), as X recognises them; [] when the tweet
  has none (we always request ``entities``).
- Comments: every search page (recent or full archive) of a conversation; the root tweet
  itself and duplicates across pages are skipped; a reply to the root is top-level.
- Partial results: X answers HTTP 200 with an ``errors`` array (``Problem`` objects) next to
  ``data`` for ids it could not serve; those ids are simply absent.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..base import ParsedPull, ParseError, RawResponse, ok_payloads, parse_timestamp
from ..payload import counter, field_obj, obj, objects, opt_obj, opt_text, text
from ..records import AccountRecord, CommentRecord, PostRecord

EP_USER = "users.by.username"
EP_TWEETS = "users.tweets"
EP_LOOKUP = "tweets.lookup"
EP_SEARCH = "tweets.search.recent"
EP_SEARCH_ALL = "tweets.search.all"


def either(container: dict[str, Any], keys: tuple[str, ...], where: str) -> int | None:
    """The first of ``keys`` present (old and new spelling of one metric), as a count."""
    for key in keys:
        if key in container:
            return counter(container, key, where)
    return None


def references(tweet: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """``referenced_tweets`` (v2.159) or ``referenced_posts`` (v2.167), [] when absent."""
    for key in ("referenced_tweets", "referenced_posts"):
        if tweet.get(key) is not None:
            return objects(tweet, key, where)
    return []


def post_kind(tweet: dict[str, Any], account_id: str, where: str) -> str | None:
    """What the tweet is to its author; None for a retweet (never stored)."""
    kinds = {text(ref, "type", where) for ref in references(tweet, where)}
    if "retweeted" in kinds or "reposted" in kinds:
        return None
    if "replied_to" in kinds:
        to = opt_text(tweet, "in_reply_to_user_id", where)
        return "thread" if to == account_id else "reply"
    if "quoted" in kinds:
        return "quote"
    return "original"


def hashtags(tweet: dict[str, Any], where: str) -> list[str]:
    entities = opt_obj(tweet, "entities", where) or {}
    return [text(tag, "tag", where) for tag in objects(entities, "hashtags", where, missing_ok=True)]


def parse(responses: Iterable[RawResponse]) -> ParsedPull:
    responses = list(responses)
    out = ParsedPull()
    users = ok_payloads(responses, EP_USER)
    if not users:
        raise ParseError("twitter: no successful user lookup response")
    user = field_obj(users[0], "data", EP_USER)
    user_id = text(user, "id", EP_USER)
    username = text(user, "username", EP_USER)
    metrics = field_obj(user, "public_metrics", EP_USER)
    out.account = AccountRecord(
        external_user_id=user_id,
        display_name=opt_text(user, "name", EP_USER),
        profile_url=f"https://x.com/{username}",
        followers_count=counter(metrics, "followers_count", EP_USER),
        following_count=counter(metrics, "following_count", EP_USER),
        posts_count=either(metrics, ("tweet_count", "post_count"), EP_USER),
        # total_likes: like_count is likes given, not received; retweets_count summed downstream
    ).as_dict()

    # Timeline order (newest first) decides the order of posts; refreshed tweets follow in
    # lookup order. A tweet looked up twice keeps the data of the later lookup.
    order: list[str] = []
    for body in ok_payloads(responses, EP_TWEETS):
        for tweet in objects(body, "data", EP_TWEETS, missing_ok=True):
            tid = text(tweet, "id", EP_TWEETS)
            if tid not in order:
                order.append(tid)
    posts: dict[str, dict[str, Any]] = {}
    for body in ok_payloads(responses, EP_LOOKUP):
        tweets = objects(body, "data", EP_LOOKUP, missing_ok=True)
        includes = opt_obj(body, "includes", EP_LOOKUP) or {}
        media = {text(m, "media_key", EP_LOOKUP): m for m in objects(includes, "media", EP_LOOKUP, missing_ok=True)}
        for tweet in tweets:
            tid = text(tweet, "id", EP_LOOKUP)
            record = _post(tweet, media, username, user_id)
            if record is not None:
                posts[tid] = record
    ordered = [t for t in order if t in posts] + [t for t in posts if t not in order]
    out.posts = [posts[t] for t in ordered]

    comment_ids: set[str] = set()
    replies: list[dict[str, Any]] = []
    for endpoint in (EP_SEARCH, EP_SEARCH_ALL):
        for body in ok_payloads(responses, endpoint):
            obj(body, endpoint)
            includes = opt_obj(body, "includes", endpoint) or {}
            names = {text(u, "id", endpoint): u.get("username") for u in objects(includes, "users", endpoint, missing_ok=True)}
            for reply in objects(body, "data", endpoint, missing_ok=True):
                rid = text(reply, "id", endpoint)
                conversation = text(reply, "conversation_id", endpoint)
                if rid == conversation or rid in comment_ids:
                    continue  # the root tweet itself, or a duplicate across pages/endpoints
                comment_ids.add(rid)
                parent = None
                for ref in references(reply, endpoint):
                    if ref.get("type") == "replied_to":
                        parent = ref.get("id")
                if parent == conversation:
                    parent = None  # a direct reply to the post is a top-level comment
                pm = opt_obj(reply, "public_metrics", endpoint) or {}
                author = opt_text(reply, "author_id", endpoint)
                replies.append(
                    CommentRecord(
                        external_post_id=conversation,
                        external_comment_id=rid,
                        parent_external_comment_id=parent,
                        comment_text=opt_text(reply, "text", endpoint),
                        author_username=names.get(author),
                        author_external_id=author,
                        likes_count=counter(pm, "like_count", endpoint),
                        commented_at=parse_timestamp(reply.get("created_at")),
                    ).as_dict()
                )
    out.comments = _under_own_posts(replies, set(posts))
    return out  # X offers no audience demographics through the API


def _under_own_posts(replies: list[dict[str, Any]], own: set[str]) -> list[dict[str, Any]]:
    """Each reply attached to the account's post it answers. A conversation rooted in another
    account's post (the account's own reply lives there) holds replies to that post too: a reply
    is kept when its chain of parents reaches one of the account's posts, under that post (a
    direct reply to it being top-level), and left out otherwise (it answers someone else). The
    account's own reply is then a post of its own (kind reply or thread) and, where its parent
    is a post of the pull, also a comment under it (a creator's reply)."""
    parent_of = {r["external_comment_id"]: r["parent_external_comment_id"] or r["external_post_id"] for r in replies}
    kept = []
    for reply in replies:
        if reply["external_post_id"] in own:
            kept.append(reply)
            continue
        step, seen = parent_of.get(reply["external_comment_id"]), set()
        while step is not None and step not in own and step not in seen:
            seen.add(step)
            step = parent_of.get(step)
        if step in own:
            parent = reply["parent_external_comment_id"]
            kept.append({**reply, "external_post_id": step, "parent_external_comment_id": None if parent == step else parent})
    return kept


def _post(tweet: dict[str, Any], media: dict[str, Any], username: str, account_id: str) -> dict[str, Any] | None:
    where = EP_LOOKUP
    tid = tweet["id"]
    kind = post_kind(tweet, account_id, where)
    if kind is None:
        return None  # a retweet is someone else's post
    pm = field_obj(tweet, "public_metrics", where)
    private = opt_obj(tweet, "non_public_metrics", where) or {}  # total impressions, incl. promoted
    attachments = opt_obj(tweet, "attachments", where) or {}
    keys = attachments.get("media_keys") or []
    if not isinstance(keys, list):
        raise ParseError(f"{where}: attachments.media_keys is not a list")
    items = [media[k] for k in keys if k in media]
    video = next((m for m in items if m.get("type") in ("video", "animated_gif")), None)
    if video is not None:
        media_type = "video"
    elif len(items) > 1:
        media_type = "carousel"
    elif items:
        media_type = "image"
    else:
        media_type = "text"
    duration = views = media_url = completion = None
    if video is not None:
        ms = video.get("duration_ms")
        if ms is not None:
            if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0:
                raise ParseError(f"{where}: duration_ms is not a non-negative number")
            duration = int(round(ms / 1000))
        vpm = opt_obj(video, "public_metrics", where) or {}
        views = counter(vpm, "view_count", where)
        media_url = video.get("preview_image_url")
        completion = _completion(video)
    elif items:
        media_url = items[0].get("url")
    retweets = either(pm, ("retweet_count", "repost_count"), where)
    quotes = counter(pm, "quote_count", where)
    shares = None if retweets is None and quotes is None else (retweets or 0) + (quotes or 0)
    created = parse_timestamp(tweet.get("created_at"))
    if created is None:
        raise ParseError(f"{where}: tweet {tid} has no created_at")
    impressions = counter(private, "impression_count", where)
    if impressions is None:
        impressions = counter(pm, "impression_count", where)
    return PostRecord(
        external_post_id=tid,
        post_url=f"https://x.com/{username}/status/{tid}",
        caption=opt_text(tweet, "text", where),
        media_type=media_type,
        media_url=media_url,
        thumbnail_url=media_url,  # a video's or GIF's preview_image_url, else the first photo's url
        duration=duration,
        posted_at=created,
        post_kind=kind,
        hashtags=hashtags(tweet, where),
        likes_count=counter(pm, "like_count", where),
        comments_count=counter(pm, "reply_count", where),
        views_count=views,  # video views only; post "views" are impressions
        shares_count=shares,  # retweets + quote tweets
        saves_count=counter(pm, "bookmark_count", where),
        completion_rate=completion,
        impressions=impressions,
    ).as_dict()


def _completion(video: dict[str, Any]) -> float | None:
    """playback_100_count / playback_0_count in percent, from the video's private metrics."""
    where = EP_LOOKUP
    for key in ("non_public_metrics", "organic_metrics"):
        metrics = opt_obj(video, key, where) or {}
        started = counter(metrics, "playback_0_count", where)
        finished = counter(metrics, "playback_100_count", where)
        if started and finished is not None:
            return round(finished / started * 100, 2)
    return None
