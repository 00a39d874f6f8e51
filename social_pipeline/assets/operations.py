"""Operations: API usage per endpoint and the fetch job of each account, from the raw ledger."""


import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from ..ingest import breaker
from ..ingest.normalize import naive_utc, parse_day
from ..lineage import lineage_of
from ..partitions import daily_partitions
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import BACKFILL_POLICY, DAILY_FRESHNESS, OWNERS, RAW_INS, concat_raw, partition_days, split_days, dashboard_link

USAGE_COLUMNS = [
    "provider_name", "platform", "endpoint", "request_count", "success", "latency_ms", "date", "cost_units", "retries",
    "cost_usd",
]
JOB_COLUMNS = [
    "social_account_id", "job_type", "status", "posts_fetched", "comments_fetched", "error_message",
    "started_at", "completed_at", "platform", "partition_date", "requests_made", "error_kind",
]
# Jobs the raw assets recorded as skipped (circuit open, a permanent error earlier in the run, the
# API unreachable) leave no raw rows: they are kept as recorded.
_SKIPPED = """
SELECT social_account_id::text, job_type, status, posts_fetched, comments_fetched, error_message, started_at,
       completed_at, platform, partition_date, requests_made, error_kind
FROM social_fetch_jobs WHERE job_type = 'daily' AND status = 'skipped' AND partition_date = ANY(%s::date[])
"""


@asset(
    key=AssetKey("social_api_usage"),
    ins=RAW_INS,
    group_name="operations",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata("social_api_usage", lineage=lineage_of("social_api_usage"), partition_column="date"),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="Requests per provider, platform, endpoint and outcome for the day, every attempt "
    "counted (retries also counted apart), with mean latency, quota units (YouTube) and money spent "
    "(X pay-per-use, cost_usd): the basis for rate-limit and cost tracking." + dashboard_link("health"),
)
def social_api_usage(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    days = partition_days(context)
    # The hourly pulls of those days are counted too (social_post_metrics_hourly keeps its own rows).
    cols = ", ".join(f'"{c}"' for c in ("pull_id", "provider_name", "platform", "endpoint", "ok", "latency_ms",
                                          "cost_units", "cost_usd", "attempt", "partition_date"))
    with database.connect() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT {cols} FROM social_raw_pulls WHERE partition_hour IS NOT NULL "
                    "AND partition_date >= %s AND partition_date <= %s", (days[0], days[-1]))
        hourly = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])
    daily = concat_raw(raw)
    combined = pd.concat([f for f in (daily, hourly) if len(f)], ignore_index=True) if len(hourly) else daily
    frames = [_usage(day, day_raw) for day, day_raw in split_days(combined, days).items()]
    usage = pd.concat(frames, ignore_index=True)
    return Output(usage, metadata={"requests": int(usage["request_count"].sum()) if len(usage) else 0})


def _usage(day, df: pd.DataFrame) -> pd.DataFrame:
    df = df[df["endpoint"] != "(pull)"]
    if df.empty:
        return pd.DataFrame(columns=USAGE_COLUMNS)
    grouped = (
        df.assign(
            success=df["ok"].astype(bool),
            latency=pd.to_numeric(df["latency_ms"]),
            units=pd.to_numeric(df["cost_units"]),
            usd=pd.to_numeric(df["cost_usd"]) if "cost_usd" in df.columns else float("nan"),
            retry=(pd.to_numeric(df["attempt"]) > 1).astype(int),
        )
        .groupby(["provider_name", "platform", "endpoint", "success"], as_index=False)
        .agg(
            request_count=("pull_id", "size"),
            latency_ms=("latency", "mean"),
            cost_units=("units", lambda u: u.sum() if u.notna().any() else None),
            retries=("retry", "sum"),
            cost_usd=("usd", lambda u: round(float(u.sum()), 6) if u.notna().any() else None),
        )
    )
    grouped["latency_ms"] = grouped["latency_ms"].round().astype("Int64")
    for col in ("request_count", "cost_units", "retries"):
        grouped[col] = pd.to_numeric(grouped[col]).astype("Int64")
    grouped["date"] = day
    return grouped[USAGE_COLUMNS]


@asset(
    key=AssetKey("social_fetch_jobs"),
    ins=RAW_INS,
    # After the normalized data is committed, so last_fetched_at never runs ahead of it.
    deps=[AssetKey("social_posts_analytics"), AssetKey("social_post_metrics"), AssetKey("social_comments")],
    group_name="operations",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata("social_fetch_jobs", lineage=lineage_of("social_fetch_jobs"), partition_column="partition_date", where="job_type = 'daily'"),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="One daily fetch job per monitored account, final state: status of its newest pull, "
    "posts and comments fetched, the error when it failed (the raw assets record the live "
    "pending/running states). Advances social_analytics_config.last_fetched_at once the data is committed." + dashboard_link("health"),
)
def social_fetch_jobs(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    days = partition_days(context)
    frames = [_jobs(day, day_raw, database) for day, day_raw in split_days(concat_raw(raw), days).items()]
    jobs = pd.concat(frames, ignore_index=True)
    with database.connect() as conn:
        skipped = pd.DataFrame(conn.execute(_SKIPPED, (days,)).fetchall(), columns=JOB_COLUMNS)
    if len(skipped):
        pulled = set(zip(jobs["social_account_id"].astype(str), jobs["partition_date"]))
        skipped = skipped[[(a, d) not in pulled for a, d in zip(skipped["social_account_id"], skipped["partition_date"])]]
        jobs = pd.concat([jobs, skipped], ignore_index=True)
        for col in ("posts_fetched", "comments_fetched", "requests_made"):
            jobs[col] = jobs[col].astype("Int64")
    done = jobs[jobs["status"] == "completed"]
    if len(done):
        newest = done.groupby("social_account_id")["completed_at"].max()
        with database.connect() as conn:
            conn.execute(
                "UPDATE social_analytics_config c SET last_fetched_at = k.completed_at, updated_at = now() "
                "FROM unnest(%s::uuid[], %s::timestamp[]) AS k(account_id, completed_at) "
                "WHERE c.social_account_id = k.account_id "
                "AND (c.last_fetched_at IS NULL OR c.last_fetched_at < k.completed_at)",
                (newest.index.tolist(), [t.to_pydatetime() if hasattr(t, "to_pydatetime") else t for t in newest.tolist()]),
            )
    return Output(jobs, metadata={"jobs": len(jobs), "failed": int((jobs["status"] == "failed").sum())})


def _jobs(day, df: pd.DataFrame, database: Database) -> pd.DataFrame:
    records = parse_day(df, database, with_comments=False)
    parsed = {a.account_id: a for a in records.accounts}
    rows = []
    for account_id, pulls in df.groupby("social_account_id"):
        newest_id = pulls.groupby("pull_id")["fetched_at"].max().sort_values().index[-1]
        pull = pulls[pulls["pull_id"] == newest_id]
        failed = (pull["pull_status"] == "failed").any()
        error = kind = None
        if failed:
            errors = pull.loc[pull["endpoint"] == "(pull)", "error"].dropna()
            error = errors.iloc[-1] if len(errors) else "pull failed"
            answered = pull["status_code"].dropna() if "status_code" in pull.columns else pull["endpoint"][:0]
            status = int(answered.iloc[-1]) if len(answered) else None
            kind = "permanent" if breaker.is_permanent(status, error) else "transient"
        elif account_id in records.quarantined:
            failed, error, kind = True, records.quarantined[account_id], "permanent"  # the stored answer will not parse
        acct = parsed.get(account_id)
        used = acct is not None and acct.pull_id == newest_id
        rows.append(
            {
                "social_account_id": account_id,
                "job_type": "daily",
                "status": "failed" if failed else "completed",
                "posts_fetched": len(acct.parsed.posts) if used else 0,
                "comments_fetched": acct.comment_count if used else 0,
                "error_message": error,
                "started_at": naive_utc(pull["fetched_at"].min().to_pydatetime()),
                "completed_at": naive_utc(pull["fetched_at"].max().to_pydatetime()),
                "platform": pull["platform"].iloc[0],
                "partition_date": day,
                "requests_made": int((pull["endpoint"] != "(pull)").sum()),
                "error_kind": kind,
            }
        )
    jobs = pd.DataFrame(rows, columns=JOB_COLUMNS)
    for col in ("posts_fetched", "comments_fetched", "requests_made"):
        jobs[col] = jobs[col].astype("Int64")
    return jobs
