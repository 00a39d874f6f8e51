"""Hourly tracking of young posts and sub-daily fetch frequencies."""

from datetime import date, timedelta

from dagster import materialize

from social_pipeline.assets.hourly import social_post_metrics_hourly
from social_pipeline.ingest import breaker
from social_pipeline.storage.database import Database
from social_pipeline.storage.io_manager import PostgresIOManager
from social_pipeline_tests.pipeline.helpers import run_day, seed

DAY = date(2026, 11, 12)


def run_hour(key: str):
    database = Database()
    return materialize(
        [social_post_metrics_hourly], partition_key=key,
        resources={"database": database, "io_manager": PostgresIOManager(database=database)},
    )


def _hourly(conn, hour):
    return conn.execute(
        "SELECT p.platform, m.post_id, m.views_count FROM social_post_metrics m JOIN social_posts_analytics p "
        "ON p.id = m.post_id WHERE m.snapshot_date = %s AND m.snapshot_hour = %s ORDER BY 1, 2",
        (DAY + timedelta(days=1), hour),
    ).fetchall()


def test_young_posts_get_hourly_rows_next_to_daily_ones(db_url, conn):
    seed(conn, posts_per_fetch=4)
    assert run_day(DAY).success
    daily = conn.execute("SELECT count(*) FROM social_post_metrics WHERE snapshot_hour IS NULL").fetchone()[0]
    key = f"{DAY + timedelta(days=1)}-10:00"
    assert run_hour(key).success
    rows = _hourly(conn, 10)
    assert rows, "no young post was tracked"
    # Every hourly row is a post published within the 48 hours before 10:59:59.
    young = conn.execute(
        "SELECT count(*) FROM social_post_metrics m JOIN social_posts_analytics p ON p.id = m.post_id "
        "WHERE m.snapshot_hour = 10 AND p.posted_at <= %s::timestamp - interval '48 hours'",
        (f"{DAY + timedelta(days=1)} 10:59:59",),
    ).fetchone()[0]
    assert young == 0
    assert run_hour(key).success  # re-run: replaced, not duplicated
    assert _hourly(conn, 10) == rows
    assert conn.execute("SELECT count(*) FROM social_post_metrics WHERE snapshot_hour IS NULL").fetchone()[0] == daily
    # An hour later the same posts have at least as many views (views accumulate).
    assert run_hour(f"{DAY + timedelta(days=1)}-11:00").success
    later = {pid: v for _, pid, v in _hourly(conn, 11)}
    assert all(later[pid] >= v for _, pid, v in rows if pid in later and v is not None)
    raw_hours = conn.execute("SELECT DISTINCT partition_hour FROM social_raw_pulls WHERE partition_hour IS NOT NULL").fetchall()
    assert sorted(r[0] for r in raw_hours) == [10, 11]


def test_sub_daily_frequency_pulls_everything_at_its_hours(db_url, conn):
    seed(conn, posts_per_fetch=5)
    assert run_day(DAY).success
    conn.execute("UPDATE social_analytics_config SET fetch_frequency = '6 hours' WHERE social_account_id = "
                 "(SELECT id FROM social_accounts WHERE platform = 'youtube')")
    assert run_hour(f"{DAY + timedelta(days=1)}-12:00").success
    at_12 = [r for r in _hourly(conn, 12) if r[0] == "youtube"]
    assert len(at_12) >= 5  # a full pull: the newest five and any young ones
    assert run_hour(f"{DAY + timedelta(days=1)}-13:00").success
    at_13 = [r for r in _hourly(conn, 13) if r[0] == "youtube"]
    assert len(at_13) < len(at_12)  # 13 is not a multiple of 6: young posts only


def test_weekly_frequency_skips_days(db_url, conn):
    seed(conn, posts_per_fetch=2)
    conn.execute("UPDATE social_analytics_config SET fetch_frequency = '7 days' WHERE social_account_id = "
                 "(SELECT id FROM social_accounts WHERE platform = 'pinterest')")
    for offset in range(3):
        assert run_day(DAY + timedelta(days=offset)).success
    days = [r[0] for r in conn.execute(
        "SELECT DISTINCT partition_date FROM social_raw_pulls WHERE platform = 'pinterest' ORDER BY 1")]
    assert days == [DAY]
    others = conn.execute("SELECT count(DISTINCT partition_date) FROM social_raw_pulls WHERE platform = 'tiktok'").fetchone()[0]
    assert others == 3


def _pulled_at(conn, platform, hour) -> int:
    return conn.execute("SELECT count(*) FROM social_raw_pulls WHERE platform = %s AND partition_hour = %s",
                        (platform, hour)).fetchone()[0]


def test_an_account_whose_circuit_is_open_costs_no_hourly_request(db_url, conn):
    seed(conn, posts_per_fetch=2)
    assert run_day(DAY).success
    account = conn.execute("SELECT id::text FROM social_accounts WHERE platform = 'tiktok'").fetchone()[0]
    # Pulled every hour, so without the breaker each hour sends it a request.
    conn.execute("UPDATE social_analytics_config SET fetch_frequency = '1 hour' WHERE social_account_id = %s", (account,))
    next_day = DAY + timedelta(days=1)
    assert run_hour(f"{next_day}-10:00").success
    assert _pulled_at(conn, "tiktok", 10) > 0
    # Its newest daily pull failed permanently (the token was revoked): the circuit opens.
    conn.execute(
        "INSERT INTO social_fetch_jobs (social_account_id, job_type, status, platform, partition_date, started_at, "
        "completed_at, error_message, error_kind) VALUES (%s, 'daily', 'failed', 'tiktok', %s, "
        "now() AT TIME ZONE 'UTC' - interval '1 minute', now() AT TIME ZONE 'UTC', "
        "'tiktok/demo.creator: /v2/user/info/: HTTP 401', 'permanent')", (account, next_day))
    result = run_hour(f"{next_day}-11:00")
    assert result.success
    assert _pulled_at(conn, "tiktok", 11) == 0
    hourly = result.asset_materializations_for_node("social_post_metrics_hourly")[0]
    assert hourly.metadata["skipped_open_circuit"].value == 1
    # The user asks for a retry: the next hour pulls it again.
    breaker.reset(conn, account)
    assert run_hour(f"{next_day}-12:00").success
    assert _pulled_at(conn, "tiktok", 12) > 0
