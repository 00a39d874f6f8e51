"""Facebook Pages through the Graph API (https://graph.facebook.com/v21.0).

Endpoints used (Page access token with pages_read_engagement, read_insights):

- ``GET /me?fields=id,name``: only when the account has no ``external_id``; with a *Page* access
  token ``/me`` is the Page itself, which gives us the Page id.
- ``GET /{page-id}?fields=id,name,username,fan_count,followers_count,link``: the Page profile.
- ``GET /{page-id}/posts?fields=...&limit=&after=``: the Page's posts, newest first, with the
  reaction / comment totals as ``summary(total_count)`` of a ``limit(0)`` edge (no rows fetched).
- ``GET /{post-id}/insights?metric=...&since=&until=``: lifetime post insights.
- ``GET /{post-id}?fields=...``: one post by id, for tracked posts that are no longer among the
  newest ``posts_per_fetch`` but still inside :attr:`Client.update_window_days` (refresh by id);
  their insights follow. Comments of refreshed posts are not fetched again.
- ``GET /{post-id}/comments?filter=stream&fields=...``: every comment of a post, replies included,
  flat and chronological; a reply carries ``parent{id}``.
- ``GET /{page-id}/insights?metric=page_fans_country,page_fans_city&period=lifetime&since=&until=``:
  where the Page's fans live (the only audience breakdown left; age/gender were retired by Meta).
- ``GET /oauth/access_token?grant_type=fb_exchange_token`` (token refresh, see
  :meth:`Client.refresh_access_token`), then ``GET /{page-id}?fields=access_token`` for the Page token.

Quirks worth knowing:

- Insights ranges: Meta documents that only 90 days of insights can be read at once with
  ``since``/``until`` (the server rejects ranges above ~93 days). Page and post insights are asked
  with an explicit window: ``until`` = the end of the pull day (``self.today``, never later than
  now) and ``since`` = 90 days earlier, both Unix seconds. Lifetime values are unaffected by the
  window; it keeps backfills of past days reproducible and inside the documented cap.
- Expired/revoked tokens answer HTTP **400** (not 401) with ``error.code`` 190 (``OAuthException``;
  ``error_subcode`` 463 = expired, 460 = password changed, 458 = app removed). The client turns
  that into a :class:`PlatformError` saying the token must be refreshed or the Page reconnected.
- App usage: every answer carries ``X-App-Usage: {"call_count", "total_cputime", "total_time"}``
  (percent of the app's rolling hourly budget). :class:`HttpClient` records it and pauses the
  shared rate limiter when any figure reaches 90 %, before Meta starts throttling (code 4).
- The token travels as the ``access_token`` query parameter (never recorded).
- Cursor pagination: ``paging.cursors.after`` is the cursor, and the *absence* of ``paging.next``
  (not a short page) means the end of the edge. ``limit`` is capped at 100 for posts/comments.
- Timestamps look like ``2024-11-20T15:00:00+0000`` (offset without a colon).
- Post ids are ``{page_id}_{post_object_id}``. Comment (and reply) ids are
  ``{post_object_id}_{comment_object_id}``: the prefix is how a stored comment page is tied back to
  its post, since the comments edge does not repeat the post id.
- ``shares`` is *omitted* (not 0) on a post nobody has shared, so a missing ``shares`` on a post
  fetched with that field means 0 shares.
- Meta keeps retiring insights metrics (``post_impressions*`` and the ``page_fans_*`` breakdowns
  are deprecated in recent versions). A metric Meta no longer knows answers HTTP 400 with error
  code 100; such a metric is recorded as unknown (None) instead of failing the pull. When the
  combined request fails that way, the metrics are asked one by one so the surviving ones still
  arrive.
- ``post_video_views`` is only meaningful for video posts (Meta answers 0 for others), so it is
  asked for video posts only and views stay None for the rest. ``post_video_view_time`` is the
  total watch time in **milliseconds**.
- Insights give impressions and reach (``post_impressions_unique``) but no saves, no completion
  rate and no video duration.
- The Page's fan counts by country/city come as ``{key: count}``; they are turned into percent
  shares of the fans the breakdown covers.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
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

ME = "me"
PAGE = "page"
PAGE_POSTS = "page/posts"
POST = "post"  # GET /{post-id}: refresh by id
POST_INSIGHTS = "post/insights"
POST_COMMENTS = "post/comments"
PAGE_INSIGHTS = "page/insights"

PAGE_FIELDS = "id,name,username,fan_count,followers_count,link"
POST_FIELDS = (
    "id,message,created_time,permalink_url,status_type,"
    "attachments{media_type,type,media},shares,"
    "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)
COMMENT_FIELDS = "id,message,from{id,name},created_time,like_count,comment_count,parent{id}"
POST_METRICS = ("post_impressions", "post_impressions_unique", "post_clicks")
VIDEO_METRICS = ("post_video_views", "post_video_view_time")
PAGE_METRICS = ("page_fans_country", "page_fans_city")
MAX_LIMIT = 100  # documented cap of `limit` on the posts and comments edges
MAX_COMMENT_PAGES = 50  # safety stop per post
INVALID_METRIC_CODE = 100  # Graph API "invalid parameter", what a retired metric answers
EXPIRED_TOKEN_CODE = 190  # OAuthException: token expired, revoked or otherwise invalid
INSIGHTS_RANGE_DAYS = 90  # documented cap of a since..until insights range
TOP_N = 10


class Client(PlatformClient):
    platform = "facebook"
    default_base_url = "https://graph.facebook.com/v21.0"
    # Graph keeps lifetime post insights for two years, so there is no hard limit; engagement on
    # Page posts plateaus within days, and each refreshed post costs two calls (post + insights)
    # against the Page's hourly usage budget, so tracked posts are refreshed for 30 days.
    update_window_days = 30

    def __init__(self, http, base_url: str | None = None, credentials: Mapping[str, str] | None = None, **kwargs):
        super().__init__(http, base_url, credentials, **kwargs)
        # The OAuth endpoint lives on the Graph host itself.
        self.oauth_base_url = str(self.credentials.get("oauth_base_url") or self.base_url).rstrip("/")

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        token = account.access_token
        if not token:
            raise PlatformError(
                f"facebook account @{handle}: no Page access token (AccountRef.access_token is "
                "empty; a Page access token with pages_read_engagement and read_insights is required)"
            )
        try:
            self._pull(account, handle, {"access_token": token})
        except PlatformError as exc:
            raise self._token_problem(exc, handle) from None

    def _pull(self, account: AccountRef, handle: str, secret: dict[str, str]) -> None:

        page_id = account.external_id
        if not page_id:
            # With a Page access token, /me is the Page.
            me = self.http.get(self.url("me"), endpoint=ME, params={"fields": "id,name"}, secret_params=secret)
            page_id = str((me or {}).get("id") or "")
            if not page_id:
                raise PlatformError(f"facebook account @{handle}: /me returned no Page id", endpoint=ME)

        self.http.get(self.url(page_id), endpoint=PAGE, params={"fields": PAGE_FIELDS}, secret_params=secret)

        posts = self._posts(page_id, account.posts_per_fetch, secret)
        for post in posts:
            post_id = str(post.get("id"))
            self._insights(post_id, _is_video(post), secret)
            self._comments(post_id, secret)

        listed = {str(p.get("id")) for p in posts}
        extra = [pid for pid in dict.fromkeys(account.refresh_post_ids) if pid and pid not in listed]
        for index, post_id in enumerate(extra):
            try:
                post = self.http.get(
                    self.url(post_id), endpoint=POST, params={"fields": POST_FIELDS}, secret_params=secret,
                    page_index=index,
                )
            except PlatformError as exc:
                if self._graph_code(exc) == INVALID_METRIC_CODE and exc.status_code in (400, 404):
                    continue  # deleted, or no longer visible to this token: nothing to refresh
                raise
            if isinstance(post, dict) and post.get("id"):
                self._insights(str(post["id"]), _is_video(post), secret)

        try:
            self.http.get(
                self.url(f"{page_id}/insights"),
                endpoint=PAGE_INSIGHTS,
                params={"metric": ",".join(PAGE_METRICS), "period": "lifetime", **self._window()},
                secret_params=secret,
            )
        except PlatformError as exc:
            if not self._retired_metric(exc):
                raise
            # Retired breakdown: demographics stay unknown.

    # -- steps ------------------------------------------------------------------------------
    def _posts(self, page_id: str, wanted: int, secret: dict[str, str]) -> list[dict[str, Any]]:
        posts: list[dict[str, Any]] = []
        after: str | None = None
        page_index = 0
        while len(posts) < wanted:
            params: dict[str, Any] = {"fields": POST_FIELDS, "limit": min(MAX_LIMIT, wanted - len(posts))}
            if after:
                params["after"] = after
            payload = self.http.get(
                self.url(f"{page_id}/posts"), endpoint=PAGE_POSTS, params=params, secret_params=secret,
                page_index=page_index,
            )
            data = payload.get("data") if isinstance(payload, dict) else None
            if not isinstance(data, list):
                raise PlatformError(f"{PAGE_POSTS}: answer has no data list", endpoint=PAGE_POSTS)
            posts.extend(p for p in data if isinstance(p, dict))
            paging = payload.get("paging") or {}
            after = ((paging.get("cursors") or {}).get("after")) if isinstance(paging, dict) else None
            if not data or not paging.get("next") or not after:
                break
            page_index += 1
        return posts[:wanted]

    def _window(self) -> dict[str, int]:
        """The insights range: 90 days (the documented cap) ending with the pull day."""
        until = self.until_epoch
        return {"since": until - INSIGHTS_RANGE_DAYS * 86400, "until": until}

    def _insights(self, post_id: str, is_video: bool, secret: dict[str, str]) -> None:
        metrics = POST_METRICS + (VIDEO_METRICS if is_video else ())
        url = self.url(f"{post_id}/insights")
        window = self._window()
        try:
            self.http.get(
                url, endpoint=POST_INSIGHTS, params={"metric": ",".join(metrics), **window}, secret_params=secret
            )
            return
        except PlatformError as exc:
            if not self._retired_metric(exc):
                raise
        # One metric is retired: ask one by one so the others still arrive.
        for metric in metrics:
            try:
                self.http.get(url, endpoint=POST_INSIGHTS, params={"metric": metric, **window}, secret_params=secret)
            except PlatformError as exc:
                if not self._retired_metric(exc):
                    raise

    def _comments(self, post_id: str, secret: dict[str, str]) -> None:
        after: str | None = None
        for page_index in range(MAX_COMMENT_PAGES):
            params: dict[str, Any] = {"fields": COMMENT_FIELDS, "filter": "stream", "limit": MAX_LIMIT}
            if after:
                params["after"] = after
            payload = self.http.get(
                self.url(f"{post_id}/comments"), endpoint=POST_COMMENTS, params=params, secret_params=secret,
                page_index=page_index,
            )
            if not isinstance(payload, dict):
                raise PlatformError(f"{POST_COMMENTS}: answer is not a JSON object", endpoint=POST_COMMENTS)
            paging = payload.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after") if isinstance(paging, dict) else None
            if not payload.get("data") or not paging.get("next") or not after:
                return

    def _retired_metric(self, exc: PlatformError) -> bool:
        """Whether the last recorded answer is Graph error code 100 (a metric Meta retired)."""
        return exc.status_code == 400 and self._graph_code(exc) == INVALID_METRIC_CODE

    def _graph_code(self, exc: PlatformError) -> int | None:
        """``error.code`` of the Graph error body behind ``exc`` (the last recorded answer)."""
        if exc.status_code is None or not self.http.responses:
            return None
        err = _graph_error(self.http.responses[-1].payload)
        return err.get("code") if err else None

    def _token_problem(self, exc: PlatformError, handle: str) -> PlatformError:
        """``exc``, or a clearer error when Graph says the token is expired/revoked (code 190)."""
        if self._graph_code(exc) != EXPIRED_TOKEN_CODE:
            return exc
        err = _graph_error(self.http.responses[-1].payload) or {}
        sub = err.get("error_subcode")
        reason = {463: "has expired", 460: "was invalidated by a password change", 458: "was revoked (app removed)",
                  467: "is no longer valid"}.get(sub, "is invalid, expired or revoked")
        return PlatformError(
            f"facebook account @{handle}: the Page access token {reason} (Graph OAuthException 190"
            f"{f', subcode {sub}' if sub else ''}). Refresh it (SOCIAL_PIPELINE_FACEBOOK_APP_ID and "
            "SOCIAL_PIPELINE_FACEBOOK_APP_SECRET let the pipeline exchange it) or reconnect the Page "
            "to store a new Page access token in social_accounts.access_token.",
            status_code=exc.status_code,
            endpoint=exc.endpoint,
        )

    # -- token refresh ----------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """Exchange a (short- or long-lived) user token for a long-lived one (about 60 days) with
        ``GET /oauth/access_token?grant_type=fb_exchange_token``, then, when the Page id is known,
        read the Page's own token with it (``GET /{page-id}?fields=access_token``): a Page token
        obtained from a long-lived user token does not expire. The long-lived user token is returned
        as ``refresh_token`` since it is what the next exchange needs.

        App credentials come from ``app_id``/``app_secret`` (``SOCIAL_PIPELINE_FACEBOOK_APP_ID`` /
        ``..._APP_SECRET``). Nothing here is recorded: the answers hold tokens.
        """
        handle = account.handle.lstrip("@")
        missing = [f"SOCIAL_PIPELINE_FACEBOOK_{n.upper()}" for n in ("app_id", "app_secret") if not self.credentials.get(n)]
        if missing:
            raise PlatformError(f"facebook account @{handle}: cannot refresh the token: set {' and '.join(missing)}")
        if not refresh_token:
            raise PlatformError(f"facebook account @{handle}: no token to exchange: reconnect the Page")
        secrets = [refresh_token, self.credentials["app_secret"]]
        body = self._token_get(
            f"{self.oauth_base_url}/oauth/access_token",
            {
                "grant_type": "fb_exchange_token",
                "client_id": self.credentials["app_id"],
                "client_secret": self.credentials["app_secret"],
                "fb_exchange_token": refresh_token,
            },
            handle, secrets,
        )
        user_token = body.get("access_token")
        if not isinstance(user_token, str) or not user_token:
            raise PlatformError(f"facebook account @{handle}: token exchange answered without an access_token")
        expires_in = body.get("expires_in")
        expires_at = (
            datetime.now(timezone.utc) + timedelta(seconds=expires_in)
            if isinstance(expires_in, int) and not isinstance(expires_in, bool) and expires_in > 0
            else None
        )
        if not account.external_id:
            return TokenGrant(access_token=user_token, expires_at=expires_at)
        page = self._token_get(
            self.url(account.external_id), {"fields": "access_token", "access_token": user_token},
            handle, [*secrets, user_token],
        )
        page_token = page.get("access_token")
        if not isinstance(page_token, str) or not page_token:
            raise PlatformError(
                f"facebook account @{handle}: the exchanged token gives no Page access token for Page "
                f"{account.external_id} (the user must manage the Page): reconnect the Page"
            )
        return TokenGrant(access_token=page_token, expires_at=None, refresh_token=user_token)

    def _token_get(self, url: str, params: dict[str, str], handle: str, secrets: list[str]) -> dict[str, Any]:
        """One unrecorded GET for the token flow; errors name the problem, never a secret."""
        try:
            resp = self.http.session.get(url, params=params, timeout=self.http.timeout)
        except requests.RequestException as exc:
            raise PlatformError(f"facebook account @{handle}: token refresh failed: {type(exc).__name__}") from None
        try:
            body = resp.json()
        except ValueError:
            body = None
        if 200 <= resp.status_code < 300 and isinstance(body, dict):
            return body
        err = _graph_error(body) or {}
        detail = _scrub(str(err.get("message") or "non-JSON answer"), secrets)[:200]
        what = (
            "the token to exchange has expired or was revoked: reconnect the Page (Facebook Login)"
            if err.get("code") == EXPIRED_TOKEN_CODE
            else "check SOCIAL_PIPELINE_FACEBOOK_APP_ID / SOCIAL_PIPELINE_FACEBOOK_APP_SECRET or reconnect the Page"
        )
        raise PlatformError(
            f"facebook account @{handle}: token refresh failed (HTTP {resp.status_code}: {detail}); {what}",
            status_code=resp.status_code,
            endpoint="oauth/access_token",
        )

    # -- parsing ----------------------------------------------------------------------------
    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        responses = list(responses)
        out = ParsedPull()

        pages = ok_payloads(responses, PAGE)
        if not pages:
            raise ParseError("facebook: no successful Page response")
        page = _obj(pages[-1], "page")
        page_id = _str(page, "id", "page")
        followers = count(page.get("followers_count"))
        if followers is None:
            followers = count(page.get("fan_count"))
        out.account = {
            "external_user_id": page_id,
            "display_name": page.get("name") if isinstance(page.get("name"), str) else None,
            "followers_count": followers,
            "following_count": None,
            "posts_count": None,
            "total_likes": None,
            "total_comments": None,
            "total_views": None,
            "total_shares": None,
            "subscribers_count": None,
            "pins_count": None,
            "retweets_count": None,
            "watch_time_minutes": None,
        }

        insights = _post_insights(ok_payloads(responses, POST_INSIGHTS))
        by_object_id: dict[str, str] = {}
        # Listed posts, then posts refreshed by id; a post fetched twice keeps its newest data.
        latest: dict[str, dict[str, Any]] = {}
        for r in responses:
            if not r.ok or r.endpoint not in (PAGE_POSTS, POST):
                continue
            items = _list(_obj(r.payload, "posts page"), "data", "posts page") if r.endpoint == PAGE_POSTS else [r.payload]
            for raw in items:
                post = _obj(raw, "post")
                latest[_str(post, "id", "post")] = post
        for post_id, post in latest.items():
            by_object_id[post_id.split("_", 1)[-1]] = post_id
            out.posts.append(_parse_post(post, post_id, insights.get(post_id, {})))

        seen_comments: set[str] = set()
        for payload in ok_payloads(responses, POST_COMMENTS):
            for raw in _list(_obj(payload, "comments page"), "data", "comments page"):
                comment = _obj(raw, "comment")
                comment_id = _str(comment, "id", "comment")
                if comment_id in seen_comments:
                    continue
                seen_comments.add(comment_id)
                prefix = comment_id.split("_", 1)[0]
                post_id = by_object_id.get(prefix)
                if post_id is None:
                    raise ParseError(f"facebook: comment {comment_id} belongs to no pulled post")
                out.comments.append(_parse_comment(comment, comment_id, post_id))

        page_insights = ok_payloads(responses, PAGE_INSIGHTS)
        if page_insights:
            out.demographics = _demographics(page_insights[-1])
        return out


# -- parse helpers ---------------------------------------------------------------------------
def _graph_error(payload: Any) -> dict[str, Any] | None:
    err = payload.get("error") if isinstance(payload, dict) else None
    return err if isinstance(err, dict) else None


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def _is_video(post: dict[str, Any]) -> bool:
    return _media_type(post) == "video"


def _media_type(post: dict[str, Any]) -> str:
    attachments = post.get("attachments")
    first = None
    if isinstance(attachments, dict) and isinstance(attachments.get("data"), list) and attachments["data"]:
        first = attachments["data"][0] if isinstance(attachments["data"][0], dict) else None
    kind = str((first or {}).get("media_type") or "").lower()
    sub = str((first or {}).get("type") or "").lower()
    status = str(post.get("status_type") or "").lower()
    if kind == "video" or sub.startswith("video") or status == "added_video":
        return "video"
    if kind == "album" or sub in ("album", "multi_share"):
        return "carousel"
    if kind == "photo" or sub == "photo" or status == "added_photos":
        return "image"
    return "text"


def _media_url(post: dict[str, Any]) -> str | None:
    attachments = post.get("attachments")
    if not isinstance(attachments, dict) or not isinstance(attachments.get("data"), list):
        return None
    for item in attachments["data"]:
        media = item.get("media") if isinstance(item, dict) else None
        if not isinstance(media, dict):
            continue
        if isinstance(media.get("source"), str):
            return media["source"]
        image = media.get("image")
        if isinstance(image, dict) and isinstance(image.get("src"), str):
            return image["src"]
    return None


def _summary_total(post: dict[str, Any], edge: str) -> int | None:
    value = post.get(edge)
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("summary"), dict):
        raise ParseError(f"facebook: post {post.get('id')} has a malformed {edge} summary")
    return count(value["summary"].get("total_count"))


def _parse_post(post: dict[str, Any], post_id: str, metrics: dict[str, int | None]) -> dict[str, Any]:
    posted_at = parse_timestamp(post.get("created_time"))
    if posted_at is None:
        raise ParseError(f"facebook: post {post_id} has no created_time")
    shares = post.get("shares")
    if shares is None:
        shares_count = 0  # Graph omits `shares` on posts nobody shared
    elif isinstance(shares, dict):
        shares_count = count(shares.get("count"))
    else:
        raise ParseError(f"facebook: post {post_id} has a malformed shares field")
    message = post.get("message")
    if message is not None and not isinstance(message, str):
        raise ParseError(f"facebook: post {post_id} message is not text")
    media_type = _media_type(post)
    view_time_ms = metrics.get("post_video_view_time")
    return {
        "external_post_id": post_id,
        "post_url": post.get("permalink_url") or f"https://www.facebook.com/{post_id}",
        "caption": message,
        "title": None,
        "media_type": media_type,
        "media_url": _media_url(post),
        "duration": None,  # not on the posts edge
        "posted_at": posted_at,
        "likes_count": _summary_total(post, "reactions"),
        "comments_count": _summary_total(post, "comments"),
        "views_count": metrics.get("post_video_views") if media_type == "video" else None,
        "shares_count": shares_count,
        "saves_count": None,
        "watch_time_seconds": (
            round(view_time_ms / 1000) if media_type == "video" and view_time_ms is not None else None
        ),
        "completion_rate": None,
        "impressions": metrics.get("post_impressions"),
        "reach": metrics.get("post_impressions_unique"),
    }


def _post_insights(payloads: list[Any]) -> dict[str, dict[str, int | None]]:
    """post id -> {metric name: lifetime value}. Each insight row's id is
    ``{post-id}/insights/{metric}/{period}``."""
    result: dict[str, dict[str, int | None]] = {}
    for payload in payloads:
        for raw in _list(_obj(payload, "insights"), "data", "insights"):
            row = _obj(raw, "insight")
            name = _str(row, "name", "insight")
            row_id = _str(row, "id", "insight")
            post_id = row_id.split("/insights", 1)[0]
            values = _list(row, "values", "insight")
            value = None
            if values:
                last = _obj(values[-1], "insight value")
                value = count(last.get("value"))
            result.setdefault(post_id, {})[name] = value
    return result


def _parse_comment(comment: dict[str, Any], comment_id: str, post_id: str) -> dict[str, Any]:
    author = comment.get("from")
    if author is not None and not isinstance(author, dict):
        raise ParseError(f"facebook: comment {comment_id} has a malformed from field")
    parent = comment.get("parent")
    if parent is not None and not (isinstance(parent, dict) and isinstance(parent.get("id"), str)):
        raise ParseError(f"facebook: comment {comment_id} has a malformed parent field")
    text = comment.get("message")
    if text is not None and not isinstance(text, str):
        raise ParseError(f"facebook: comment {comment_id} message is not text")
    return {
        "external_post_id": post_id,
        "external_comment_id": comment_id,
        "parent_external_comment_id": parent["id"] if parent else None,
        "comment_text": text,
        # `from` is withheld for people who have not authorised the app; name is all Graph gives.
        "author_username": (author or {}).get("name"),
        "author_external_id": str(author["id"]) if author and author.get("id") is not None else None,
        "likes_count": count(comment.get("like_count")),
        "commented_at": parse_timestamp(comment.get("created_time")),
    }


def _demographics(payload: Any) -> dict[str, Any] | None:
    rows = _list(_obj(payload, "page insights"), "data", "page insights")
    shares: dict[str, dict[str, float]] = {}
    for raw in rows:
        row = _obj(raw, "page insight")
        name = _str(row, "name", "page insight")
        values = _list(row, "values", "page insight")
        if not values:
            continue
        latest = _obj(values[-1], "page insight value").get("value")
        if latest is None:
            continue
        if not isinstance(latest, dict):
            raise ParseError(f"facebook: {name} value is not a {{key: count}} object")
        counts = {str(k): count(v) or 0 for k, v in latest.items()}
        total = sum(counts.values())
        if total <= 0:
            continue
        top = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)[:TOP_N]
        shares[name] = {k: round(v / total * 100, 2) for k, v in top}
    if not shares:
        return None
    return {
        # Meta retired the age/gender breakdowns (page_fans_gender_age): unknown, not zero.
        "age_13_17": None,
        "age_18_24": None,
        "age_25_34": None,
        "age_35_44": None,
        "age_45_plus": None,
        "gender_male": None,
        "gender_female": None,
        "top_countries": shares.get("page_fans_country"),
        "top_cities": shares.get("page_fans_city"),
        "top_languages": None,
        "peak_hours": None,
        "peak_days": None,
    }


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"facebook: {what} is not a JSON object")
    return value


def _list(obj: dict[str, Any], key: str, what: str) -> list[Any]:
    value = obj.get(key)
    if not isinstance(value, list):
        raise ParseError(f"facebook: {what} has no {key!r} list")
    return value


def _str(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise ParseError(f"facebook: {what} has no {key!r}")
    return value
