"""A fake X (Twitter) API v2, rendering the world model.

Serves GET /users/by/username/{username}, GET /users/{id}/tweets, GET /tweets?ids=,
GET /tweets/search/recent and GET /tweets/search/all (``conversation_id:`` queries) with the
documented field names: ``data`` / ``includes`` / ``meta`` (``result_count``, ``next_token``),
ids as strings, tweet ids as time-ordered snowflakes. Recent search honours the 7-day window of
the real endpoint; full-archive search has none (max_results 10..500).

The timeline holds the account's own replies too (the world's creator comments, as tweets with
``referenced_tweets`` ``replied_to`` and ``in_reply_to_user_id``: a reply to the account's own
post or comment is a self-thread continuation) unless ``exclude`` names ``replies``; the lookup
serves them like any tweet. Hashtags are ``entities.hashtags[].tag`` (``tweet.fields=entities``).

Field names: by default the simulator speaks the v2.159 names (``tweet.fields``,
``retweet_count``, ``tweet_count``, ``referenced_tweets``). ``fields_param="post.fields"`` makes
it speak v2.167 (``post.fields``, ``repost_count``, ``post_count``, ``referenced_posts``) and
answer ``tweet.fields`` with the invalid-request problem (HTTP 400), to exercise the fallback.

World shares are split into retweets and quote tweets (about a quarter are quotes), saves
are bookmarks, impressions are ``impression_count``, and a video's views are the media's
``public_metrics.view_count``. Text posts exist on X; carousels are several photos.

Auth: a bearer token starting with ``demo-token-twitter-`` (a demo user token or a demo app
token) is accepted; anything else gets the documented 401 problem body, and so does a demo
token with ``-expired`` appended (an expired user token).

Private metrics: ``tweet.fields``/``media.fields`` ``non_public_metrics``/``organic_metrics`` are
served only to the tweet's author (the demo user token of the account) and only for tweets
younger than 30 days; any other tweet is left out of ``data`` with a "Field Authorization Error"
(``.../problems/not-authorized-for-field``) in ``errors``, as X does. Video quartiles
(playback_0_count .. playback_100_count) fall linearly from the views to views x completion.

Rate limits: every answer carries ``x-rate-limit-limit`` / ``-remaining`` / ``-reset`` (epoch
seconds) for the endpoint's 15-minute window (real clock); past the limit the answer is 429.

OAuth: ``POST /oauth2/token`` with ``grant_type=refresh_token`` exchanges a demo refresh token
(``"demo-refresh-" + handle``) for a demo access token (expires_in 7200) and a rotated refresh
token; any other refresh token gets 400 ``invalid_request``.
"""

from __future__ import annotations

import base64
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping

from . import world
from .transport import DEMO_TOKEN_PREFIX, PlatformSimulator, SimRequest, SimResponse, demo_token

TWEPOCH_MS = 1288834974657
PAGE_CAP = 10  # tweets per page we serve at most (X may return fewer than max_results)
SEARCH_WINDOW = timedelta(days=7)
PRIVATE_WINDOW = timedelta(days=30)  # non-public/organic metrics exist for 30 days
NOT_AUTHORIZED_FOR_FIELD = "https://api.twitter.com/2/problems/not-authorized-for-field"
REFRESH_PREFIX = "demo-refresh-"
EXPIRED_SUFFIX = "-expired"
RATE_WINDOW_SECONDS = 900
# Requests per 15-minute window per user token, as documented for each endpoint.
RATE_LIMITS = {
    "users.by.username": 900,
    "users.tweets": 900,
    "tweets.lookup": 900,
    "tweets.search.recent": 450,
    "tweets.search.all": 300,
    "oauth2.token": 900,
    "other": 900,
}


def snowflake(moment: datetime, salt: int) -> str:
    ms = int(moment.timestamp() * 1000)
    return str(((ms - TWEPOCH_MS) << 22) | (salt & 0x3FFFFF))


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _token(offset: int) -> str:
    return base64.b32encode(f"o{offset}".encode()).decode().rstrip("=").lower()


def _offset(token: str | None) -> int | None:
    if not token:
        return 0
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
        return int(raw[1:]) if raw.startswith("o") else None
    except (ValueError, UnicodeDecodeError):
        return None


def problem(status: int, title: str, detail: str, kind: str) -> SimResponse:
    body = {"title": title, "detail": detail, "type": kind, "status": status}
    return SimResponse(status, body)


def invalid_request(message: str, parameter: str, value: str) -> SimResponse:
    return SimResponse(
        400,
        {
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


class Simulator(PlatformSimulator):
    platform = "twitter"

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests: its body and headers besides Retry-After
        (``wait``: whole seconds until a request is accepted again; ``limit``: per second)."""
        # An RFC 7807 problem, with the window's reset as an epoch second.
        reset = str(int(time.time()) + wait)
        body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
        return body, {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}

    def __init__(
        self,
        as_of: datetime,
        handles: list[str] | None = None,
        *,
        rate_limits: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.time,
        fields_param: str = "tweet.fields",
    ):
        super().__init__(as_of, handles)
        self.fields_param = fields_param
        self._reply_index: dict[str, tuple[world.Post, world.Comment]] | None = None
        self.rate_limits = {**RATE_LIMITS, **(rate_limits or {})}
        self._clock = clock
        self._windows: dict[str, tuple[int, int]] = {}  # endpoint -> (reset epoch, requests used)

    def account_id(self, account: world.Account) -> str:
        return str(account.uid % 10**18 + 10**17)

    def post_id(self, post: world.Post) -> str:
        return snowflake(post.posted_at, post.uid)

    def comment_id(self, comment: world.Comment) -> str:
        return snowflake(comment.created_at, comment.uid)

    @staticmethod
    def fan_id(name: str) -> str:
        return str(world.stable_int("twitter-fan", name) % 10**18 + 10**17)

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        parts = [p for p in request.path.split("/") if p]
        family = self._family(parts)
        headers, exhausted = self._rate(family)
        if exhausted:
            answer = problem(429, "Too Many Requests", "Too Many Requests", "about:blank")
        else:
            answer = self._speak(request, parts)
        answer.headers.update(headers)
        return answer

    def _speak(self, request: SimRequest, parts: list[str]) -> SimResponse:
        """Answer in the field names of ``fields_param`` (see the module docstring)."""
        if self.fields_param == "tweet.fields":
            return self._answer(request, parts)
        if "tweet.fields" in request.query:
            return invalid_request(
                f"The query parameter [tweet.fields] is not one of [{self.fields_param}]", "tweet.fields", request.query["tweet.fields"]
            )
        query = dict(request.query)
        if self.fields_param in query:
            query["tweet.fields"] = query.pop(self.fields_param).replace("referenced_posts", "referenced_tweets")
        answer = self._answer(SimRequest(request.method, request.path, query, request.headers, request.body), parts)
        answer.body = _renamed(answer.body)
        return answer

    @staticmethod
    def _family(parts: list[str]) -> str:
        if len(parts) == 4 and parts[:3] == ["users", "by", "username"]:
            return "users.by.username"
        if len(parts) == 3 and parts[0] == "users" and parts[2] == "tweets":
            return "users.tweets"
        if parts == ["tweets"]:
            return "tweets.lookup"
        if parts == ["tweets", "search", "recent"]:
            return "tweets.search.recent"
        if parts == ["tweets", "search", "all"]:
            return "tweets.search.all"
        if parts == ["oauth2", "token"]:
            return "oauth2.token"
        return "other"

    def _rate(self, family: str) -> tuple[dict[str, str], bool]:
        """The endpoint's 15-minute window: headers to send, and whether it is used up."""
        now = int(self._clock())
        reset, used = self._windows.get(family, (0, 0))
        if now >= reset:
            reset, used = now + RATE_WINDOW_SECONDS, 0
        limit = self.rate_limits.get(family, RATE_LIMITS["other"])
        exhausted = used >= limit
        if not exhausted:
            used += 1
        self._windows[family] = (reset, used)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(limit - used, 0)),
            "x-rate-limit-reset": str(reset),
        }
        return headers, exhausted

    def _answer(self, request: SimRequest, parts: list[str]) -> SimResponse:
        if parts == ["oauth2", "token"]:
            return self._oauth_token(request)
        token = self.bearer(request)
        if not token or not token.startswith(f"{DEMO_TOKEN_PREFIX}twitter-") or token.endswith(EXPIRED_SUFFIX):
            return problem(401, "Unauthorized", "Unauthorized", "about:blank")
        if request.method != "GET":
            return problem(405, "Method Not Allowed", "Method not allowed", "about:blank")
        if len(parts) == 4 and parts[:3] == ["users", "by", "username"]:
            return self._user(parts[3])
        if len(parts) == 3 and parts[0] == "users" and parts[2] == "tweets":
            return self._timeline(parts[1], request.query)
        if parts == ["tweets"]:
            return self._lookup(request.query, self.account_for_token(token))
        if parts == ["tweets", "search", "recent"]:
            return self._search(request.query)
        if parts == ["tweets", "search", "all"]:
            return self._search(request.query, archive=True)
        return problem(
            404,
            "Not Found Error",
            f"The requested resource '{request.path}' could not be found.",
            "https://api.twitter.com/2/problems/resource-not-found",
        )

    def _oauth_token(self, request: SimRequest) -> SimResponse:
        """POST /2/oauth2/token, refresh grant (confidential: Basic auth; public: client_id)."""
        if request.method != "POST":
            return problem(405, "Method Not Allowed", "Method not allowed", "about:blank")
        form = request.body if isinstance(request.body, dict) else {}
        basic = request.headers.get("Authorization", "")
        client_ok = False
        if basic.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
                client_ok = bool(client_id and secret)
            except (ValueError, UnicodeDecodeError):
                client_ok = False
        elif form.get("client_id"):
            client_ok = True
        if not client_ok:
            return SimResponse(401, {"error": "unauthorized_client", "error_description": "Missing valid authorization header"})
        if form.get("grant_type") != "refresh_token":
            return SimResponse(400, {"error": "invalid_request", "error_description": "Missing required parameter [grant_type]."})
        refresh = form.get("refresh_token") or ""
        if not refresh.startswith(REFRESH_PREFIX) or len(refresh) == len(REFRESH_PREFIX):
            return SimResponse(400, {"error": "invalid_request", "error_description": "Value passed for the token was invalid."})
        handle = refresh[len(REFRESH_PREFIX):]
        return SimResponse(
            200,
            {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": demo_token("twitter", handle),
                "scope": "tweet.read users.read offline.access",
                "refresh_token": REFRESH_PREFIX + handle,  # rotated (the demo keeps one value)
            },
        )

    def _user(self, username: str) -> SimResponse:
        if not username.replace("_", "").isalnum() or len(username) > 15:
            return invalid_request(
                f"The `username` query parameter value [{username}] does not match ^[A-Za-z0-9_]{{1,15}}$", "username", username
            )
        acct = self.account(username)
        posts = acct.posts_until(self.as_of)
        created = world.EPOCH - timedelta(days=200 + acct.uid % 3000)
        return SimResponse(
            200,
            {
                "data": {
                    "id": self.account_id(acct),
                    "name": acct.display_name,
                    "username": acct.handle,
                    "created_at": _iso(created),
                    "description": f"Posts by {acct.display_name}",
                    "profile_image_url": f"https://pbs.twimg.com/profile_images/{acct.uid % 10**12}/a_normal.jpg",
                    "verified": False,
                    "public_metrics": {
                        "followers_count": acct.followers(self.as_of),
                        "following_count": acct.following(self.as_of),
                        "tweet_count": len(posts) + len(posts) // 3,  # replies count too
                        "listed_count": acct.followers(self.as_of) // 400,
                        "like_count": 3 * len(posts) + acct.uid % 500,  # likes the user gave
                    },
                }
            },
        )

    def _page_size(self, query: dict[str, str], low: int, high: int, default: int) -> int | SimResponse:
        raw = query.get("max_results")
        if raw is None:
            return min(default, PAGE_CAP)
        if not raw.isdigit() or not low <= int(raw) <= high:
            return invalid_request(
                f"The `max_results` query parameter value [{raw}] is not between {low} and {high}", "max_results", raw
            )
        return min(int(raw), PAGE_CAP)

    def _timeline(self, user_id: str, query: dict[str, str]) -> SimResponse:
        acct = self.find_account(user_id)
        if acct is None:
            return SimResponse(
                200,
                {
                    "errors": [
                        {
                            "value": user_id,
                            "detail": f"Could not find user with id: [{user_id}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "id",
                            "resource_id": user_id,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
            )
        size = self._page_size(query, 5, 100, 10)
        if isinstance(size, SimResponse):
            return size
        start = _offset(query.get("pagination_token"))
        if start is None:
            return invalid_request("The `pagination_token` query parameter value is not valid", "pagination_token", "?")
        excluded = set(query.get("exclude", "").split(","))
        items: list[Any] = list(acct.posts_until(self.as_of))
        if "replies" not in excluded:
            items += [pair for pair in self._own_replies(acct)]
            items.sort(key=lambda it: it.posted_at if isinstance(it, world.Post) else it[1].created_at, reverse=True)
        posts = items[:3200]  # the timeline reaches back 3,200 tweets
        page = posts[start : start + size]
        fields = set(query.get("tweet.fields", "").split(","))
        media_fields = set(query.get("media.fields", "").split(","))
        want_media = "attachments.media_keys" in query.get("expansions", "").split(",")
        data, media = [], []
        for item in page:
            if isinstance(item, world.Post):
                tweet, attached = self._tweet(item, fields, media_fields)
            else:
                tweet, attached = self._reply_tweet(*item, fields), []
            data.append(tweet)
            media.extend(attached)
        body: dict[str, Any] = {"meta": {"result_count": len(data)}}
        if data:
            body["data"] = data
            body["meta"].update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        if want_media and media:
            body["includes"] = {"media": media}
        if start + size < len(posts):
            body["meta"]["next_token"] = _token(start + size)
        if start > 0:
            body["meta"]["previous_token"] = _token(max(start - size, 0))
        return SimResponse(200, body)

    def _tweet(
        self, post: world.Post, fields: set[str], media_fields: set[str], private: bool = False
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        tid = self.post_id(post)
        m = post.metrics(self.as_of)
        quotes = m["shares"] // 4
        # X's metrics guide also lists url_link_clicks/user_profile_clicks here, but its OpenAPI
        # description (v2.159) does not: we serve what the description names.
        clicks: dict[str, int] = {}
        tweet: dict[str, Any] = {"id": tid, "text": post.caption, "edit_history_tweet_ids": [tid]}
        if "created_at" in fields:
            tweet["created_at"] = _iso(post.posted_at)
        if "conversation_id" in fields:
            tweet["conversation_id"] = tid
        if "lang" in fields:
            tweet["lang"] = "en"
        if "public_metrics" in fields:
            tweet["public_metrics"] = {
                "retweet_count": m["shares"] - quotes,
                "reply_count": m["comments"],
                "like_count": m["likes"],
                "quote_count": quotes,
                "bookmark_count": m["saves"],
                "impression_count": m["impressions"],
            }
        if private and "non_public_metrics" in fields:
            tweet["non_public_metrics"] = {"impression_count": m["impressions"], **clicks}
        if private and "organic_metrics" in fields:
            tweet["organic_metrics"] = {
                "impression_count": m["impressions"],
                "like_count": m["likes"],
                "reply_count": m["comments"],
                "retweet_count": m["shares"] - quotes,
                **clicks,
            }
        if "entities" in fields and post.hashtags:
            tags = []
            for tag in post.hashtags:
                at = post.caption.find("#" + tag)
                tags.append({"start": at, "end": at + len(tag) + 1, "tag": tag})
            tweet["entities"] = {"hashtags": tags}
        media: list[dict[str, Any]] = []
        if post.kind == "video":
            key = f"7_{post.uid % 10**18}"
            item: dict[str, Any] = {"media_key": key, "type": "video"}
            if "duration_ms" in media_fields:
                item["duration_ms"] = post.duration * 1000
            if "public_metrics" in media_fields:
                item["public_metrics"] = {"view_count": m["views"]}
            if "preview_image_url" in media_fields:
                item["preview_image_url"] = f"https://pbs.twimg.com/ext_tw_video_thumb/{post.uid % 10**18}/pu/img/a.jpg"
            if private:
                # quartile counts fall linearly from everyone who started to views x completion
                playback = {
                    f"playback_{q}_count": int(m["views"] * (1 - (1 - post.completion) * q / 100)) for q in (0, 25, 50, 75, 100)
                }
                if "non_public_metrics" in media_fields:
                    item["non_public_metrics"] = dict(playback)
                if "organic_metrics" in media_fields:
                    item["organic_metrics"] = {**playback, "view_count": m["views"]}
            media.append(item)
        elif post.kind in ("image", "carousel"):
            n = 1 if post.kind == "image" else 2 + post.uid % 3
            for i in range(n):
                key = f"3_{post.uid % 10**18 + i}"
                item = {"media_key": key, "type": "photo"}
                if "url" in media_fields:
                    item["url"] = f"https://pbs.twimg.com/media/{key}.jpg"
                media.append(item)
        if media and "attachments" in fields:
            tweet["attachments"] = {"media_keys": [x["media_key"] for x in media]}
        return tweet, media

    def _lookup(self, query: dict[str, str], caller: world.Account | None = None) -> SimResponse:
        ids = [i for i in query.get("ids", "").split(",") if i]
        if not ids or len(ids) > 100:
            return invalid_request("The `ids` query parameter must hold 1 to 100 ids", "ids", query.get("ids", ""))
        fields = set(query.get("tweet.fields", "").split(","))
        media_fields = set(query.get("media.fields", "").split(","))
        private_fields = sorted(
            {f"tweet.fields.{f}" for f in fields if f in ("non_public_metrics", "organic_metrics")}
            | {f"media.fields.{f}" for f in media_fields if f in ("non_public_metrics", "organic_metrics")}
        )
        want_media = "attachments.media_keys" in query.get("expansions", "").split(",")
        data, media, errors = [], [], []
        for tid in ids:
            post = self.find_post(tid)
            own_reply = self._find_reply(tid) if post is None else None
            if own_reply is not None:
                root, reply = own_reply
                if private_fields and (caller is None or root.account != caller or self.as_of - reply.created_at > PRIVATE_WINDOW):
                    errors.append(self._field_refused(tid, private_fields))
                    continue
                tweet = self._reply_tweet(root, reply, fields)
                if private_fields and "non_public_metrics" in fields and "public_metrics" in tweet:
                    tweet["non_public_metrics"] = {"impression_count": tweet["public_metrics"]["impression_count"]}
                data.append(tweet)
                continue
            if post is None:
                errors.append(
                    {
                        "value": tid,
                        "detail": f"Could not find tweet with ids: [{tid}].",
                        "title": "Not Found Error",
                        "resource_type": "tweet",
                        "parameter": "ids",
                        "resource_id": tid,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                )
                continue
            if private_fields and (caller is None or post.account != caller or self.as_of - post.posted_at > PRIVATE_WINDOW):
                errors.append(self._field_refused(tid, private_fields))
                continue
            tweet, attached = self._tweet(post, fields, media_fields, private=bool(private_fields))
            data.append(tweet)
            media.extend(attached)
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if want_media and media:
            body["includes"] = {"media": media}
        if errors:
            body["errors"] = errors
        return SimResponse(200, body)

    @staticmethod
    def _field_refused(tid: str, private_fields: list[str]) -> dict[str, Any]:
        """X's "Field Authorization Error" for a tweet whose private fields the caller may not read."""
        field = private_fields[-1].split(".", 2)[2] + ".impression_count"
        return {
                "value": tid,
                "detail": f"Sorry, you are not authorized to access '{field}' on the Tweet with ids : [{tid}].",
                "title": "Field Authorization Error",
                "resource_type": "tweet",
                "field": field,
                "parameter": "ids",
                "resource_id": tid,
                "section": "data",
                "type": NOT_AUTHORIZED_FOR_FIELD,
            }

    def tracked_ids(self, handle: str, since: datetime) -> list[str]:
        """Posts of the window, then the creator's replies written in it (tweets of their own)."""
        replies = [self.comment_id(c) for _, c in self._own_replies(self.account(handle)) if c.created_at >= since]
        return [*super().tracked_ids(handle, since), *replies]

    def _own_replies(self, acct: world.Account) -> list[tuple[world.Post, world.Comment]]:
        """The account's own replies (creator comments) under its posts, up to ``as_of``."""
        return [(p, c) for p in acct.posts_until(self.as_of) for c in p.comments(self.as_of) if c.is_creator]

    def _find_reply(self, tid: str) -> tuple[world.Post, world.Comment] | None:
        if self._reply_index is None:
            self._reply_index = {
                self.comment_id(c): (p, c) for acct in self._accounts.values() for p, c in self._own_replies(acct)
            }
        return self._reply_index.get(tid)

    def _reply_tweet(self, post: world.Post, c: world.Comment, fields: set[str]) -> dict[str, Any]:
        """One reply in a conversation, rendered as a tweet with the requested fields."""
        everything = post._all_comments()
        cid = self.comment_id(c)
        author_id = self.account_id(post.account) if c.is_creator else self.fan_id(c.author)
        parent_id = self.post_id(post) if c.parent_seq is None else self.comment_id(everything[c.parent_seq])
        parent_author = (
            self.account_id(post.account)
            if c.parent_seq is None or everything[c.parent_seq].is_creator
            else self.fan_id(everything[c.parent_seq].author)
        )
        tweet: dict[str, Any] = {"id": cid, "text": c.text, "edit_history_tweet_ids": [cid]}
        if "author_id" in fields:
            tweet["author_id"] = author_id
        if "created_at" in fields:
            tweet["created_at"] = _iso(c.created_at)
        if "conversation_id" in fields:
            tweet["conversation_id"] = self.post_id(post)
        if "in_reply_to_user_id" in fields:
            tweet["in_reply_to_user_id"] = parent_author
        if "referenced_tweets" in fields:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent_id}]
        if "lang" in fields:
            tweet["lang"] = "en"
        if "public_metrics" in fields:
            tweet["public_metrics"] = {
                "retweet_count": 0,
                "reply_count": sum(1 for o in post.comments(self.as_of) if o.parent_seq == c.seq),
                "like_count": c.likes(self.as_of),
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": c.likes(self.as_of) * 9 + 20,
            }
        return tweet

    def _search(self, query: dict[str, str], archive: bool = False) -> SimResponse:
        q = query.get("query", "").strip()
        if not q:
            return invalid_request("The `query` query parameter can not be empty", "query", "")
        if not q.startswith("conversation_id:"):
            return SimResponse(200, {"meta": {"result_count": 0}})  # only conversation lookups are modelled
        size = self._page_size(query, 10, 500 if archive else 100, 10)
        if isinstance(size, SimResponse):
            return size
        start = _offset(query.get("next_token"))
        if start is None:
            return invalid_request("The `next_token` query parameter value is not valid", "next_token", "?")
        post = self.find_post(q.split(":", 1)[1].strip())
        replies: list[world.Comment] = []
        if post is not None:
            window_start = self.as_of - SEARCH_WINDOW
            replies = [c for c in post.comments(self.as_of) if archive or c.created_at >= window_start]
            replies.sort(key=lambda c: c.created_at, reverse=True)  # newest first, like search
        page = replies[start : start + size]
        fields = set(query.get("tweet.fields", "").split(","))
        want_users = "author_id" in query.get("expansions", "").split(",")
        data, users = [], {}
        if post is not None:
            for c in page:
                tweet = self._reply_tweet(post, c, fields)
                author_id = self.account_id(post.account) if c.is_creator else self.fan_id(c.author)
                data.append(tweet)
                users[author_id] = {"id": author_id, "name": c.author.replace("_", " ").title(), "username": c.author}
        body: dict[str, Any] = {"meta": {"result_count": len(data)}}
        if data:
            body["data"] = data
            body["meta"].update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
            if want_users:
                body["includes"] = {"users": list(users.values())}
        if start + size < len(replies):
            body["meta"]["next_token"] = _token(start + size)
        return SimResponse(200, body)


RENAMED = {"retweet_count": "repost_count", "tweet_count": "post_count", "referenced_tweets": "referenced_posts"}


def _renamed(value: Any) -> Any:
    """``value`` with the v2.159 field names replaced by their v2.167 names."""
    if isinstance(value, dict):
        return {RENAMED.get(k, k): _renamed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v) for v in value]
    return value
