"""Connectors under real-world trouble, through the whole graph: injected 429s (with
Retry-After), 5xx, timeouts, truncated and HTML bodies; a platform served by a real HTTP server
on loopback through its base-URL variable."""

import threading
from datetime import date, datetime, timezone

import psycopg

from social_pipeline.simulator import demo_token
from social_pipeline.simulator.faults import FAULTS_ENV
from social_pipeline.simulator.server import make_server
from social_pipeline.ingest.pulling import RETRY_ENV
from social_pipeline.ingest.pulling import end_of_day
from social_pipeline_tests.pipeline.helpers import counts, run_day, seed, yesterday

DAY = date(2026, 11, 18)
NORMALIZED = """
SELECT p.platform, p.external_post_id, m.views_count, m.likes_count, m.comments_count, m.engagement_rate
FROM social_post_metrics m JOIN social_posts_analytics p ON p.id = m.post_id ORDER BY 1, 2
"""


def test_injected_faults_change_no_row_and_the_ledger_counts_retries(db_url, conn, monkeypatch):
    seed(conn, posts_per_fetch=6)
    assert run_day(DAY).success
    clean_counts = counts(conn)
    clean_rows = conn.execute(NORMALIZED).fetchall()
    clean_snapshots = conn.execute(
        "SELECT social_account_id, followers_count, total_views FROM social_analytics_snapshots ORDER BY 1"
    ).fetchall()
    clean_requests = conn.execute("SELECT sum(request_count) FROM social_api_usage").fetchone()[0]
    assert conn.execute("SELECT coalesce(sum(retries), 0) FROM social_api_usage").fetchone()[0] == 0

    monkeypatch.setenv(FAULTS_ENV, "rate=0.3,seed=11,retry_after=0")
    monkeypatch.setenv(RETRY_ENV, "0")
    result = run_day(DAY, fresh=True)  # pull again (a plain re-run rebuilds the day from its stored pulls)
    assert result.success
    assert {(e.asset_key.path[-1], e.passed) for e in result.get_asset_check_evaluations() if e.check_name == "all_accounts_pulled"} == {
        (p, True) for p in ("tiktok", "instagram", "youtube", "twitter", "facebook", "pinterest", "bluesky", "threads", "linkedin")
    }
    faulty_counts = counts(conn)
    # Every row the fault-free run gave, and no more; only the raw ledger grew by the failed attempts.
    raw_growth = faulty_counts.pop("social_raw_pulls") - clean_counts.pop("social_raw_pulls")
    usage_growth = faulty_counts.pop("social_api_usage") - clean_counts.pop("social_api_usage")
    assert faulty_counts == clean_counts
    assert conn.execute(NORMALIZED).fetchall() == clean_rows
    assert conn.execute(
        "SELECT social_account_id, followers_count, total_views FROM social_analytics_snapshots ORDER BY 1"
    ).fetchall() == clean_snapshots
    retries = conn.execute("SELECT sum(retries) FROM social_api_usage").fetchone()[0]
    failed = conn.execute("SELECT coalesce(sum(request_count), 0) FROM social_api_usage WHERE NOT success").fetchone()[0]
    total = conn.execute("SELECT sum(request_count) FROM social_api_usage").fetchone()[0]
    assert raw_growth == retries == failed > 0 and usage_growth > 0
    assert total == clean_requests + retries
    statuses = {r[0] for r in conn.execute("SELECT DISTINCT status_code FROM social_raw_pulls WHERE NOT ok")}
    assert {429, 500} <= statuses or {429, 503} <= statuses
    assert conn.execute("SELECT count(*) FROM social_raw_pulls WHERE NOT ok AND status_code IS NULL").fetchone()[0] > 0
    jobs = {r[0] for r in conn.execute("SELECT status FROM social_fetch_jobs")}
    assert jobs == {"completed"}


def test_a_platform_served_over_http_by_its_base_url(db_url, conn, monkeypatch):
    # A source reached over HTTP is live: it answers as of now, so the day it observes is yesterday.
    day = yesterday()
    as_of = end_of_day(day)
    server = make_server("bluesky", port=0, as_of=as_of)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("SOCIAL_PIPELINE_BLUESKY_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
        handle = "someone.bsky.social"
        account = conn.execute(
            "INSERT INTO social_accounts (platform, handle, access_token) VALUES ('bluesky', %s, %s) RETURNING id",
            (handle, demo_token("bluesky", handle)),
        ).fetchone()[0]
        conn.execute("INSERT INTO social_analytics_config (social_account_id, posts_per_fetch) VALUES (%s, 7)", (account,))
        assert run_day(day).success
    finally:
        server.shutdown()
        server.server_close()
    assert conn.execute("SELECT status, posts_fetched FROM social_fetch_jobs").fetchall() == [("completed", 7)]
    posts = conn.execute("SELECT count(*), min(post_url) FROM social_posts_analytics WHERE platform = 'bluesky'").fetchone()
    assert posts[0] == 7 and posts[1].startswith(f"https://bsky.app/profile/{handle}/post/")
    provider = conn.execute("SELECT DISTINCT provider_name FROM social_raw_pulls").fetchall()
    assert provider == [("official",)]
    from social_pipeline.simulator import world
    followers = conn.execute("SELECT followers_count FROM social_analytics_snapshots").fetchone()[0]
    assert followers == world.account("bluesky", handle).followers(as_of)
