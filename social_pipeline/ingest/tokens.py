"""Token health: refresh access tokens before they expire, and report the ones about to.

Platforms whose tokens expire (TikTok access tokens after 24 hours, Meta and LinkedIn long-lived
tokens after about 60 days, Google testing-mode refresh tokens after 7 days) are refreshed when
``social_account_credentials.token_expires_at`` is within the spec's ``token.refresh_ahead`` and a refresh token (or, for
Meta, the long-lived token itself) is stored. The new token and expiry are written back at once,
so a crash later in the run cannot lose them. A failed refresh is logged (without the token) and
the pull goes on with the current token.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import requests

from ..platforms import SPECS, spec
from ..platforms.base import AccountRef, HttpClient, PlatformError
from .pulling import make_client, scrub
from .settings import PlatformSettings

# Platforms whose long-lived token is exchanged for a new one (Meta) instead of renewed by a
# refresh token; each spec's TokenPolicy says which, and how far ahead.
EXCHANGED = tuple(name for name, s in SPECS.items() if s.token.renewal == "exchange")


def refresh_tokens(database, accounts: list[AccountRef], settings: PlatformSettings, log) -> dict[str, AccountRef]:
    """Refresh the tokens of ``accounts`` that expire soon. Returns the accounts refreshed."""
    if not accounts:
        return {}
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT social_account_id::text, refresh_token, token_expires_at FROM social_account_credentials "
            "WHERE social_account_id = ANY(%s::uuid[])",
            ([a.id for a in accounts],),
        ).fetchall()
    platform = accounts[0].platform
    ahead = spec(platform).token.refresh_ahead
    due = {r[0]: r[1] for r in rows if r[2] is not None and r[2] <= datetime.now(timezone.utc) + ahead}
    refreshed: dict[str, AccountRef] = {}
    for account in accounts:
        if account.id not in due:
            continue
        # Meta refreshes a long-lived token by exchanging the token itself.
        grant_from = due[account.id] or (account.access_token if account.platform in EXCHANGED else None)
        if not grant_from:
            log.warning(f"{account.platform}/{account.handle}: token expires soon and no refresh token is stored; reconnect the account")
            continue
        session = requests.Session()
        try:
            client = make_client(account, datetime.now(timezone.utc).date(), HttpClient(session, max_attempts=3), settings)
            grant = client.refresh_access_token(account, grant_from)
        except (PlatformError, requests.RequestException) as exc:
            log.warning(scrub(f"{account.platform}/{account.handle}: token refresh failed: {exc}",
                              [account.access_token, grant_from, *settings.credentials.values()]))
            continue
        finally:
            session.close()
        with database.connect() as conn:
            # The access token is the app's column (the specification's); the rest is ours.
            conn.execute("UPDATE social_accounts SET access_token = %s WHERE id = %s", (grant.access_token, account.id))
            conn.execute(
                "UPDATE social_account_credentials SET refresh_token = COALESCE(%s, refresh_token), "
                "token_expires_at = %s, token_refreshed_at = now(), updated_at = now() WHERE social_account_id = %s",
                (grant.refresh_token, grant.expires_at, account.id),
            )
        log.info(f"{account.platform}/{account.handle}: token refreshed, expires {grant.expires_at}")
        refreshed[account.id] = replace(account, access_token=grant.access_token)
    return refreshed


def expiring_tokens(conn, platform: str | None, days: int) -> list[tuple[str, datetime]]:
    """(platform/handle, expiry) of monitored accounts whose token has expired, or expires within
    ``days`` with nothing to renew it by itself (no refresh token; Meta tokens renew by exchange).
    A short-lived token with a refresh token (TikTok's 24 hours) is healthy, not expiring."""
    rows = conn.execute(
        "SELECT a.platform || '/' || a.handle, k.token_expires_at FROM social_accounts a "
        "JOIN social_analytics_config c ON c.social_account_id = a.id "
        "JOIN social_account_credentials k ON k.social_account_id = a.id "
        "WHERE c.monitoring_enabled AND k.token_expires_at IS NOT NULL "
        "AND (k.token_expires_at <= now() OR (k.token_expires_at <= now() + make_interval(days => %s) "
        "     AND k.refresh_token IS NULL AND a.platform <> ALL(%s))) "
        "AND (%s::text IS NULL OR a.platform = %s) ORDER BY k.token_expires_at",
        (days, list(EXCHANGED), platform, platform),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]
