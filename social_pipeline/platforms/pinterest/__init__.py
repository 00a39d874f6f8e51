"""Pinterest: the API v5 (see :mod:`.client`).

Quirks in short (details in :mod:`.client`):

- Errors are the v5 ``Error`` schema ``{"code": int, "message": str}``; both are quoted whole. A
  refused token (401 code 2) names the account and ``social_accounts.access_token``; refreshing
  needs ``SOCIAL_PIPELINE_PINTEREST_CLIENT_ID`` and ``SOCIAL_PIPELINE_PINTEREST_CLIENT_SECRET``.
- Paging by opaque ``bookmark`` (null on the last page); ``created_at`` is ISO-8601 without an
  offset (UTC); video ``duration`` and ``VIDEO_AVG_WATCH_TIME`` are milliseconds.
- Analytics reach 90 days back: a Pin created before the window gets no window metrics (None).
- The Pin schema has no structured tags (no hashtag field): hashtags come from the description.
- No likes (the lifetime ``reaction`` total stands in), no shares, no reach, no comments API.
- Daily series (``AccountRecord.daily_insights``): the pull day's row of ``GET
  /user_account/analytics`` (the 90-day window already asked ends with the pull day, so no extra
  call): ``daily_metrics[]`` with ``date`` = the day and ``data_status`` READY; IMPRESSION ->
  impressions, ENGAGEMENT -> engagements, SAVE -> saves, PIN_CLICK -> pin_clicks, OUTBOUND_CLICK
  -> outbound_clicks (https://developers.pinterest.com/docs/api/v5/user_account-analytics;
  AnalyticsDailyMetrics in v5/openapi.yaml). PROCESSING/ESTIMATE days are left out (not final).
  A refused analytics call (400/403) is recorded and leaves the series None; the pull goes on.
- Followers: Pinterest serves **no** daily follower gains for an account (neither gross follows
  with unfollows nor a net figure in user_account analytics; ``follower_count`` on
  ``GET /user_account`` is the only follower number), so ``followers_on_day`` is the
  ``follower_count`` read when no full day lies after the pull day (today, or yesterday pulled
  today), else None.
"""

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
        "user_account/analytics": "https://developers.pinterest.com/docs/api/v5/user_account-analytics",
        "pins": "https://developers.pinterest.com/docs/api/v5/pins-list",
        "pins/{pin_id}": "https://developers.pinterest.com/docs/api/v5/pins-get",
        "pins/analytics": "https://developers.pinterest.com/docs/api/v5/pins-analytics",
        "ad_accounts": "https://developers.pinterest.com/docs/api/v5/ad_accounts-list",
        "ad_accounts/audience_insights": "https://developers.pinterest.com/docs/api/v5/audience_insights-get",
        "oauth/token": "https://developers.pinterest.com/docs/getting-started/authentication-and-scopes/",
        "openapi": "https://github.com/pinterest/api-description/blob/main/v5/openapi.yaml",
    },
)
