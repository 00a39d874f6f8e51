"""A fake Pinterest API v5 rendering :mod:`social_pipeline.simulator.world`.

Serves ``/user_account``, ``/user_account/analytics``, ``/pins`` (``bookmark`` pagination,
``pin_metrics``), ``/pins/{pin_id}/analytics``, ``/ad_accounts`` and
``/ad_accounts/{id}/audience_insights`` as Pinterest documents them. Errors use Pinterest's
``{"code": int, "message": str}`` body (401 code 2 for a bad token).

Analytics follow the real limits: ``start_date``/``end_date`` are required, ``start_date`` may
not be more than 90 days before "today" (the simulator's ``as_of`` day), and days after ``as_of``
have no data. Each day's value is the growth of the world's cumulative metric over that day.

World kinds map onto Pins: video -> video Pin, carousel -> ``multiple_images``, image and text ->
image Pin (Pinterest has no text-only Pins).

Also served: ``GET /pins/{pin_id}`` (one Pin, ``pin_metrics`` optional; 404 code 50 when unknown)
and ``POST /oauth/token`` (form ``grant_type=refresh_token`` with HTTP Basic client credentials):
``demo-refresh-{handle}`` gets ``{"access_token", "token_type", "expires_in", "refresh_token",
"refresh_token_expires_in", "scope", "response_type"}``; another refresh token gets 401 code 283
("The authorization grant is invalid"), missing client credentials 401 code 2.

The demo token with ``-expired`` appended answers 401 ``{"code": 2, "message": "Authentication
failed."}`` like any token Pinterest no longer accepts. ``deprecated_metrics`` plays Pinterest
dropping a metric type: asking for it answers 400 code 1.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from . import audience, world
from .transport import PlatformSimulator, SimRequest, SimResponse, demo_token

PAGE_SIZE = 10  # this fake's page size (the real cap of page_size is 250)
ANALYTICS_DAYS = 90
AGE_SPLIT_45_PLUS = (("45-49", 0.3), ("50-54", 0.25), ("55-64", 0.25), ("65+", 0.2))
COUNTRY_NAMES = {code: c.name for code, c in audience.COUNTRIES.items()}
ANALYTICS_TYPES = (
    "IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK", "VIDEO_MRC_VIEW", "VIDEO_AVG_WATCH_TIME",
    "VIDEO_V50_WATCH_TIME", "QUARTILE_95_PERCENT_VIEW", "VIDEO_START", "VIDEO_10S_VIEW", "ENGAGEMENT",
)


ACCESS_SECONDS = 30 * 86400  # access tokens last 30 days
REFRESH_SECONDS = 60 * 86400  # continuous refresh tokens last 60 days


class Simulator(PlatformSimulator):
    platform = "pinterest"

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests: its body and headers besides Retry-After
        (``wait``: whole seconds until a request is accepted again; ``limit``: per second)."""
        return {"code": 429, "message": "You have exceeded your rate limit. Try again later."}, {}

    def __init__(self, as_of: datetime, handles: list[str] | None = None, deprecated_metrics: Iterable[str] = ()):
        super().__init__(as_of, handles)
        self.deprecated_metrics = set(deprecated_metrics)

    def account_id(self, account: world.Account) -> str:
        return str(10**17 + account.uid % (9 * 10**17))

    def post_id(self, post: world.Post) -> str:
        return str(10**17 + post.uid % (9 * 10**17))  # 18-digit Pin id

    def ad_account_id(self, account: world.Account) -> str:
        return str(549_000_000_000 + account.uid % 999_999_999)

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        parts = [p for p in request.path.split("/") if p]
        if request.method == "POST" and parts == ["oauth", "token"]:
            return self._token(request)
        if request.method != "GET":
            return _error(405, 1, "Method not allowed.")
        token = self.bearer(request)
        if token and token.endswith("-expired"):
            return _error(401, 2, "Authentication failed.")
        acct = self.account_for_token(token)
        if acct is None:
            return _error(401, 2, "Authentication failed.")
        if len(parts) == 2 and parts[0] == "pins":
            post = self.find_post(parts[1])
            if post is None or post.account != acct:
                return _error(404, 50, "Pin not found.")
            return SimResponse(200, self._render_pin(post, request.query.get("pin_metrics") == "true"))
        if parts == ["user_account"]:
            return self._user_account(acct)
        if parts == ["user_account", "analytics"]:
            return self._user_analytics(acct, request)
        if parts == ["pins"]:
            return self._pins(acct, request)
        if len(parts) == 3 and parts[0] == "pins" and parts[2] == "analytics":
            post = self.find_post(parts[1])
            if post is None or post.account != acct:
                return _error(404, 50, "Pin not found.")
            return self._pin_analytics(post, request)
        if parts == ["ad_accounts"]:
            return self._ad_accounts(acct)
        if len(parts) == 3 and parts[0] == "ad_accounts" and parts[2] == "audience_insights":
            if parts[1] != self.ad_account_id(acct):
                return _error(403, 29, "You are not permitted to access that resource.")
            return self._audience(acct, request)
        return _error(404, 404, f"Not found: {request.path}")

    # -- routes -----------------------------------------------------------------------------
    def _token(self, request: SimRequest) -> SimResponse:
        auth = request.headers.get("Authorization", "")
        try:
            user, _, secret = base64.b64decode(auth[6:]).decode().partition(":") if auth.startswith("Basic ") else ("", "", "")
        except (binascii.Error, UnicodeDecodeError):
            user, secret = "", ""
        if not user or not secret:
            return _error(401, 2, "Authentication failed.")
        form = request.body if isinstance(request.body, dict) else {}
        if form.get("grant_type") != "refresh_token":
            return _error(400, 1, "grant_type must be authorization_code, refresh_token or client_credentials.")
        given = str(form.get("refresh_token") or "")
        if not given.startswith("demo-refresh-") or given.endswith("-expired"):
            return _error(401, 283, "The authorization grant is invalid")
        handle = given[len("demo-refresh-"):]
        return SimResponse(200, {
            "access_token": demo_token(self.platform, handle),
            "token_type": "bearer",
            "expires_in": ACCESS_SECONDS,
            "scope": "user_accounts:read,pins:read,boards:read,ads:read",
            # The demo keeps handing out the one refresh token it accepts.
            "refresh_token": given,
            "refresh_token_expires_in": REFRESH_SECONDS,
            "response_type": "refresh_token",
        })

    def _user_account(self, acct: world.Account) -> SimResponse:
        followers = acct.followers(self.as_of)
        return SimResponse(200, {
            "account_type": "BUSINESS",
            "id": self.account_id(acct),
            "profile_image": f"https://i.pinimg.com/280x280_RS/{acct.uid % 256:02x}/{acct.uid:x}.jpg",
            "website_url": f"https://{acct.handle.replace('.', '')}.example.com",
            "username": acct.handle,
            "about": "",
            "business_name": acct.display_name,
            "board_count": 4 + acct.uid % 20,
            "pin_count": len(acct.posts_until(self.as_of)),
            "follower_count": followers,
            "following_count": acct.following(self.as_of),
            "monthly_views": int(followers * 3.1),
        })

    def _window(self, request: SimRequest) -> tuple[date, date] | SimResponse:
        try:
            start = date.fromisoformat(request.query["start_date"])
            end = date.fromisoformat(request.query["end_date"])
        except (KeyError, ValueError):
            return _error(400, 1, "start_date and end_date are required, formatted YYYY-MM-DD.")
        today = self.as_of.date()
        if start > end:
            return _error(400, 1, "start_date must be before end_date.")
        if start < today - timedelta(days=ANALYTICS_DAYS):
            return _error(400, 1, "start_date cannot be more than 90 days in the past.")
        return start, min(end, today)

    def _day_metrics(self, post: world.Post, t0: datetime, t1: datetime) -> dict[str, float]:
        """The growth of a Pin's metrics between two moments (the whole window, or one day)."""
        a, b = self._cumulative(post, t0), self._cumulative(post, t1)
        out = {k: b[k] - a[k] for k in b}
        views = out["VIDEO_MRC_VIEW"]
        out["VIDEO_AVG_WATCH_TIME"] = round(post.duration * post.completion * 1000, 2) if views > 0 else 0
        return out

    def _cumulative(self, post: world.Post, t: datetime) -> dict[str, int]:
        t = min(t, self.as_of)
        views = post.views(t)
        video = post.kind == "video"
        return {
            "IMPRESSION": int(views * 1.35),
            "SAVE": int(views * post.save_rate),
            "PIN_CLICK": int(views * 0.05),
            "OUTBOUND_CLICK": int(views * 0.012),
            "ENGAGEMENT": int(views * (post.save_rate + 0.05)),
            "VIDEO_MRC_VIEW": views if video else 0,
            "VIDEO_START": int(views * 1.2) if video else 0,
            "VIDEO_10S_VIEW": int(views * min(post.completion * 1.1, 1)) if video else 0,
            "VIDEO_V50_WATCH_TIME": int(views * post.duration * post.completion) * 1000 if video else 0,
            "QUARTILE_95_PERCENT_VIEW": int(views * post.completion * 0.6) if video else 0,
        }

    def _series(self, posts: list[world.Post], start: date, end: date, wanted: list[str]) -> dict[str, Any]:
        daily = []
        today = self.as_of.date()
        for i in range((end - start).days + 1):
            day = start + timedelta(days=i)
            t0 = datetime.combine(day, time.min, tzinfo=timezone.utc)
            t1 = t0 + timedelta(days=1)
            totals: dict[str, float] = {k: 0 for k in wanted}
            for post in posts:
                if post.posted_at >= t1:
                    continue
                growth = self._day_metrics(post, t0, t1)
                for k in wanted:
                    totals[k] = max(totals[k], growth[k]) if k == "VIDEO_AVG_WATCH_TIME" else totals[k] + growth[k]
            daily.append({
                "date": day.isoformat(),
                "data_status": "PROCESSING" if day == today else "READY",
                "metrics": totals,
            })
        t0 = datetime.combine(start, time.min, tzinfo=timezone.utc)
        t1 = datetime.combine(end, time.min, tzinfo=timezone.utc) + timedelta(days=1)
        summary: dict[str, float] = {k: 0 for k in wanted}
        for post in posts:
            growth = self._day_metrics(post, t0, t1)
            for k in wanted:
                summary[k] = max(summary[k], growth[k]) if k == "VIDEO_AVG_WATCH_TIME" else summary[k] + growth[k]
        return {"all": {"daily_metrics": daily, "summary_metrics": summary}}

    def _user_analytics(self, acct: world.Account, request: SimRequest) -> SimResponse:
        window = self._window(request)
        if isinstance(window, SimResponse):
            return window
        start, end = window
        oldest = datetime.combine(start, time.min, tzinfo=timezone.utc) - timedelta(days=60)
        # Older posts have stopped growing (the world's curves saturate within days).
        posts = [p for p in acct.posts_until(self.as_of) if p.posted_at >= oldest]
        wanted = ["IMPRESSION", "ENGAGEMENT", "PIN_CLICK", "OUTBOUND_CLICK", "SAVE"]
        return SimResponse(200, self._series(posts, start, end, wanted))

    def _pin_analytics(self, post: world.Post, request: SimRequest) -> SimResponse:
        window = self._window(request)
        if isinstance(window, SimResponse):
            return window
        wanted = [m for m in request.query.get("metric_types", "").split(",") if m]
        if not wanted or any(m not in ANALYTICS_TYPES or m in self.deprecated_metrics for m in wanted):
            return _error(400, 1, "metric_types must be a list of supported metrics.")
        return SimResponse(200, self._series([post], *window, wanted))

    def _pins(self, acct: world.Account, request: SimRequest) -> SimResponse:
        try:
            size = int(request.query.get("page_size") or 25)
        except ValueError:
            return _error(400, 1, "page_size must be an integer.")
        if not 1 <= size <= 250:
            return _error(400, 1, "page_size must be between 1 and 250.")
        size = min(size, PAGE_SIZE)
        start = _offset(request.query.get("bookmark"))
        if start is None:
            return _error(400, 1, "Invalid bookmark.")
        posts = acct.posts_until(self.as_of)
        chunk = posts[start : start + size]
        with_metrics = request.query.get("pin_metrics") == "true"
        items = [self._render_pin(p, with_metrics) for p in chunk]
        more = start + size < len(posts)
        return SimResponse(200, {"items": items, "bookmark": _bookmark(start + size) if more else None})

    def _render_pin(self, post: world.Post, with_metrics: bool) -> dict[str, Any]:
        pin_id = self.post_id(post)
        images = {
            size: {"width": w, "height": h, "url": f"https://i.pinimg.com/{size}/{pin_id[-2:]}/{pin_id}.jpg"}
            for size, w, h in (("150x150", 150, 150), ("400x300", 400, 300), ("600x", 600, 900), ("1200x", 1200, 1800))
        }
        if post.kind == "video":
            media: dict[str, Any] = {
                "media_type": "video",
                "images": images,
                "cover_image_url": images["1200x"]["url"],
                "video_url": f"https://v1.pinimg.com/videos/mc/720p/{pin_id}.mp4",
                "duration": float(post.duration * 1000),  # milliseconds
                "height": 1920,
                "width": 1080,
            }
        elif post.kind == "carousel":
            media = {"media_type": "multiple_images", "images": images,
                     "items": [{"item_type": "image", "images": images} for _ in range(3)]}
        else:
            media = {"media_type": "image", "images": images}
        pin: dict[str, Any] = {
            "id": pin_id,
            "created_at": post.posted_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
            "link": f"https://{post.account.handle.replace('.', '')}.example.com/p/{post.seq}",
            "title": post.title,
            "description": post.caption,
            "alt_text": None,
            "board_id": str(10**14 + post.account.uid % 10**14),
            "board_section_id": None,
            "board_owner": {"username": post.account.handle},
            "creative_type": "VIDEO" if post.kind == "video" else ("CAROUSEL" if post.kind == "carousel" else "REGULAR"),
            "dominant_color": "#6E7874",
            "has_been_promoted": False,
            "is_owner": True,
            "is_standard": True,
            "parent_pin_id": None,
            "note": "",
            "media": media,
        }
        if with_metrics:
            m = post.metrics(self.as_of)
            window_start = self.as_of - timedelta(days=90)
            recent = self._day_metrics(post, window_start, self.as_of)
            pin["pin_metrics"] = {
                "90d": {"pin_click": recent["PIN_CLICK"], "impression": recent["IMPRESSION"],
                        "clickthrough": recent["OUTBOUND_CLICK"]},
                "lifetime_metrics": {
                    "pin_click": int(m["views"] * 0.05),
                    "impression": m["impressions"],
                    "clickthrough": int(m["views"] * 0.012),
                    "reaction": m["likes"],
                    "comment": m["comments"],
                },
            }
        return pin

    def _ad_accounts(self, acct: world.Account) -> SimResponse:
        return SimResponse(200, {"items": [{
            "id": self.ad_account_id(acct),
            "name": f"{acct.display_name} ads",
            "owner": {"username": acct.handle, "id": self.account_id(acct)},
            "country": "US",
            "currency": "USD",
            "permissions": ["OWNER"],
            "created_time": 1_700_000_000,
            "updated_time": 1_700_000_000,
        }], "bookmark": None})

    def _audience(self, acct: world.Account, request: SimRequest) -> SimResponse:
        kind = request.query.get("audience_insight_type")
        if kind not in ("YOUR_TOTAL_AUDIENCE", "YOUR_ENGAGED_AUDIENCE", "PINTEREST_TOTAL_AUDIENCE"):
            return _error(400, 1, "audience_insight_type is required.")
        demo = acct.demographics(self.as_of)

        def item(key: str, share: float, name: str | None = None) -> dict[str, Any]:
            return {"key": key, "name": name or key, "ratio": round(share / 100, 4)}

        ages = [item("18-24", demo["age_18_24"]), item("25-34", demo["age_25_34"]), item("35-44", demo["age_35_44"])]
        ages += [item(k, demo["age_45_plus"] * w) for k, w in AGE_SPLIT_45_PLUS]
        # Under-18s are not reported: their share is simply missing from the ratios.
        genders = [
            item("female", demo["gender_female"], "Female"),
            item("male", demo["gender_male"], "Male"),
            item("unspecified", max(100 - demo["gender_female"] - demo["gender_male"], 0), "Unspecified"),
        ]
        countries = [item(k, v, COUNTRY_NAMES.get(k, k)) for k, v in demo["top_countries"].items()]
        metros = [item(f"metro-{i}", v, name) for i, (name, v) in enumerate(demo["top_cities"].items())]
        return SimResponse(200, {
            "type": kind,
            "date": self.as_of.date().isoformat(),
            "size": acct.followers(self.as_of) * 4,
            "size_is_upper_bound": False,
            "categories": [
                {"key": "918530398158", "name": "home decor", "ratio": 0.21, "index": 1.8,
                 "subcategories": [{"key": "935249274030", "name": "kitchen", "ratio": 0.08, "index": 1.4}]},
            ],
            "demographics": {
                "ages": ages,
                "genders": genders,
                "countries": countries,
                "metros": metros,
                "devices": [item("mobile", 78.0, "Mobile"), item("web", 22.0, "Web")],
            },
        })


def _bookmark(offset: int) -> str:
    return base64.urlsafe_b64encode(f"pins:{offset}".encode()).decode()


def _offset(raw: str | None) -> int | None:
    if not raw:
        return 0
    try:
        text = base64.urlsafe_b64decode(raw.encode()).decode()
        prefix, _, number = text.partition(":")
        return int(number) if prefix == "pins" else None
    except (ValueError, UnicodeDecodeError):
        return None


def _error(status: int, code: int, message: str) -> SimResponse:
    return SimResponse(status, {"code": code, "message": message})
