"""X (Twitter) API v2.

Endpoints used (all GET, base https://api.twitter.com/2; api.x.com is the same service):
- ``users.by.username``  /users/by/username/{username}?user.fields=created_at,public_metrics,...
- ``users.tweets``       /users/{id}/tweets?max_results=5..100&pagination_token=&exclude=retweets,replies
  for the newest tweet ids (the timeline reaches back at most 3,200 tweets). max_results has a
  floor of 5 and pages may be short, so the timeline can overshoot posts_per_fetch; hence:
- ``tweets.lookup``      /tweets?ids=<up to 100>&tweet.fields=...&expansions=attachments.media_keys
  &media.fields=... for exactly the chosen tweets, with metrics and media
- ``tweets.search.recent`` /tweets/search/recent?query=conversation_id:{id}&max_results=10..100
  &next_token=&tweet.fields=...&expansions=author_id&user.fields=username, once per tweet that
  has replies, to read the conversation (replies and replies to replies).

Quirks worth knowing:
- Ids (users, tweets, media keys) are strings; tweet ids are snowflakes (time-ordered).
- Pagination: timelines take ``pagination_token``; search takes ``next_token`` (both fed from
  ``meta.next_token``). A page may hold fewer than ``max_results`` tweets even when more follow,
  and ``data`` is absent (``meta.result_count`` 0) for an empty page.
- **search/recent only covers the last 7 days**: replies to older tweets are not returned (the
  full-archive search needs a higher access tier). ``public_metrics.reply_count`` still counts
  every reply, so comments_count stays right while the comment rows may be partial.
- A lookup of an unknown user answers HTTP 200 with an ``errors`` array and no ``data``.
- Rate limits are per 15-minute window; a 429 carries ``x-rate-limit-reset`` (epoch seconds).
  The HTTP layer retries 429 with backoff.
- Metrics mapping: shares_count = retweet_count + quote_count; saves_count = bookmark_count;
  impressions = impression_count (what the app shows as "views" on a post); views_count is the
  video's own ``media.public_metrics.view_count`` (None for posts without video). Reach,
  watch time and completion are not offered. ``media.duration_ms`` is milliseconds -> seconds.
- Account: ``public_metrics.like_count`` counts likes the user *gave*, so it is not mapped to
  total_likes; totals and retweets_count are summed downstream from posts.
- Auth: OAuth 2 bearer; the account's user token (``account.access_token``) or an app-only
  bearer (credentials["bearer_token"]).
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

EP_USER = "users.by.username"
EP_TWEETS = "users.tweets"
EP_LOOKUP = "tweets.lookup"
EP_SEARCH = "tweets.search.recent"

TIMELINE_MIN, TIMELINE_MAX = 5, 100
SEARCH_MAX = 100
LOOKUP_MAX = 100

TWEET_FIELDS = "created_at,public_metrics,conversation_id,entities,attachments,lang"
MEDIA_FIELDS = "type,duration_ms,public_metrics,url,preview_image_url"
REPLY_FIELDS = "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics"


class Client(PlatformClient):
    platform = "twitter"
    default_base_url = "https://api.twitter.com/2"

    def _auth(self, account: AccountRef) -> dict[str, str]:
        token = account.access_token or self.credentials.get("bearer_token")
        if not token:
            raise PlatformError(
                f"twitter account @{account.handle.lstrip('@')}: no credentials: give the account an "
                "OAuth 2 access token or set SOCIAL_PIPELINE_TWITTER_BEARER_TOKEN (credential bearer_token)"
            )
        return {"Authorization": f"Bearer {token}"}

    def pull(self, account: AccountRef) -> None:
        auth = self._auth(account)
        username = account.handle.lstrip("@")
        user = self.http.get(
            self.url(f"users/by/username/{username}"),
            endpoint=EP_USER,
            params={"user.fields": "created_at,description,public_metrics,profile_image_url,verified"},
            secret_headers=auth,
        )
        data = user.get("data") if isinstance(user, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise PlatformError(f"{EP_USER}: no X user found for @{username}", endpoint=EP_USER)
        user_id = data["id"]

        # 1) The timeline, newest first, for ids only. max_results has a floor of 5 and a page can
        #    hold fewer tweets than asked, so the last page may overshoot posts_per_fetch.
        wanted = max(account.posts_per_fetch, 0)
        ids: list[str] = []
        token: str | None = None
        page = 0
        while len(ids) < wanted:
            params = {
                "max_results": min(max(wanted - len(ids), TIMELINE_MIN), TIMELINE_MAX),
                "exclude": "retweets,replies",
            }
            if token:
                params["pagination_token"] = token
            body = self.http.get(
                self.url(f"users/{user_id}/tweets"), endpoint=EP_TWEETS, params=params, secret_headers=auth, page_index=page
            )
            page += 1
            for tweet in (body.get("data") or []) if isinstance(body, dict) else []:
                tid = (tweet or {}).get("id")
                if isinstance(tid, str) and tid not in ids and len(ids) < wanted:
                    ids.append(tid)
            token = ((body.get("meta") or {}) if isinstance(body, dict) else {}).get("next_token")
            if not token:
                break

        # 2) Exactly those tweets with their metrics and media, up to 100 ids per lookup.
        with_replies: list[str] = []
        for batch_no, begin in enumerate(range(0, len(ids), LOOKUP_MAX)):
            batch = ids[begin : begin + LOOKUP_MAX]
            body = self.http.get(
                self.url("tweets"),
                endpoint=EP_LOOKUP,
                params={
                    "ids": ",".join(batch),
                    "tweet.fields": TWEET_FIELDS,
                    "expansions": "attachments.media_keys",
                    "media.fields": MEDIA_FIELDS,
                },
                secret_headers=auth,
                page_index=batch_no,
            )
            for tweet in (body.get("data") or []) if isinstance(body, dict) else []:
                replies = ((tweet or {}).get("public_metrics") or {}).get("reply_count")
                if isinstance(replies, int) and replies > 0:
                    with_replies.append(tweet.get("conversation_id") or tweet.get("id"))

        # 3) Each conversation with replies, through recent search (7-day window only).
        search_page = 0
        for conversation in with_replies:
            token = None
            while True:
                params = {
                    "query": f"conversation_id:{conversation}",
                    "max_results": SEARCH_MAX,
                    "tweet.fields": REPLY_FIELDS,
                    "expansions": "author_id",
                    "user.fields": "username",
                }
                if token:
                    params["next_token"] = token
                body = self.http.get(
                    self.url("tweets/search/recent"),
                    endpoint=EP_SEARCH,
                    params=params,
                    secret_headers=auth,
                    page_index=search_page,
                )
                search_page += 1
                token = ((body.get("meta") or {}) if isinstance(body, dict) else {}).get("next_token")
                if not token:
                    break

    # -- parse ------------------------------------------------------------------------------
    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        responses = list(responses)
        out = ParsedPull()
        users = ok_payloads(responses, EP_USER)
        if not users:
            raise ParseError("twitter: no successful user lookup response")
        user = _obj(users[0], "data", EP_USER)
        _str(user, "id", EP_USER)
        username = _str(user, "username", EP_USER)
        metrics = _obj(user, "public_metrics", EP_USER)
        out.account = {
            "external_user_id": user["id"],
            "display_name": _opt_str(user, "name", EP_USER),
            "followers_count": _count(metrics, "followers_count", EP_USER),
            "following_count": _count(metrics, "following_count", EP_USER),
            "posts_count": _count(metrics, "tweet_count", EP_USER),
            "total_likes": None,  # like_count is likes given, not received
            "total_comments": None,
            "total_views": None,
            "total_shares": None,
            "subscribers_count": None,
            "pins_count": None,
            "retweets_count": None,  # summed downstream from posts
            "watch_time_minutes": None,
        }

        # Posts are the looked-up tweets, in lookup order (= timeline order, newest first).
        seen: set[str] = set()
        for body in ok_payloads(responses, EP_LOOKUP):
            tweets = _list(body, "data", EP_LOOKUP)
            includes = body.get("includes") or {}
            if not isinstance(includes, dict):
                raise ParseError(f"{EP_LOOKUP}: 'includes' is not an object")
            media = {}
            for item in _list(includes, "media", EP_LOOKUP):
                media[_str(item, "media_key", EP_LOOKUP)] = item
            for tweet in tweets:
                tid = _str(tweet, "id", EP_LOOKUP)
                if tid in seen:
                    continue
                seen.add(tid)
                out.posts.append(_post(tweet, media, username))

        comment_ids: set[str] = set()
        for body in ok_payloads(responses, EP_SEARCH):
            if not isinstance(body, dict):
                raise ParseError(f"{EP_SEARCH}: response is not an object")
            includes = body.get("includes") or {}
            if not isinstance(includes, dict):
                raise ParseError(f"{EP_SEARCH}: 'includes' is not an object")
            names = {}
            for u in _list(includes, "users", EP_SEARCH):
                names[_str(u, "id", EP_SEARCH)] = u.get("username")
            for reply in _list(body, "data", EP_SEARCH):
                rid = _str(reply, "id", EP_SEARCH)
                conversation = _str(reply, "conversation_id", EP_SEARCH)
                if rid == conversation or rid in comment_ids:
                    continue  # the root tweet itself, or a duplicate across pages
                comment_ids.add(rid)
                parent = None
                refs = reply.get("referenced_tweets") or []
                if not isinstance(refs, list):
                    raise ParseError(f"{EP_SEARCH}: referenced_tweets is not a list")
                for ref in refs:
                    if isinstance(ref, dict) and ref.get("type") == "replied_to":
                        parent = ref.get("id")
                if parent == conversation:
                    parent = None  # a direct reply to the post is a top-level comment
                pm = reply.get("public_metrics") or {}
                if not isinstance(pm, dict):
                    raise ParseError(f"{EP_SEARCH}: public_metrics is not an object")
                author = reply.get("author_id")
                out.comments.append(
                    {
                        "external_post_id": conversation,
                        "external_comment_id": rid,
                        "parent_external_comment_id": parent,
                        "comment_text": _opt_str(reply, "text", EP_SEARCH),
                        "author_username": names.get(author),
                        "author_external_id": author,
                        "likes_count": _count(pm, "like_count", EP_SEARCH),
                        "commented_at": parse_timestamp(reply.get("created_at")),
                    }
                )
        return out  # X offers no audience demographics through the API


def _post(tweet: dict[str, Any], media: dict[str, Any], username: str) -> dict[str, Any]:
    where = EP_LOOKUP
    tid = tweet["id"]
    pm = _obj(tweet, "public_metrics", where)
    keys = ((tweet.get("attachments") or {}).get("media_keys")) or []
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
    duration = None
    views = None
    media_url = None
    if video is not None:
        ms = video.get("duration_ms")
        if ms is not None:
            if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0:
                raise ParseError(f"{where}: duration_ms is not a non-negative number")
            duration = int(round(ms / 1000))
        vpm = video.get("public_metrics") or {}
        if not isinstance(vpm, dict):
            raise ParseError(f"{where}: media public_metrics is not an object")
        views = _count(vpm, "view_count", where)
        media_url = video.get("preview_image_url")
    elif items:
        media_url = items[0].get("url")
    retweets = _count(pm, "retweet_count", where)
    quotes = _count(pm, "quote_count", where)
    shares = None if retweets is None and quotes is None else (retweets or 0) + (quotes or 0)
    created = parse_timestamp(tweet.get("created_at"))
    if created is None:
        raise ParseError(f"{where}: tweet {tid} has no created_at")
    return {
        "external_post_id": tid,
        "post_url": f"https://x.com/{username}/status/{tid}",
        "caption": _opt_str(tweet, "text", where),
        "title": None,
        "media_type": media_type,
        "media_url": media_url,
        "duration": duration,
        "posted_at": created,
        "likes_count": _count(pm, "like_count", where),
        "comments_count": _count(pm, "reply_count", where),
        "views_count": views,  # video views only; post "views" are impressions below
        "shares_count": shares,  # retweets + quote tweets
        "saves_count": _count(pm, "bookmark_count", where),
        "watch_time_seconds": None,
        "completion_rate": None,
        "impressions": _count(pm, "impression_count", where),
        "reach": None,
    }


def _obj(container: Any, key: str, where: str) -> dict[str, Any]:
    if not isinstance(container, dict):
        raise ParseError(f"{where}: expected an object holding {key!r}")
    value = container.get(key)
    if not isinstance(value, dict):
        raise ParseError(f"{where}: {key!r} is missing or not an object")
    return value


def _list(container: Any, key: str, where: str) -> list[dict[str, Any]]:
    if not isinstance(container, dict):
        raise ParseError(f"{where}: response is not an object")
    value = container.get(key, [])  # X omits empty arrays
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ParseError(f"{where}: {key!r} is not a list of objects")
    return value


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
