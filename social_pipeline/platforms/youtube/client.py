"""YouTube: Data API v3 (public channel/video data) plus YouTube Analytics API v2 (owner-only).
HTTP side: endpoints, auth, paging, quota; the responses are read by :mod:`.parse`.

Endpoints used (all GET):
- ``channels.list``      /channels?part=snippet,statistics,contentDetails&forHandle=@h (or id=)
- ``playlistItems.list`` /playlistItems?part=contentDetails&playlistId=<uploads>&maxResults<=50
  (the channel's "uploads" playlist, newest first; far cheaper than search.list: 1 unit vs 100)
- ``videos.list``        /videos?part=snippet,contentDetails,statistics&id=<up to 50 ids>
- ``commentThreads.list`` /commentThreads?part=snippet,replies&videoId=&maxResults<=100
- ``comments.list``      /comments?part=snippet&parentId=<thread id>&maxResults<=100, only when a
  thread holds more replies than the (at most five) that commentThreads embeds
- ``reports.query``      youtubeanalytics.googleapis.com/v2/reports, only with an OAuth token:
  channel totals, per-video watch time/retention/shares/``engagedViews`` (views counted the way
  YouTube counted them before 2026-08-27), and the ageGroup x gender split.

Quirks worth knowing (the payload quirks are in :mod:`.parse`):
- Auth: an API key (``key`` query parameter, credentials["api_key"]) for public data, or the
  account's OAuth bearer token; Analytics needs the OAuth token (an API key cannot read it).
- A bad API key is answered with HTTP **400** ``INVALID_ARGUMENT`` (``errors[].reason``
  ``badRequest``, or ``keyInvalid`` in the older form; ``details[]`` ``google.rpc.ErrorInfo``
  reason ``API_KEY_INVALID``), not 401/403: the error names SOCIAL_PIPELINE_YOUTUBE_API_KEY and
  quotes Google's error body whole (reason, domain, message).
- Expired/revoked OAuth token: 401 ``UNAUTHENTICATED``; the error names the account, the column
  ``social_accounts.access_token`` and SOCIAL_PIPELINE_YOUTUBE_CLIENT_ID/_CLIENT_SECRET (needed
  to refresh it), and says to reconnect the channel otherwise. Token refresh: POST
  https://oauth2.googleapis.com/token (form ``grant_type=refresh_token``); Google keeps the
  refresh token (it is only returned again when rotated) and access tokens live about an hour.
- Quota, per method (:data:`QUOTA_COST`, from Google's quota cost table): every method we call is
  a ``list`` costing 1 unit; search.list costs 100 and is never called. Since 2026-06-01 the Data
  API counts quota per method group (revision history): search.list and videos.insert have their
  own buckets, every method we call draws on the shared 10,000-unit daily bucket, which the
  :class:`~.ratelimit.QuotaBudget` models (each attempt passes its method's ``cost_units``).
  Analytics (reports.query) calls cost no units. When the server says the quota is spent (403
  ``quotaExceeded`` / ``dailyLimitExceeded``) the pull stops at once, naming when it resets
  (midnight Pacific time): retrying before then only fails again.
- ``videos.batchGetStats`` (GET /videos:batchGetStats?id=<up to 50>&part=..., added 2026-06-03,
  in the discovery document since) costs 1 unit in a bucket of its own: per 50 ids it costs the
  same as videos.list, and answers only statistics (int64 strings), ``contentDetails.duration``
  and ``snippet.publishTime`` -- no title, description or tags. It is not called: it would only
  move the refresh-by-id units out of the shared bucket, at the price of posts without text.
- Refresh by id: videos tracked inside ``update_window_days`` but no longer among the newest
  ``posts_per_fetch`` are re-read through ``videos.list?id=`` (50 per call, 1 unit per call) and
  the per-video analytics report; their comments are not re-read (that would cost a unit per
  video and page).
- An Analytics metric YouTube retires or rejects (400 "Unknown identifier (name) given in field
  parameters.metrics") is dropped from the report and retried, so it parses as None instead of
  failing the pull.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from ..oauth import grant_from, post_token_form
from ..base import (
    AccountRef,
    HttpClient,
    ParsedPull,
    ParseError,
    PlatformClient,
    PlatformError,
    RawResponse,
    TokenGrant,
    parse_timestamp,
)
from .parse import (
    EP_CHANNELS,
    EP_COMMENT_THREADS,
    EP_COMMENTS,
    EP_PLAYLIST_ITEMS,
    DAILY_REPORT_METRICS,
    EP_REPORT_CHANNEL,
    EP_REPORT_DAILY,
    EP_REPORT_DEMOGRAPHICS,
    EP_REPORT_VIDEOS,
    EP_VIDEOS,
    parse as parse_responses,
)

EP_TOKEN = "oauth2.token"

# Quota units per call, per method (https://developers.google.com/youtube/v3/determine_quota_cost).
# Since 2026-06-01 quotas are per method group (Data API revision history, 2026-06-01):
# search.list and videos.insert have their own buckets (100 calls a day each); every other
# method below is charged to the shared 10,000-unit daily bucket our QuotaBudget models.
# videos.batchGetStats (revision history, 2026-06-03; discovery revision 20261104) costs 1 unit in
# a bucket of its own and is not called (see the module docstring).
QUOTA_COST = {
    EP_CHANNELS: 1,
    EP_PLAYLIST_ITEMS: 1,
    EP_VIDEOS: 1,
    EP_COMMENT_THREADS: 1,
    EP_COMMENTS: 1,
    "search.list": 100,  # own bucket since 2026-06-01; never called (playlistItems is 1 unit)
    "videos.batchGetStats": 1,  # own bucket (10,000 units a day by default); not called
}
SHARED_BUCKET = frozenset({EP_CHANNELS, EP_PLAYLIST_ITEMS, EP_VIDEOS, EP_COMMENT_THREADS, EP_COMMENTS})
DATA_API_UNITS = 1  # kept for callers: what each list method we call costs
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
# Google answers a bad API key with HTTP 400 (reason badRequest/keyInvalid, ErrorInfo API_KEY_INVALID).
KEY_REASONS = frozenset({"keyInvalid", "API_KEY_INVALID", "keyExpired", "API_KEY_EXPIRED"})
KEY_HINT = "fix SOCIAL_PIPELINE_YOUTUBE_API_KEY (credential api_key): Google refused the API key"
TOKEN_HINT = (
    "the OAuth access token in social_accounts.access_token was refused: refresh it with its refresh token "
    "(needs SOCIAL_PIPELINE_YOUTUBE_CLIENT_ID/_CLIENT_SECRET) or reconnect the channel"
)
PACIFIC = ZoneInfo("America/Los_Angeles")
_UNKNOWN_METRIC = re.compile(r"Unknown identifier \((?P<name>[A-Za-z0-9_]+)\)")

MAX_PAGE = 50  # playlistItems / videos.list id batch limit
MAX_COMMENT_PAGE = 100  # commentThreads / comments maxResults limit
EMBEDDED_REPLY_LIMIT = 5  # commentThreads embeds at most this many replies per thread
DEMOGRAPHICS_WINDOW_DAYS = 28


class Client(PlatformClient):
    platform = "youtube"
    default_base_url = "https://www.googleapis.com/youtube/v3"
    default_analytics_base_url = "https://youtubeanalytics.googleapis.com/v2"
    default_oauth_base_url = "https://oauth2.googleapis.com"
    # Data API statistics are lifetime counters that YouTube keeps updating for as long as the
    # video exists, so there is no documented cut-off; most views arrive in the first weeks, and
    # each refreshed batch of 50 videos costs just 1 unit, so the default 30 days is kept.
    update_window_days = 30

    def __init__(
        self,
        http: HttpClient,
        base_url: str | None = None,
        credentials=None,
        analytics_base_url: str | None = None,
        **kwargs,
    ):
        super().__init__(http, base_url, credentials, **kwargs)
        # SOCIAL_PIPELINE_YOUTUBE_ANALYTICS_BASE_URL arrives as the credential analytics_base_url.
        analytics = analytics_base_url or self.credentials.pop("analytics_base_url", None)
        self.analytics_base_url = (analytics or self.default_analytics_base_url).rstrip("/")
        # The OAuth host differs from the API host; SOCIAL_PIPELINE_YOUTUBE_OAUTH_BASE_URL moves it.
        self.oauth_base_url = (self.credentials.get("oauth_base_url") or self.default_oauth_base_url).rstrip("/")
        self._pages: dict[str, int] = {}
        self._handle = ""

    # -- plumbing ---------------------------------------------------------------------------
    def _auth(self, account: AccountRef) -> tuple[dict[str, str], dict[str, str]]:
        """(secret_params, secret_headers): the OAuth token wins, else the API key."""
        if account.access_token:
            return {}, {"Authorization": f"Bearer {account.access_token}"}
        api_key = self.credentials.get("api_key")
        if api_key:
            return {"key": api_key}, {}
        raise PlatformError(
            f"youtube account @{account.handle.lstrip('@')}: no credentials: set SOCIAL_PIPELINE_YOUTUBE_API_KEY "
            "(credential api_key) or give the account an OAuth access token"
        )

    def _get(self, url: str, endpoint: str, params: dict[str, Any], auth) -> Any:
        page = self._pages.get(endpoint, 0)
        self._pages[endpoint] = page + 1
        secret_params, secret_headers = auth
        analytics = endpoint.startswith("reports.query")
        try:
            payload = self.http.get(
                url,
                endpoint=endpoint,
                params=params,
                secret_params=secret_params,
                secret_headers=secret_headers,
                page_index=page,
                cost_units=None if analytics else QUOTA_COST[endpoint],  # Analytics API has no unit cost
                auth_hint=TOKEN_HINT if secret_headers else KEY_HINT,
            )
        except PlatformError as exc:
            raise self._explain(exc, endpoint, using_key=bool(secret_params)) from None
        if not isinstance(payload, dict):
            raise PlatformError(f"{endpoint}: response is not a JSON object", endpoint=endpoint)
        return payload

    def _last_reasons(self, endpoint: str) -> set[str]:
        """The ``errors[].reason`` values of the last response to ``endpoint`` (Google's error
        body can be longer than the summary kept in an exception message)."""
        for response in reversed(self.http.responses):
            if response.endpoint == endpoint:
                return _google_reasons(response.payload)
        return set()

    def _explain(self, exc: PlatformError, endpoint: str, using_key: bool = False) -> PlatformError:
        """Name the account and what to do for quota, API key and token errors."""
        who = f"youtube account @{self._handle}"
        reasons = self._last_reasons(endpoint)
        key_refused = bool(reasons & KEY_REASONS) or "API key not valid" in str(exc)
        if using_key and exc.status_code in (400, 401, 403) and key_refused:
            # Google answers a bad key with 400, which HttpClient gives no auth hint.
            message = str(exc) if KEY_HINT in str(exc) else f"{exc} -- {KEY_HINT}"
            return PlatformError(f"{who}: {message}", status_code=exc.status_code, endpoint=endpoint)
        if exc.status_code is None and "daily quota" in str(exc):
            return PlatformError(f"{who}: {exc}", endpoint=endpoint)  # our own QuotaBudget said stop
        if exc.status_code == 403 and self._last_reasons(endpoint) & QUOTA_REASONS:
            reset = next_quota_reset()
            hours = max((reset - datetime.now(timezone.utc)).total_seconds() / 3600, 0)
            return PlatformError(
                f"{who}: {endpoint}: the daily YouTube Data API quota is spent (403 quotaExceeded); it resets "
                f"at midnight Pacific time ({reset:%Y-%m-%d %H:%M} UTC, in {hours:.1f} h): pull again after "
                "that or ask Google for a higher quota",
                status_code=403,
                endpoint=endpoint,
            )
        if exc.status_code in (401, 403) and ((TOKEN_HINT in str(exc)) or (KEY_HINT in str(exc))):
            return PlatformError(f"{who}: {exc}", status_code=exc.status_code, endpoint=endpoint)
        return exc

    # -- pull -------------------------------------------------------------------------------
    def pull(self, account: AccountRef) -> None:
        self._pages = {}
        handle = account.handle.lstrip("@")
        self._handle = handle
        auth = self._auth(account)
        params = {"part": "snippet,statistics,contentDetails"}
        if account.external_id:
            params["id"] = account.external_id
        else:
            params["forHandle"] = f"@{handle}"
        channel = self._get(self.url("channels"), EP_CHANNELS, params, auth)
        items = channel.get("items") or []
        if not items:
            raise PlatformError(f"channels.list: no YouTube channel found for @{handle}", endpoint=EP_CHANNELS)
        try:
            uploads = items[0]["contentDetails"]["relatedPlaylists"]["uploads"]
            published = items[0]["snippet"].get("publishedAt")
        except (KeyError, TypeError, AttributeError) as exc:
            raise PlatformError("channels.list: channel has no uploads playlist", endpoint=EP_CHANNELS) from exc

        # Newest uploads first, page by page, until posts_per_fetch ids are known.
        wanted = max(account.posts_per_fetch, 0)
        video_ids: list[str] = []
        token: str | None = None
        while len(video_ids) < wanted:
            params = {
                "part": "contentDetails",
                "playlistId": uploads,
                "maxResults": min(MAX_PAGE, wanted - len(video_ids)),
            }
            if token:
                params["pageToken"] = token
            page = self._get(self.url("playlistItems"), EP_PLAYLIST_ITEMS, params, auth)
            for item in page.get("items") or []:
                vid = ((item or {}).get("contentDetails") or {}).get("videoId")
                if vid and vid not in video_ids and len(video_ids) < wanted:
                    video_ids.append(vid)
            token = page.get("nextPageToken")
            if not token:
                break

        # Tracked videos still inside the update window but no longer among the newest: their
        # statistics are re-read by id (videos.list takes up to 50 ids and costs 1 unit).
        newest = set(video_ids)
        refresh_ids = [v for v in dict.fromkeys(account.refresh_post_ids) if v and v not in newest]

        # Statistics for up to 50 videos per call.
        videos: list[dict[str, Any]] = []
        all_ids = video_ids + refresh_ids
        for start in range(0, len(all_ids), MAX_PAGE):
            batch = all_ids[start : start + MAX_PAGE]
            page = self._get(
                self.url("videos"),
                EP_VIDEOS,
                {"part": "snippet,contentDetails,statistics", "id": ",".join(batch), "maxResults": len(batch)},
                auth,
            )
            videos.extend(v for v in page.get("items") or [] if isinstance(v, dict))

        for video in videos:
            if video.get("id") not in newest:
                continue  # refreshed by id: metrics only, their comments are not re-read
            stats = video.get("statistics") or {}
            comment_total = stats.get("commentCount")
            if comment_total is None or str(comment_total) == "0":
                continue  # comments disabled or none yet: save the quota
            self._pull_comments(video.get("id"), auth)

        if account.access_token:
            self._pull_analytics(all_ids, published, auth)

    def _pull_comments(self, video_id: str | None, auth) -> None:
        if not video_id:
            return
        token: str | None = None
        while True:
            params = {
                "part": "snippet,replies",
                "videoId": video_id,
                "maxResults": MAX_COMMENT_PAGE,
                "order": "time",
                "textFormat": "plainText",
            }
            if token:
                params["pageToken"] = token
            try:
                page = self._get(self.url("commentThreads"), EP_COMMENT_THREADS, params, auth)
            except PlatformError as exc:
                if exc.status_code == 403 and "commentsDisabled" in self._last_reasons(EP_COMMENT_THREADS):
                    return
                raise
            for thread in page.get("items") or []:
                snippet = (thread or {}).get("snippet") or {}
                embedded = len(((thread or {}).get("replies") or {}).get("comments") or [])
                total = snippet.get("totalReplyCount") or 0
                if isinstance(total, int) and total > embedded:
                    self._pull_replies(thread.get("id"), auth)
            token = page.get("nextPageToken")
            if not token:
                return

    def _pull_replies(self, parent_id: str | None, auth) -> None:
        if not parent_id:
            return
        token: str | None = None
        while True:
            params = {"part": "snippet", "parentId": parent_id, "maxResults": MAX_COMMENT_PAGE, "textFormat": "plainText"}
            if token:
                params["pageToken"] = token
            page = self._get(self.url("comments"), EP_COMMENTS, params, auth)
            token = page.get("nextPageToken")
            if not token:
                return

    def _pull_analytics(self, video_ids: list[str], channel_published: Any, auth) -> None:
        today = self.today
        try:
            start = parse_timestamp(channel_published).date() if channel_published else None
        except ParseError:
            start = None
        start = start or datetime(2005, 2, 14, tzinfo=timezone.utc).date()  # YouTube's first day
        reports = f"{self.analytics_base_url}/reports"
        # Lifetime channel totals.
        self._report(
            reports,
            EP_REPORT_CHANNEL,
            {
                "ids": "channel==MINE",
                "startDate": start.isoformat(),
                "endDate": today.isoformat(),
                "metrics": "views,estimatedMinutesWatched,averageViewPercentage,subscribersGained,"
                "subscribersLost,likes,comments,shares",
            },
            auth,
        )
        # The day itself and every day after it (dimension day): the day's own series, and the
        # subscriber gains and losses since, which rebuild the day's subscriber count.
        self._report(
            reports,
            EP_REPORT_DAILY,
            {
                "ids": "channel==MINE",
                "startDate": today.isoformat(),
                "endDate": max(today, datetime.now(timezone.utc).date()).isoformat(),
                "dimensions": "day",
                "metrics": DAILY_REPORT_METRICS,
                "sort": "day",
            },
            auth,
        )
        # Lifetime per-video watch time, retention and shares (video dimension needs sort+max).
        for begin in range(0, len(video_ids), MAX_PAGE):
            batch = video_ids[begin : begin + MAX_PAGE]
            self._report(
                reports,
                EP_REPORT_VIDEOS,
                {
                    "ids": "channel==MINE",
                    "startDate": start.isoformat(),
                    "endDate": today.isoformat(),
                    "dimensions": "video",
                    "filters": "video==" + ",".join(batch),
                    # engagedViews: views counted the pre-2026-08-27 way (Analytics metrics reference)
                    "metrics": "views,estimatedMinutesWatched,averageViewPercentage,averageViewDuration,shares,engagedViews",
                    "sort": "-views",
                    "maxResults": len(batch),
                },
                auth,
            )
        # Audience split over the last 28 days.
        self._get(
            reports,
            EP_REPORT_DEMOGRAPHICS,
            {
                "ids": "channel==MINE",
                "startDate": (today - timedelta(days=DEMOGRAPHICS_WINDOW_DAYS - 1)).isoformat(),
                "endDate": today.isoformat(),
                "dimensions": "ageGroup,gender",
                "metrics": "viewerPercentage",
                "sort": "gender,ageGroup",
            },
            auth,
        )

    def _report(self, url: str, endpoint: str, params: dict[str, Any], auth) -> Any:
        """reports.query, dropping a metric YouTube no longer knows (400 "Unknown identifier")
        and asking again, so a retired metric parses as None instead of failing the pull."""
        params = dict(params)
        while True:
            try:
                return self._get(url, endpoint, params, auth)
            except PlatformError as exc:
                retired = self._unknown_metric(endpoint) if exc.status_code == 400 else None
                metrics = params["metrics"].split(",")
                if retired is None or retired not in metrics or len(metrics) == 1:
                    raise
                metrics.remove(retired)
                params["metrics"] = ",".join(metrics)
                if params.get("sort", "").lstrip("-") == retired:
                    params["sort"] = "-" + metrics[0]

    def _unknown_metric(self, endpoint: str) -> str | None:
        for response in reversed(self.http.responses):
            if response.endpoint == endpoint:
                error = response.payload.get("error") if isinstance(response.payload, dict) else None
                message = error.get("message") if isinstance(error, dict) else None
                match = _UNKNOWN_METRIC.search(message) if isinstance(message, str) else None
                return match.group("name") if match else None
        return None

    # -- token refresh ------------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """POST {oauth}/token with grant_type=refresh_token (Google OAuth 2.0 for web server apps).

        Google answers ``{"access_token", "expires_in": 3599, "scope", "token_type": "Bearer"}``;
        the refresh token stays valid (it is included only when Google rotates it). A revoked or
        expired refresh token answers 400 ``invalid_grant``.
        """
        handle = account.handle.lstrip("@")
        client_id, client_secret = _client_credentials(self.credentials, "youtube", handle)
        body = post_token_form(
            self.http,
            f"{self.oauth_base_url}/token",
            EP_TOKEN,
            form={"grant_type": "refresh_token"},
            secret_form={"client_id": client_id, "client_secret": client_secret, "refresh_token": refresh_token},
            who=f"youtube account @{handle}",
            client_hint="check SOCIAL_PIPELINE_YOUTUBE_CLIENT_ID/_CLIENT_SECRET",
            grant_hint="the refresh token is expired or revoked: reconnect the account to get a new one",
        )
        return grant_from(body, f"youtube account @{handle}", EP_TOKEN)

    # -- parse ------------------------------------------------------------------------------
    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        """Responses -> records: see :mod:`.parse`."""
        return parse_responses(responses)


# -- quota, errors and OAuth helpers --------------------------------------------------------
def next_quota_reset(now: datetime | None = None) -> datetime:
    """When the Data API's daily quota resets: the next midnight in America/Los_Angeles (UTC)."""
    now = now or datetime.now(timezone.utc)
    local = now.astimezone(PACIFIC)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC).astimezone(timezone.utc)


def _google_reasons(payload: Any) -> set[str]:
    """Every ``reason`` in Google's error body: ``error.errors[].reason`` (the v1 format) and
    ``error.details[].reason`` (``google.rpc.ErrorInfo``, e.g. ``API_KEY_INVALID``)."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return set()
    found: set[str] = set()
    for key in ("errors", "details"):
        entries = error.get(key)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("reason"), str):
                found.add(entry["reason"])
    return found


def _client_credentials(credentials: Mapping[str, str], platform: str, handle: str) -> tuple[str, str]:
    values = []
    for name in ("client_id", "client_secret"):
        value = credentials.get(name)
        if not value:
            raise PlatformError(
                f"{platform} account @{handle}: cannot refresh the access token: set "
                f"SOCIAL_PIPELINE_{platform.upper()}_{name.upper()} (credential {name})"
            )
        values.append(value)
    return values[0], values[1]


