"""Facebook Pages: the Graph API (see :mod:`.client`)."""

from datetime import timedelta

from ..spec import PlatformSpec, TokenPolicy
from .client import Client

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
    docs={
        "page": "https://developers.facebook.com/docs/graph-api/reference/page",
        "posts": "https://developers.facebook.com/docs/graph-api/reference/page/feed",
        "insights": "https://developers.facebook.com/docs/graph-api/reference/insights",
        "comments": "https://developers.facebook.com/docs/graph-api/reference/object/comments",
    },
)
