"""A fake Threads API (graph.threads.net/v1.0) rendering :mod:`social_pipeline.simulator.world`.

Answers what :mod:`social_pipeline.platforms.threads` calls, in Graph's shapes (``data`` +
``paging.cursors``/``previous``/``next`` rendered by :mod:`.meta_graph`, the links repeating the
request's ``access_token`` as Graph's do; insights entries with ``values`` for media and ``total_value`` for
account totals and demographics; ``{"error": {"message", "type", "code", "fbtrace_id"}}``).

World kinds map one to one (Threads has text posts): text -> TEXT_POST, image -> IMAGE,
video -> VIDEO, carousel -> CAROUSEL_ALBUM; only VIDEO posts carry a ``thumbnail_url`` (a .jpg),
as Meta documents. A world post's shares are split into reposts (half),
quotes (a fifth) and shares/sends (the rest). Replies keep their full depth.

Also served: ``GET /{media-id}?fields=...`` (a post by id) and
``GET /refresh_access_token?grant_type=th_refresh_token&access_token=..`` (served at the host
root, so mount the simulator on ``https://graph.threads.net`` as well), which accepts a demo
refresh token ``demo-refresh-<handle>`` or a demo access token.

Account insights over since..until are cut at ``as_of`` (nothing happens after it); the profile
``views`` series has one point per day of the window (end_time the next midnight UTC), its value
deterministic by account and day.

Failure modes on demand:
- the token ``demo_token("threads", handle) + "-expired"`` answers 400 code 190 subcode 463;
- ``Simulator(..., refused_metrics={"quotes"})`` answers insights requests naming one of those
  metrics with 400 ``(#100) metric[i] must be one of the following values: ...``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from . import world
from .meta_graph import (
    graph_too_many,
    DEMO_REFRESH_PREFIX,
    EXPIRED_SUFFIX,
    LONG_LIVED_SECONDS,
    decode_cursor,
    expired_token_error,
    graph_error,
    paged_body,
    parse_fields as _parse_fields,
    select as _select,
    shortcode as _shortcode,
    ts as _ts,
)
from .transport import DEMO_TOKEN_PREFIX, PlatformSimulator, SimRequest, SimResponse, demo_token

BASE = "https://graph.threads.net/v1.0"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
CONVERSATION_PAGE = 20
FLOOR = datetime(2024, 4, 13, 7, 0, tzinfo=timezone.utc)  # epoch 1712991600
MEDIA_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
USER_METRICS = ("views", "likes", "replies", "reposts", "quotes", "clicks", "followers_count")
MEDIA_TYPES = {"text": "TEXT_POST", "image": "IMAGE", "video": "VIDEO", "carousel": "CAROUSEL_ALBUM"}


def split_shares(shares: int) -> dict[str, int]:
    reposts, quotes = shares // 2, shares // 5
    return {"reposts": reposts, "quotes": quotes, "shares": shares - reposts - quotes}


class Simulator(PlatformSimulator):
    platform = "threads"

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests: its body and headers besides Retry-After
        (``wait``: whole seconds until a request is accepted again; ``limit``: per second)."""
        return graph_too_many(wait, limit)

    def __init__(self, as_of, handles=None, *, refused_metrics=()):
        super().__init__(as_of, handles)
        self._reply_index: dict[str, tuple[world.Post, world.Comment]] = {}
        self.refused_metrics = frozenset(refused_metrics)

    def _expired(self, token: str | None) -> bool:
        prefix = f"{DEMO_TOKEN_PREFIX}{self.platform}-"
        return bool(token) and token.startswith(prefix) and token.endswith(EXPIRED_SUFFIX)

    def _refresh(self, request: SimRequest) -> SimResponse:
        if request.query.get("grant_type") != "th_refresh_token":
            return _error(400, 100, "(#100) grant_type must be th_refresh_token", "THApiException")
        token = request.query.get("access_token") or ""
        if self._expired(token):
            return expired_token_error(self.as_of)
        handle = token[len(DEMO_REFRESH_PREFIX):] if token.startswith(DEMO_REFRESH_PREFIX) else None
        acct = self.account(handle) if handle else self.account_for_token(token)
        if acct is None:
            return _error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        return SimResponse(
            200,
            {"access_token": demo_token(self.platform, acct.handle), "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS},
        )

    def _refused(self, metrics: list[str], allowed) -> SimResponse | None:
        for i, m in enumerate(metrics):
            if m in self.refused_metrics:
                valid = ", ".join(a for a in allowed if a not in self.refused_metrics)
                return _error(400, 100, f"(#100) metric[{i}] must be one of the following values: {valid}", "THApiException")
        return None

    def account_id(self, account: world.Account) -> str:
        return str(account.uid % 10**17).zfill(17)

    def post_id(self, post: world.Post) -> str:
        return "18" + str(post.uid % 10**15).zfill(15)

    def reply_id(self, comment: world.Comment) -> str:
        return "18" + str((comment.uid + 7) % 10**15).zfill(15)

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        if request.method != "GET":
            return _error(400, 100, "Unsupported request method", "THApiException")
        if request.path.rstrip("/") == "/refresh_access_token":
            return self._refresh(request)
        token = request.query.get("access_token")
        if self._expired(token):
            return expired_token_error(self.as_of)
        acct = self.account_for_token(token)
        if acct is None:
            return _error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        parts = [p for p in request.path.split("/") if p]
        if not parts or len(parts) > 2:
            return _error(404, 2500, f"Unknown path components: {request.path}")
        node, edge = parts[0], (parts[1] if len(parts) == 2 else None)

        owner = acct if node == "me" else self.find_account(node)
        if owner is not None:
            if owner != acct:
                return _error(400, 10, f"(#10) Application does not have permission for this action on {node}")
            if edge is None:
                return self._profile(acct, request)
            if edge == "threads":
                return self._threads(acct, request)
            if edge == "threads_insights":
                return self._user_insights(acct, request)
            return _error(404, 2500, f"Unknown path components: /{edge}")

        post = self.find_post(node)
        if post is not None:
            if post.account != acct:
                return _error(400, 10, f"(#10) Application does not have permission for this action on {node}")
            if edge == "insights":
                return self._media_insights(post, request)
            if edge == "conversation":
                return self._conversation(post, request)
            if edge is None:
                return SimResponse(200, _select(self._media(post), _parse_fields(request.query.get("fields", "id"))))
            return _error(404, 2500, f"Unknown path components: /{edge}")
        return _error(
            400,
            100,
            f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to "
            "missing permissions, or does not support this operation.",
            "THApiException",
        )

    # -- nodes ------------------------------------------------------------------------------
    def _profile(self, acct: world.Account, request: SimRequest) -> SimResponse:
        full = {
            "id": self.account_id(acct),
            "username": acct.handle,
            "name": acct.display_name,
            "threads_profile_picture_url": f"https://scontent.cdninstagram.com/v/t51.2885-19/{acct.uid:x}.jpg",
            "threads_biography": f"{acct.display_name} on Threads",
        }
        return SimResponse(200, _select(full, _parse_fields(request.query.get("fields", "id"))))

    def _media(self, post: world.Post) -> dict[str, Any]:
        code = _shortcode(post.uid)
        kind = MEDIA_TYPES[post.kind]
        out: dict[str, Any] = {
            "id": self.post_id(post),
            "media_product_type": "THREADS",
            "media_type": kind,
            "permalink": f"https://www.threads.net/@{post.account.handle}/post/{code}",
            "owner": {"id": self.account_id(post.account)},
            "username": post.account.handle,
            "text": post.caption,
            "timestamp": _ts(post.posted_at),
            "shortcode": code,
            "is_quote_post": False,
        }
        if kind != "TEXT_POST":
            ext = "mp4" if kind == "VIDEO" else "jpg"
            out["media_url"] = f"https://scontent.cdninstagram.com/v/t51.2885-15/{out['id']}.{ext}"
        if kind == "VIDEO":  # documented on video posts only
            out["thumbnail_url"] = f"https://scontent.cdninstagram.com/v/t51.2885-15/{out['id']}_thumb.jpg"
        return out

    # -- edges ------------------------------------------------------------------------------
    def _threads(self, acct: world.Account, request: SimRequest) -> SimResponse:
        try:
            limit = max(1, min(int(request.query.get("limit", DEFAULT_LIMIT)), MAX_LIMIT))
        except ValueError:
            return _error(400, 100, "(#100) Param limit must be a number")
        posts = acct.posts_until(self.as_of)
        spec = _parse_fields(request.query.get("fields", "id"))
        return self._page([self._media(p) for p in posts], request, limit, lambda it: _select(it, spec))

    def _conversation(self, post: world.Post, request: SimRequest) -> SimResponse:
        comments = post.comments(self.as_of)
        by_seq = {c.seq: c for c in comments}
        reverse = request.query.get("reverse", "true").lower() != "false"
        ordered = sorted(comments, key=lambda c: (c.created_at, c.seq), reverse=reverse)
        root = {"id": self.post_id(post)}
        spec = _parse_fields(request.query.get("fields", "id"))

        def render(c: world.Comment) -> dict[str, Any]:
            parent = {"id": self.reply_id(by_seq[c.parent_seq])} if c.parent_seq is not None else root
            full = {
                "id": self.reply_id(c),
                "text": c.text,
                "username": c.author,
                "timestamp": _ts(c.created_at),
                "media_product_type": "THREADS",
                "media_type": "TEXT_POST",
                "shortcode": _shortcode(c.uid),
                "permalink": f"https://www.threads.net/@{c.author}/post/{_shortcode(c.uid)}",
                "has_replies": any(o.parent_seq == c.seq for o in comments),
                "root_post": dict(root),
                "replied_to": dict(parent),
                "is_reply": True,
                "is_reply_owned_by_me": c.is_creator,
                "hide_status": "NOT_HUSHED",
            }
            return _select(full, spec)

        return self._page(ordered, request, CONVERSATION_PAGE, render)

    # -- insights ---------------------------------------------------------------------------
    def _media_insights(self, post: world.Post, request: SimRequest) -> SimResponse:
        metrics = [m for m in request.query.get("metric", "").split(",") if m]
        refused = self._refused(metrics, MEDIA_METRICS)
        if refused is not None:
            return refused
        bad = [m for m in metrics if m not in MEDIA_METRICS]
        if not metrics or bad:
            return _error(400, 100, f"(#100) metric[0] must be one of the following values: {', '.join(MEDIA_METRICS)}")
        w = post.metrics(self.as_of)
        values = {"views": w["views"], "likes": w["likes"], "replies": w["comments"], **split_shares(w["shares"])}
        mid = self.post_id(post)
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": values[name]}],
                "title": name.capitalize(),
                "description": f"The number of {name} on your post.",
                "id": f"{mid}/insights/{name}/lifetime",
            }
            for name in metrics
        ]
        return SimResponse(200, {"data": data})

    def account_totals(self, acct: world.Account, since: datetime, until: datetime) -> dict[str, int]:
        """Likes, replies, reposts and quotes that happened between ``since`` and ``until``."""
        totals = dict.fromkeys(("likes", "replies", "reposts", "quotes"), 0)
        for post in acct.posts_until(until):
            end, start = post.metrics(until), post.metrics(since)
            end_split, start_split = split_shares(end["shares"]), split_shares(start["shares"])
            totals["likes"] += end["likes"] - start["likes"]
            totals["replies"] += end["comments"] - start["comments"]
            totals["reposts"] += end_split["reposts"] - start_split["reposts"]
            totals["quotes"] += end_split["quotes"] - start_split["quotes"]
        return totals

    def _user_insights(self, acct: world.Account, request: SimRequest) -> SimResponse:
        metrics = [m for m in request.query.get("metric", "").split(",") if m]
        uid = self.account_id(acct)
        if metrics == ["follower_demographics"]:
            return self._demographics(acct, request.query.get("breakdown"), uid)
        refused = self._refused(metrics, USER_METRICS)
        if refused is not None:
            return refused
        bad = [m for m in metrics if m not in USER_METRICS]
        if not metrics or bad:
            return _error(400, 100, f"(#100) metric[0] must be one of the following values: {', '.join(USER_METRICS)}")
        try:
            since_ts = int(request.query["since"]) if "since" in request.query else None
            until_ts = int(request.query["until"]) if "until" in request.query else None
        except ValueError:
            return _error(400, 100, "(#100) since/until must be Unix timestamps")
        if (since_ts is None) != (until_ts is None):
            return _error(400, 100, "(#100) since and until must be used together")
        if since_ts is None:  # documented default: yesterday through today
            until = self.as_of
            since = self.as_of.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
        else:
            if since_ts < int(FLOOR.timestamp()):
                return _error(400, 100, "(#100) since cannot be before 1712991600")
            since = datetime.fromtimestamp(since_ts, tz=timezone.utc)
            until = min(datetime.fromtimestamp(until_ts, tz=timezone.utc), self.as_of)
            since = min(since, until)  # nothing has happened after as_of yet
        totals = self.account_totals(acct, since, until)
        totals["clicks"] = 0
        totals["followers_count"] = acct.followers(self.as_of)
        data = []
        for name in metrics:
            entry: dict[str, Any] = {
                "name": name,
                "period": "day",
                "title": name.replace("_", " ").capitalize(),
                "description": f"The number of {name.replace('_', ' ')}.",
                "id": f"{uid}/insights/{name}/day",
            }
            if name == "views":  # profile views: a daily series, one value per day of the window
                first = since.date()
                span = (until.date() - first).days + (until.time() != datetime.min.time())
                days = [first + timedelta(days=i) for i in range(span)] if until > since else []
                entry["values"] = [
                    {
                        "value": world.stable_int(uid, "pv", d.isoformat()) % 500,
                        "end_time": _ts(datetime.combine(d + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)),
                    }
                    for d in days
                ]
            else:
                entry["total_value"] = {"value": totals[name]}
            data.append(entry)
        return SimResponse(200, {"data": data})

    def _demographics(self, acct: world.Account, breakdown: str | None, uid: str) -> SimResponse:
        followers = acct.followers(self.as_of)
        demo = acct.demographics(self.as_of)

        def n(pct: float) -> int:
            return int(round(pct / 100 * followers))

        if breakdown == "age":
            older = n(demo["age_45_plus"])
            counts = {
                "13-17": n(demo["age_13_17"]),
                "18-24": n(demo["age_18_24"]),
                "25-34": n(demo["age_25_34"]),
                "35-44": n(demo["age_35_44"]),
                "45-54": older // 2,
                "55-64": older * 3 // 10,
            }
            counts["65+"] = older - counts["45-54"] - counts["55-64"]
        elif breakdown == "gender":
            male, female = n(demo["gender_male"]), n(demo["gender_female"])
            counts = {"F": female, "M": male, "U": max(followers - male - female, 0)}
        elif breakdown == "country":
            counts = {k: n(v) for k, v in demo["top_countries"].items()}
        elif breakdown == "city":
            counts = {k: n(v) for k, v in demo["top_cities"].items()}
        else:
            return _error(400, 100, "(#100) breakdown must be one of: country, city, age, gender")
        return SimResponse(
            200,
            {
                "data": [
                    {
                        "name": "follower_demographics",
                        "period": "lifetime",
                        "title": "Follower demographics",
                        "description": "The demographic characteristics of followers.",
                        "total_value": {
                            "breakdowns": [
                                {
                                    "dimension_keys": [breakdown],
                                    "results": [
                                        {"dimension_values": [k], "value": v} for k, v in counts.items() if v > 0
                                    ],
                                }
                            ]
                        },
                        "id": f"{uid}/insights/follower_demographics/lifetime",
                    }
                ]
            },
        )

    # -- paging -----------------------------------------------------------------------------
    def _page(self, items: list[Any], request: SimRequest, limit: int, render) -> SimResponse:
        start = decode_cursor(request.query.get("after")) or 0
        chunk = [render(it) for it in items[start : start + limit]]
        return SimResponse(200, paged_body(chunk, start, len(items), f"{BASE}{request.path}", dict(request.query)))


def _error(status: int, code: int, message: str, kind: str = "OAuthException", headers=None) -> SimResponse:
    return graph_error(status, code, message, kind, headers=headers)
