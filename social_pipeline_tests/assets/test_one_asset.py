"""One asset at a time: each normalized asset called on its own with a Dagster context for one
partition, over ledger rows pulled from the simulator, against the real database. Between the
pure tests of a parser and the whole-day runs of pipeline/: a broken asset fails the test named
after it."""

from datetime import date

import pytest
from dagster import build_asset_context

from social_pipeline.assets.posts import social_post_metrics, social_posts_analytics
from social_pipeline.assets.snapshots import social_analytics_snapshots
from social_pipeline.ingest.accounts import monitored_accounts, seed_demo_accounts
from social_pipeline.ingest.pulling import pull_account, raw_frame, raw_rows
from social_pipeline.platforms import PLATFORMS
from social_pipeline.storage.database import Database
from social_pipeline.assets.hourly import POSTS_SPEC
from social_pipeline.storage.io_manager import TableSpec, write_frame

METRICS_SPEC = TableSpec("social_post_metrics", partition_column="snapshot_date", where="snapshot_hour IS NULL")

DAY = date(2026, 11, 20)


@pytest.fixture
def day_raw(conn):
    """Each platform's demo account pulled for DAY, as the raw assets hand their frames on."""
    seed_demo_accounts(conn, posts_per_fetch=4)
    frames = {}
    for platform in PLATFORMS:
        (account,) = monitored_accounts(conn, platform)
        result = pull_account(account, DAY, sleep=lambda s: None)
        assert result.ok, result.error
        frames[f"raw_{platform}"] = raw_frame(raw_rows(result, DAY))
    return frames


def _run(asset_fn, **inputs):
    context = build_asset_context(partition_key=DAY.isoformat())
    return asset_fn(context, database=Database(), **inputs)


def test_posts_asset_alone(conn, day_raw):
    out = _run(social_posts_analytics, **day_raw)
    df = out.value
    assert len(df) == 4 * len(PLATFORMS) and set(df["platform"]) == set(PLATFORMS)
    assert out.metadata["posts"].value == 4 * len(PLATFORMS) and out.metadata["quarantined_pulls"].value == 0
    assert set(df["post_kind"]) <= {"original", "reply", "thread", "quote"}
    assert (df["first_seen_date"] == DAY).all() and df["external_post_id"].is_unique


def test_metrics_asset_alone_needs_only_the_stored_posts(conn, day_raw):
    posts = _run(social_posts_analytics, **day_raw).value
    with Database().connect() as c:
        write_frame(c, POSTS_SPEC, posts, None)
    metrics = _run(social_post_metrics, **day_raw).value
    assert len(metrics) == len(posts) and metrics["post_id"].notna().all()
    # Bluesky reports no views: NULL, never 0, in the asset's own output.
    bluesky = set(conn.execute("SELECT id FROM social_posts_analytics WHERE platform = 'bluesky'").fetchall())
    assert metrics[metrics["post_id"].isin({i for (i,) in bluesky})]["views_count"].isna().all()


def test_snapshots_asset_alone_names_each_account(conn, day_raw):
    with Database().connect() as c:  # the posts and their metrics the totals are summed over
        write_frame(c, POSTS_SPEC, _run(social_posts_analytics, **day_raw).value, None)
    metrics = _run(social_post_metrics, **day_raw).value
    with Database().connect() as c:
        write_frame(c, METRICS_SPEC, metrics, (DAY, DAY))
    df = _run(social_analytics_snapshots, **day_raw).value
    assert len(df) == len(PLATFORMS) and (df["snapshot_date"] == DAY).all()
    # Facebook reports no post count: the row fills it from our posts and says so.
    facebook_id = conn.execute("SELECT id::text FROM social_accounts WHERE platform = 'facebook'").fetchone()[0]
    facebook = df[df["social_account_id"] == facebook_id].iloc[0]
    assert facebook["posts_count"] is not None and "posts_count" in facebook["tracked_totals"]
    tiktok_id = conn.execute("SELECT id::text FROM social_accounts WHERE platform = 'tiktok'").fetchone()[0]
    assert "posts_count" not in df[df["social_account_id"] == tiktok_id].iloc[0]["tracked_totals"]
    profiles = conn.execute("SELECT count(*), count(external_account_id), count(display_name), min(observed_date) "
                            "FROM social_account_profiles").fetchone()
    assert profiles == (len(PLATFORMS), len(PLATFORMS), len(PLATFORMS), DAY)
    # An older day re-run never writes back an older observation.
    conn.execute("UPDATE social_account_profiles SET display_name = 'Newer name', observed_date = %s",
                 (date(2026, 11, 25),))
    _run(social_analytics_snapshots, **day_raw)
    assert conn.execute("SELECT DISTINCT display_name FROM social_account_profiles").fetchall() == [("Newer name",)]
