"""Pinterest API v5 (https://api.pinterest.com/v5).

Endpoints used (scopes: user_accounts:read, pins:read, boards:read, ads:read for audiences):

- ``GET /user_account``: profile counters (``follower_count``, ``following_count``,
  ``pin_count``, ``monthly_views`` ...).
- ``GET /user_account/analytics?start_date=&end_date=``: account-level daily metrics for the
  analytics window. Stored raw; its numbers are window sums, not lifetime totals, so none of the
  account ``total_*`` columns is filled from it. The window ends with the pull day: that day's
  ``daily_metrics`` row (READY) is the day's series (``daily_insights``). A 400/403 refusal is
  recorded and the pull goes on without it.
- ``GET /pins?page_size=&bookmark=&pin_metrics=true``: the user's Pins, newest first.
  ``pin_metrics=true`` adds ``pin_metrics.lifetime_metrics`` with the lifetime ``reaction`` and
  ``comment`` totals (the only place v5 gives those).
- ``GET /pins/{pin_id}/analytics?start_date=&end_date=&metric_types=...``: per-Pin metrics.
- ``GET /pins/{pin_id}?pin_metrics=true``: one Pin by id, for tracked Pins that are no longer among
  the newest ``posts_per_fetch`` but still inside :attr:`Client.update_window_days` (refresh by
  id); its analytics follow when it was created inside the analytics window.
- ``POST /oauth/token`` (form ``grant_type=refresh_token``, HTTP Basic ``client_id:client_secret``):
  token refresh, see :meth:`Client.refresh_access_token`.
- ``GET /ad_accounts`` and ``GET /ad_accounts/{id}/audience_insights?audience_insight_type=
  YOUR_TOTAL_AUDIENCE``: audience demographics. Pinterest documents audience insights only under
  an ad account; an account without one (or too small an audience) simply has no demographics.

Quirks worth knowing:

- Auth: ``Authorization: Bearer <token>``. Errors are ``{"code": int, "message": str}``.
- Pagination is by opaque ``bookmark``; a null/absent bookmark ends the list. ``page_size`` <= 250.
- ``created_at`` is ISO-8601 *without* an offset; it is UTC.
- Pin analytics only reach 90 days back (documented retention; ``start_date`` may not be more
  than 90 days ago): the client asks for the 90 days ending at the pull day (``self.today``).
  For a Pin created inside that window the window sums *are* its lifetime totals. For a Pin
  created before it they would only cover part of its life, so ``saves``/``views``/watch time/
  completion (and ``impressions`` without ``pin_metrics``) stay **None** (unknown) rather than a
  partial or zero figure; the client does not even ask analytics for such a Pin refreshed by id.
  ``impressions`` prefers the lifetime ``pin_metrics`` value when present.
- A metric type Pinterest no longer accepts makes the whole analytics request fail with HTTP 400;
  the client then asks the metrics one by one, remembers the rejected ones for the rest of the
  pull, and those metrics stay None.
- An expired or revoked token answers HTTP 401 ``{"code": 2, "message": "Authentication
  failed."}``; the client says to refresh the token or reconnect the account. Access tokens last
  30 days; continuous refresh tokens 60 days, renewed (rotated) with each refresh.
- ``VIDEO_AVG_WATCH_TIME`` is in **milliseconds** (per view); video ``duration`` on the Pin media
  is in **milliseconds** too. Total watch time = average x ``VIDEO_MRC_VIEW``; completion rate =
  average watch time / duration.
- There are no likes in v5: the lifetime ``reaction`` total stands in for likes. No shares, no
  reach, and no comments API for Pins: comments stay empty.
- Audience ``ratio`` values are fractions (0..1) turned into percent. Pinterest shows no audience
  under 18: ``age_13_17`` stays None; 45-49, 50-54, 55-64 and 65+ are summed into ``age_45_plus``.
- Text posts do not exist on Pinterest (every Pin has an image or a video);
  ``multiple_images``/``multiple_videos``/``multiple_mixed`` Pins are carousels.
- Canonical Pin URL: ``https://www.pinterest.com/pin/{id}/``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

import requests

from ..base import AccountRef, ParsedPull, PlatformClient, PlatformError, RawResponse, TokenGrant
from .parse import (  # noqa: F401  (endpoint names and limits are part of the client's surface)
    AD_ACCOUNTS,
    ANALYTICS_DAYS,
    AUDIENCE,
    MAX_PAGE_SIZE,
    PIN,
    PIN_ANALYTICS,
    PIN_METRIC_TYPES,
    PINS,
    USER_ACCOUNT,
    USER_ANALYTICS,
    _created_day,
)
from .parse import parse as parse_responses


class Client(PlatformClient):
    platform = "pinterest"
    default_base_url = "https://api.pinterest.com/v5"
    # Pinterest keeps 90 days of analytics: a Pin's window sums equal its lifetime totals only
    # while it is younger than that, so tracked Pins are refreshed for 90 days.
    update_window_days = ANALYTICS_DAYS

    def __init__(self, http, base_url: str | None = None, credentials: Mapping[str, str] | None = None, **kwargs):
        super().__init__(http, base_url, credentials, **kwargs)
        # The token endpoint is on the API host (https://api.pinterest.com/v5/oauth/token).
        self.oauth_base_url = str(self.credentials.get("oauth_base_url") or self.base_url).rstrip("/")
        self._rejected_metrics: set[str] = set()
        self._auth_hint: str | None = None

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        token = account.access_token
        if not token:
            raise PlatformError(
                f"pinterest account @{handle}: no access token: set social_accounts.access_token to a "
                "Pinterest OAuth token with the user_accounts:read and pins:read scopes"
            )
        self._auth_hint = (
            f"Pinterest refused the access token of pinterest account @{handle}: check its scopes "
            "(user_accounts:read, pins:read) and refresh or reconnect it, then update social_accounts.access_token"
        )
        try:
            self._pull(account, handle, {"Authorization": f"Bearer {token}"})
        except PlatformError as exc:
            if exc.status_code != 401:
                raise
            said = _said(self.http.responses[-1].payload) if self.http.responses else None
            raise PlatformError(
                f"pinterest account @{handle}: the access token was rejected (HTTP 401"
                f"{f': {said}' if said else ''}); it has expired or was revoked. Refresh it with the stored "
                "refresh token (needs SOCIAL_PIPELINE_PINTEREST_CLIENT_ID and "
                "SOCIAL_PIPELINE_PINTEREST_CLIENT_SECRET) or reconnect the account, then update "
                "social_accounts.access_token.",
                status_code=401,
                endpoint=exc.endpoint,
            ) from None

    def _get(self, url: str, **kwargs: Any) -> Any:
        """``http.get`` with the hint a refused token (401/403) needs: platform, account, column."""
        return self.http.get(url, auth_hint=self._auth_hint, **kwargs)

    def _window(self) -> dict[str, str]:
        """The analytics window: the 90 days (documented retention) ending with the pull day."""
        end = self.today
        return {"start_date": (end - timedelta(days=ANALYTICS_DAYS - 1)).isoformat(), "end_date": end.isoformat()}

    def _pull(self, account: AccountRef, handle: str, auth: dict[str, str]) -> None:
        window = self._window()
        self._get(self.url("user_account"), endpoint=USER_ACCOUNT, secret_headers=auth)
        try:
            # The window ends with the pull day: its daily_metrics row for self.today is the day's
            # series (parse: daily_insights), so the day costs no extra call.
            self._get(self.url("user_account/analytics"), endpoint=USER_ANALYTICS, params=window, secret_headers=auth)
        except PlatformError as exc:
            # Refused (scope missing, not a business account, metric dropped): the answer is in the
            # ledger with Pinterest's message; the day's series stays None, the pull goes on.
            if exc.status_code not in (400, 403):
                raise

        first_day = date.fromisoformat(window["start_date"])
        pins = self._pins(account.posts_per_fetch, auth)
        for index, pin in enumerate(pins):
            # page_index = the Pin's position in the listing: the analytics answer does not repeat
            # the Pin id, so parse() pairs them by this position. Pins created before the window
            # are not asked: their window sums are not lifetime totals.
            created = _created_day(pin)
            if created is None or created >= first_day:
                self._analytics(str(pin["id"]), index, window, auth)

        # Refresh by id; their page_index continues after the listing's, for the same pairing.
        listed = {str(p["id"]) for p in pins}
        extra = [pid for pid in dict.fromkeys(account.refresh_post_ids) if pid and pid not in listed]
        for offset, pin_id in enumerate(extra):
            index = len(pins) + offset
            try:
                pin = self._get(
                    self.url(f"pins/{pin_id}"), endpoint=PIN, params={"pin_metrics": "true"},
                    secret_headers=auth, page_index=index,
                )
            except PlatformError as exc:
                if exc.status_code == 404:
                    continue  # deleted Pin
                raise
            created = _created_day(pin)
            if created is not None and created >= first_day:
                self._analytics(pin_id, index, window, auth)
            # Older Pins: window sums are not lifetime totals, so they are not asked (stay None).

        self._audience(handle, auth)

    def _analytics(self, pin_id: str, index: int, window: dict[str, str], auth: dict[str, str]) -> None:
        metrics = [m for m in PIN_METRIC_TYPES if m not in self._rejected_metrics]
        if not metrics:
            return
        url = self.url(f"pins/{pin_id}/analytics")
        try:
            self._get(
                url, endpoint=PIN_ANALYTICS, params={**window, "metric_types": ",".join(metrics)},
                secret_headers=auth, page_index=index,
            )
            return
        except PlatformError as exc:
            if exc.status_code != 400:
                raise
        # A metric type is no longer accepted: ask one by one so the others still arrive.
        for metric in metrics:
            try:
                self._get(
                    url, endpoint=PIN_ANALYTICS, params={**window, "metric_types": metric},
                    secret_headers=auth, page_index=index,
                )
            except PlatformError as exc:
                if exc.status_code != 400:
                    raise
                self._rejected_metrics.add(metric)

    # -- token refresh ----------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """``POST /oauth/token`` with ``grant_type=refresh_token`` and HTTP Basic client
        credentials (``SOCIAL_PIPELINE_PINTEREST_CLIENT_ID`` / ``..._CLIENT_SECRET``). Access
        tokens last 30 days; Pinterest's continuous refresh tokens last 60 days and a new one comes
        with each refresh (returned as ``refresh_token``). Nothing is recorded: the answer holds tokens.
        """
        handle = account.handle.lstrip("@")
        missing = [
            f"SOCIAL_PIPELINE_PINTEREST_{n.upper()}" for n in ("client_id", "client_secret") if not self.credentials.get(n)
        ]
        if missing:
            raise PlatformError(f"pinterest account @{handle}: cannot refresh the token: set {' and '.join(missing)}")
        if not refresh_token:
            raise PlatformError(
                f"pinterest account @{handle}: no refresh token stored (social_account_credentials.refresh_token is empty): "
                "reconnect the account"
            )
        client_id, client_secret = self.credentials["client_id"], self.credentials["client_secret"]
        url = f"{self.oauth_base_url}/oauth/token"
        try:
            resp = self.http.session.post(
                url,
                data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                auth=(client_id, client_secret),
                headers={"Accept": "application/json"},
                timeout=self.http.timeout,
            )
        except requests.RequestException as exc:
            raise PlatformError(f"pinterest account @{handle}: token refresh failed: {type(exc).__name__}") from None
        try:
            body = resp.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not 200 <= resp.status_code < 300 or not isinstance(token, str) or not token:
            said = _scrub(_said(body) or "no usable answer", [refresh_token, client_secret])
            raise PlatformError(
                f"pinterest account @{handle}: token refresh failed (HTTP {resp.status_code}: {said}); the "
                "refresh token has expired or was revoked, or the client credentials are wrong: check "
                "SOCIAL_PIPELINE_PINTEREST_CLIENT_ID / SOCIAL_PIPELINE_PINTEREST_CLIENT_SECRET or reconnect the account",
                status_code=resp.status_code,
                endpoint="oauth/token",
            )
        expires_in = body.get("expires_in")
        new_refresh = body.get("refresh_token")
        return TokenGrant(
            access_token=token,
            expires_at=(
                datetime.now(timezone.utc) + timedelta(seconds=expires_in)
                if isinstance(expires_in, int) and not isinstance(expires_in, bool) and expires_in > 0
                else None
            ),
            refresh_token=new_refresh if isinstance(new_refresh, str) and new_refresh and new_refresh != refresh_token else None,
        )

    def _pins(self, wanted: int, auth: dict[str, str]) -> list[dict[str, Any]]:
        pins: list[dict[str, Any]] = []
        bookmark: str | None = None
        page_index = 0
        while len(pins) < wanted:
            params: dict[str, Any] = {"page_size": min(MAX_PAGE_SIZE, wanted - len(pins)), "pin_metrics": "true"}
            if bookmark:
                params["bookmark"] = bookmark
            payload = self._get(
                self.url("pins"), endpoint=PINS, params=params, secret_headers=auth, page_index=page_index
            )
            items = payload.get("items") if isinstance(payload, dict) else None
            if not isinstance(items, list):
                raise PlatformError(f"{PINS}: answer has no items list", endpoint=PINS)
            for item in items:
                if not isinstance(item, dict) or not item.get("id"):
                    raise PlatformError(f"{PINS}: a Pin without an id", endpoint=PINS)
                pins.append(item)
            bookmark = payload.get("bookmark")
            if not items or not bookmark:
                break
            page_index += 1
        return pins[:wanted]

    def _audience(self, handle: str, auth: dict[str, str]) -> None:
        try:
            listing = self._get(self.url("ad_accounts"), endpoint=AD_ACCOUNTS, secret_headers=auth)
        except PlatformError as exc:
            if exc.status_code in (401, 403, 404):  # no ads scope / no ads access: no audiences
                return
            raise
        items = listing.get("items") if isinstance(listing, dict) else None
        if not isinstance(items, list) or not items:
            return
        own = [a for a in items if isinstance(a, dict) and (a.get("owner") or {}).get("username") == handle]
        chosen = (own or [a for a in items if isinstance(a, dict)] or [None])[0]
        if not chosen or not chosen.get("id"):
            return
        try:
            self._get(
                self.url(f"ad_accounts/{chosen['id']}/audience_insights"),
                endpoint=AUDIENCE,
                params={"audience_insight_type": "YOUR_TOTAL_AUDIENCE"},
                secret_headers=auth,
            )
        except PlatformError as exc:
            if exc.status_code is None or exc.status_code >= 500 or exc.status_code == 429:
                raise
            # e.g. audience too small to report: demographics stay unknown.

    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        """Responses -> records: see :mod:`.parse`."""
        return parse_responses(responses)


def _said(payload: Any) -> str | None:
    """Pinterest's own error ``code`` and ``message`` (the v5 ``Error`` schema), whole."""
    if not isinstance(payload, dict):
        return None
    parts = []
    if isinstance(payload.get("code"), (int, str)) and not isinstance(payload.get("code"), bool):
        parts.append(f"code {payload['code']}")
    if isinstance(payload.get("message"), str):
        parts.append(f"message {payload['message']!r}")
    return ", ".join(parts) or None


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text
