"""Instagram Graph API (business / creator accounts) at ``https://graph.facebook.com/<version>``
(Facebook Login) or ``https://graph.instagram.com/<version>`` (Instagram Login). The version is
the setting ``SOCIAL_PIPELINE_INSTAGRAM_VERSION`` (default
:data:`~social_pipeline.platforms.meta_graph.DEFAULT_VERSION`).

Endpoints used:

- Which ig-user-id (see "Login types" below): ``AccountRef.external_id`` when set; else for a
  Facebook-Login token ``GET /me/accounts?fields=instagram_business_account{id,username}`` (the
  Pages the user manages, each with its Instagram professional account); else ``GET
  /me?fields=id,username`` (an Instagram-Login token's ``/me`` is the Instagram account itself).
- ``GET /{ig-user-id}?fields=id,username,followers_count,follows_count,media_count,name``.
- ``GET /{ig-user-id}/media?fields=...&limit=..&after=..``: newest first, cursor paging through
  ``paging.cursors.after``; ``paging.next`` is present only while more pages exist.
- ``GET /{ig-media-id}/insights?metric=...``: per media type (asking a Reel for an image-only
  metric, or the reverse, is a 400 ``(#100)`` error, so the metric list depends on the type).
  ``views`` is asked of every type (Meta serves it for FEED, REELS and STORY since v22.0).
  Meta retires metrics between versions (``impressions``, ``plays``, ``video_views``...): a 400
  with code 100 naming a requested metric (``(#100) metric[2] must be one of the following
  values: ...`` or ``(#100) The metric shares is not supported for this media type``) makes the
  client ask again without it (one metric at a time when the message names none); that metric is
  then None for the post and is not asked again for that media type during the pull.
- ``GET /{ig-media-id}?fields=...`` plus its insights: tracked posts still inside the update window
  that are no longer among the newest (``AccountRef.refresh_post_ids``). A post that was deleted
  meanwhile (400 code 100 "does not exist") is skipped.
- ``GET /{ig-media-id}/comments?fields=...,replies{...}&limit=..&after=..``: top-level comments with
  their replies nested. When a nested ``replies`` edge carries ``paging.next``, the rest of that
  comment's replies come from ``GET /{ig-comment-id}/replies``.
- ``GET /{ig-user-id}/insights?metric=follower_demographics&period=lifetime
  &metric_type=total_value&breakdown=age|gender|country|city`` (one breakdown per call) and
  ``metric=online_followers&period=lifetime`` (followers online per hour, for peak hours).

Daily series (https://developers.facebook.com/docs/instagram-platform/reference/instagram-user/insights),
made for the pull day ``client.today`` (1 call, recorded like every other call):

- ``GET /{ig-user-id}/insights?metric=views,reach,accounts_engaged,total_interactions,likes,
  comments,shares,saves,replies,profile_links_taps&period=day&metric_type=total_value
  &since=<day 00:00 UTC>&until=<next day 00:00 UTC, or now>`` (endpoint ``ig-user/insights/day``):
  one total per metric for that day. ``profile_links_taps`` is stored as ``website_clicks`` (the
  nearest name of records.DAILY_METRICS).
- Followers of a past day are not rebuilt. ``follows_and_unfollows`` broken down by
  ``follow_type`` answers with ``FOLLOWER``/``NON_FOLLOWER`` values whose meaning as follows and
  unfollows is not confirmed by Meta's reference (other integrations found them not to be the two
  flows), and ``follower_count`` counts new followers only (gross). A wrong follower history is
  worse than none: a late Instagram day keeps its followers NULL, as on Threads.
- An empty data set means "no data" (Meta does not answer 0): the metric stays None. A refused
  call (400/403 other than an expired token: permission, account under 100 followers, retired
  metric) leaves the series None and does not fail the pull; a refused metric within the list is
  dropped and asked again without it (:meth:`GraphClient._insights`).

Login types (https://developers.facebook.com/docs/instagram-platform/overview):

- **Facebook Login** tokens (``EAA...``) are Facebook user (or Page / system-user) tokens: data
  calls go to ``graph.facebook.com``. Their ``/me`` is the Facebook user, not the Instagram
  account (and Meta answers ``(#12) username field is deprecated`` to ``/me?fields=username``), so
  the Instagram account is found the way Meta documents, through the Page it is linked to:
  ``/me/accounts?fields=instagram_business_account{id,username}``; the Page whose Instagram
  ``username`` is the account's handle wins, or the only Page with an Instagram account. With
  several and no match, the pull fails and says to give the id (``accounts add --external-id``).
- **Instagram Login** tokens (``IG...``) are not valid on graph.facebook.com: data calls go to
  ``graph.instagram.com`` (``SOCIAL_PIPELINE_INSTAGRAM_GRAPH_BASE_URL`` overrides that host).
- Other tokens (the demo's) use the configured base URL and ``/me``.

Token lifecycle:

- An expired or revoked token answers HTTP **400** with ``error.code`` 190 (``OAuthException``;
  subcode 463 expired, 460 password changed, 467 logged out/invalid). The client turns it into a
  :class:`TokenExpired` error naming the account, Graph's code and message, and
  ``social_accounts.access_token``.
- :meth:`Client.refresh_access_token`: Instagram-Login tokens (``IG...``) are refreshed with
  ``GET graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token=..``;
  Facebook-Login tokens (``EAA...``) are exchanged with ``GET /oauth/access_token?grant_type=
  fb_exchange_token&client_id=<app id>&client_secret=<app secret>&fb_exchange_token=..`` on the
  Graph API host. Other tokens use the Facebook exchange when the app id and secret are configured,
  else the Instagram refresh. Both answer ``{"access_token", "token_type", "expires_in"}`` (about
  60 days). Meta has no separate refresh token: the long-lived token itself is exchanged, so the
  grant returns the new token as its ``refresh_token`` too. Nothing of these exchanges is
  recorded.

Quirks worth knowing:

- The token travels as the ``access_token`` query parameter (never recorded). Graph echoes it in
  ``paging.next``/``previous``; :func:`~..meta_graph.scrub_paging` removes it before storing.
- Throttling is HTTP 400/403 with codes 4, 17, 32, 613, 80001-80014 (80002 is Instagram's
  business-use-case limit): retried with backoff like a 429 (see :mod:`..meta_graph`).
- Accounts under 100 followers get an error instead of demographics; that does not fail the pull.

Parsing (records, units, demographics): :mod:`.parse`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from ..base import AccountRef, ParsedPull, PlatformError, RawResponse, TokenGrant
from ..meta_graph import (  # noqa: F401  (re-exported: the Meta helpers used to live here)
    INSTAGRAM_HOST,
    GraphClient,
    TokenExpired,
    collect_breakdowns,
    demographics_from_counts,
    graph_base_url,
    graph_error,
    graph_error_code,
    meta_credential,
    meta_token_exchange,
    next_cursor,
    refused_metrics,
)
from . import parse as _parse
from .parse import (  # noqa: F401
    COMMENTS,
    DAILY_METRICS,
    MEDIA,
    MEDIA_INSIGHTS,
    MEDIA_NODE,
    ME,
    PAGES,
    REPLIES,
    USER,
    USER_DAILY,
    USER_INSIGHTS,
)

USER_FIELDS = "id,username,followers_count,follows_count,media_count,name"
MEDIA_FIELDS = (
    "id,caption,media_type,media_product_type,media_url,thumbnail_url,permalink,timestamp,like_count,comments_count"
)
REPLY_FIELDS = "id,text,username,timestamp,like_count,from{id,username},parent_id"
COMMENT_FIELDS = f"id,text,username,timestamp,like_count,from{{id,username}},media{{id}},replies{{{REPLY_FIELDS}}}"
PAGE_FIELDS = "id,name,instagram_business_account{id,username}"

FEED_METRICS = ("reach", "saved", "shares", "views", "total_interactions")
REELS_METRICS = FEED_METRICS + ("ig_reels_avg_watch_time", "ig_reels_video_view_total_time")
BREAKDOWNS = ("age", "gender", "country", "city")

PAGE_LIMIT = 25  # media and comments per page
MAX_PAGES_LISTED = 10  # /me/accounts pages to look through


def login_type(token: str | None) -> str | None:
    """``"facebook"`` for a Facebook-Login token (``EAA...``), ``"instagram"`` for an
    Instagram-Login token (``IG...``), None when the token does not say."""
    if not token:
        return None
    if token.startswith("EAA"):
        return "facebook"
    if token.startswith("IG"):
        return "instagram"
    return None


class Client(GraphClient):
    platform = "instagram"
    default_oauth_base_url = INSTAGRAM_HOST
    # Media insights are lifetime figures with no documented cut-off, but almost all of a post's
    # reach and engagement arrives in its first weeks: refresh tracked posts for 30 days.
    update_window_days = 30

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.oauth_base_url = (self.credentials.get("oauth_base_url") or self.default_oauth_base_url).rstrip("/")
        # The data host for Instagram-Login tokens.
        self.instagram_base_url = (
            self.credentials.get("graph_base_url") or graph_base_url(self.version, INSTAGRAM_HOST)
        ).rstrip("/")
        self.data_base_url = self.base_url

    def data_url(self, path: str) -> str:
        return f"{self.data_base_url}/{path.lstrip('/')}"

    def base_url_for(self, token: str | None) -> str:
        """The data host for ``token``'s login type (see the module docstring)."""
        return self.instagram_base_url if login_type(token) == "instagram" else self.base_url

    @property
    def token_hint(self) -> str:
        return (
            f"{self._label}: the access token was refused: store a valid Instagram token (Facebook Login "
            "EAA... or Instagram Login IG...) with instagram_basic and instagram_manage_insights in "
            "social_accounts.access_token"
        )

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        token = account.access_token
        self._start(handle, token)
        if not token:
            raise PlatformError(
                f"instagram account @{handle}: no access token (social_accounts.access_token is empty; "
                "an Instagram Graph API token with instagram_basic and instagram_manage_insights "
                "is required)"
            )
        auth = {"access_token": token}
        self.data_base_url = self.base_url_for(token)

        user_id = account.external_id or self._find_user_id(handle, token, auth)

        self._get(self.data_url(f"/{user_id}"), endpoint=USER, params={"fields": USER_FIELDS}, secret_params=auth)

        media: list[dict[str, Any]] = []
        wanted = max(int(account.posts_per_fetch), 0)
        after: str | None = None
        page = 0
        while len(media) < wanted:
            params = {"fields": MEDIA_FIELDS, "limit": min(PAGE_LIMIT, wanted - len(media))}
            if after:
                params["after"] = after
            payload = self._get(
                self.data_url(f"/{user_id}/media"), endpoint=MEDIA, params=params, secret_params=auth, page_index=page
            )
            items = payload.get("data") if isinstance(payload, dict) else None
            if not isinstance(items, list):
                raise PlatformError(f"{MEDIA}: answer has no data list", endpoint=MEDIA)
            media.extend(m for m in items if isinstance(m, dict))
            after = next_cursor(payload)
            if not after or not items:
                break
            page += 1
        media = media[:wanted]

        for item in media:
            media_id = item.get("id")
            if not isinstance(media_id, str):
                continue
            self._media_insights(item, auth)
            if item.get("comments_count") == 0:
                continue  # nothing to page through
            self._pull_comments(media_id, auth)

        # Tracked posts no longer among the newest: current fields and insights by id.
        listed = {m.get("id") for m in media}
        todo = [mid for mid in dict.fromkeys(str(i) for i in account.refresh_post_ids) if mid not in listed]
        for page, media_id in enumerate(todo):
            try:
                item = self._get(
                    self.data_url(f"/{media_id}"),
                    endpoint=MEDIA_NODE,
                    params={"fields": MEDIA_FIELDS},
                    secret_params=auth,
                    page_index=page,
                )
            except PlatformError as exc:
                if graph_error_code(self.http, MEDIA_NODE) == 100 and not isinstance(exc, TokenExpired):
                    continue  # deleted (or no longer visible): nothing to refresh
                raise
            if isinstance(item, dict):
                self._media_insights(item, auth)

        self._pull_demographics(user_id, auth)
        self._pull_daily(user_id, auth)

    def _find_user_id(self, handle: str, token: str, auth: dict[str, str]) -> str:
        """The ig-user-id for an account stored without one (see "Login types")."""
        if login_type(token) != "facebook":
            me = self._get(self.data_url("/me"), endpoint=ME, params={"fields": "id,username"}, secret_params=auth)
            user_id = me.get("id") if isinstance(me, dict) else None
            if not isinstance(user_id, str) or not user_id:
                raise PlatformError(f"instagram account @{handle}: /me returned no id", endpoint=ME)
            return user_id
        linked: list[dict[str, Any]] = []
        after: str | None = None
        for page in range(MAX_PAGES_LISTED):
            params: dict[str, Any] = {"fields": PAGE_FIELDS, "limit": 100}
            if after:
                params["after"] = after
            payload = self._get(self.data_url("/me/accounts"), endpoint=PAGES, params=params, secret_params=auth, page_index=page)
            for item in payload.get("data") or [] if isinstance(payload, dict) else []:
                ig = item.get("instagram_business_account") if isinstance(item, dict) else None
                if isinstance(ig, dict) and isinstance(ig.get("id"), str) and ig["id"]:
                    linked.append(ig)
            after = next_cursor(payload)
            if not after:
                break
        for ig in linked:
            if str(ig.get("username") or "").lower() == handle.lower():
                return ig["id"]
        if len(linked) == 1:
            return linked[0]["id"]
        names = ", ".join(f"@{ig.get('username')} ({ig['id']})" for ig in linked) or "none"
        raise PlatformError(
            f"instagram account @{handle}: the Facebook-Login token's Pages (GET /me/accounts) link "
            f"{len(linked)} Instagram professional accounts, none named @{handle} ({names}); give the "
            "Instagram account id with `social-pipeline accounts add --external-id <ig-user-id>` "
            "(social_account_credentials.external_account_id, `accounts add --external-id`), or link the Instagram account to a Page the token's user manages",
            endpoint=PAGES,
        )

    def _media_insights(self, item: dict[str, Any], auth: dict[str, str]) -> None:
        reels = item.get("media_type") == "VIDEO" or item.get("media_product_type") == "REELS"
        self._insights(
            self.data_url(f"/{item['id']}/insights"),
            MEDIA_INSIGHTS,
            REELS_METRICS if reels else FEED_METRICS,
            auth,
            group="REELS" if reels else str(item.get("media_type") or "FEED"),
        )

    # -- token refresh ----------------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """A fresh long-lived token for the account (see the module docstring for the two flows).
        ``refresh_token`` is the current long-lived token (Meta has no separate refresh token)."""
        label = f"instagram account @{account.handle.lstrip('@')}"
        if not refresh_token:
            raise PlatformError(f"{label}: no token to refresh; reconnect the account and store its token in social_accounts.access_token")
        has_app = bool(self.credentials.get("app_id") and self.credentials.get("app_secret"))
        facebook_login = login_type(refresh_token) == "facebook" or (login_type(refresh_token) is None and has_app)
        if facebook_login:
            app_id = meta_credential(self.credentials, "instagram", "app_id", label)
            app_secret = meta_credential(self.credentials, "instagram", "app_secret", label)
            return meta_token_exchange(
                self.http,
                f"{self.base_url}/oauth/access_token",
                params={"grant_type": "fb_exchange_token", "client_id": app_id},
                secret_params={"client_secret": app_secret, "fb_exchange_token": refresh_token},
                label=label,
                platform="instagram",
            )
        return meta_token_exchange(
            self.http,
            f"{self.oauth_base_url}/refresh_access_token",
            params={"grant_type": "ig_refresh_token"},
            secret_params={"access_token": refresh_token},
            label=label,
            platform="instagram",
        )

    def _pull_comments(self, media_id: str, auth: dict[str, str]) -> None:
        after: str | None = None
        page = 0
        while True:
            params: dict[str, Any] = {"fields": COMMENT_FIELDS, "limit": PAGE_LIMIT}
            if after:
                params["after"] = after
            payload = self._get(
                self.data_url(f"/{media_id}/comments"), endpoint=COMMENTS, params=params, secret_params=auth, page_index=page
            )
            for comment in payload.get("data") or [] if isinstance(payload, dict) else []:
                replies = comment.get("replies") if isinstance(comment, dict) else None
                more = next_cursor(replies) if isinstance(replies, dict) else None
                if more and isinstance(comment.get("id"), str):
                    self._pull_more_replies(comment["id"], more, auth)
            after = next_cursor(payload)
            if not after:
                break
            page += 1

    def _pull_more_replies(self, comment_id: str, after: str, auth: dict[str, str]) -> None:
        page = 1  # page 0 came nested in the comments answer
        while after:
            payload = self._get(
                self.data_url(f"/{comment_id}/replies"),
                endpoint=REPLIES,
                params={"fields": REPLY_FIELDS, "limit": PAGE_LIMIT, "after": after},
                secret_params=auth,
                page_index=page,
            )
            after = next_cursor(payload)
            page += 1

    def _pull_demographics(self, user_id: str, auth: dict[str, str]) -> None:
        requests_to_make = [
            {"metric": "follower_demographics", "period": "lifetime", "metric_type": "total_value", "breakdown": b}
            for b in BREAKDOWNS
        ]
        requests_to_make.append({"metric": "online_followers", "period": "lifetime"})
        for params in requests_to_make:
            try:
                self._get(self.data_url(f"/{user_id}/insights"), endpoint=USER_INSIGHTS, params=params, secret_params=auth)
            except PlatformError as exc:
                # Small accounts (< 100 followers) and some account types get a 400 instead of
                # audience data; the rest of the pull is still good. Auth and server errors are not.
                if exc.status_code != 400 or isinstance(exc, TokenExpired):
                    raise

    def _pull_daily(self, user_id: str, auth: dict[str, str]) -> None:
        """The pull day's account insights (``period=day``, ``metric_type=total_value`` over
        since=day start .. until=day end; see "Daily series" in the package docstring). A refused
        call (400 other than an expired token: permission missing, account too small, metric
        retired) leaves the series out."""
        day = self.today
        now = datetime.now(timezone.utc)
        start = _epoch(day)
        until = min(_epoch(day + timedelta(days=1)), int(now.timestamp()))
        if until <= start:
            return
        url = self.data_url(f"/{user_id}/insights")
        window = {"period": "day", "metric_type": "total_value", "since": start, "until": until}
        try:
            self._insights(url, USER_DAILY, DAILY_METRICS, auth, group=f"user-{USER_DAILY}", params=window, page_index=0)
        except PlatformError as exc:
            if exc.status_code not in (400, 403) or isinstance(exc, TokenExpired):
                raise

    # -- parsing -------------------------------------------------------------------------------
    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        return _parse.parse(responses)


def _epoch(day: date) -> int:
    """Start of ``day`` (UTC) as epoch seconds."""
    return int(datetime.combine(day, time.min, tzinfo=timezone.utc).timestamp())
