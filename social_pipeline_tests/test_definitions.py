"""The Definitions: the asset graph's shape and lineage, the daily job and its schedule."""

from datetime import datetime, timezone

from dagster import AssetKey, build_schedule_context

from social_pipeline.definitions import defs
from social_pipeline.platforms import PLATFORMS


def test_graph_has_nine_raw_sources_and_the_layers_in_order():
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    raw = {AssetKey(["raw", p]) for p in PLATFORMS}
    assert raw <= keys
    groups = {k.to_user_string(): graph.get(k).group_name for k in keys}
    assert {groups[k.to_user_string()] for k in raw} == {"raw"}
    assert groups["social_posts_analytics"] == "normalized"
    assert groups["social_hashtags"] == "analytics"
    assert groups["social_fetch_jobs"] == "operations"

    def parents(name):
        return {k.to_user_string() for k in graph.get(AssetKey(name)).parent_keys}

    assert {f"raw/{p}" for p in PLATFORMS} <= parents("social_posts_analytics")
    assert "social_posts_analytics" in parents("social_post_metrics")
    assert "social_post_metrics" in parents("social_hashtags")
    assert "social_hashtags" in parents("social_post_hashtags")
    assert "social_hashtags" in parents("social_analytics_snapshots")
    assert "social_posts_analytics" in parents("social_comments")
    for k in keys:
        assert graph.get(k).partitions_def is not None, k


def test_daily_schedule_requests_the_day_that_just_closed():
    schedule = defs.resolve_schedule_def("daily_pipeline_schedule")
    assert schedule.cron_schedule == "30 0 * * *"
    when = datetime(2026, 11, 26, 0, 30, tzinfo=timezone.utc)
    with build_schedule_context(scheduled_execution_time=when) as context:
        requests = list(schedule.evaluate_tick(context).run_requests)
    assert [r.partition_key for r in requests] == ["2026-11-25"]
    assert schedule.job_name == "daily_pipeline"
