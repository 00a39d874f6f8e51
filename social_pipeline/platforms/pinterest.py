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
- ``GET /ad_accounts`` and ``GET /ad_accounts/{id}/audience_insights?audience_insight_type=
  YOUR_TOTAL_AUDIENCE``: audience demographics. Pinterest documents audience insights only under
  an ad account; an account without one (or too small an audience) simply has no demographics.

Quirks worth knowing:

- Auth: ``Authorization: Bearer <token>``. Errors are ``{"code": int, "message": str}``.
- Pagination is by opaque ``bookmark``; a null/absent bookmark ends the list. ``page_size`` <= 250.
- ``created_at`` is ISO-8601 *without* an offset; it is UTC.
- Pin analytics only reach 90 days back: the client asks for the 90 days ending at the pull day.
  So ``saves``/``impressions``/video metrics of a Pin older than 90 days cover the window only.
  ``impressions`` prefers the lifetime ``pin_metrics`` value when present.
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

from datetime import timedelta
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

USER_ACCOUNT = "user_account"
USER_ANALYTICS = "user_account/analytics"
PINS = "pins"
PIN_ANALYTICS = "pins/analytics"
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

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        token = account.access_token
        if not token:
            raise PlatformError(
                f"pinterest account @{handle}: no access token (AccountRef.access_token is empty; "
                "a Pinterest OAuth token with user_accounts:read and pins:read is required)"
            )
        auth = {"Authorization": f"Bearer {token}"}
        end = self.today
        window = {"start_date": (end - timedelta(days=ANALYTICS_DAYS - 1)).isoformat(), "end_date": end.isoformat()}

        self.http.get(self.url("user_account"), endpoint=USER_ACCOUNT, secret_headers=auth)
        self.http.get(self.url("user_account/analytics"), endpoint=USER_ANALYTICS, params=window, secret_headers=auth)

        pins = self._pins(account.posts_per_fetch, auth)
        for index, pin in enumerate(pins):
            # page_index = the Pin's position in the listing: the analytics answer does not repeat
            # the Pin id, so parse() pairs them by this position.
            self.http.get(
                self.url(f"pins/{pin['id']}/analytics"),
                endpoint=PIN_ANALYTICS,
                params={**window, "metric_types": ",".join(PIN_METRIC_TYPES)},
                secret_headers=auth,
                page_index=index,
            )

        self._audience(handle, auth)

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

        pins: list[dict[str, Any]] = []
        seen: set[str] = set()
        for payload in ok_payloads(responses, PINS):
            for raw in _list(_obj(payload, "pins page"), "items", "pins page"):
                pin = _obj(raw, "pin")
                pin_id = _str(pin, "id", "pin")
                if pin_id not in seen:
                    seen.add(pin_id)
                    pins.append(pin)

        analytics: dict[int, dict[str, Any]] = {}
        for r in responses:
            if r.endpoint == PIN_ANALYTICS and r.ok:
                analytics[r.page_index] = _summary(r.payload)
        for index, pin in enumerate(pins):
            out.posts.append(_parse_pin(pin, analytics.get(index)))

        audiences = ok_payloads(responses, AUDIENCE)
        if audiences:
            out.demographics = _demographics(audiences[-1])
        # Pinterest v5 has no comments API for Pins: out.comments stays empty.
        return out


# -- parse helpers ---------------------------------------------------------------------------
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
        result[name] = result.get(name, 0.0) + ratio * 100
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
