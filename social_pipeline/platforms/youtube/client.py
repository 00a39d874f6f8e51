"""YouTube: Data API v3 (public channel/video data) plus YouTube Analytics API v2 (owner-only).

Endpoints used (all GET):
- ``channels.list``      /channels?part=snippet,statistics,contentDetails&forHandle=@h (or id=)
- ``playlistItems.list`` /playlistItems?part=contentDetails&playlistId=<uploads>&maxResults<=50
  (the channel's "uploads" playlist, newest first; far cheaper than search.list: 1 unit vs 100)
- ``videos.list``        /videos?part=snippet,contentDetails,statistics&id=<up to 50 ids>
- ``commentThreads.list`` /commentThreads?part=snippet,replies&videoId=&maxResults<=100
- ``comments.list``      /comments?part=snippet&parentId=<thread id>&maxResults<=100, only when a
  thread holds more replies than the (at most five) that commentThreads embeds
- ``reports.query``      youtubeanalytics.googleapis.com/v2/reports, only with an OAuth token:
  channel totals, per-video watch time/retention/shares, and the ageGroup x gender split.

Quirks worth knowing:
- Every count in ``statistics`` is a *string* ("12345"). ``likeCount`` is absent when the owner
  hides likes, ``commentCount`` when comments are disabled (commentThreads then answers 403
  ``commentsDisabled``, which is not an error for us). ``subscriberCount`` is absent (and
  ``hiddenSubscriberCount`` true) when the channel hides it; it is also rounded to three
  significant figures by YouTube. ``favoriteCount`` is always "0" (deprecated) and
  ``dislikeCount`` is gone: both are ignored.
- ``contentDetails.duration`` is ISO-8601 (``PT1M5S``, ``PT2H``, ``P1DT3M``, ``P0D`` for
  live streams); we store seconds. Shorts (<= 60 s) are plain videos here.
- Channel ids are ``UC`` + 22 base64url chars; the uploads playlist id is the same with ``UU``.
  Video ids are 11 base64url chars. Reply ids are ``<thread id>.<suffix>``.
- Replies are one level deep on YouTube: a reply to a reply is filed under the top-level
  comment, so ``parentId`` always names the thread's top-level comment.
- Analytics: ``estimatedMinutesWatched`` is minutes (stored as seconds per post, minutes for the
  account), ``averageViewPercentage`` is already a percentage (can exceed 100 for looping Shorts),
  ``viewerPercentage`` rows are shares of the ageGroup x gender cells, summed here per age
  bucket and per gender. Age buckets 45-54/55-64/65- are folded into 45_plus.
- Auth: an API key (``key`` query parameter, credentials["api_key"]) for public data, or the
  account's OAuth bearer token; Analytics needs the OAuth token (an API key cannot read it).
- Quota: 10,000 units/day by default. Every Data API call here is a ``list`` method costing
  1 unit (search.list would cost 100: we never call it); each attempt passes ``cost_units=1`` so
  a shared :class:`~.ratelimit.QuotaBudget` stops the pull before the budget is overspent.
  Analytics (reports.query) calls cost no units. When the server says the quota is spent (403
  ``quotaExceeded`` / ``dailyLimitExceeded``) the pull stops at once, naming when it resets
  (midnight Pacific time): retrying before then only fails again.
- Refresh by id: videos tracked inside ``update_window_days`` but no longer among the newest
  ``posts_per_fetch`` are re-read through ``videos.list?id=`` (50 per call, 1 unit per call) and
  the per-video analytics report; their comments are not re-read (that would cost a unit per
  video and page).
- An Analytics metric YouTube retires or rejects (400 "Unknown identifier (name) given in field
  parameters.metrics") is dropped from the report and retried, so it parses as None instead of
  failing the pull.
- Expired/revoked OAuth token: 401 ``UNAUTHENTICATED``; the error names the account and says to
  reconnect it or refresh the token. Token refresh: POST https://oauth2.googleapis.com/token
  (form ``grant_type=refresh_token``, client_id/client_secret from
  SOCIAL_PIPELINE_YOUTUBE_CLIENT_ID / _CLIENT_SECRET); Google keeps the refresh token (it is
  only returned again when rotated) and access tokens live about an hour.
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
    count,
    ok_payloads,
    parse_timestamp,
)

EP_CHANNELS = "channels.list"
EP_PLAYLIST_ITEMS = "playlistItems.list"
EP_VIDEOS = "videos.list"
EP_COMMENT_THREADS = "commentThreads.list"
EP_COMMENTS = "comments.list"
EP_REPORT_CHANNEL = "reports.query#channel"
EP_REPORT_VIDEOS = "reports.query#videos"
EP_REPORT_DEMOGRAPHICS = "reports.query#demographics"
EP_TOKEN = "oauth2.token"

DATA_API_UNITS = 1  # every list method we call costs 1 unit (search.list, never called, costs 100)
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
PACIFIC = ZoneInfo("America/Los_Angeles")
_UNKNOWN_METRIC = re.compile(r"Unknown identifier \((?P<name>[A-Za-z0-9_]+)\)")

MAX_PAGE = 50  # playlistItems / videos.list id batch limit
MAX_COMMENT_PAGE = 100  # commentThreads / comments maxResults limit
EMBEDDED_REPLY_LIMIT = 5  # commentThreads embeds at most this many replies per thread
DEMOGRAPHICS_WINDOW_DAYS = 28

AGE_BUCKETS = {
    "age13-17": "age_13_17",
    "age18-24": "age_18_24",
    "age25-34": "age_25_34",
    "age35-44": "age_35_44",
    "age45-54": "age_45_plus",
    "age55-64": "age_45_plus",
    "age65-": "age_45_plus",
}

_DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


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
                cost_units=None if analytics else DATA_API_UNITS,  # Analytics API has no unit cost
            )
        except PlatformError as exc:
            raise self._explain(exc, endpoint) from None
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

    def _explain(self, exc: PlatformError, endpoint: str) -> PlatformError:
        """Name the account and what to do for quota and token errors."""
        who = f"youtube account @{self._handle}"
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
        if exc.status_code == 401:
            return PlatformError(
                f"{who}: {exc}; refresh the OAuth token with its refresh token "
                "(SOCIAL_PIPELINE_YOUTUBE_CLIENT_ID/_CLIENT_SECRET) or reconnect the channel",
                status_code=401,
                endpoint=endpoint,
            )
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
                    "metrics": "views,estimatedMinutesWatched,averageViewPercentage,averageViewDuration,shares",
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
        responses = list(responses)
        out = ParsedPull()

        channels = ok_payloads(responses, EP_CHANNELS)
        if not channels:
            raise ParseError("youtube: no successful channels.list response")
        channel = _first_item(channels[0], EP_CHANNELS)
        snippet = _obj(channel, "snippet", EP_CHANNELS)
        stats = _obj(channel, "statistics", EP_CHANNELS)
        hidden = stats.get("hiddenSubscriberCount")
        if hidden is not None and not isinstance(hidden, bool):
            raise ParseError("channels.list: hiddenSubscriberCount is not a boolean")
        subscribers = None if hidden else _count(stats, "subscriberCount", EP_CHANNELS)
        out.account = {
            "external_user_id": _str(channel, "id", EP_CHANNELS),
            "display_name": _opt_str(snippet, "title", EP_CHANNELS),
            "followers_count": subscribers,
            "subscribers_count": subscribers,
            "following_count": None,  # YouTube has no public "following" count
            "posts_count": _count(stats, "videoCount", EP_CHANNELS),
            "total_views": _count(stats, "viewCount", EP_CHANNELS),
            "total_likes": None,
            "total_comments": None,
            "total_shares": None,
            "pins_count": None,
            "retweets_count": None,
            "watch_time_minutes": None,
        }

        # Channel analytics (OAuth only): lifetime totals.
        for payload in ok_payloads(responses, EP_REPORT_CHANNEL):
            rows = _report_rows(payload, EP_REPORT_CHANNEL)
            if rows:
                row = rows[0]
                out.account["watch_time_minutes"] = _count(row, "estimatedMinutesWatched", EP_REPORT_CHANNEL)
                out.account["total_likes"] = _count(row, "likes", EP_REPORT_CHANNEL)
                out.account["total_comments"] = _count(row, "comments", EP_REPORT_CHANNEL)
                out.account["total_shares"] = _count(row, "shares", EP_REPORT_CHANNEL)

        per_video: dict[str, dict[str, Any]] = {}
        for payload in ok_payloads(responses, EP_REPORT_VIDEOS):
            for row in _report_rows(payload, EP_REPORT_VIDEOS):
                vid = row.get("video")
                if not isinstance(vid, str):
                    raise ParseError("reports.query: video dimension is not a string")
                per_video[vid] = row

        # Playlist order = newest first; videos.list answers in the order of the ids asked.
        order: list[str] = []
        for payload in ok_payloads(responses, EP_PLAYLIST_ITEMS):
            for item in _items(payload, EP_PLAYLIST_ITEMS):
                vid = _str(_obj(item, "contentDetails", EP_PLAYLIST_ITEMS), "videoId", EP_PLAYLIST_ITEMS)
                if vid not in order:
                    order.append(vid)
        videos: dict[str, dict[str, Any]] = {}
        for payload in ok_payloads(responses, EP_VIDEOS):
            for item in _items(payload, EP_VIDEOS):
                videos[_str(item, "id", EP_VIDEOS)] = item
        ordered = [v for v in order if v in videos] + [v for v in videos if v not in order]

        for vid in ordered:
            item = videos[vid]
            vsnip = _obj(item, "snippet", EP_VIDEOS)
            vstats = _obj(item, "statistics", EP_VIDEOS)
            details = _obj(item, "contentDetails", EP_VIDEOS)
            posted_at = parse_timestamp(_str(vsnip, "publishedAt", EP_VIDEOS))
            analytics = per_video.get(vid) or {}
            minutes = _count(analytics, "estimatedMinutesWatched", EP_REPORT_VIDEOS)
            out.posts.append(
                {
                    "external_post_id": vid,
                    "post_url": f"https://www.youtube.com/watch?v={vid}",
                    "caption": _opt_str(vsnip, "description", EP_VIDEOS),
                    "title": _opt_str(vsnip, "title", EP_VIDEOS),
                    "media_type": "video",  # Shorts included: the Data API has no other media kind
                    "media_url": _thumbnail(vsnip),
                    "duration": parse_duration(details.get("duration")),
                    "posted_at": posted_at,
                    "likes_count": _count(vstats, "likeCount", EP_VIDEOS),  # absent when hidden
                    "comments_count": _count(vstats, "commentCount", EP_VIDEOS),  # absent when disabled
                    "views_count": _count(vstats, "viewCount", EP_VIDEOS),
                    "shares_count": _count(analytics, "shares", EP_REPORT_VIDEOS),
                    "saves_count": None,  # not reported (favoriteCount is a dead field)
                    "watch_time_seconds": None if minutes is None else minutes * 60,
                    "completion_rate": _percent(analytics, "averageViewPercentage", EP_REPORT_VIDEOS),
                    "impressions": None,
                    "reach": None,
                }
            )

        seen: set[str] = set()
        for payload in ok_payloads(responses, EP_COMMENT_THREADS):
            for thread in _items(payload, EP_COMMENT_THREADS):
                tsnip = _obj(thread, "snippet", EP_COMMENT_THREADS)
                video_id = _str(tsnip, "videoId", EP_COMMENT_THREADS)
                top = _obj(tsnip, "topLevelComment", EP_COMMENT_THREADS)
                _add_comment(out, seen, top, video_id, None)
                replies = thread.get("replies")
                if replies is not None:
                    if not isinstance(replies, dict) or not isinstance(replies.get("comments", []), list):
                        raise ParseError("commentThreads.list: replies.comments is not a list")
                    for reply in replies.get("comments", []):
                        _add_comment(out, seen, reply, video_id, top.get("id"))
        for payload in ok_payloads(responses, EP_COMMENTS):
            for reply in _items(payload, EP_COMMENTS):
                rsnip = _obj(reply, "snippet", EP_COMMENTS)
                _add_comment(out, seen, reply, rsnip.get("videoId"), rsnip.get("parentId"))

        demo_payloads = ok_payloads(responses, EP_REPORT_DEMOGRAPHICS)
        if demo_payloads:
            out.demographics = _demographics(demo_payloads[-1])
        return out


# -- parse helpers --------------------------------------------------------------------------
def parse_duration(value: Any) -> int | None:
    """Seconds from an ISO-8601 duration such as ``PT1H2M5S``; None when absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ParseError(f"videos.list: duration is not a string: {type(value).__name__}")
    match = _DURATION.match(value.strip())
    if not match or value.strip() in ("P", "PT"):
        raise ParseError(f"videos.list: not an ISO-8601 duration: {value[:40]!r}")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    seconds = parts["w"] * 604800 + parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]
    return int(round(seconds))


def _obj(container: Any, key: str, where: str) -> dict[str, Any]:
    if not isinstance(container, dict):
        raise ParseError(f"{where}: expected an object holding {key!r}")
    value = container.get(key)
    if not isinstance(value, dict):
        raise ParseError(f"{where}: {key!r} is missing or not an object")
    return value


def _str(container: Any, key: str, where: str) -> str:
    value = container.get(key) if isinstance(container, dict) else None
    if not isinstance(value, str) or not value:
        raise ParseError(f"{where}: {key!r} is missing or not a string")
    return value


def _opt_str(container: dict[str, Any], key: str, where: str) -> str | None:
    value = container.get(key)
    if value is not None and not isinstance(value, str):
        raise ParseError(f"{where}: {key!r} is not a string")
    return value


def _count(container: dict[str, Any], key: str, where: str) -> int | None:
    try:
        return count(container.get(key))
    except ParseError as exc:
        raise ParseError(f"{where}: {key}: {exc}") from None


def _percent(container: dict[str, Any], key: str, where: str) -> float | None:
    value = container.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ParseError(f"{where}: {key} is not a non-negative number")
    return round(float(value), 2)


def _items(payload: Any, where: str) -> list[Any]:
    if not isinstance(payload, dict):
        raise ParseError(f"{where}: response is not an object")
    items = payload.get("items", [])
    if not isinstance(items, list):
        raise ParseError(f"{where}: 'items' is not a list")
    for item in items:
        if not isinstance(item, dict):
            raise ParseError(f"{where}: an item is not an object")
    return items


def _first_item(payload: Any, where: str) -> dict[str, Any]:
    items = _items(payload, where)
    if not items:
        raise ParseError(f"{where}: 'items' is empty")
    return items[0]


def _thumbnail(snippet: dict[str, Any]) -> str | None:
    thumbs = snippet.get("thumbnails")
    if not isinstance(thumbs, dict):
        return None
    for size in ("maxres", "standard", "high", "medium", "default"):
        url = (thumbs.get(size) or {}).get("url") if isinstance(thumbs.get(size), dict) else None
        if isinstance(url, str):
            return url
    return None


def _add_comment(out: ParsedPull, seen: set[str], comment: Any, video_id: Any, parent_id: Any) -> None:
    where = "comment"
    cid = _str(comment, "id", where)
    if cid in seen:
        return
    seen.add(cid)
    snip = _obj(comment, "snippet", where)
    vid = snip.get("videoId") or video_id
    if not isinstance(vid, str):
        raise ParseError(f"{where} {cid}: videoId is missing")
    parent = snip.get("parentId") or parent_id
    if parent is not None and not isinstance(parent, str):
        raise ParseError(f"{where} {cid}: parentId is not a string")
    text = snip.get("textOriginal")
    if text is None:
        text = snip.get("textDisplay")
    if text is not None and not isinstance(text, str):
        raise ParseError(f"{where} {cid}: text is not a string")
    author_channel = snip.get("authorChannelId")
    author_id = author_channel.get("value") if isinstance(author_channel, dict) else None
    author = snip.get("authorDisplayName")
    if isinstance(author, str):
        author = author.lstrip("@")
    out.comments.append(
        {
            "external_post_id": vid,
            "external_comment_id": cid,
            "parent_external_comment_id": parent,
            "comment_text": text,
            "author_username": author,
            "author_external_id": author_id,
            "likes_count": _count(snip, "likeCount", where),
            "commented_at": parse_timestamp(snip.get("publishedAt")),
        }
    )


def _report_rows(payload: Any, where: str) -> list[dict[str, Any]]:
    """Analytics rows as dicts keyed by column name (columnHeaders give the order)."""
    if not isinstance(payload, dict):
        raise ParseError(f"{where}: response is not an object")
    headers = payload.get("columnHeaders")
    if not isinstance(headers, list):
        raise ParseError(f"{where}: 'columnHeaders' is missing or not a list")
    names = []
    for header in headers:
        if not isinstance(header, dict) or not isinstance(header.get("name"), str):
            raise ParseError(f"{where}: a column header has no name")
        names.append(header["name"])
    rows = payload.get("rows", [])  # absent when the report is empty
    if not isinstance(rows, list):
        raise ParseError(f"{where}: 'rows' is not a list")
    out = []
    for row in rows:
        if not isinstance(row, list) or len(row) != len(names):
            raise ParseError(f"{where}: a row does not match the column headers")
        out.append(dict(zip(names, row)))
    return out


def _demographics(payload: Any) -> dict[str, Any] | None:
    rows = _report_rows(payload, EP_REPORT_DEMOGRAPHICS)
    if not rows:
        return None
    ages = {bucket: 0.0 for bucket in ("age_13_17", "age_18_24", "age_25_34", "age_35_44", "age_45_plus")}
    genders = {"male": 0.0, "female": 0.0}
    for row in rows:
        share = row.get("viewerPercentage")
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 100:
            raise ParseError("reports.query: viewerPercentage is not a percentage")
        age, gender = row.get("ageGroup"), row.get("gender")
        if age is not None:
            if not isinstance(age, str) or age not in AGE_BUCKETS:
                raise ParseError(f"reports.query: unknown ageGroup {str(age)[:20]!r}")
            ages[AGE_BUCKETS[age]] += float(share)
        if isinstance(gender, str) and gender in genders:
            genders[gender] += float(share)  # "user_specified" has no column of its own
    if any(v > 100.5 for v in (*ages.values(), *genders.values())):
        raise ParseError("reports.query: viewer percentages add up to more than 100")
    result: dict[str, Any] = {k: round(v, 2) for k, v in ages.items()}
    result["gender_male"] = round(genders["male"], 2)
    result["gender_female"] = round(genders["female"], 2)
    # The demographics report does not give these (geography would need a views report).
    result.update({"top_countries": None, "top_cities": None, "top_languages": None, "peak_hours": None, "peak_days": None})
    return result


# -- quota, errors and OAuth helpers --------------------------------------------------------
def next_quota_reset(now: datetime | None = None) -> datetime:
    """When the Data API's daily quota resets: the next midnight in America/Los_Angeles (UTC)."""
    now = now or datetime.now(timezone.utc)
    local = now.astimezone(PACIFIC)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC).astimezone(timezone.utc)


def _google_reasons(payload: Any) -> set[str]:
    error = payload.get("error") if isinstance(payload, dict) else None
    errors = error.get("errors") if isinstance(error, dict) else None
    return {e["reason"] for e in errors or [] if isinstance(e, dict) and isinstance(e.get("reason"), str)}


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


