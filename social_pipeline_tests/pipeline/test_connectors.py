"""Connector behaviour through the graph: refresh of older posts inside their update window, an
expired token for one account, token refresh before expiry, the live fetch-job ledger."""

from datetime import date, datetime, timedelta, timezone

from social_pipeline.platforms import PLATFORMS
from social_pipeline.simulator import demo_token
from social_pipeline_tests.pipeline.helpers import run_day, seed

DAY = date(2026, 11, 10)


def test_posts_inside_their_update_window_keep_getting_metrics(db_url, conn):
    seed(conn, posts_per_fetch=3)
    assert run_day(DAY).success
    first = {r[0]: r[1] for r in conn.execute(
        "SELECT platform || ':' || external_post_id, id FROM social_posts_analytics")}
    later = DAY + timedelta(days=6)
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
    conn.execute("UPDATE social_accounts SET refresh_token = %s, token_expires_at = %s WHERE platform = 'tiktok'",
                 (f"demo-refresh-{handle}", soon))
    result = run_day(DAY)
    assert result.success
    token, expires, refreshed = conn.execute(
        "SELECT access_token, token_expires_at, token_refreshed_at FROM social_accounts WHERE platform = 'tiktok'"
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
    conn.execute("UPDATE social_accounts SET token_expires_at = now() + interval '3 days' WHERE platform = 'youtube'")
    result = run_day(DAY)
    checks = {e.asset_key.path[-1]: e.passed for e in result.get_asset_check_evaluations()
              if e.check_name == "tokens_not_expiring"}
    assert checks["youtube"] is False and checks["tiktok"] is True
    from social_pipeline import cli
    assert cli.main(["accounts", "list"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("youtube"))
    assert "EXPIRES WITHIN 7 DAYS" in line
