"""Daily account snapshots: what the platform reports about the account, completed from our own
post history, with engagement rate and day-over-day follower growth."""


import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from ..ingest.normalize import clean_text, rebuilt_counts
from ..lineage import lineage_of
from ..partitions import daily_partitions
from ..platforms import spec
from ..platforms.base import ACCOUNT_FIELDS
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import BACKFILL_POLICY, BY_ACCOUNT, DAILY_FRESHNESS, LEDGER_INS, OWNERS, parsed_days, scope_metadata, dashboard_link

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
# follower_growth of every snapshot of the accounts just written, from the window's first day on:
# followers minus the followers of the account's newest earlier snapshot that knows them. Run in
# the write's own transaction (the IO manager's after_write), over the stored rows, so the value
# is the same whatever order days were loaded in: loading an earlier day later corrects the growth
# of the day after it.
GROWTH_AFTER_WRITE = """
WITH touched AS (
    SELECT DISTINCT social_account_id FROM social_analytics_snapshots
    WHERE snapshot_date >= %(start)s AND snapshot_date < %(end)s
), growth AS (
    SELECT s.id, s.followers_count - prev.followers_count AS value
    FROM social_analytics_snapshots s
    JOIN touched t ON t.social_account_id = s.social_account_id
    LEFT JOIN LATERAL (
        SELECT p.followers_count FROM social_analytics_snapshots p
        WHERE p.social_account_id = s.social_account_id AND p.snapshot_date < s.snapshot_date
          AND p.followers_count IS NOT NULL
        ORDER BY p.snapshot_date DESC LIMIT 1
    ) prev ON TRUE
    WHERE s.snapshot_date >= %(start)s
)
UPDATE social_analytics_snapshots s SET follower_growth = g.value
FROM growth g
WHERE s.id = g.id AND s.follower_growth IS DISTINCT FROM g.value
"""
# Stored snapshots after a day being written: their totals summed over tracked posts read the
# posts' metrics up to their own day, which an earlier day loaded later can change.
_LATER = """
SELECT s.social_account_id::text, s.snapshot_date, a.platform, s.tracked_totals, s.engagement_rate,
       {columns}
FROM social_analytics_snapshots s JOIN social_accounts a ON a.id = s.social_account_id
WHERE s.social_account_id = ANY(%(accounts)s::uuid[]) AND s.snapshot_date > %(day)s
ORDER BY s.snapshot_date
"""

# The account as the platform names it, in social_account_profiles (ours): the newest observation
# wins, so a re-run of an old day never writes back an old name. The app's social_accounts is
# never written here, and the external_account_id the user set (social_account_credentials) stays
# as it is: it is an input (which Page or Instagram account a token pulls), and a pull that learnt
# the id must not change how the next pull of the same day asks.
_PROFILES = """
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
"""
SNAPSHOT_COLUMNS = [
    "social_account_id", "snapshot_date", *ACCOUNT_FIELDS, "engagement_rate", "follower_growth", "tracked_totals",
    "observed_at", "observation", "unknown_reason", "daily_insights", "reconstructed_fields",
]
TRACKED = ("total_likes", "total_comments", "total_views", "total_shares")


@asset(
    key=AssetKey("social_analytics_snapshots"),
    ins=LEDGER_INS,
    deps=[AssetKey("social_post_metrics"), AssetKey("social_hashtags")],
    group_name="analytics",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata(
        "social_analytics_snapshots", lineage=lineage_of("social_analytics_snapshots"), partition_column="snapshot_date",
        after_write=GROWTH_AFTER_WRITE, account_scope=BY_ACCOUNT,
    ),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="One row per account per day. Totals the platform does not report are summed over "
    "the account's tracked posts; engagement_rate is the mean of its tracked posts' engagement rates "
    "(each post rated against its own views, impressions, reach or followers); follower_growth = change since the "
    "account's newest earlier snapshot that knows its followers, kept true whatever order days are loaded in." + dashboard_link("overview"),
)
def social_analytics_snapshots(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    rows, profiles, days = [], {}, []
    for day, records in parsed_days(context, raw, database):
        rows.extend(_snapshot_rows(day, records, database))
        profiles.update({a.account_id: (day, a.parsed.account) for a in records.accounts})
        days.append(day)
    df = pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)
    for col in [*ACCOUNT_FIELDS, "follower_growth"]:
        df[col] = df[col].astype("Int64")
    named = write_profiles(database, profiles)
    accounts = sorted({r["social_account_id"] for r in rows})
    later = rederive_later(database, accounts, max(days)) if days and accounts else 0
    known = df["followers_count"].dropna()
    # Numbers the asset's Plots tab draws run by run: followers summed over the accounts that
    # reported them (an account without a known count is counted apart, never as 0).
    plotted = {"total_followers": int(known.sum()), "accounts_with_followers": int(len(known))} if len(known) else {}
    return Output(df, metadata={"rows": len(df), "profiles_written": named, "later_days_rederived": later,
                                **plotted, **scope_metadata(context)})


def write_profiles(database: Database, profiles: dict) -> int:
    """Record each account's platform id, display name and profile URL (account id -> (day,
    parsed account)); returns how many profiles were written."""
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


def _tracked(conn, day, accounts: list[str]) -> dict[str, tuple]:
    rows = conn.execute(_TRACKED_TOTALS, {"day": day, "accounts": accounts}).fetchall()
    return {r[0]: r[1:] for r in rows}


def fill_from_posts(row: dict, platform: str, tracked: tuple | None) -> dict:
    """Complete ``row`` (the platform's own values, None where not reported) from the account's
    tracked posts: totals it does not report, ``tracked_totals`` naming them, engagement_rate."""
    n_posts, likes, comments, views, shares, mean_rate = tracked or (0, None, None, None, None, None)
    sums = dict(zip(TRACKED, (likes, comments, views, shares)))
    summed = []  # the totals filled from our posts: the platform did not report them
    for k in TRACKED:
        if row[k] is None and sums[k] is not None:
            row[k] = int(sums[k])
            summed.append(k)
    if row["posts_count"] is None and n_posts:
        row["posts_count"] = int(n_posts)
        summed.append("posts_count")
    extra = spec(platform).shares_total
    if extra and row[extra] is None and shares is not None:
        row[extra] = int(shares)
        summed.append(extra)
    row["tracked_totals"] = summed
    row["engagement_rate"] = round(float(mean_rate), 2) if mean_rate is not None else None
    return row


def _snapshot_rows(day, records, database: Database) -> list[dict]:
    """One day's snapshots. follower_growth is left to the write (``GROWTH_AFTER_WRITE``)."""
    with database.connect() as conn:
        tracked = _tracked(conn, day, [a.account_id for a in records.accounts])
    rows = []
    for acct in records.accounts:
        reported = acct.parsed.account
        row = {
            "social_account_id": acct.account_id, "snapshot_date": day, "follower_growth": None,
            "observed_at": acct.observed_at, "observation": "reconstructed" if acct.late else "observed",
            "unknown_reason": acct.unknown_reason,
            "daily_insights": reported.get("daily_insights") or None,
            "reconstructed_fields": sorted(rebuilt_counts(reported)) if acct.late else None,
        }
        row.update({k: reported.get(k) for k in ACCOUNT_FIELDS})
        rows.append(fill_from_posts(row, acct.platform, tracked.get(acct.account_id)))
    return rows


def rederive_later(database: Database, accounts: list[str], last_day) -> int:
    """Recompute the post-derived values of the stored snapshots after ``last_day`` (a day loaded
    after the days that follow it changes what their tracked posts sum to); returns how many
    rows changed. Nothing to do, and one query, when the days written are the newest."""
    derived = [*TRACKED, "posts_count", "retweets_count"]
    query = _LATER.format(columns=", ".join(f's."{c}"' for c in derived))
    with database.connect() as conn, conn.transaction():
        later = conn.execute(query, {"accounts": accounts, "day": last_day}).fetchall()
        if not later:
            return 0
        by_day: dict = {}
        for row in later:
            by_day.setdefault(row[1], []).append(row)
        changes = []
        for day, stored in by_day.items():
            tracked = _tracked(conn, day, [r[0] for r in stored])
            for account_id, _, platform, summed, rate, *values in stored:
                current = dict(zip(derived, values))
                # What the platform reported: the stored value unless it was one of ours.
                row = {k: (None if k in (summed or []) else v) for k, v in current.items()}
                fill_from_posts(row, platform, tracked.get(account_id))
                new_rate = row["engagement_rate"]
                if any(row[k] != current[k] for k in derived) or list(row["tracked_totals"]) != list(summed or []) or (
                    (None if rate is None else float(rate)) != new_rate
                ):
                    changes.append((*(row[k] for k in derived), row["tracked_totals"], new_rate, account_id, day))
        if changes:
            sets = ", ".join(f'"{c}" = %s' for c in derived)
            conn.cursor().executemany(
                f"UPDATE social_analytics_snapshots SET {sets}, tracked_totals = %s, engagement_rate = %s "
                "WHERE social_account_id = %s AND snapshot_date = %s",
                changes,
            )
        return len(changes)
