"""No page reads or shows a secret: tokens planted in social_accounts.access_token and
social_account_credentials.refresh_token appear in no page's output nor CSV export, and every
page renders as a role whose column privileges exclude the token columns (any read of them
would fail the page)."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from social_pipeline_tests.dashboard.conftest import PAGES, open_app, rendered_text, seed, show

ACCESS = f"PLANTED-ACCESS-{uuid.uuid4().hex}"
REFRESH = f"PLANTED-REFRESH-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def planted(module_db_url: str):
    seed(module_db_url)
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        conn.execute("UPDATE social_accounts SET access_token = %s || '-' || id::text", (ACCESS,))
        account, handle = conn.execute(
            "SELECT id::text, handle FROM social_accounts WHERE platform = 'instagram' ORDER BY handle LIMIT 1").fetchone()
        conn.execute(
            "INSERT INTO social_account_credentials (social_account_id, external_account_id, refresh_token, "
            "token_expires_at) SELECT id, 'ext-' || handle, %s || '-' || id::text, now() + interval '2 days' "
            "FROM social_accounts ON CONFLICT (social_account_id) DO UPDATE SET refresh_token = EXCLUDED.refresh_token, "
            "token_expires_at = EXCLUDED.token_expires_at", (REFRESH,))
    return module_db_url, account, handle


@pytest.fixture(scope="module")
def reader_url(planted):
    """A login role that may read every table, view and function but the token columns (BYPASSRLS:
    our tables keep row-level security on with no policy for other roles, storage/access.py)."""
    url = planted[0]
    role, password = f"dash_reader_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with psycopg.connect(url, autocommit=True) as conn:
        dbname = conn.info.dbname
        ident = sql.Identifier(role)
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN BYPASSRLS PASSWORD {}").format(ident, sql.Literal(password)))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(dbname), ident))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident))
        conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(ident))
        conn.execute(sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {}").format(ident))
        for table, secret in (("social_accounts", "access_token"), ("social_account_credentials", "refresh_token")):
            columns = [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
                "AND column_name <> %s", (table, secret))]
            conn.execute(sql.SQL("REVOKE SELECT ON {} FROM {}").format(sql.Identifier(table), ident))
            conn.execute(sql.SQL("GRANT SELECT ({}) ON {} TO {}").format(
                sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table), ident))
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    yield urlunsplit(parts._replace(netloc=f"{role}:{password}@{host}"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _all_pages(url, monkeypatch, downloads, account=None) -> str:
    at = open_app(url, monkeypatch)
    if account:
        at.multiselect(key="filter_accounts").set_value([account]).run()
    texts = []
    for page in PAGES:
        show(at, page)
        texts.append(rendered_text(at))
    return "\n".join(texts) + "\n".join(b.decode("utf-8", "replace") for b in downloads.values())


def test_no_page_shows_a_token(planted, monkeypatch, downloads):
    url, account, handle = planted
    for chosen in (None, account):
        downloads.clear()
        text = _all_pages(url, monkeypatch, downloads, chosen)
        assert handle in text and "expiring_tokens.csv" in downloads  # the search sees the pages and their exports
        assert ACCESS not in text
        assert REFRESH not in text
        assert "PLANTED" not in text


def test_pages_render_without_privileges_on_token_columns(reader_url, planted, monkeypatch, downloads):
    with psycopg.connect(reader_url) as conn:
        for query in ("SELECT access_token FROM social_accounts", "SELECT refresh_token FROM social_account_credentials"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(query)
            conn.rollback()
        assert conn.execute("SELECT count(handle) FROM social_accounts").fetchone()[0] > 0
    text = _all_pages(reader_url, monkeypatch, downloads, planted[1])  # show() fails on any exception
    assert planted[2] in text
    tokens = downloads["expiring_tokens.csv"].decode()
    assert planted[2] in tokens  # the expiry is read (token_expires_at is granted)
