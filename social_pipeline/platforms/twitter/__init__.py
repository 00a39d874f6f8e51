"""X (Twitter): the X API v2 (HTTP in :mod:`.client`, responses -> records in :mod:`.parse`)."""

from datetime import timedelta

from ..spec import PlatformSpec, TokenPolicy
from .client import Client

SPEC = PlatformSpec(
    shares_total="retweets_count",
    name="twitter",
    title="Twitter/X",
    clients={"official": Client},
    aliases=("x", "twitter/x"),
    requests_per_minute=60,  # X v2 user timeline: 900 / 15 min per user (app: 1,500); keep margin
    pull_priority=2,
    demo_handle="democreator",
    settings=("bearer_token", "client_id", "client_secret", "oauth_base_url", "plan", "daily_cost_cap_usd", "prices"),
    history_days=30,  # private metrics: 30 days
    token=TokenPolicy("refresh_token", timedelta(days=1), "user token 2 hours with offline.access refresh"),
    docs={
        "users/by/username": "https://docs.x.com/x-api/users/get-user-by-username",
        "users/:id/tweets": "https://docs.x.com/x-api/users/get-posts",
        "tweets": "https://docs.x.com/x-api/posts/get-posts-by-ids",
        "tweets/search/recent": "https://docs.x.com/x-api/posts/search-recent-posts",
        "tweets/search/all": "https://docs.x.com/x-api/posts/search-all-posts",
        "oauth2/token": "https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token",
        "pricing": "https://docs.x.com/x-api/getting-started/pricing",
    },
)
