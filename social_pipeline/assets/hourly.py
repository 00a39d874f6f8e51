"""Hourly tracking: growth curves of young posts, and sub-daily fetch frequencies.

Every hour, for each monitored account:
- posts younger than ``SOCIAL_PIPELINE_YOUNG_POST_HOURS`` (default 48) are refreshed by id and
  their metrics stored as hourly rows (``snapshot_hour`` = the hour, next to the daily row whose
  ``snapshot_hour`` is NULL: the two never collide);
- an account whose ``fetch_frequency`` is shorter than a day ('6 hours') is pulled in full at the
  hours that divide by it (0, 6, 12, 18), all its posts getting hourly rows.
A post first seen within the hour is upserted into ``social_posts_analytics`` on the spot, so its
first hours are tracked before the daily run. Raw exchanges are kept in ``social_raw_pulls`` with
``partition_hour`` set; the day's ``social_api_usage`` counts them.
"""

import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    Backoff,
    BackfillPolicy,
    HourlyPartitionsDefinition,
    Jitter,
    Output,
    RetryPolicy,
    asset,
)

from ..ingest import breaker
from ..ingest.accounts import monitored_accounts
from ..ingest.normalize import DayRecords, parse_day, posts_frame
from ..lineage import lineage_of
from ..partitions import START_ENV
from ..platforms import PLATFORMS
from ..ingest.pulling import PullResult, pull_account, raw_frame, raw_rows
from ..ingest.settings import platform_settings
from ..storage.database import Database
from ..storage.io_manager import TableSpec, table_metadata, write_frame
from .common import HOURLY_FRESHNESS, OWNERS, post_ids, dashboard_link
from .posts import METRIC_COLUMNS, metric_rows
from .raw import fetch_frequencies

YOUNG_ENV = "SOCIAL_PIPELINE_YOUNG_POST_HOURS"
hourly_partitions = HourlyPartitionsDefinition(
    start_date=os.environ.get(START_ENV, "2025-01-01") + "-00:00", timezone="UTC", end_offset=0
)
RAW_SPEC = TableSpec("social_raw_pulls", partition_column="partition_date", hour_column="partition_hour")
POSTS_SPEC = TableSpec(
    "social_posts_analytics", mode="upsert", keys=("social_account_id", "platform", "external_post_id"),
    merge={"first_seen_date": "least", "last_seen_date": "greatest"}, newer_column="last_seen_date",
)
_YOUNG = """
SELECT external_post_id FROM social_posts_analytics
WHERE social_account_id = %s AND posted_at > %s AND posted_at <= %s ORDER BY posted_at DESC LIMIT 200
"""


def young_hours() -> int:
    try:
        return max(int(os.environ.get(YOUNG_ENV, "48")), 1)
    except ValueError:
        return 48


def _hours(frequency: timedelta | None) -> int | None:
    """The cadence in whole hours when it is shorter than a day, else None."""
    if frequency is None or frequency >= timedelta(days=1):
        return None
    return max(int(frequency / timedelta(hours=1)), 1)


@asset(
    key=AssetKey("social_post_metrics_hourly"),
    deps=[AssetKey("social_posts_analytics")],
    group_name="normalized",
    partitions_def=hourly_partitions,
    backfill_policy=BackfillPolicy.multi_run(max_partitions_per_run=24),
    metadata=table_metadata("social_post_metrics", lineage=lineage_of("social_post_metrics_hourly"), partition_column="snapshot_date", hour_column="snapshot_hour"),
    pool="api_hourly",
    retry_policy=RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=HOURLY_FRESHNESS,
    description="Hourly metrics of posts younger than 48 hours (growth curves, velocity), and of every "
    "post of accounts whose fetch_frequency is shorter than a day; rows sit next to the daily ones "
    "(snapshot_hour set) without duplicating them." + dashboard_link("posts"),
)
def social_post_metrics_hourly(context: AssetExecutionContext, database: Database):
    window = context.partition_time_window
    hours = int((window.end - window.start) / timedelta(hours=1))
    rows, pulls, full_pulls, skipped = [], 0, 0, 0
    for i in range(hours):
        start = (window.start + timedelta(hours=i)).astimezone(timezone.utc)
        as_of = start + timedelta(hours=1) - timedelta(seconds=1)
        day, hour = start.date(), start.hour
        results: list[PullResult] = []
        for platform in PLATFORMS:
            with database.connect() as conn:
                accounts = monitored_accounts(conn, platform)
                cadence = fetch_frequencies(conn, [a.id for a in accounts])
                circuits = breaker.open_circuits(conn, [a.id for a in accounts])
            for reason in circuits.values():
                context.log.info(f"{start:%Y-%m-%d %H}:00 skipped: {reason}")
            skipped += len(circuits)
            accounts = [a for a in accounts if a.id not in circuits]
            for account in accounts:
                every = _hours(cadence.get(account.id))
                full = every is not None and hour % every == 0
                with database.connect() as conn:
                    young = [r[0] for r in conn.execute(
                        _YOUNG, (account.id, (as_of - timedelta(hours=young_hours())).replace(tzinfo=None),
                                 as_of.replace(tzinfo=None))).fetchall()]
                if not full and not young:
                    continue
                light = replace(
                    account,
                    posts_per_fetch=account.posts_per_fetch if full else 1,
                    refresh_post_ids=tuple(young),
                )
                result = pull_account(light, day, settings=platform_settings(platform), as_of=as_of)
                pulls += 1
                full_pulls += full
                if not result.ok:
                    context.log.warning(f"{start:%Y-%m-%d %H}:00 {result.error}")
                results.append((result, full, set(young)))
        raw = raw_frame([row for result, _, _ in results for row in raw_rows(result, day, hour)])
        with database.connect() as conn:
            write_frame(conn, RAW_SPEC, raw, (start.replace(tzinfo=None), (start + timedelta(hours=1)).replace(tzinfo=None)))
        records = parse_day(raw)
        with database.connect() as conn:
            # Posts first seen this hour get their ids now; known posts keep theirs.
            write_frame(conn, POSTS_SPEC, posts_frame(day, records), None)
            ids = post_ids(conn, ((a.account_id, a.platform, p["external_post_id"]) for a in records.accounts for p in a.parsed.posts))
        wanted = {r.pull_id: (full, young) for r, full, young in results}
        kept = DayRecords(
            accounts=[
                replace(a, parsed=replace(a.parsed, posts=[
                    p for p in a.parsed.posts
                    if wanted[a.pull_id][0] or p["external_post_id"] in wanted[a.pull_id][1] or _young(p, as_of)
                ]))
                for a in records.accounts
            ]
        )
        rows.extend(metric_rows(kept, ids, day, hour))
    df = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    for col in ("post_id", "snapshot_hour", *[c for c in METRIC_COLUMNS if c.endswith("_count") or c in ("watch_time_seconds", "impressions", "reach", "engaged_views")]):
        df[col] = df[col].astype("Int64")
    return Output(df, metadata={"hours": hours, "pulls": pulls, "full_pulls": full_pulls, "skipped_open_circuit": skipped, "hourly_rows": len(df)})


def _young(post: dict, as_of: datetime) -> bool:
    posted = post.get("posted_at")
    return posted is not None and as_of - timedelta(hours=young_hours()) < posted <= as_of
