"""Normalized posts and their daily metrics, parsed from the day's raw pulls."""


import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from ..analytics.engagement import engagement_rate
from ..ingest.normalize import posts_frame
from ..lineage import lineage_of
from ..partitions import daily_partitions
from ..platforms.base import POST_METRIC_FIELDS
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import BACKFILL_POLICY, BY_POST_ACCOUNT, CRITICAL_PATH_PRIORITY, DAILY_FRESHNESS, LEDGER_INS, OWNERS, parsed_days, post_ids, priority, scope_metadata, dashboard_link

POSTS = AssetKey("social_posts_analytics")


@asset(
    key=POSTS,
    ins=LEDGER_INS,
    op_tags=priority(CRITICAL_PATH_PRIORITY),
    group_name="normalized",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata(
        "social_posts_analytics", lineage=lineage_of("social_posts_analytics"),
        mode="upsert",
        keys=("social_account_id", "platform", "external_post_id"),
        merge={"first_seen_date": "least", "last_seen_date": "greatest"},
        newer_column="last_seen_date",
    ),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="Every post seen in the day's pulls, upserted on (social_account_id, platform, external_post_id) so ids "
    "stay stable for metrics, comments and hashtags; links to videos/clips are kept." + dashboard_link("posts", "overview"),
)
def social_posts_analytics(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    frames, quarantined = [], 0
    for day, records in parsed_days(context, raw, database):
        for account_id, reason in records.quarantined.items():
            context.log.warning(f"{day}: quarantined pull of account {account_id}: {reason}")
        quarantined += len(records.quarantined)
        frames.append(posts_frame(day, records))
    df = pd.concat(frames, ignore_index=True)
    if len(df) and df["first_seen_date"].nunique() > 1:
        # One row per post: the newest day's content, seen first on the earliest day of the range.
        df["first_seen_date"] = df.groupby(["social_account_id", "platform", "external_post_id"])["first_seen_date"].transform("min")
    return Output(df, metadata={"posts": int(df[["social_account_id", "platform", "external_post_id"]].drop_duplicates().shape[0]), "quarantined_pulls": quarantined})


METRIC_COLUMNS = [
    "post_id", "snapshot_date", "snapshot_hour", *POST_METRIC_FIELDS, "engagement_rate", "engaged_views", "views_method",
    "observed_at",
]


def metric_rows(records, ids, day, hour) -> list[dict]:
    """Metric rows of every parsed post that is stored (ids), for a day and optional hour. A late
    pull (``AccountDay.late``) measured the posts as they are now, not on ``day``: no row."""
    rows = []
    for acct in records.accounts:
        if acct.late:
            continue
        followers = acct.parsed.account.get("followers_count")
        for p in acct.parsed.posts:
            post_id = ids.get((acct.account_id, acct.platform, p["external_post_id"]))
            if post_id is None:
                continue  # not stored (the posts asset quarantined it)
            row = {"post_id": post_id, "snapshot_date": day, "snapshot_hour": hour}
            row.update({k: p.get(k) for k in POST_METRIC_FIELDS})
            row["engagement_rate"] = engagement_rate(p, followers)
            row["engaged_views"] = p.get("engaged_views")
            row["views_method"] = p.get("views_method")
            row["observed_at"] = acct.observed_at
            rows.append(row)
    return rows


@asset(
    key=AssetKey("social_post_metrics"),
    ins=LEDGER_INS,
    deps=[POSTS],
    group_name="normalized",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata(
        "social_post_metrics", lineage=lineage_of("social_post_metrics"), partition_column="snapshot_date", where="snapshot_hour IS NULL",
        account_scope=BY_POST_ACCOUNT,
    ),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="Each tracked post's metrics at the end of the day (snapshot_hour NULL). Metrics a "
    "platform does not report are NULL, never 0." + dashboard_link("posts"),
)
def social_post_metrics(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    rows = []
    for day, records in parsed_days(context, raw, database):
        with database.connect() as conn:
            ids = post_ids(conn, ((a.account_id, a.platform, p["external_post_id"]) for a in records.accounts for p in a.parsed.posts))
        rows.extend(metric_rows(records, ids, day, None))
    df = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    for col in ("post_id", "snapshot_hour", "engaged_views", *[f for f in POST_METRIC_FIELDS if f != "completion_rate"]):
        df[col] = df[col].astype("Int64")
    return Output(df, metadata={"posts": len(df), **scope_metadata(context)})
