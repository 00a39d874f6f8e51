"""Instagram: the Instagram Graph API for professional accounts (HTTP in :mod:`.client`, records in
:mod:`.parse`, Meta's shared conventions in :mod:`..meta_graph`).

Daily series (issue 14): the pull day's account insights come from ``GET /{ig-user-id}/insights``
with ``period=day&metric_type=total_value&since=<day start>&until=<day end>``. Followers of a
past day are not rebuilt: ``follows_and_unfollows`` by ``follow_type`` answers ``FOLLOWER`` /
``NON_FOLLOWER`` values that Meta's reference does not define as follows and unfollows (other
integrations found they are not the two flows), and ``follower_count`` ("total number of new
followers each day", at most 30 days) is gross only. Source:
https://developers.facebook.com/docs/instagram-platform/reference/instagram-user/insights
(Metrics, Breakdowns, Limitations). Details in :mod:`.client` ("Daily series")."""

from datetime import timedelta

from ..spec import PlatformSpec, TokenPolicy
from ..meta_graph import version_warning
from .client import Client

SPEC = PlatformSpec(
    name="instagram",
    title="Instagram",
    clients={"official": Client},
    aliases=("ig",),
    requests_per_minute=200,  # Graph API: 200 calls per user per hour is the BUC floor; bursts allowed
    pull_priority=5,
    demo_handle="demo.creator",
    settings=("app_id", "app_secret", "oauth_base_url", "graph_base_url", "version"),
    history_days=730,
    url_id_is_api_id=False,  # the URL shows a shortcode, matched through the permalink
    token=TokenPolicy("exchange", timedelta(days=7), "long-lived, about 60 days"),
    # From 60 days before the configured Graph version's end of life (v21.0: 2027-01-21).
    api_notice=lambda settings, today: version_warning(settings.get("version"), today, platform="instagram"),
    docs={
        "login types": "https://developers.facebook.com/docs/instagram-platform/overview",
        "pages (/me/accounts)": "https://developers.facebook.com/docs/graph-api/reference/user/accounts",
        "page instagram_business_account": "https://developers.facebook.com/docs/graph-api/reference/page",
        "user": "https://developers.facebook.com/docs/instagram-platform/reference/instagram-user",
        "media": "https://developers.facebook.com/docs/instagram-platform/reference/instagram-media",
        "insights": "https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights",
        "user insights": "https://developers.facebook.com/docs/instagram-platform/reference/instagram-user/insights",
        "comments": "https://developers.facebook.com/docs/instagram-platform/reference/instagram-comment",
        "refresh (Instagram Login)": "https://developers.facebook.com/docs/instagram-platform/reference/refresh_access_token",
        "errors": "https://developers.facebook.com/docs/graph-api/guides/error-handling",
        "rate limits": "https://developers.facebook.com/docs/graph-api/overview/rate-limiting",
        "versions": "https://developers.facebook.com/docs/graph-api/changelog/versions",
    },
)
