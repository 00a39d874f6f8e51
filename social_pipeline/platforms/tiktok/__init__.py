"""TikTok: the Display API for authorised creators, and a RapidAPI scraper for public profiles.
The endpoints and their quirks are described in :mod:`.client` and :mod:`.rapidapi`."""

from datetime import timedelta

from ..spec import PlatformSpec, TokenPolicy
from .client import Client
from .rapidapi import Client as RapidApiClient

SPEC = PlatformSpec(
    name="tiktok",
    title="TikTok",
    clients={"official": Client, "rapidapi_tiktok": RapidApiClient},
    requests_per_minute=600,  # Display API: 600 requests per minute per endpoint
    pull_priority=1,
    demo_handle="demo.creator",
    settings=("client_key", "client_secret", "oauth_base_url", "rapidapi_key", "rapidapi_host"),
    history_days=None,  # follower history cannot be backfilled; videos stay listed
    token=TokenPolicy("refresh_token", timedelta(days=1), "access 24 hours, refresh 365 days"),
    docs={
        "v2/user/info": "https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info",
        "v2/video/list": "https://developers.tiktok.com/doc/tiktok-api-v2-video-list",
        "v2/video/query": "https://developers.tiktok.com/doc/tiktok-api-v2-video-query",
        "v2/oauth/token": "https://developers.tiktok.com/doc/oauth-user-access-token-management",
    },
)
