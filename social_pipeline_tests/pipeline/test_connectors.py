"""Connector behaviour through the graph: refresh of older posts inside their update window, an
expired token for one account, token refresh before expiry, the live fetch-job ledger."""

from datetime import date, datetime, timedelta, timezone

from social_pipeline.platforms import PLATFORMS, spec
from social_pipeline.simulator import demo_token
from social_pipeline_tests.pipeline.helpers import run_day, seed

DAY = date(2026, 11, 10)


def test_posts_inside_their_update_window_keep_getting_metrics(db_url, conn):
    seed(conn, posts_per_fetch=3)
    assert run_day(DAY).success
    later = DAY + timedelta(days=6)
    # The posts the first day tracked that are still inside their platform's window on the later day.
    first = {}
    for key, platform, posted_at in conn.execute(
            "SELECT platform || ':' || external_post_id, platform, posted_at FROM social_posts_analytics"):
        window = spec(platform).client.update_window_days
        if posted_at >= datetime.combine(later - timedelta(days=window), datetime.min.time()):
            first[key] = platform
    assert len(first) >= 3 * len(PLATFORMS)
    assert run_day(later).success
    measured_later = {r[0] for r in conn.execute(
        "SELECT p.platform || ':' || p.external_post_id FROM social_post_metrics m "
        "JOIN social_posts_analytics p ON p.id = m.post_id WHERE m.snapshot_date = %s", (later,))}
    newest_later = conn.execute(
        "SELECT count(*) FROM social_posts_analytics WHERE last_seen_date = %s", (later,)).fetchone()[0]
    # Every post from the first day is younger than its platform's window, so all are refreshed.
    missing = sorted(k for k in first if k not in measured_later)
    assert not missing, missing
    assert newest_later >= len(first)
    # Follower growth is the change since the previous snapshot (six days earlier here).
    from social_pipeline.ingest.pulling import end_of_day
    from social_pipeline.simulator import world
    handle = conn.execute("SELECT handle FROM social_accounts WHERE platform = 'tiktok'").fetchone()[0]
    growth = conn.execute(
        "SELECT s.follower_growth FROM social_analytics_snapshots s JOIN social_accounts a ON a.id = s.social_account_id "
        "WHERE a.platform = 'tiktok' AND s.snapshot_date = %s", (later,)).fetchone()[0]
    acct = world.account("tiktok", handle)
    assert growth == acct.followers(end_of_day(later)) - acct.followers(end_of_day(DAY))
    # And refreshing created no duplicate posts.
    assert conn.execute("SELECT count(*) FROM social_posts_analytics").fetchone()[0] == len(
        {r[0] for r in conn.execute("SELECT platform || ':' || external_post_id FROM social_posts_analytics")})


def test_expired_token_fails_only_that_account_with_a_clear_message(db_url, conn):
    seed(conn, posts_per_fetch=3)
    handle = conn.execute("SELECT handle FROM social_accounts WHERE platform = 'instagram'").fetchone()[0]
    conn.execute("UPDATE social_accounts SET access_token = %s WHERE platform = 'instagram'",
                 (demo_token("instagram", handle) + "-expired",))
    result = run_day(DAY)
    assert result.success
    jobs = dict(conn.execute("SELECT platform, status FROM social_fetch_jobs").fetchall())
    assert jobs.pop("instagram") == "failed" and set(jobs.values()) == {"completed"}
    message = conn.execute("SELECT error_message FROM social_fetch_jobs WHERE platform = 'instagram'").fetchone()[0]
    assert f"instagram/{handle}" in message and "expired" in message.lower()
    assert "-expired" not in message  # the token itself never appears
    others = conn.execute("SELECT count(DISTINCT platform) FROM social_posts_analytics").fetchone()[0]
    assert others == len(PLATFORMS) - 1


def test_token_refreshed_before_expiry_and_stored(db_url, conn, monkeypatch):
    seed(conn, posts_per_fetch=3)
    monkeypatch.setenv("SOCIAL_PIPELINE_TIKTOK_CLIENT_KEY", "demo-client-key")
    monkeypatch.setenv("SOCIAL_PIPELINE_TIKTOK_CLIENT_SECRET", "demo-client-secret")
    handle = conn.execute("SELECT handle FROM social_accounts WHERE platform = 'tiktok'").fetchone()[0]
    soon = datetime.now(timezone.utc) + timedelta(hours=2)
    conn.execute("INSERT INTO social_account_credentials (social_account_id, refresh_token, token_expires_at) "
                 "SELECT id, %s, %s FROM social_accounts WHERE platform = 'tiktok'", (f"demo-refresh-{handle}", soon))
    result = run_day(DAY)
    assert result.success
    token, expires, refreshed = conn.execute(
        "SELECT a.access_token, k.token_expires_at, k.token_refreshed_at FROM social_accounts a "
        "JOIN social_account_credentials k ON k.social_account_id = a.id WHERE a.platform = 'tiktok'"
    ).fetchone()
    assert refreshed is not None and expires > soon + timedelta(hours=12)
    assert conn.execute("SELECT status FROM social_fetch_jobs WHERE platform = 'tiktok'").fetchone()[0] == "completed"
    # The token health check warns about nothing now; it would have before the refresh.
    token_checks = {e.asset_key.path[-1]: e.passed for e in result.get_asset_check_evaluations()
                    if e.check_name == "tokens_not_expiring"}
    assert token_checks["tiktok"] is True
    assert "demo-client-secret" not in str(conn.execute("SELECT request_params, payload FROM social_raw_pulls").fetchall())


def test_expiring_token_without_refresh_is_surfaced(db_url, conn, capsys):
    seed(conn, posts_per_fetch=3)
    conn.execute("INSERT INTO social_account_credentials (social_account_id, token_expires_at) "
                 "SELECT id, now() + interval '3 days' FROM social_accounts WHERE platform = 'youtube'")
    result = run_day(DAY)
    checks = {e.asset_key.path[-1]: e.passed for e in result.get_asset_check_evaluations()
              if e.check_name == "tokens_not_expiring"}
    assert checks["youtube"] is False and checks["tiktok"] is True
    from social_pipeline import cli
    assert cli.main(["accounts", "list"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("youtube"))
    assert "EXPIRES WITHIN 7 DAYS" in line


def test_rapidapi_provider_served_over_http(db_url, conn, monkeypatch):
    import threading

    from social_pipeline.simulator.server import make_server

    from social_pipeline.ingest.pulling import end_of_day
    from social_pipeline_tests.pipeline.helpers import yesterday

    day = yesterday()  # a source over HTTP answers as of now: it observes yesterday
    server = make_server("tiktok_rapidapi", port=0, as_of=end_of_day(day))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("SOCIAL_PIPELINE_TIKTOK_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.setenv("SOCIAL_PIPELINE_TIKTOK_RAPIDAPI_KEY", "demo-rapidapi-key-123")
        account = conn.execute(
            "INSERT INTO social_accounts (platform, handle) VALUES ('tiktok', 'isaiah_dupree') RETURNING id").fetchone()[0]
        conn.execute("INSERT INTO social_analytics_config (social_account_id, posts_per_fetch, provider_name) "
                     "VALUES (%s, 4, 'rapidapi_tiktok')", (account,))
        assert run_day(day).success
    finally:
        server.shutdown()
        server.server_close()
    assert conn.execute("SELECT status, posts_fetched, error_message FROM social_fetch_jobs").fetchall() == [("completed", 4, None)]
    assert conn.execute("SELECT DISTINCT provider_name FROM social_api_usage").fetchall() == [("rapidapi_tiktok",)]
    saves = conn.execute("SELECT count(*) FROM social_post_metrics WHERE saves_count IS NOT NULL").fetchone()[0]
    assert saves == 4
    assert "demo-rapidapi-key-123" not in str(conn.execute("SELECT request_params, payload, error FROM social_raw_pulls").fetchall())


def test_unsupported_provider_fails_that_account_only(db_url, conn):
    seed(conn, posts_per_fetch=2)
    conn.execute("UPDATE social_analytics_config SET provider_name = 'scrapingbee' WHERE social_account_id = "
                 "(SELECT id FROM social_accounts WHERE platform = 'youtube')")
    assert run_day(DAY).success
    jobs = dict(conn.execute("SELECT platform, error_message FROM social_fetch_jobs WHERE status = 'failed'").fetchall())
    assert list(jobs) == ["youtube"] and "'scrapingbee' is not supported" in jobs["youtube"]
