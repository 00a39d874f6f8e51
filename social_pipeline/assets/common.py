"""Shared pieces of the asset graph: the raw inputs, the partition day, post id lookups."""


from datetime import date
from typing import Iterable

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, AssetKey

from ..platforms import PLATFORMS
from ..pulling import RAW_COLUMNS

RAW_INS = {f"raw_{p}": AssetIn(key=AssetKey(["raw", p])) for p in PLATFORMS}


def partition_day(context: AssetExecutionContext) -> date:
    """The UTC day of the partition being materialized (one day per run of these assets)."""
    window = context.partition_time_window
    days = (window.end - window.start).days
    if days != 1:
        raise ValueError(f"these assets materialize one day per run; got a {days}-day range")
    return window.start.date()


def concat_raw(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    parts = [f for f in frames.values() if f is not None and not f.empty]
    if not parts:
        return pd.DataFrame(columns=list(RAW_COLUMNS))
    df = pd.concat(parts, ignore_index=True)
    # Loaded back from Postgres these are UUID objects; fresh from a pull, strings.
    df["social_account_id"] = df["social_account_id"].astype(str)
    df["pull_id"] = df["pull_id"].astype(str)
    return df


def post_ids(conn, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(platform, external_post_id) -> social_posts_analytics.id for the given keys."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    rows = conn.execute(
        "SELECT p.platform, p.external_post_id, p.id FROM social_posts_analytics p "
        "JOIN unnest(%s::text[], %s::text[]) AS k(platform, external_post_id) "
        "ON p.platform = k.platform AND p.external_post_id = k.external_post_id",
        ([k[0] for k in keys], [k[1] for k in keys]),
    ).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}
