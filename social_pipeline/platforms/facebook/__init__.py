"""Facebook Pages: the Graph API (HTTP in :mod:`.client`, records in :mod:`.parse`, Meta's shared
conventions in :mod:`..meta_graph`)."""

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
