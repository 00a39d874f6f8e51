"""Pinterest API v5 answers -> records.

What the parser relies on (the v5 OpenAPI description, github.com/pinterest/api-description):

- ``user_account`` is an ``Account``: ``id``, ``username``, ``business_name``, and the nullable
  counters ``follower_count``, ``following_count``, ``pin_count`` (a missing counter is None).
- Pins (``Pin``): ``id``, ``created_at`` (ISO-8601 without an offset: UTC), ``title`` and
  ``description`` (nullable), ``media`` (``PinMedia`` by ``media_type``; video ``duration`` in
  milliseconds), ``pin_metrics.lifetime_metrics`` (``reaction``, ``comment``, ``impression``).
  The schema has no tags field, so ``hashtags`` stays None (taken from the description).
- Pin analytics (``PinAnalyticsResponse``) are keyed by app type (``all``) and hold
  ``summary_metrics`` or ``daily_metrics``; the analytics answer does not repeat the Pin id, so
  it is paired with its Pin by ``page_index`` (the Pin's position, as the client numbered them).
- Audience insights ratios are fractions; Pinterest shows no audience under 18.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Any, Iterable

from ..base import ParsedPull, ParseError, RawResponse, count, ok_payloads, parse_timestamp
from ..payload import field_list, obj, text
from ..records import AccountRecord, PostRecord

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


def parse(responses: Iterable[RawResponse]) -> ParsedPull:
    responses = list(responses)
    out = ParsedPull()
    users = ok_payloads(responses, USER_ACCOUNT)
    if not users:
        raise ParseError("pinterest: no successful user_account response")
    user = obj(users[-1], "user_account")
    username = text(user, "username", "user_account", ids=True)
    out.account = AccountRecord(
        external_user_id=str(user["id"]) if user.get("id") is not None else None,
        display_name=user.get("business_name") or username,
        profile_url=f"https://www.pinterest.com/{username}/",
        followers_count=count(user.get("follower_count")),
        following_count=count(user.get("following_count")),
        posts_count=count(user.get("pin_count")),
        pins_count=count(user.get("pin_count")),
        # monthly_views is a rolling 30-day figure, not a total: total_views stays None.
    ).as_dict()

    # Pin id -> (Pin, index of its analytics). Listed Pins are indexed by their position,
    # Pins refreshed by id by their page_index; a Pin fetched twice keeps its newest data.
    # Positions count every listed item, as the client numbered them when asking analytics.
    latest: dict[str, tuple[dict[str, Any], int]] = {}
    position = 0
    for payload in ok_payloads(responses, PINS):
        for raw in field_list(obj(payload, "pins page"), "items", "pins page"):
            pin = obj(raw, "pin")
            latest[text(pin, "id", "pin", ids=True)] = (pin, position)
            position += 1
    for r in responses:
        if r.endpoint == PIN and r.ok:
            pin = obj(r.payload, "pin")
            latest[text(pin, "id", "pin", ids=True)] = (pin, r.page_index)

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
    out.account["daily_insights"], out.account["followers_on_day"] = _daily(responses, out.account["followers_count"])
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


# v5 user_account analytics metric type -> records.DAILY_METRICS name.
DAILY_MAP = {
    "IMPRESSION": "impressions",
    "ENGAGEMENT": "engagements",
    "SAVE": "saves",
    "PIN_CLICK": "pin_clicks",
    "OUTBOUND_CLICK": "outbound_clicks",
}
FINAL_STATUSES = ("READY",)  # PROCESSING / ESTIMATE days are not final figures: left out


def _daily(responses: list[RawResponse], followers: int | None) -> tuple[dict[str, int] | None, int | None]:
    """The pull day's row of ``user_account/analytics`` (``daily_metrics[]`` whose ``date`` is the
    request's ``end_date``, when its ``data_status`` is READY), and the followers at the end of
    that day. Pinterest serves no daily follower gains (no unfollows, no net figure), so the count
    is known only for a day with no full day after it at pull time (today, or yesterday pulled
    today): then it is ``follower_count``; else None."""
    asked = [r for r in responses if r.endpoint == USER_ANALYTICS]
    day = None
    for r in asked:
        try:
            day = date.fromisoformat(str(r.request_params["end_date"]))
        except (KeyError, ValueError):
            continue
    if day is None:
        return None, None
    daily: dict[str, int] | None = None
    for payload in ok_payloads(asked, USER_ANALYTICS):
        body = obj(payload, "user_account analytics").get("all")
        rows = body.get("daily_metrics") if isinstance(body, dict) else None
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, dict) or row.get("date") != day.isoformat():
                continue
            if row.get("data_status") not in FINAL_STATUSES or not isinstance(row.get("metrics"), dict):
                continue
            got = {DAILY_MAP[k]: count(v) for k, v in row["metrics"].items() if k in DAILY_MAP}
            daily = {k: v for k, v in got.items() if v is not None} or None
    pulled_on = max(r.fetched_at for r in asked).astimezone(timezone.utc).date()
    on_day = followers if followers is not None and day >= pulled_on - timedelta(days=1) else None
    return daily, on_day


def _summary(payload: Any) -> dict[str, Any]:
    """Window totals of one Pin analytics answer: ``all.summary_metrics`` (or
    ``lifetime_metrics``), else the sum of ``daily_metrics``."""
    body = obj(obj(payload, "pin analytics").get("all"), "pin analytics 'all'")
    for key in ("summary_metrics", "lifetime_metrics"):
        if key in body:
            return obj(body[key], f"pin analytics {key}")
    totals: dict[str, Any] = {}
    for day in field_list(body, "daily_metrics", "pin analytics"):
        metrics = obj(obj(day, "daily metric").get("metrics"), "daily metrics")
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
    media = obj(media, "pin media")
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
        pm = obj(pin["pin_metrics"], "pin_metrics")
        if pm.get("lifetime_metrics") is not None:
            lifetime = obj(pm["lifetime_metrics"], "pin_metrics.lifetime_metrics")
    video = media_type == "video"
    views = _metric(analytics, "VIDEO_MRC_VIEW") if video else None
    avg_ms = _ms(analytics, "VIDEO_AVG_WATCH_TIME") if video else None
    impressions = count(lifetime.get("impression"))
    if impressions is None:
        impressions = _metric(analytics, "IMPRESSION")
    return PostRecord(
        external_post_id=pin_id,
        post_url=f"https://www.pinterest.com/pin/{pin_id}/",
        caption=pin.get("description"),
        title=pin.get("title"),
        media_type=media_type,
        media_url=media_url,
        thumbnail_url=media_url,  # the cover of a video, the largest image otherwise
        duration=round(duration_ms / 1000) if duration_ms is not None else None,
        posted_at=posted_at,
        likes_count=count(lifetime.get("reaction")),
        comments_count=count(lifetime.get("comment")),
        views_count=views,
        saves_count=_metric(analytics, "SAVE"),
        watch_time_seconds=round(avg_ms * views / 1000) if avg_ms is not None and views is not None else None,
        completion_rate=(
            round(min(avg_ms / duration_ms * 100, 100.0), 2) if avg_ms is not None and duration_ms else None
        ),
        impressions=impressions,
        hashtags=None,  # the Pin schema has no structured tags: taken from the description
        # shares and reach: Pinterest v5 reports neither.
    ).as_dict()


def _shares(rows: Any, what: str, key: str = "key") -> dict[str, float]:
    if rows is None:
        return {}
    if not isinstance(rows, list):
        raise ParseError(f"pinterest: audience {what} is not a list")
    result: dict[str, float] = {}
    for raw in rows:
        row = obj(raw, f"audience {what} item")
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
    body = obj(payload, "audience insights")
    demo = body.get("demographics")
    if demo is None:
        return None
    demo = obj(demo, "audience demographics")
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
