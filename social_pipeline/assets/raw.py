"""Raw platform pulls: one asset per platform, built by a factory from the platform registry so
lineage shows nine sources. Each stores every HTTP exchange of the day's pulls in
``social_raw_pulls``.

An account whose pull fails does not fail the asset: its error is stored (and shown by the
``all_accounts_pulled`` check), the other accounts' rows land, and any earlier successful pull of
that account for the same day is carried forward, so a re-run during an outage loses nothing.
"""


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
from ..pulling import RAW_COLUMNS, pull_account, raw_frame, raw_rows
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import partition_day

CHECK = "all_accounts_pulled"


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


def build_raw_asset(platform: str):
    key = AssetKey(["raw", platform])

    @asset(
        key=key,
        group_name="raw",
        partitions_def=daily_partitions,
        metadata=table_metadata("social_raw_pulls", partition_column="partition_date", slice={"platform": platform}),
        check_specs=[AssetCheckSpec(CHECK, asset=key, description="Every monitored account was pulled.")],
        kinds={"python", "postgres"},
        description=f"Raw {platform} API responses for each monitored {platform} account, one row per exchange.",
    )
    def _raw(context: AssetExecutionContext, database: Database):
        day = partition_day(context)
        with database.connect() as conn:
            accounts = monitored_accounts(conn, platform)
        rows, failures = [], {}
        for account in accounts:
            result = pull_account(account, day)
            rows.extend(raw_rows(result, day))
            if not result.ok:
                failures[account.id] = result.error
                context.log.warning(result.error)
        df = raw_frame(rows)
        if failures:
            with database.connect() as conn:
                carried = _carried_forward(conn, platform, day, list(failures))
            if not carried.empty:
                df = pd.concat([df, carried], ignore_index=True)
        yield Output(
            df,
            metadata={
                "accounts": len(accounts),
                "accounts_failed": len(failures),
                "requests": int((df["endpoint"] != "(pull)").sum()) if len(df) else 0,
            },
        )
        yield AssetCheckResult(
            check_name=CHECK,
            asset_key=key,
            passed=not failures,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "accounts": len(accounts),
                "failed": len(failures),
                "errors": MetadataValue.md("\n".join(f"- {e}" for e in failures.values()) or "none"),
            },
        )

    return _raw


raw_assets = [build_raw_asset(p) for p in PLATFORMS]
