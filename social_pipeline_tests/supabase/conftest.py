"""Supabase-shaped databases on the test server (issue 15, deliverable 7).

``shaped`` (parametrized: "app", "minimal") is built once per session per shape: an empty
database shaped like a Supabase project, snapshotted, migrated twice, its accounts monitored,
one day materialized, snapshotted again. Tests read what the build recorded and probe the result.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from social_pipeline import cli
from social_pipeline.ingest.accounts import seed_demo_accounts
from social_pipeline.ingest.pulling import RETRY_ENV
from social_pipeline.simulator import demo_token
from social_pipeline.storage import database as dbmod
from social_pipeline.storage.migrate import migrate
from social_pipeline_tests.conftest import _create_db, _drop_db, with_dbname
from social_pipeline_tests.supabase import supabase_shape as shape_mod

DAY = datetime.now(timezone.utc).date() - timedelta(days=5)


def with_password(url: str) -> tuple[str, str]:
    """``url`` with a password (its own, or a made-up one the embedded server's trust
    authentication ignores), and that password: what must never leak."""
    parts = urlsplit(url)
    if parts.password:
        return url, parts.password
    password = "sp-pw-" + secrets.token_hex(8)
    user = parts.username or "postgres"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}")), password


@dataclass
class Shaped:
    shape: str
    url: str
    password: str
    before: shape_mod.Snapshot
    after_migrate: shape_mod.Snapshot | None = None
    before_day: shape_mod.Snapshot | None = None
    after_day: shape_mod.Snapshot | None = None
    applied_first: list[str] = field(default_factory=list)
    applied_second: list[str] = field(default_factory=list)
    day_success: bool | None = None
    day_error: str | None = None
    cli_output: list[str] = field(default_factory=list)
    enable_ambiguous: tuple[int, str] | None = None

    def connect(self, **kwargs):
        return psycopg.connect(self.url, autocommit=True, **kwargs)


def _cli(built: Shaped, capsys, *argv) -> tuple[int, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    text = captured.out + captured.err
    built.cli_output.append(text)
    return code, text


def _build(server_url: str, shape: str, capsys, tmp_path_factory, *, day: bool) -> Shaped:
    name = _create_db(server_url, None)
    url, password = with_password(with_dbname(server_url, name))
    with psycopg.connect(url) as conn:
        shape_mod.apply_shape(conn, shape)
        built = Shaped(shape=shape, url=url, password=password, before=shape_mod.snapshot(conn, url))
    with psycopg.connect(url) as conn:
        built.applied_first = migrate(conn)
    with psycopg.connect(url) as conn:
        built.applied_second = migrate(conn)
        built.after_migrate = shape_mod.snapshot(conn, url)
    if not day:
        return built
    from social_pipeline_tests.pipeline.helpers import run_day

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(dbmod.URL_ENV, url)
        mp.setenv("DAGSTER_HOME", str(tmp_path_factory.mktemp("dagster_home")))
        mp.delenv("SOCIAL_PIPELINE_DAGSTER_STORAGE_URL", raising=False)
        mp.setenv(cli.DEMO_ENV, "0")
        mp.setenv(RETRY_ENV, "0")
        if shape == "app":
            # The app's rows get the simulator's tokens (the app's own column), then monitoring:
            # A's YouTube by handle; the shared TikTok handle must be told apart by id.
            with psycopg.connect(url, autocommit=True) as conn:
                for account, platform, handle in (
                    (shape_mod.ACCOUNT_A_TIKTOK, "tiktok", shape_mod.SHARED_TIKTOK),
                    (shape_mod.ACCOUNT_A_YOUTUBE, "youtube", shape_mod.A_YOUTUBE),
                    (shape_mod.ACCOUNT_B_TIKTOK, "tiktok", shape_mod.SHARED_TIKTOK),
                ):
                    conn.execute("UPDATE social_accounts SET access_token = %s WHERE id = %s",
                                 (demo_token(platform, handle), account))
            built.before_day = _refresh_rows(built.after_migrate, url)  # the tokens: the app's own edit
            built.enable_ambiguous = _cli(built, capsys, "accounts", "enable", "tiktok", shape_mod.SHARED_TIKTOK)
            for argv in (("tiktok", shape_mod.ACCOUNT_A_TIKTOK), ("youtube", shape_mod.A_YOUTUBE),
                         ("tiktok", shape_mod.ACCOUNT_B_TIKTOK)):
                code, text = _cli(built, capsys, "accounts", "enable", *argv)
                assert code == 0, text
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("UPDATE social_analytics_config SET provider_name = 'demo', posts_per_fetch = 5")
        else:
            with psycopg.connect(url, autocommit=True) as conn:
                seed_demo_accounts(conn, posts_per_fetch=5)
            built.before_day = _refresh_rows(built.after_migrate, url)  # the demo rows, on purpose
        try:
            result = run_day(DAY)
            built.day_success = result.success
        except Exception as exc:  # noqa: BLE001 - recorded; the tests say what failed
            built.day_success = False
            built.day_error = f"{type(exc).__name__}: {exc}"
    with psycopg.connect(url) as conn:
        built.after_day = shape_mod.snapshot(conn, url)
    return built


def _refresh_rows(snap: shape_mod.Snapshot, url: str) -> shape_mod.Snapshot:
    with psycopg.connect(url) as conn:
        return shape_mod.Snapshot(snap.definition, shape_mod.table_rows(conn))


@pytest.fixture(scope="session")
def _shaped_cache(server_url, tmp_path_factory):
    cache: dict[str, Shaped] = {}
    yield cache
    for built in cache.values():
        _drop_db(server_url, urlsplit(built.url).path.lstrip("/"))


class _NoCapture:
    """Stands in for capsys in session fixtures: the CLI's output is read from its streams."""

    def __init__(self):
        import io
        import sys

        self._sys, self._io = sys, io
        self._out, self._err = io.StringIO(), io.StringIO()

    def __enter__(self):
        self._saved = self._sys.stdout, self._sys.stderr
        self._sys.stdout, self._sys.stderr = self._out, self._err
        return self

    def __exit__(self, *exc):
        self._sys.stdout, self._sys.stderr = self._saved

    def readouterr(self):
        out, err = self._out.getvalue(), self._err.getvalue()
        self._out.seek(0), self._out.truncate()
        self._err.seek(0), self._err.truncate()
        return type("Captured", (), {"out": out, "err": err})()


def _shaped(cache, server_url, tmp_path_factory, shape: str) -> Shaped:
    if shape not in cache:
        with _NoCapture() as capture:
            cache[shape] = _build(server_url, shape, capture, tmp_path_factory, day=True)
    return cache[shape]


@pytest.fixture(params=shape_mod.SHAPES)
def shaped(request, _shaped_cache, server_url, tmp_path_factory) -> Shaped:
    """A Supabase-shaped database of either shape, migrated, with one day run (shared per session)."""
    return _shaped(_shaped_cache, server_url, tmp_path_factory, request.param)


@pytest.fixture
def app_db(_shaped_cache, server_url, tmp_path_factory) -> Shaped:
    """The app shape, migrated, A's and B's accounts monitored, one day run (shared per session)."""
    return _shaped(_shaped_cache, server_url, tmp_path_factory, "app")


@pytest.fixture
def fresh_shaped(server_url, tmp_path_factory):
    """Build a fresh shaped database (migrated, no day) of this test's own: fresh_shaped("minimal")."""
    made: list[Shaped] = []

    def make(shape: str, migrated: bool = True) -> Shaped:
        if migrated:
            with _NoCapture() as capture:
                built = _build(server_url, shape, capture, tmp_path_factory, day=False)
        else:
            name = _create_db(server_url, None)
            url, password = with_password(with_dbname(server_url, name))
            with psycopg.connect(url) as conn:
                shape_mod.apply_shape(conn, shape)
                built = Shaped(shape=shape, url=url, password=password, before=shape_mod.snapshot(conn, url))
        made.append(built)
        return built

    yield make
    for built in made:
        _drop_db(server_url, urlsplit(built.url).path.lstrip("/"))
