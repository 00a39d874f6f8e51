"""Dagster pool slots: a step waiting for one sleeps, says what it waits for, and can be stopped.

Every raw pull declares the pool ``api_<platform>`` (dagster.yaml: one slot each by default), so a
run whose pull finds the slot taken waits for it. Dagster 1.13.27 waits badly, and
:func:`install` (called when :mod:`social_pipeline.definitions` is imported, so in command-line
runs, run workers and forkserver step processes alike) corrects it:

* **It spins.** ``InstanceConcurrencyContext.interval_to_next_pending_claim_check`` returns
  ``min([0, *[ready_at - now ...]])``, never positive, so ``ActiveExecution.sleep_til_ready`` (the
  in-process executor: command-line runs) never sleeps; and the multiprocess executor (runs launched
  by the UI, the schedules and the daemon) has no sleep at all while nothing is in flight. Either
  loop then asks for the slot at 100 % CPU for as long as the wait lasts. :func:`_interval`
  returns the time to the next claim check instead (at most :data:`NAP_SECONDS`, so a stop request
  is seen within a second), and :func:`_concurrency_events` sleeps that long in the multiprocess
  loop when no step is in flight.
* **It is silent.** Dagster logs "blocked" once every 5 minutes without saying by whom. While a
  step waits, a line every :data:`ANNOUNCE_SECONDS` names the pool, its limit and the run(s)
  holding it since when (the run's event log, and the command line through :func:`on_wait`).
* **It cannot be stopped.** ``execute_in_process`` only records SIGINT/SIGTERM (Dagster's
  ``capture_interrupts``) and checks the record inside a step, never while waiting. Here a
  recorded interrupt during the wait marks the run CANCELING and raises
  ``DagsterExecutionInterruptedError``: Dagster then records the run CANCELED and its concurrency
  context removes the pending claim.
* **Dead holders block for ever.** A slot held by a run that has finished (canceled by hand, its
  process killed) or by a command-line run whose process is gone is freed when a waiting step
  finds it (see :func:`release_stale_slots`), with a log line saying so; run monitoring does the
  same for finished runs when the daemon runs (dagster.yaml ``free_slots_after_run_end_seconds``).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import datetime, timezone
from typing import Callable


NAP_SECONDS = 1.0  # longest sleep of a waiting loop: a Ctrl-C or a freed slot is noticed within it
ANNOUNCE_SECONDS = 30.0  # a waiting step says what it waits for at most this often

# Tags of command-line runs: which process on which machine runs them (see release_stale_slots).
CLI_HOST_TAG = "social_pipeline/cli_host"
CLI_PID_TAG = "social_pipeline/cli_pid"

_listeners: list[Callable[[str, str], None]] = []
_listeners_lock = threading.Lock()
_installed = False


def on_wait(listener: Callable[[str, str], None]) -> Callable[[], None]:
    """Call ``listener(run_id, message)`` whenever a step of a run in this process says what it
    waits for; returns a function that removes the listener (the CLI prints the message)."""
    with _listeners_lock:
        _listeners.append(listener)

    def remove() -> None:
        with _listeners_lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return remove


def command_line_tags() -> dict[str, str]:
    """Tags that let a waiting step tell a live command-line run from one whose process is gone."""
    return {CLI_HOST_TAG: socket.gethostname(), CLI_PID_TAG: str(os.getpid())}


def _clock(ts) -> str:
    if ts is None:
        return "?"
    if isinstance(ts, (int, float)):
        moment = datetime.fromtimestamp(ts, timezone.utc)
    else:
        moment = ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%H:%M:%S UTC")


def _process_gone(run) -> bool:
    """True when ``run`` is a command-line run of this machine whose process no longer exists."""
    host, pid = run.tags.get(CLI_HOST_TAG), run.tags.get(CLI_PID_TAG)
    if host != socket.gethostname() or not (pid or "").isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def release_stale_slots(instance, pool: str, waiting_run_id: str) -> list[str]:
    """Free the slots of ``pool`` held by runs that can no longer free them: runs already finished
    (failed, canceled -- "marking a run canceled does not free its slot"), and command-line runs
    whose process is gone (killed with SIGKILL, the machine rebooted), which are marked failed
    first. Returns one sentence per run released."""
    from dagster._core.storage.dagster_run import FINISHED_STATUSES

    storage = instance.event_log_storage
    info = storage.get_concurrency_info(pool)
    released = []
    for run_id in sorted({s.run_id for s in info.claimed_slots} - {waiting_run_id}):
        run = instance.get_run_by_id(run_id)
        if run is None:
            why = "no such run"
        elif run.status in FINISHED_STATUSES:
            why = f"it had ended ({run.status.value})"
        elif _process_gone(run):
            instance.report_run_failed(
                run, f"its command-line process {run.tags.get(CLI_PID_TAG)} is gone; marked failed by run {waiting_run_id[:8]}"
            )
            why = f"its command-line process {run.tags.get(CLI_PID_TAG)} is gone (run marked failed)"
        else:
            continue
        storage.free_concurrency_slots_for_run(run_id)
        released.append(f"freed the slot of pool {pool} held by run {run_id[:8]}: {why}")
    return released


def describe_wait(instance, pool: str, waiting_run_id: str) -> str:
    """One line: the pool, its limit and who holds it since when, e.g. ``waiting for pool
    api_tiktok (limit 1): held by run 1a2b3c4d (raw__tiktok) since 12:01:07 UTC``."""
    info = instance.event_log_storage.get_concurrency_info(pool)
    limit = info.limit if info.limit is not None else info.slot_count
    since = {(p.run_id, p.step_key): p.assigned_timestamp for p in info.pending_steps if p.assigned_timestamp}
    holders = [s for s in info.claimed_slots if s.run_id != waiting_run_id]
    text = f"waiting for pool {pool} (limit {limit})"
    if limit == 0:
        return text + f": nothing of it runs until its limit is raised (`dagster instance concurrency set {pool} 1`)"
    if not holders:
        return text + ": no run holds it now; the slot is being handed over"
    held = ", ".join(
        f"run {s.run_id[:8]} ({s.step_key}) since {_clock(since.get((s.run_id, s.step_key)))}" for s in holders
    )
    queued = len({p.run_id for p in info.pending_steps if p.assigned_timestamp is None} - {waiting_run_id})
    return text + f": held by {held}" + (f"; {queued} other run(s) queued" if queued else "")


# -- the corrections --------------------------------------------------------------------------

def _interval(self) -> float:
    """Seconds until the next pending claim is due to be retried (0: retry now), at most
    NAP_SECONDS. Replaces Dagster 1.13.27's version, which returns ``min(0, ...)``: never positive,
    so the waiting loop never sleeps."""
    if not self._pending_claims:
        return 0.0
    now = time.time()
    due = [self._pending_timeouts[k] - now for k in self._pending_claims if k in self._pending_timeouts]
    if not due:
        return 0.0
    return max(0.0, min(NAP_SECONDS, min(due)))


def _announce(active, plan_context, concurrency) -> None:
    """Log (and tell the listeners) what the waiting steps wait for, at most every ANNOUNCE_SECONDS."""
    from dagster._core.execution.plan.active import _pool_key_for_step

    told = active.__dict__.setdefault("_social_pipeline_told", {})
    now = time.time()
    run_id = plan_context.run_id
    for step_key in sorted(concurrency.pending_claim_steps()):
        step = active.get_step_by_key(step_key)
        pool = _pool_key_for_step(step)
        if not pool or now - told.get(pool, 0.0) < ANNOUNCE_SECONDS:
            continue
        told[pool] = now
        try:
            notes = release_stale_slots(plan_context.instance, pool, run_id)
            message = describe_wait(plan_context.instance, pool, run_id)
        except Exception as exc:  # saying what we wait for must never stop the run
            notes, message = [], f"waiting for pool {pool} (who holds it is unknown: {type(exc).__name__})"
        step_log = plan_context.for_step(step).log
        for note in notes:
            step_log.warning(note)
        step_log.info(f"{message}; step {step_key} starts when the slot is free")
        with _listeners_lock:
            listeners = list(_listeners)
        for listener in listeners:
            for line in (*notes, message):
                listener(run_id, line)


def _stop_requested(plan_context) -> bool:
    """A SIGINT/SIGTERM recorded by Dagster's capture_interrupts in an in-process run (the
    multiprocess executor checks the record itself at the top of its loop)."""
    from dagster._core.execution.context.system import PlanExecutionContext
    from dagster._utils.interrupts import pop_captured_interrupt

    return isinstance(plan_context, PlanExecutionContext) and pop_captured_interrupt()


def _wrap_concurrency_events(original):
    def _concurrency_events(self, plan_context):
        yield from original(self, plan_context)
        concurrency = self._instance_concurrency_context
        if concurrency is None or not concurrency.has_pending_claims():
            return
        _announce(self, plan_context, concurrency)
        if _stop_requested(plan_context):
            from dagster._core.errors import DagsterExecutionInterruptedError

            from dagster._core.execution.plan.active import _pool_key_for_step

            pools = ", ".join(sorted({str(_pool_key_for_step(self.get_step_by_key(k))) for k in concurrency.pending_claim_steps()}))
            plan_context.instance.report_run_canceling(
                plan_context.dagster_run, message=f"stopped by an interrupt signal while waiting for pool {pools}"
            )
            raise DagsterExecutionInterruptedError(f"stopped while waiting for pool {pools}")
        from dagster._core.execution.context.system import PlanExecutionContext

        if not self._in_flight and not isinstance(plan_context, PlanExecutionContext):
            # The multiprocess loop: nothing running, only waiting. (The in-process loop sleeps
            # in sleep_til_ready, on _interval.)
            time.sleep(min(NAP_SECONDS, max(0.0, self.sleep_interval())) or 0.05)

    _concurrency_events._social_pipeline = True
    return _concurrency_events


def install() -> None:
    """Apply the corrections above to Dagster's classes (once per process)."""
    global _installed
    if _installed:
        return
    from dagster._core.execution.plan.active import ActiveExecution
    from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext

    InstanceConcurrencyContext.interval_to_next_pending_claim_check = _interval
    if not getattr(ActiveExecution.concurrency_event_iterator, "_social_pipeline", False):
        ActiveExecution.concurrency_event_iterator = _wrap_concurrency_events(ActiveExecution.concurrency_event_iterator)
    _installed = True
