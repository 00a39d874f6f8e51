"""The new-account sensor requests one backfill run for a newly enabled account only."""

from datetime import date

from dagster import AssetKey, DagsterInstance, build_sensor_context

from social_pipeline.definitions import defs
from social_pipeline.sensors import new_account_sensor
from social_pipeline.storage.database import Database
from social_pipeline_tests.pipeline.helpers import run_day, seed


def _tick(cursor):
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance, cursor=cursor, resources={"database": Database()}, definitions=defs
        )
        result = new_account_sensor(context)
        return result, context.cursor


def test_first_tick_only_starts_watching_then_a_new_account_is_backfilled_alone(db_url, conn, monkeypatch):
    monkeypatch.setenv("SOCIAL_PIPELINE_NEW_ACCOUNT_BACKFILL_DAYS", "3")
    seed(conn, posts_per_fetch=2)
    result, cursor = _tick(None)
    assert cursor is not None and "first tick" in result.skip_message
    result, cursor = _tick(cursor)
    assert "no newly enabled account" in result.skip_message

    account = conn.execute(
        "INSERT INTO social_accounts (platform, handle, access_token) VALUES ('bluesky', 'new.bsky.social', 'x') RETURNING id::text"
    ).fetchone()[0]
    conn.execute("INSERT INTO social_analytics_config (social_account_id, provider_name, posts_per_fetch) "
                 "VALUES (%s, 'demo', 2)", (account,))
    requests, cursor2 = _tick(cursor)
    assert len(requests) == 1 and cursor2 > cursor
    request = requests[0]
    assert request.run_config["ops"]["raw__bluesky"]["config"]["only_accounts"] == [account]
    assert request.tags["social_pipeline/accounts"] == account  # its rows only, in every per-account table
    keys = set(request.asset_selection)
    assert AssetKey(["raw", "bluesky"]) in keys and AssetKey(["raw", "tiktok"]) not in keys
    assert AssetKey("social_analytics_snapshots") in keys
    start = date.fromisoformat(request.tags["dagster/asset_partition_range_start"])
    end = date.fromisoformat(request.tags["dagster/asset_partition_range_end"])
    assert (end - start).days == 2
    # Nothing new on the next tick; switching monitoring off and on again is a new enablement.
    assert "no newly enabled" in _tick(cursor2)[0].skip_message
    conn.execute("UPDATE social_analytics_config SET monitoring_enabled = FALSE WHERE social_account_id = %s", (account,))
    conn.execute("UPDATE social_analytics_config SET monitoring_enabled = TRUE WHERE social_account_id = %s", (account,))
    assert len(_tick(cursor2)[0]) == 1

    # The run it asks for pulls that account only: the others' rows for those days stay as they were.
    assert run_day(end).success
    before = conn.execute("SELECT count(*) FROM social_raw_pulls WHERE platform = 'bluesky' AND social_account_id <> %s "
                          "AND partition_date = %s", (account, end)).fetchone()[0]
    from social_pipeline_tests.pipeline.helpers import run_day as run
    result = run(start, tags=request.tags, run_config=request.run_config,
                 selection=[k for k in request.asset_selection])
    assert result.success
    after = conn.execute("SELECT count(*) FROM social_raw_pulls WHERE platform = 'bluesky' AND social_account_id <> %s "
                         "AND partition_date = %s", (account, end)).fetchone()[0]
    assert before == after > 0
    days = {r[0] for r in conn.execute("SELECT snapshot_date FROM social_analytics_snapshots WHERE social_account_id = %s", (account,))}
    assert days == {start, date.fromordinal(start.toordinal() + 1), end}


def test_other_config_changes_and_daily_runs_do_not_trigger_a_backfill(db_url, conn):
    seed(conn, posts_per_fetch=2)
    _, cursor = _tick(None)
    assert run_day(date(2026, 11, 1)).success  # advances last_fetched_at
    conn.execute("UPDATE social_analytics_config SET fetch_frequency = '6 hours', posts_per_fetch = 3")
    result, _ = _tick(cursor)
    assert "no newly enabled account" in result.skip_message
