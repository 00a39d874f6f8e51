"""A circuit breaker kept in the ledger (``social_fetch_jobs``).

An account whose last N pulls failed (``SOCIAL_PIPELINE_BREAKER_FAILURES``, default 3), or whose
last pull failed for a reason retrying cannot fix (a permanent error), has its circuit open:
scheduled runs skip it, recording a ``skipped`` fetch job that says why, instead of spending
requests and minutes on it every day and every hour. A successful pull closes it; so does the
user, with ``social-pipeline accounts retry PLATFORM HANDLE`` (``circuit_reset_at``). A run that
names the account (``fetch``, the new-account sensor) pulls it whatever its circuit says.
"""

from __future__ import annotations

import os
import re

THRESHOLD_ENV = "SOCIAL_PIPELINE_BREAKER_FAILURES"
DEFAULT_THRESHOLD = 3

# Answers retrying cannot change: the credential is refused (the pull has already tried to renew
# it), access is denied, the account does not exist, or we have no client for the provider.
PERMANENT_STATUS = {401, 403, 404, 410}
_PERMANENT_TEXT = re.compile(
    r"expired|revoked|invalid[_ ](access[_ ])?token|invalid oauth|session has been invalidated|"
    r"not authorized|unauthorized|permission|suspended|deactivated|not found|does not exist|"
    r"no (such )?(user|account|channel|page)|unsupported provider|not supported|no client for|"
    r"not configured|missing (credential|setting|api key)",
    re.IGNORECASE,
)
_TRANSIENT_STATUS = {408, 425, 429}
# Throttling some providers answer with 400/403: YouTube's spent daily quota (403 quotaExceeded,
# reset at midnight Pacific), Meta's "(#4) Application request limit reached", our own throttle.
_TRANSIENT_TEXT = re.compile(r"quota|request limit|rate[ _]limit|too many requests|throttled", re.IGNORECASE)


def threshold() -> int:
    try:
        value = int(os.environ.get(THRESHOLD_ENV, DEFAULT_THRESHOLD))
    except ValueError:
        return DEFAULT_THRESHOLD
    return max(value, 1)


def is_permanent(status_code: int | None, message: str | None) -> bool:
    """Whether a failed pull failed for a reason retrying cannot fix."""
    if status_code in _TRANSIENT_STATUS or (status_code is not None and status_code >= 500):
        return False
    if message and _TRANSIENT_TEXT.search(message):
        return False
    if status_code in PERMANENT_STATUS:
        return True
    if status_code is None and message and re.search(r"timed? ?out|connection|temporar|unreachable", message, re.IGNORECASE):
        return False
    return bool(message and _PERMANENT_TEXT.search(message))


# The newest finished daily jobs of each account after its reset: enough to see N failures in a
# row, one index probe per account (social_fetch_jobs_account_idx).
_RECENT = """
SELECT k.id::text, j.status, j.error_kind, j.error_message, j.partition_date
FROM unnest(%(accounts)s::uuid[]) AS k(id)
LEFT JOIN social_analytics_config c ON c.social_account_id = k.id
CROSS JOIN LATERAL (
    SELECT status, error_kind, error_message, partition_date FROM social_fetch_jobs j
    WHERE j.social_account_id = k.id AND j.job_type = 'daily' AND j.status IN ('completed', 'failed')
      AND (c.circuit_reset_at IS NULL OR j.completed_at >= c.circuit_reset_at AT TIME ZONE 'UTC')
    ORDER BY j.completed_at DESC NULLS LAST, j.partition_date DESC
    LIMIT %(n)s
) j
"""


def open_circuits(conn, account_ids: list[str]) -> dict[str, str]:
    """Account id -> why its circuit is open, for the given accounts whose circuit is open."""
    if not account_ids:
        return {}
    n = threshold()
    recent: dict[str, list[tuple]] = {}
    for account_id, status, kind, message, day in conn.execute(_RECENT, {"accounts": account_ids, "n": n}).fetchall():
        recent.setdefault(account_id, []).append((status, kind, message, day))
    handles = dict(conn.execute(
        "SELECT id::text, platform || ' ' || handle FROM social_accounts WHERE id = ANY(%s::uuid[])", (account_ids,)
    ).fetchall())
    out = {}
    for account_id, jobs in recent.items():
        newest_status, newest_kind, newest_message, newest_day = jobs[0]
        if newest_status != "failed":
            continue
        retry = f"`social-pipeline accounts retry {handles.get(account_id, account_id)}` pulls it again"
        last = _short(newest_message)
        if newest_kind == "permanent":
            out[account_id] = f"circuit open: the pull of {newest_day} failed permanently ({last}); {retry}"
        elif len(jobs) >= n and all(status == "failed" for status, *_ in jobs):
            since = jobs[-1][3]
            out[account_id] = f"circuit open: {len(jobs)} failed pulls in a row since {since} (last: {last}); {retry}"
    return out


def reset(conn, account_id: str) -> None:
    """Let the next run pull the account again, whatever its failures so far."""
    conn.execute(
        "UPDATE social_analytics_config SET circuit_reset_at = now() WHERE social_account_id = %s", (account_id,)
    )


def _short(message: str | None, limit: int = 200) -> str:
    text = " ".join((message or "no message").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
