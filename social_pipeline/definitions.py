"""The one Definitions object: assets, jobs, schedules, resources."""

from __future__ import annotations

from dagster import Definitions

from .assets import all_assets
from .checks import asset_checks
from .platforms import PLATFORMS
from .resources import platform_resource, resource_key
from .sensors import new_account_sensor
from .schedules import daily_job, daily_schedule, hourly_job, hourly_schedule
from .slots import install as install_slot_corrections
from .storage.database import Database
from .storage.io_manager import PostgresIOManager

# Dagster 1.13.27 spins at 100 % CPU, silently and deaf to Ctrl-C, while a step waits for a pool
# slot (interval_to_next_pending_claim_check is never positive): see social_pipeline.slots.
install_slot_corrections()

database = Database()

defs = Definitions(
    assets=all_assets,
    asset_checks=asset_checks,
    jobs=[daily_job, hourly_job],
    schedules=[daily_schedule, hourly_schedule],
    sensors=[new_account_sensor],
    resources={
        "database": database,
        "io_manager": PostgresIOManager(database=database),
        # One resource per platform: base URL, credentials and limits as EnvVar references.
        **{resource_key(p): platform_resource(p) for p in PLATFORMS},
    },
)
