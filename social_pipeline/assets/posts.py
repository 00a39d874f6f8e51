"""Normalized posts and their daily metrics, parsed from the day's raw pulls."""


import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from ..analytics.engagement import engagement_rate
from ..normalize import parse_day, posts_frame
from ..partitions import daily_partitions
from ..platforms.base import POST_METRIC_FIELDS
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import RAW_INS, concat_raw, partition_day, post_ids

POSTS = AssetKey("social_posts_analytics")


@asset(
    key=POSTS,
    ins=RAW_INS,
    group_name="normalized",
    partitions_def=daily_partitions,
    metadata=table_metadata(
        "social_posts_analytics",
        mode="upsert",
        keys=("platform", "external_post_id"),
        merge={"first_seen_date": "least", "last_seen_date": "greatest"},
        newer_column="last_seen_date",
    ),
    kinds={"python", "postgres"},
    description="Every post seen in the day's pulls, upserted on (platform, external_post_id) so ids "
    "stay stable for metrics, comments and hashtags; links to videos/clips are kept.",
)
def social_posts_analytics(context: AssetExecutionContext, **raw: pd.DataFrame):
    day = partition_day(context)
    records = parse_day(concat_raw(raw))
    for account_id, reason in records.quarantined.items():
        context.log.warning(f"quarantined pull of account {account_id}: {reason}")
    df = posts_frame(day, records)
    return Output(df, metadata={"accounts": len(records.accounts), "quarantined_pulls": len(records.quarantined)})


METRIC_COLUMNS = ["post_id", "snapshot_date", "snapshot_hour", *POST_METRIC_FIELDS, "engagement_rate"]


@asset(
    key=AssetKey("social_post_metrics"),
    ins=RAW_INS,
    deps=[POSTS],
    group_name="normalized",
    partitions_def=daily_partitions,
    metadata=table_metadata(
        "social_post_metrics", partition_column="snapshot_date", where="snapshot_hour IS NULL"
    ),
    kinds={"python", "postgres"},
    description="Each tracked post's metrics at the end of the day (snapshot_hour NULL). Metrics a "
    "platform does not report are NULL, never 0.",
)
def social_post_metrics(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    day = partition_day(context)
    records = parse_day(concat_raw(raw))
    rows = []
    with database.connect() as conn:
        ids = post_ids(conn, ((a.platform, p["external_post_id"]) for a in records.accounts for p in a.parsed.posts))
    for acct in records.accounts:
        followers = acct.parsed.account.get("followers_count")
        for p in acct.parsed.posts:
            post_id = ids.get((acct.platform, p["external_post_id"]))
            if post_id is None:
                continue  # not stored (the posts asset quarantined it)
            row = {"post_id": post_id, "snapshot_date": day, "snapshot_hour": None}
            row.update({k: p.get(k) for k in POST_METRIC_FIELDS})
            row["engagement_rate"] = engagement_rate(p, followers)
            rows.append(row)
    df = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    for col in ("post_id", "snapshot_hour", *[f for f in POST_METRIC_FIELDS if f != "completion_rate"]):
        df[col] = df[col].astype("Int64")
    return Output(df, metadata={"posts": len(df)})
