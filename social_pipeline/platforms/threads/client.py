"""Threads API (https://graph.threads.net/v1.0).

Endpoints used (permissions threads_basic, threads_manage_insights, threads_read_replies):

- ``GET /me?fields=id,username,name,threads_profile_picture_url,threads_biography``: the token's
  own profile; its ``id`` is the Threads user id used below (``AccountRef.external_id`` is used
  instead of ``me`` in the path when it is set).
- ``GET /{user-id}/threads_insights?metric=likes,replies,reposts,quotes,followers_count
  &since=1712991600&until=<now>``: account totals (``total_value``).
- ``GET /{user-id}/threads_insights?metric=follower_demographics&breakdown=country|city|age|gender``:
  one breakdown per call (the metric takes no since/until).
- ``GET /{user-id}/threads?fields=...&limit=..&after=..``: the user's posts, newest first.
- ``GET /{media-id}/insights?metric=views,likes,replies,reposts,quotes,shares``: per post.
- ``GET /{media-id}/conversation?fields=id,text,username,timestamp,replied_to,root_post,is_reply
  &reverse=false&after=..``: every reply at every depth, flattened; ``replied_to.id`` names the
  parent (the root post itself for a top-level reply) and ``root_post.id`` the post it belongs to.

- ``GET /{media-id}?fields=...`` plus its insights: tracked posts still inside the update window
  that are no longer among the newest (``AccountRef.refresh_post_ids``); a post deleted meanwhile
  (400 code 100) is skipped.
- ``GET graph.threads.net/refresh_access_token?grant_type=th_refresh_token&access_token=<token>``:
  a long-lived (60-day) token exchanged for a new one, ``{"access_token", "token_type",
  "expires_in"}``. No app secret is needed; the grant carries the new token as ``refresh_token``
  too, since the long-lived token is itself what gets refreshed next time. Not recorded.

Errors:

- An expired or revoked token answers HTTP 400 with code 190 (subcode 463 expired): raised as
  :class:`~.instagram.TokenExpired`, naming the account and saying to refresh or reconnect.
- A retired or invalid metric answers 400 ``(#100) metric[i] must be one of the following values``:
  the insights call is repeated without it (per metric when unclear) and the metric stays None.

Quirks worth knowing:

- The token travels as the ``access_token`` query parameter (never recorded). Graph echoes it in
  ``paging.next`` URLs; the client scrubs those before the payload is stored.
- Posts carry no counters: likes/replies/reposts/quotes/shares/views come only from the per-post
  insights. ``replies`` on a root post counts replies at every depth.
- ``shares_count`` = reposts + quotes + shares (sends): all the ways a post travels on.
- Account insights are *period* totals. Without since/until Threads answers a two-day window, so
  the client asks from the API's floor (2024-04-13, epoch 1712991600; earlier dates are refused)
  until now: ``total_likes``/``total_comments`` are likes/replies since that floor, ``retweets_count``
  the reposts, ``total_shares`` reposts + quotes. The account ``views`` metric counts *profile*
  views, not content views, so it is not asked for and ``total_views`` stays None.
- Replies have no like count in the API: comment ``likes_count`` is None.
- ``REPOST_FACADE`` items are other people's posts the user reposted: skipped (no insights).
- ``follower_demographics`` answers counts (needs 100+ followers, else a 400 that does not fail
  the pull); the parser turns them into percent like the Instagram parser (same Graph shape). No
  languages, peak hours or peak days.
- Timestamps are ISO-8601 with a colon-less offset (``+0000``). Post URL is the ``permalink``
  (``https://www.threads.net/@{user}/post/{shortcode}``).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..base import (
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
from ..base import TokenGrant
# Meta's Graph conventions are shared with Instagram: its payload helpers parse ours too.
from ..instagram.client import (
    TokenExpired,
    _data_list,
    _metric_value,
    _opt_str,
    _req_str,
    collect_breakdowns,
    demographics_from_counts,
    graph_error_code,
    insights_without_refused,
    meta_token_exchange,
    raise_if_token_error,
)

ME = "threads-user"
MEDIA_NODE = "threads-media"
USER_INSIGHTS = "threads-user/threads_insights"
THREADS = "threads-user/threads"
MEDIA_INSIGHTS = "threads-media/insights"
CONVERSATION = "threads-media/conversation"

PROFILE_FIELDS = "id,username,name,threads_profile_picture_url,threads_biography"
POST_FIELDS = "id,media_product_type,media_type,media_url,permalink,text,timestamp,shortcode,is_quote_post"
REPLY_FIELDS = "id,text,username,timestamp,replied_to,root_post,is_reply"
ACCOUNT_METRICS = "likes,replies,reposts,quotes,followers_count"
POST_METRICS = "views,likes,replies,reposts,quotes,shares"
BREAKDOWNS = ("country", "city", "age", "gender")
INSIGHTS_FLOOR = 1712991600  # 2024-04-13: since/until earlier than this are not supported
PAGE_LIMIT = 25
MEDIA_TYPES = {
    "TEXT_POST": "text",
    "IMAGE": "image",
    "VIDEO": "video",
    "CAROUSEL_ALBUM": "carousel",
    "AUDIO": "video",  # closest of the four kinds
}
_TOKEN_IN_URL = re.compile(r"(access_token=)[^&#]*")


class Client(PlatformClient):
    platform = "threads"
    default_base_url = "https://graph.threads.net/v1.0"
    default_oauth_base_url = "https://graph.threads.net"
    # Post insights are lifetime totals with no documented cut-off; a Threads post's engagement
    # arrives within days, so tracked posts are refreshed for the pipeline's default 30 days.
    update_window_days = 30

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.oauth_base_url = (self.credentials.get("oauth_base_url") or self.default_oauth_base_url).rstrip("/")
        self._label = "threads account"
        self._refused: dict[str, set[str]] = {}

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        self._label = f"threads account @{handle}"
        self._refused = {}
        token = account.access_token
        if not token:
            raise PlatformError(
                f"threads account @{handle}: no access token (AccountRef.access_token is empty; a "
                "Threads user token with threads_basic, threads_manage_insights and "
                "threads_read_replies is required)"
            )
        auth = {"access_token": token}

        profile = self._get(
            self.url(f"/{account.external_id or 'me'}"), endpoint=ME, params={"fields": PROFILE_FIELDS}, secret_params=auth
        )
        user_id = profile.get("id") if isinstance(profile, dict) else None
        if not isinstance(user_id, str) or not user_id:
            raise PlatformError(f"threads account @{handle}: profile answer has no id", endpoint=ME)

        window = {"since": INSIGHTS_FLOOR, "until": self.until_epoch}
        insights_without_refused(
            _WithParams(self, window),
            self.url(f"/{user_id}/threads_insights"),
            USER_INSIGHTS,
            ACCOUNT_METRICS.split(","),
            auth,
            group="account",
        )
        for breakdown in BREAKDOWNS:
            try:
                self._get(
                    self.url(f"/{user_id}/threads_insights"),
                    endpoint=USER_INSIGHTS,
                    params={"metric": "follower_demographics", "breakdown": breakdown},
                    secret_params=auth,
                )
            except PlatformError as exc:
                if exc.status_code != 400 or isinstance(exc, TokenExpired):
                    raise  # too few followers is a 400: no demographics, the pull goes on

        wanted = max(int(account.posts_per_fetch), 0)
        posts: list[str] = []
        after: str | None = None
        page = 0
        while len(posts) < wanted:
            limit = min(PAGE_LIMIT, wanted - len(posts))
            params: dict[str, Any] = {"fields": POST_FIELDS, "limit": limit}
            if after:
                params["after"] = after
            payload = self._get(
                self.url(f"/{user_id}/threads"), endpoint=THREADS, params=params, secret_params=auth, page_index=page
            )
            items = payload.get("data") if isinstance(payload, dict) else None
            if not isinstance(items, list):
                raise PlatformError(f"{THREADS}: answer has no data list", endpoint=THREADS)
            for item in items:
                if isinstance(item, dict) and item.get("media_type") != "REPOST_FACADE" and isinstance(item.get("id"), str):
                    posts.append(item["id"])
            after = _next_cursor(payload, len(items), limit)
            if not after or not items:
                break
            page += 1

        for media_id in posts[:wanted]:
            replies = self._media_insights(media_id, auth)
            if replies == 0:
                continue  # no conversation to page through
            self._pull_conversation(media_id, auth)

        # Tracked posts no longer among the newest: current fields and insights by id.
        listed = set(posts[:wanted])
        todo = [mid for mid in dict.fromkeys(str(i) for i in account.refresh_post_ids) if mid not in listed]
        for page, media_id in enumerate(todo):
            try:
                self._get(
                    self.url(f"/{media_id}"),
                    endpoint=MEDIA_NODE,
                    params={"fields": POST_FIELDS},
                    secret_params=auth,
                    page_index=page,
                )
            except PlatformError as exc:
                if graph_error_code(self.http, MEDIA_NODE) == 100 and not isinstance(exc, TokenExpired):
                    continue  # deleted or no longer visible
                raise
            self._media_insights(media_id, auth)

    def _media_insights(self, media_id: str, auth: dict[str, str]) -> Any:
        """Fetch a post's insights (degrading refused metrics); returns its ``replies`` value."""
        before = len(self.http.responses)
        insights_without_refused(
            self, self.url(f"/{media_id}/insights"), MEDIA_INSIGHTS, POST_METRICS.split(","), auth, group="media"
        )
        replies = None
        for r in self.http.responses[before:]:
            if r.ok and r.endpoint == MEDIA_INSIGHTS:
                value = _insight(r.payload, "replies")
                replies = value if value is not None else replies
        return replies

    # -- token refresh ----------------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """Exchange the current long-lived token (``refresh_token``) for a new one."""
        label = f"threads account @{account.handle.lstrip('@')}"
        if not refresh_token:
            raise PlatformError(f"{label}: no token to refresh; reconnect the account")
        return meta_token_exchange(
            self.http,
            f"{self.oauth_base_url}/refresh_access_token",
            params={"grant_type": "th_refresh_token"},
            secret_params={"access_token": refresh_token},
            label=label,
        )

    def _pull_conversation(self, media_id: str, auth: dict[str, str]) -> None:
        after: str | None = None
        page = 0
        while True:
            params: dict[str, Any] = {"fields": REPLY_FIELDS, "reverse": "false"}
            if after:
                params["after"] = after
            payload = self._get(
                self.url(f"/{media_id}/conversation"),
                endpoint=CONVERSATION,
                params=params,
                secret_params=auth,
                page_index=page,
            )
            items = payload.get("data") if isinstance(payload, dict) else None
            after = _next_cursor(payload, len(items or []), None)
            if not after or not items:
                break
            page += 1

    def _get(self, url: str, **kwargs) -> Any:
        try:
            payload = self.http.get(url, **kwargs)
        except PlatformError as exc:
            raise_if_token_error(self.http, exc, self._label, "threads")
            raise
        _scrub_paging(payload)
        return payload

    # -- parsing -------------------------------------------------------------------------------
    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        responses = list(responses)
        out = ParsedPull()

        profiles = ok_payloads(responses, ME)
        if not profiles:
            raise ParseError("no successful Threads profile (/me) response to parse")
        profile = profiles[-1]
        if not isinstance(profile, dict):
            raise ParseError("threads /me: payload is not an object")
        user_id = _req_str(profile, "id", "threads /me")

        totals: dict[str, Any] = {}
        groups: dict[str, dict[str, int]] = {}
        for payload in ok_payloads(responses, USER_INSIGHTS):
            for entry in _data_list(payload, USER_INSIGHTS):
                if not isinstance(entry, dict):
                    raise ParseError(f"{USER_INSIGHTS}: an entry is not an object")
                name = _req_str(entry, "name", USER_INSIGHTS)
                if name == "follower_demographics":
                    collect_breakdowns(entry, groups, USER_INSIGHTS)
                else:
                    totals[name] = _metric_value(entry, USER_INSIGHTS)

        reposts, quotes = count(totals.get("reposts")), count(totals.get("quotes"))
        out.account = {
            "external_user_id": user_id,
            "display_name": _opt_str(profile, "name", "threads /me") or _opt_str(profile, "username", "threads /me"),
            "followers_count": count(totals.get("followers_count")),
            "following_count": None,  # not offered
            "posts_count": None,  # not offered
            "total_likes": count(totals.get("likes")),
            "total_comments": count(totals.get("replies")),
            "total_views": None,  # the account "views" metric is profile views
            "total_shares": None if reposts is None or quotes is None else reposts + quotes,
            "subscribers_count": None,
            "pins_count": None,
            "retweets_count": reposts,
            "watch_time_minutes": None,
        }

        insights: dict[str, dict[str, Any]] = {}
        for payload in ok_payloads(responses, MEDIA_INSIGHTS):
            for entry in _data_list(payload, MEDIA_INSIGHTS):
                if not isinstance(entry, dict):
                    raise ParseError(f"{MEDIA_INSIGHTS}: an entry is not an object")
                name = _req_str(entry, "name", MEDIA_INSIGHTS)
                entry_id = _req_str(entry, "id", MEDIA_INSIGHTS)
                media_id = entry_id.split("/insights/")[0]
                if media_id == entry_id:
                    raise ParseError(f"{MEDIA_INSIGHTS}: entry id {entry_id[:60]!r} does not name a media")
                insights.setdefault(media_id, {})[name] = _metric_value(entry, MEDIA_INSIGHTS)

        # Listed pages and by-id lookups in the order fetched: a post seen twice keeps its first
        # position and its most recently fetched fields.
        posts: dict[str, dict[str, Any]] = {}
        for r in sorted((r for r in responses if r.ok and r.endpoint in (THREADS, MEDIA_NODE)), key=lambda r: r.fetched_at):
            for item in _data_list(r.payload, THREADS) if r.endpoint == THREADS else [r.payload]:
                if not isinstance(item, dict):
                    raise ParseError(f"{r.endpoint}: a post entry is not an object")
                if item.get("media_type") == "REPOST_FACADE":
                    continue
                post = _parse_post(item, insights)
                posts[post["external_post_id"]] = post
        out.posts = list(posts.values())

        out.comments = _parse_replies(ok_payloads(responses, CONVERSATION))
        out.demographics = demographics_from_counts(groups)
        return out


# -- helpers -----------------------------------------------------------------------------------
class _WithParams:
    """Lends ``insights_without_refused`` a client whose GETs carry extra query parameters
    (the account insights' since/until window)."""

    def __init__(self, client: Client, extra: dict[str, Any]):
        self.http = client.http
        self._refused = client._refused
        self._client = client
        self._extra = extra

    def _get(self, url: str, *, params: dict[str, Any], **kwargs) -> Any:
        return self._client._get(url, params={**params, **self._extra}, **kwargs)


def _scrub_paging(payload: Any) -> None:
    if isinstance(payload, dict):
        paging = payload.get("paging")
        if isinstance(paging, dict):
            for link in ("next", "previous"):
                if isinstance(paging.get(link), str):
                    paging[link] = _TOKEN_IN_URL.sub(r"\1[redacted]", paging[link])


def _next_cursor(payload: Any, got: int, asked: int | None) -> str | None:
    """The ``after`` cursor while another page exists: ``paging.next`` says so; without it, a
    full page with an ``after`` cursor is taken as "maybe more"."""
    if not isinstance(payload, dict):
        return None
    paging = payload.get("paging")
    if not isinstance(paging, dict):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    if not isinstance(after, str) or not after:
        return None
    if paging.get("next") or (asked is not None and got >= asked):
        return after
    return None


def _insight(payload: Any, name: str) -> Any:
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        for entry in payload["data"]:
            if isinstance(entry, dict) and entry.get("name") == name:
                try:
                    return _metric_value(entry, MEDIA_INSIGHTS)
                except ParseError:
                    return None
    return None


def _parse_post(item: dict[str, Any], insights: dict[str, dict[str, Any]]) -> dict[str, Any]:
    media_id = _req_str(item, "id", THREADS)
    where = f"{THREADS} {media_id}"
    if "timestamp" not in item:
        raise ParseError(f"{where}: timestamp is missing")
    media_type = item.get("media_type")
    if media_type not in MEDIA_TYPES:
        raise ParseError(f"{where}: unknown media_type {media_type!r}")
    m = insights.get(media_id, {})
    reposts, quotes, sends = count(m.get("reposts")), count(m.get("quotes")), count(m.get("shares"))
    parts = [v for v in (reposts, quotes, sends) if v is not None]
    return {
        "external_post_id": media_id,
        "post_url": _opt_str(item, "permalink", where),
        "caption": _opt_str(item, "text", where),
        "title": None,
        "media_type": MEDIA_TYPES[media_type],
        "media_url": _opt_str(item, "media_url", where),
        "duration": None,
        "posted_at": parse_timestamp(item["timestamp"]),
        "likes_count": count(m.get("likes")),
        "comments_count": count(m.get("replies")),
        "views_count": count(m.get("views")),
        "shares_count": sum(parts) if parts else None,
        "saves_count": None,
        "watch_time_seconds": None,
        "completion_rate": None,
        "impressions": None,
        "reach": None,
    }


def _ref_id(obj: dict[str, Any], key: str, where: str) -> str | None:
    ref = obj.get(key)
    if ref is None:
        return None
    if not isinstance(ref, dict):
        raise ParseError(f"{where}: '{key}' should be an object with an id")
    return _req_str(ref, "id", f"{where} {key}")


def _parse_replies(payloads: list[Any]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for payload in payloads:
        for r in _data_list(payload, CONVERSATION):
            if not isinstance(r, dict):
                raise ParseError(f"{CONVERSATION}: a reply is not an object")
            reply_id = _req_str(r, "id", CONVERSATION)
            where = f"{CONVERSATION} reply {reply_id}"
            root = _ref_id(r, "root_post", where)
            if root is None:
                raise ParseError(f"{where}: root_post is missing, cannot tie the reply to a post")
            parent = _ref_id(r, "replied_to", where)
            if reply_id in seen:
                continue
            seen.add(reply_id)
            records.append(
                {
                    "external_post_id": root,
                    "external_comment_id": reply_id,
                    "parent_external_comment_id": None if parent in (None, root) else parent,
                    "comment_text": _opt_str(r, "text", where),
                    "author_username": _opt_str(r, "username", where),
                    "author_external_id": None,  # not exposed on replies
                    "likes_count": None,  # not exposed on replies
                    "commented_at": parse_timestamp(r.get("timestamp")),
                }
            )
    return records
