"""Facebook Pages through the Graph API (``https://graph.facebook.com/<version>``; the version is
the setting ``SOCIAL_PIPELINE_FACEBOOK_VERSION``, default
:data:`~social_pipeline.platforms.meta_graph.DEFAULT_VERSION`).

Endpoints used (Page access token with pages_read_engagement, read_insights):

- ``GET /me?fields=id,name``: only when the account has no ``external_id``; with a *Page* access
  token ``/me`` is the Page itself, which gives us the Page id.
- ``GET /{page-id}?fields=id,name,username,fan_count,followers_count,link``: the Page profile.
- ``GET /{page-id}/posts?fields=...&limit=&after=``: the Page's posts, newest first, with the
  reaction / comment totals as ``summary(total_count)`` of a ``limit(0)`` edge (no rows fetched).
- ``GET /{post-id}/insights?metric=post_media_view,post_total_media_view_unique,post_clicks
  [,post_video_views,post_video_view_time]&since=&until=``: lifetime post insights (the current
  set: ``post_impressions`` / ``post_impressions_unique`` were retired for every version on
  2025-11-15, replaced by ``post_media_view`` / ``post_total_media_view_unique``).
- ``GET /{video-id}/video_insights?metric=blue_reels_play_count,post_impressions_unique,
  post_video_avg_time_watched,post_video_view_time``: Reels, which have no ``/insights`` edge
  (the video id is the post's ``attachments.data[0].target.id``; a Reel's permalink is a
  ``/reel/`` URL).
- ``GET /{post-id}?fields=...``: one post by id, for tracked posts that are no longer among the
  newest ``posts_per_fetch`` but still inside :attr:`Client.update_window_days` (refresh by id);
  their insights follow. Comments of refreshed posts are not fetched again.
- ``GET /{post-id}/comments?filter=stream&fields=...``: every comment of a post, replies included,
  flat and chronological; a reply carries ``parent{id}``.
- ``GET /{page-id}/insights?metric=page_follows_country,page_follows_city&period=lifetime&since=&until=``:
  where the Page's followers live, the only audience breakdown Meta still serves for Pages
  (``page_fans_country`` / ``page_fans_city`` were retired on 2025-11-15; age/gender earlier).
  When Meta refuses them too, demographics stay NULL and the refusal (Graph's code 100 answer) is
  the recorded reason in the raw responses; the pull goes on.
- ``GET /{page-id}/insights?metric=page_media_view,page_total_media_view_unique,
  page_post_engagements,page_daily_follows_unique,page_daily_unfollows_unique&period=day
  &since=<pull day 00:00 UTC>&until=<+86400>`` (endpoint ``page/insights/day``): the pull day's
  series; then, when full days lie between the pull day and yesterday (at most 90),
  ``metric=page_daily_follows_unique,page_daily_unfollows_unique&period=day&since=<day+1>
  &until=<today 00:00>`` (``page/insights/gains``) to rebuild the followers at the end of the day.
  Refused metrics are handled like any insights refusal (recorded, then None).
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
  that into a :class:`~..meta_graph.TokenExpired` naming the account, Graph's code and message,
  ``social_accounts.access_token`` and the app settings that let the pipeline exchange it.
- Throttling is HTTP 400/403 with codes 4, 17, 32, 613, 80001-80014 (or ``is_transient``):
  retried with backoff like a 429 (:func:`~..meta_graph.graph_throttle`).
- App usage: every answer carries ``X-App-Usage: {"call_count", "total_cputime", "total_time"}``
  (percent of the app's rolling hourly budget). :class:`HttpClient` records it and pauses the
  shared rate limiter when any figure reaches 90 %, before Meta starts throttling (code 4).
- The token travels as the ``access_token`` query parameter (never recorded). Graph echoes it
  (and ``appsecret_proof``) in ``paging.next``/``previous``: every payload is scrubbed
  (:func:`~..meta_graph.scrub_paging`) before it is recorded.
- Cursor pagination: ``paging.cursors.after`` is the cursor, and the *absence* of ``paging.next``
  (not a short page) means the end of the edge. ``limit`` is capped at 100 for posts/comments.
- Meta keeps retiring insights metrics. A metric Meta no longer knows answers HTTP 400 with error
  code 100 and fails the whole combined request; the metrics are then asked one by one so the
  surviving ones still arrive, and the refused one is remembered for the rest of the pull (per
  metric group: posts and videos, Reels, Page), so it costs one refused call per pull, not one
  per post.
- ``post_video_views`` is only meaningful for video posts (Meta answers 0 for others), so it is
  asked for video posts only and views stay None for the rest. ``post_video_view_time`` is the
  total watch time in **milliseconds**.

Parsing (records, units, demographics): :mod:`.parse`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

import requests

from ..base import AccountRef, ParsedPull, PlatformError, RawResponse, TokenGrant
from ..meta_graph import GraphClient, TokenExpired, error_of, graph_error_code, meta_credential, meta_token_exchange, next_cursor, scrub_text
from . import parse as _parse
from .parse import (  # noqa: F401
    ME,
    PAGE,
    PAGE_DAILY,
    PAGE_GAINS,
    PAGE_INSIGHTS,
    PAGE_POSTS,
    POST,
    POST_COMMENTS,
    POST_INSIGHTS,
    VIDEO_INSIGHTS,
    is_reel,
    is_video,
    video_id,
)

PAGE_FIELDS = "id,name,username,fan_count,followers_count,link"
POST_FIELDS = (
    "id,message,created_time,permalink_url,status_type,"
    "attachments{media_type,type,media,target,url},shares,"
    "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)
COMMENT_FIELDS = "id,message,from{id,name},created_time,like_count,comment_count,parent{id}"
POST_METRICS = ("post_media_view", "post_total_media_view_unique", "post_clicks")
VIDEO_METRICS = ("post_video_views", "post_video_view_time")
REEL_METRICS = ("blue_reels_play_count", "post_impressions_unique", "post_video_avg_time_watched", "post_video_view_time")
PAGE_METRICS = ("page_follows_country", "page_follows_city")
MAX_LIMIT = 100  # documented cap of `limit` on the posts and comments edges
MAX_COMMENT_PAGES = 50  # safety stop per post
INVALID_METRIC_CODE = 100  # Graph API "invalid parameter", what a retired metric answers
INSIGHTS_RANGE_DAYS = 90  # documented cap of a since..until insights range
# Daily Page series (period=day) still served after the 2025-11-15 retirements; see parse.DAILY_MAP.
DAILY_PAGE_METRICS = (
    "page_media_view",
    "page_total_media_view_unique",
    "page_post_engagements",
    "page_daily_follows_unique",
    "page_daily_unfollows_unique",
)
GAINS_METRICS = ("page_daily_follows_unique", "page_daily_unfollows_unique")


class Client(GraphClient):
    platform = "facebook"
    # Graph keeps lifetime post insights for two years, so there is no hard limit; engagement on
    # Page posts plateaus within days, and each refreshed post costs two calls (post + insights)
    # against the Page's hourly usage budget, so tracked posts are refreshed for 30 days.
    update_window_days = 30

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The OAuth endpoint lives on the Graph host itself.
        self.oauth_base_url = str(self.credentials.get("oauth_base_url") or self.base_url).rstrip("/")

    @property
    def token_hint(self) -> str:
        return (
            f"{self._label}: the Page access token was refused: store a Page access token with "
            "pages_read_engagement and read_insights in social_accounts.access_token (reconnect the Page)"
        )

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        token = account.access_token
        self._start(handle, token)
        if not token:
            raise PlatformError(
                f"facebook account @{handle}: no Page access token (social_accounts.access_token is "
                "empty; a Page access token with pages_read_engagement and read_insights is required)"
            )
        secret = {"access_token": token}

        page_id = account.external_id
        if not page_id:
            # With a Page access token, /me is the Page.
            me = self._get(self.url("me"), endpoint=ME, params={"fields": "id,name"}, secret_params=secret)
            page_id = str((me or {}).get("id") or "")
            if not page_id:
                raise PlatformError(f"facebook account @{handle}: /me returned no Page id", endpoint=ME)

        self._get(self.url(page_id), endpoint=PAGE, params={"fields": PAGE_FIELDS}, secret_params=secret)

        posts = self._posts(page_id, account.posts_per_fetch, secret)
        for post in posts:
            self._post_insights(post, secret)
            self._comments(str(post.get("id")), secret)

        listed = {str(p.get("id")) for p in posts}
        extra = [pid for pid in dict.fromkeys(account.refresh_post_ids) if pid and pid not in listed]
        for index, post_id in enumerate(extra):
            try:
                post = self._get(
                    self.url(post_id), endpoint=POST, params={"fields": POST_FIELDS}, secret_params=secret,
                    page_index=index,
                )
            except PlatformError as exc:
                if (
                    not isinstance(exc, TokenExpired)
                    and graph_error_code(self.http, POST) == INVALID_METRIC_CODE
                    and exc.status_code in (400, 404)
                ):
                    continue  # deleted, or no longer visible to this token: nothing to refresh
                raise
            if isinstance(post, dict) and post.get("id"):
                self._post_insights(post, secret)

        # Followers by country / city; a refusal leaves demographics NULL (the refused answer is
        # recorded with Graph's message) and is remembered like any refused metric.
        self._insights(
            self.url(f"{page_id}/insights"), PAGE_INSIGHTS, PAGE_METRICS, secret, group="page",
            params={"period": "lifetime", **self._window()},
        )
        self._daily(page_id, secret)

    def _daily(self, page_id: str, secret: dict[str, str]) -> None:
        """The pull day's Page series (period=day, since=the day 00:00 UTC, until=+1 day), then
        the follows/unfollows of every full day after it up to yesterday (real time), within the
        90-day cap, so parse can rebuild the followers count at the end of the day. Refusals are
        recorded and leave the numbers None (never fail the pull)."""
        url = self.url(f"{page_id}/insights")
        start = int(datetime.combine(self.today, datetime.min.time(), tzinfo=timezone.utc).timestamp())
        now = datetime.now(timezone.utc)
        if start >= now.timestamp():
            return
        self._insights(url, PAGE_DAILY, DAILY_PAGE_METRICS, secret, group="page_day",
                       params={"period": "day", "since": start, "until": start + 86400})
        first = self.today + timedelta(days=1)
        last = now.date() - timedelta(days=1)  # the current day is not over: its gains are not served yet
        if first > last or (last - first).days + 1 > INSIGHTS_RANGE_DAYS:
            return  # nothing after the day, or beyond the documented range (then None)
        since = int(datetime.combine(first, datetime.min.time(), tzinfo=timezone.utc).timestamp())
        until = int(datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc).timestamp())
        self._insights(url, PAGE_GAINS, GAINS_METRICS, secret, group="page_day",
                       params={"period": "day", "since": since, "until": until})

    # -- steps ------------------------------------------------------------------------------
    def _posts(self, page_id: str, wanted: int, secret: dict[str, str]) -> list[dict[str, Any]]:
        posts: list[dict[str, Any]] = []
        after: str | None = None
        page_index = 0
        while len(posts) < wanted:
            params: dict[str, Any] = {"fields": POST_FIELDS, "limit": min(MAX_LIMIT, wanted - len(posts))}
            if after:
                params["after"] = after
            payload = self._get(
                self.url(f"{page_id}/posts"), endpoint=PAGE_POSTS, params=params, secret_params=secret,
                page_index=page_index,
            )
            data = payload.get("data") if isinstance(payload, dict) else None
            if not isinstance(data, list):
                raise PlatformError(f"{PAGE_POSTS}: answer has no data list", endpoint=PAGE_POSTS)
            posts.extend(p for p in data if isinstance(p, dict))
            after = next_cursor(payload)
            if not data or not after:
                break
            page_index += 1
        return posts[:wanted]

    def _window(self) -> dict[str, int]:
        """The insights range: 90 days (the documented cap) ending with the pull day."""
        until = self.until_epoch
        return {"since": until - INSIGHTS_RANGE_DAYS * 86400, "until": until}

    def _post_insights(self, post: dict[str, Any], secret: dict[str, str]) -> None:
        post_id = str(post.get("id"))
        if is_reel(post):
            vid = video_id(post)
            if vid:  # Reels have no /insights edge: their numbers are the video's
                self._insights(self.url(f"{vid}/video_insights"), VIDEO_INSIGHTS, REEL_METRICS, secret, group="reel")
            return
        video = is_video(post)
        self._insights(
            self.url(f"{post_id}/insights"),
            POST_INSIGHTS,
            POST_METRICS + (VIDEO_METRICS if video else ()),
            secret,
            group="post",  # Meta retires a metric for every post kind at once: one memory for all
            params=self._window(),
        )

    def _comments(self, post_id: str, secret: dict[str, str]) -> None:
        after: str | None = None
        for page_index in range(MAX_COMMENT_PAGES):
            params: dict[str, Any] = {"fields": COMMENT_FIELDS, "filter": "stream", "limit": MAX_LIMIT}
            if after:
                params["after"] = after
            payload = self._get(
                self.url(f"{post_id}/comments"), endpoint=POST_COMMENTS, params=params, secret_params=secret,
                page_index=page_index,
            )
            if not isinstance(payload, dict):
                raise PlatformError(f"{POST_COMMENTS}: answer is not a JSON object", endpoint=POST_COMMENTS)
            after = next_cursor(payload)
            if not payload.get("data") or not after:
                return

    # -- token refresh ----------------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """Exchange the long-lived *user* token (``refresh_token``) for a fresh one, then read the
        Page access token with it (``GET /{page-id}?fields=access_token``). A Page token
        obtained from a long-lived user token does not expire. The long-lived user token is returned
        as ``refresh_token`` since it is what the next exchange needs.

        App credentials come from ``app_id``/``app_secret`` (``SOCIAL_PIPELINE_FACEBOOK_APP_ID`` /
        ``..._APP_SECRET``). Nothing here is recorded: the answers hold tokens.
        """
        handle = account.handle.lstrip("@")
        label = f"facebook account @{handle}"
        app_id = meta_credential(self.credentials, "facebook", "app_id", label)
        app_secret = meta_credential(self.credentials, "facebook", "app_secret", label)
        if not refresh_token:
            raise PlatformError(f"{label}: no token to exchange: reconnect the Page and store its token in social_accounts.access_token")
        user = meta_token_exchange(
            self.http,
            f"{self.oauth_base_url}/oauth/access_token",
            params={"grant_type": "fb_exchange_token", "client_id": app_id},
            secret_params={"client_secret": app_secret, "fb_exchange_token": refresh_token},
            label=label,
            platform="facebook",
        )
        if not account.external_id:
            return TokenGrant(access_token=user.access_token, expires_at=user.expires_at)
        page_token = self._page_token(account.external_id, user.access_token, label, [refresh_token, app_secret])
        return TokenGrant(access_token=page_token, expires_at=None, refresh_token=user.access_token)

    def _page_token(self, page_id: str, user_token: str, label: str, secrets: list[str]) -> str:
        """The Page access token the user token gives (one unrecorded GET)."""
        try:
            resp = self.http.session.get(
                self.url(page_id), params={"fields": "access_token", "access_token": user_token}, timeout=self.http.timeout
            )
            body = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise PlatformError(f"{label}: reading the Page token failed: {type(exc).__name__}") from None
        token = body.get("access_token") if isinstance(body, dict) else None
        if 200 <= resp.status_code < 300 and isinstance(token, str) and token:
            return token
        err = error_of(body) or {}
        detail = scrub_text(str(err.get("message") or "no access_token in the answer"), [*secrets, user_token])[:300]
        raise PlatformError(
            f"{label}: the exchanged token gives no Page access token for Page {page_id} (HTTP "
            f"{resp.status_code}, Graph code {err.get('code')}: {detail}); the user must manage the Page: "
            "reconnect the Page and store its token in social_accounts.access_token",
            status_code=resp.status_code,
            endpoint="page access_token",
        )

    # -- parsing ----------------------------------------------------------------------------
    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        return _parse.parse(responses)
