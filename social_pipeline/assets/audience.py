"""Audience demographics, where the platform reports them."""


import math
from datetime import timedelta

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset
from psycopg.types.json import Jsonb

from ..lineage import lineage_of
from ..partitions import daily_partitions
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import BACKFILL_POLICY, BY_ACCOUNT, DAILY_FRESHNESS, LEDGER_INS, OWNERS, parsed_days, scope_metadata, dashboard_link

SHARES = ("age_13_17", "age_18_24", "age_25_34", "age_35_44", "age_45_plus", "gender_male", "gender_female")
JSON_FIELDS = ("top_countries", "top_cities", "top_languages", "peak_hours", "peak_days")


def _share(value) -> float | None:
    """A percent share, or None when absent or impossible (never a clipped number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, 2) if math.isfinite(number) and 0 <= number <= 100 else None


# Our own posts' engagement by UTC hour and weekday of publication, over the WINDOW_DAYS up to the
# day: the hours and days whose posts engage best (at least MIN_POSTS posts behind each) stand in
# for the audience's active times where the platform does not report them. A window, not all
# history: today's audience is told by recent posts, and a day's cost stays the same in year two.
MIN_POSTS = 3
WINDOW_DAYS = 90
# Each post's engagement rate as known on the day (its newest daily metrics up to the day), so a
# day's peaks do not change when later days are loaded.
_RATED_POSTS = """
SELECT p.social_account_id, p.posted_at, m.engagement_rate
FROM social_posts_analytics p
JOIN LATERAL (
    SELECT engagement_rate FROM social_post_metrics m
    WHERE m.post_id = p.id AND m.snapshot_date <= %(day)s AND m.snapshot_hour IS NULL
    ORDER BY m.snapshot_date DESC LIMIT 1
) m ON TRUE
WHERE p.social_account_id = ANY(%(accounts)s::uuid[]) AND p.posted_at >= %(start)s AND p.posted_at < %(end)s
  AND m.engagement_rate IS NOT NULL
"""
_BY_HOUR = f"""
SELECT social_account_id::text, extract(hour FROM posted_at)::int, avg(engagement_rate), count(*)
FROM ({_RATED_POSTS}) rated
GROUP BY 1, 2 HAVING count(*) >= %(min)s
"""
_BY_DAY = f"""
SELECT social_account_id::text, trim(to_char(posted_at, 'day')), avg(engagement_rate), count(*)
FROM ({_RATED_POSTS}) rated
GROUP BY 1, 2 HAVING count(*) >= %(min)s
"""


def _top(rows, k):
    best: dict[str, list] = {}
    for account, slot, rate, _n in rows:
        best.setdefault(account, []).append((float(rate), slot))
    return {a: [slot for _, slot in sorted(v, key=lambda x: (-x[0], str(x[1])))[:k]] for a, v in best.items()}


def derived_peaks(conn, accounts: list[str], day) -> dict[str, tuple[list | None, list | None]]:
    """Per account: the 3 best UTC hours and 2 best weekdays of its own posts of the last WINDOW_DAYS."""
    params = {
        "accounts": accounts, "day": day, "start": day - timedelta(days=WINDOW_DAYS - 1),
        "end": day + timedelta(days=1), "min": MIN_POSTS,
    }
    hours = _top(conn.execute(_BY_HOUR, params).fetchall(), 3)
    days = _top(conn.execute(_BY_DAY, params).fetchall(), 2)
    return {a: (sorted(hours[a]) if a in hours else None, days.get(a)) for a in set(hours) | set(days)}


@asset(
    key=AssetKey("social_audience_demographics"),
    ins=LEDGER_INS,
    group_name="normalized",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata(
        "social_audience_demographics", lineage=lineage_of("social_audience_demographics"), partition_column="snapshot_date",
        account_scope=BY_ACCOUNT,
    ),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    deps=[AssetKey("social_post_metrics")],
    description="Age, gender, countries, cities, languages (percent shares) where the platform reports "
    "them; peak hours/days from the platform, else derived from our own posts' engagement by UTC "
    "hour and weekday (peak_source says which)." + dashboard_link("audience"),
)
def social_audience_demographics(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    rows, days = [], []
    for day, records in parsed_days(context, raw, database):
        rows.extend(_demographic_rows(day, records, database))
        days.append(day)
    df = pd.DataFrame(rows, columns=["social_account_id", "snapshot_date", *SHARES, *JSON_FIELDS, "peak_source", "observed_at"])
    for col in SHARES:
        df[col] = df[col].astype("float64")
    later = rederive_later_peaks(database, sorted({r["social_account_id"] for r in rows}), max(days)) if rows else 0
    return Output(df, metadata={"rows": len(df), "later_days_rederived": later, **scope_metadata(context)})


def _json(value):
    return Jsonb(value) if value is not None else None


def rederive_later_peaks(database: Database, accounts: list[str], last_day) -> int:
    """Recompute the derived peaks of the stored rows after ``last_day``: they read posts'
    engagement up to their own day, which an earlier day loaded later can change. Rows whose
    peaks the platform reports are left alone. Returns how many rows changed."""
    with database.connect() as conn, conn.transaction():
        later = conn.execute(
            "SELECT social_account_id::text, snapshot_date, peak_hours, peak_days, peak_source "
            "FROM social_audience_demographics WHERE social_account_id = ANY(%s::uuid[]) AND snapshot_date > %s "
            "AND peak_source IS DISTINCT FROM 'platform' ORDER BY snapshot_date",
            (accounts, last_day),
        ).fetchall()
        by_day: dict = {}
        for row in later:
            by_day.setdefault(row[1], []).append(row)
        changes = []
        for day, stored in by_day.items():
            derived = derived_peaks(conn, [r[0] for r in stored], day)
            for account_id, _, hours, weekdays, source in stored:
                new_hours, new_days = derived.get(account_id, (None, None))
                new_source = "derived" if (new_hours or new_days) else None
                if (new_hours, new_days, new_source) != (hours, weekdays, source):
                    changes.append((_json(new_hours), _json(new_days), new_source, account_id, day))
        if changes:
            conn.cursor().executemany(
                "UPDATE social_audience_demographics SET peak_hours = %s, peak_days = %s, peak_source = %s "
                "WHERE social_account_id = %s AND snapshot_date = %s",
                changes,
            )
        return len(changes)


def _demographic_rows(day, records, database: Database) -> list[dict]:
    with database.connect() as conn:
        derived = derived_peaks(conn, [a.account_id for a in records.accounts], day)
    rows = []
    for acct in records.accounts:
        demo = acct.parsed.demographics or {}
        row = {"social_account_id": acct.account_id, "snapshot_date": day, "observed_at": acct.observed_at}
        row.update({k: _share(demo.get(k)) for k in SHARES})
        row.update({k: demo.get(k) for k in JSON_FIELDS})
        row["peak_source"] = "platform" if demo.get("peak_hours") or demo.get("peak_days") else None
        hours, days = derived.get(acct.account_id, (None, None))
        if not row["peak_hours"] and not row["peak_days"] and (hours or days):
            row.update(peak_hours=hours, peak_days=days, peak_source="derived")
        if not demo and row["peak_source"] is None:
            continue  # nothing reported and too little history to derive from
        rows.append(row)
    return rows
