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
       k.external_account_id, a.access_token
FROM social_accounts a
JOIN social_analytics_config c ON c.social_account_id = a.id
LEFT JOIN social_account_credentials k ON k.social_account_id = a.id
WHERE c.monitoring_enabled AND lower(a.platform) = %s
ORDER BY a.handle, a.id
"""
# Serializes demo seeding (and the first-run decision to seed) across processes: two first runs
# at once on a table without a unique (platform, handle) would otherwise seed twice.
SEED_LOCK = 7_402_211_905_331_448
EMBEDDED_HINT = (
    "to try the demo, run it on the embedded database instead: unset SOCIAL_PIPELINE_DATABASE_URL "
    "and run `make dev` (or `social-pipeline demo seed` there)"
)


class DemoRefused(RuntimeError):
    """Demo accounts would land in an app's own social_accounts table."""


def required_columns(conn) -> list[str]:
    """Columns of social_accounts an insert must fill beyond platform and handle (NOT NULL, no
    default, not generated): an app's own, such as user_id."""
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'social_accounts' AND is_nullable = 'NO' AND column_default IS NULL "
        "AND is_identity = 'NO' AND is_generated = 'NEVER' AND column_name NOT IN ('platform', 'handle') "
        "ORDER BY ordinal_position"
    ).fetchall()
    return [r[0] for r in rows]


def _app_rows(conn) -> int:
    """Rows of social_accounts that are not our demo accounts."""
    demo = [f"{p}/{h}" for p, h in DEMO_HANDLES.items()]
    return conn.execute(
        "SELECT count(*) FROM social_accounts a LEFT JOIN social_analytics_config c ON c.social_account_id = a.id "
        "WHERE NOT (a.platform || '/' || a.handle = ANY(%s) AND c.provider_name IS NOT DISTINCT FROM %s)",
        (demo, DEMO_PROVIDER),
    ).fetchone()[0]


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


def seed_demo_accounts(conn, posts_per_fetch: int = 25, *, into_app_table: bool = False) -> int:
    """Create the nine demo accounts (and their monitoring config) if absent. Returns how many
    accounts were created. Idempotent, and serialized across processes.

    Refused (``DemoRefused``) where social_accounts is an app's table: one holding accounts of its
    own (unless ``into_app_table``), or one with required columns the demo cannot fill."""
    created = 0
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SEED_LOCK,))
        required = required_columns(conn)
        if required:
            raise DemoRefused(
                f"demo accounts not created: social_accounts requires {', '.join(required)}, which a demo "
                f"account has no value for; {EMBEDDED_HINT}"
            )
        others = _app_rows(conn)
        if others and not into_app_table:
            raise DemoRefused(
                f"demo accounts not created: social_accounts already holds {others} account(s) of your app, "
                f"and demo rows would be mixed with them; {EMBEDDED_HINT} "
                "(or set SOCIAL_PIPELINE_DEMO=1 to add them here anyway)"
            )
        for platform in PLATFORMS:
            handle = DEMO_HANDLES[platform]
            row = conn.execute(
                "SELECT id FROM social_accounts WHERE platform = %s AND handle = %s ORDER BY id LIMIT 1", (platform, handle)
            ).fetchone()
            if row is None:
                row = conn.execute(
                    "INSERT INTO social_accounts (platform, handle, access_token) VALUES (%s, %s, %s) RETURNING id",
                    (platform, handle, demo_token(platform, handle)),
                ).fetchone()
                created += 1
            conn.execute(
                "INSERT INTO social_analytics_config (social_account_id, monitoring_enabled, posts_per_fetch, "
                "provider_name) VALUES (%s, TRUE, %s, %s) ON CONFLICT (social_account_id) DO NOTHING",
                (row[0], posts_per_fetch, DEMO_PROVIDER),
            )
    return created
