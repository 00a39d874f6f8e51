"""LinkedIn: the Community Management API for organization pages (see :mod:`.client`)."""

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
        "organizationAcls": "https://learn.microsoft.com/linkedin/marketing/community-management/organizations/organization-access-control-by-role",
        "posts": "https://learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api",
        "organizationalEntityShareStatistics": "https://learn.microsoft.com/linkedin/marketing/community-management/organizations/share-statistics",
        "socialActions": "https://learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api",
    },
)
