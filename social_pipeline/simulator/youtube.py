"""A fake YouTube Data API v3 + YouTube Analytics API v2, rendering the world model.

Mount the same instance at both base URLs (https://www.googleapis.com/youtube/v3 and
https://youtubeanalytics.googleapis.com/v2); requests are told apart by path:
/channels, /playlistItems, /videos, /commentThreads, /comments (Data API) and /reports
(Analytics).

Only world posts of kind "video" exist on YouTube (the Data API has no other media kind);
other kinds would be community posts, which the API does not expose. Some videos hide their
like count and some have comments disabled, as real channels do. Subscriber counts are
rounded down to three significant figures, as YouTube does publicly.

Auth: a demo OAuth bearer token (``demo_token("youtube", handle)``) or an API key in the
``key`` parameter that starts with ``demo`` is accepted for the Data API; the Analytics API
accepts only the bearer token. A demo token with ``-expired`` appended gets Google's 401
``UNAUTHENTICATED`` answer, as an expired access token does. Any other API key gets Google's
HTTP 400 ``INVALID_ARGUMENT`` answer (``errors[].reason`` ``badRequest`` and a
``google.rpc.ErrorInfo`` detail ``API_KEY_INVALID``), the way a bad key is refused.

Views: ``viewCount`` is the world's views (the counting method in force since 2026-08-27); the
Analytics metric ``engagedViews`` (the previous method) is four fifths of it.

Quota: each Data API request costs 1 unit (every list method served here; search.list, which
costs 100, is not served). ``daily_units`` caps the units this instance accepts, and
``quota_exceeded=True`` starts with the quota spent; past the cap the Data API answers 403
``quotaExceeded`` (Analytics has no unit cost and keeps answering).

OAuth: also mount this simulator at https://oauth2.googleapis.com: ``POST /token`` with
``grant_type=refresh_token`` exchanges a demo refresh token (``"demo-refresh-" + handle``) for a
fresh demo access token (expires_in 3599, no new refresh token, as Google does) and answers
400 ``invalid_grant`` for any other refresh token.

``retired_metrics``: Analytics metric names answered as unknown (400 "Unknown identifier"), to
model a metric YouTube retires.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from . import world
from .transport import PlatformSimulator, SimRequest, SimResponse, demo_token

REFRESH_PREFIX = "demo-refresh-"
EXPIRED_SUFFIX = "-expired"
QUOTA_MESSAGE = (
    'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.'
)
PAGE_CAP = 10  # items per page we serve at most, below the documented max (50 / 100)
EMBEDDED_REPLIES = 5  # commentThreads embeds at most five replies per thread
AGE_GROUPS = ("age13-17", "age18-24", "age25-34", "age35-44", "age45-54", "age55-64", "age65-")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _b64id(*parts: object, length: int) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return "".join(_B64[b % 64] for b in digest)[:length]


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_duration(seconds: int) -> str:
    if seconds <= 0:
        return "P0D"
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s else "")


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _offset(token: str | None) -> int | None:
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded))["o"]
        return value if isinstance(value, int) and value >= 0 else None
    except (ValueError, KeyError, TypeError):
        return None


def _three_significant(n: int) -> int:
    if n < 1000:
        return n
    digits = len(str(n))
    step = 10 ** (digits - 3)
    return n // step * step


def google_error(status: int, reason: str, message: str, status_text: str) -> SimResponse:
    return SimResponse(
        status,
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": "youtube.api" if status != 401 else "global", "reason": reason}],
                "status": status_text,
            }
        },
    )


def bad_key_error() -> SimResponse:
    """Google's answer to an API key it does not know: HTTP 400 INVALID_ARGUMENT, reason
    ``badRequest`` in ``errors`` and a ``google.rpc.ErrorInfo`` detail ``API_KEY_INVALID``."""
    message = "API key not valid. Please pass a valid API key."
    return SimResponse(
        400,
        {
            "error": {
                "code": 400,
                "message": message,
                "errors": [{"message": message, "domain": "global", "reason": "badRequest"}],
                "status": "INVALID_ARGUMENT",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                        "domain": "googleapis.com",
                        "metadata": {"service": "youtube.googleapis.com"},
                    }
                ],
            }
        },
    )


class Simulator(PlatformSimulator):
    platform = "youtube"

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests: its body and headers besides Retry-After
        (``wait``: whole seconds until a request is accepted again; ``limit``: per second)."""
        # Google's error envelope: 429 RESOURCE_EXHAUSTED, reason rateLimitExceeded.
        message = "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute'."
        return {"error": {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED",
                          "errors": [{"message": message, "domain": "usageLimits", "reason": "rateLimitExceeded"}]}}, {}

    def __init__(
        self,
        as_of: datetime,
        handles: list[str] | None = None,
        *,
        daily_units: int | None = None,
        quota_exceeded: bool = False,
        retired_metrics: tuple[str, ...] | list[str] = (),
    ):
        super().__init__(as_of, handles)
        self.daily_units = 0 if quota_exceeded else daily_units
        self.units_used = 0
        self.retired_metrics = frozenset(retired_metrics)

    # -- identity ---------------------------------------------------------------------------
    def account_id(self, account: world.Account) -> str:
        return "UC" + _b64id("channel", account.uid, length=22)

    def post_id(self, post: world.Post) -> str:
        return _b64id("video", post.uid, length=11)

    def comment_id(self, post: world.Post, comment: world.Comment) -> str:
        root = self._root(post, comment)
        top = "Ugz" + _b64id("comment", root.uid, length=16) + "4AaABAg"
        if root.seq == comment.seq:
            return top
        return f"{top}.{_b64id('reply', comment.uid, length=22)}"

    @staticmethod
    def _root(post: world.Post, comment: world.Comment) -> world.Comment:
        # YouTube replies are one level deep: a reply to a reply belongs to the top comment.
        all_comments = post._all_comments()
        while comment.parent_seq is not None:
            comment = all_comments[comment.parent_seq]
        return comment

    @staticmethod
    def hides_likes(post: world.Post) -> bool:
        return post.uid % 11 == 0

    @staticmethod
    def comments_disabled(post: world.Post) -> bool:
        return post.uid % 13 == 0

    def videos_of(self, account: world.Account) -> list[world.Post]:
        return [p for p in account.posts_until(self.as_of) if p.kind == "video"]

    def find_post(self, external_id: str) -> world.Post | None:
        post = super().find_post(external_id)
        return post if post is not None and post.kind == "video" else None

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        path = request.path.rstrip("/")
        if path == "/token":
            return self._token(request)
        if request.method != "GET":
            return google_error(405, "methodNotAllowed", "Method not allowed.", "INVALID_ARGUMENT")
        routes = {
            "/channels": self._channels,
            "/playlistItems": self._playlist_items,
            "/videos": self._videos,
            "/commentThreads": self._comment_threads,
            "/comments": self._comments,
            "/reports": self._reports,
        }
        route = routes.get(path)
        if route is None:
            return google_error(404, "notFound", "Not Found", "NOT_FOUND")
        token = self.bearer(request)
        if token is not None and token.endswith(EXPIRED_SUFFIX):
            return google_error(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                "UNAUTHENTICATED",
            )
        if path == "/reports":
            if token is None:
                return google_error(401, "required", "Login Required.", "UNAUTHENTICATED")
            caller = self.account_for_token(token)
            if caller is None:
                return google_error(401, "authError", "Request had invalid authentication credentials.", "UNAUTHENTICATED")
            return route(request, caller)
        if token is not None:
            caller = self.account_for_token(token)
            if caller is None:
                return google_error(
                    401,
                    "authError",
                    "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                    "login cookie or other valid authentication credential.",
                    "UNAUTHENTICATED",
                )
        else:
            key = request.query.get("key")
            if not key:
                return google_error(
                    403,
                    "forbidden",
                    "Method doesn't allow unregistered callers (callers without established identity). "
                    "Please use API Key or other form of API consumer identity to call this API.",
                    "PERMISSION_DENIED",
                )
            if not key.startswith("demo"):
                return bad_key_error()
            caller = None
        # Every Data API method served here is a list method: 1 unit per request.
        if self.daily_units is not None and self.units_used + 1 > self.daily_units:
            return SimResponse(
                403,
                {
                    "error": {
                        "code": 403,
                        "message": QUOTA_MESSAGE,
                        "errors": [{"message": QUOTA_MESSAGE, "domain": "youtube.quota", "reason": "quotaExceeded"}],
                    }
                },
            )
        self.units_used += 1
        return route(request, caller)

    # -- OAuth ------------------------------------------------------------------------------
    def _token(self, request: SimRequest) -> SimResponse:
        """Google's token endpoint (https://oauth2.googleapis.com/token), refresh grant only."""
        if request.method != "POST":
            return SimResponse(405, {"error": "invalid_request", "error_description": "Method not allowed"})
        form = request.body if isinstance(request.body, dict) else {}
        if not form.get("client_id") or not form.get("client_secret"):
            return SimResponse(401, {"error": "invalid_client", "error_description": "The OAuth client was not found."})
        if form.get("grant_type") != "refresh_token":
            return SimResponse(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type: " + str(form.get("grant_type"))[:40]})
        refresh = form.get("refresh_token") or ""
        if not refresh.startswith(REFRESH_PREFIX) or len(refresh) == len(REFRESH_PREFIX):
            return SimResponse(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        handle = refresh[len(REFRESH_PREFIX):]
        return SimResponse(
            200,
            {
                "access_token": demo_token("youtube", handle),
                "expires_in": 3599,
                "scope": "https://www.googleapis.com/auth/youtube.readonly https://www.googleapis.com/auth/yt-analytics.readonly",
                "token_type": "Bearer",
            },
        )

    def _max_results(self, request: SimRequest, default: int, maximum: int) -> int | SimResponse:
        raw = request.query.get("maxResults")
        if raw is None:
            return min(default, PAGE_CAP)
        if not raw.isdigit() or int(raw) > maximum:
            return google_error(
                400, "invalidParameter", f"Invalid value '{raw}'. Values must be within the range: [0, {maximum}]", "INVALID_ARGUMENT"
            )
        return min(int(raw), PAGE_CAP)

    # -- Data API ---------------------------------------------------------------------------
    def _channels(self, request: SimRequest, caller: world.Account | None) -> SimResponse:
        q = request.query
        if q.get("forHandle"):
            accounts = [self.account(q["forHandle"].lstrip("@"))]
        elif q.get("id"):
            accounts = [a for a in (self.find_account(i) for i in q["id"].split(",")) if a is not None]
        elif q.get("mine") == "true" and caller is not None:
            accounts = [caller]
        else:
            return google_error(
                400, "missingRequiredParameter", "No filter selected. Expected one of: forHandle, id, mine, forUsername", "INVALID_ARGUMENT"
            )
        return SimResponse(
            200,
            {
                "kind": "youtube#channelListResponse",
                "etag": _b64id("etag", *accounts, length=27),
                "pageInfo": {"totalResults": len(accounts), "resultsPerPage": 5},
                "items": [self._channel(a) for a in accounts],
            },
        )

    def _channel(self, acct: world.Account) -> dict[str, Any]:
        channel_id = self.account_id(acct)
        videos = self.videos_of(acct)
        created = world.EPOCH - timedelta(days=30 + acct.uid % 1500)
        return {
            "kind": "youtube#channel",
            "etag": _b64id("etag", channel_id, length=27),
            "id": channel_id,
            "snippet": {
                "title": acct.display_name,
                "description": f"Videos by {acct.display_name}",
                "customUrl": f"@{acct.handle}",
                "publishedAt": _iso(created),
                "thumbnails": {"default": {"url": f"https://yt3.ggpht.com/{channel_id}=s88", "width": 88, "height": 88}},
                "country": "US",
            },
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UU" + channel_id[2:]}},
            "statistics": {
                "viewCount": str(sum(p.views(self.as_of) for p in videos)),
                "subscriberCount": str(_three_significant(acct.followers(self.as_of))),
                "hiddenSubscriberCount": False,
                "videoCount": str(len(videos)),
            },
        }

    def _playlist_items(self, request: SimRequest, caller: world.Account | None) -> SimResponse:
        playlist = request.query.get("playlistId", "")
        acct = self.find_account("UC" + playlist[2:]) if playlist.startswith("UU") else None
        if acct is None:
            return google_error(
                404, "playlistNotFound", "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.", "NOT_FOUND"
            )
        size = self._max_results(request, 5, 50)
        if isinstance(size, SimResponse):
            return size
        start = _offset(request.query.get("pageToken"))
        if start is None:
            return google_error(400, "invalidPageToken", "The request specifies an invalid page token.", "INVALID_ARGUMENT")
        videos = self.videos_of(acct)
        page = videos[start : start + size]
        body: dict[str, Any] = {
            "kind": "youtube#playlistItemListResponse",
            "etag": _b64id("etag", playlist, start, length=27),
            "items": [
                {
                    "kind": "youtube#playlistItem",
                    "etag": _b64id("etag", p.uid, length=27),
                    "id": _b64id("playlistItem", playlist, p.uid, length=48),
                    "contentDetails": {"videoId": self.post_id(p), "videoPublishedAt": _iso(p.posted_at)},
                }
                for p in page
            ],
            "pageInfo": {"totalResults": len(videos), "resultsPerPage": size},
        }
        if start + size < len(videos):
            body["nextPageToken"] = _page_token(start + size)
        if start > 0:
            body["prevPageToken"] = _page_token(max(start - size, 0))
        return SimResponse(200, body)

    def _videos(self, request: SimRequest, caller: world.Account | None) -> SimResponse:
        ids = [i for i in request.query.get("id", "").split(",") if i]
        if not ids:
            return google_error(400, "missingRequiredParameter", "No filter selected. Expected one of: id, chart, myRating", "INVALID_ARGUMENT")
        if len(ids) > 50:
            return google_error(400, "invalidParameter", "Too many ids: at most 50.", "INVALID_ARGUMENT")
        items = []
        for vid in ids:
            post = self.find_post(vid)
            if post is None:
                continue  # unknown ids are silently left out, as YouTube does
            m = post.metrics(self.as_of)
            stats: dict[str, str] = {"viewCount": str(m["views"]), "favoriteCount": "0"}
            if not self.hides_likes(post):
                stats["likeCount"] = str(m["likes"])
            if not self.comments_disabled(post):
                stats["commentCount"] = str(m["comments"])
            items.append(
                {
                    "kind": "youtube#video",
                    "etag": _b64id("etag", vid, length=27),
                    "id": vid,
                    "snippet": {
                        "publishedAt": _iso(post.posted_at),
                        "channelId": self.account_id(post.account),
                        "title": post.title,
                        "description": post.caption,
                        "thumbnails": {
                            size: {"url": f"https://i.ytimg.com/vi/{vid}/{name}.jpg", "width": w, "height": h}
                            for size, name, w, h in (
                                ("default", "default", 120, 90),
                                ("medium", "mqdefault", 320, 180),
                                ("high", "hqdefault", 480, 360),
                            )
                        },
                        "channelTitle": post.account.display_name,
                        "tags": list(post.hashtags),
                        "categoryId": "22",
                        "liveBroadcastContent": "none",
                    },
                    "contentDetails": {
                        "duration": _iso_duration(post.duration),
                        "dimension": "2d",
                        "definition": "hd",
                        "caption": "false",
                        "licensedContent": False,
                        "projection": "rectangular",
                    },
                    "statistics": stats,
                }
            )
        return SimResponse(
            200,
            {
                "kind": "youtube#videoListResponse",
                "etag": _b64id("etag", *ids, length=27),
                "items": items,
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            },
        )

    def _comment_resource(self, post: world.Post, comment: world.Comment) -> dict[str, Any]:
        author_channel = "UC" + _b64id("channel-of", comment.author, length=22)
        if comment.is_creator:
            author_channel = self.account_id(post.account)
        snippet: dict[str, Any] = {
            "channelId": self.account_id(post.account),
            "videoId": self.post_id(post),
            "textDisplay": comment.text,
            "textOriginal": comment.text,
            "authorDisplayName": f"@{comment.author}",
            "authorProfileImageUrl": f"https://yt3.ggpht.com/{author_channel}=s48",
            "authorChannelUrl": f"http://www.youtube.com/@{comment.author}",
            "authorChannelId": {"value": author_channel},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": comment.likes(self.as_of),
            "publishedAt": _iso(comment.created_at),
            "updatedAt": _iso(comment.created_at),
        }
        if comment.parent_seq is not None:
            snippet["parentId"] = self.comment_id(post, self._root(post, comment))
        return {
            "kind": "youtube#comment",
            "etag": _b64id("etag", comment.uid, length=27),
            "id": self.comment_id(post, comment),
            "snippet": snippet,
        }

    def _threads_of(self, post: world.Post) -> list[tuple[world.Comment, list[world.Comment]]]:
        visible = post.comments(self.as_of)
        tops = [c for c in visible if c.parent_seq is None]
        threads = []
        for top in sorted(tops, key=lambda c: c.created_at, reverse=True):
            replies = [c for c in visible if c.parent_seq is not None and self._root(post, c).seq == top.seq]
            threads.append((top, sorted(replies, key=lambda c: c.created_at)))
        return threads

    def _comment_threads(self, request: SimRequest, caller: world.Account | None) -> SimResponse:
        post = self.find_post(request.query.get("videoId", ""))
        if post is None:
            return google_error(404, "videoNotFound", "The video identified by the <code>videoId</code> parameter could not be found.", "NOT_FOUND")
        if self.comments_disabled(post):
            return google_error(
                403,
                "commentsDisabled",
                "The video identified by the <code><a href=\"/youtube/v3/docs/commentThreads/list#videoId\">videoId</a></code> "
                "parameter has disabled comments.",
                "PERMISSION_DENIED",
            )
        size = self._max_results(request, 20, 100)
        if isinstance(size, SimResponse):
            return size
        start = _offset(request.query.get("pageToken"))
        if start is None:
            return google_error(400, "invalidPageToken", "The request specifies an invalid page token.", "INVALID_ARGUMENT")
        threads = self._threads_of(post)
        items = []
        for top, replies in threads[start : start + size]:
            item: dict[str, Any] = {
                "kind": "youtube#commentThread",
                "etag": _b64id("etag", "thread", top.uid, length=27),
                "id": self.comment_id(post, top),
                "snippet": {
                    "channelId": self.account_id(post.account),
                    "videoId": self.post_id(post),
                    "topLevelComment": self._comment_resource(post, top),
                    "canReply": True,
                    "totalReplyCount": len(replies),
                    "isPublic": True,
                },
            }
            if replies:
                item["replies"] = {"comments": [self._comment_resource(post, r) for r in replies[:EMBEDDED_REPLIES]]}
            items.append(item)
        body: dict[str, Any] = {
            "kind": "youtube#commentThreadListResponse",
            "etag": _b64id("etag", "threads", post.uid, start, length=27),
            "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
            "items": items,
        }
        if start + size < len(threads):
            body["nextPageToken"] = _page_token(start + size)
        return SimResponse(200, body)

    def _comments(self, request: SimRequest, caller: world.Account | None) -> SimResponse:
        parent = request.query.get("parentId", "")
        found = None
        for acct in list(self._accounts.values()):
            for post in self.videos_of(acct):
                for c in post.comments(self.as_of):
                    if c.parent_seq is None and self.comment_id(post, c) == parent:
                        found = (post, c)
                        break
                if found:
                    break
            if found:
                break
        if found is None:
            return google_error(404, "commentNotFound", "One or more of the comments identified by the request cannot be found.", "NOT_FOUND")
        post, top = found
        size = self._max_results(request, 20, 100)
        if isinstance(size, SimResponse):
            return size
        start = _offset(request.query.get("pageToken"))
        if start is None:
            return google_error(400, "invalidPageToken", "The request specifies an invalid page token.", "INVALID_ARGUMENT")
        replies = next(r for t, r in self._threads_of(post) if t.seq == top.seq)
        body: dict[str, Any] = {
            "kind": "youtube#commentListResponse",
            "etag": _b64id("etag", "replies", top.uid, start, length=27),
            "pageInfo": {"totalResults": len(replies), "resultsPerPage": size},
            "items": [self._comment_resource(post, r) for r in replies[start : start + size]],
        }
        if start + size < len(replies):
            body["nextPageToken"] = _page_token(start + size)
        return SimResponse(200, body)

    # -- Analytics API ----------------------------------------------------------------------
    def _reports(self, request: SimRequest, caller: world.Account) -> SimResponse:
        q = request.query
        for required in ("ids", "startDate", "endDate", "metrics"):
            if not q.get(required):
                return google_error(400, "required", f"Required parameter: {required}", "INVALID_ARGUMENT")
        if q["ids"] != "channel==MINE" and q["ids"] != f"channel=={self.account_id(caller)}":
            return google_error(403, "forbidden", "Forbidden", "PERMISSION_DENIED")
        metrics = q["metrics"].split(",")
        dimensions = [d for d in q.get("dimensions", "").split(",") if d]
        if dimensions in (["ageGroup", "gender"], ["gender", "ageGroup"], ["ageGroup"], ["gender"]):
            return self._demographics_report(caller, dimensions, metrics)
        videos = self.videos_of(caller)
        if dimensions == ["video"]:
            wanted = q.get("filters", "")
            if wanted.startswith("video=="):
                ids = set(wanted[len("video==") :].split(","))
                videos = [p for p in videos if self.post_id(p) in ids]
            rows = []
            for post in videos:
                values = self._metric_values([post], metrics)
                if isinstance(values, SimResponse):
                    return values
                rows.append([self.post_id(post), *values])
            if q.get("sort", "").lstrip("-") in metrics:
                col = 1 + metrics.index(q["sort"].lstrip("-"))
                rows.sort(key=lambda r: r[col], reverse=q["sort"].startswith("-"))
            max_results = int(q["maxResults"]) if q.get("maxResults", "").isdigit() else 200
            return self._table(["video"], metrics, rows[:max_results])
        if dimensions == ["day"]:
            return self._daily_report(caller, q["startDate"], q["endDate"], metrics)
        if dimensions:
            return google_error(400, "badRequest", "The query is not supported.", "INVALID_ARGUMENT")
        values = self._metric_values(videos, metrics, caller)
        if isinstance(values, SimResponse):
            return values
        return self._table([], metrics, [values])

    def _metric_values(self, posts: list[world.Post], metrics: list[str], acct: world.Account | None = None):
        ms = [p.metrics(self.as_of) for p in posts]
        views = sum(m["views"] for m in ms)
        watched = sum(m["watch_time_seconds"] for m in ms)
        duration = sum(p.duration * m["views"] for p, m in zip(posts, ms))
        followers = acct.followers(self.as_of) if acct else 0
        gained = max(followers - (acct.followers(world.EPOCH) if acct else 0), 0)
        available: dict[str, Any] = {
            "views": views,
            # engagedViews keeps the pre-2026-08-27 method: fewer than the views counted at playback start
            "engagedViews": sum(m["views"] * 4 // 5 for m in ms),
            "estimatedMinutesWatched": int(round(watched / 60)),
            "averageViewPercentage": round(watched / duration * 100, 2) if duration else 0.0,
            "averageViewDuration": int(watched / views) if views else 0,
            "likes": sum(m["likes"] for m in ms),  # the owner sees likes even where they are hidden
            "comments": sum(m["comments"] for m in ms),
            "shares": sum(m["shares"] for m in ms),
            "subscribersGained": gained + gained // 30,
            "subscribersLost": gained // 30,
        }
        return self._pick(available, metrics)

    def _pick(self, available: dict[str, Any], metrics: list[str]):
        """The asked metrics' values in order, or Analytics' 400 for one it does not know (or
        no longer serves)."""
        out = []
        for name in metrics:
            if name not in available or name in self.retired_metrics:
                return google_error(400, "badRequest", f"Unknown identifier ({name}) given in field parameters.metrics.", "INVALID_ARGUMENT")
            out.append(available[name])
        return out

    def _daily_report(self, acct: world.Account, start: str, end: str, metrics: list[str]) -> SimResponse:
        """One row per day from ``start`` to ``end`` that has ended by ``as_of`` (the simulator
        answers as of its day): each day's views, likes... are the growth of the channel's
        cumulative figures over that day; gains less losses equal the change of its subscribers."""
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            return google_error(400, "badRequest", "Invalid value for startDate or endDate.", "INVALID_ARGUMENT")
        if last < first:
            return google_error(400, "badRequest", "The end date is before the start date.", "INVALID_ARGUMENT")
        rows: list[list[Any]] = []
        day = first
        while day <= last and _end_of(day) <= self.as_of:
            cells = self._day_values(acct, day, metrics)
            if isinstance(cells, SimResponse):
                return cells
            rows.append([day.isoformat(), *cells])
            day += timedelta(days=1)
        headers = [{"name": "day", "columnType": "DIMENSION", "dataType": "STRING"}]
        headers += [{"name": m, "columnType": "METRIC", "dataType": "INTEGER"} for m in metrics]
        body: dict[str, Any] = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
        if rows:
            body["rows"] = rows
        return SimResponse(200, body)

    def _day_values(self, acct: world.Account, day: date, metrics: list[str]):
        end, start = _end_of(day), _end_of(day - timedelta(days=1))
        posts = acct.posts_until(end)
        after = [p.metrics(end) for p in posts]
        before = [p.metrics(start) if p.posted_at < start else None for p in posts]

        def grown(key: str, scale: float = 1.0) -> int:
            return int(round(sum(a[key] - (b[key] if b else 0) for a, b in zip(after, before)) * scale))

        change = acct.followers(end) - acct.followers(start)
        churn = abs(change) // 30
        available = {
            "views": grown("views"),
            "estimatedMinutesWatched": grown("watch_time_seconds", 1 / 60),
            "likes": grown("likes"),
            "comments": grown("comments"),
            "shares": grown("shares"),
            "subscribersGained": max(change, 0) + churn,
            "subscribersLost": max(-change, 0) + churn,
        }
        return self._pick(available, metrics)

    def _demographics_report(self, acct: world.Account, dimensions: list[str], metrics: list[str]) -> SimResponse:
        if metrics != ["viewerPercentage"]:
            return google_error(400, "badRequest", "The query is not supported.", "INVALID_ARGUMENT")
        demo = acct.demographics(self.as_of)
        ages = {
            "age13-17": demo["age_13_17"],
            "age18-24": demo["age_18_24"],
            "age25-34": demo["age_25_34"],
            "age35-44": demo["age_35_44"],
            # the world has one 45+ bucket; YouTube splits it three ways
            "age45-54": demo["age_45_plus"] * 0.5,
            "age55-64": demo["age_45_plus"] * 0.3,
            "age65-": demo["age_45_plus"] * 0.2,
        }
        genders = {
            "female": demo["gender_female"],
            "male": demo["gender_male"],
            "user_specified": max(100 - demo["gender_female"] - demo["gender_male"], 0.0),
        }
        rows = []
        if dimensions == ["ageGroup"]:
            rows = [[a, round(v, 3)] for a, v in ages.items()]
        elif dimensions == ["gender"]:
            rows = [[g, round(v, 3)] for g, v in genders.items()]
        else:
            for g, gv in genders.items():
                for a, av in ages.items():
                    cell = [a, g] if dimensions[0] == "ageGroup" else [g, a]
                    rows.append([*cell, round(av * gv / 100, 3)])
        return self._table(dimensions, metrics, rows)

    @staticmethod
    def _table(dimensions: list[str], metrics: list[str], rows: list[list[Any]]) -> SimResponse:
        headers = [{"name": d, "columnType": "DIMENSION", "dataType": "STRING"} for d in dimensions]
        float_metrics = {"averageViewPercentage", "viewerPercentage"}
        headers += [
            {"name": m, "columnType": "METRIC", "dataType": "FLOAT" if m in float_metrics else "INTEGER"} for m in metrics
        ]
        body: dict[str, Any] = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
        if rows:
            body["rows"] = rows
        return SimResponse(200, body)


def _end_of(day: date) -> datetime:
    """The last second of ``day``: the moment the demo's daily pulls answer at."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone.utc) - timedelta(seconds=1)
