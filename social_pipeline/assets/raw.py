"""Raw platform pulls: one asset per platform, built by a factory from the platform registry so
lineage shows nine sources. Each stores every HTTP exchange of the day's pulls in
``social_raw_pulls``.

An account whose pull fails does not fail the asset: its error is stored (and shown by the
``all_accounts_pulled`` check), the other accounts' rows land, and any earlier successful pull of
that account for the same day is carried forward, so a re-run during an outage loses nothing.
Fetch jobs are recorded live (pending -> running -> completed/failed) as the pulls progress.
"""

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MetadataValue,
    Output,
    asset,
)

from ..accounts import monitored_accounts
from ..partitions import daily_partitions
from ..platforms import PLATFORMS
from ..platforms.base import PlatformError
from ..pulling import RAW_COLUMNS, client_class_for, pull_account, raw_frame, raw_rows
from ..settings import resource_key
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from ..tokens import expiring_tokens, refresh_tokens
from .common import partition_day

PULLED = "all_accounts_pulled"
TOKENS = "tokens_not_expiring"
TOKEN_WARNING_DAYS = 7

_REFRESH_IDS = """
SELECT external_post_id FROM social_posts_analytics
WHERE social_account_id = %s AND platform = %s AND posted_at >= %s AND posted_at < %s
ORDER BY posted_at DESC LIMIT 1000
"""
# YouTube's quota resets at midnight Pacific time.
_UNITS_TODAY = """
SELECT coalesce(sum(cost_units), 0) FROM social_raw_pulls
WHERE platform = %s AND provider_name = %s
  AND fetched_at >= (date_trunc('day', now() AT TIME ZONE 'America/Los_Angeles') AT TIME ZONE 'America/Los_Angeles')
"""
_JOB_UPSERT = """
INSERT INTO social_fetch_jobs (social_account_id, job_type, status, platform, partition_date, started_at,
                               completed_at, posts_fetched, comments_fetched, error_message, requests_made)
VALUES (%(account)s, 'daily', %(status)s, %(platform)s, %(day)s, %(started)s, %(completed)s, %(posts)s,
        %(comments)s, %(error)s, %(requests)s)
ON CONFLICT (social_account_id, job_type, partition_date) DO UPDATE SET
    status = EXCLUDED.status, started_at = COALESCE(EXCLUDED.started_at, social_fetch_jobs.started_at),
    completed_at = EXCLUDED.completed_at, posts_fetched = EXCLUDED.posts_fetched,
    comments_fetched = EXCLUDED.comments_fetched, error_message = EXCLUDED.error_message,
    requests_made = EXCLUDED.requests_made
"""


def _record_job(database: Database, account, day: date, status: str, **fields) -> None:
    params = {
        "account": account.id, "status": status, "platform": account.platform, "day": day,
        "started": fields.get("started"), "completed": fields.get("completed"), "posts": fields.get("posts"),
        "comments": fields.get("comments"), "error": fields.get("error"), "requests": fields.get("requests"),
    }
    with database.connect() as conn:
        conn.execute(_JOB_UPSERT, params)


def _carried_forward(conn, platform: str, day, account_ids: list[str]) -> pd.DataFrame:
    """The earlier successful rows, for this day, of accounts whose pull just failed."""
    if not account_ids:
        return pd.DataFrame(columns=list(RAW_COLUMNS))
    cols = ", ".join(f'"{c}"' for c in RAW_COLUMNS)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT {cols} FROM social_raw_pulls WHERE partition_date = %s AND platform = %s "
            "AND pull_status = 'ok' AND social_account_id = ANY(%s::uuid[]) ORDER BY id",
            (day, platform, account_ids),
        )
        rows = cur.fetchall()
    df = pd.DataFrame(rows, columns=list(RAW_COLUMNS))
    df["social_account_id"] = df["social_account_id"].astype(str)
    df["pull_id"] = df["pull_id"].astype(str)
    return df


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def build_raw_asset(platform: str):
    key = AssetKey(["raw", platform])
    api = resource_key(platform)

    @asset(
        key=key,
        group_name="raw",
        partitions_def=daily_partitions,
        metadata=table_metadata("social_raw_pulls", partition_column="partition_date", slice={"platform": platform}),
        check_specs=[
            AssetCheckSpec(PULLED, asset=key, description="Every monitored account was pulled."),
            AssetCheckSpec(TOKENS, asset=key, description=f"No account's token has expired, or expires within {TOKEN_WARNING_DAYS} days without a way to renew it."),
        ],
        required_resource_keys={api, "database"},
        kinds={"python", "postgres"},
        description=f"Raw {platform} API responses for each monitored {platform} account, one row per exchange.",
    )
    def _raw(context: AssetExecutionContext):
        day = partition_day(context)
        database: Database = context.resources.database
        settings = getattr(context.resources, api).settings()
        with database.connect() as conn:
            accounts = monitored_accounts(conn, platform)
        refreshed = refresh_tokens(database, accounts, settings, context.log)
        accounts = [refreshed.get(a.id, a) for a in accounts]
        for account in accounts:
            _record_job(database, account, day, "pending")
        rows, failures, requests_made = [], {}, 0
        for account in accounts:
            with database.connect() as conn:
                try:
                    window = client_class_for(platform, account.provider_name).update_window_days
                except PlatformError:
                    window = 0  # an unsupported provider: pull_account records the error
                ids = conn.execute(
                    _REFRESH_IDS,
                    (account.id, platform, _naive(datetime.combine(day - timedelta(days=window), datetime.min.time(), timezone.utc)),
                     _naive(datetime.combine(day + timedelta(days=1), datetime.min.time(), timezone.utc))),
                ).fetchall()
                used = conn.execute(_UNITS_TODAY, (platform, account.provider_name)).fetchone()[0]
            account = replace(account, refresh_post_ids=tuple(r[0] for r in ids))
            started = datetime.now(timezone.utc)
            _record_job(database, account, day, "running", started=_naive(started))
            result = pull_account(account, day, settings=settings, quota_used=int(used))
            account_rows = raw_rows(result, day)
            rows.extend(account_rows)
            requests_made += len(result.responses)
            posts = comments = None
            error = result.error
            if result.ok:
                try:
                    parsed = client_class_for(platform, account.provider_name).parse(
                        [r for r in result.responses if r.ok]
                    )
                    posts, comments = len(parsed.posts), len(parsed.comments)
                except Exception as exc:  # quarantined downstream; recorded here too
                    error = f"{platform}/{account.handle}: unparseable response: {type(exc).__name__}: {exc}"[:1000]
            else:
                failures[account.id] = result.error
                context.log.warning(result.error)
            _record_job(
                database, account, day, "failed" if error else "completed", started=_naive(started),
                completed=_naive(datetime.now(timezone.utc)), posts=posts, comments=comments, error=error,
                requests=len(result.responses),
            )
        df = raw_frame(rows)
        if failures:
            with database.connect() as conn:
                carried = _carried_forward(conn, platform, day, list(failures))
            if not carried.empty:
                df = pd.concat([df, carried], ignore_index=True)
        retries = int((df["attempt"] > 1).sum()) if len(df) else 0
        yield Output(
            df,
            metadata={
                "accounts": len(accounts),
                "accounts_failed": len(failures),
                "requests": requests_made,
                "retries": retries,
                "tokens_refreshed": len(refreshed),
            },
        )
        yield AssetCheckResult(
            check_name=PULLED,
            asset_key=key,
            passed=not failures,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "accounts": len(accounts),
                "failed": len(failures),
                "errors": MetadataValue.md("\n".join(f"- {e}" for e in failures.values()) or "none"),
            },
        )
        with database.connect() as conn:
            soon = expiring_tokens(conn, platform, TOKEN_WARNING_DAYS)
        yield AssetCheckResult(
            check_name=TOKENS,
            asset_key=key,
            passed=not soon,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "expiring": len(soon),
                "accounts": MetadataValue.md(
                    "\n".join(f"- {h}: expires {at:%Y-%m-%d %H:%M} UTC" for h, at in soon) or "none"
                ),
            },
        )

    return _raw


raw_assets = [build_raw_asset(p) for p in PLATFORMS]
