"""Jobs and schedules."""

from __future__ import annotations

import os

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    Field,
    build_schedule_from_partitioned_job,
    define_asset_job,
    multi_or_in_process_executor,
    multiprocess_executor,
)

from .assets.hourly import hourly_partitions
from .partitions import daily_partitions

HOURLY = AssetKey("social_post_metrics_hourly")
# Steps run in processes forked from a server that has already imported the project: a step then
# starts in well under a second instead of re-importing Dagster, pandas and our code (a demo day
# took 60 s instead of 167 s through `dagster job execute` on 2 cores).
FAST_STEPS = multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": ["social_pipeline.definitions"]}}}, name="forkserver_multiprocess"
)

# The daily job runs every step in the run's own process by default, as `social-pipeline
# materialize` does: a forked step still cost 1.3 s to start (3.5 s with two runs on 2 cores), so a
# UI launch of a demo day took 26.7 s against 7.6 s on the command line; in process 8.0 s
# (`make bench --only launch`). Pools and the RetryPolicy hold in process too. With many accounts
# the raw pulls are long and two processes win: the day at 1,000 accounts took 231 s with steps
# forked two at a time against 345 s in process. `parallel_steps` (default from
# SOCIAL_PIPELINE_PARALLEL_STEPS=1, or per run in the launchpad) picks the forked steps.
PARALLEL_ENV = "SOCIAL_PIPELINE_PARALLEL_STEPS"


def _daily_executor_config(config: dict) -> dict:
    if config.get("parallel_steps", os.environ.get(PARALLEL_ENV, "") == "1"):
        return {"multiprocess": {"start_method": {"forkserver": {"preload_modules": ["social_pipeline.definitions"]}}}}
    return {"in_process": {}}


DAILY_STEPS = multi_or_in_process_executor.configured(
    _daily_executor_config,
    name="daily_steps",
    config_schema={
        "parallel_steps": Field(
            bool, default_value=os.environ.get(PARALLEL_ENV, "") == "1",
            description="Run steps in processes forked two at a time (faster with many accounts); "
            "otherwise every step in the run's process (faster to start).",
        )
    },
)

daily_job = define_asset_job(
    "daily_pipeline",
    selection=AssetSelection.all() - AssetSelection.keys(HOURLY),
    partitions_def=daily_partitions,
    executor_def=DAILY_STEPS,
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
