"""Partitions: one per UTC day. Platform is a column downstream, not a partition dimension: one
raw asset per platform keeps lineage readable and a single-dimension backfill reliable."""

from __future__ import annotations

import os

from dagster import DailyPartitionsDefinition

START_ENV = "SOCIAL_PIPELINE_START_DATE"
DEFAULT_START = "2025-01-01"

daily_partitions = DailyPartitionsDefinition(
    start_date=os.environ.get(START_ENV, DEFAULT_START),
    timezone="UTC",
    end_offset=0,  # the newest partition is the day that has just closed
)
