"""YouTube: the Data API v3 and the Analytics API v2.

:mod:`.client` holds the HTTP side (endpoints, auth, quota per method, errors that name the
variable to fix), :mod:`.parse` the responses -> records (hashtags from title and description,
``snippet.tags`` as keywords, ``engagedViews`` and the views counting method per observation).
Fixtures in the tests are written from the discovery documents ``youtube.v3.json`` and
``youtubeAnalytics.v2.json`` (googleapis/google-api-python-client, discovery_cache/documents).

Other references: quota cost per method https://developers.google.com/youtube/v3/determine_quota_cost
and the per-method buckets of 2026-06-01 / ``videos.batchGetStats`` of 2026-06-03 in
https://developers.google.com/youtube/v3/revision_history; ``engagedViews`` in
https://developers.google.com/youtube/analytics/metrics; the views counting changes (Shorts
2025-03-31, announced 2025-03-26; every format 2026-08-27) in
https://developers.google.com/youtube/analytics/revision_history; error reasons in
https://developers.google.com/youtube/v3/docs/errors.
"""

from datetime import timedelta

from ..spec import PlatformSpec, TokenPolicy
from .client import Client

SPEC = PlatformSpec(
    name="youtube",
    title="YouTube",
    clients={"official": Client},
    aliases=("yt",),
    requests_per_minute=600,  # bounded by the daily unit quota rather than by rate
    pull_priority=6,
    demo_handle="democreator",
    settings=("api_key", "client_id", "client_secret", "oauth_base_url", "analytics_base_url"),
    daily_quota_units=10_000,
    # The channel report runs from the channel's start to the pull's day (endDate), so a late pull
    # of a past day still gets that day's lifetime totals.
    dated_fields=("watch_time_minutes", "total_likes", "total_comments", "total_shares"),
    token=TokenPolicy("refresh_token", timedelta(days=1), "access 1 hour; refresh 7 days for apps in testing"),
    docs={
        "channels.list": "https://developers.google.com/youtube/v3/docs/channels/list",
        "playlistItems.list": "https://developers.google.com/youtube/v3/docs/playlistItems/list",
        "videos.list": "https://developers.google.com/youtube/v3/docs/videos/list",
        "commentThreads.list": "https://developers.google.com/youtube/v3/docs/commentThreads/list",
        "comments.list": "https://developers.google.com/youtube/v3/docs/comments/list",
        "reports.query": "https://developers.google.com/youtube/analytics/reference/reports/query",
        "oauth2.token": "https://developers.google.com/identity/protocols/oauth2/web-server#offline",
    },
)
