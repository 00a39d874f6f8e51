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
- Private metrics. Rule: when the account has its own token (``account.access_token``, an
  OAuth 2 user-context token of the account itself), the lookup also asks for
  ``non_public_metrics,organic_metrics`` (tweet and media fields) -- but only for tweets younger
  than 30 days, because X refuses them for older ones; tweet ids are snowflakes, so the age is
  read from the id and the ids are split into a private and a public lookup. With the app
  bearer only public metrics are asked for (X rejects private fields for app-only auth).
  impressions = non_public_metrics.impression_count (falls back to public_metrics);
  completion_rate = playback_100_count / playback_0_count * 100 from the video's
  non_public (or organic) media metrics. url_link_clicks / user_profile_clicks have no column.
  A tweet X refuses private fields for comes back as an ``errors`` item
  (``.../problems/not-authorized-for-field``) and is missing from ``data``: it is looked up
  again with public fields only, so those metrics degrade to None instead of losing the tweet.
- Refresh by id: tweets tracked inside ``update_window_days`` but no longer among the newest
  ``posts_per_fetch`` are added to the lookup (100 ids per call); their replies are searched
  when they are younger than the 7-day search window.
- Expired/revoked user token: 401; the error names the account and says to refresh or
  reconnect. Token refresh: POST https://api.twitter.com/2/oauth2/token (form
  ``grant_type=refresh_token``; confidential clients authenticate with HTTP Basic
  client_id:client_secret, public clients send client_id in the form). X rotates the refresh
  token on every refresh (access tokens live 2 hours).
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable


from ..oauth import grant_from, post_token_form
from ..base import (
    AccountRef,
    HttpClient,
    ParsedPull,
    ParseError,
    PlatformClient,
    PlatformError,
    RawResponse,
    TokenGrant,
    count,
    ok_payloads,
    parse_timestamp,
)

EP_USER = "users.by.username"
EP_TWEETS = "users.tweets"
EP_LOOKUP = "tweets.lookup"
EP_SEARCH = "tweets.search.recent"
EP_TOKEN = "oauth2.token"

TIMELINE_MIN, TIMELINE_MAX = 5, 100
SEARCH_MAX = 100
LOOKUP_MAX = 100

TWEET_FIELDS = "created_at,public_metrics,conversation_id,entities,attachments,lang"
MEDIA_FIELDS = "type,duration_ms,public_metrics,url,preview_image_url"
PRIVATE_FIELDS = "non_public_metrics,organic_metrics"
REPLY_FIELDS = "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics"
NOT_AUTHORIZED_FOR_FIELD = "https://api.twitter.com/2/problems/not-authorized-for-field"

TWEPOCH_MS = 1288834974657  # snowflake epoch: id >> 22 is milliseconds since this moment
PRIVATE_METRICS_DAYS = 30  # X serves non-public/organic metrics for 30 days after posting
PRIVATE_MARGIN = timedelta(hours=1)  # stay clear of the edge (our clock vs X's)
SEARCH_WINDOW = timedelta(days=7)  # recent search reaches back 7 days


def tweet_time(tweet_id: str) -> datetime | None:
    """When a tweet was posted, read from its snowflake id (None for a non-snowflake id)."""
    if not tweet_id.isdigit():
        return None
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWEPOCH_MS) / 1000, tz=timezone.utc)


class Client(PlatformClient):
    platform = "twitter"
    default_base_url = "https://api.twitter.com/2"
    default_oauth_base_url = "https://api.twitter.com/2"
    # X serves non-public/organic metrics (impressions, clicks, video quartiles) for 30 days
    # after posting; public counters stay readable, but 30 days is when the richer data ends.
    update_window_days = PRIVATE_METRICS_DAYS

    def __init__(self, http: HttpClient, base_url: str | None = None, credentials=None, **kwargs):
        super().__init__(http, base_url, credentials, **kwargs)
        # The token endpoint lives on the API host; SOCIAL_PIPELINE_TWITTER_OAUTH_BASE_URL moves it.
        self.oauth_base_url = (self.credentials.get("oauth_base_url") or self.default_oauth_base_url).rstrip("/")

    def _auth(self, account: AccountRef) -> dict[str, str]:
        token = account.access_token or self.credentials.get("bearer_token")
        if not token:
            raise PlatformError(
                f"twitter account @{account.handle.lstrip('@')}: no credentials: give the account an "
                "OAuth 2 access token or set SOCIAL_PIPELINE_TWITTER_BEARER_TOKEN (credential bearer_token)"
            )
        return {"Authorization": f"Bearer {token}"}

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        try:
            self._pull(account)
        except PlatformError as exc:
            if exc.status_code == 401:
                raise PlatformError(
                    f"twitter account @{handle}: {exc}; refresh the user token with its refresh token "
                    "(SOCIAL_PIPELINE_TWITTER_CLIENT_ID) or reconnect the account",
                    status_code=401,
                    endpoint=exc.endpoint,
                ) from None
            if exc.status_code == 403:
                raise PlatformError(f"twitter account @{handle}: {exc}", status_code=403, endpoint=exc.endpoint) from None
            raise

    def _pull(self, account: AccountRef) -> None:
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

        # Tracked tweets still inside the update window but no longer among the newest.
        newest = set(ids)
        refresh = [t for t in dict.fromkeys(account.refresh_post_ids) if isinstance(t, str) and t and t not in newest]
        everything = ids + refresh

        # 2) Exactly those tweets with their metrics and media, up to 100 ids per lookup. With the
        #    account's own token, tweets younger than 30 days also get their private metrics.
        now = datetime.fromtimestamp(self.until_epoch, tz=timezone.utc)
        private_since = now - timedelta(days=PRIVATE_METRICS_DAYS) + PRIVATE_MARGIN
        private: list[str] = []
        public: list[str] = []
        for tid in everything:
            posted = tweet_time(tid)
            if account.access_token and posted is not None and posted >= private_since:
                private.append(tid)
            else:
                public.append(tid)
        self._lookup_page = 0
        found: dict[str, dict[str, Any]] = {}
        for begin in range(0, len(private), LOOKUP_MAX):
            batch = private[begin : begin + LOOKUP_MAX]
            try:
                body = self._lookup(batch, auth, with_private=True)
            except PlatformError as exc:
                if exc.status_code not in (400, 403):
                    raise
                public.extend(batch)  # private fields refused for the whole batch: ask publicly
                continue
            got = _tweets_by_id(body)
            found.update(got)
            refused = _refused_ids(body)
            public.extend(t for t in batch if t not in got and t in refused)
        for begin in range(0, len(public), LOOKUP_MAX):
            found.update(_tweets_by_id(self._lookup(public[begin : begin + LOOKUP_MAX], auth, with_private=False)))

        # 3) Each conversation with replies, through recent search (7-day window only).
        search_since = now - SEARCH_WINDOW
        with_replies: list[str] = []
        for tid in everything:
            tweet = found.get(tid)
            if tweet is None:
                continue
            if tid not in newest and (tweet_time(tid) or now) < search_since:
                continue  # refreshed tweet older than the search window: its replies are out of reach
            replies = (tweet.get("public_metrics") or {}).get("reply_count")
            if isinstance(replies, int) and replies > 0:
                with_replies.append(tweet.get("conversation_id") or tid)
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

    def _lookup(self, batch: list[str], auth: dict[str, str], *, with_private: bool) -> Any:
        page = self._lookup_page
        self._lookup_page += 1
        extra = "," + PRIVATE_FIELDS if with_private else ""
        return self.http.get(
            self.url("tweets"),
            endpoint=EP_LOOKUP,
            params={
                "ids": ",".join(batch),
                "tweet.fields": TWEET_FIELDS + extra,
                "expansions": "attachments.media_keys",
                "media.fields": MEDIA_FIELDS + extra,
            },
            secret_headers=auth,
            page_index=page,
        )

    # -- token refresh ------------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """POST {oauth}/oauth2/token with grant_type=refresh_token (OAuth 2.0 with PKCE).

        A confidential client (client_secret set) authenticates with HTTP Basic; a public client
        sends its client_id in the form. X answers ``{"token_type": "bearer", "expires_in": 7200,
        "access_token", "scope", "refresh_token"}`` and the old refresh token stops working (it
        rotates); an invalid one answers 400 ``invalid_request``.
        """
        handle = account.handle.lstrip("@")
        who = f"twitter account @{handle}"
        client_id = self.credentials.get("client_id")
        if not client_id:
            raise PlatformError(
                f"{who}: cannot refresh the access token: set SOCIAL_PIPELINE_TWITTER_CLIENT_ID (credential client_id)"
                " and, for a confidential client, SOCIAL_PIPELINE_TWITTER_CLIENT_SECRET"
            )
        client_secret = self.credentials.get("client_secret")
        secret_form = {"refresh_token": refresh_token}
        secret_headers: dict[str, str] = {}
        if client_secret:
            basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
            secret_headers["Authorization"] = f"Basic {basic}"
        else:
            secret_form["client_id"] = client_id
        body = post_token_form(
            self.http,
            f"{self.oauth_base_url}/oauth2/token",
            EP_TOKEN,
            form={"grant_type": "refresh_token"},
            secret_form=secret_form,
            secret_headers=secret_headers,
            who=who,
            client_hint="check SOCIAL_PIPELINE_TWITTER_CLIENT_ID/_CLIENT_SECRET",
            grant_hint="the refresh token is expired, revoked or already used (X rotates it): reconnect the account",
        )
        return grant_from(body, who, EP_TOKEN)

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

        # Timeline order (newest first) decides the order of posts; refreshed tweets follow in
        # lookup order. A tweet looked up twice keeps the data of the later lookup.
        order: list[str] = []
        for body in ok_payloads(responses, EP_TWEETS):
            for tweet in _list(body, "data", EP_TWEETS):
                tid = _str(tweet, "id", EP_TWEETS)
                if tid not in order:
                    order.append(tid)
        posts: dict[str, dict[str, Any]] = {}
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
                posts[tid] = _post(tweet, media, username)
        ordered = [t for t in order if t in posts] + [t for t in posts if t not in order]
        out.posts = [posts[t] for t in ordered]

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


def _tweets_by_id(body: Any) -> dict[str, dict[str, Any]]:
    data = body.get("data") if isinstance(body, dict) else None
    return {t["id"]: t for t in data or [] if isinstance(t, dict) and isinstance(t.get("id"), str)}


def _refused_ids(body: Any) -> set[str]:
    """Ids X left out of ``data`` because a requested (private) field is not allowed for them."""
    errors = body.get("errors") if isinstance(body, dict) else None
    refused = set()
    for err in errors or []:
        if isinstance(err, dict) and err.get("type") == NOT_AUTHORIZED_FOR_FIELD:
            for key in ("resource_id", "value"):
                if isinstance(err.get(key), str):
                    refused.add(err[key])
    return refused


def _post(tweet: dict[str, Any], media: dict[str, Any], username: str) -> dict[str, Any]:
    where = EP_LOOKUP
    tid = tweet["id"]
    pm = _obj(tweet, "public_metrics", where)
    private = _opt_obj(tweet, "non_public_metrics", where)  # total impressions, incl. promoted
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
    completion = None
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
        completion = _completion(video)
    elif items:
        media_url = items[0].get("url")
    retweets = _count(pm, "retweet_count", where)
    quotes = _count(pm, "quote_count", where)
    shares = None if retweets is None and quotes is None else (retweets or 0) + (quotes or 0)
    created = parse_timestamp(tweet.get("created_at"))
    if created is None:
        raise ParseError(f"{where}: tweet {tid} has no created_at")
    impressions = _count(private, "impression_count", where)
    if impressions is None:
        impressions = _count(pm, "impression_count", where)
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
        "completion_rate": completion,
        "impressions": impressions,
        "reach": None,
    }


def _completion(video: dict[str, Any]) -> float | None:
    """playback_100_count / playback_0_count in percent, from the video's private metrics."""
    where = EP_LOOKUP
    for key in ("non_public_metrics", "organic_metrics"):
        metrics = _opt_obj(video, key, where)
        started = _count(metrics, "playback_0_count", where)
        finished = _count(metrics, "playback_100_count", where)
        if started and finished is not None:
            return round(finished / started * 100, 2)
    return None


def _opt_obj(container: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = container.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{where}: {key!r} is not an object")
    return value


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


