"""Jobs and schedules."""

from __future__ import annotations

from dagster import AssetKey, AssetSelection, multiprocess_executor, DefaultScheduleStatus, build_schedule_from_partitioned_job, define_asset_job

from .assets.hourly import hourly_partitions
from .partitions import daily_partitions

HOURLY = AssetKey("social_post_metrics_hourly")
# Steps run in processes forked from a server that has already imported the project: a step then
# starts in well under a second instead of re-importing Dagster, pandas and our code (a demo day
# took 60 s instead of 167 s through `dagster job execute` on 2 cores).
FAST_STEPS = multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": ["social_pipeline.definitions"]}}}, name="forkserver_multiprocess"
)

daily_job = define_asset_job(
    "daily_pipeline",
    selection=AssetSelection.all() - AssetSelection.keys(HOURLY),
    partitions_def=daily_partitions,
    executor_def=FAST_STEPS,
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

hourly_job = define_asset_job(
    "hourly_young_posts",
    selection=AssetSelection.keys(HOURLY),
    partitions_def=hourly_partitions,
    executor_def=FAST_STEPS,
    description="Metrics of posts younger than 48 hours, and full pulls of sub-daily accounts, for one hour.",
)

# Ten minutes past each hour, for the hour that has just closed.
hourly_schedule = build_schedule_from_partitioned_job(
    hourly_job,
    name="hourly_young_posts_schedule",
    minute_of_hour=10,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Materializes the hour that has just closed (UTC), ten minutes past each hour.",
)
