"""Jobs and schedules."""

from __future__ import annotations

from dagster import AssetSelection, DefaultScheduleStatus, build_schedule_from_partitioned_job, define_asset_job

from .partitions import daily_partitions

daily_job = define_asset_job(
    "daily_pipeline",
    selection=AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Every asset for one UTC day: pull all platforms, normalize, aggregate, record operations.",
)

# Runs shortly after midnight UTC and materializes the day that has just closed.
daily_schedule = build_schedule_from_partitioned_job(
    daily_job,
    name="daily_pipeline_schedule",
    hour_of_day=0,
    minute_of_hour=30,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Materializes yesterday's partition (UTC) at 00:30 UTC.",
)
