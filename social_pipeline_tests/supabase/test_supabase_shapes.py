"""The app's tables survive migrate and a day; demo seeding, accounts add, duplicate handles and
passwords on a Supabase-shaped database (issue 15, deliverables 1, 3, 4, 5, 7)."""

from __future__ import annotations

import threading

import psycopg
import pytest
from psycopg import sql

from social_pipeline import cli
from social_pipeline.ingest.accounts import DemoRefused, seed_demo_accounts
from social_pipeline.storage import database as dbmod
from social_pipeline.storage.access import our_relations
from social_pipeline_tests.supabase import supabase_shape as S
from social_pipeline_tests.supabase.conftest import DAY

pytestmark = pytest.mark.db


def test_migrate_twice_and_the_app_tables_are_unchanged(shaped):
    assert shaped.applied_first, "the first migrate applies the migrations"
    assert shaped.applied_second == [], "the second applies nothing"
    assert shaped.day_success, shaped.day_error
    assert shaped.after_migrate.definition == shaped.before.definition
    assert shaped.after_day.definition == shaped.before.definition
    assert shaped.after_migrate.rows == shaped.before.rows
    if shaped.shape == "app":
        assert len(shaped.before.rows["social_accounts"]) == 3 and len(shaped.before.rows["clips"]) == 1
    else:
        assert shaped.before.rows == {t: [] for t in (*S.APP_TABLES, "auth.users")}
    # Rows the test wrote itself before the day (the app's tokens; the demo accounts) are
    # unchanged by the day.
    assert shaped.after_day.rows == shaped.before_day.rows


def test_snapshot_sees_a_change(fresh_shaped):
    """The unchanged-definition check can fail: a column, a policy, a trigger or a grant shows."""
    app = fresh_shaped("app", migrated=False)
    with app.connect() as conn:
        base = S.dump_definition(conn, app.url)
        catalog = S.catalog_definition(conn)  # the fallback where no matching pg_dump exists
        assert "owners manage their accounts" in base and "social_accounts_touch" in base
        for change in ("ALTER TABLE social_accounts ADD COLUMN display_name text",
                       'DROP POLICY "owners manage their accounts" ON social_accounts',
                       "ALTER TABLE social_accounts DISABLE TRIGGER social_accounts_touch",
                       "REVOKE SELECT ON social_accounts FROM anon",
                       "CREATE INDEX ON social_accounts (platform, handle)"):
            conn.execute(change)  # committed: pg_dump reads from a session of its own
            now = S.dump_definition(conn, app.url)
            assert now != base, change
            base = now
            now_catalog = S.catalog_definition(conn)
            assert now_catalog != catalog, change
            catalog = now_catalog
        # Rows too.
        before = S.table_rows(conn)
        conn.execute("UPDATE social_accounts SET nickname = 'x' WHERE handle = %s", (S.A_YOUTUBE,))
        assert S.table_rows(conn) != before


def test_pg_trgm_lands_in_extensions(shaped):
    with shaped.connect() as conn:
        available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").fetchone()
        if not available:
            pytest.skip("this server has no pg_trgm: its placement cannot be checked here")
        schema = conn.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        ).fetchone()
    assert schema == ("extensions",)


def test_duplicate_handle_keeps_posts_per_account(app_db):
    """Two app users monitoring one TikTok handle: each account gets its own posts and snapshot."""
    assert app_db.day_success, app_db.day_error
    code, text = app_db.enable_ambiguous
    assert code == 2 and "2 tiktok accounts match" in text and S.ACCOUNT_B_TIKTOK in text
    with app_db.connect() as conn:
        for account in (S.ACCOUNT_A_TIKTOK, S.ACCOUNT_B_TIKTOK, S.ACCOUNT_A_YOUTUBE):
            posts = conn.execute("SELECT count(*) FROM social_posts_analytics WHERE social_account_id = %s",
                                 (account,)).fetchone()[0]
            snaps = conn.execute("SELECT snapshot_date FROM social_analytics_snapshots WHERE social_account_id = %s",
                                 (account,)).fetchall()
            job = conn.execute("SELECT status FROM social_fetch_jobs WHERE social_account_id = %s AND partition_date = %s",
                               (account, DAY)).fetchone()
            assert posts > 0 and snaps == [(DAY,)] and job == ("completed",), (account, posts, snaps, job)
        a_posts = conn.execute("SELECT count(*) FROM social_posts_analytics WHERE social_account_id = %s",
                               (S.ACCOUNT_A_TIKTOK,)).fetchone()[0]
        b_posts = conn.execute("SELECT count(*) FROM social_posts_analytics WHERE social_account_id = %s",
                               (S.ACCOUNT_B_TIKTOK,)).fetchone()[0]
        assert a_posts == b_posts  # one handle, one simulator answer, stored once per account


def test_demo_refused_on_the_app_table(app_db, fresh_shaped):
    with app_db.connect() as conn:
        before = S.table_rows(conn)
        with pytest.raises(DemoRefused) as refused:
            seed_demo_accounts(conn)
        assert "embedded database" in str(refused.value)
        assert S.table_rows(conn) == before
    # NOT NULL user_id alone (no rows) refuses too, naming the column.
    empty_app = fresh_shaped("app")
    with empty_app.connect() as conn:
        conn.execute("DELETE FROM clips; DELETE FROM videos; DELETE FROM social_accounts")
        with pytest.raises(DemoRefused) as refused:
            seed_demo_accounts(conn)
        assert "user_id" in str(refused.value) and "embedded database" in str(refused.value)
        assert conn.execute("SELECT count(*) FROM social_accounts").fetchone()[0] == 0


def test_two_first_seeds_at_once_on_the_minimal_shape(fresh_shaped):
    minimal = fresh_shaped("minimal")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    created: list[int] = []

    def seed():
        try:
            with psycopg.connect(minimal.url, autocommit=True) as conn:
                barrier.wait(timeout=30)
                created.append(seed_demo_accounts(conn))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=seed) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and sorted(created) == [0, 9]
    with minimal.connect() as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT (platform, handle)) FROM social_accounts").fetchone() == (9, 9)
        assert conn.execute("SELECT count(*) FROM social_analytics_config WHERE provider_name = 'demo'").fetchone()[0] == 9


def test_accounts_add_needs_user_id_on_the_app_shape(app_db, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv(dbmod.URL_ENV, app_db.url)
    monkeypatch.setenv(cli.DEMO_ENV, "0")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    user_c = "cccccccc-0000-4000-8000-00000000000c"
    with app_db.connect() as conn:
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, 'c@example.com') ON CONFLICT DO NOTHING", (user_c,))
        before = conn.execute("SELECT count(*) FROM social_accounts").fetchone()[0]
    assert cli.main(["accounts", "add", "bluesky", "c.bsky.social", "--provider", "demo"]) == 2
    err = capsys.readouterr().err
    assert "user_id" in err and app_db.password not in err
    with app_db.connect() as conn:
        assert conn.execute("SELECT count(*) FROM social_accounts").fetchone()[0] == before
    assert cli.main(["accounts", "add", "bluesky", "c.bsky.social", "--provider", "demo",
                     "--set", f"user_id={user_c}"]) == 0, capsys.readouterr().err
    out = capsys.readouterr()
    assert app_db.password not in out.out + out.err
    account_id = out.out.strip().splitlines()[-1]
    with app_db.connect() as conn:
        row = conn.execute("SELECT user_id::text, platform, handle FROM social_accounts WHERE id = %s", (account_id,)).fetchone()
        assert row == (user_c, "bluesky", "c.bsky.social")
        # The app's trigger and RLS still apply: C sees only C's account.
        from social_pipeline_tests.supabase.test_supabase_lock import attempt

        outcome, rows = attempt(conn, "authenticated", user_c, "SELECT id::text FROM social_accounts")
        assert outcome == "ok" and rows == [(account_id,)]


def test_accounts_add_errors_name_the_missing_column_on_a_fresh_app(fresh_shaped, monkeypatch, capsys, tmp_path):
    app = fresh_shaped("app")
    monkeypatch.setenv(dbmod.URL_ENV, app.url)
    monkeypatch.setenv(cli.DEMO_ENV, "0")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert cli.main(["accounts", "add", "tiktok", "someone_new", "--provider", "demo"]) == 2
    err = capsys.readouterr().err
    assert "user_id" in err and "--set user_id=" in err and app.password not in err


def test_no_password_in_our_tables_or_output(shaped, monkeypatch, capsys, tmp_path):
    """The URL's password (real, or planted where the server trusts) never lands in a table of ours
    or in the CLI's output."""
    assert shaped.password and shaped.password in shaped.url
    monkeypatch.setenv(dbmod.URL_ENV, shaped.url)
    monkeypatch.setenv(cli.DEMO_ENV, "0")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    outputs = list(shaped.cli_output)
    for argv in (["db", "url"], ["db", "migrate"], ["accounts", "list"], ["db", "lock"]):
        code = cli.main(argv)
        captured = capsys.readouterr()
        outputs.append(captured.out + captured.err)
        assert code == 0, (argv, captured.err)
    assert not [o for o in outputs if shaped.password in o]
    with shaped.connect() as conn:
        found = []
        for kind, name in our_relations(conn):
            if kind != "table":
                continue
            hit = conn.execute(sql.SQL("SELECT count(*) FROM {} t WHERE strpos(t::text, %s) > 0").format(
                sql.Identifier(name)), (shaped.password,)).fetchone()[0]
            if hit:
                found.append(name)
        dagster = conn.execute("SELECT to_regnamespace('dagster')").fetchone()[0]
        if dagster:
            for (table,) in conn.execute("SELECT relname FROM pg_class WHERE relnamespace = 'dagster'::regnamespace AND relkind = 'r'").fetchall():
                if conn.execute(sql.SQL("SELECT count(*) FROM dagster.{} t WHERE strpos(t::text, %s) > 0").format(
                        sql.Identifier(table)), (shaped.password,)).fetchone()[0]:
                    found.append(f"dagster.{table}")
    assert found == []
