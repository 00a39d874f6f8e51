"""A fake Instagram Graph API (v25.0) rendering :mod:`social_pipeline.simulator.world`.

Answers the endpoints :mod:`social_pipeline.platforms.instagram` calls, with Graph's shapes
(paging and errors from :mod:`.meta_graph`: ``{"data": [...], "paging": {"cursors": {"before",
"after"}, "previous", "next": url}}`` with the request's ``access_token`` repeated in the links, as
Graph does), insights entries ``{"name", "period", "values": [{"value"}], "title", "description",
"id": "{object-id}/insights/{metric}/{period}"}`` (``total_value`` for ``metric_type=total_value``),
and errors ``{"error": {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"}}``.

World posts map onto Instagram as: video -> VIDEO/REELS, image and text -> IMAGE/FEED (Instagram
has no text posts; a text post is an image with text on it), carousel -> CAROUSEL_ALBUM/FEED.
Only VIDEO media carry a ``thumbnail_url`` (a .jpg cover), as Meta documents.
Comment threads are flattened to Instagram's one level: a reply to a reply hangs under its
top-level comment.

Login types (``host``): a simulator built with ``host="facebook"`` plays graph.facebook.com, one
with ``host="instagram"`` plays graph.instagram.com. Tokens made by :func:`login_token` carry the
login type's prefix (``EAA`` Facebook Login, ``IG`` Instagram Login); each host refuses the other
login's tokens with code 190, as Meta documents. For a Facebook-Login token, ``/me`` is the
Facebook user (asking it for ``username`` answers ``(#12) username field is deprecated``) and
``/me/accounts?fields=instagram_business_account{id,username}`` lists the user's Pages with their
Instagram professional account. Plain demo tokens work on both hosts (``/me`` is the Instagram
account, as for an Instagram-Login token).

Also served: ``GET /{media-id}?fields=...`` (a media node), the token endpoints
``GET /refresh_access_token?grant_type=ig_refresh_token`` (graph.instagram.com; mount the
simulator there too) and ``GET /oauth/access_token?grant_type=fb_exchange_token`` (Graph host).
They accept a demo refresh token ``demo-refresh-<handle>`` or a demo access token and answer
``{"access_token", "token_type": "bearer", "expires_in"}``; anything else gets error 190.

Account insights over a window (``GET /{ig-user-id}/insights?metric=...&period=day
&metric_type=total_value&since=..&until=..``, at most 30 days): one ``total_value`` per metric for
what happened in the window, cut at ``as_of`` (later days have no activity yet): views, likes,
comments, shares and saves are the growth of the account's posts' counts; ``follows_and_unfollows``
with ``breakdown=follow_type`` splits into FOLLOWER (follows) and NON_FOLLOWER (unfollows), whose
difference is the change of ``followers_count`` over the window. Deterministic by account and window.

Failure modes on demand:
- the token ``demo_token("instagram", handle) + "-expired"`` answers 400 with code 190 and
  subcode 463 ("Session has expired"), as Graph does for an expired token;
- ``Simulator(..., refused_metrics={"saved"})`` answers any insights request naming one of those
  metrics with 400 ``(#100) metric[i] must be one of the following values: ...`` (a retired metric).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from . import world
from .meta_graph import (
    graph_too_many,
    DEMO_REFRESH_PREFIX,
    EXPIRED_SUFFIX,
    GRAPH_BASE,
    INSTAGRAM_BASE,
    LONG_LIVED_SECONDS,
    SHORTCODE_ALPHABET,
    decode_cursor,
    encode_cursor,
    expired_token_error,
    graph_error,
    paged_body,
    parse_fields as _parse_fields,
    select as _select,
    shortcode as _shortcode,
    ts as _ts,
)
from .transport import DEMO_TOKEN_PREFIX, PlatformSimulator, SimRequest, SimResponse, demo_token

BASE = GRAPH_BASE
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
NESTED_REPLIES = 3  # replies shown inside a comment before its own paging kicks in
# ``views`` serves every media product type (FEED, REELS, STORY) since v22.0
FEED_METRICS = {"reach", "saved", "shares", "views", "total_interactions", "likes", "comments"}
REELS_METRICS = FEED_METRICS | {"ig_reels_avg_watch_time", "ig_reels_video_view_total_time"}
LOGIN_PREFIXES = {"facebook": "EAA", "instagram": "IG"}
# Account insights served over since/until with period=day and metric_type=total_value.
USER_PERIOD_METRICS = (
    "views", "reach", "accounts_engaged", "total_interactions", "likes", "comments", "shares", "saves",
    "replies", "profile_links_taps", "follows_and_unfollows",
)


def login_token(handle: str, login: str) -> str:
    """A demo token of a login type: ``EAA...`` (Facebook Login) or ``IG...`` (Instagram Login)."""
    return LOGIN_PREFIXES[login] + demo_token("instagram", handle)


def _encode(offset: int) -> str:
    return encode_cursor(offset)


def _decode(cursor: str | None) -> int:
    return decode_cursor(cursor) or 0


class Simulator(PlatformSimulator):
    platform = "instagram"

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests: its body and headers besides Retry-After
        (``wait``: whole seconds until a request is accepted again; ``limit``: per second)."""
        return graph_too_many(wait, limit)

    def __init__(self, as_of, handles=None, *, refused_metrics=(), host: str = "facebook"):
        super().__init__(as_of, handles)
        self._comment_index: dict[str, tuple[world.Post, world.Comment]] = {}
        self.refused_metrics = frozenset(refused_metrics)
        self.host = host
        self.link_base = INSTAGRAM_BASE if host == "instagram" else GRAPH_BASE

    def page_id(self, account: world.Account) -> str:
        return str(100_000_000_000_000 + account.uid % 900_000_000_000_000)

    def facebook_user_id(self, account: world.Account) -> str:
        return str(10_000_000_000_000_000 + account.uid % 9_000_000_000_000_000)

    def login_of(self, token: str | None) -> tuple[str | None, str | None]:
        """(login type, demo token) of a token: "facebook"/"instagram" for prefixed tokens."""
        for login, prefix in LOGIN_PREFIXES.items():
            if token and token.startswith(prefix + DEMO_TOKEN_PREFIX):
                return login, token[len(prefix):]
        return None, token

    def account_id(self, account: world.Account) -> str:
        return "17841" + str(account.uid % 10**12).zfill(12)

    def post_id(self, post: world.Post) -> str:
        return "179" + str(post.uid % 10**14).zfill(14)

    def comment_id(self, comment: world.Comment) -> str:
        return "178" + str(comment.uid % 10**14).zfill(14)

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        if request.method != "GET":
            return _error(400, 100, "Unsupported request method", "GraphMethodException")
        parts = [p for p in request.path.split("/") if p]
        if parts == ["refresh_access_token"]:
            if request.query.get("grant_type") != "ig_refresh_token":
                return _error(400, 100, "(#100) grant_type must be ig_refresh_token")
            return self._exchange(request.query.get("access_token"))
        if parts == ["oauth", "access_token"]:
            if request.query.get("grant_type") != "fb_exchange_token":
                return _error(400, 100, "(#100) Unsupported grant_type")
            if not request.query.get("client_id") or not request.query.get("client_secret"):
                return _error(400, 101, "Error validating application. Invalid application ID.")
            return self._exchange(request.query.get("fb_exchange_token"))
        login, token = self.login_of(request.query.get("access_token"))
        if self.is_expired(token):
            return expired_token_error(self.as_of)
        acct = self.account_for_token(token)
        if acct is None or (login is not None and login != self.host):
            # Instagram-Login tokens are not valid on graph.facebook.com, nor the reverse.
            return _error(
                400,
                190,
                "Invalid OAuth access token - Cannot parse access token",
                headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"'},
            )
        if login == "facebook" and parts == ["me"]:
            if "username" in _fields(request):
                return _error(400, 12, "(#12) username field is deprecated for versions v2.0 and higher")
            return self._node({"id": self.facebook_user_id(acct), "name": acct.display_name}, request)
        if login == "facebook" and parts == ["me", "accounts"]:
            return self._pages(acct, request)
        if parts == ["me"]:
            return self._node({"id": self.account_id(acct), "username": acct.handle}, request)
        if len(parts) not in (1, 2):
            return _unknown(request.path)
        node, edge = parts[0], (parts[1] if len(parts) == 2 else None)

        owner = self.find_account(node)
        if owner is not None:
            if owner != acct:
                return _no_permission(node)
            if edge is None:
                return self._user(acct, request)
            if edge == "media":
                return self._media_list(acct, request)
            if edge == "insights":
                return self._user_insights(acct, request)
            return _unknown(request.path)

        post = self.find_post(node)
        if post is not None:
            if post.account != acct:
                return _no_permission(node)
            if edge == "insights":
                return self._media_insights(post, request)
            if edge == "comments":
                return self._comments(post, request)
            if edge is None:
                return self._node(self._media(post), request)
            return _unknown(request.path)

        if node in self._comment_index and edge == "replies":
            return self._more_replies(node, request)
        return _error(
            400,
            100,
            f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to "
            "missing permissions, or does not support this operation.",
            "GraphMethodException",
        )

    # -- tokens -------------------------------------------------------------------------------
    def is_expired(self, token: str | None) -> bool:
        prefix = f"{DEMO_TOKEN_PREFIX}{self.platform}-"
        return bool(token) and token.startswith(prefix) and token.endswith(EXPIRED_SUFFIX)

    def _exchange(self, token: str | None) -> SimResponse:
        """A new long-lived token for a demo refresh token or a demo access token."""
        token = token or ""
        if self.is_expired(token):
            return expired_token_error(self.as_of)
        handle = token[len(DEMO_REFRESH_PREFIX):] if token.startswith(DEMO_REFRESH_PREFIX) else None
        acct = self.account(handle) if handle else self.account_for_token(token)
        if acct is None:
            return _error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        return SimResponse(
            200,
            {"access_token": demo_token(self.platform, acct.handle), "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS},
        )

    # -- nodes --------------------------------------------------------------------------------
    def _node(self, full: dict[str, Any], request: SimRequest) -> SimResponse:
        fields = _fields(request)
        return SimResponse(200, _select(full, fields) if fields else {"id": full["id"]})

    def _user(self, acct: world.Account, request: SimRequest) -> SimResponse:
        full = {
            "id": self.account_id(acct),
            "username": acct.handle,
            "name": acct.display_name,
            "followers_count": acct.followers(self.as_of),
            "follows_count": acct.following(self.as_of),
            "media_count": len(acct.posts_until(self.as_of)),
            "biography": f"Creator account of {acct.display_name}",
        }
        return self._node(full, request)

    def _media(self, post: world.Post) -> dict[str, Any]:
        m = post.metrics(self.as_of)
        media_type, product = {
            "video": ("VIDEO", "REELS"),
            "carousel": ("CAROUSEL_ALBUM", "FEED"),
        }.get(post.kind, ("IMAGE", "FEED"))
        code = _shortcode(post.uid)
        mid = self.post_id(post)
        full: dict[str, Any] = {
            "id": mid,
            "caption": post.caption,
            "media_type": media_type,
            "media_product_type": product,
            "media_url": f"https://scontent.cdninstagram.com/v/t51.2885-15/{mid}_n.{'mp4' if media_type == 'VIDEO' else 'jpg'}",
            "permalink": f"https://www.instagram.com/{'reel' if product == 'REELS' else 'p'}/{code}/",
            "shortcode": code,
            "timestamp": _ts(post.posted_at),
            "like_count": m["likes"],
            "comments_count": m["comments"],
        }
        if media_type == "VIDEO":  # documented on VIDEO media only: the cover frame as a .jpg
            full["thumbnail_url"] = f"https://scontent.cdninstagram.com/v/t51.2885-15/{mid}_thumb.jpg"
        return full

    def _pages(self, acct: world.Account, request: SimRequest) -> SimResponse:
        """``/me/accounts``: the Pages the Facebook user manages, with their Instagram account."""
        pages = [
            {
                "id": self.page_id(acct),
                "name": f"{acct.display_name} (Page)",
                "access_token": "EAA-page-token-not-for-instagram",
                "instagram_business_account": {"id": self.account_id(acct), "username": acct.handle},
            },
            {"id": "100000000000001", "name": "A Page without Instagram"},
        ]
        spec = _fields(request) or {"id": None, "name": None}
        return self._page(pages, request, lambda it: _select(it, spec))

    # -- edges --------------------------------------------------------------------------------
    def _media_list(self, acct: world.Account, request: SimRequest) -> SimResponse:
        items = [self._media(p) for p in acct.posts_until(self.as_of)]
        fields = _fields(request) or ["id"]
        return self._page(items, request, lambda it: _select(it, fields))

    def _comments(self, post: world.Post, request: SimRequest) -> SimResponse:
        comments = post.comments(self.as_of)
        by_seq = {c.seq: c for c in comments}

        def root(c: world.Comment) -> world.Comment:
            while c.parent_seq is not None:
                c = by_seq[c.parent_seq]
            return c

        tops = [c for c in comments if c.parent_seq is None]
        tops.sort(key=lambda c: c.created_at, reverse=True)  # newest first
        replies: dict[int, list[world.Comment]] = {c.seq: [] for c in tops}
        for c in comments:
            if c.parent_seq is not None:
                replies[root(c).seq].append(c)
        for c in comments:
            self._comment_index[self.comment_id(c)] = (post, root(c))

        spec = _parse_fields(request.query.get("fields", "id"))

        def render(top: world.Comment) -> dict[str, Any]:
            out = _select(self._comment(top, post), spec)
            if "replies" in spec:
                nested = sorted(replies[top.seq], key=lambda c: c.created_at)  # oldest first
                rendered = [_select(self._comment(r, post, parent=top), spec["replies"] or {"id": None}) for r in nested]
                if rendered:
                    out["replies"] = self._paged_body(
                        rendered, 0, NESTED_REPLIES, f"{self.link_base}/{self.comment_id(top)}/replies", request, "replies"
                    )
            return out

        return self._page(tops, request, render)

    def _more_replies(self, comment_id: str, request: SimRequest) -> SimResponse:
        post, top = self._comment_index[comment_id]
        nested = sorted(
            (c for c in post.comments(self.as_of) if self._comment_index.get(self.comment_id(c), (None, None))[1] == top and c != top),
            key=lambda c: c.created_at,
        )
        spec = _parse_fields(request.query.get("fields", "id"))
        items = [_select(self._comment(r, post, parent=top), spec) for r in nested]
        return self._page(items, request, lambda it: it)

    def _comment(self, c: world.Comment, post: world.Post, parent: world.Comment | None = None) -> dict[str, Any]:
        author_id = self.account_id(post.account) if c.is_creator else str(17841000000000000 + world.stable_int(c.author) % 10**11)
        out = {
            "id": self.comment_id(c),
            "text": c.text,
            "username": c.author,
            "timestamp": _ts(c.created_at),
            "like_count": c.likes(self.as_of),
            "from": {"id": author_id, "username": c.author},
            "media": {"id": self.post_id(post), "media_product_type": "REELS" if post.kind == "video" else "FEED"},
            "hidden": False,
        }
        if parent is not None:
            out["parent_id"] = self.comment_id(parent)
        return out

    # -- insights -----------------------------------------------------------------------------
    def _media_insights(self, post: world.Post, request: SimRequest) -> SimResponse:
        metrics = [m for m in request.query.get("metric", "").split(",") if m]
        if not metrics:
            return _error(400, 100, "(#100) The value must be a valid insights metric")
        allowed = REELS_METRICS if post.kind == "video" else FEED_METRICS
        retired = [i for i, m in enumerate(metrics) if m in self.refused_metrics]
        if retired:
            valid = ", ".join(sorted(allowed - self.refused_metrics))
            return _error(400, 100, f"(#100) metric[{retired[0]}] must be one of the following values: {valid}")
        bad = [m for m in metrics if m not in allowed]
        if bad:
            return _error(
                400, 100, f"(#100) {bad[0]} metric is not supported for this media product type", "OAuthException"
            )
        w = post.metrics(self.as_of)
        values = {
            "reach": w["reach"],
            "saved": w["saves"],
            "shares": w["shares"],
            "views": w["views"],
            "likes": w["likes"],
            "comments": w["comments"],
            "total_interactions": w["likes"] + w["comments"] + w["saves"] + w["shares"],
            "ig_reels_avg_watch_time": int(round(post.duration * post.completion * 1000)),
            "ig_reels_video_view_total_time": w["watch_time_seconds"] * 1000,
        }
        mid = self.post_id(post)
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": values[name]}],
                "title": name.replace("_", " ").capitalize(),
                "description": f"Lifetime {name.replace('_', ' ')} of this media.",
                "id": f"{mid}/insights/{name}/lifetime",
            }
            for name in metrics
        ]
        return SimResponse(200, {"data": data})

    def _user_insights(self, acct: world.Account, request: SimRequest) -> SimResponse:
        metric = request.query.get("metric", "")
        if "since" in request.query or "until" in request.query:
            return self._user_period(acct, request)
        uid = self.account_id(acct)
        followers = acct.followers(self.as_of)
        demo = acct.demographics(self.as_of)
        if metric == "online_followers":
            peaks = set(demo["peak_hours"])
            hours = {
                str(h): int(followers * (0.30 if h in peaks else 0.04 + (h % 7) * 0.02)) for h in range(24)
            }
            end = self.as_of.replace(hour=7, minute=0, second=0, microsecond=0)
            return SimResponse(
                200,
                {
                    "data": [
                        {
                            "name": "online_followers",
                            "period": "lifetime",
                            "values": [{"value": hours, "end_time": _ts(end)}],
                            "title": "Online followers",
                            "description": "Total number of this profile's followers that were online.",
                            "id": f"{uid}/insights/online_followers/lifetime",
                        }
                    ]
                },
            )
        if metric != "follower_demographics":
            return _error(400, 100, f"(#100) metric[0] must be one of the following values: {metric}")
        if request.query.get("period") != "lifetime" or request.query.get("metric_type") != "total_value":
            return _error(400, 100, "(#100) follower_demographics needs period=lifetime and metric_type=total_value")
        breakdown = request.query.get("breakdown")

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
            return _error(400, 100, "(#100) breakdown must be one of: age, city, country, gender")
        results = [{"dimension_values": [k], "value": v} for k, v in counts.items() if v > 0]
        return SimResponse(
            200,
            {
                "data": [
                    {
                        "name": "follower_demographics",
                        "period": "lifetime",
                        "title": "Follower demographics",
                        "description": "The demographic characteristics of followers.",
                        "total_value": {"breakdowns": [{"dimension_keys": [breakdown], "results": results}]},
                        "id": f"{uid}/insights/follower_demographics/lifetime",
                    }
                ]
            },
        )

    def _user_period(self, acct: world.Account, request: SimRequest) -> SimResponse:
        """Account insights over ``since``..``until`` (``period=day``, ``metric_type=total_value``):
        what happened in that window of the world, cut at ``as_of`` (nothing after it exists yet).
        ``follows_and_unfollows`` by ``follow_type``: FOLLOWER follows, NON_FOLLOWER unfollows,
        follows - unfollows = the change of ``followers_count`` over the window."""
        metrics = [m for m in request.query.get("metric", "").split(",") if m]
        if request.query.get("period") != "day" or request.query.get("metric_type") != "total_value":
            return _error(400, 100, "(#100) These metrics need period=day and metric_type=total_value")
        try:
            since = datetime.fromtimestamp(int(request.query["since"]), timezone.utc)
            until = datetime.fromtimestamp(int(request.query["until"]), timezone.utc)
        except (KeyError, ValueError):
            return _error(400, 100, "(#100) since and until must be unix timestamps")
        if until <= since or (until - since).days > 30:
            return _error(400, 100, "(#100) The since and until range must be at most 30 days")
        retired = [i for i, m in enumerate(metrics) if m in self.refused_metrics]
        if retired:
            valid = ", ".join(sorted(set(USER_PERIOD_METRICS) - self.refused_metrics))
            return _error(400, 100, f"(#100) metric[{retired[0]}] must be one of the following values: {valid}")
        bad = [m for m in metrics if m not in USER_PERIOD_METRICS]
        if not metrics or bad:
            return _error(400, 100, f"(#100) metric[0] must be one of the following values: {', '.join(USER_PERIOD_METRICS)}")
        breakdown = request.query.get("breakdown")
        if breakdown is not None and (breakdown != "follow_type" or metrics != ["follows_and_unfollows"]):
            return _error(400, 100, "(#100) breakdown follow_type is only supported for follows_and_unfollows")
        end = min(until, self.as_of)
        start = min(since, end)
        grown: dict[str, int] = {"views": 0, "reach": 0, "likes": 0, "comments": 0, "shares": 0, "saves": 0}
        for post in acct.posts_until(end):
            before, after = post.metrics(start), post.metrics(end)
            for key in grown:
                grown[key] += int(after[key]) - int(before[key])
        interactions = grown["likes"] + grown["comments"] + grown["shares"] + grown["saves"]
        net = acct.followers(end) - acct.followers(start) if end > start else 0
        churn = world.rng("instagram", acct.handle, "unfollows", start.isoformat(), end.isoformat()).randint(0, 40) if end > start else 0
        unfollows = max(churn, -net)
        values: dict[str, Any] = {
            "views": grown["views"],
            "reach": grown["reach"],
            "accounts_engaged": int(interactions * 0.7),
            "total_interactions": interactions,
            "likes": grown["likes"],
            "comments": grown["comments"],
            "shares": grown["shares"],
            "saves": grown["saves"],
            "replies": 0,
            "profile_links_taps": int(grown["views"] * 0.002),
            "follows_and_unfollows": net + 2 * unfollows,
        }
        uid = self.account_id(acct)
        data = []
        for name in metrics:
            total: dict[str, Any] = {"value": values[name]}
            if name == "follows_and_unfollows" and breakdown == "follow_type":
                total["breakdowns"] = [
                    {
                        "dimension_keys": ["follow_type"],
                        "results": [
                            {"dimension_values": ["FOLLOWER"], "value": net + unfollows},
                            {"dimension_values": ["NON_FOLLOWER"], "value": unfollows},
                        ],
                    }
                ]
            data.append(
                {
                    "name": name,
                    "period": "day",
                    "title": name.replace("_", " ").capitalize(),
                    "description": f"{name.replace('_', ' ').capitalize()} in the selected time period.",
                    "total_value": total,
                    "id": f"{uid}/insights/{name}/day",
                }
            )
        return SimResponse(200, {"data": data})

    # -- paging -------------------------------------------------------------------------------
    def _page(self, items: list[Any], request: SimRequest, render) -> SimResponse:
        try:
            limit = int(request.query.get("limit", DEFAULT_LIMIT))
        except ValueError:
            return _error(400, 100, "(#100) Param limit must be a number")
        limit = max(1, min(limit, MAX_LIMIT))
        start = _decode(request.query.get("after"))
        rendered = [render(it) for it in items[start : start + limit]]
        url = f"{self.link_base}{request.path}"
        return SimResponse(200, self._paged_body(rendered, start, limit, url, request, None, total=len(items)))

    def _paged_body(self, rendered, start, limit, url, request, label, total=None) -> dict[str, Any]:
        """Graph's page body (links carry the request's ``access_token``, as Graph's do). With
        ``total`` None, ``rendered`` holds every item and is cut here."""
        if total is None:
            total = len(rendered)
            rendered = rendered[start : start + limit]
        query = dict(request.query)
        if label == "replies":
            query = {"access_token": request.query.get("access_token", ""), "limit": limit}
        return paged_body(rendered, start, total, url, query)


# -- helpers ---------------------------------------------------------------------------------
def _fields(request: SimRequest) -> dict[str, Any]:
    return _parse_fields(request.query.get("fields", ""))


def _error(status: int, code: int, message: str, kind: str = "OAuthException", headers=None) -> SimResponse:
    return graph_error(status, code, message, kind, headers=headers)


def _unknown(path: str) -> SimResponse:
    return _error(404, 2500, f"Unknown path components: {path}")


def _no_permission(node: str) -> SimResponse:
    return _error(
        400,
        10,
        f"(#10) Application does not have permission for this action on object {node}",
    )
