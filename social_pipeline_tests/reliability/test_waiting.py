"""Waiting is visible and bounded (issue 14, item 4).

- a step waiting for a pool slot sleeps between claim checks, in the in-process executor (the
  command line) and in the multiprocess one (runs of the UI, schedules and daemon), instead of
  spinning (Dagster 1.13.27 never sleeps there; social_pipeline.slots corrects it);
- a command-line run blocked on a slot held by another run says which run holds it, stops on
  SIGTERM, exits 143, and leaves the run CANCELED and no slot of it held or pending;
- a slot held by a command-line run whose process is gone is freed by the run waiting for it;
- a request budget of 0 fails at once with a message naming the setting and its variable;
- a long wait for a request slot is logged with what it waits for.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus, In, Nothing, job, op, reconstructable
from dagster._core.events import DagsterEvent, DagsterEventType
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext

import social_pipeline.definitions  # noqa: F401  (built now: a test below sets a platform variable)
from social_pipeline import cli, slots
from social_pipeline.ingest.pulling import RETRY_ENV
from social_pipeline.ingest.settings import PlatformSettings, platform_settings
from social_pipeline.platforms.ratelimit import RateLimiter, limiter_for

REPO = Path(__file__).resolve().parents[2]
POOL = "api_tiktok"
TIMEOUT = 300  # generous bound on waiting for the subprocess; never an assertion on speed
DAY = (datetime.now(timezone.utc) - timedelta(days=3)).date()


@pytest.fixture
def instance(db_url, tmp_path, monkeypatch):
    """The Dagster instance the command line uses (schema dagster of the test database)."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv(cli.DEMO_ENV, "0")
    monkeypatch.setenv(RETRY_ENV, "0")
    for key, value in cli.dagster_environment(cli.ensure_database(seed=False)).items():
        monkeypatch.setenv(key, value)
    with DagsterInstance.get() as found:
        yield found


@op
def holder_op() -> None:
    return None


@job
def holder_job():
    holder_op()


def started_run(instance, tags=None) -> str:
    """A run in status STARTED (as if another process ran it), holding nothing yet."""
    run = instance.create_run_for_job(job_def=holder_job, tags=tags or {})
    instance.report_dagster_event(
        DagsterEvent(event_type_value=DagsterEventType.RUN_START.value, job_name=run.job_name), run_id=run.run_id
    )
    return run.run_id


def hold(instance, pool: str, run_id: str, step_key: str = "raw__tiktok") -> None:
    storage = instance.event_log_storage
    storage.set_concurrency_slots(pool, 1)
    assert storage.claim_concurrency_slot(pool, run_id, step_key, 0).is_claimed


def held_by(instance, pool: str) -> tuple[set[str], set[str]]:
    """(runs holding a slot of ``pool``, runs with a step pending on it)."""
    info = instance.event_log_storage.get_concurrency_info(pool)
    return {s.run_id for s in info.claimed_slots}, {p.run_id for p in info.pending_steps if p.assigned_timestamp is None}


# -- the sleep ------------------------------------------------------------------------------

class SpinWatch:
    """Counts the claim attempts and sleeps of a waiting run; lets the run through (frees the
    held slot) after a few sleeps, or after many attempts without any sleep (the defect)."""

    def __init__(self, monkeypatch, instance, holder: str, sleeps_before_release: int = 3, spin_limit: int = 3000):
        self.instance, self.holder = instance, holder
        self.claims = self.sleeps = 0
        self.claims_before_release = None
        self.limit, self.spin_limit = sleeps_before_release, spin_limit
        real_sleep, real_claim = time.sleep, InstanceConcurrencyContext.claim
        watch = self

        def claim(ctx, key, step_key, priority=0):
            watch.claims += 1
            if watch.claims_before_release is None and watch.sleeps == 0 and watch.claims >= watch.spin_limit:
                watch.release()
            return real_claim(ctx, key, step_key, priority)

        def sleep(seconds):
            if threading.current_thread() is threading.main_thread() and watch.claims_before_release is None and seconds > 0:
                watch.sleeps += 1
                if watch.sleeps >= watch.limit:
                    watch.release()
            real_sleep(seconds)

        monkeypatch.setattr(InstanceConcurrencyContext, "claim", claim)
        monkeypatch.setattr(time, "sleep", sleep)

    def release(self):
        self.claims_before_release = self.claims
        self.instance.event_log_storage.free_concurrency_slots_for_run(self.holder)


@op(pool=POOL)
def pooled(context) -> None:
    context.log.info("got the slot")


@op(ins={"after": In(Nothing)})
def after_pool() -> None:
    return None


@job
def pooled_job():
    after_pool(pooled())


def test_a_step_waiting_for_a_slot_sleeps_in_process(instance, monkeypatch):
    """execute_in_process (what the CLI runs): the loop sleeps between claim checks. Without
    slots.install(), Dagster's interval is never positive: thousands of claim attempts, no sleep."""
    slots.install()
    holder = started_run(instance)
    hold(instance, POOL, holder)
    told = []
    remove = slots.on_wait(lambda run_id, message: told.append(message))
    watch = SpinWatch(monkeypatch, instance, holder)
    try:
        result = pooled_job.execute_in_process(instance=instance)
    finally:
        remove()
    assert result.success
    assert watch.sleeps >= 3, f"{watch.claims_before_release} claim attempts without a single sleep (spinning)"
    assert watch.claims_before_release < 50, watch.claims_before_release
    assert told and told[0].startswith(f"waiting for pool {POOL} (limit 1): held by run {holder[:8]} (raw__tiktok) since ")


def test_a_step_waiting_for_a_slot_sleeps_in_the_multiprocess_executor(instance, monkeypatch):
    """The executor of runs launched by the UI and the daemon: its loop had no sleep at all."""
    from dagster import execute_job

    slots.install()
    holder = started_run(instance)
    hold(instance, POOL, holder)
    watch = SpinWatch(monkeypatch, instance, holder)
    with execute_job(reconstructable(multiprocess_pooled_job), instance=instance) as result:
        assert result.success
    assert watch.sleeps >= 3, f"{watch.claims_before_release} claim attempts without a single sleep (spinning)"
    assert watch.claims_before_release < 50, watch.claims_before_release
    messages = [e.message for e in instance.all_logs(result.run_id) if e.message and f"waiting for pool {POOL}" in e.message]
    assert messages and f"held by run {holder[:8]}" in messages[0]


@job
def multiprocess_pooled_job():
    after_pool(pooled())


def test_interval_is_the_time_to_the_next_claim_check(instance):
    """The corrected interval directly: positive while a retry is due later, at most NAP_SECONDS."""
    slots.install()
    run = instance.create_run_for_job(job_def=holder_job)
    with InstanceConcurrencyContext(instance, run) as ctx:
        ctx._pending_claims.add("s")
        ctx._pending_timeouts["s"] = time.time() + 30
        assert 0 < ctx.interval_to_next_pending_claim_check() <= slots.NAP_SECONDS
        ctx._pending_timeouts["s"] = time.time() - 1
        assert ctx.interval_to_next_pending_claim_check() == 0
        ctx._pending_claims.clear()


def test_a_slot_of_a_dead_command_line_run_is_freed_by_the_run_waiting_for_it(instance):
    slots.install()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = started_run(instance, {**slots.command_line_tags(), slots.CLI_PID_TAG: str(gone.pid)})
    hold(instance, POOL, dead)
    live = started_run(instance)  # a run of another process that is alive: kept
    hold(instance, "api_bluesky", live, "raw__bluesky")
    # Should the waiting run not free it, the test still ends (and fails below).
    watchdog = threading.Timer(TIMEOUT, instance.event_log_storage.free_concurrency_slots_for_run, [dead])
    watchdog.start()
    try:
        result = pooled_job.execute_in_process(instance=instance)
    finally:
        watchdog.cancel()
    assert result.success
    assert instance.get_run_by_id(dead).status == DagsterRunStatus.FAILURE
    assert held_by(instance, POOL) == (set(), set())
    assert held_by(instance, "api_bluesky") == ({live}, set())
    notes = [e.message for e in instance.all_logs(result.run_id) if e.message and "freed the slot" in e.message]
    assert notes and f"run {dead[:8]}" in notes[0] and f"process {gone.pid} is gone" in notes[0]


# -- the command line ---------------------------------------------------------------------

def _lines(stream, out: queue.Queue):
    for line in iter(stream.readline, ""):
        out.put(line)
    out.put(None)


def test_cli_run_blocked_on_a_slot_says_so_and_stops_on_sigterm(instance, db_url):
    """`social-pipeline materialize` behind a slot held by another run: it prints what it waits
    for, SIGTERM stops it, it exits 143, the run is CANCELED and holds or awaits no slot."""
    holder = started_run(instance)
    hold(instance, POOL, holder)
    env = {**os.environ, cli.DEMO_ENV: "0", RETRY_ENV: "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "social_pipeline.cli", "materialize", "--date", DAY.isoformat()],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    err: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stderr, err), daemon=True).start()
    seen = []
    try:
        deadline = time.monotonic() + TIMEOUT
        while not any(f"waiting for pool {POOL}" in line for line in seen):
            line = err.get(timeout=max(deadline - time.monotonic(), 0.1))
            assert line is not None, "the command ended before waiting:\n" + "".join(seen) + proc.stdout.read()
            seen.append(line)
        proc.send_signal(signal.SIGTERM)
        returncode = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stdout = proc.stdout.read()
    while (line := err.get(timeout=TIMEOUT)) is not None:
        seen.append(line)
    stderr = "".join(seen)
    waiting = next(line for line in seen if f"waiting for pool {POOL}" in line)
    assert f"held by run {holder[:8]} (raw__tiktok) since " in waiting and "UTC" in waiting and "Ctrl-C stops" in waiting
    assert returncode == 143, stdout + stderr

    runs = instance.get_runs()
    ours = [r for r in runs if r.tags.get(slots.CLI_PID_TAG) == str(proc.pid)]
    assert len(ours) == 1, [r.tags for r in runs]
    run = ours[0]
    assert run.status == DagsterRunStatus.CANCELED
    assert f"stopped by SIGTERM: run {run.run_id} canceled" in stderr
    assert held_by(instance, POOL) == ({holder}, set())  # the holder keeps its slot; ours is gone
    for pool in instance.event_log_storage.get_concurrency_keys():
        claimed, pending = held_by(instance, pool)
        assert run.run_id not in claimed | pending, pool
    # An ordinary run of the code location: the origin the UI gives its own runs.
    origin = run.remote_job_origin
    assert origin is not None and origin.location_name == "social_pipeline"
    assert origin.repository_origin.repository_name == "__repository__" and origin.job_name == "daily_pipeline"


# -- request budgets ------------------------------------------------------------------------

def test_a_request_budget_of_zero_fails_at_once_naming_the_setting(instance, capsys, monkeypatch):
    variable = "SOCIAL_PIPELINE_TIKTOK_REQUESTS_PER_MINUTE"
    for bad in ("0", "-5"):
        with pytest.raises(ValueError, match=f"requests_per_minute is {bad}.*{variable}"):
            platform_settings("tiktok", {variable: bad})
    # The Dagster resource builds its settings through the same class.
    with pytest.raises(ValueError, match=variable):
        PlatformSettings(platform="tiktok", requests_per_minute=0)
    with pytest.raises(ValueError, match=variable):
        limiter_for("official", "tiktok", 0)

    monkeypatch.setenv(variable, "0")
    runs_before = len(instance.get_runs())
    assert cli.main(["materialize", "--date", DAY.isoformat()]) == 2
    err = capsys.readouterr().err
    assert variable in err and "requests_per_minute" in err
    assert len(instance.get_runs()) == runs_before  # failed before starting a run: nothing waits


def test_a_long_wait_for_a_request_slot_is_logged(caplog):
    now = [0.0]
    limiter = RateLimiter(
        1, 60.0, burst=1, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s),
        name="tiktok (official) rate limit",
    )
    with caplog.at_level(logging.WARNING, logger="social_pipeline.platforms.ratelimit"):
        limiter.acquire()  # the burst: no wait
        assert not caplog.records
        limiter.acquire()  # a minute's wait
        limiter.pause(120)
        limiter.acquire()
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "waiting 60 s for the tiktok (official) rate limit: the budget of 1 requests per 60 s is spent"
    assert "the server asked us to slow down" in messages[1]
