"""The real thing, end to end: `social-pipeline dev` serves the Dagster UI; a run and a backfill
launched through its GraphQL API land their rows in PostgreSQL; the asset graph renders in a
headless Chromium.

Fixture `dagster_dev` (conftest.py) starts one server for the whole module on a fresh database.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
from dagster import DagsterRunStatus
from dagster_graphql import DagsterGraphQLClient

from social_pipeline.platforms import PLATFORMS
from social_pipeline_tests.e2e.conftest import LOCATION, REPOSITORY, REPO

pytestmark = pytest.mark.e2e

JOB = "daily_pipeline"
PARTITION_SET = f"{JOB}_partition_set"
RUN_TIMEOUT = 180.0
BACKFILL_TIMEOUT = 360.0
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"
UI_TIMEOUT_MS = 60_000

# Days relative to today (UTC) so they are always valid partitions; never yesterday, the day the
# schedule `daily_pipeline_schedule` (on by default) may launch at 00:30 UTC.
TODAY = datetime.now(timezone.utc).date()
RUN_DAY = TODAY - timedelta(days=3)
BACKFILL_DAYS = [TODAY - timedelta(days=6), TODAY - timedelta(days=5)]

LAUNCH_BACKFILL = """
mutation LaunchBackfill($backfillParams: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $backfillParams) {
    __typename
    ... on LaunchBackfillSuccess { backfillId launchedRunIds }
    ... on Error { message }
  }
}
"""

BACKFILL_STATUS = """
query BackfillStatus($backfillId: String!) {
  partitionBackfillOrError(backfillId: $backfillId) {
    __typename
    ... on PartitionBackfill {
      id
      status
      numPartitions
      partitionNames
      error { message }
      runs { id status tags { key value } }
    }
    ... on Error { message }
  }
}
"""

# The jobs' own executor (multiprocess, steps forked from a preloaded server) runs as a user's would.
JOB_DEFAULT_CONFIG: dict = {}

FAILED_RUN = {DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED, DagsterRunStatus.CANCELING}


def _run_days(run: dict) -> list[date]:
    """The days a run materialized: its partition, or its partition range (backfill policy)."""
    tags = {t["key"]: t["value"] for t in run["tags"]}
    if "dagster/partition" in tags:
        return [date.fromisoformat(tags["dagster/partition"])]
    first = date.fromisoformat(tags["dagster/asset_partition_range_start"])
    last = date.fromisoformat(tags["dagster/asset_partition_range_end"])
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _assert_day_landed(conn, day: date) -> None:
    """Every platform's posts, 9 snapshots and 9 completed fetch jobs for ``day``."""
    platforms = {
        r[0] for r in conn.execute(
            "SELECT DISTINCT p.platform FROM social_post_metrics m "
            "JOIN social_posts_analytics p ON p.id = m.post_id WHERE m.snapshot_date = %s", (day,)
        )
    }
    assert platforms == set(PLATFORMS), (day, platforms)
    snapshots = conn.execute(
        "SELECT count(*), count(DISTINCT social_account_id) FROM social_analytics_snapshots WHERE snapshot_date = %s",
        (day,),
    ).fetchone()
    assert snapshots == (9, 9), (day, snapshots)
    jobs = conn.execute(
        "SELECT platform, status FROM social_fetch_jobs WHERE partition_date = %s ORDER BY platform", (day,)
    ).fetchall()
    assert jobs == [(p, "completed") for p in sorted(PLATFORMS)], (day, jobs)


def test_job_run_through_graphql_lands_the_day(dagster_dev):
    client = DagsterGraphQLClient("127.0.0.1", port_number=dagster_dev.port)
    started = time.monotonic()
    run_id = client.submit_job_execution(
        JOB, repository_location_name=LOCATION, repository_name=REPOSITORY,
        run_config=JOB_DEFAULT_CONFIG, tags={"dagster/partition": RUN_DAY.isoformat()},
    )
    dagster_dev.launched_days.add(RUN_DAY)
    status = None
    while time.monotonic() - started < RUN_TIMEOUT:
        status = client.get_run_status(run_id)
        if status == DagsterRunStatus.SUCCESS or status in FAILED_RUN:
            break
        time.sleep(2)
    assert status == DagsterRunStatus.SUCCESS, (
        f"run {run_id} for {RUN_DAY}: {status} after {time.monotonic() - started:.0f} s\n"
        f"{dagster_dev.run_errors(run_id)}\n--- server output ---\n{dagster_dev.log_tail()}"
    )
    print(f"run {RUN_DAY} succeeded in {time.monotonic() - started:.1f} s")

    with psycopg.connect(dagster_dev.db_url) as conn:
        _assert_day_landed(conn, RUN_DAY)


def test_backfill_through_graphql_lands_each_day_once(dagster_dev):
    names = [d.isoformat() for d in BACKFILL_DAYS]
    started = time.monotonic()
    result = dagster_dev.graphql(LAUNCH_BACKFILL, {
        "backfillParams": {
            "selector": {
                "partitionSetName": PARTITION_SET,
                "repositorySelector": {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY},
            },
            "partitionNames": names,
            "runConfigData": JOB_DEFAULT_CONFIG,
            "title": "e2e backfill",
        }
    })["launchPartitionBackfill"]
    assert result["__typename"] == "LaunchBackfillSuccess", result
    backfill_id = result["backfillId"]
    dagster_dev.launched_days.update(BACKFILL_DAYS)

    backfill = None
    while time.monotonic() - started < BACKFILL_TIMEOUT:
        backfill = dagster_dev.graphql(BACKFILL_STATUS, {"backfillId": backfill_id})["partitionBackfillOrError"]
        assert backfill["__typename"] == "PartitionBackfill", backfill
        runs = backfill["runs"]
        if backfill["status"] in ("FAILED", "COMPLETED_FAILED", "CANCELED", "CANCELING"):
            break
        if any(r["status"] in ("FAILURE", "CANCELED", "CANCELING") for r in runs):
            break
        if (
            backfill["status"] in ("COMPLETED", "COMPLETED_SUCCESS")
            and runs
            and all(r["status"] == "SUCCESS" for r in runs)
        ):
            break
        time.sleep(3)
    elapsed = time.monotonic() - started
    assert backfill is not None and backfill["status"] in ("COMPLETED", "COMPLETED_SUCCESS"), (
        f"backfill {backfill_id} after {elapsed:.0f} s: {backfill}\n"
        + "\n".join(dagster_dev.run_errors(r["id"]) for r in (backfill or {}).get("runs") or [])
        + f"\n--- server output ---\n{dagster_dev.log_tail()}"
    )
    runs = backfill["runs"]
    assert runs and all(r["status"] == "SUCCESS" for r in runs), (
        runs, "\n".join(dagster_dev.run_errors(r["id"]) for r in runs if r["status"] != "SUCCESS")
    )
    covered = sorted(day for r in runs for day in _run_days(r))
    assert covered == BACKFILL_DAYS, runs  # each day in exactly one run
    print(f"backfill {names} completed in {elapsed:.1f} s")

    yesterday = TODAY - timedelta(days=1)  # the schedule's day, should it have ticked meanwhile
    with psycopg.connect(dagster_dev.db_url) as conn:
        for day in BACKFILL_DAYS:
            _assert_day_landed(conn, day)
        per_day = conn.execute(
            "SELECT snapshot_date, count(*), count(DISTINCT social_account_id) FROM social_analytics_snapshots "
            "WHERE snapshot_date <> %s GROUP BY snapshot_date ORDER BY snapshot_date", (yesterday,)
        ).fetchall()
        assert per_day == [(d, 9, 9) for d in sorted(dagster_dev.launched_days)], per_day
        jobs = conn.execute(
            "SELECT partition_date, count(*) FROM social_fetch_jobs WHERE partition_date <> %s "
            "GROUP BY partition_date ORDER BY partition_date", (yesterday,)
        ).fetchall()
        assert jobs == [(d, 9) for d in sorted(dagster_dev.launched_days)], jobs
        duplicates = conn.execute(
            "SELECT count(*) - count(DISTINCT (post_id, snapshot_date)) FROM social_post_metrics WHERE snapshot_hour IS NULL"
        ).fetchone()[0]
        assert duplicates == 0


def test_asset_graph_renders_in_headless_chromium(dagster_dev):
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not installed ({CHROMIUM} missing): apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright not installed: pip install 'playwright>=1.51,<2' (never `playwright install`)")

    # The "Join the Dagster community" dialog would cover the graph on a fresh instance.
    assert dagster_dev.graphql("mutation { setNuxSeen }")["setNuxSeen"] is True
    ARTIFACTS.mkdir(exist_ok=True)
    edges = "svg path[marker-end]"  # lineage edges end in an arrow marker
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(UI_TIMEOUT_MS)

            # Global asset lineage: the four groups, joined by edges (raw -> normalized -> ...).
            page.goto(f"{dagster_dev.base_url}/asset-groups", wait_until="domcontentloaded")
            page.get_by_text("Global asset lineage").first.wait_for()
            for group in ("raw", "normalized", "analytics", "operations"):
                page.locator(f"svg >> text='{group}'").first.wait_for()
            page.wait_for_function(f"document.querySelectorAll({edges!r}).length >= 3")
            page.get_by_text("fetching statuses").first.wait_for(state="hidden")
            page.screenshot(path=str(ARTIFACTS / "asset_groups.png"))

            # social_posts_analytics and its upstream lineage: the nine raw/<platform> assets,
            # each with an edge into it.
            page.goto(
                f"{dagster_dev.base_url}/assets/social_posts_analytics?view=lineage&lineageScope=upstream",
                wait_until="domcontentloaded",
            )
            page.get_by_text("social_posts_analytics", exact=True).first.wait_for()
            for name in ("raw", "normalized", *PLATFORMS):
                page.locator(f"svg >> text='{name}'").first.wait_for()
            page.wait_for_function(f"document.querySelectorAll({edges!r}).length >= {len(PLATFORMS)}")
            page.wait_for_timeout(1000)  # let the layout settle before the screenshot
            page.screenshot(path=str(ARTIFACTS / "asset_graph.png"))
            paths = page.eval_on_selector_all(edges, "els => els.map(e => e.getAttribute('d'))")
        finally:
            browser.close()
    # One edge per platform, all ending at the same point: the social_posts_analytics node.
    ends = {tuple(re.findall(r"-?\d+(?:\.\d+)?", d)[-2:]) for d in paths}
    assert len(paths) == len(PLATFORMS) and len(ends) == 1, paths



ASSET_NODES = """
query AssetNodes {
  assetNodes { assetKey { path } groupName }
}
"""
# Dagster 1.13.27 (ui-core AssetGraphExplorer.tsx / AssetNode.tsx): below zoom MINIMAL_SCALE = 0.6
# nodes render as AssetNodeMinimal, whose label is withMiddleTruncation(name, {maxLength: 18});
# at or above it the full AssetNode shows withMiddleTruncation(name, {maxLength: 31}) in a
# 320 px wide node, inside a div carrying the untruncated name as data-tooltip. Nodes outside the
# viewport are not rendered at all. The global lineage with every group expanded is too tall to
# fit at zoom >= 0.6, so each group's own page is read: it fits (zoom-to-fit, capped at 1.0).
READABLE_VIEWPORT = {"width": 2400, "height": 2600}
FULL_LABEL_MAX_LENGTH = 31
FULL_NODE_LABEL = "foreignObject div[data-tooltip]"  # the full AssetNode's name row only
NODE_LABELS_JS = """
els => els.map(e => ({full: e.getAttribute('data-tooltip'), shown: e.textContent.trim()}))
"""


def test_asset_graph_labels_are_readable(dagster_dev):
    """Every asset shows its full name in the lineage graph at a zoom where Dagster renders full
    nodes (not the zoomed-out 'minimal' nodes, whose labels it cuts to 18 characters)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not installed ({CHROMIUM} missing): apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright not installed: pip install 'playwright>=1.51,<2' (never `playwright install`)")

    assert dagster_dev.graphql("mutation { setNuxSeen }")["setNuxSeen"] is True
    by_group: dict[str, list[str]] = {}
    for node in dagster_dev.graphql(ASSET_NODES)["assetNodes"]:
        by_group.setdefault(node["groupName"], []).append(node["assetKey"]["path"][-1])  # the label
    names = sorted(n for group in by_group.values() for n in group)
    assert len(set(names)) == len(names), names
    too_long = [n for n in names if len(n) > FULL_LABEL_MAX_LENGTH]
    assert not too_long, f"Dagster middle-truncates node labels over {FULL_LABEL_MAX_LENGTH} chars: {too_long}"

    ARTIFACTS.mkdir(exist_ok=True)
    shown: dict[str, list[dict]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport=READABLE_VIEWPORT)
            page.set_default_timeout(UI_TIMEOUT_MS)
            for group, members in sorted(by_group.items()):
                page.goto(
                    f"{dagster_dev.base_url}/locations/{LOCATION}/asset-groups/{group}",
                    wait_until="domcontentloaded",
                )
                shot = ARTIFACTS / (
                    "asset_graph_readable.png" if "social_posts_analytics" in members
                    else f"asset_graph_readable_{group}.png"
                )
                # (no wait_for_function: the UI's CSP forbids the eval it needs; locators work)
                try:
                    page.locator(FULL_NODE_LABEL).nth(len(members) - 1).wait_for()
                    page.get_by_text("fetching statuses").first.wait_for(state="hidden")
                    page.wait_for_timeout(1000)  # let the layout settle before the screenshot
                finally:  # on a timeout too: the picture shows what the page holds instead
                    page.screenshot(path=str(shot))
                shown[group] = page.eval_on_selector_all(FULL_NODE_LABEL, NODE_LABELS_JS)
        finally:
            browser.close()
    for group, members in by_group.items():
        truncated = [s for s in shown[group] if s["shown"] != s["full"] or "…" in s["shown"]]
        assert not truncated, (group, truncated)
        assert sorted(s["shown"] for s in shown[group]) == sorted(members), (group, shown[group])
