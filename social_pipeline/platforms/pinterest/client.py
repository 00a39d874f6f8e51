"""Pinterest API v5 (https://api.pinterest.com/v5).

Endpoints used (scopes: user_accounts:read, pins:read, boards:read, ads:read for audiences):

- ``GET /user_account``: profile counters (``follower_count``, ``following_count``,
  ``pin_count``, ``monthly_views`` ...).
- ``GET /user_account/analytics?start_date=&end_date=``: account-level daily metrics for the
  analytics window. Stored raw; its numbers are window sums, not lifetime totals, so none of the
  account ``total_*`` columns is filled from it.
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

from ..base import (
    AccountRef,
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

USER_ACCOUNT = "user_account"
USER_ANALYTICS = "user_account/analytics"
PINS = "pins"
PIN_ANALYTICS = "pins/analytics"
PIN = "pins/{pin_id}"  # refresh by id
AD_ACCOUNTS = "ad_accounts"
AUDIENCE = "ad_accounts/audience_insights"

PIN_METRIC_TYPES = (
    "IMPRESSION",
    "SAVE",
    "PIN_CLICK",
    "OUTBOUND_CLICK",
    "VIDEO_MRC_VIEW",
    "VIDEO_AVG_WATCH_TIME",
    "VIDEO_V50_WATCH_TIME",
    "QUARTILE_95_PERCENT_VIEW",
)
MAX_PAGE_SIZE = 250
ANALYTICS_DAYS = 90  # how far back Pinterest keeps analytics
AGE_45_PLUS = ("45-49", "50-54", "55-64", "65+")
TOP_N = 10


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

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        token = account.access_token
        if not token:
            raise PlatformError(
                f"pinterest account @{handle}: no access token (AccountRef.access_token is empty; "
                "a Pinterest OAuth token with user_accounts:read and pins:read is required)"
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
                "SOCIAL_PIPELINE_PINTEREST_CLIENT_SECRET) or reconnect the account.",
                status_code=401,
                endpoint=exc.endpoint,
            ) from None

    def _window(self) -> dict[str, str]:
        """The analytics window: the 90 days (documented retention) ending with the pull day."""
        end = self.today
        return {"start_date": (end - timedelta(days=ANALYTICS_DAYS - 1)).isoformat(), "end_date": end.isoformat()}

    def _pull(self, account: AccountRef, handle: str, auth: dict[str, str]) -> None:
        window = self._window()
        self.http.get(self.url("user_account"), endpoint=USER_ACCOUNT, secret_headers=auth)
        self.http.get(self.url("user_account/analytics"), endpoint=USER_ANALYTICS, params=window, secret_headers=auth)

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
                pin = self.http.get(
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
            self.http.get(
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
                self.http.get(
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
            raise PlatformError(f"pinterest account @{handle}: no refresh token stored: reconnect the account")
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
            payload = self.http.get(
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
            listing = self.http.get(self.url("ad_accounts"), endpoint=AD_ACCOUNTS, secret_headers=auth)
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
            self.http.get(
                self.url(f"ad_accounts/{chosen['id']}/audience_insights"),
                endpoint=AUDIENCE,
                params={"audience_insight_type": "YOUR_TOTAL_AUDIENCE"},
                secret_headers=auth,
            )
        except PlatformError as exc:
            if exc.status_code is None or exc.status_code >= 500 or exc.status_code == 429:
                raise
            # e.g. audience too small to report: demographics stay unknown.

    # -- parsing ----------------------------------------------------------------------------
    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        responses = list(responses)
        out = ParsedPull()
        users = ok_payloads(responses, USER_ACCOUNT)
        if not users:
            raise ParseError("pinterest: no successful user_account response")
        user = _obj(users[-1], "user_account")
        username = _str(user, "username", "user_account")
        out.account = {
            "external_user_id": str(user["id"]) if user.get("id") is not None else None,
            "display_name": user.get("business_name") or username,
            "followers_count": count(user.get("follower_count")),
            "following_count": count(user.get("following_count")),
            "posts_count": count(user.get("pin_count")),
            "pins_count": count(user.get("pin_count")),
            "total_likes": None,
            "total_comments": None,
            "total_views": None,  # monthly_views is a rolling 30-day figure, not a total
            "total_shares": None,
            "subscribers_count": None,
            "retweets_count": None,
            "watch_time_minutes": None,
        }

        # Pin id -> (Pin, index of its analytics). Listed Pins are indexed by their position,
        # Pins refreshed by id by their page_index; a Pin fetched twice keeps its newest data.
        # Positions count every listed item, as the client numbered them when asking analytics.
        latest: dict[str, tuple[dict[str, Any], int]] = {}
        position = 0
        for payload in ok_payloads(responses, PINS):
            for raw in _list(_obj(payload, "pins page"), "items", "pins page"):
                pin = _obj(raw, "pin")
                latest[_str(pin, "id", "pin")] = (pin, position)
                position += 1
        for r in responses:
            if r.endpoint == PIN and r.ok:
                pin = _obj(r.payload, "pin")
                latest[_str(pin, "id", "pin")] = (pin, r.page_index)

        analytics: dict[int, dict[str, Any]] = {}
        first_day: dict[int, date] = {}
        for r in responses:
            if r.endpoint == PIN_ANALYTICS and r.ok:
                # Metrics asked one by one arrive in several answers: merge them.
                analytics[r.page_index] = {**analytics.get(r.page_index, {}), **_summary(r.payload)}
                start = r.request_params.get("start_date")
                if isinstance(start, str):
                    try:
                        first_day[r.page_index] = date.fromisoformat(start)
                    except ValueError:
                        raise ParseError(f"pinterest: analytics start_date {start!r} is not a date") from None
        for pin, index in latest.values():
            window = analytics.get(index)
            created = _created_day(pin)
            if window is not None and index in first_day and created is not None and created < first_day[index]:
                window = None  # created before the window: its sums are not lifetime totals
            out.posts.append(_parse_pin(pin, window))

        audiences = ok_payloads(responses, AUDIENCE)
        if audiences:
            out.demographics = _demographics(audiences[-1])
        # Pinterest v5 has no comments API for Pins: out.comments stays empty.
        return out


# -- parse helpers ---------------------------------------------------------------------------
def _created_day(pin: Any) -> date | None:
    if not isinstance(pin, dict):
        return None
    try:
        created = parse_timestamp(pin.get("created_at"))
    except ParseError:
        return None
    return created.date() if created else None


def _said(payload: Any) -> str | None:
    """Pinterest's own error message (``{"code", "message"}``), shortened."""
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return payload["message"][:200]
    return None


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def _summary(payload: Any) -> dict[str, Any]:
    """Window totals of one Pin analytics answer: ``all.summary_metrics`` (or
    ``lifetime_metrics``), else the sum of ``daily_metrics``."""
    body = _obj(_obj(payload, "pin analytics").get("all"), "pin analytics 'all'")
    for key in ("summary_metrics", "lifetime_metrics"):
        if key in body:
            return _obj(body[key], f"pin analytics {key}")
    totals: dict[str, Any] = {}
    for day in _list(body, "daily_metrics", "pin analytics"):
        metrics = _obj(_obj(day, "daily metric").get("metrics"), "daily metrics")
        for name, value in metrics.items():
            if name == "VIDEO_AVG_WATCH_TIME":
                continue  # an average cannot be summed
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                totals[name] = totals.get(name, 0) + value
    return totals


def _metric(metrics: dict[str, Any] | None, name: str) -> int | None:
    if not metrics or metrics.get(name) is None:
        return None
    value = metrics[name]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return count(value)


def _ms(metrics: dict[str, Any] | None, name: str) -> float | None:
    if not metrics or metrics.get(name) is None:
        return None
    value = metrics[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ParseError(f"pinterest: {name} is not a non-negative number of milliseconds")
    return float(value)


def _media(pin: dict[str, Any]) -> tuple[str, str | None, float | None]:
    """(media_type, media_url, duration in ms)."""
    media = pin.get("media")
    if media is None:
        return "image", None, None
    media = _obj(media, "pin media")
    kind = str(media.get("media_type") or "image").lower()
    url = media.get("cover_image_url") if isinstance(media.get("cover_image_url"), str) else None
    if url is None:
        url = _best_image(media.get("images"))
    if url is None and isinstance(media.get("items"), list) and media["items"]:
        first = media["items"][0]
        if isinstance(first, dict):
            url = _best_image(first.get("images")) or first.get("cover_image_url")
    duration = media.get("duration")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration < 0):
        raise ParseError(f"pinterest: pin {pin.get('id')} has a malformed video duration")
    if kind.startswith("multiple"):
        return "carousel", url, None
    if kind == "video":
        return "video", url, float(duration) if duration is not None else None
    return "image", url, None


def _best_image(images: Any) -> str | None:
    if not isinstance(images, dict):
        return None
    for key in ("1200x", "originals", "600x", "400x300", "150x150"):
        img = images.get(key)
        if isinstance(img, dict) and isinstance(img.get("url"), str):
            return img["url"]
    return None


def _parse_pin(pin: dict[str, Any], analytics: dict[str, Any] | None) -> dict[str, Any]:
    pin_id = str(pin["id"])
    posted_at = parse_timestamp(pin.get("created_at"))  # naive ISO -> UTC
    if posted_at is None:
        raise ParseError(f"pinterest: pin {pin_id} has no created_at")
    for key in ("title", "description"):
        if pin.get(key) is not None and not isinstance(pin[key], str):
            raise ParseError(f"pinterest: pin {pin_id} {key} is not text")
    media_type, media_url, duration_ms = _media(pin)
    lifetime: dict[str, Any] = {}
    if pin.get("pin_metrics") is not None:
        pm = _obj(pin["pin_metrics"], "pin_metrics")
        if pm.get("lifetime_metrics") is not None:
            lifetime = _obj(pm["lifetime_metrics"], "pin_metrics.lifetime_metrics")
    video = media_type == "video"
    views = _metric(analytics, "VIDEO_MRC_VIEW") if video else None
    avg_ms = _ms(analytics, "VIDEO_AVG_WATCH_TIME") if video else None
    impressions = count(lifetime.get("impression"))
    if impressions is None:
        impressions = _metric(analytics, "IMPRESSION")
    return {
        "external_post_id": pin_id,
        "post_url": f"https://www.pinterest.com/pin/{pin_id}/",
        "caption": pin.get("description"),
        "title": pin.get("title"),
        "media_type": media_type,
        "media_url": media_url,
        "duration": round(duration_ms / 1000) if duration_ms is not None else None,
        "posted_at": posted_at,
        "likes_count": count(lifetime.get("reaction")),
        "comments_count": count(lifetime.get("comment")),
        "views_count": views,
        "shares_count": None,
        "saves_count": _metric(analytics, "SAVE"),
        "watch_time_seconds": round(avg_ms * views / 1000) if avg_ms is not None and views is not None else None,
        "completion_rate": (
            round(min(avg_ms / duration_ms * 100, 100.0), 2) if avg_ms is not None and duration_ms else None
        ),
        "impressions": impressions,
        "reach": None,
    }


def _shares(rows: Any, what: str, key: str = "key") -> dict[str, float]:
    if rows is None:
        return {}
    if not isinstance(rows, list):
        raise ParseError(f"pinterest: audience {what} is not a list")
    result: dict[str, float] = {}
    for raw in rows:
        row = _obj(raw, f"audience {what} item")
        name = row.get(key) or row.get("key")
        ratio = row.get("ratio")
        if not isinstance(name, str) or isinstance(ratio, bool) or not isinstance(ratio, (int, float)):
            raise ParseError(f"pinterest: audience {what} item lacks key/ratio")
        if not 0 <= ratio <= 1:
            raise ParseError(f"pinterest: audience {what} ratio {ratio!r} is not a fraction")
        if name in result:  # a bucket listed twice: ambiguous, not to be summed past 100 %
            raise ParseError(f"pinterest: audience {what} bucket {name!r} listed twice")
        result[name] = ratio * 100
    return result


def _top(shares: dict[str, float]) -> dict[str, float] | None:
    if not shares:
        return None
    return {k: round(v, 2) for k, v in sorted(shares.items(), key=lambda kv: kv[1], reverse=True)[:TOP_N]}


def _demographics(payload: Any) -> dict[str, Any] | None:
    body = _obj(payload, "audience insights")
    demo = body.get("demographics")
    if demo is None:
        return None
    demo = _obj(demo, "audience demographics")
    ages = _shares(demo.get("ages"), "ages")
    genders = {k.lower(): v for k, v in _shares(demo.get("genders"), "genders").items()}

    def age(*keys: str) -> float | None:
        present = [ages[k] for k in keys if k in ages]
        return round(sum(present), 2) if present else None

    return {
        "age_13_17": None,  # Pinterest reports no audience under 18
        "age_18_24": age("18-24"),
        "age_25_34": age("25-34"),
        "age_35_44": age("35-44"),
        "age_45_plus": age(*AGE_45_PLUS),
        "gender_male": round(genders["male"], 2) if "male" in genders else None,
        "gender_female": round(genders["female"], 2) if "female" in genders else None,
        "top_countries": _top(_shares(demo.get("countries"), "countries")),
        "top_cities": _top(_shares(demo.get("metros"), "metros", key="name")),
        "top_languages": None,
        "peak_hours": None,
        "peak_days": None,
    }


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"pinterest: {what} is not a JSON object")
    return value


def _list(obj: dict[str, Any], key: str, what: str) -> list[Any]:
    value = obj.get(key)
    if not isinstance(value, list):
        raise ParseError(f"pinterest: {what} has no {key!r} list")
    return value


def _str(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise ParseError(f"pinterest: {what} has no {key!r}")
    return value
