"""A writer dying in the middle of its COPY leaves the previous complete version of the partition.

(a) the writing process is SIGKILLed while PostgreSQL shows its COPY running;
(b) the server terminates the writer's backend (``pg_terminate_backend``) mid-COPY.
In both cases the table afterwards holds exactly the earlier version, and a re-run succeeds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date

import pandas as pd
import psycopg
import pytest

from social_pipeline.storage.io_manager import TableSpec, write_frame

DAY = date(2026, 4, 1)
WINDOW = (DAY, date(2026, 4, 2))
SPEC = TableSpec("social_api_usage", partition_column="date")
BIG = 300_000
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def usage_frame(n: int, prefix: str, day: date = DAY) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "provider_name": ["demo"] * n,
            "platform": ["tiktok"] * n,
            "endpoint": [f"{prefix}{i}" for i in range(n)],
            "request_count": pd.array(range(n), dtype="Int64"),
            "success": [True] * n,
            "latency_ms": pd.array(range(n), dtype="Int64"),
            "date": [day] * n,
        }
    )


def snapshot(conn):
    return conn.execute(
        "SELECT count(*), min(endpoint), max(endpoint), sum(request_count) FROM social_api_usage WHERE date = %s", (DAY,)
    ).fetchone()


def wait_for_copy(conn, deadline: float = 60.0) -> int:
    """The backend pid of a COPY into social_api_usage once PostgreSQL shows it running."""
    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state = 'active' AND query ILIKE 'COPY%%social_api_usage%%'"
        ).fetchone()
        if row:
            return row[0]
        time.sleep(0.005)
    raise AssertionError("the writer's COPY never showed up in pg_stat_activity")


def wait_gone(conn, pid: int, deadline: float = 30.0) -> None:
    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        if not conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            return
        time.sleep(0.05)
    raise AssertionError(f"backend {pid} outlived its client")


@pytest.fixture
def previous_version(db_url, conn):
    with psycopg.connect(db_url) as c:
        write_frame(c, SPEC, usage_frame(1000, "old"), WINDOW)
        write_frame(c, SPEC, usage_frame(10, "other", date(2026, 4, 2)), (date(2026, 4, 2), date(2026, 4, 3)))
    before = snapshot(conn)
    assert before == (1000, "old0", "old999", sum(range(1000)))
    return before


CHILD = textwrap.dedent(
    """
    import sys, psycopg
    sys.path.insert(0, {repo!r})
    from social_pipeline_tests.reliability.test_crash_mid_write import SPEC, WINDOW, BIG, usage_frame
    from social_pipeline.storage.io_manager import write_frame
    df = usage_frame(BIG, "new")
    with psycopg.connect(sys.argv[1]) as conn:
        print("writing", flush=True)
        write_frame(conn, SPEC, df, WINDOW)
    print("done", flush=True)
    """
)


def test_sigkill_mid_copy_keeps_the_previous_version(db_url, conn, previous_version):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(repo=REPO), db_url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )
    try:
        backend = wait_for_copy(conn)
        # Let some rows through first, so the kill lands inside the data stream.
        time.sleep(0.3)
        assert child.poll() is None, child.communicate()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    out = child.stdout.read()
    assert "writing" in out and "done" not in out
    wait_gone(conn, backend)  # the server noticed the dead client and rolled back

    assert snapshot(conn) == previous_version
    assert conn.execute("SELECT count(*) FROM social_api_usage WHERE endpoint LIKE 'new%%'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM social_api_usage WHERE date = '2026-04-02'").fetchone()[0] == 10

    # A re-run (the advisory lock went with the dead transaction) gives the expected result.
    started = time.monotonic()
    with psycopg.connect(db_url) as c:
        write_frame(c, SPEC, usage_frame(BIG, "new"), WINDOW)
    assert time.monotonic() - started < 120
    assert snapshot(conn) == (BIG, "new0", "new99999", sum(range(BIG)))
    assert conn.execute("SELECT count(*) FROM social_api_usage WHERE date = '2026-04-02'").fetchone()[0] == 10


def test_backend_terminated_mid_copy_keeps_the_previous_version(db_url, conn, previous_version):
    outcome: dict[str, BaseException | None] = {}
    df = usage_frame(BIG, "new")

    def writer():
        try:
            with psycopg.connect(db_url) as c:
                write_frame(c, SPEC, df, WINDOW)
            outcome["error"] = None
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            outcome["error"] = exc

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    backend = wait_for_copy(conn)
    time.sleep(0.2)
    assert conn.execute("SELECT pg_terminate_backend(%s)", (backend,)).fetchone()[0] is True
    thread.join(timeout=60)
    assert not thread.is_alive(), "the writer hung after its backend was terminated"
    assert isinstance(outcome.get("error"), psycopg.OperationalError), outcome
    wait_gone(conn, backend)

    assert snapshot(conn) == previous_version
    assert conn.execute("SELECT count(*) FROM social_api_usage WHERE endpoint LIKE 'new%%'").fetchone()[0] == 0

    with psycopg.connect(db_url) as c:
        write_frame(c, SPEC, usage_frame(500, "again"), WINDOW)
    assert snapshot(conn) == (500, "again0", "again99", sum(range(500)))
