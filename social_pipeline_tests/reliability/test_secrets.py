"""No credential leaks: not into any table, log line, stdout/stderr, Dagster event or file.

Accounts carry known fake secrets (a rejected access token, an expired token with a refresh token
that the token endpoint refuses, every platform's demo user token, tokens due for renewal on the
platforms that renew them with app credentials, and every app-level credential setting each
platform's spec declares, from the environment: a YouTube API key, an X app bearer token, OAuth
client ids/secrets, Meta app ids/secrets, a RapidAPI key); a day is run clean and again with
injected faults. Everything observable is then searched for every secret: every table (all columns,
JSONB included, as text), every Dagster event log entry, every file the Dagster instance wrote
(event logs, compute logs), every parse-cache file, log records and the process's output.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

import requests
from dagster import DagsterInstance

from social_pipeline.ingest.parsed_pulls import cache_dir
from social_pipeline.ingest.pulling import PullResult, raw_rows
from social_pipeline.ingest.settings import env_name
from social_pipeline.platforms import SPECS
from social_pipeline.platforms.base import SECRET_KEYS, AccountRef, HttpClient
from social_pipeline.platforms.spec import SECRET_SETTINGS
from social_pipeline.simulator import demo_token
from social_pipeline.simulator.faults import FAULTS_ENV
from social_pipeline.ingest import breaker
from social_pipeline.ingest.pulling import RETRY_ENV
from social_pipeline_tests.pipeline.helpers import run_day, seed
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

DAY = date(2026, 11, 12)
REJECTED = "sk-live-SECRET-123"
YT_KEY = "demo-YTKEY-SECRET-456"  # the simulator accepts API keys starting with "demo"
X_BEARER = "demo-token-twitter-appbearer-SECRET-789"
X_CLIENT_ID = "client-id-SECRET-321"
X_CLIENT_SECRET = "client-secret-SECRET-654"
EXPIRED = demo_token("twitter", "expiredcreator-SECRET-987") + "-expired"  # "-expired": the simulator's 401
REFRESH = "sk-refresh-SECRET-000"
# Every app-level credential each platform's spec declares, with a value found nowhere else. The
# simulators accept API keys and app bearer tokens by prefix ("demo", "demo-token-twitter-").
GIVEN = {
    ("youtube", "api_key"): YT_KEY,
    ("twitter", "bearer_token"): X_BEARER,
    ("twitter", "client_id"): X_CLIENT_ID,
    ("twitter", "client_secret"): X_CLIENT_SECRET,
    ("tiktok", "rapidapi_key"): "demo-RAPIDAPI-SECRET-1357",
}
APP_CREDENTIALS = {
    env_name(platform, name): GIVEN.get((platform, name), f"{name.replace('_', '-')}-{platform.upper()}-SECRET-{i:04d}")
    for i, (platform, s) in enumerate(SPECS.items())
    for name in s.all_settings
    if name in SECRET_SETTINGS
}
# Accounts whose token is due for renewal with the platform's app credentials (Meta's exchange,
# OAuth refresh with a client id/secret): the renewal runs, and so does its error path.
RENEWED = ("instagram", "facebook", "threads", "pinterest", "linkedin")


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
        "INSERT INTO social_accounts (platform, handle, access_token) VALUES ('twitter', 'expiredcreator', %s) RETURNING id",
        (EXPIRED,),
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO social_account_credentials (social_account_id, refresh_token, token_expires_at) "
        "VALUES (%s, %s, now() - interval '1 day')", (account, REFRESH),
    )
    conn.execute(
        "INSERT INTO social_analytics_config (social_account_id, posts_per_fetch, provider_name) VALUES (%s, 3, 'demo')",
        (account,),
    )
    # YouTube and X: also an account on its own user token (OAuth), beside the app credentials.
    for platform, handle in (("youtube", "oauthcreator"), ("twitter", "usercreator")):
        account = conn.execute(
            "INSERT INTO social_accounts (platform, handle, access_token) VALUES (%s, %s, %s) RETURNING id",
            (platform, handle, demo_token(platform, handle)),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO social_analytics_config (social_account_id, posts_per_fetch, provider_name) VALUES (%s, 3, 'demo')",
            (account,),
        )
    conn.execute(
        "INSERT INTO social_account_credentials (social_account_id, refresh_token, token_expires_at) "
        "SELECT id, 'demo-refresh-' || handle, now() + interval '1 hour' FROM social_accounts WHERE platform = ANY(%s) "
        "ON CONFLICT (social_account_id) DO UPDATE SET refresh_token = EXCLUDED.refresh_token, "
        "token_expires_at = EXCLUDED.token_expires_at",
        (list(RENEWED),),
    )
    demo_tokens = [r[0] for r in conn.execute("SELECT access_token FROM social_accounts WHERE access_token LIKE 'demo-token-%%'")]
    return demo_tokens


def _stored_tokens(conn) -> list[str]:
    """Every token the accounts hold now (renewed ones included)."""
    rows = conn.execute("SELECT a.access_token, k.refresh_token FROM social_accounts a "
                        "LEFT JOIN social_account_credentials k ON k.social_account_id = a.id").fetchall()
    return [value for row in rows for value in row if value]


def _files(*folders) -> list[str]:
    """The text of every file under ``folders`` (binary files read as UTF-8 with replacement)."""
    out = []
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.is_file():
                out.append(path.read_bytes().decode("utf-8", errors="replace"))
    return out


def _everything_in_the_database(conn) -> list[str]:
    texts = []
    tables = [r[0] for r in conn.execute(
        "SELECT table_schema || '.' || quote_ident(table_name) FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
    )]
    assert "public.social_raw_pulls" in tables and "public.social_accounts" in tables
    for table in tables:
        if table == "public.social_accounts":  # where the specification keeps the access token
            query = "SELECT (to_jsonb(t) - 'access_token')::text FROM public.social_accounts t"
        elif table == "public.social_account_credentials":  # where the pipeline keeps refresh tokens
            query = "SELECT (to_jsonb(t) - 'refresh_token')::text FROM public.social_account_credentials t"
        else:  # every column as text, JSONB included
            query = f"SELECT to_jsonb(t)::text FROM {table} t"
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
    secrets += [*APP_CREDENTIALS.values(), *_stored_tokens(conn)]
    assert {"SOCIAL_PIPELINE_YOUTUBE_API_KEY", "SOCIAL_PIPELINE_TWITTER_BEARER_TOKEN", "SOCIAL_PIPELINE_INSTAGRAM_APP_SECRET",
            "SOCIAL_PIPELINE_FACEBOOK_APP_SECRET", "SOCIAL_PIPELINE_TIKTOK_CLIENT_SECRET", "SOCIAL_PIPELINE_LINKEDIN_CLIENT_SECRET",
            "SOCIAL_PIPELINE_PINTEREST_CLIENT_SECRET", "SOCIAL_PIPELINE_TIKTOK_RAPIDAPI_KEY"} <= set(APP_CREDENTIALS)
    with_token = {r[0] for r in conn.execute("SELECT DISTINCT platform FROM social_accounts WHERE access_token IS NOT NULL")}
    assert with_token == set(SPECS)  # a user token on every platform
    for name, value in APP_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(RETRY_ENV, "0")
    started = datetime.now(timezone.utc)

    handler = Collect()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    seen: list[str] = []
    home = tempfile.mkdtemp(prefix="social_pipeline_secrets_")
    try:
        for run, faults in enumerate((None, "rate=0.3,seed=5,retry_after=0")):
            if faults:
                monkeypatch.setenv(FAULTS_ENV, faults)
                # Pull everything again, the accounts that failed permanently included.
                for (account_id,) in conn.execute("SELECT id::text FROM social_accounts").fetchall():
                    breaker.reset(conn, account_id)
            # An instance on disk: its event log and compute logs are files to search too.
            os.makedirs(os.path.join(home, str(run)))
            with DagsterInstance.local_temp(tempdir=os.path.join(home, str(run))) as instance:
                result = run_day(DAY, fresh=bool(faults), instance=instance, raise_on_error=False)
                assert result.success
                seen.extend(_events(instance, result))
            secrets += _stored_tokens(conn)  # tokens renewed during the run
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    captured = capfd.readouterr()
    seen += handler.lines + [captured.out, captured.err]
    cache = cache_dir()
    assert cache is not None and any(Path(cache).rglob("*")), "no parse-cache file to search"
    files = _files(home, cache)
    assert files
    seen += files
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
    # The app credentials were used: tokens were renewed with them during the day.
    assert conn.execute("SELECT count(*) FROM social_account_credentials WHERE token_refreshed_at >= %s",
                        (started,)).fetchone()[0] > 0
    # The Graph simulators echo the token in paging links: every Meta platform stored paged
    # answers, where a missing scrub shows.
    assert conn.execute(
        "SELECT count(DISTINCT platform) FROM social_raw_pulls WHERE platform IN ('instagram', 'facebook', 'threads') "
        "AND jsonb_typeof(payload) = 'object' AND payload ? 'paging'"
    ).fetchone()[0] == 3

    secrets = [s for s in dict.fromkeys(secrets) if s and len(s) >= 8]
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


def test_credentials_in_request_params_never_reach_the_ledger():
    """A credential a client passes as an ordinary request parameter (by any of the names in
    ``SECRET_KEYS``) is sent, but what the ledger row records is redacted."""
    transport = ScriptedTransport()
    transport.script(r"/v1/me", (200, {}, {"id": "1"}))
    http = HttpClient(transport.install(requests.Session()))
    secret = "sk-PARAM-SECRET-2468"
    http.get("https://api.example.test/v1/me", endpoint="me", params={**{k: secret for k in SECRET_KEYS}, "fields": "id"})
    assert secret in transport.sent[-1].url  # sent, as the client asked
    account = AccountRef(id="00000000-0000-0000-0000-000000000001", platform="tiktok", handle="someone")
    rows = raw_rows(PullResult(account, "pull", True, http.responses), DAY)
    assert rows and rows[0]["request_params"]["fields"] == "id"
    assert secret not in json.dumps(rows, default=str)
