"""X (Twitter) API v2: endpoints, auth, paging, cost (responses -> records: :mod:`.parse`).

Endpoints used (all GET, base https://api.twitter.com/2; api.x.com is the same service):
- ``users.by.username``  /users/by/username/{username}?user.fields=created_at,public_metrics,...
- ``users.tweets``       /users/{id}/tweets?max_results=5..100&pagination_token=&exclude=retweets
  for the newest tweet ids: every own post, replies and self-thread continuations included
  (retweets are excluded: they are other accounts' posts). The timeline reaches back at most
  3,200 tweets; max_results has a floor of 5 and pages may be short, so the timeline can
  overshoot posts_per_fetch; hence:
- ``tweets.lookup``      /tweets?ids=<up to 100>&tweet.fields=...&expansions=attachments.media_keys
  &media.fields=... for exactly the chosen tweets, with metrics, media, ``entities`` (hashtags)
  and ``referenced_tweets``/``in_reply_to_user_id`` (post_kind)
- ``tweets.search.recent`` /tweets/search/recent?query=conversation_id:{id}&max_results=10..100
  &next_token=&tweet.fields=...&expansions=author_id&user.fields=username, once per conversation
  with replies posted in the last 7 days (replies and replies to replies).
- ``tweets.search.all``  /tweets/search/all (same query, max_results 10..500) for conversations
  older than 7 days, only when SOCIAL_PIPELINE_TWITTER_PLAN names a plan with full-archive search
  (see FULL_ARCHIVE_PLANS) and within SOCIAL_PIPELINE_TWITTER_DAILY_COST_CAP_USD.

Quirks worth knowing:
- Ids (users, tweets, media keys) are strings; tweet ids are snowflakes (time-ordered).
- Pagination: timelines take ``pagination_token``; search takes ``next_token`` (both fed from
  ``meta.next_token``). A page may hold fewer than ``max_results`` tweets even when more follow,
  and ``data`` is absent (``meta.result_count`` 0) for an empty page.
- **search/recent only covers the last 7 days**: replies to older tweets need full-archive
  search (plan-dependent, billed per post). Without it ``public_metrics.reply_count`` still
  counts every reply, so comments_count stays right while the comment rows may be partial.
- Field-list parameter name: X's reference pages (docs.x.com ``fundamentals/fields``) and its
  OpenAPI description v2.159 name it ``tweet.fields``; the newer v2.167 description names it
  ``post.fields`` (and renames retweet_count/tweet_count to repost_count/post_count). We send
  ``tweet.fields``; if X answers 400 with its invalid-request problem naming that parameter, the
  request is sent once more with ``post.fields`` and the rest of the pull keeps that spelling.
- A lookup of an unknown user answers HTTP 200 with an ``errors`` array and no ``data``.
- Rate limits are per 15-minute window; a 429 carries ``x-rate-limit-reset`` (epoch seconds).
  The HTTP layer retries 429 with backoff.
- Cost: X bills pay-per-use per resource returned (prices in PRICES, overridable with
  SOCIAL_PIPELINE_TWITTER_PRICES, a JSON object); every exchange records its cost in US dollars
  (``RawResponse.cost_usd``). X deduplicates a resource read twice in one UTC day; we record
  the undeduplicated (upper-bound) figure.
- Auth: OAuth 2 bearer; the account's user token (``social_accounts.access_token``) or the
  app-only bearer (SOCIAL_PIPELINE_TWITTER_BEARER_TOKEN). A refused credential names the one
  that was used, never the other.
- Private metrics. Rule: when the account has its own token (``account.access_token``, an
  OAuth 2 user-context token of the account itself), the lookup also asks for
  ``non_public_metrics,organic_metrics`` (tweet and media fields) -- but only for tweets younger
  than 30 days, because X refuses them for older ones; tweet ids are snowflakes, so the age is
  read from the id and the ids are split into a private and a public lookup. With the app
  bearer only public metrics are asked for (X rejects private fields for app-only auth).
  A tweet X refuses private fields for comes back as an ``errors`` item
  (``.../problems/not-authorized-for-field``) and is missing from ``data``: it is looked up
  again with public fields only, so those metrics degrade to None instead of losing the tweet.
- Refresh by id: tweets tracked inside ``update_window_days`` but no longer among the newest
  ``posts_per_fetch`` are added to the lookup (100 ids per call); their replies are searched
  when they are younger than the 7-day search window (or through full-archive search).
- Expired/revoked user token: 401; the error names the account and says to refresh or
  reconnect. Token refresh: POST https://api.twitter.com/2/oauth2/token (form
  ``grant_type=refresh_token``; confidential clients authenticate with HTTP Basic
  client_id:client_secret, public clients send client_id in the form). X rotates the refresh
  token on every refresh (access tokens live 2 hours).
"""

from __future__ import annotations

import base64
import json
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from ..base import AccountRef, HttpClient, ParsedPull, PlatformClient, PlatformError, RawResponse, TokenGrant
from ..oauth import grant_from, post_token_form
from . import parse as parsing
from .parse import EP_LOOKUP, EP_SEARCH, EP_SEARCH_ALL, EP_TWEETS, EP_USER

EP_TOKEN = "oauth2.token"

TIMELINE_MIN, TIMELINE_MAX = 5, 100
SEARCH_MAX = 100  # recent search: 10..100; full-archive allows 500, we keep pages alike
LOOKUP_MAX = 100

TWEET_FIELDS = (
    "created_at,public_metrics,conversation_id,entities,attachments,lang,author_id,in_reply_to_user_id,referenced_tweets"
)
MEDIA_FIELDS = "type,duration_ms,public_metrics,url,preview_image_url"
PRIVATE_FIELDS = "non_public_metrics,organic_metrics"
REPLY_FIELDS = "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics"
NOT_AUTHORIZED_FOR_FIELD = "https://api.twitter.com/2/problems/not-authorized-for-field"
INVALID_REQUEST = "/2/problems/invalid-request"  # on api.twitter.com and api.x.com alike
FIELDS_PARAMS = ("tweet.fields", "post.fields")  # v2.159 / docs spelling first, v2.167 second

TWEPOCH_MS = 1288834974657  # snowflake epoch: id >> 22 is milliseconds since this moment
PRIVATE_METRICS_DAYS = 30  # X serves non-public/organic metrics for 30 days after posting
PRIVATE_MARGIN = timedelta(hours=1)  # stay clear of the edge (our clock vs X's)
SEARCH_WINDOW = timedelta(days=7)  # recent search reaches back 7 days

# Plans (SOCIAL_PIPELINE_TWITTER_PLAN) whose apps may call GET /2/tweets/search/all. X's docs:
# legacy Free and Basic get recent search only; legacy Pro, Enterprise and pay-per-use (which
# bills search/all per post read: docs.x.com/x-api/fundamentals/post-cap lists "Full-archive
# search" among the tracked endpoints) include it. Unset: full-archive search is off.
FULL_ARCHIVE_PLANS = frozenset({"pro", "enterprise", "pay_per_use"})
PLANS = frozenset({"free", "basic", "pro", "enterprise", "pay_per_use"})
# What the pulls of one run spent, per (budget, UTC day): the pulls of a run (threads of one
# process) share their spending, so the cap holds for all of them together. The budget id and
# what earlier runs spent that day (from the ledger) come in the settings (cost_budget,
# spent_today_usd), which the raw asset fills in.
_SPENT: dict[tuple[str, str], float] = {}
_SPENT_LOCK = threading.Lock()
DEFAULT_DAILY_COST_CAP_USD = 1.0  # full-archive spending per UTC day when no cap is configured

# US dollars per resource returned, from docs.x.com/x-api/getting-started/pricing ("Posts: Read
# $0.005", "User: Read $0.010", "Media: Read $0.005") and X's April 2026 pricing update ("owned
# reads" -- an app reading its own user's data, GET /2/users/{id}/tweets among them -- $0.001).
# Override any key with SOCIAL_PIPELINE_TWITTER_PRICES='{"post_read": 0.005, ...}'. Expanded
# objects (includes.media/users) are not billed by default (media_read: 0 unless overridden),
# because X's page does not say whether expansions count as resources.
PRICES = {"post_read": 0.005, "user_read": 0.010, "owned_read": 0.001, "media_read": 0.0, "expanded_user_read": 0.0}


def tweet_time(tweet_id: str) -> datetime | None:
    """When a tweet was posted, read from its snowflake id (None for a non-snowflake id)."""
    if not tweet_id.isdigit():
        return None
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWEPOCH_MS) / 1000, tz=timezone.utc)


def prices(setting: str | None) -> dict[str, float]:
    """PRICES with the SOCIAL_PIPELINE_TWITTER_PRICES overrides (a JSON object of numbers)."""
    table = dict(PRICES)
    if setting:
        try:
            extra = json.loads(setting)
        except ValueError:
            extra = None
        if not isinstance(extra, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in extra.values()
        ):
            raise PlatformError(
                "SOCIAL_PIPELINE_TWITTER_PRICES must be a JSON object of non-negative US dollar prices, "
                f"keys among {sorted(PRICES)}"
            )
        unknown = set(extra) - set(PRICES)
        if unknown:
            raise PlatformError(f"SOCIAL_PIPELINE_TWITTER_PRICES: unknown keys {sorted(unknown)}; known: {sorted(PRICES)}")
        table.update({k: float(v) for k, v in extra.items()})
    return table


def resources(payload: Any) -> tuple[int, int, int]:
    """(primary objects in ``data``, expanded media, expanded users) of one answer."""
    if not isinstance(payload, dict):
        return 0, 0, 0
    data = payload.get("data")
    primary = len(data) if isinstance(data, list) else (1 if isinstance(data, dict) else 0)
    includes = payload.get("includes") if isinstance(payload.get("includes"), dict) else {}
    media = includes.get("media") if isinstance(includes.get("media"), list) else []
    users = includes.get("users") if isinstance(includes.get("users"), list) else []
    return primary, len(media), len(users)


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
        plan = (self.credentials.get("plan") or "").strip().lower().replace("-", "_") or None
        if plan is not None and plan not in PLANS:
            raise PlatformError(f"SOCIAL_PIPELINE_TWITTER_PLAN={plan!r} is not one of {sorted(PLANS)}")
        self.plan = plan
        cap = self.credentials.get("daily_cost_cap_usd")
        try:
            self.daily_cost_cap_usd = DEFAULT_DAILY_COST_CAP_USD if cap in (None, "") else float(cap)
        except (TypeError, ValueError):
            raise PlatformError(f"SOCIAL_PIPELINE_TWITTER_DAILY_COST_CAP_USD={cap!r} is not a number of US dollars") from None
        self.prices = prices(self.credentials.get("prices"))
        self.fields_param = FIELDS_PARAMS[0]
        self._owned = False  # reading with the account's own user token (owned reads)
        self.http.pricing = self.cost

    @property
    def full_archive(self) -> bool:
        return self.plan in FULL_ARCHIVE_PLANS and self.daily_cost_cap_usd > 0

    def cost(self, endpoint: str, payload: Any) -> float | None:
        """US dollars one answer cost: resources returned x the price of their kind."""
        primary, media, users = resources(payload)
        p = self.prices
        if endpoint == EP_USER:
            usd = primary * p["user_read"]
        elif endpoint == EP_TWEETS:
            usd = primary * (p["owned_read"] if self._owned else p["post_read"])
        elif endpoint in (EP_LOOKUP, EP_SEARCH, EP_SEARCH_ALL):
            usd = primary * p["post_read"]
        else:
            return None  # the token endpoint is not billed
        usd = round(usd + media * p["media_read"] + users * p["expanded_user_read"], 6)
        budget = self.credentials.get("cost_budget")
        if budget:
            key = (str(budget), datetime.now(timezone.utc).date().isoformat())
            with _SPENT_LOCK:
                _SPENT[key] = _SPENT.get(key, 0.0) + usd
        return usd

    def spent_today(self) -> float:
        """US dollars spent today (UTC): by earlier runs (the ledger, ``spent_today_usd``) and by
        every pull of this run so far (``cost_budget``), or by this pull alone without them."""
        today = datetime.now(timezone.utc).date()
        try:
            before = float(self.credentials.get("spent_today_usd") or 0.0)
        except ValueError:
            before = 0.0
        budget = self.credentials.get("cost_budget")
        if budget:
            with _SPENT_LOCK:
                return before + _SPENT.get((str(budget), today.isoformat()), 0.0)
        return before + sum(r.cost_usd or 0.0 for r in self.http.responses if r.fetched_at.date() == today)

    def _auth(self, account: AccountRef) -> tuple[dict[str, str], str]:
        """The Authorization header and what to fix when X refuses it."""
        handle = account.handle.lstrip("@")
        if account.access_token:
            hint = (
                f"X refused the user token of @{handle} (social_accounts.access_token): refresh it with its "
                "refresh token (needs SOCIAL_PIPELINE_TWITTER_CLIENT_ID and, for a confidential client, "
                "SOCIAL_PIPELINE_TWITTER_CLIENT_SECRET) or reconnect the account"
            )
            return {"Authorization": f"Bearer {account.access_token}"}, hint
        token = self.credentials.get("bearer_token")
        if not token:
            raise PlatformError(
                f"twitter account @{handle}: no credentials: give the account an OAuth 2 user token "
                "(social_accounts.access_token) or set SOCIAL_PIPELINE_TWITTER_BEARER_TOKEN (credential bearer_token: the app-only bearer token)"
            )
        hint = (
            "X refused the app-only bearer token: fix SOCIAL_PIPELINE_TWITTER_BEARER_TOKEN (the app's bearer "
            "token from the developer console, not a user token)"
        )
        return {"Authorization": f"Bearer {token}"}, hint

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        try:
            self._pull(account)
        except PlatformError as exc:
            if exc.status_code in (401, 403):
                raise PlatformError(
                    f"twitter account @{handle}: {exc}", status_code=exc.status_code, endpoint=exc.endpoint
                ) from None
            raise

    def _get(self, path: str, *, endpoint: str, params: dict[str, Any], auth, page: int, fields: str | None = None) -> Any:
        """One GET; ``fields`` goes under the tweet field-list parameter X accepts (see module doc)."""
        headers, hint = auth
        for attempt in range(2):
            sent = dict(params)
            if fields is not None:  # v2.167 also renames the referenced_tweets field
                sent[self.fields_param] = fields if self.fields_param == "tweet.fields" else fields.replace(
                    "referenced_tweets", "referenced_posts"
                )
            try:
                return self.http.get(
                    self.url(path), endpoint=endpoint, params=sent, secret_headers=headers, page_index=page, auth_hint=hint
                )
            except PlatformError as exc:
                other = [p for p in FIELDS_PARAMS if p != self.fields_param][0]
                rejected = self._rejected_param(endpoint, page)
                if fields is None or attempt or exc.status_code != 400 or rejected != self.fields_param:
                    raise self._with_problem(exc, endpoint, page) from None
                self.fields_param = other  # X wants the other spelling: keep it for this pull
        raise AssertionError("unreachable")

    def _with_problem(self, exc: PlatformError, endpoint: str, page: int) -> PlatformError:
        """``exc`` quoting X's problem (``title``, ``detail``, ``type``) whole when its text lacks them."""
        last = next((r for r in reversed(self.http.responses) if r.endpoint == endpoint and r.page_index == page), None)
        body = last.payload if last is not None else None
        if not isinstance(body, dict):
            return exc
        facts = [f"{key}: {body[key]}" for key in ("title", "detail", "type") if isinstance(body.get(key), str)]
        missing = [fact for fact in facts if fact.split(": ", 1)[1] not in str(exc)]
        if not missing:
            return exc
        return PlatformError(f"{exc} [X problem: {'; '.join(facts)}]", status_code=exc.status_code, endpoint=exc.endpoint)

    def _rejected_param(self, endpoint: str, page: int) -> str | None:
        """The field-list parameter X's last invalid-request answer names, if any."""
        last = next((r for r in reversed(self.http.responses) if r.endpoint == endpoint and r.page_index == page), None)
        body = last.payload if last is not None else None
        if not isinstance(body, dict) or not str(body.get("type", "")).endswith(INVALID_REQUEST):
            return None
        for err in body.get("errors") or []:
            params = err.get("parameters") if isinstance(err, dict) else None
            for name in params or {}:
                if name in FIELDS_PARAMS:
                    return name
            message = str(err.get("message", "")) if isinstance(err, dict) else ""
            for name in FIELDS_PARAMS:
                if f"`{name}`" in message or f"[{name}]" in message:
                    return name
        return None

    def _pull(self, account: AccountRef) -> None:
        auth = self._auth(account)
        self._owned = bool(account.access_token)
        username = account.handle.lstrip("@")
        user = self._get(
            f"users/by/username/{username}",
            endpoint=EP_USER,
            params={"user.fields": "created_at,description,public_metrics,profile_image_url,verified"},
            auth=auth,
            page=0,
        )
        data = user.get("data") if isinstance(user, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise PlatformError(f"{EP_USER}: no X user found for @{username}", endpoint=EP_USER)
        user_id = data["id"]

        # 1) The timeline, newest first, for ids only: every own post (replies and thread parts
        #    included), retweets excluded. max_results has a floor of 5 and a page can hold fewer
        #    tweets than asked, so the last page may overshoot posts_per_fetch.
        wanted = max(account.posts_per_fetch, 0)
        ids: list[str] = []
        token: str | None = None
        page = 0
        while len(ids) < wanted:
            params: dict[str, Any] = {
                "max_results": min(max(wanted - len(ids), TIMELINE_MIN), TIMELINE_MAX),
                "exclude": "retweets",
            }
            if token:
                params["pagination_token"] = token
            body = self._get(f"users/{user_id}/tweets", endpoint=EP_TWEETS, params=params, auth=auth, page=page)
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

        # 3) Each conversation with replies: recent search (7-day window); conversations older
        #    than that through full-archive search when the plan has it and the cap allows.
        search_since = now - SEARCH_WINDOW
        recent: list[str] = []
        archive: list[str] = []
        for tid in everything:
            tweet = found.get(tid)
            if tweet is None:
                continue
            replies = (tweet.get("public_metrics") or {}).get("reply_count")
            if not (isinstance(replies, int) and replies > 0):
                continue
            conversation = tweet.get("conversation_id") or tid
            old = (tweet_time(conversation) or now) < search_since
            if old and self.full_archive:
                target = archive
            elif tid not in newest and (tweet_time(tid) or now) < search_since:
                continue  # refreshed tweet older than the search window: its replies are out of reach
            else:
                target = recent
            if conversation not in recent and conversation not in archive:
                target.append(conversation)
        self._search(recent, "tweets/search/recent", EP_SEARCH, auth)
        self._search(archive, "tweets/search/all", EP_SEARCH_ALL, auth)

    def _search(self, conversations: list[str], path: str, endpoint: str, auth) -> None:
        page = 0
        for conversation in conversations:
            token = None
            while True:
                if endpoint == EP_SEARCH_ALL and self.spent_today() + SEARCH_MAX * self.prices["post_read"] > self.daily_cost_cap_usd:
                    return  # the next page could pass SOCIAL_PIPELINE_TWITTER_DAILY_COST_CAP_USD
                params: dict[str, Any] = {
                    "query": f"conversation_id:{conversation}",
                    "max_results": SEARCH_MAX,
                    "expansions": "author_id",
                    "user.fields": "username",
                }
                if token:
                    params["next_token"] = token
                body = self._get(path, endpoint=endpoint, params=params, auth=auth, page=page, fields=REPLY_FIELDS)
                page += 1
                token = ((body.get("meta") or {}) if isinstance(body, dict) else {}).get("next_token")
                if not token:
                    break

    def _lookup(self, batch: list[str], auth, *, with_private: bool) -> Any:
        page = self._lookup_page
        self._lookup_page += 1
        extra = "," + PRIVATE_FIELDS if with_private else ""
        return self._get(
            "tweets",
            endpoint=EP_LOOKUP,
            params={"ids": ",".join(batch), "expansions": "attachments.media_keys", "media.fields": MEDIA_FIELDS + extra},
            auth=auth,
            page=page,
            fields=TWEET_FIELDS + extra,
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
        return parsing.parse(responses)


def _tweets_by_id(body: Any) -> dict[str, dict[str, Any]]:
    data = body.get("data") if isinstance(body, dict) else None
    return {t["id"]: t for t in data or [] if isinstance(t, dict) and isinstance(t.get("id"), str)}


def _refused_ids(body: Any) -> set[str]:
    """Ids X left out of ``data`` because a requested (private) field is not allowed for them."""
    errors = body.get("errors") if isinstance(body, dict) else None
    refused = set()
    for err in errors or []:
        if isinstance(err, dict) and str(err.get("type", "")).endswith("/2/problems/not-authorized-for-field"):
            for key in ("resource_id", "value"):
                if isinstance(err.get(key), str):
                    refused.add(err[key])
    return refused
