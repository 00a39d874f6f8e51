"""Daily account snapshots: what the platform reports about the account, completed from our own
post history, with engagement rate and day-over-day follower growth."""


import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from ..ingest.normalize import clean_text
from ..lineage import lineage_of
from ..partitions import daily_partitions
from ..platforms.base import ACCOUNT_FIELDS
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import BACKFILL_POLICY, DAILY_FRESHNESS, LEDGER_INS, OWNERS, parsed_days

# Totals over each account's tracked posts (latest daily metrics up to the day).
_TRACKED_TOTALS = """
SELECT p.social_account_id::text, count(*),
       sum(m.likes_count), sum(m.comments_count), sum(m.views_count), sum(m.shares_count),
       avg(m.engagement_rate)
FROM social_posts_analytics p
JOIN LATERAL (
    SELECT * FROM social_post_metrics m
    WHERE m.post_id = p.id AND m.snapshot_date <= %(day)s AND m.snapshot_hour IS NULL
    ORDER BY m.snapshot_date DESC LIMIT 1
) m ON TRUE
WHERE p.social_account_id = ANY(%(accounts)s::uuid[]) AND p.first_seen_date <= %(day)s
GROUP BY p.social_account_id
"""
# Each account's newest earlier snapshot: one index probe per account, whatever the history.
_PREVIOUS_FOLLOWERS = """
SELECT k.id::text, s.followers_count
FROM unnest(%(accounts)s::uuid[]) AS k(id)
CROSS JOIN LATERAL (
    SELECT followers_count FROM social_analytics_snapshots
    WHERE social_account_id = k.id AND snapshot_date < %(day)s
    ORDER BY snapshot_date DESC LIMIT 1
) s
"""
# The account as the platform names it, in social_account_profiles (ours): the newest observation
# wins, so a re-run of an old day never writes back an old name. The app's social_accounts row
# gets the display name (column added by migration 004). Its external_account_id stays what the
# user set: it is an input (which Page or Instagram account a token pulls), and a pull that
# learnt the id must not change how the next pull of the same day asks.
_PROFILES = """
WITH seen AS (
    INSERT INTO social_account_profiles AS p
        (social_account_id, external_account_id, display_name, profile_url, observed_date)
    SELECT * FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::text[], %s::date[])
    ON CONFLICT (social_account_id) DO UPDATE SET
        external_account_id = COALESCE(EXCLUDED.external_account_id, p.external_account_id),
        display_name = COALESCE(EXCLUDED.display_name, p.display_name),
        profile_url = COALESCE(EXCLUDED.profile_url, p.profile_url),
        observed_date = EXCLUDED.observed_date,
        updated_at = now()
    WHERE p.observed_date <= EXCLUDED.observed_date
    RETURNING p.social_account_id, p.display_name
)
UPDATE social_accounts a
SET display_name = seen.display_name
FROM seen
WHERE a.id = seen.social_account_id AND seen.display_name IS NOT NULL
  AND a.display_name IS DISTINCT FROM seen.display_name
"""
SNAPSHOT_COLUMNS = ["social_account_id", "snapshot_date", *ACCOUNT_FIELDS, "engagement_rate", "follower_growth", "tracked_totals"]
TRACKED = ("total_likes", "total_comments", "total_views", "total_shares")


@asset(
    key=AssetKey("social_analytics_snapshots"),
    ins=LEDGER_INS,
    deps=[AssetKey("social_post_metrics"), AssetKey("social_hashtags")],
    group_name="analytics",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata("social_analytics_snapshots", lineage=lineage_of("social_analytics_snapshots"), partition_column="snapshot_date"),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="One row per account per day. Totals the platform does not report are summed over "
    "the account's tracked posts; engagement_rate is the mean of its tracked posts' engagement rates "
    "(each post rated against its own views, impressions, reach or followers); follower_growth = change since the previous snapshot.",
)
def social_analytics_snapshots(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    rows, followers_before, profiles = [], {}, {}
    for day, records in parsed_days(context, raw, database):
        day_rows = _snapshot_rows(day, records, database, followers_before)
        profiles.update({a.account_id: (day, a.parsed.account) for a in records.accounts})
        followers_before.update({r["social_account_id"]: r["followers_count"] for r in day_rows if r["followers_count"] is not None})
        rows.extend(day_rows)
    df = pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)
    for col in [*ACCOUNT_FIELDS, "follower_growth"]:
        df[col] = df[col].astype("Int64")
    named = write_profiles(database, profiles)
    return Output(df, metadata={"rows": len(df), "accounts_renamed": named})


def write_profiles(database: Database, profiles: dict) -> int:
    """Record each account's platform id, display name and profile URL (account id -> (day,
    parsed account)); returns how many ``social_accounts`` rows changed."""
    if not profiles:
        return 0
    ids = list(profiles)
    columns = [[], [], [], []]
    for account_id in ids:
        day, account = profiles[account_id]
        external = account.get("external_user_id")
        columns[0].append(clean_text(str(external), 255) if external not in (None, "") else None)
        columns[1].append(clean_text(account.get("display_name"), 255) or None)
        columns[2].append(clean_text(account.get("profile_url")) or None)
        columns[3].append(day)
    with database.connect() as conn, conn.transaction():
        return conn.execute(_PROFILES, (ids, *columns)).rowcount


def _snapshot_rows(day, records, database: Database, followers_before: dict) -> list[dict]:
    """One day's snapshots; ``followers_before`` holds the previous day's followers computed in
    this same run (a range), which take precedence over stored snapshots."""
    accounts = [a.account_id for a in records.accounts]
    with database.connect() as conn:
        params = {"day": day, "accounts": accounts}
        tracked = {r[0]: r[1:] for r in conn.execute(_TRACKED_TOTALS, params).fetchall()}
        previous = dict(conn.execute(_PREVIOUS_FOLLOWERS, params).fetchall())
    rows = []
    for acct in records.accounts:
        reported = acct.parsed.account
        row = {"social_account_id": acct.account_id, "snapshot_date": day}
        row.update({k: reported.get(k) for k in ACCOUNT_FIELDS})
        n_posts, likes, comments, views, shares, mean_rate = tracked.get(acct.account_id, (0, None, None, None, None, None))
        sums = dict(zip(TRACKED, (likes, comments, views, shares)))
        summed = []  # the totals filled from our posts: the platform did not report them
        for k in TRACKED:
            if row[k] is None and sums[k] is not None:
                row[k] = int(sums[k])
                summed.append(k)
        if row["posts_count"] is None and n_posts:
            row["posts_count"] = int(n_posts)
            summed.append("posts_count")
        if acct.platform == "twitter" and row["retweets_count"] is None and shares is not None:
            row["retweets_count"] = int(shares)
            summed.append("retweets_count")
        row["tracked_totals"] = summed
        row["engagement_rate"] = round(float(mean_rate), 2) if mean_rate is not None else None
        prev = followers_before.get(acct.account_id, previous.get(acct.account_id))
        followers = row["followers_count"]
        row["follower_growth"] = followers - prev if followers is not None and prev is not None else None
        rows.append(row)
    return rows
