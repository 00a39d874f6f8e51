"""The command line and the Dagster instance it prepares."""

import io
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from dagster import DagsterInstance, asset, materialize

from social_pipeline import cli
from social_pipeline.ingest.accounts import monitored_accounts, seed_demo_accounts
from social_pipeline.platforms import PLATFORMS
from social_pipeline.progress import ProgressBar
from social_pipeline.ingest.pulling import RETRY_ENV
from social_pipeline.simulator import demo_token
from social_pipeline.storage import database as dbmod
from social_pipeline_tests.pipeline.helpers import run_day


def test_db_url_masks_password_unless_revealed(monkeypatch, capsys):
    monkeypatch.setenv(dbmod.URL_ENV, "postgresql+psycopg2://user:s3cret@db.example:5432/analytics")
    assert cli.main(["db", "url"]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out and "user:***@db.example:5432/analytics" in out
    assert cli.main(["db", "url", "--reveal"]) == 0
    assert capsys.readouterr().out.strip() == "postgresql://user:s3cret@db.example:5432/analytics"


@pytest.mark.parametrize("wheel", sorted(dbmod.SERVER_MODULES))
def test_db_stop_stops_the_embedded_server(wheel, tmp_path, monkeypatch, capsys):
    """`db stop` stops the project's embedded server, whichever wheel it comes from."""
    monkeypatch.delenv(dbmod.URL_ENV, raising=False)
    monkeypatch.setenv(dbmod.HOME_ENV, str(tmp_path))
    monkeypatch.setenv(dbmod.SERVER_ENV, wheel)
    url = dbmod.embedded_server().get_uri()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert cli.main(["db", "stop"]) == 0
    assert "embedded PostgreSQL stopped" in capsys.readouterr().out
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)
    assert cli.main(["db", "stop"]) == 0
    assert "was not running" in capsys.readouterr().out


def test_db_migrate_then_up_to_date(empty_db_url, capsys):
    assert cli.main(["db", "migrate"]) == 0
    assert "003_views.sql" in capsys.readouterr().out
    assert cli.main(["db", "migrate"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_clear_errors_and_nonzero_exit(monkeypatch, capsys):
    assert cli.main(["backfill", "--start", "2026-13-01", "--end", "2026-12-02"]) == 2
    assert "not a date" in capsys.readouterr().err
    monkeypatch.setenv(dbmod.URL_ENV, "postgresql://nobody:pw-not-shown@127.0.0.1:1/nothing")
    assert cli.main(["db", "migrate"]) == 2
    err = capsys.readouterr().err
    assert "cannot connect" in err and "pw-not-shown" not in err
    monkeypatch.setenv(dbmod.URL_ENV, "mysql://x@y/z")
    assert cli.main(["db", "migrate"]) == 2
    with pytest.raises(SystemExit):
        cli.main(["no-such-command"])


def test_demo_seed_is_idempotent(db_url):
    for _ in range(2):
        cli.ensure_database(seed=True)
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT a.platform, c.provider_name, c.monitoring_enabled FROM social_accounts a "
            "JOIN social_analytics_config c ON c.social_account_id = a.id"
        ).fetchall()
    assert len(rows) == 9 and {r[1] for r in rows} == {"demo"} and all(r[2] for r in rows)


def test_dagster_instance_storage_lives_in_schema_dagster(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    url = cli.ensure_database(seed=False)
    env = cli.dagster_environment(url)
    assert env["DAGSTER_HOME"] == str(tmp_path) and (tmp_path / "dagster.yaml").exists()
    assert env["SOCIAL_PIPELINE_DAGSTER_STORAGE_URL"].startswith("postgresql+psycopg2://")
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    @asset
    def tiny() -> None:
        return None

    with DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        result = materialize([tiny], instance=instance)
        assert result.success
        run_id = result.run_id
    with psycopg.connect(db_url) as conn:
        schemas = {r[0] for r in conn.execute("SELECT table_schema FROM information_schema.tables WHERE table_name = 'runs'")}
        stored = conn.execute("SELECT count(*) FROM dagster.runs WHERE run_id = %s", (run_id,)).fetchone()[0]
    assert schemas == {"dagster"} and stored == 1


# -- accounts, fetch, backfill ---------------------------------------------------------------

# Closed days well inside the partitions, relative to today so they never run past "yesterday".
TODAY = datetime.now(timezone.utc).date()
DAY = TODAY - timedelta(days=5)
HANDLE = "someone.bsky.social"


@pytest.fixture
def cli_env(db_url, tmp_path, monkeypatch):
    """The test database, a Dagster home of this test's own, no retry waits, no automatic seeding."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.delenv("SOCIAL_PIPELINE_DAGSTER_STORAGE_URL", raising=False)  # restored after the test
    monkeypatch.setenv(RETRY_ENV, "0")
    monkeypatch.setenv(cli.DEMO_ENV, "0")
    return db_url


def _add(capsys, *argv) -> str:
    assert cli.main(["accounts", "add", *argv]) == 0, capsys.readouterr().err
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_accounts_add_then_a_daily_run_pulls_it(cli_env, conn, capsys, monkeypatch):
    account_id = _add(capsys, "Bluesky", f"@{HANDLE}", "--provider", "demo", "--posts-per-fetch", "3",
                      "--frequency", "1 day")
    row = conn.execute(
        "SELECT a.platform, a.handle, a.access_token, c.monitoring_enabled, c.fetch_frequency, c.posts_per_fetch, "
        "c.provider_name FROM social_accounts a JOIN social_analytics_config c ON c.social_account_id = a.id "
        "WHERE a.id = %s", (account_id,),
    ).fetchone()
    assert row == ("bluesky", HANDLE, demo_token("bluesky", HANDLE), True, timedelta(days=1), 3, "demo")

    # A token comes from the named environment variable only, and is never printed.
    monkeypatch.setenv("SP_TEST_TOKEN", "tok-very-secret-123")
    other = _add(capsys, "x", "someone_else", "--token-env", "SP_TEST_TOKEN")
    assert "tok-very-secret-123" not in repr(capsys.readouterr())
    assert conn.execute("SELECT platform, access_token FROM social_accounts WHERE id = %s", (other,)).fetchone() == (
        "twitter", "tok-very-secret-123")
    assert conn.execute("SELECT provider_name, fetch_frequency, posts_per_fetch FROM social_analytics_config "
                        "WHERE social_account_id = %s", (other,)).fetchone() == (None, timedelta(hours=24), 50)
    conn.execute("UPDATE social_analytics_config SET monitoring_enabled = FALSE WHERE social_account_id = %s", (other,))

    assert run_day(DAY).success
    posts = conn.execute("SELECT count(*) FROM social_posts_analytics WHERE social_account_id = %s", (account_id,)).fetchone()[0]
    snaps = conn.execute("SELECT snapshot_date FROM social_analytics_snapshots WHERE social_account_id = %s", (account_id,)).fetchall()
    job = conn.execute("SELECT status, posts_fetched FROM social_fetch_jobs WHERE social_account_id = %s AND partition_date = %s",
                       (account_id, DAY)).fetchone()
    # Demo pulls track the simulator's posts of the update window, not posts_per_fetch of them.
    assert posts >= 1 and snaps == [(DAY,)] and job[0] == "completed" and job[1] == posts


def test_accounts_add_errors(cli_env, conn, capsys, monkeypatch):
    _add(capsys, "bluesky", HANDLE, "--provider", "demo")
    assert cli.main(["accounts", "add", "BLUESKY", "@SomeOne.Bsky.Social"]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and HANDLE in err
    assert cli.main(["accounts", "add", "myspace", "someone"]) == 2
    err = capsys.readouterr().err
    assert "unknown platform 'myspace'" in err and all(p in err for p in PLATFORMS)
    for argv, message in (
        (["--frequency", "soon"], "not a PostgreSQL interval"),
        (["--frequency", "-1 day"], "longer than zero"),
        (["--frequency", "0 hours"], "longer than zero"),
        (["--provider", "rapidapi_tiktok"], "not supported for bluesky"),
        (["--posts-per-fetch", "0"], "between 1 and 10000"),
        (["--token-env", "SP_TEST_NOT_SET"], "SP_TEST_NOT_SET is not set"),
    ):
        monkeypatch.delenv("SP_TEST_NOT_SET", raising=False)
        assert cli.main(["accounts", "add", "bluesky", "another.bsky.social", *argv]) == 2, argv
        assert message in capsys.readouterr().err, argv
    assert _add(capsys, "tiktok", "creator", "--provider", "rapidapi_tiktok")
    assert conn.execute("SELECT count(*) FROM social_accounts").fetchone()[0] == 2


def test_accounts_disable_enable(cli_env, conn, capsys):
    account_id = _add(capsys, "bluesky", HANDLE, "--provider", "demo")
    assert cli.main(["accounts", "disable", "bluesky", "@SOMEONE.bsky.social"]) == 0
    assert "disabled" in capsys.readouterr().out
    assert monitored_accounts(conn, "bluesky") == []
    assert cli.main(["fetch", "bluesky", HANDLE, "--date", DAY.isoformat()]) == 2
    assert "accounts enable" in capsys.readouterr().err
    assert cli.main(["accounts", "enable", "bluesky", HANDLE]) == 0
    assert "enabled" in capsys.readouterr().out
    assert [a.id for a in monitored_accounts(conn, "bluesky")] == [account_id]
    assert cli.main(["accounts", "list"]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if HANDLE in line]
    assert len(listed) == 1 and " on " in listed[0] and "no expiry recorded" in listed[0]  # the token column
    for argv in (["accounts", "disable", "bluesky", "nobody.bsky.social"], ["accounts", "enable", "tiktok", HANDLE],
                 ["fetch", "bluesky", "nobody.bsky.social"]):
        assert cli.main(argv) == 2, argv
        assert "no " in capsys.readouterr().err
    assert cli.main(["accounts", "disable", "nowhere", HANDLE]) == 2
    assert "unknown platform" in capsys.readouterr().err


# Everything but ids and wall-clock times, per account.
_OTHERS = {
    "social_raw_pulls": "SELECT social_account_id, pull_id, endpoint, page_index, attempt, payload::text FROM social_raw_pulls "
                        "WHERE partition_date = %(day)s AND social_account_id <> %(id)s",
    "social_posts_analytics": "SELECT social_account_id, external_post_id, caption, last_seen_date FROM social_posts_analytics "
                              "WHERE social_account_id <> %(id)s",
    "social_post_metrics": "SELECT p.social_account_id, p.external_post_id, m.views_count, m.likes_count, m.engagement_rate "
                           "FROM social_post_metrics m JOIN social_posts_analytics p ON p.id = m.post_id "
                           "WHERE m.snapshot_date = %(day)s AND p.social_account_id <> %(id)s",
    "social_comments": "SELECT c.external_comment_id, c.comment_text FROM social_comments c JOIN social_posts_analytics p "
                       "ON p.id = c.post_id WHERE p.social_account_id <> %(id)s",
    "social_analytics_snapshots": "SELECT social_account_id, followers_count, total_views, engagement_rate FROM "
                                  "social_analytics_snapshots WHERE snapshot_date = %(day)s AND social_account_id <> %(id)s",
    "social_fetch_jobs": "SELECT social_account_id, status, posts_fetched, comments_fetched, started_at FROM social_fetch_jobs "
                         "WHERE partition_date = %(day)s AND social_account_id <> %(id)s",
}


def _others(conn, account_id):
    return {t: sorted(conn.execute(q, {"day": DAY, "id": account_id}).fetchall(), key=repr) for t, q in _OTHERS.items()}


def test_fetch_one_account_keeps_the_others_rows(cli_env, conn, capsys):
    seed_demo_accounts(conn, posts_per_fetch=3)
    # A second Bluesky account: the fetched one's platform has another account to keep.
    account_id = _add(capsys, "bluesky", HANDLE, "--provider", "demo", "--posts-per-fetch", "3")
    assert run_day(DAY).success
    before = _others(conn, account_id)
    assert all(before.values()) and len({r[0] for r in before["social_analytics_snapshots"]}) == 9
    first = conn.execute("SELECT started_at FROM social_fetch_jobs WHERE social_account_id = %s AND partition_date = %s",
                         (account_id, DAY)).fetchone()[0]

    assert cli.main(["fetch", "bluesky", f"@{HANDLE}", "--date", DAY.isoformat()]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"bluesky/{HANDLE} {DAY}: fetch job completed, " in out and " posts, " in out and "ok" in out
    assert _others(conn, account_id) == before
    status, started = conn.execute("SELECT status, started_at FROM social_fetch_jobs WHERE social_account_id = %s "
                                   "AND partition_date = %s", (account_id, DAY)).fetchone()
    assert status == "completed" and started > first
    # One run in the Dagster instance (as from the UI): raw/bluesky and what is downstream, no other pull.
    assert conn.execute("SELECT count(*) FROM dagster.runs").fetchone()[0] == 1
    steps = {r[0] for r in conn.execute("SELECT DISTINCT step_key FROM dagster.event_logs "
                                        "WHERE dagster_event_type = 'STEP_SUCCESS'")}
    assert {"raw__bluesky", "social_posts_analytics", "social_analytics_snapshots", "social_fetch_jobs"} <= steps
    assert not {s for s in steps if s.startswith("raw__") and s != "raw__bluesky"}


def test_backfill_with_progress(cli_env, conn, capsys):
    seed_demo_accounts(conn, posts_per_fetch=3)
    days = [DAY - timedelta(days=2), DAY - timedelta(days=1), DAY]
    assert cli.main(["backfill", "--start", days[0].isoformat(), "--end", days[-1].isoformat()]) == 0
    captured = capsys.readouterr()
    progress = [line for line in captured.err.splitlines() if line.startswith("[")]
    assert len(progress) == 1, captured.err  # not a terminal: one line per run (3 days fit in one)
    assert "3/3 days" in progress[0] and "100%" in progress[0] and "elapsed" in progress[0] and " ok " in progress[0]
    assert "1 run(s) ok, 0 failed" in captured.out
    snapshot_days = conn.execute("SELECT snapshot_date, count(*) FROM social_analytics_snapshots GROUP BY 1 ORDER BY 1").fetchall()
    assert snapshot_days == [(d, 9) for d in days]
    tags = dict(conn.execute("SELECT key, value FROM dagster.run_tags WHERE key LIKE 'dagster/asset_partition_range_%'").fetchall())
    assert tags == {cli.RANGE_START_TAG: days[0].isoformat(), cli.RANGE_END_TAG: days[-1].isoformat()}


def test_backfill_runs_a_week_at_most_and_reports_failures(cli_env, capsys, monkeypatch):
    """Chunking and the failure summary, with the Dagster job replaced by a recorder."""
    from social_pipeline.definitions import defs

    calls = []

    class Result:
        def __init__(self, ok):
            self.success, self.run_id, self.all_events = ok, f"run-{len(calls)}-0000", []

    class Job:
        name = "daily_pipeline"

        def execute_in_process(self, **kwargs):
            calls.append(kwargs["tags"])
            return Result(len(calls) != 2)  # the second run fails

    monkeypatch.setattr(type(defs), "resolve_job_def", lambda self, name: Job())
    start = DAY - timedelta(days=15)
    assert cli.main(["backfill", "--start", start.isoformat(), "--end", DAY.isoformat()]) == 1
    ranges = [(t[cli.RANGE_START_TAG], t[cli.RANGE_END_TAG]) for t in calls]
    expected = [(start + timedelta(days=i), min(start + timedelta(days=i + 6), DAY)) for i in (0, 7, 14)]
    assert ranges == [(a.isoformat(), b.isoformat()) for a, b in expected]
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("[")]
    assert ["7/16 days" in lines[0], "14/16 days" in lines[1], "16/16 days" in lines[2]] == [True] * 3
    assert "ETA" in lines[0] and "FAILED" in lines[1]
    assert "2 run(s) ok, 1 failed" in captured.out and f"FAILED {expected[1][0]}..{expected[1][1]}" in captured.out


def test_range_and_database_errors(monkeypatch, capsys):
    yesterday = TODAY - timedelta(days=1)
    for argv, message in (
        (["backfill", "--start", "2026-10-03", "--end", "2026-10-01"], "before --start"),
        (["backfill", "--start", "2024-12-31", "--end", "2025-01-02"], "before the first partition, 2025-01-01"),
        (["backfill", "--start", yesterday.isoformat(), "--end", TODAY.isoformat()], "after the latest partition"),
        (["backfill", "--start", "2026-10-01", "--end", "2026-10-02", "--days-per-run", "8"], "between 1 and 7"),
        (["materialize", "--date", TODAY.isoformat()], "after the latest partition"),
        (["fetch", "bluesky", HANDLE, "--date", "yesterday"], "not a date"),
        (["fetch", "myspace", HANDLE], "unknown platform"),
    ):
        assert cli.main(argv) == 2, argv
        assert message in capsys.readouterr().err, argv
    monkeypatch.setenv(dbmod.URL_ENV, "postgresql://nobody:pw-not-shown@127.0.0.1:1/nothing")
    for argv in (["accounts", "add", "bluesky", HANDLE], ["accounts", "disable", "bluesky", HANDLE],
                 ["fetch", "bluesky", HANDLE], ["backfill", "--start", "2026-10-01", "--end", "2026-10-02"],
                 ["accounts", "list"]):
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "cannot connect" in err and "127.0.0.1" in err and "pw-not-shown" not in err, argv


def test_help_of_every_command_says_what_it_does_with_an_example(capsys):
    for argv in (["dev"], ["db"], ["demo"], ["materialize"], ["backfill"], ["fetch"], ["accounts"],
                 ["accounts", "list"], ["accounts", "add"], ["accounts", "enable"], ["accounts", "disable"],
                 ["simulator"]):
        with pytest.raises(SystemExit) as exit_:
            cli.main([*argv, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert "examples:\n  social-pipeline " + argv[0] in out, argv


def test_progress_bar_redraws_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    now = [0.0]
    stream = Tty()
    with ProgressBar(10, stream=stream, clock=lambda: now[0]) as bar:
        bar.start()
        now[0] = 20.0
        bar.advance(4, "first week")
    text = stream.getvalue()
    assert "\r" in text and text.endswith("\n") and text.count("\n") == 1
    assert "4/10 days" in text and "elapsed 00:20" in text and "ETA 00:30" in text and "first week" in text


def test_prune_runs_command(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert cli.main(["prune-runs", "--days", "30", "--dry-run"]) == 0
    assert "would delete 0 run(s)" in capsys.readouterr().out
    assert cli.main(["prune-runs", "--days", "0"]) == 2


def test_materialize_reports_each_account_and_exits_1_when_one_failed(cli_env, conn, capsys):
    """A run that lands eight platforms but not the ninth is not 'ok': the command prints one line
    per account, the failed one with what to fix, and exits 1 (0 only when every account landed)."""
    account_id = _add(capsys, "bluesky", HANDLE, "--provider", "demo", "--posts-per-fetch", "2")
    _add(capsys, "tiktok", "demo.creator", "--provider", "demo", "--posts-per-fetch", "2")
    assert cli.main(["materialize", "--date", DAY.isoformat()]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"bluesky/{HANDLE}" in out and "tiktok/demo.creator" in out and "FAILED" not in out and "  ok  " in out

    conn.execute("UPDATE social_accounts SET access_token = 'revoked-token-value' WHERE platform = 'tiktok'")
    # The day is stored: only a fresh pull calls the API again (and meets the revoked token).
    assert cli.main(["materialize", "--date", DAY.isoformat(), "--fresh-pull"]) == 1
    out = capsys.readouterr().out
    failed = [line for line in out.splitlines() if "FAILED" in line and "tiktok/demo.creator" in line]
    assert failed and "401" in failed[0] and "revoked-token-value" not in out
    assert any(f"bluesky/{HANDLE}" in line and " ok " in line for line in out.splitlines())
    assert "1 account pull(s) failed" in out
    assert conn.execute("SELECT count(*) FROM social_posts_analytics WHERE social_account_id = %s",
                        (account_id,)).fetchone()[0] >= 1  # the bluesky account's posts stay


def test_accounts_add_takes_the_platforms_own_id(cli_env, conn, capsys):
    account_id = _add(capsys, "instagram", "someone", "--external-id", " 17841400000000001 ")
    assert conn.execute("SELECT external_account_id FROM social_account_credentials WHERE social_account_id = %s",
                        (account_id,)).fetchone() == ("17841400000000001",)


def test_accounts_list_warns_of_a_graph_version_near_its_end(cli_env, conn, capsys, monkeypatch):
    """v21.0 stops on 2027-01-21: from 60 days before, `accounts list` says which variable to move."""
    _add(capsys, "facebook", "somepage", "--external-id", "1234")
    monkeypatch.delenv("SOCIAL_PIPELINE_FACEBOOK_VERSION", raising=False)
    assert cli.main(["accounts", "list"]) == 0
    assert "warning:" not in capsys.readouterr().out  # the default, v25.0, runs to 2028-07-29
    monkeypatch.setenv("SOCIAL_PIPELINE_FACEBOOK_VERSION", "v21.0")
    assert cli.main(["accounts", "list"]) == 0
    out = capsys.readouterr().out
    # From 2026-11-22 on (this test runs later than that), whether or not the end has passed.
    assert "warning: Meta Graph API v21.0" in out and "2027-01-21" in out and "SOCIAL_PIPELINE_FACEBOOK_VERSION" in out


def test_fresh_pull_reaches_every_raw_asset(cli_env, monkeypatch):
    """--fresh-pull: run config fresh_pull for each platform's raw asset; without it, none."""
    from social_pipeline.definitions import defs

    configs = []

    class Result:
        success, run_id, all_events = True, "run-0000", []

    class Job:
        name = "daily_pipeline"

        def execute_in_process(self, **kwargs):
            configs.append(kwargs["run_config"])
            return Result()

    monkeypatch.setattr(type(defs), "resolve_job_def", lambda self, name: Job())
    monkeypatch.setattr(cli, "report_accounts", lambda day, since: 0)
    assert cli.main(["backfill", "--start", DAY.isoformat(), "--end", DAY.isoformat(), "--fresh-pull"]) == 0
    assert cli.main(["materialize", "--date", DAY.isoformat(), "--fresh-pull"]) == 0
    assert cli.main(["materialize", "--date", DAY.isoformat()]) == 0
    fresh = {f"raw__{p}": {"config": {"fresh_pull": True}} for p in PLATFORMS}
    assert [c.get("ops") for c in configs] == [fresh, fresh, None]


def test_backfill_goes_to_the_daemon_when_one_runs(cli_env, capsys, monkeypatch):
    """With a daemon's heartbeat, `backfill` records the UI's kind of backfill (an asset backfill of
    the daily job's assets over the days, listed under Backfills) and follows it to its end."""
    import threading
    import time

    from dagster._core.execution.backfill import BulkActionStatus
    from dagster._daemon.types import DaemonHeartbeat

    from social_pipeline.definitions import defs

    days = [DAY - timedelta(days=1), DAY]
    monkeypatch.setattr(cli, "FOLLOW_SECONDS", 0.1)
    with cli._dagster_instance(seed=False) as instance:
        # No daemon: --via daemon refuses, saying why.
        assert cli.main(["backfill", "--start", days[0].isoformat(), "--end", days[-1].isoformat(), "--via", "daemon"]) == 2
        assert "no Dagster daemon is running" in capsys.readouterr().err
        instance.add_daemon_heartbeat(DaemonHeartbeat(time.time(), cli.BACKFILL_DAEMON, "test-daemon", None))

        def daemon_finishes_it():  # stands in for the daemon: marks the backfill done once it appears
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                found = instance.get_backfills()
                if found:
                    instance.update_backfill(found[0].with_status(BulkActionStatus.COMPLETED_SUCCESS))
                    return
                time.sleep(0.05)

        helper = threading.Thread(target=daemon_finishes_it)
        helper.start()
        code = cli.main(["backfill", "--start", days[0].isoformat(), "--end", days[-1].isoformat(), "--fresh-pull"])
        helper.join()
        (backfill,) = instance.get_backfills()
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"submitted as backfill {backfill.backfill_id}" in out and "COMPLETED_SUCCESS" in out
    job = defs.resolve_job_def("daily_pipeline")
    assert set(backfill.asset_selection) == set(job.asset_layer.executable_asset_keys)
    targeted = backfill.asset_backfill_data.target_subset.get_partitions_subset(backfill.asset_selection[0])
    assert sorted(targeted.get_partition_keys()) == [d.isoformat() for d in days]
    assert backfill.run_config == {"ops": {f"raw__{p}": {"config": {"fresh_pull": True}} for p in PLATFORMS}}


def test_accounts_retry_resets_the_breaker(cli_env, conn, capsys, monkeypatch):
    """`accounts retry` hands the account's id to ingest.breaker.reset (stood in for here by a
    recorder: that module is another change's) and says what happens next."""
    import sys
    import types

    account_id = _add(capsys, "bluesky", HANDLE, "--provider", "demo")
    calls = []
    stub = types.ModuleType("social_pipeline.ingest.breaker")
    stub.reset = lambda c, account: calls.append(account)
    monkeypatch.setitem(sys.modules, "social_pipeline.ingest.breaker", stub)
    import social_pipeline.ingest as ingest_package

    monkeypatch.setattr(ingest_package, "breaker", stub, raising=False)
    assert cli.main(["accounts", "retry", "bluesky", f"@{HANDLE.upper()}"]) == 0
    assert calls == [account_id]
    assert "the next run pulls the account again" in capsys.readouterr().out
    assert cli.main(["accounts", "retry", "bluesky", "nobody.here"]) == 2


def test_db_env_prints_what_dagster_commands_need(cli_env, capsys):
    assert cli.main(["db", "env"]) == 0
    import os
    import shlex

    exported = {}
    for line in capsys.readouterr().out.splitlines():
        word, assignment = shlex.split(line)
        name, value = assignment.split("=", 1)
        assert word == "export"
        exported[name] = value
    assert list(exported) == ["DAGSTER_HOME", "SOCIAL_PIPELINE_DAGSTER_STORAGE_URL", dbmod.URL_ENV]
    assert exported["DAGSTER_HOME"] == os.environ["DAGSTER_HOME"] and exported[dbmod.URL_ENV] == cli_env
    assert exported["SOCIAL_PIPELINE_DAGSTER_STORAGE_URL"] == dbmod.dagster_storage_url(cli_env)


def test_a_first_dev_start_backfills_the_demo_history_once(cli_env, conn, monkeypatch):
    """`dev` on demo accounts without history records one backfill of the last N days for the
    daemon (the dashboard opens on data); never twice, never over existing data, and N=0 skips it."""
    seed_demo_accounts(conn)
    conn.commit()
    dbmod.ensure_dagster_schema(cli_env)  # what ensure_database does before `dev` asks
    monkeypatch.setenv(cli.DEMO_HISTORY_ENV, "0")
    assert cli.demo_history(cli_env) is None
    monkeypatch.setenv(cli.DEMO_HISTORY_ENV, "twelve")
    with pytest.raises(cli.CliError, match="SOCIAL_PIPELINE_DEMO_HISTORY_DAYS"):
        cli.demo_history(cli_env)
    monkeypatch.setenv(cli.DEMO_HISTORY_ENV, "5")
    backfill_id, days = cli.demo_history(cli_env)
    today = datetime.now(timezone.utc).date()
    assert days == [today - timedelta(days=i) for i in range(5, 0, -1)]
    with DagsterInstance.get() as instance:
        backfill = instance.get_backfill(backfill_id)
        assert backfill.tags[cli.DEMO_HISTORY_TAG] == "5"
        assert sorted(backfill.asset_backfill_data.target_subset.partitions_subsets_by_asset_key[
            next(iter(backfill.asset_backfill_data.target_subset.partitions_subsets_by_asset_key))].get_partition_keys()) \
            == [d.isoformat() for d in days]
    assert cli.demo_history(cli_env) is None  # once


def test_no_demo_history_over_existing_data(cli_env, conn, monkeypatch):
    seed_demo_accounts(conn)
    account = conn.execute("SELECT social_account_id FROM social_analytics_config LIMIT 1").fetchone()[0]
    conn.execute("INSERT INTO social_analytics_snapshots (social_account_id, snapshot_date, followers_count) "
                 "VALUES (%s, current_date - 1, 10)", (account,))
    conn.commit()
    monkeypatch.setenv(cli.DEMO_HISTORY_ENV, "5")
    assert cli.demo_history(cli_env) is None
