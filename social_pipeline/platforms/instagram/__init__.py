"""Instagram: the Instagram Graph API for professional accounts (see :mod:`.client`)."""

from datetime import timedelta

from ..spec import PlatformSpec, TokenPolicy
from .client import Client

SPEC = PlatformSpec(
    name="instagram",
    title="Instagram",
    clients={"official": Client},
    aliases=("ig",),
    requests_per_minute=200,  # Graph API: 200 calls per user per hour is the BUC floor; bursts allowed
    pull_priority=5,
    demo_handle="demo.creator",
    settings=("app_id", "app_secret", "oauth_base_url", "version"),
    history_days=730,
    token=TokenPolicy("exchange", timedelta(days=7), "long-lived, about 60 days"),
    docs={
        "user": "https://developers.facebook.com/docs/instagram-platform/reference/instagram-user",
        "media": "https://developers.facebook.com/docs/instagram-platform/reference/instagram-media",
        "insights": "https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights",
        "comments": "https://developers.facebook.com/docs/instagram-platform/reference/instagram-comment",
    },
)
