"""Unreachable accounts are cheap: the circuit breaker kept in social_fetch_jobs (issue 14)."""

from datetime import date, timedelta

import pytest

from social_pipeline.ingest import breaker
from social_pipeline.ingest.pulling import RETRY_ENV
from social_pipeline.platforms.base import AUTH_HINT
from social_pipeline.simulator import demo_token
from social_pipeline_tests.pipeline.helpers import run_day, seed

DAY = date(2026, 11, 2)


@pytest.mark.parametrize(("status", "message", "permanent"), [
    (401, f"tiktok/x: /v2/user/info/: HTTP 401: {AUTH_HINT[401]}", True),
    (403, f"instagram/x: media: HTTP 403: {AUTH_HINT[403]}", True),
    (404, "youtube/x: channels.list: HTTP 404 {\"error\": {\"message\": \"Channel not found\"}}", True),
    (None, "youtube/x: unsupported provider 'scrapingbee' for youtube", True),
    (429, "twitter/x: tweets: HTTP 429 Too Many Requests (after 5 attempts)", False),
    (503, "facebook/x: posts: HTTP 503 Service Unavailable (after 5 attempts)", False),
    (None, "bluesky/x: getProfile: ConnectionError: connection refused (after 5 attempts)", False),
    (None, "threads/x: threads: ReadTimeout: read timed out (after 5 attempts)", False),
    (400, "linkedin/x: posts: HTTP 400 {\"message\": \"bad request\"}", False),
    (401, "pinterest/x: boards: HTTP 401 {}", True),  # the status alone tells
    (429, "pinterest/x: boards: HTTP 429 {}", False),
    (400, "tiktok/x: /v2/video/list/: HTTP 400 {\"error\": {\"code\": \"rate_limit_exceeded\"}}", False),
    (502, "bluesky/x: getProfile: HTTP 502 Bad Gateway: upstream host not found", False),  # 5xx: whatever the text
    # Throttling answered with 403/400: the quota resets, so retrying later does help.
    (403, "youtube account @x: videos.list: the daily YouTube Data API quota is spent (403 quotaExceeded); "
          "it resets at midnight Pacific time (2026-11-03 08:00 UTC, in 5.0 h): pull again after that", False),
    (400, "instagram/x: media: HTTP 400 (#4) Application request limit reached", False),
])
def test_permanent_errors_are_told_from_transient_ones(status, message, permanent):
    assert breaker.is_permanent(status, message) is permanent


def _job(conn, account, day, status, kind=None):
    conn.execute(
        "INSERT INTO social_fetch_jobs (social_account_id, job_type, status, platform, partition_date, started_at, "
        "completed_at, error_message, error_kind) VALUES (%s, 'daily', %s, 'tiktok', %s, %s, %s, %s, %s)",
        (account, status, day, day, day + timedelta(hours=1), None if status == "completed" else "tiktok/x: HTTP 503", kind),
    )


@pytest.fixture
def account(conn):
    seed(conn)
    return conn.execute("SELECT id::text FROM social_accounts WHERE platform = 'tiktok'").fetchone()[0]


def test_the_circuit_opens_after_n_failures_in_a_row_and_a_retry_closes_it(conn, account, monkeypatch):
    monkeypatch.setenv(breaker.THRESHOLD_ENV, "3")
    first = date(2026, 11, 1)
    _job(conn, account, first, "failed", "transient")
    _job(conn, account, first + timedelta(days=1), "failed", "transient")
    assert breaker.open_circuits(conn, [account]) == {}
    _job(conn, account, first + timedelta(days=2), "completed")  # a success in between
    _job(conn, account, first + timedelta(days=3), "failed", "transient")
    _job(conn, account, first + timedelta(days=4), "failed", "transient")
    assert breaker.open_circuits(conn, [account]) == {}
    _job(conn, account, first + timedelta(days=5), "failed", "transient")
    reason = breaker.open_circuits(conn, [account])[account]
    assert "3 failed pulls in a row since 2026-11-04" in reason and "accounts retry tiktok" in reason
    breaker.reset(conn, account)
    assert breaker.open_circuits(conn, [account]) == {}


def test_a_permanent_error_opens_the_circuit_at_once(conn, account):
    _job(conn, account, date(2026, 11, 1), "failed", "permanent")
    assert "failed permanently" in breaker.open_circuits(conn, [account])[account]


def _tiktok_requests(conn) -> int:
    return conn.execute("SELECT count(*) FROM social_raw_pulls WHERE platform = 'tiktok'").fetchone()[0]


def test_a_revoked_account_stops_costing_requests_until_the_user_retries(db_url, conn, monkeypatch):
    monkeypatch.setenv(RETRY_ENV, "0")
    seed(conn, posts_per_fetch=2)
    account = conn.execute("SELECT id::text FROM social_accounts WHERE platform = 'tiktok'").fetchone()[0]
    conn.execute("UPDATE social_accounts SET access_token = 'revoked-secret-value' WHERE id = %s", (account,))
    # A three-day run (as a backfill runs): the first day's 401 is permanent, the other days skip it.
    tags = {"dagster/asset_partition_range_start": DAY.isoformat(),
            "dagster/asset_partition_range_end": (DAY + timedelta(days=2)).isoformat()}
    assert run_day(DAY, tags=tags).success
    jobs = conn.execute("SELECT partition_date, status, error_kind, error_message FROM social_fetch_jobs "
                        "WHERE social_account_id = %s ORDER BY partition_date", (account,)).fetchall()
    assert [(j[1], j[2]) for j in jobs] == [("failed", "permanent"), ("skipped", None), ("skipped", None)]
    assert "401" in jobs[0][3] and "permanent error" in jobs[1][3] and "revoked-secret-value" not in str(jobs)
    spent = _tiktok_requests(conn)
    # The next day's scheduled run skips it, and says why.
    assert run_day(DAY + timedelta(days=3)).success
    assert _tiktok_requests(conn) == spent
    status, message = conn.execute("SELECT status, error_message FROM social_fetch_jobs WHERE social_account_id = %s "
                                   "AND partition_date = %s", (account, DAY + timedelta(days=3))).fetchone()
    assert status == "skipped" and "circuit open" in message and "accounts retry tiktok" in message
    # The user fixes the token and retries: the next run pulls it again.
    conn.execute("UPDATE social_accounts SET access_token = %s WHERE id = %s", (demo_token("tiktok", "demo.creator"), account))
    breaker.reset(conn, account)
    assert run_day(DAY + timedelta(days=4)).success
    assert _tiktok_requests(conn) > spent
    assert conn.execute("SELECT status FROM social_fetch_jobs WHERE social_account_id = %s AND partition_date = %s",
                        (account, DAY + timedelta(days=4))).fetchone() == ("completed",)


def test_an_unreachable_api_fails_fast_instead_of_pulling_every_account(db_url, conn, monkeypatch):
    monkeypatch.setenv(RETRY_ENV, "0")
    monkeypatch.setenv("SOCIAL_PIPELINE_BLUESKY_BASE_URL", "http://127.0.0.1:9")  # nothing listens on port 9
    for handle in ("one.bsky.social", "two.bsky.social", "three.bsky.social"):
        account = conn.execute("INSERT INTO social_accounts (platform, handle, access_token) VALUES ('bluesky', %s, %s) "
                               "RETURNING id", (handle, demo_token("bluesky", handle))).fetchone()[0]
        conn.execute("INSERT INTO social_analytics_config (social_account_id) VALUES (%s)", (account,))
    assert run_day(DAY).success
    statuses = sorted(r[0] for r in conn.execute("SELECT status FROM social_fetch_jobs"))
    assert statuses == ["failed", "skipped", "skipped"]
    message = conn.execute("SELECT error_message FROM social_fetch_jobs WHERE status = 'skipped' LIMIT 1").fetchone()[0]
    assert "bluesky API unreachable" in message
    # Only the first account's attempts reached for the network.
    assert conn.execute("SELECT count(DISTINCT social_account_id) FROM social_raw_pulls").fetchone()[0] == 1
