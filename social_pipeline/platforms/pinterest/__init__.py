"""Pinterest: the API v5 (see :mod:`.client`)."""

from datetime import timedelta

from ..spec import PlatformSpec, TokenPolicy
from .client import Client

SPEC = PlatformSpec(
    name="pinterest",
    title="Pinterest",
    clients={"official": Client},
    requests_per_minute=100,  # v5: 1,000 / min per app, 100 / min per user for analytics
    pull_priority=3,
    demo_handle="democreator",
    settings=("client_id", "client_secret", "oauth_base_url"),
    history_days=90,  # analytics: the last 90 days
    token=TokenPolicy("refresh_token", timedelta(days=1), "access 30 days, refresh 365 days"),
    docs={
        "user_account": "https://developers.pinterest.com/docs/api/v5/user_account-get",
        "pins": "https://developers.pinterest.com/docs/api/v5/pins-list",
        "pins/analytics": "https://developers.pinterest.com/docs/api/v5/pins-analytics",
    },
)
