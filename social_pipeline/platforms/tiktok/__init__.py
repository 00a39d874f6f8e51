"""TikTok: the Display API v2 for authorised creators (HTTP in :mod:`.client`, responses -> records
in :mod:`.parse`), and a RapidAPI scraper for public profiles (:mod:`.rapidapi`).

Quirks in short (details in the modules):

- Every Display API answer carries ``{"error": {"code", "message", "log_id"}}``; a code other than
  ``"ok"`` is an error even inside HTTP 200 (``rate_limit_exceeded`` there is retried like a 429).
  Errors quote all three whole (TikTok support asks for the ``log_id``).
- A refused user token (401 ``access_token_invalid`` / ``scope_not_authorized``) names the account
  and ``social_accounts.access_token``; refreshing needs ``SOCIAL_PIPELINE_TIKTOK_CLIENT_KEY`` and
  ``SOCIAL_PIPELINE_TIKTOK_CLIENT_SECRET`` and rotates the refresh token. The RapidAPI provider's
  key is ``SOCIAL_PIPELINE_TIKTOK_RAPIDAPI_KEY``.
- ``fields`` is a query parameter even on the POSTs; ``max_count`` <= 20; the list ``cursor`` is
  epoch **milliseconds** while ``create_time`` is epoch **seconds**.
- No hashtag field (hashtags come from the caption), no comments, no demographics in the Display API.
"""

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
        "errors": "https://developers.tiktok.com/doc/tiktok-api-v2-error-handling",
        "oauth errors": "https://developers.tiktok.com/doc/oauth-error-handling",
    },
)
