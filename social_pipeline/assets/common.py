"""Shared pieces of the asset graph: the raw inputs, partition days, post id lookups."""


import os
import re
from datetime import date, timedelta
from typing import Iterable, Iterator

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, AssetKey, BackfillPolicy, DagsterError, FreshnessPolicy, MetadataValue

from ..platforms import PLATFORMS, spec
from ..ingest.normalize import DayRecords, parse_day
from ..ingest.pulling import RAW_COLUMNS
from ..storage.io_manager import INPUT_COLUMNS_KEY, SCOPE_KEY

RAW_INS = {f"raw_{p}": AssetIn(key=AssetKey(["raw", p])) for p in PLATFORMS}
# What parse_day reads of the raw ledger: which pulls there are, and which is each account's
# newest good one. Assets that only parse load these columns (the records come from the parse
# cache), not the ledger's every column.
LEDGER_COLUMNS = ("social_account_id", "pull_id", "pull_status", "platform", "provider_name", "partition_date", "fetched_at")
LEDGER_INS = {
    f"raw_{p}": AssetIn(key=AssetKey(["raw", p]), metadata={INPUT_COLUMNS_KEY: list(LEDGER_COLUMNS)}) for p in PLATFORMS
}


# The dashboard's pages (social_pipeline/dashboard), linked from the descriptions of the assets
# whose tables they draw. The port is the one `social-pipeline dev` and `social-pipeline dashboard`
# serve it on (SOCIAL_PIPELINE_DASHBOARD_PORT, default 8501), on loopback.
DASHBOARD_PORT_ENV = "SOCIAL_PIPELINE_DASHBOARD_PORT"
DASHBOARD_PAGES = {
    "overview": "Overview",
    "posts": "Posts",
    "hashtags": "Hashtags and content",
    "audience": "Audience and comments",
    "health": "Pipeline health",
}


def dashboard_url(page: str) -> str:
    if page not in DASHBOARD_PAGES:
        raise KeyError(f"no dashboard page {page!r}; pages: {', '.join(DASHBOARD_PAGES)}")
    return f"http://127.0.0.1:{os.environ.get(DASHBOARD_PORT_ENV, '8501')}/{page}"


def dashboard_link(*pages: str) -> str:
    """A paragraph for an asset's description linking the dashboard pages that draw its table."""
    links = ", ".join(f"[{DASHBOARD_PAGES[p]}]({dashboard_url(p)})" for p in pages)
    return f"\n\nDrawn on the dashboard: {links} (started by `make dev` or `social-pipeline dashboard`)."


# Who answers for the assets, shown in the UI and used by alerts: SOCIAL_PIPELINE_OWNER, an email
# address or a "team:<name>" (the two forms Dagster accepts), several separated by commas.
# Default: the team named after this project.
OWNER_ENV = "SOCIAL_PIPELINE_OWNER"
DEFAULT_OWNER = "team:social-pipeline"
_OWNER_FORM = re.compile(r"^(team:[A-Za-z0-9_.-]+|[^@\s,]+@[^@\s,]+\.[^@\s,]+)$")


def asset_owners() -> list[str]:
    owners = [o.strip() for o in os.environ.get(OWNER_ENV, DEFAULT_OWNER).split(",") if o.strip()]
    bad = [o for o in owners if not _OWNER_FORM.match(o)]
    if bad or not owners:
        raise ValueError(f"{OWNER_ENV}={os.environ.get(OWNER_ENV)!r}: give an email or team:<name> (comma-separated)")
    return owners


OWNERS = asset_owners()

# Freshness, read by the UI's asset health. The daily schedule runs at 00:30 UTC for the day that
# has just closed: a day is late when its assets have not been materialized since midnight by 06:00
# UTC. The hourly schedule runs ten past each hour: late when not materialized by :40.
DAILY_FRESHNESS = FreshnessPolicy.cron(deadline_cron="0 6 * * *", lower_bound_delta=timedelta(hours=6), timezone="UTC")
HOURLY_FRESHNESS = FreshnessPolicy.cron(deadline_cron="40 * * * *", lower_bound_delta=timedelta(minutes=40), timezone="UTC")

# Backfills run up to a week of days per run: API-bound assets then make few, moderate runs (a
# year is 53 runs, not 365) and a failure re-does at most a week of calls; each day inside a run is
# computed exactly as when materialized alone.
BACKFILL_POLICY = BackfillPolicy.multi_run(max_partitions_per_run=7)

# Step order when a run has more ready steps than processes (`dagster/priority`, higher first):
# the longest first, so two processes finish the raw pulls together instead of one waiting on a
# late long step (at 1,000 accounts the raw phase took 187 s for 319 s of steps on two). The raw
# steps are ranked by requests per account (each spec's pull_priority) (comment threads paged per post cost the most); the
# posts and comments chain, which everything after the pulls waits on, goes before the rest.
CRITICAL_PATH_PRIORITY = 10


def raw_priority(platform: str) -> int:
    return spec(platform).pull_priority


def priority(value: int) -> dict[str, str]:
    return {"dagster/priority": str(value)}


def partition_days(context: AssetExecutionContext) -> list[date]:
    """The UTC days of the partition range being materialized, in order."""
    window = context.partition_time_window
    first, end = window.start.date(), window.end.date()
    return [first + timedelta(days=i) for i in range((end - first).days)]


def split_days(raw: pd.DataFrame, days: list[date]) -> dict[date, pd.DataFrame]:
    """The raw rows of each day (every day present, possibly empty)."""
    if raw.empty:
        return {d: raw for d in days}
    dates = pd.to_datetime(raw["partition_date"]).dt.date
    return {d: raw[dates == d] for d in days}


def concat_raw(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    parts = [f for f in frames.values() if f is not None and not f.empty]
    if not parts:
        return pd.DataFrame(columns=list(RAW_COLUMNS))
    for i, part in enumerate(parts):
        # Loaded back in full these are UUID objects; as ledger columns or fresh from a pull, text.
        uuids = [c for c in ("social_account_id", "pull_id") if not isinstance(part[c].iloc[0], str)]
        if uuids:
            parts[i] = part.assign(**{c: part[c].astype(str) for c in uuids})
    return pd.concat(parts, ignore_index=True)


# A run for some accounts only (the new-account sensor, `social-pipeline fetch`) carries their ids
# in this tag, comma-separated: the raw assets pull only them, and the per-account tables replace
# only their rows. Day-level aggregates (hashtags, API usage) are recomputed whole.
SCOPE_TAG = "social_pipeline/accounts"
BY_ACCOUNT = "social_account_id = ANY(%(accounts)s::uuid[])"
BY_POST_ACCOUNT = "post_id IN (SELECT id FROM social_posts_analytics WHERE social_account_id = ANY(%(accounts)s::uuid[]))"


def run_scope(context) -> list[str] | None:
    """The account ids the run is scoped to, or None for every account."""
    try:
        tags = context.run.tags or {}
    except DagsterError:  # an asset called directly (tests) has no run: no scope
        return None
    value = tags.get(SCOPE_TAG)
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def scope_metadata(context) -> dict:
    """Output metadata telling the IO manager to replace only the scoped accounts' rows."""
    scope = run_scope(context)
    return {} if scope is None else {SCOPE_KEY: MetadataValue.json(scope)}


def parsed_days(context: AssetExecutionContext, raw: dict[str, pd.DataFrame], database) -> Iterator[tuple[date, DayRecords]]:
    """The one way a normalized asset reads its days: each UTC day of the partition range with the
    records of every account's newest good pull of that day (from the parse cache, or parsed from
    the stored ledger rows; a pull that does not parse is quarantined, see ``ingest.normalize``).
    ``raw`` is the asset's raw inputs, one ledger frame per platform. Comments are not loaded here
    (their asset streams them); their counts are."""
    scope = run_scope(context)
    frame = concat_raw(raw)
    if scope is not None and not frame.empty:
        frame = frame[frame["social_account_id"].astype(str).isin(set(scope))]
    for day, day_raw in split_days(frame, partition_days(context)).items():
        yield day, parse_day(day_raw, database, with_comments=False)


def post_ids(conn, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], int]:
    """(social_account_id, platform, external_post_id) -> social_posts_analytics.id for the given
    keys. A post is the account's: two accounts of one handle keep a row each."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    rows = conn.execute(
        "SELECT p.social_account_id::text, p.platform, p.external_post_id, p.id FROM social_posts_analytics p "
        "JOIN unnest(%s::uuid[], %s::text[], %s::text[]) AS k(social_account_id, platform, external_post_id) "
        "ON p.social_account_id = k.social_account_id AND p.platform = k.platform "
        "AND p.external_post_id = k.external_post_id",
        ([k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]),
    ).fetchall()
    return {(r[0], r[1], r[2]): r[3] for r in rows}
