"""The UI's run path against the command line's, for the same demo day (issue 14, item 6).

    python -m benchmarks --only launch          (or: python -m benchmarks.launch_bench)

Four runs of ``daily_pipeline`` for the same demo day, each in a fresh process and a fresh
database (so each one pulls from the simulator; none rebuilds from another's pulls):

- command line: ``job.execute_in_process`` (what ``social-pipeline materialize`` runs);
- UI path: a run created in a Dagster instance and executed from a reconstructable job with the
  job's configured executor (what the UI's run launcher does): every step in the run's process;
- UI path forkserver: the same with steps forked from a server that has preloaded the project
  (the other option, measured);
- UI path before: the same with Dagster's plain multiprocess executor (a new Python process per
  step, importing Dagster and the project), the baseline measured in the same run.

Per-step start overhead: from STEP_WORKER_STARTING to STEP_START of each step, averaged.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context

import psycopg

from .scratch import scratch_database

DAY = date(2026, 3, 15)
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
PATHS = ("command line", "UI path", "UI path forkserver", "UI path before")


def _configured_job():
    from social_pipeline.definitions import defs

    return defs.resolve_job_def("daily_pipeline")


def _plain_multiprocess_job():
    """The daily job as it was before: Dagster's default multiprocess executor (spawned steps)."""
    from dagster import multiprocess_executor

    from social_pipeline.definitions import defs

    return defs.resolve_job_def("daily_pipeline").with_executor_def(multiprocess_executor)


def _forkserver_job():
    """The daily job with steps forked from a server preloading the project (the option measured)."""
    from social_pipeline.definitions import defs
    from social_pipeline.schedules import FAST_STEPS

    return defs.resolve_job_def("daily_pipeline").with_executor_def(FAST_STEPS)


def _start_overheads(instance, run_id: str) -> list[float]:
    from dagster import DagsterEventType

    starting: dict[str, float] = {}
    out: list[float] = []
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type == DagsterEventType.STEP_WORKER_STARTING:
            starting[event.step_key] = entry.timestamp
        elif event.event_type == DagsterEventType.STEP_START and event.step_key in starting:
            out.append(entry.timestamp - starting.pop(event.step_key))
    return out


def measured(url: str, path: str) -> dict:
    """In a fresh process: one run of the day by ``path``; seconds, success, step start overheads."""
    os.environ["SOCIAL_PIPELINE_DATABASE_URL"] = url
    from dagster import DagsterInstance, execute_job, reconstructable

    with tempfile.TemporaryDirectory(prefix="sp_launch_") as home:
        instance = DagsterInstance.local_temp(home)
        tags = {"dagster/partition": DAY.isoformat()}
        if path == "command line":
            job = _configured_job()  # imported before the clock starts, as the CLI has by then
            started = time.perf_counter()
            result = job.execute_in_process(
                instance=instance, partition_key=DAY.isoformat(), run_config=QUIET, raise_on_error=False
            )
        else:
            target = {"UI path": _configured_job, "UI path forkserver": _forkserver_job}.get(path, _plain_multiprocess_job)
            started = time.perf_counter()
            result = execute_job(reconstructable(target), instance=instance, tags=tags, run_config=QUIET, raise_on_error=False)
        seconds = time.perf_counter() - started
        overheads = _start_overheads(instance, result.run_id)
    return {
        "path": path, "seconds": seconds, "success": result.success, "steps": len(overheads),
        "start_overhead": (sum(overheads) / len(overheads)) if overheads else 0.0,
    }


def one(path: str) -> dict:
    from social_pipeline.ingest.accounts import seed_demo_accounts

    with scratch_database("sp_launch") as url:
        with psycopg.connect(url) as conn:
            seed_demo_accounts(conn)
            conn.commit()
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            return pool.submit(measured, url, path).result()


def run(baseline: bool = True) -> dict[str, dict]:
    """Every path once (``baseline=False`` leaves out the old executor)."""
    return {p: one(p) for p in PATHS if baseline or p != "UI path before"}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip the old executor's run")
    args = parser.parse_args()
    out = run(baseline=not args.no_baseline)
    cli = out["command line"]["seconds"]
    for p, r in out.items():
        print(f"{p:16} {r['seconds']:6.1f} s  x{r['seconds'] / cli:4.2f} of command line  success={r['success']}  "
              f"{r['steps']} steps, start overhead {r['start_overhead']:.2f} s/step")


if __name__ == "__main__":
    main()
