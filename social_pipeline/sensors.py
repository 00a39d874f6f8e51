"""The new-account sensor.

When an account is newly enabled in ``social_analytics_config`` (inserted with monitoring on, or
switched on), it requests one run that backfills the history the platform still serves for that
account alone: the last ``SOCIAL_PIPELINE_NEW_ACCOUNT_BACKFILL_DAYS`` days (default 30), capped by
the platform's own retention, through the platform's raw asset with ``only_accounts`` (other
accounts keep their stored rows) and everything downstream. The cursor is the newest
``enabled_at`` seen (a trigger sets it when monitoring is switched on, and on nothing else); on its first tick the sensor only records where it starts, so the accounts
that existed before are not backfilled again.
"""

import os
from datetime import datetime, timedelta, timezone

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from .assets.common import SCOPE_TAG
from .partitions import daily_partitions
from .platforms import spec
from .schedules import daily_job
from .storage.database import Database

DAYS_ENV = "SOCIAL_PIPELINE_NEW_ACCOUNT_BACKFILL_DAYS"

_ENABLED_SINCE = """
SELECT a.id::text, a.platform, a.handle, c.enabled_at
FROM social_analytics_config c JOIN social_accounts a ON a.id = c.social_account_id
WHERE c.monitoring_enabled AND c.enabled_at > %s
ORDER BY c.enabled_at
LIMIT 100
"""


def backfill_days(platform: str) -> int:
    try:
        wanted = max(int(os.environ.get(DAYS_ENV, "30")), 1)
    except ValueError:
        wanted = 30
    history = spec(platform).history_days  # how far back the API still serves history
    return min(wanted, history) if history else wanted


@sensor(
    job=daily_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Backfills the served history of each newly enabled account, pulling only that account.",
)
def new_account_sensor(context: SensorEvaluationContext, database: Database):
    with database.connect() as conn:
        if context.cursor is None:
            newest = conn.execute("SELECT max(enabled_at) FROM social_analytics_config").fetchone()[0]
            context.update_cursor((newest or datetime.now(timezone.utc)).isoformat())
            return SkipReason("first tick: watching for accounts enabled from now on")
        since = datetime.fromisoformat(context.cursor)
        rows = conn.execute(_ENABLED_SINCE, (since,)).fetchall()
    if not rows:
        return SkipReason("no newly enabled account")
    last = daily_partitions.get_last_partition_key()
    last_day = datetime.fromisoformat(last).date()
    first_allowed = datetime.fromisoformat(daily_partitions.get_first_partition_key()).date()
    requests = []
    for account_id, platform, handle, enabled_at in rows:
        start = max(last_day - timedelta(days=backfill_days(platform) - 1), first_allowed)
        raw = AssetKey(["raw", platform])
        selection = AssetSelection.keys(raw).downstream() - AssetSelection.keys("social_post_metrics_hourly")
        requests.append(
            RunRequest(
                run_key=f"new-account:{account_id}:{enabled_at.isoformat()}",
                asset_selection=list(selection.resolve(context.repository_def.asset_graph)),
                run_config={"ops": {f"raw__{platform}": {"config": {"only_accounts": [account_id]}}}},
                tags={
                    SCOPE_TAG: account_id,  # the per-account tables replace only this account's rows
                    "dagster/asset_partition_range_start": start.isoformat(),
                    "dagster/asset_partition_range_end": last_day.isoformat(),
                    "social_pipeline/new_account": f"{platform}/{handle}",
                },
            )
        )
    context.update_cursor(rows[-1][3].isoformat())
    return requests
