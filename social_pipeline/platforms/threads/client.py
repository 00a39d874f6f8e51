"""Threads API (https://graph.threads.net/v1.0).

Endpoints used (permissions threads_basic, threads_manage_insights, threads_read_replies):

- ``GET /me?fields=id,username,name,threads_profile_picture_url,threads_biography``: the token's
  own profile; its ``id`` is the Threads user id used below (``AccountRef.external_id`` is used
  instead of ``me`` in the path when it is set).
- ``GET /{user-id}/threads_insights?metric=likes,replies,reposts,quotes,followers_count
  &since=1712991600&until=<now>``: account totals (``total_value``).
- ``GET /{user-id}/threads_insights?metric=views,likes,replies,reposts,quotes&since=<day 00:00 UTC>
  &until=<next day 00:00 UTC, or now>``: the pull day's own figures (endpoint
  ``threads-user/threads_insights/day``; see "Daily series").
- ``GET /{user-id}/threads_insights?metric=follower_demographics&breakdown=country|city|age|gender``:
  one breakdown per call (the metric takes no since/until).
- ``GET /{user-id}/threads?fields=...&limit=..&after=..``: the user's posts, newest first.
- ``GET /{media-id}/insights?metric=views,likes,replies,reposts,quotes,shares``: per post.
- ``GET /{media-id}/conversation?fields=id,text,username,timestamp,replied_to,root_post,is_reply
  &reverse=false&after=..``: every reply at every depth, flattened; ``replied_to.id`` names the
  parent (the root post itself for a top-level reply) and ``root_post.id`` the post it belongs to.

- ``GET /{media-id}?fields=...`` plus its insights: tracked posts still inside the update window
  that are no longer among the newest (``AccountRef.refresh_post_ids``); a post deleted meanwhile
  (400 code 100) is skipped.
- ``GET graph.threads.net/refresh_access_token?grant_type=th_refresh_token&access_token=<token>``:
  a long-lived (60-day) token exchanged for a new one, ``{"access_token", "token_type",
  "expires_in"}``. No app secret is needed; the grant carries the new token as ``refresh_token``
  too, since the long-lived token is itself what gets refreshed next time. Not recorded.

Daily series (https://developers.facebook.com/docs/threads/insights, "User Insights"; parameters
in https://developers.facebook.com/docs/threads/reference/insights):

- One call per pull for ``client.today`` (since/until are Unix timestamps; dates before
  2024-04-13, epoch 1712991600, are not supported, so no call is made for them). ``likes``,
  ``replies``, ``reposts``, ``quotes`` answer one ``total_value`` for the range; ``views``
  (profile views, stored as ``profile_views``) answers a daily ``values`` series: kept only when
  it holds one point (Meta bins days in its own time zone; two points mean the UTC day straddles
  two of them, and neither is the day). ``clicks`` (per link URL) is not asked.
- Followers: Threads serves only ``followers_count`` (the total now; it ignores since/until) and
  no daily follows, unfollows or net gains, so a past day's followers cannot be rebuilt:
  ``followers_on_day`` is the count only when the pull day is the day of the read, else None.
- A refused call (400/403 other than an expired token) leaves ``daily_insights`` None and does
  not fail the pull; a refused metric is dropped and asked again without it.

Errors:

- An expired or revoked token answers HTTP 400 with code 190 (subcode 463 expired): raised as
  :class:`~..meta_graph.TokenExpired`, naming the account, Graph's code and message, and
  ``social_accounts.access_token``.
- A retired or invalid metric answers 400 ``(#100) metric[i] must be one of the following values``:
  the insights call is repeated without it (per metric when unclear) and the metric stays None.

Quirks worth knowing:

- The token travels as the ``access_token`` query parameter (never recorded). Graph echoes it in
  ``paging.next`` URLs; the client scrubs those before the payload is stored.
- Account insights are *period* totals. Without since/until Threads answers a two-day window, so
  the client asks from the API's floor (2024-04-13, epoch 1712991600; earlier dates are refused)
  until now. The account ``views`` metric counts *profile* views, so it is not asked for.
- ``REPOST_FACADE`` items are other people's posts the user reposted: skipped (no insights).
- ``follower_demographics`` needs 100+ followers, else a 400 that does not fail the pull.
- Versioning: Threads has its own (``v1.0`` on graph.threads.net), not the Graph API's; it is
  not a setting and not in the Graph end-of-life table.
- Throttling codes, paging scrub and refused-metric memory: shared with Instagram and Facebook
  in :mod:`..meta_graph`.

Parsing (records): :mod:`.parse`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any, Iterable

from ..base import AccountRef, ParsedPull, ParseError, PlatformError, RawResponse, TokenGrant
from ..meta_graph import GraphClient, TokenExpired, graph_error_code, meta_token_exchange, metric_value, next_cursor
from . import parse as _parse
from .parse import (  # noqa: F401
    CONVERSATION,
    DAILY_METRICS,
    ME,
    MEDIA_INSIGHTS,
    MEDIA_NODE,
    MEDIA_TYPES,
    THREADS,
    USER_DAILY,
    USER_INSIGHTS,
)

PROFILE_FIELDS = "id,username,name,threads_profile_picture_url,threads_biography"
POST_FIELDS = "id,media_product_type,media_type,media_url,thumbnail_url,permalink,text,timestamp,shortcode,is_quote_post"
REPLY_FIELDS = "id,text,username,timestamp,replied_to,root_post,is_reply"
ACCOUNT_METRICS = "likes,replies,reposts,quotes,followers_count"
POST_METRICS = "views,likes,replies,reposts,quotes,shares"
BREAKDOWNS = ("country", "city", "age", "gender")
INSIGHTS_FLOOR = 1712991600  # 2024-04-13: since/until earlier than this are not supported
PAGE_LIMIT = 25


class Client(GraphClient):
    platform = "threads"
    default_base_url = "https://graph.threads.net/v1.0"
    default_oauth_base_url = "https://graph.threads.net"
    versioned = False  # Threads' own v1.0, not a Graph API version
    # Post insights are lifetime totals with no documented cut-off; a Threads post's engagement
    # arrives within days, so tracked posts are refreshed for the pipeline's default 30 days.
    update_window_days = 30

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.oauth_base_url = (self.credentials.get("oauth_base_url") or self.default_oauth_base_url).rstrip("/")

    @property
    def token_hint(self) -> str:
        return (
            f"{self._label}: the access token was refused: store a valid Threads user token (threads_basic, "
            "threads_manage_insights, threads_read_replies) in social_accounts.access_token"
        )

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        token = account.access_token
        self._start(handle, token)
        if not token:
            raise PlatformError(
                f"threads account @{handle}: no access token (social_accounts.access_token is empty; a "
                "Threads user token with threads_basic, threads_manage_insights and "
                "threads_read_replies is required)"
            )
        auth = {"access_token": token}

        profile = self._get(
            self.url(f"/{account.external_id or 'me'}"), endpoint=ME, params={"fields": PROFILE_FIELDS}, secret_params=auth
        )
        user_id = profile.get("id") if isinstance(profile, dict) else None
        if not isinstance(user_id, str) or not user_id:
            raise PlatformError(f"threads account @{handle}: profile answer has no id", endpoint=ME)

        self._insights(
            self.url(f"/{user_id}/threads_insights"),
            USER_INSIGHTS,
            ACCOUNT_METRICS.split(","),
            auth,
            group="account",
            params={"since": INSIGHTS_FLOOR, "until": self.until_epoch},
        )
        self._pull_daily(user_id, auth)
        for breakdown in BREAKDOWNS:
            try:
                self._get(
                    self.url(f"/{user_id}/threads_insights"),
                    endpoint=USER_INSIGHTS,
                    params={"metric": "follower_demographics", "breakdown": breakdown},
                    secret_params=auth,
                )
            except PlatformError as exc:
                if exc.status_code != 400 or isinstance(exc, TokenExpired):
                    raise  # too few followers is a 400: no demographics, the pull goes on

        wanted = max(int(account.posts_per_fetch), 0)
        posts: list[str] = []
        after: str | None = None
        page = 0
        while len(posts) < wanted:
            limit = min(PAGE_LIMIT, wanted - len(posts))
            params: dict[str, Any] = {"fields": POST_FIELDS, "limit": limit}
            if after:
                params["after"] = after
            payload = self._get(
                self.url(f"/{user_id}/threads"), endpoint=THREADS, params=params, secret_params=auth, page_index=page
            )
            items = payload.get("data") if isinstance(payload, dict) else None
            if not isinstance(items, list):
                raise PlatformError(f"{THREADS}: answer has no data list", endpoint=THREADS)
            for item in items:
                if isinstance(item, dict) and item.get("media_type") != "REPOST_FACADE" and isinstance(item.get("id"), str):
                    posts.append(item["id"])
            after = next_cursor(payload, len(items), limit)
            if not after or not items:
                break
            page += 1

        for media_id in posts[:wanted]:
            replies = self._media_insights(media_id, auth)
            if replies == 0:
                continue  # no conversation to page through
            self._pull_conversation(media_id, auth)

        # Tracked posts no longer among the newest: current fields and insights by id.
        listed = set(posts[:wanted])
        todo = [mid for mid in dict.fromkeys(str(i) for i in account.refresh_post_ids) if mid not in listed]
        for page, media_id in enumerate(todo):
            try:
                self._get(
                    self.url(f"/{media_id}"),
                    endpoint=MEDIA_NODE,
                    params={"fields": POST_FIELDS},
                    secret_params=auth,
                    page_index=page,
                )
            except PlatformError as exc:
                if graph_error_code(self.http, MEDIA_NODE) == 100 and not isinstance(exc, TokenExpired):
                    continue  # deleted or no longer visible
                raise
            self._media_insights(media_id, auth)

    def _pull_daily(self, user_id: str, auth: dict[str, str]) -> None:
        """The pull day's account insights (see "Daily series" in the module docstring). A
        refused call (400/403 other than an expired token) leaves the series out."""
        start = int(datetime.combine(self.today, time.min, tzinfo=timezone.utc).timestamp())
        end = int(datetime.combine(self.today + timedelta(days=1), time.min, tzinfo=timezone.utc).timestamp())
        until = min(end, int(datetime.now(timezone.utc).timestamp()))
        if start < INSIGHTS_FLOOR or until <= start:
            return  # before the API's floor (or a day not begun): Threads serves nothing
        try:
            self._insights(
                self.url(f"/{user_id}/threads_insights"),
                USER_DAILY,
                DAILY_METRICS,
                auth,
                group="account-day",
                params={"since": start, "until": until},
            )
        except PlatformError as exc:
            if exc.status_code not in (400, 403) or isinstance(exc, TokenExpired):
                raise

    def _media_insights(self, media_id: str, auth: dict[str, str]) -> Any:
        """Fetch a post's insights (degrading refused metrics); returns its ``replies`` value."""
        before = len(self.http.responses)
        self._insights(self.url(f"/{media_id}/insights"), MEDIA_INSIGHTS, POST_METRICS.split(","), auth, group="media")
        replies = None
        for r in self.http.responses[before:]:
            if r.ok and r.endpoint == MEDIA_INSIGHTS:
                value = _insight(r.payload, "replies")
                replies = value if value is not None else replies
        return replies

    # -- token refresh ----------------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """Exchange the current long-lived token (``refresh_token``) for a new one."""
        label = f"threads account @{account.handle.lstrip('@')}"
        if not refresh_token:
            raise PlatformError(f"{label}: no token to refresh; reconnect the account and store its token in social_accounts.access_token")
        return meta_token_exchange(
            self.http,
            f"{self.oauth_base_url}/refresh_access_token",
            params={"grant_type": "th_refresh_token"},
            secret_params={"access_token": refresh_token},
            label=label,
            platform="threads",
        )

    def _pull_conversation(self, media_id: str, auth: dict[str, str]) -> None:
        after: str | None = None
        page = 0
        while True:
            params: dict[str, Any] = {"fields": REPLY_FIELDS, "reverse": "false"}
            if after:
                params["after"] = after
            payload = self._get(
                self.url(f"/{media_id}/conversation"),
                endpoint=CONVERSATION,
                params=params,
                secret_params=auth,
                page_index=page,
            )
            items = payload.get("data") if isinstance(payload, dict) else None
            after = next_cursor(payload)
            if not after or not items:
                break
            page += 1

    # -- parsing -------------------------------------------------------------------------------
    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        return _parse.parse(responses)


def _insight(payload: Any, name: str) -> Any:
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        for entry in payload["data"]:
            if isinstance(entry, dict) and entry.get("name") == name:
                try:
                    return metric_value(entry, MEDIA_INSIGHTS)
                except ParseError:
                    return None
    return None
