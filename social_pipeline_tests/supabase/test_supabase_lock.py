"""Everything the migrations create is closed to Supabase's public roles (issue 15, deliverable 2).

Probes run as ``anon`` and as signed-in user B (``SET ROLE authenticated`` + ``request.jwt.claims``)
on a Supabase-shaped database after migrate and a day's run. Each probe returns what leaked, so a
broken lock (tested below by breaking one by hand) makes it report instead of passing silently.
"""

from __future__ import annotations

import json

import psycopg
import pytest
from psycopg import errors, sql

from social_pipeline.storage.access import close_owner_reads, open_owner_reads, our_relations
from social_pipeline_tests.supabase import supabase_shape as S

pytestmark = pytest.mark.db

ROLES = {"anon": None, "authenticated B": S.USER_B}


class _Done(Exception):
    def __init__(self, rows):
        self.rows = rows


def attempt(conn, role: str, sub: str | None, statement, params=()):
    """Run ``statement`` as ``role`` (signed in as ``sub``) in a savepoint that is always rolled
    back. Returns ("ok", rows) or (sqlstate class name, None)."""
    try:
        with conn.transaction():
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
            claims = json.dumps({"sub": sub, "role": role}) if sub else ""
            conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (claims,))
            cur = conn.execute(statement, params)
            rows = cur.fetchall() if cur.description else []
            raise _Done(rows)
    except _Done as done:
        return "ok", done.rows
    except psycopg.Error as exc:
        return type(exc).__name__, None


def _pg_role(label: str) -> str:
    return label.split()[0]


def _first_column(conn, name: str) -> str:
    return conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum LIMIT 1", (name,)).fetchone()[0]


def probe_statements(conn) -> list[str]:
    """What anon and signed-in B could do to our relations by statement: a list of leaks."""
    leaks = []
    relations = our_relations(conn)
    for label, sub in ROLES.items():
        role = _pg_role(label)
        for kind, name in relations:
            ident = sql.Identifier(name)
            if kind in ("table", "view"):
                col = sql.Identifier(_first_column(conn, name))
                tries = {
                    "SELECT": sql.SQL("SELECT * FROM {} LIMIT 1").format(ident),
                    "INSERT": sql.SQL("INSERT INTO {} DEFAULT VALUES").format(ident),
                    "UPDATE": sql.SQL("UPDATE {} SET {} = {}").format(ident, col, col),
                    "DELETE": sql.SQL("DELETE FROM {}").format(ident),
                }
                if kind == "table":
                    tries["TRUNCATE"] = sql.SQL("TRUNCATE {}").format(ident)
                for verb, statement in tries.items():
                    outcome, _rows = attempt(conn, role, sub, statement)
                    # A view that cannot be written at all is as good as one we may not write.
                    fine = {"InsufficientPrivilege"} | ({"FeatureNotSupported", "ObjectNotInPrerequisiteState"}
                                                        if kind == "view" and verb != "SELECT" else set())
                    if outcome not in fine:
                        leaks.append(f"{label}: {verb} {kind} {name} -> {outcome}")
            elif kind == "sequence":
                for statement in (sql.SQL("SELECT nextval({})").format(sql.Literal(name)),
                                  sql.SQL("SELECT last_value FROM {}").format(ident)):
                    outcome, _ = attempt(conn, role, sub, statement)
                    if outcome != "InsufficientPrivilege":
                        leaks.append(f"{label}: {statement.as_string(conn)} -> {outcome}")
    return leaks


def probe_catalog(conn) -> list[str]:
    """The same lock read from the catalog: RLS on, no privilege for anon/authenticated/PUBLIC,
    views security_invoker, functions not executable."""
    leaks = []
    for kind, name in our_relations(conn):
        for role in ("anon", "authenticated", "public"):
            if kind in ("table", "view"):
                granted = conn.execute(
                    "SELECT has_table_privilege(%s, %s::regclass, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER') "
                    "OR has_any_column_privilege(%s, %s::regclass, 'SELECT,INSERT,UPDATE,REFERENCES')",
                    (role, name, role, name)).fetchone()[0]
            elif kind == "sequence":
                granted = conn.execute("SELECT has_sequence_privilege(%s, %s::regclass, 'USAGE,SELECT,UPDATE')",
                                       (role, name)).fetchone()[0]
            else:
                granted = conn.execute("SELECT has_function_privilege(%s, %s::regprocedure, 'EXECUTE')",
                                       (role, name)).fetchone()[0]
            if granted:
                leaks.append(f"{role} holds a privilege on {kind} {name}")
        if kind == "table":
            if not conn.execute("SELECT relrowsecurity FROM pg_class WHERE oid = %s::regclass", (name,)).fetchone()[0]:
                leaks.append(f"table {name}: row level security off")
            policies = conn.execute(
                "SELECT polname, polroles::regrole[]::text FROM pg_policy WHERE polrelid = %s::regclass", (name,)).fetchall()
            if policies:
                leaks.append(f"table {name}: policies {policies}")
        if kind == "view":
            options = conn.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", (name,)).fetchone()[0] or []
            if "security_invoker=true" not in options:
                leaks.append(f"view {name}: not security_invoker ({options})")
    return leaks


def test_our_relations_cover_what_the_migrations_made(shaped):
    with shaped.connect() as conn:
        relations = our_relations(conn)
        kinds = {k for k, _ in relations}
        names = {n for _, n in relations}
    assert {"table", "view", "function"} <= kinds, relations
    assert {"social_posts_analytics", "social_raw_pulls", "social_fetch_jobs", "social_api_usage",
            "social_pipeline_migrations", "social_analytics_latest", "social_post_performance"} <= names
    assert not names & set(S.APP_TABLES), "the app's own tables are not ours"


def test_public_roles_can_do_nothing_to_ours(shaped):
    """Deliverable 2 by statement and by catalog, after migrate and a day, on both shapes."""
    assert shaped.day_success, shaped.day_error
    with shaped.connect() as conn:
        assert probe_statements(conn) == []
        assert probe_catalog(conn) == []


def test_the_owner_reads_and_writes_everything(shaped):
    with shaped.connect() as conn:
        for kind, name in our_relations(conn):
            if kind in ("table", "view"):
                conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()
        assert conn.execute("SELECT count(*) FROM social_posts_analytics").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM social_analytics_latest").fetchone()[0] > 0
        with conn.transaction():  # writable too (rolled back)
            conn.execute("UPDATE social_analytics_config SET posts_per_fetch = posts_per_fetch")
            conn.execute("DELETE FROM social_comments")
            raise psycopg.Rollback


def test_a_broken_lock_is_reported(app_db):
    """The probes can fail: grant back what Supabase's defaults would give, and they say so."""
    with app_db.connect() as conn:
        with conn.transaction():
            conn.execute("GRANT SELECT ON social_posts_analytics TO anon")
            conn.execute("GRANT ALL ON social_api_usage TO anon")
            conn.execute("ALTER TABLE social_posts_analytics DISABLE ROW LEVEL SECURITY")
            conn.execute("ALTER VIEW social_analytics_latest SET (security_invoker = false)")
            conn.execute("GRANT SELECT ON social_analytics_latest TO authenticated")
            conn.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO anon")
            statements = probe_statements(conn)
            catalog = probe_catalog(conn)
            b_sees = attempt(conn, "authenticated", S.USER_B,
                             "SELECT DISTINCT social_account_id::text FROM social_analytics_latest")
            raise psycopg.Rollback
    assert "anon: SELECT table social_posts_analytics -> ok" in statements
    # Writes past the privilege check are reported whatever stops them later (a constraint).
    written = [line for line in statements if line.startswith("anon: ") and "table social_api_usage" in line]
    assert {line.split()[1] for line in written} >= {"SELECT", "DELETE", "TRUNCATE"}, written
    assert "authenticated B: SELECT view social_analytics_latest -> ok" in statements
    assert "table social_posts_analytics: row level security off" in catalog
    assert any(line.startswith("view social_analytics_latest: not security_invoker") for line in catalog)
    assert "anon holds a privilege on table social_posts_analytics" in catalog
    # A view running as its owner reads around the app's RLS: B sees A's accounts through it.
    assert b_sees[0] == "ok" and (S.ACCOUNT_A_TIKTOK,) in b_sees[1]
    with app_db.connect() as conn:  # and the lock is back
        assert probe_catalog(conn) == []


def _accounts_seen(conn, role, sub, relation) -> set[str]:
    outcome, rows = attempt(conn, role, sub, sql.SQL("SELECT DISTINCT social_account_id::text FROM {}").format(
        sql.Identifier(relation)))
    assert outcome == "ok", (role, sub, relation, outcome)
    return {r[0] for r in rows}


def test_opt_in_owner_reads_show_what_the_apps_rls_shows(app_db):
    """Deliverable 2's opt-in: signed-in owners read their own accounts' analytics, nothing else."""
    assert app_db.day_success, app_db.day_error
    with app_db.connect() as conn:
        try:
            with conn.transaction():
                opened = open_owner_reads(conn)
            assert {"social_analytics_latest", "social_post_performance"} <= set(opened), opened
            for user in (S.USER_A, S.USER_B):
                outcome, rows = attempt(conn, "authenticated", user, "SELECT id::text FROM social_accounts")
                assert outcome == "ok"
                visible = {r[0] for r in rows}
                assert visible == ({S.ACCOUNT_A_TIKTOK, S.ACCOUNT_A_YOUTUBE} if user == S.USER_A else {S.ACCOUNT_B_TIKTOK})
                for view in ("social_analytics_latest", "social_post_performance"):
                    assert _accounts_seen(conn, "authenticated", user, view) == visible, (user, view)
                # Tables opened to owners show only the owner's rows.
                assert _accounts_seen(conn, "authenticated", user, "social_posts_analytics") == visible
                seen_jobs = _accounts_seen(conn, "authenticated", user, "social_fetch_jobs")
                assert seen_jobs <= visible, (user, seen_jobs)
            # Signed in as nobody in particular: no rows.
            assert _accounts_seen(conn, "authenticated", "00000000-0000-4000-8000-000000000000",
                                  "social_analytics_latest") == set()
            # anon: still nothing at all.
            for view in ("social_analytics_latest", "social_post_performance", "social_posts_analytics"):
                assert attempt(conn, "anon", None, sql.SQL("SELECT 1 FROM {}").format(sql.Identifier(view)))[0] == \
                    "InsufficientPrivilege", view
            # The ledgers with payloads, spend, secrets and migrations stay closed to everyone.
            for ledger in ("social_raw_pulls", "social_api_usage", "social_pipeline_migrations",
                           "social_account_credentials"):
                for role, sub in (("anon", None), ("authenticated", S.USER_A), ("authenticated", S.USER_B)):
                    outcome, _ = attempt(conn, role, sub, sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(ledger)))
                    assert outcome == "InsufficientPrivilege", (ledger, role, outcome)
            # Opened is read-only.
            for user in (S.USER_A, S.USER_B):
                for statement in ("DELETE FROM social_posts_analytics", "UPDATE social_analytics_config SET posts_per_fetch = 1"):
                    assert attempt(conn, "authenticated", user, statement)[0] == "InsufficientPrivilege"
        finally:
            with conn.transaction():
                close_owner_reads(conn)
        assert probe_catalog(conn) == []
        assert attempt(conn, "authenticated", S.USER_A, "SELECT 1 FROM social_analytics_latest")[0] == "InsufficientPrivilege"


def test_cli_opens_and_closes_reads(app_db, monkeypatch, capsys):
    from social_pipeline import cli
    from social_pipeline.storage import database as dbmod

    monkeypatch.setenv(dbmod.URL_ENV, app_db.url)
    monkeypatch.setenv(cli.DEMO_ENV, "0")
    try:
        assert cli.main(["db", "open-reads", "--owner-column", "user_id"]) == 0, capsys.readouterr().err
        with app_db.connect() as conn:
            assert _accounts_seen(conn, "authenticated", S.USER_B, "social_analytics_latest") == {S.ACCOUNT_B_TIKTOK}
        assert cli.main(["db", "open-reads", "--owner-column", "nickname_of_nobody"]) == 2
        assert "nickname_of_nobody" in capsys.readouterr().err
    finally:
        assert cli.main(["db", "close-reads"]) == 0
    out = capsys.readouterr()
    assert app_db.password not in out.out + out.err
    with app_db.connect() as conn:
        assert probe_catalog(conn) == []
