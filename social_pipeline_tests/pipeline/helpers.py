"""Running the real asset graph for a day in tests."""

from datetime import datetime, timedelta, timezone

from dagster import materialize

from social_pipeline.ingest.accounts import seed_demo_accounts
from social_pipeline.assets import all_assets, social_post_metrics_hourly
from social_pipeline.checks import asset_checks
from social_pipeline.platforms import PLATFORMS
from social_pipeline.resources import platform_resource, resource_key
from social_pipeline.storage.database import Database
from social_pipeline.storage.io_manager import PostgresIOManager

TABLES = (
    "social_raw_pulls", "social_posts_analytics", "social_post_metrics", "social_comments",
    "social_hashtags", "social_post_hashtags", "social_analytics_snapshots",
    "social_audience_demographics", "social_api_usage", "social_fetch_jobs",
)


def seed(conn, posts_per_fetch: int = 12) -> None:
    seed_demo_accounts(conn, posts_per_fetch=posts_per_fetch)


def fresh_pull_config() -> dict:
    """Run configuration asking every raw asset to call the API again for days already stored."""
    return {"ops": {f"raw__{p}": {"config": {"fresh_pull": True}} for p in PLATFORMS}}


def yesterday():
    """The day a pull made now observes (a live-like source answers as of now)."""
    return (datetime.now(timezone.utc) - timedelta(days=1)).date()


def run_day(day, fresh: bool = False, **kwargs):
    """Materialize every asset for ``day`` against the database of ``$SOCIAL_PIPELINE_DATABASE_URL``.
    ``fresh``: pull again even where the day's pull is stored (by default it is rebuilt from it)."""
    if fresh:
        kwargs["run_config"] = fresh_pull_config()
    database = Database()
    result = materialize(
        [*(a for a in all_assets if a is not social_post_metrics_hourly), *asset_checks],
        partition_key=None if "dagster/asset_partition_range_start" in kwargs.get("tags", {}) else day.isoformat(),
        resources={
            "database": database,
            "io_manager": PostgresIOManager(database=database),
            **{resource_key(p): platform_resource(p) for p in PLATFORMS},
        },
        **kwargs,
    )
    return result


def counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
