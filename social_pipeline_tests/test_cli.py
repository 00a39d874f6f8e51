"""The command line and the Dagster instance it prepares."""

import psycopg
import pytest
from dagster import DagsterInstance, asset, materialize

from social_pipeline import cli
from social_pipeline.storage import database as dbmod


def test_db_url_masks_password_unless_revealed(monkeypatch, capsys):
    monkeypatch.setenv(dbmod.URL_ENV, "postgresql+psycopg2://user:s3cret@db.example:5432/analytics")
    assert cli.main(["db", "url"]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out and "user:***@db.example:5432/analytics" in out
    assert cli.main(["db", "url", "--reveal"]) == 0
    assert capsys.readouterr().out.strip() == "postgresql://user:s3cret@db.example:5432/analytics"


def test_db_migrate_then_up_to_date(empty_db_url, capsys):
    assert cli.main(["db", "migrate"]) == 0
    assert "003_views.sql" in capsys.readouterr().out
    assert cli.main(["db", "migrate"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_clear_errors_and_nonzero_exit(monkeypatch, capsys):
    assert cli.main(["backfill", "--start", "2026-13-01", "--end", "2026-12-02"]) == 2
    assert "not a date" in capsys.readouterr().err
    monkeypatch.setenv(dbmod.URL_ENV, "postgresql://nobody:pw-not-shown@127.0.0.1:1/nothing")
    assert cli.main(["db", "migrate"]) == 2
    err = capsys.readouterr().err
    assert "cannot connect" in err and "pw-not-shown" not in err
    monkeypatch.setenv(dbmod.URL_ENV, "mysql://x@y/z")
    assert cli.main(["db", "migrate"]) == 2
    with pytest.raises(SystemExit):
        cli.main(["no-such-command"])


def test_demo_seed_is_idempotent(db_url):
    for _ in range(2):
        cli.ensure_database(seed=True)
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT a.platform, c.provider_name, c.monitoring_enabled FROM social_accounts a "
            "JOIN social_analytics_config c ON c.social_account_id = a.id"
        ).fetchall()
    assert len(rows) == 9 and {r[1] for r in rows} == {"demo"} and all(r[2] for r in rows)


def test_dagster_instance_storage_lives_in_schema_dagster(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    url = cli.ensure_database(seed=False)
    env = cli.dagster_environment(url)
    assert env["DAGSTER_HOME"] == str(tmp_path) and (tmp_path / "dagster.yaml").exists()
    assert env["SOCIAL_PIPELINE_DAGSTER_STORAGE_URL"].startswith("postgresql+psycopg2://")
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    @asset
    def tiny() -> None:
        return None

    with DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        result = materialize([tiny], instance=instance)
        assert result.success
        run_id = result.run_id
    with psycopg.connect(db_url) as conn:
        schemas = {r[0] for r in conn.execute("SELECT table_schema FROM information_schema.tables WHERE table_name = 'runs'")}
        stored = conn.execute("SELECT count(*) FROM dagster.runs WHERE run_id = %s", (run_id,)).fetchone()[0]
    assert schemas == {"dagster"} and stored == 1
