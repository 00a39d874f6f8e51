"""Accounts to pull (from ``social_accounts`` joined to ``social_analytics_config``) and the demo
accounts seeded on first run."""

from __future__ import annotations

from ..platforms import PLATFORMS, SPECS
from ..platforms.base import AccountRef
from ..simulator import demo_token

DEMO_PROVIDER = "demo"
# One demo account per platform, in each platform's handle style (its spec's demo_handle).
DEMO_HANDLES = {name: s.demo_handle for name, s in SPECS.items()}

_MONITORED = """
SELECT a.id::text, a.platform, a.handle, COALESCE(c.provider_name, 'official'), c.posts_per_fetch,
       a.external_account_id, a.access_token
FROM social_accounts a
JOIN social_analytics_config c ON c.social_account_id = a.id
WHERE c.monitoring_enabled AND a.is_active AND lower(a.platform) = %s
ORDER BY a.handle, a.id
"""


def monitored_accounts(conn, platform: str) -> list[AccountRef]:
    """Accounts of ``platform`` whose monitoring is enabled, with their pull settings."""
    rows = conn.execute(_MONITORED, (platform,)).fetchall()
    return [
        AccountRef(
            id=r[0],
            platform=r[1].lower(),
            handle=r[2],
            provider_name=r[3],
            posts_per_fetch=r[4],
            external_id=r[5],
            access_token=r[6],
        )
        for r in rows
    ]


def seed_demo_accounts(conn, posts_per_fetch: int = 25) -> int:
    """Create the nine demo accounts (and their monitoring config) if absent. Returns how many
    accounts were created. Idempotent."""
    created = 0
    with conn.transaction():
        for platform in PLATFORMS:
            handle = DEMO_HANDLES[platform]
            row = conn.execute(
                "SELECT id FROM social_accounts WHERE platform = %s AND handle = %s", (platform, handle)
            ).fetchone()
            if row is None:
                row = conn.execute(
                    "INSERT INTO social_accounts (platform, handle, display_name, access_token) "
                    "VALUES (%s, %s, %s, %s) RETURNING id",
                    (platform, handle, f"Demo creator ({platform})", demo_token(platform, handle)),
                ).fetchone()
                created += 1
            conn.execute(
                "INSERT INTO social_analytics_config (social_account_id, monitoring_enabled, posts_per_fetch, "
                "provider_name) VALUES (%s, TRUE, %s, %s) ON CONFLICT (social_account_id) DO NOTHING",
                (row[0], posts_per_fetch, DEMO_PROVIDER),
            )
    return created
