"""A fake Facebook Graph API (v25.0) for Pages, rendering :mod:`social_pipeline.simulator.world`.

Serves ``/me``, ``/{page-id}``, ``/{page-id}/posts``, ``/{post-id}/insights``,
``/{post-id}/comments`` and ``/{page-id}/insights`` the way the Graph API documents them:
``{"data": [...], "paging": {"cursors": {"before", "after"}, "previous", "next"}}`` cursor pagination
rendered by :mod:`.meta_graph` (``next`` is dropped on the last page; the links repeat the request's
query, ``access_token`` included, as Graph's do), ``summary.total_count`` on ``limit(0)`` edges, ``shares`` omitted when
nobody shared, ``+0000`` timestamps, and the ``{"error": {"message", "type", "code",
"fbtrace_id"}}`` envelope for errors.

World post kinds map onto Page post kinds: video -> a video post (``added_video``), image -> a photo
(``added_photos``), carousel -> an album, text -> a status update without attachments.

Metrics are the current set (Meta's Pages API changelog, 2025-11-15): post ``post_media_view``,
``post_total_media_view_unique``, ``post_clicks``, ``post_video_views``, ``post_video_view_time``;
Page ``page_follows_country`` / ``page_follows_city``. The retired ``post_impressions*`` and
``page_fans_*`` answer HTTP 400 code 100 ``(#100) The value must be a valid insights metric``, as
Graph does. ``deprecated_metrics`` lets a test retire any other metric the same way.

Reels (``Simulator(..., reels=True)`` renders world videos as Reels: ``/reel/`` permalinks, the
video id in ``attachments.target.id``) have no ``/insights`` edge; their numbers come from
``GET /{video-id}/video_insights?metric=blue_reels_play_count,post_impressions_unique,
post_video_avg_time_watched,post_video_view_time``.

Also served: ``/{post-id}?fields=...`` (one post, for refresh by id), ``/{page-id}?fields=
access_token`` (the Page token), and ``/oauth/access_token?grant_type=fb_exchange_token`` (accepts
``demo-refresh-{handle}`` or the demo token itself, with any non-empty app id/secret; answers
``{"access_token", "token_type": "bearer", "expires_in"}``). Insights validate ``since``/``until``:
Unix seconds, ``since < until``, at most 93 days apart (what Graph enforces; 90 is documented).

Tokens: a bad token answers HTTP 400 ``OAuthException`` code 190; the demo token with
``-expired`` appended answers code 190 subcode 463 (session expired), as Graph does.

Every answer carries ``X-App-Usage`` (percent of the app's hourly budget): low figures normally,
high ones (>= 90 %) for a simulator built with ``high_usage=True``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Iterable
from urllib.parse import urlencode

from . import audience, world
from .meta_graph import graph_too_many, GRAPH_BASE, INVALID_METRIC, decode_cursor, graph_error, insight_entry, paged_body
from .transport import DEMO_TOKEN_PREFIX, PlatformSimulator, SimRequest, SimResponse, demo_token

PAGE_SIZE = 10  # what this fake returns at most per page (the real cap of `limit` is 100)
PUBLIC_BASE = GRAPH_BASE
KNOWN_POST_METRICS = (
    "post_media_view",
    "post_total_media_view_unique",
    "post_clicks",
    "post_video_views",
    "post_video_view_time",
)
KNOWN_REEL_METRICS = (
    "blue_reels_play_count",
    "post_impressions_unique",
    "post_video_avg_time_watched",
    "post_video_view_time",
)
KNOWN_PAGE_METRICS = ("page_follows_country", "page_follows_city")
# period=day Page series (current set after the 2025-11-15 retirements).
DAILY_PAGE_METRICS = (
    "page_media_view",
    "page_total_media_view_unique",
    "page_post_engagements",
    "page_daily_follows_unique",
    "page_daily_unfollows_unique",
)
# Retired for every version on 2025-11-15 (Pages API changelog): Graph answers code 100.
RETIRED_METRICS = frozenset({"post_impressions", "post_impressions_unique", "page_fans_country", "page_fans_city"})
MAX_INSIGHTS_RANGE = 93 * 86400  # what Graph enforces between since and until
LONG_LIVED_SECONDS = 5_183_944  # ~60 days, what fb_exchange_token answers
LOW_USAGE = {"call_count": 4, "total_cputime": 1, "total_time": 2}
HIGH_USAGE = {"call_count": 96, "total_cputime": 41, "total_time": 63}


class Simulator(PlatformSimulator):
    platform = "facebook"

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests: its body and headers besides Retry-After
        (``wait``: whole seconds until a request is accepted again; ``limit``: per second)."""
        return graph_too_many(wait, limit)

    def __init__(
        self,
        as_of: datetime,
        handles: list[str] | None = None,
        deprecated_metrics: Iterable[str] = (),
        high_usage: bool = False,
        reels: bool = False,
    ):
        super().__init__(as_of, handles)
        self.deprecated_metrics = set(deprecated_metrics)
        self.high_usage = high_usage
        self.reels = reels

    # -- identity ---------------------------------------------------------------------------
    def account_id(self, account: world.Account) -> str:
        return str(100_000_000_000_000 + account.uid % 900_000_000_000_000)  # 15-digit Page id

    def object_id(self, post: world.Post) -> str:
        return str(1_000_000_000_000_000 + post.uid % 9_000_000_000_000_000)  # 16 digits

    def post_id(self, post: world.Post) -> str:
        return f"{self.account_id(post.account)}_{self.object_id(post)}"

    def video_id(self, post: world.Post) -> str:
        return str(2_000_000_000_000_000 + post.uid % 7_000_000_000_000_000)  # 16 digits

    def is_reel(self, post: world.Post) -> bool:
        return self.reels and post.kind == "video"

    def comment_id(self, post: world.Post, comment: world.Comment) -> str:
        return f"{self.object_id(post)}_{100_000_000_000_000 + comment.uid % 900_000_000_000_000}"

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        answer = self._route(request)
        usage = HIGH_USAGE if self.high_usage else LOW_USAGE
        answer.headers.setdefault("X-App-Usage", json.dumps(usage))
        return answer

    def _route(self, request: SimRequest) -> SimResponse:
        if request.method != "GET":
            return _error(400, "(#100) Unsupported request method", "GraphMethodException", 100)
        parts = [p for p in request.path.split("/") if p]
        if parts == ["oauth", "access_token"]:
            return self._exchange(request)
        token = request.query.get("access_token")
        if not token:
            return _error(400, "An access token is required to request this resource.", "OAuthException", 104)
        if token.endswith("-expired") and token.startswith(f"{DEMO_TOKEN_PREFIX}{self.platform}-"):
            return _error(
                400,
                f"Error validating access token: Session has expired on {_expired_on(self.as_of)}. "
                f"The current time is {_expired_on(self.as_of, now=True)}.",
                "OAuthException", 190, subcode=463,
            )
        acct = self.account_for_token(token)
        if acct is None:
            return _error(400, "Invalid OAuth access token - Cannot parse access token", "OAuthException", 190)
        page_id = self.account_id(acct)
        if parts == ["me"] or parts == [page_id]:
            return self._page(acct, request)
        if len(parts) == 1:
            post = self.find_post(parts[0])
            if post is not None and post.account == acct:
                return SimResponse(200, self._render_post(post))
        if len(parts) == 2 and parts[0] == page_id and parts[1] == "posts":
            return self._posts(acct, request)
        if len(parts) == 2 and parts[0] == page_id and parts[1] == "insights":
            return self._page_insights(acct, request)
        if len(parts) == 2 and parts[1] == "video_insights":
            post = self._find_video(parts[0])
            if post is not None and post.account == acct:
                return self._video_insights(post, request)
        if len(parts) == 2 and parts[1] in ("insights", "comments"):
            post = self.find_post(parts[0])
            if post is not None and post.account == acct:
                if parts[1] == "insights" and self.is_reel(post):
                    return _error(400, "(#100) Tried accessing nonexisting field (insights) on node type (Video)",
                                  "OAuthException", 100)
                return self._post_insights(post, request) if parts[1] == "insights" else self._comments(post, request)
        return _error(
            404,
            f"Unsupported get request. Object with ID '{parts[0] if parts else ''}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation.",
            "GraphMethodException",
            100,
            subcode=33,
        )

    # -- routes -----------------------------------------------------------------------------
    def _exchange(self, request: SimRequest) -> SimResponse:
        q = request.query
        if q.get("grant_type") != "fb_exchange_token":
            return _error(400, "(#100) Invalid grant_type", "OAuthException", 100)
        if not q.get("client_id") or not q.get("client_secret"):
            return _error(400, "Missing client_id or client_secret parameter.", "OAuthException", 101)
        given = q.get("fb_exchange_token") or ""
        handle = None
        if given.startswith("demo-refresh-"):
            handle = given[len("demo-refresh-"):]
        elif given.startswith(f"{DEMO_TOKEN_PREFIX}{self.platform}-") and not given.endswith("-expired"):
            handle = given[len(f"{DEMO_TOKEN_PREFIX}{self.platform}-"):]
        if not handle:
            return _error(400, "Invalid OAuth access token - Cannot parse access token", "OAuthException", 190)
        return SimResponse(200, {
            "access_token": demo_token(self.platform, handle),
            "token_type": "bearer",
            "expires_in": LONG_LIVED_SECONDS,
        })

    def _check_range(self, request: SimRequest) -> SimResponse | None:
        q = request.query
        if "since" not in q and "until" not in q:
            return None
        try:
            since, until = int(q["since"]), int(q["until"])
        except (KeyError, ValueError):
            return _error(400, "(#100) since and until must be Unix timestamps", "OAuthException", 100)
        if since >= until:
            return _error(400, "(#100) since must be before until", "OAuthException", 100)
        if until - since > MAX_INSIGHTS_RANGE:
            return _error(
                400, f"(#100) There cannot be more than 93 days ({MAX_INSIGHTS_RANGE} s) between since and until",
                "OAuthException", 100,
            )
        return None

    def _page(self, acct: world.Account, request: SimRequest) -> SimResponse:
        followers = acct.followers(self.as_of)
        full = {
            "id": self.account_id(acct),
            "name": acct.display_name,
            "username": acct.handle,
            "fan_count": int(followers * 0.93),  # Page likes trail Page followers
            "followers_count": followers,
            "link": f"https://www.facebook.com/{acct.handle}",
            "access_token": demo_token(self.platform, acct.handle),  # the Page token, when asked for
        }
        fields = _fields(request) or ["id", "name"]
        return SimResponse(200, {k: full[k] for k in fields if k in full} | {"id": full["id"]})

    def _find_video(self, video_id: str) -> world.Post | None:
        for acct in self._accounts.values():
            for post in acct.posts_until(self.as_of):
                if post.kind == "video" and self.video_id(post) == video_id:
                    return post
        return None

    def _posts(self, acct: world.Account, request: SimRequest) -> SimResponse:
        posts = acct.posts_until(self.as_of)
        start = _cursor(request.query.get("after"))
        if start is None:
            return _error(400, "(#100) Invalid cursor", "OAuthException", 100)
        limit = _limit(request.query.get("limit"))
        chunk = posts[start : start + limit]
        data = [self._render_post(p) for p in chunk]
        return SimResponse(200, self._paged(data, start, len(chunk), len(posts), request))

    def _render_post(self, post: world.Post) -> dict[str, Any]:
        m = post.metrics(self.as_of)
        object_id = self.object_id(post)
        body: dict[str, Any] = {
            "id": self.post_id(post),
            "created_time": _ts(post.posted_at),
            "permalink_url": f"https://www.facebook.com/{post.account.handle}/posts/{object_id}",
            "reactions": {"data": [], "summary": {"total_count": m["likes"], "viewer_reaction": "NONE"}},
            "comments": {"data": [], "summary": {"order": "ranked", "total_count": m["comments"], "can_comment": True}},
        }
        if post.caption:
            body["message"] = post.caption
        if m["shares"] > 0:
            body["shares"] = {"count": m["shares"]}
        image = {"height": 720, "width": 720, "src": f"https://scontent.xx.fbcdn.net/v/t39.30808-6/{object_id}_n.jpg"}
        if post.kind == "video":
            video_id = self.video_id(post)
            link = (
                f"https://www.facebook.com/reel/{video_id}"
                if self.is_reel(post)
                else f"https://www.facebook.com/{post.account.handle}/videos/{video_id}"
            )
            if self.is_reel(post):
                body["permalink_url"] = link
            body["status_type"] = "added_video"
            body["attachments"] = {"data": [{
                "media_type": "video",
                "type": "video_inline",
                "media": {"image": image, "source": f"https://video.xx.fbcdn.net/v/t42.1790-2/{object_id}_n.mp4"},
                "target": {"id": video_id, "url": link},
                "url": link,
            }]}
        elif post.kind == "image":
            body["status_type"] = "added_photos"
            body["attachments"] = {"data": [{"media_type": "photo", "type": "photo", "media": {"image": image}}]}
        elif post.kind == "carousel":
            body["status_type"] = "added_photos"
            body["attachments"] = {"data": [{"media_type": "album", "type": "album", "media": {"image": image}}]}
        else:
            body["status_type"] = "mobile_status_update"
        return body

    def _post_insights(self, post: world.Post, request: SimRequest) -> SimResponse:
        problem = self._check_range(request)
        if problem is not None:
            return problem
        wanted = [m for m in request.query.get("metric", "").split(",") if m]
        if not wanted:
            return _error(400, "(#100) The parameter metric is required", "OAuthException", 100)
        bad = [m for m in wanted if m not in KNOWN_POST_METRICS or m in self.deprecated_metrics]
        if bad:
            return _error(400, INVALID_METRIC, "OAuthException", 100)
        m = post.metrics(self.as_of)
        video = post.kind == "video"
        values = {
            "post_media_view": m["impressions"],
            "post_total_media_view_unique": m["reach"],
            "post_clicks": int(m["views"] * 0.04),
            "post_video_views": m["views"] if video else 0,
            "post_video_view_time": m["watch_time_seconds"] * 1000 if video else 0,  # milliseconds
        }
        post_id = self.post_id(post)
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": values[name]}],
                "title": name.replace("_", " ").title(),
                "description": f"Lifetime: {name}",
                "id": f"{post_id}/insights/{name}/lifetime",
            }
            for name in wanted
        ]
        return SimResponse(200, {"data": data})

    def _video_insights(self, post: world.Post, request: SimRequest) -> SimResponse:
        wanted = [m for m in request.query.get("metric", "").split(",") if m]
        if not wanted:
            return _error(400, "(#100) The parameter metric is required", "OAuthException", 100)
        bad = [m for m in wanted if m not in KNOWN_REEL_METRICS or m in self.deprecated_metrics]
        if bad:
            return _error(400, INVALID_METRIC, "OAuthException", 100)
        m = post.metrics(self.as_of)
        values = {
            "blue_reels_play_count": m["views"],
            "post_impressions_unique": m["reach"],
            "post_video_avg_time_watched": int(round(post.duration * post.completion * 1000)),  # ms
            "post_video_view_time": m["watch_time_seconds"] * 1000,  # ms
        }
        video_id = self.video_id(post)
        data = [insight_entry(video_id, name, values[name], edge="video_insights") for name in wanted]
        return SimResponse(200, {"data": data})

    def _comments(self, post: world.Post, request: SimRequest) -> SimResponse:
        comments = post.comments(self.as_of)
        stream = request.query.get("filter") == "stream"
        listed = comments if stream else [c for c in comments if c.parent_seq is None]
        listed = sorted(listed, key=lambda c: (c.created_at, c.seq))
        start = _cursor(request.query.get("after"))
        if start is None:
            return _error(400, "(#100) Invalid cursor", "OAuthException", 100)
        limit = _limit(request.query.get("limit"))
        chunk = listed[start : start + limit]
        by_seq = {c.seq: c for c in comments}
        page_id = self.account_id(post.account)
        data = []
        for c in chunk:
            author = (
                {"id": page_id, "name": post.account.display_name}
                if c.is_creator
                else {"id": str(world.stable_int("fb-user", c.author) % 10**16), "name": c.author}
            )
            row: dict[str, Any] = {
                "id": self.comment_id(post, c),
                "message": c.text,
                "from": author,
                "created_time": _ts(c.created_at),
                "like_count": c.likes(self.as_of),
                "comment_count": sum(1 for r in comments if r.parent_seq == c.seq),
            }
            if c.parent_seq is not None:
                row["parent"] = {"id": self.comment_id(post, by_seq[c.parent_seq])}
            data.append(row)
        return SimResponse(200, self._paged(data, start, len(chunk), len(listed), request))

    def _page_insights(self, acct: world.Account, request: SimRequest) -> SimResponse:
        problem = self._check_range(request)
        if problem is not None:
            return problem
        wanted = [m for m in request.query.get("metric", "").split(",") if m]
        if not wanted:
            return _error(400, "(#100) The parameter metric is required", "OAuthException", 100)
        if request.query.get("period") == "day":
            return self._page_daily(acct, request, wanted)
        bad = [m for m in wanted if m not in KNOWN_PAGE_METRICS or m in self.deprecated_metrics]
        if bad:
            return _error(400, INVALID_METRIC, "OAuthException", 100)
        demo = acct.demographics(self.as_of)
        fans = acct.followers(self.as_of)
        breakdowns = {
            # Every follower has a country (the listed ones, then the rest of the world); cities are
            # the top ones only, so they add up to less than the Page's followers.
            "page_follows_country": _counts(demo["top_countries"], fans, rest=True),
            "page_follows_city": _counts(demo["top_cities"], fans, rest=False),
        }
        end_time = _ts(self.as_of.replace(hour=8, minute=0, second=0, microsecond=0))
        page_id = self.account_id(acct)
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": breakdowns[name], "end_time": end_time}],
                "title": name.replace("_", " ").title(),
                "description": "Lifetime: aggregated followers by location",
                "id": f"{page_id}/insights/{name}/lifetime",
            }
            for name in wanted
        ]
        return SimResponse(200, {"data": data})

    def day_values(self, acct: world.Account, day) -> dict[str, int]:
        """The period=day Page numbers of ``day`` (a date), consistent with the world: follows -
        unfollows is the change of the followers count over the day, views are the views the
        Page's posts gained that day."""
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=self.as_of.tzinfo) - timedelta(seconds=1)
        before = end - timedelta(days=1)
        net = acct.followers(end) - acct.followers(before)
        churn = world.rng(self.platform, acct.handle, "unfollows", day.isoformat()).randint(0, 3)
        views = sum(p.views(end) - p.views(before) for p in acct.posts_until(end))
        return {
            "page_media_view": views,
            "page_total_media_view_unique": int(views * 0.62),
            "page_post_engagements": int(views * 0.04),
            "page_daily_follows_unique": max(net, 0) + churn,
            "page_daily_unfollows_unique": churn - min(net, 0),
        }

    def _page_daily(self, acct: world.Account, request: SimRequest, wanted: list[str]) -> SimResponse:
        """``period=day``: one value per day from ``since`` to ``until``, each stamped with the
        next day's 08:00 (Pacific midnight) as Graph does; days after the simulated now have none."""
        bad = [m for m in wanted if m not in DAILY_PAGE_METRICS or m in self.deprecated_metrics]
        if bad:
            return _error(400, INVALID_METRIC, "OAuthException", 100)
        since = datetime.fromtimestamp(int(request.query["since"]), tz=self.as_of.tzinfo).date()
        until = datetime.fromtimestamp(int(request.query["until"]), tz=self.as_of.tzinfo).date()
        days = [since + timedelta(days=i) for i in range((until - since).days)]
        # The simulated now is the end of as_of: later days happened nowhere in the world yet, and
        # are served as zeros so a pull "as of" the partition day rebuilds today's followers count.
        numbers = {d: self.day_values(acct, d) if d <= self.as_of.date() else dict.fromkeys(DAILY_PAGE_METRICS, 0) for d in days}
        page_id = self.account_id(acct)
        data = [
            {
                "name": name,
                "period": "day",
                "values": [
                    {"value": numbers[d][name], "end_time": _ts(datetime.combine(d + timedelta(days=1), datetime.min.time(), tzinfo=self.as_of.tzinfo).replace(hour=8))}
                    for d in days
                ],
                "title": name.replace("_", " ").title(),
                "description": "Daily: " + name.replace("_", " "),
                "id": f"{page_id}/insights/{name}/day",
            }
            for name in wanted
        ]
        # Insights page by time, not cursors: the links move since/until by the range and repeat
        # the rest of the query, access_token included, as Graph's do.
        q = dict(request.query)
        span = int(q["until"]) - int(q["since"])
        link = f"{PUBLIC_BASE}{request.path}"
        paging = {
            "previous": f"{link}?{urlencode({**q, 'since': int(q['since']) - span, 'until': int(q['since'])})}",
            "next": f"{link}?{urlencode({**q, 'since': int(q['until']), 'until': int(q['until']) + span})}",
        }
        return SimResponse(200, {"data": data, "paging": paging})

    # -- helpers ----------------------------------------------------------------------------
    def _paged(self, data: list[Any], start: int, n: int, total: int, request: SimRequest) -> dict[str, Any]:
        """Graph's page: the links repeat the request's query, ``access_token`` included."""
        return paged_body(data, start, total, f"{PUBLIC_BASE}{request.path}", dict(request.query))


def _counts(shares: dict[str, float], total: int, rest: bool) -> dict[str, int]:
    """Follower counts whose shares of ``total`` reproduce the world's percentages; with ``rest``
    the followers not in ``shares`` are spread over the other countries (:mod:`.audience`)."""
    counts = {k: int(round(v / 100 * total)) for k, v in shares.items()}
    if rest:
        # Two rest-of-world keys keep the answer within the parser's top ten, so its shares add up
        # to 100 (test_facebook_client); Graph itself lists up to 45 countries.
        counts.update(audience.rest_of_world(shares, total, count=2))
    return counts


def _fields(request: SimRequest) -> list[str]:
    return [f for f in request.query.get("fields", "").split(",") if f]


def _limit(raw: str | None) -> int:
    try:
        value = int(raw) if raw else 25
    except ValueError:
        value = 25
    return max(1, min(value, PAGE_SIZE))


def _cursor(raw: str | None) -> int | None:
    """Index of the first row after the cursor (0 without one); None when the cursor is bad."""
    return decode_cursor(raw)


def _expired_on(moment: datetime, now: bool = False) -> str:
    """Graph's wording of the expiry moment (a day before ``moment``) or of the current time."""
    when = moment if now else moment - timedelta(days=1)
    return when.strftime("%A, %d-%b-%y %H:%M:%S UTC")


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _error(status: int, message: str, kind: str, code: int, subcode: int | None = None) -> SimResponse:
    return graph_error(status, code, message, kind, subcode=subcode)
