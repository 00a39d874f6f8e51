"""Writers racing on the same rows end with exactly one version, without deadlock, in bounded time.

- two threads replacing the same partition at once (released together by a barrier);
- two threads upserting overlapping keys at once;
- a 1-day write racing a 7-day window write over that day;
- two whole ``run_day`` of the same day in two processes at once: the same row counts as one run.
(Concurrent ``migrate()`` is covered in storage/test_migrations.py.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date, timedelta

import pandas as pd
import psycopg
import pytest

from social_pipeline.storage.io_manager import TableSpec, write_frame
from social_pipeline_tests.conftest import _create_db, _drop_db, with_dbname
from social_pipeline_tests.pipeline.helpers import counts, run_day, seed

DAY = date(2026, 5, 3)
WINDOW = (DAY, DAY + timedelta(days=1))
USAGE = TableSpec("social_api_usage", partition_column="date")
POSTS = TableSpec(
    "social_posts_analytics", mode="upsert", keys=("social_account_id", "platform", "external_post_id"),
    merge={"first_seen_date": "least", "last_seen_date": "greatest"}, newer_column="last_seen_date",
)
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 60


def usage(n: int, prefix: str, days) -> pd.DataFrame:
    rows = [
        {"provider_name": "demo", "platform": "tiktok", "endpoint": f"{prefix}{i}", "request_count": i,
         "success": True, "latency_ms": 1, "date": d}
        for d in days for i in range(n)
    ]
    return pd.DataFrame(rows)


def race(db_url, *jobs):
    """Run each (spec, frame, window) in its own thread and connection, released together."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def go(spec, df, window):
        try:
            with psycopg.connect(db_url) as c:
                barrier.wait(timeout=TIMEOUT)
                write_frame(c, spec, df, window)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=go, args=job, daemon=True) for job in jobs]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIMEOUT)
    assert not any(t.is_alive() for t in threads), "writers still running: deadlock or lost wake-up"
    assert not errors, errors
    return time.monotonic() - started


def test_two_replaces_of_one_partition_leave_exactly_one_version(db_url, conn):
    with psycopg.connect(db_url) as c:
        write_frame(c, USAGE, usage(100, "old", [DAY]), WINDOW)
    for round_ in range(3):
        a, b = usage(20_000, f"a{round_}_", [DAY]), usage(15_000, f"b{round_}_", [DAY])
        elapsed = race(db_url, (USAGE, a, WINDOW), (USAGE, b, WINDOW))
        assert elapsed < TIMEOUT
        prefixes = dict(conn.execute(
            "SELECT left(endpoint, 1), count(*) FROM social_api_usage WHERE date = %s GROUP BY 1", (DAY,)
        ).fetchall())
        assert prefixes in ({"a": 20_000}, {"b": 15_000}), prefixes  # one writer's whole frame, nothing else
        assert conn.execute(
            "SELECT count(*) - count(DISTINCT endpoint) FROM social_api_usage WHERE date = %s", (DAY,)
        ).fetchone()[0] == 0


def test_two_upserts_of_overlapping_keys_leave_one_row_per_key(db_url, conn):
    account = conn.execute(
        "INSERT INTO social_accounts (platform, handle) VALUES ('tiktok', 'race') RETURNING id::text"
    ).fetchone()[0]

    def posts(ids, caption, day):
        return pd.DataFrame({
            "social_account_id": account, "external_post_id": [str(i) for i in ids], "platform": "tiktok",
            "caption": caption, "first_seen_date": day, "last_seen_date": day,
        })

    with psycopg.connect(db_url) as c:
        write_frame(c, POSTS, posts(range(0, 1000), "seed", DAY), None)
    ids_before = dict(conn.execute("SELECT external_post_id, id FROM social_posts_analytics").fetchall())
    for _ in range(3):
        race(
            db_url,
            (POSTS, posts(range(500, 8000), "first", DAY), None),
            (POSTS, posts(range(0, 6000), "second", DAY + timedelta(days=1)), None),
        )
    total, distinct = conn.execute(
        "SELECT count(*), count(DISTINCT (platform, external_post_id)) FROM social_posts_analytics"
    ).fetchone()
    assert total == distinct == 8000
    ids_after = dict(conn.execute("SELECT external_post_id, id FROM social_posts_analytics").fetchall())
    assert all(ids_after[k] == v for k, v in ids_before.items())  # upserts keep ids
    # Merge columns are order-independent: first seen the earlier day, last seen the later one.
    assert conn.execute(
        "SELECT min(first_seen_date), max(last_seen_date) FROM social_posts_analytics WHERE external_post_id::int < 6000"
    ).fetchone() == (DAY, DAY + timedelta(days=1))
    # The newer day's values win on the shared keys, whichever writer committed last.
    assert {r[0] for r in conn.execute(
        "SELECT DISTINCT caption FROM social_posts_analytics WHERE external_post_id::int BETWEEN 500 AND 5999"
    )} == {"second"}


def test_one_day_write_racing_a_seven_day_window(db_url, conn):
    week = [DAY + timedelta(days=i) for i in range(7)]
    week_window = (week[0], week[-1] + timedelta(days=1))
    middle = week[3]
    for _ in range(3):
        elapsed = race(
            db_url,
            (USAGE, usage(3000, "w", week), week_window),
            (USAGE, usage(2000, "d", [middle]), (middle, middle + timedelta(days=1))),
        )
        assert elapsed < TIMEOUT
        per_day = {
            (d, p): n
            for d, p, n in conn.execute(
                "SELECT date, left(endpoint, 1), count(*) FROM social_api_usage GROUP BY 1, 2"
            ).fetchall()
        }
        for d in week:
            if d == middle:
                # Exactly one version of the contested day: the week's or the day's, never both.
                assert per_day in ({**{(x, "w"): 3000 for x in week}},
                                   {**{(x, "w"): 3000 for x in week if x != middle}, (middle, "d"): 2000}), per_day
            else:
                assert per_day[(d, "w")] == 3000


RUN_DAY = textwrap.dedent(
    """
    import sys
    from datetime import date
    sys.path.insert(0, {repo!r})
    from social_pipeline_tests.pipeline.helpers import run_day
    result = run_day(date.fromisoformat(sys.argv[1]), raise_on_error=False)
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    print("success" if result.success else f"failed {{failed}}", flush=True)
    """
)


def test_two_concurrent_run_day_processes_equal_one_run(db_url, conn, server_url, template_db, monkeypatch):
    day = date(2026, 11, 10)
    seed(conn, posts_per_fetch=3)
    env = {**os.environ, "SOCIAL_PIPELINE_DATABASE_URL": db_url, "SOCIAL_PIPELINE_RETRY_BACKOFF_SECONDS": "0"}
    env.pop("SOCIAL_PIPELINE_DEMO_FAULTS", None)
    procs = [
        subprocess.Popen([sys.executable, "-c", RUN_DAY.format(repo=REPO), day.isoformat()], env=env, cwd=REPO,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=240)
            outputs.append((p.returncode, out.strip().splitlines()[-1:] , err[-2000:]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for code, last, err in outputs:
        assert code == 0 and last == ["success"], (last, err)
    concurrent = counts(conn)

    # The reference: one run of the same day on a fresh copy of the template.
    name = _create_db(server_url, template_db)
    try:
        ref_url = with_dbname(server_url, name)
        monkeypatch.setenv("SOCIAL_PIPELINE_DATABASE_URL", ref_url)
        with psycopg.connect(ref_url, autocommit=True) as ref:
            seed(ref, posts_per_fetch=3)
            assert run_day(day).success
            single = counts(ref)
    finally:
        _drop_db(server_url, name)
    # The raw ledger keeps every exchange of the newest pull per platform; both runs replaced it.
    assert concurrent == single
    dupes = conn.execute(
        "SELECT count(*) FROM (SELECT post_id, snapshot_date FROM social_post_metrics WHERE snapshot_hour IS NULL "
        "GROUP BY 1, 2 HAVING count(*) > 1) d"
    ).fetchone()[0]
    assert dupes == 0
