"""YouTube: the Data API v3 and the Analytics API v2 (see :mod:`.client`)."""

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
    token=TokenPolicy("refresh_token", timedelta(days=1), "access 1 hour; refresh 7 days for apps in testing"),
    docs={
        "channels.list": "https://developers.google.com/youtube/v3/docs/channels/list",
        "playlistItems.list": "https://developers.google.com/youtube/v3/docs/playlistItems/list",
        "videos.list": "https://developers.google.com/youtube/v3/docs/videos/list",
        "commentThreads.list": "https://developers.google.com/youtube/v3/docs/commentThreads/list",
        "reports.query": "https://developers.google.com/youtube/analytics/reference/reports/query",
    },
)
