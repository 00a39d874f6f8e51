"""LinkedIn: the Community Management API for organization pages (see :mod:`.client`).

Quirks in short (details in :mod:`.client`):

- Every request needs ``LinkedIn-Version: YYYYMM`` (``SOCIAL_PIPELINE_LINKEDIN_VERSION``; a sunset
  version answers 426) and ``X-Restli-Protocol-Version: 2.0.0``; URNs in paths are URL-encoded.
- Errors are ``{"status", "serviceErrorCode", "code", "message"}``, quoted whole. A refused token
  names the account and ``social_accounts.access_token``; refreshing needs
  ``SOCIAL_PIPELINE_LINKEDIN_CLIENT_ID`` and ``SOCIAL_PIPELINE_LINKEDIN_CLIENT_SECRET``.
- Paging by ``start`` + ``count`` with ``paging.links`` (rel ``next``) / ``paging.total``.
- ``commentary`` is little text: hashtags are ``{hashtag|\\#|tag}`` markup, parsed into ``hashtags``.
- A comment's ``object`` is often the post's *activity* URN; comments are placed on the post whose
  ``socialActions/{urn}/comments`` was asked.
- Times are epoch milliseconds; no views (impressions and unique impressions instead).
- Follower countries are ``urn:li:geo:{id}``: common country ids map to ISO codes, others are named
  through the Geo API (``GET /geo?ids=List(...)``, once per pull); a failed lookup keeps the URN.
"""

from datetime import timedelta

from ..spec import PlatformSpec, TokenPolicy
from .client import Client

SPEC = PlatformSpec(
    name="linkedin",
    title="LinkedIn",
    clients={"official": Client},
    requests_per_minute=100,  # Community Management: daily caps per app/member; spread them
    pull_priority=9,
    demo_handle="demo-creator-co",
    settings=("client_id", "client_secret", "oauth_base_url", "version"),
    token=TokenPolicy("refresh_token", timedelta(days=1), "access 60 days, refresh 365 days"),
    docs={
        "organizations": "https://learn.microsoft.com/linkedin/marketing/community-management/organizations/organization-lookup-api",
        "organizations.vanityName": "https://learn.microsoft.com/linkedin/marketing/community-management/organizations/organization-lookup-api",
        "networkSizes": "https://learn.microsoft.com/linkedin/marketing/community-management/organizations/organization-lookup-api",
        "posts/{urn}": "https://learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api",
        "socialActions/comments": "https://learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api",
        "organizationalEntityFollowerStatistics": "https://learn.microsoft.com/linkedin/marketing/community-management/organizations/follower-statistics",
        "geo": "https://learn.microsoft.com/linkedin/shared/references/v2/standardized-data/locations/geo",
        "oauth/v2/accessToken": "https://learn.microsoft.com/linkedin/shared/authentication/programmatic-refresh-tokens",
        "errors": "https://learn.microsoft.com/linkedin/shared/api-guide/concepts/error-handling",
        "little text": "https://learn.microsoft.com/linkedin/marketing/community-management/shares/little-text-format",
        "organizationAcls": "https://learn.microsoft.com/linkedin/marketing/community-management/organizations/organization-access-control-by-role",
        "posts": "https://learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api",
        "organizationalEntityShareStatistics": "https://learn.microsoft.com/linkedin/marketing/community-management/organizations/share-statistics",
        "socialActions": "https://learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api",
    },
)
