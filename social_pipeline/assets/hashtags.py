"""Hashtag aggregates over the whole post history, and each post's links to its hashtags."""


from collections import defaultdict
from datetime import date

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from ..analytics.hashtags import extract_hashtags
from ..partitions import daily_partitions
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import BACKFILL_POLICY, partition_days
from .posts import POSTS

HASHTAGS = AssetKey("social_hashtags")

# Each post known by the end of the day, with its latest daily metrics up to that day.
_HISTORY = """
SELECT p.id, p.caption, p.first_seen_date, p.posted_at::date, m.views_count, m.engagement_rate, p.platform
FROM social_posts_analytics p
LEFT JOIN LATERAL (
    SELECT views_count, engagement_rate FROM social_post_metrics m
    WHERE m.post_id = p.id AND m.snapshot_date <= %(day)s AND m.snapshot_hour IS NULL
    ORDER BY m.snapshot_date DESC LIMIT 1
) m ON TRUE
WHERE p.first_seen_date <= %(day)s AND p.caption LIKE '%%#%%'
"""


def aggregate(rows, day: date) -> pd.DataFrame:
    """Per hashtag: posts using it, their summed latest views and mean engagement rate."""
    uses = defaultdict(int)
    views = defaultdict(int)
    rates = defaultdict(list)
    first, last = {}, {}
    platforms: dict[str, dict[str, int]] = defaultdict(dict)
    for _, caption, first_seen, posted, view_count, rate, platform in rows:
        for tag in extract_hashtags(caption):
            uses[tag] += 1
            platforms[tag][platform] = platforms[tag].get(platform, 0) + 1
            views[tag] += int(view_count or 0)
            if rate is not None:
                rates[tag].append(float(rate))
            seen = posted or first_seen
            first[tag] = min(first.get(tag, seen), seen)
            last[tag] = max(last.get(tag, seen), seen)
    df = pd.DataFrame(
        {
            "hashtag": list(uses),
            "total_uses": [uses[t] for t in uses],
            "total_views": [views[t] for t in uses],
            "avg_engagement_rate": [round(sum(rates[t]) / len(rates[t]), 2) if rates[t] else None for t in uses],
            "first_seen_date": [first[t] for t in uses],
            "last_seen_date": [last[t] for t in uses],
            "stats_date": [day] * len(uses),
            "platform_breakdown": [dict(sorted(platforms[t].items())) for t in uses],
        }
    )
    return df.astype({"total_uses": "Int64", "total_views": "Int64"})


@asset(
    key=HASHTAGS,
    deps=[AssetKey("social_post_metrics")],
    group_name="analytics",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata("social_hashtags", mode="upsert", keys=("hashtag",), newer_column="stats_date"),
    kinds={"python", "postgres"},
    owners=["team:data-platform"],
    description="Every hashtag's uses, summed views, mean engagement rate, first/last use and uses per "
    "platform over all posts known by the end of the day, recomputed from history (a replay of an "
    "older day does not regress newer stats).",
)
def social_hashtags(context: AssetExecutionContext, database: Database):
    day = partition_days(context)[-1]  # aggregates describe the end of the range
    with database.connect() as conn:
        rows = conn.execute(_HISTORY, {"day": day}).fetchall()
    df = aggregate(rows, day)
    return Output(df, metadata={"hashtags": len(df), "posts_scanned": len(rows)})


@asset(
    key=AssetKey("social_post_hashtags"),
    deps=[HASHTAGS, POSTS],
    group_name="analytics",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata("social_post_hashtags", mode="replace_keys", keys=("post_id",)),
    kinds={"python", "postgres"},
    owners=["team:data-platform"],
    description="Links from the posts seen that day to their hashtags, with the position of first use.",
)
def social_post_hashtags(context: AssetExecutionContext, database: Database):
    days = partition_days(context)
    with database.connect() as conn:
        posts = conn.execute(
            "SELECT id, caption FROM social_posts_analytics WHERE last_seen_date >= %s AND first_seen_date <= %s",
            (days[0], days[-1]),
        ).fetchall()
        tagged = [(pid, extract_hashtags(caption)) for pid, caption in posts]
        names = sorted({t for _, tags in tagged for t in tags})
        ids = dict(conn.execute("SELECT hashtag, id FROM social_hashtags WHERE hashtag = ANY(%s)", (names,)).fetchall())
    rows = [
        {"post_id": pid, "hashtag_id": ids[tag], "position": pos}
        for pid, tags in tagged
        for pos, tag in enumerate(tags)
        if tag in ids
    ]
    df = pd.DataFrame(rows, columns=["post_id", "hashtag_id", "position"]).astype("Int64")
    return Output(df, metadata={"links": len(df), "posts": len(posts)})
