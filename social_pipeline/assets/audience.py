"""Audience demographics, where the platform reports them."""


import math
from datetime import timedelta

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from ..lineage import lineage_of
from ..partitions import daily_partitions
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import BACKFILL_POLICY, DAILY_FRESHNESS, LEDGER_INS, OWNERS, parsed_days

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
_BY_HOUR = """
SELECT social_account_id::text, extract(hour FROM posted_at)::int, avg(engagement_rate), count(*)
FROM social_post_performance
WHERE social_account_id = ANY(%(accounts)s::uuid[]) AND posted_at >= %(start)s AND posted_at < %(end)s
  AND engagement_rate IS NOT NULL
GROUP BY 1, 2 HAVING count(*) >= %(min)s
"""
_BY_DAY = """
SELECT social_account_id::text, trim(to_char(posted_at, 'day')), avg(engagement_rate), count(*)
FROM social_post_performance
WHERE social_account_id = ANY(%(accounts)s::uuid[]) AND posted_at >= %(start)s AND posted_at < %(end)s
  AND engagement_rate IS NOT NULL
GROUP BY 1, 2 HAVING count(*) >= %(min)s
"""


def _top(rows, k):
    best: dict[str, list] = {}
    for account, slot, rate, _n in rows:
        best.setdefault(account, []).append((float(rate), slot))
    return {a: [slot for _, slot in sorted(v, key=lambda x: (-x[0], str(x[1])))[:k]] for a, v in best.items()}


def derived_peaks(conn, accounts: list[str], day) -> dict[str, tuple[list | None, list | None]]:
    """Per account: the 3 best UTC hours and 2 best weekdays of its own posts of the last WINDOW_DAYS."""
    params = {"accounts": accounts, "start": day - timedelta(days=WINDOW_DAYS - 1), "end": day + timedelta(days=1), "min": MIN_POSTS}
    hours = _top(conn.execute(_BY_HOUR, params).fetchall(), 3)
    days = _top(conn.execute(_BY_DAY, params).fetchall(), 2)
    return {a: (sorted(hours[a]) if a in hours else None, days.get(a)) for a in set(hours) | set(days)}


@asset(
    key=AssetKey("social_audience_demographics"),
    ins=LEDGER_INS,
    group_name="normalized",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata("social_audience_demographics", lineage=lineage_of("social_audience_demographics"), partition_column="snapshot_date"),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    deps=[AssetKey("social_post_metrics")],
    description="Age, gender, countries, cities, languages (percent shares) where the platform reports "
    "them; peak hours/days from the platform, else derived from our own posts' engagement by UTC "
    "hour and weekday (peak_source says which).",
)
def social_audience_demographics(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    rows = []
    for day, records in parsed_days(context, raw, database):
        rows.extend(_demographic_rows(day, records, database))
    df = pd.DataFrame(rows, columns=["social_account_id", "snapshot_date", *SHARES, *JSON_FIELDS, "peak_source"])
    for col in SHARES:
        df[col] = df[col].astype("float64")
    return Output(df, metadata={"rows": len(df)})


def _demographic_rows(day, records, database: Database) -> list[dict]:
    with database.connect() as conn:
        derived = derived_peaks(conn, [a.account_id for a in records.accounts], day)
    rows = []
    for acct in records.accounts:
        demo = acct.parsed.demographics or {}
        row = {"social_account_id": acct.account_id, "snapshot_date": day}
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
