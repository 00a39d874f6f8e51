"""Facebook Pages: the Graph API (HTTP in :mod:`.client`, records in :mod:`.parse`, Meta's shared
conventions in :mod:`..meta_graph`).

Daily series (``AccountRecord.daily_insights`` / ``followers_on_day``): ``GET /{page-id}/insights?
period=day&since=<day 00:00 UTC>&until=<+1 day>`` with ``page_media_view`` (views; it replaced the
``page_impressions`` retired on 2025-11-15), ``page_total_media_view_unique`` (reach; replaced
``page_impressions_unique``), ``page_post_engagements`` (engagements), ``page_daily_follows_unique``
(follows) and ``page_daily_unfollows_unique`` (unfollows). The follow figures are **gross**: new
followers and unfollows of the day are two separate counts (Page Insights reference,
https://developers.facebook.com/docs/graph-api/reference/insights, Page metrics with period
``day``); their difference is the net gain (``net_follows``). ``page_fans`` / ``page_fan_adds`` are
retired. Followers at the end of a past day = ``followers_count`` now minus (follows - unfollows)
of every full day after it up to yesterday, asked in one call within the 90-day since/until cap
(https://developers.facebook.com/documentation/pages-api/platforminsights/page, Limitations);
a day missing, or a range beyond 90 days, gives None."""

from datetime import timedelta

from ..spec import PlatformSpec, TokenPolicy
from ..meta_graph import version_warning
from .client import Client

def url_keys(post_id: str) -> frozenset[str]:
    """A Graph post id is ``{page id}_{object id}``; the post's URL shows the object id."""
    return frozenset({post_id.rsplit("_", 1)[1]}) if "_" in post_id else frozenset()


SPEC = PlatformSpec(
    name="facebook",
    title="Facebook",
    clients={"official": Client},
    aliases=("fb",),
    requests_per_minute=200,
    pull_priority=7,
    demo_handle="democreatorpage",
    settings=("app_id", "app_secret", "oauth_base_url", "version"),
    history_days=730,
    token=TokenPolicy("exchange", timedelta(days=7), "long-lived, about 60 days"),
    # From 60 days before the configured Graph version's end of life (v21.0: 2027-01-21).
    url_id_is_api_id=False,
    url_keys=url_keys,
    api_notice=lambda settings, today: version_warning(settings.get("version"), today, platform="facebook"),
    docs={
        "page": "https://developers.facebook.com/docs/graph-api/reference/page",
        "posts": "https://developers.facebook.com/docs/graph-api/reference/page/feed",
        "insights": "https://developers.facebook.com/docs/graph-api/reference/insights",
        "post insights": "https://developers.facebook.com/docs/graph-api/reference/post/insights/",
        "metric changes": "https://developers.facebook.com/documentation/pages-api/changelog",
        "reels (video_insights)": "https://developers.facebook.com/docs/graph-api/reference/video/video_insights/",
        "video insights guide": "https://developers.facebook.com/docs/video-api/guides/insights",
        "comments": "https://developers.facebook.com/docs/graph-api/reference/object/comments",
        "errors": "https://developers.facebook.com/docs/graph-api/guides/error-handling",
        "rate limits": "https://developers.facebook.com/docs/graph-api/overview/rate-limiting",
        "versions": "https://developers.facebook.com/docs/graph-api/changelog/versions",
    },
)
