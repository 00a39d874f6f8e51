"""Audience demographics, where the platform reports them."""


import math

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from ..normalize import parse_day
from ..partitions import daily_partitions
from ..storage.io_manager import table_metadata
from .common import RAW_INS, concat_raw, partition_day

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


@asset(
    key=AssetKey("social_audience_demographics"),
    ins=RAW_INS,
    group_name="normalized",
    partitions_def=daily_partitions,
    metadata=table_metadata("social_audience_demographics", partition_column="snapshot_date"),
    kinds={"python", "postgres"},
    description="Age, gender, countries, cities, languages and active hours/days of each account's "
    "audience, as percent shares, for platforms that report them.",
)
def social_audience_demographics(context: AssetExecutionContext, **raw: pd.DataFrame):
    day = partition_day(context)
    records = parse_day(concat_raw(raw))
    rows = []
    for acct in records.accounts:
        demo = acct.parsed.demographics
        if not demo:
            continue
        row = {"social_account_id": acct.account_id, "snapshot_date": day}
        row.update({k: _share(demo.get(k)) for k in SHARES})
        row.update({k: demo.get(k) for k in JSON_FIELDS})
        rows.append(row)
    df = pd.DataFrame(rows, columns=["social_account_id", "snapshot_date", *SHARES, *JSON_FIELDS])
    for col in SHARES:
        df[col] = df[col].astype("float64")
    return Output(df, metadata={"accounts": len(df)})
