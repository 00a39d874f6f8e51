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


def test_asset_descriptions_link_the_dashboard_pages_that_draw_them(monkeypatch):
    """Issue 16: the UI leads to the pictures. Every dashboard page is linked from the assets whose
    tables it draws, on the port the dashboard is served on."""
    import re

    from social_pipeline.assets.common import DASHBOARD_PAGES, dashboard_link

    graph = defs.resolve_asset_graph()
    linked: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        for page in re.findall(r"\(http://127\.0\.0\.1:\d+/(\w+)\)", graph.get(key).description or ""):
            linked.setdefault(page, set()).add(key.to_user_string())
    assert set(linked) == set(DASHBOARD_PAGES)
    assert {"social_analytics_snapshots", "social_posts_analytics"} <= linked["overview"]
    assert {"social_post_metrics", "social_post_metrics_hourly"} <= linked["posts"]
    assert {"social_hashtags", "social_content_mappings"} <= linked["hashtags"]
    assert {"social_audience_demographics", "social_comments"} <= linked["audience"]
    assert {"social_fetch_jobs", "social_api_usage", *(f"raw/{p}" for p in PLATFORMS)} <= linked["health"]
    monkeypatch.setenv("SOCIAL_PIPELINE_DASHBOARD_PORT", "8642")
    assert "(http://127.0.0.1:8642/posts)" in dashboard_link("posts")


def test_the_linked_pages_are_the_dashboards_pages():
    """The links point at pages the dashboard serves: the url_paths of dashboard/app.py."""
    import ast
    from pathlib import Path

    from social_pipeline.assets.common import DASHBOARD_PAGES

    app = Path(__file__).resolve().parents[1] / "social_pipeline" / "dashboard" / "app.py"
    tree = ast.parse(app.read_text(encoding="utf-8"))
    pages = next(ast.literal_eval(n.value) for n in tree.body
                 if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    assert {path: title for path, title, _icon in pages} == DASHBOARD_PAGES
