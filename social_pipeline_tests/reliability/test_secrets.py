"""No credential leaks: not into any table, log line, stdout/stderr or Dagster event.

Accounts carry known fake secrets (a rejected access token, an expired token with a refresh token
that the token endpoint refuses, platform credentials from the environment: a YouTube API key, an
X app bearer token, X OAuth client id/secret); a day is run clean and again with injected faults.
Everything observable is then searched for every secret.
"""

from __future__ import annotations

import logging
from datetime import date

from dagster import DagsterInstance

from social_pipeline.simulator import demo_token
from social_pipeline.simulator.faults import FAULTS_ENV
from social_pipeline.ingest.pulling import RETRY_ENV
from social_pipeline_tests.pipeline.helpers import run_day, seed

DAY = date(2026, 11, 12)
REJECTED = "sk-live-SECRET-123"
YT_KEY = "demo-YTKEY-SECRET-456"  # the simulator accepts API keys starting with "demo"
X_BEARER = "demo-token-twitter-appbearer-SECRET-789"
X_CLIENT_ID = "client-id-SECRET-321"
X_CLIENT_SECRET = "client-secret-SECRET-654"
EXPIRED = demo_token("twitter", "expiredcreator-SECRET-987") + "-expired"  # "-expired": the simulator's 401
REFRESH = "sk-refresh-SECRET-000"


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(record.getMessage())
        except Exception:  # noqa: BLE001
            self.lines.append(repr(record.msg))
        self.lines.append(repr(record.args))
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


def _accounts(conn):
    seed(conn, posts_per_fetch=3)
    # TikTok: a live-looking token the API rejects (401 error path).
    conn.execute("UPDATE social_accounts SET access_token = %s WHERE platform = 'tiktok'", (REJECTED,))
    # YouTube: no user token, the platform API key from the environment.
    conn.execute("UPDATE social_accounts SET access_token = NULL WHERE platform = 'youtube'")
    # X: the demo account on the app bearer token; a second account with an expired token due for
    # refresh, whose refresh token the token endpoint refuses.
    conn.execute("UPDATE social_accounts SET access_token = NULL WHERE platform = 'twitter'")
    account = conn.execute(
        "INSERT INTO social_accounts (platform, handle, access_token, refresh_token, token_expires_at) "
        "VALUES ('twitter', 'expiredcreator', %s, %s, now() - interval '1 day') RETURNING id",
        (EXPIRED, REFRESH),
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO social_analytics_config (social_account_id, posts_per_fetch, provider_name) VALUES (%s, 3, 'demo')",
        (account,),
    )
    demo_tokens = [r[0] for r in conn.execute("SELECT access_token FROM social_accounts WHERE access_token LIKE 'demo-token-%%'")]
    return demo_tokens


def _everything_in_the_database(conn) -> list[str]:
    texts = []
    tables = [r[0] for r in conn.execute(
        "SELECT table_schema || '.' || quote_ident(table_name) FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
    )]
    assert "public.social_raw_pulls" in tables and "public.social_accounts" in tables
    for table in tables:
        if table == "public.social_accounts":
            query = "SELECT (to_jsonb(t) - 'access_token' - 'refresh_token')::text FROM public.social_accounts t"
        else:
            query = f"SELECT row_to_json(t)::text FROM {table} t"
        texts.extend(r[0] for r in conn.execute(query))
    return texts


def _events(instance: DagsterInstance, result) -> list[str]:
    out = []
    for entry in instance.all_logs(result.run_id):
        out.append(entry.user_message or "")
        out.append(repr(entry))  # the event, its metadata and error info
    for event in result.all_events:
        out.append(event.message or "")
        out.append(repr(event.event_specific_data))
    return out


def test_no_secret_reaches_tables_logs_output_or_events(db_url, conn, capfd, monkeypatch):
    demo_tokens = _accounts(conn)
    secrets = [REJECTED, YT_KEY, X_BEARER, X_CLIENT_ID, X_CLIENT_SECRET, EXPIRED, REFRESH, *demo_tokens]
    monkeypatch.setenv("SOCIAL_PIPELINE_YOUTUBE_API_KEY", YT_KEY)
    monkeypatch.setenv("SOCIAL_PIPELINE_TWITTER_BEARER_TOKEN", X_BEARER)
    monkeypatch.setenv("SOCIAL_PIPELINE_TWITTER_CLIENT_ID", X_CLIENT_ID)
    monkeypatch.setenv("SOCIAL_PIPELINE_TWITTER_CLIENT_SECRET", X_CLIENT_SECRET)
    monkeypatch.setenv(RETRY_ENV, "0")

    handler = Collect()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    seen: list[str] = []
    try:
        for faults in (None, "rate=0.3,seed=5,retry_after=0"):
            if faults:
                monkeypatch.setenv(FAULTS_ENV, faults)
            with DagsterInstance.ephemeral() as instance:
                result = run_day(DAY, instance=instance, raise_on_error=False)
                assert result.success
                seen.extend(_events(instance, result))
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    captured = capfd.readouterr()
    seen += handler.lines + [captured.out, captured.err]
    rows = _everything_in_the_database(conn)
    seen += rows

    # The error paths really ran: a rejected token, an expired one, a refused refresh.
    jobs = dict(conn.execute(
        "SELECT a.handle || '/' || a.platform, j.status FROM social_fetch_jobs j JOIN social_accounts a ON a.id = j.social_account_id"
    ).fetchall())
    assert jobs["demo.creator/tiktok"] == "failed" and jobs["expiredcreator/twitter"] == "failed"
    assert jobs["democreator/youtube"] == "completed" and jobs["democreator/twitter"] == "completed"
    assert any("token refresh failed" in line for line in seen)
    assert conn.execute("SELECT count(*) FROM social_raw_pulls WHERE NOT ok AND status_code = 401").fetchone()[0] > 0
    assert len(rows) > 100 and len(seen) > 1000

    for secret in secrets:
        hits = [text for text in seen if secret in text]
        assert not hits, f"{secret!r} leaked: {hits[0][:300]!r}"
    # The token columns still hold them (what we excluded is really where the secrets live).
    assert conn.execute("SELECT count(*) FROM social_accounts WHERE access_token = %s", (REJECTED,)).fetchone()[0] == 1


def test_views_do_not_expose_tokens(db_url, conn):
    views = [r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.views WHERE table_schema = 'public'"
    )]
    assert {"social_analytics_latest", "social_post_performance"} <= set(views)
    exposed = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = ANY(%s) AND (column_name ILIKE '%%token%%' OR column_name ILIKE '%%secret%%')",
        (views,),
    ).fetchall()
    assert exposed == []
    # Nor through a whole-row value of social_accounts (a json/record column carrying the row).
    _accounts(conn)
    for view in views:
        for (text,) in conn.execute(f"SELECT row_to_json(v)::text FROM {view} v"):
            assert REJECTED not in text and "demo-token-" not in text and REFRESH not in text
    functions = conn.execute(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p') AND pg_get_functiondef(p.oid) ILIKE '%%access_token%%'"
    ).fetchall()
    assert functions == []
