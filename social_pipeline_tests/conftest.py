"""Test fixtures on a real PostgreSQL.

One server per test process: ``$SOCIAL_PIPELINE_DATABASE_URL`` when set, else an embedded
PostgreSQL in a temporary folder. Migrations run once into a template database; each test that
asks for ``db_url`` gets its own database cloned from it, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from social_pipeline.ingest.parsed_pulls import CACHE_ENV
from social_pipeline.storage import database as dbmod
from social_pipeline.storage.migrate import migrate


# Parsed pulls are cached in a folder of this session, not in the checkout's .social_pipeline.
if not os.environ.get(CACHE_ENV):
    import tempfile

    os.environ[CACHE_ENV] = tempfile.mkdtemp(prefix="social_pipeline_parsed_")


DATABASE_FIXTURES = frozenset({"server_url", "template_db", "db_url", "empty_db_url", "conn", "module_db_url"})


def pytest_collection_modifyitems(config, items):
    """Tests that reach PostgreSQL (through one of its fixtures) are marked ``db``, so
    ``make test-fast`` (``-m "not db and not e2e"``) runs the rest in seconds."""
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def server_url() -> str:
    external = os.environ.get(dbmod.URL_ENV)
    if external:
        yield dbmod.normalize_url(external)
        return
    import tempfile
    from pathlib import Path

    # Not under pytest's basetemp: pytest prunes old numbered folders, and with several pytest
    # sessions at once one could delete another's running server.
    data_dir = Path(tempfile.mkdtemp(prefix="social_pipeline_pg_")) / "pgdata"
    server = dbmod.start_embedded(data_dir, "delete")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture(scope="session")
def template_db(server_url: str) -> str:
    name = f"sp_template_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(with_dbname(server_url, name)) as conn:
        migrate(conn)
    yield name
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _create_db(server_url: str, template: str | None) -> str:
    name = f"sp_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        if template:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def _drop_db(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def db_url(server_url: str, template_db: str, monkeypatch) -> str:
    """A freshly migrated database of this test's own; also the process's database URL."""
    name = _create_db(server_url, template_db)
    url = with_dbname(server_url, name)
    monkeypatch.setenv(dbmod.URL_ENV, url)
    yield url
    _drop_db(server_url, name)


@pytest.fixture
def empty_db_url(server_url: str, monkeypatch) -> str:
    """A database with no migrations applied."""
    name = _create_db(server_url, None)
    url = with_dbname(server_url, name)
    monkeypatch.setenv(dbmod.URL_ENV, url)
    yield url
    _drop_db(server_url, name)


@pytest.fixture
def conn(db_url: str):
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def module_db_url(server_url: str, template_db: str) -> str:
    """Like ``db_url``, shared by the tests of one module (for expensive set-ups)."""
    name = _create_db(server_url, template_db)
    url = with_dbname(server_url, name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(dbmod.URL_ENV, url)
        yield url
    _drop_db(server_url, name)
