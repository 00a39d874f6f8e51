"""Run-history retention: old finished runs and their event logs go, recent ones and every
analytics row stay."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pandas as pd
import psycopg
import pytest
from dagster import DagsterInstance, asset, materialize

from social_pipeline import cli
from social_pipeline.ingest.accounts import seed_demo_accounts
from social_pipeline.retention import prune_run_history
from social_pipeline.storage.io_manager import TableSpec, write_frame
from social_pipeline_tests.pipeline.helpers import counts


@pytest.fixture
def instance(db_url, tmp_path, monkeypatch):
    """A DagsterInstance whose run and event storage is the test database's schema ``dagster``."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    url = cli.ensure_database(seed=False)
    for key, value in cli.dagster_environment(url).items():
        monkeypatch.setenv(key, value)
    with DagsterInstance.get() as inst:
        assert type(inst.run_storage).__name__ == "PostgresRunStorage"
        yield inst


@asset
def tiny() -> int:
    return 1


def _age(db_url, run_id, days):
    """Pretend a run finished ``days`` ago."""
    moment = time.time() - days * 86400
    with psycopg.connect(db_url) as c:
        c.execute(
            "UPDATE dagster.runs SET end_time = %s, start_time = %s, create_timestamp = to_timestamp(%s) AT TIME ZONE 'UTC', "
            "update_timestamp = to_timestamp(%s) AT TIME ZONE 'UTC' WHERE run_id = %s",
            (moment, moment - 5, moment - 10, moment, run_id),
        )


def test_prune_run_history_deletes_only_old_finished_runs(db_url, conn, instance):
    seed_demo_accounts(conn, posts_per_fetch=3)
    usage = pd.DataFrame({
        "provider_name": ["demo"] * 3, "platform": ["tiktok"] * 3, "endpoint": ["a", "b", "c"],
        "request_count": [1, 2, 3], "success": [True] * 3, "latency_ms": [5, 6, 7], "date": [date(2026, 3, 1)] * 3,
    })
    with psycopg.connect(db_url) as c:
        write_frame(c, TableSpec("social_api_usage", partition_column="date"), usage, (date(2026, 3, 1), date(2026, 3, 2)))
    analytics_before = counts(conn)
    accounts_before = conn.execute("SELECT count(*) FROM social_accounts").fetchone()[0]

    runs = [materialize([tiny], instance=instance).run_id for _ in range(5)]
    old, recent = runs[:3], runs[3:]
    for days, run_id in zip((40, 31, 100), old):
        _age(db_url, run_id, days)
    _age(db_url, recent[0], 29)  # recent[1] finished just now
    assert all(instance.all_logs(r) for r in runs)

    assert prune_run_history(instance, timedelta(days=30), dry_run=True) == 3
    assert {r.run_id for r in instance.get_runs()} == set(runs)  # dry run deletes nothing

    assert prune_run_history(instance, timedelta(days=30)) == 3
    assert {r.run_id for r in instance.get_runs()} == set(recent)
    for run_id in old:
        assert instance.get_run_by_id(run_id) is None
        assert instance.all_logs(run_id) == []  # the event log went with the run
    for run_id in recent:
        assert instance.all_logs(run_id)
    stored = conn.execute("SELECT count(*) FROM dagster.event_logs WHERE run_id = ANY(%s)", (old,)).fetchone()[0]
    assert stored == 0

    assert prune_run_history(instance, timedelta(days=30)) == 0  # idempotent
    assert counts(conn) == analytics_before
    assert conn.execute("SELECT count(*) FROM social_accounts").fetchone()[0] == accounts_before


def test_prune_run_history_leaves_unfinished_runs(db_url, instance):
    run_id = materialize([tiny], instance=instance).run_id
    _age(db_url, run_id, 90)
    with psycopg.connect(db_url) as c:
        c.execute("UPDATE dagster.runs SET status = 'STARTED', end_time = NULL WHERE run_id = %s", (run_id,))
    # (the runs table's status column is what run filters read)
    assert prune_run_history(instance, timedelta(days=1)) == 0
    assert instance.get_run_by_id(run_id) is not None
    with pytest.raises(ValueError):
        prune_run_history(instance, timedelta(days=-1))
