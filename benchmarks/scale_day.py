"""A whole day at agency scale: N demo accounts over the nine platforms through every asset.

    python -m benchmarks.scale_day --accounts 1000 --posts-per-account 100 [--profile]

1. N demo accounts are created, dealt round-robin over the nine platforms.
2. Every exchange of their pulls is recorded from the simulator (worker processes; see
   ``recorded_api``), so the measured run spends nothing on rendering fake API answers.
3. The measured run happens in a fresh child process: every asset of the day (raw pulls, the
   normalized tables, hashtags, snapshots, audience, operations, content mapping) and the table
   checks, materialized in process with Dagster, then one query over each view. It reports wall
   time, time per asset, peak resident memory of that process and, with ``--profile``, a
   pyinstrument profile split into Postgres, pandas, parsing and Dagster shares.

The network is free here, so the pulls run one account at a time (concurrency only overlaps
waiting, and there is none). Dagster's instance is in memory (no run storage round trips).
"""

from __future__ import annotations

import argparse
import os
import resource
import threading
import tempfile
import time
from datetime import date, timedelta
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import psycopg
from psycopg import sql

from social_pipeline.ingest.accounts import DEMO_HANDLES, DEMO_PROVIDER, monitored_accounts
from social_pipeline.platforms import PLATFORMS
from social_pipeline.ingest.settings import env_name
from social_pipeline.simulator import demo_token
from social_pipeline.simulator.recording import RECORDING_ENV

from .scratch import scratch_database

DAY = date(2026, 3, 15)
TABLES = (
    "social_raw_pulls", "social_posts_analytics", "social_post_metrics", "social_comments",
    "social_hashtags", "social_post_hashtags", "social_analytics_snapshots",
    "social_audience_demographics", "social_api_usage", "social_fetch_jobs", "social_content_mappings",
)
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
VIEWS = (
    "social_account_growth", "social_analytics_latest", "social_best_time_to_post", "social_content_performance",
    "social_content_posts", "social_post_performance", "social_post_velocity", "social_post_virality",
    "social_top_hashtags",
)


def scale_handle(platform: str, i: int) -> str:
    """A handle valid on ``platform`` (X allows 15 characters; Bluesky handles are domains)."""
    return f"c{i:04d}.bsky.social" if DEMO_HANDLES[platform].endswith(".bsky.social") else f"c{i:04d}creator"


def create_accounts(conn, accounts: int, posts_per_account: int) -> None:
    """``accounts`` demo accounts, dealt round-robin over the nine platforms."""
    with conn.cursor() as cur:
        with cur.copy("COPY social_accounts (platform, handle, access_token) FROM STDIN") as copy:
            for i in range(accounts):
                platform = PLATFORMS[i % len(PLATFORMS)]
                handle = scale_handle(platform, i)
                copy.write_row((platform, handle, demo_token(platform, handle)))
        cur.execute(
            "INSERT INTO social_analytics_config (social_account_id, monitoring_enabled, posts_per_fetch, provider_name) "
            "SELECT id, TRUE, %s, %s FROM social_accounts WHERE id NOT IN (SELECT social_account_id FROM social_analytics_config)",
            (posts_per_account, DEMO_PROVIDER),
        )
    conn.commit()


def step_times(instance, run_id: str) -> dict[str, float]:
    from dagster import DagsterEventType

    starts, spans = {}, {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            starts[event.step_key] = entry.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            spans[event.step_key] = entry.timestamp - starts.get(event.step_key, entry.timestamp)
    return spans


class TreeMemory:
    """Samples the memory of this process and all its descendants (step processes, the fork
    server) every 0.2 s.

    ``peak_pss_mib``: the largest sum of proportional set sizes (a page shared by n processes
    counts 1/n in each), i.e. the memory the run really occupies. ``peak_rss_mib``: the largest
    sum of resident sizes, which counts every page shared copy-on-write with the fork server once
    per process that maps it. ``at_peak``: pid -> PSS MiB at the PSS peak.
    """

    def __init__(self):
        self.peak_pss_mib = 0.0
        self.peak_rss_mib = 0.0
        self.at_peak: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree(root: int) -> set[int]:
        parents = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
        tree, grew = {root}, True
        while grew:
            grew = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        return tree

    @staticmethod
    def _sizes_kib(pid: int) -> tuple[int, int]:
        """(RSS, PSS) of one process in KiB; (0, 0) once it is gone."""
        rss = pss = 0
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss = int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss = int(line.split()[1])
        except (OSError, ValueError):
            pass
        return rss, pss

    def _run(self):
        while not self._stop.is_set():
            sizes = {pid: self._sizes_kib(pid) for pid in self._tree(os.getpid())}
            rss = sum(r for r, _ in sizes.values()) / 1024
            pss = sum(p for _, p in sizes.values()) / 1024
            self.peak_rss_mib = max(self.peak_rss_mib, rss)
            if pss > self.peak_pss_mib:
                self.peak_pss_mib = pss
                self.at_peak = {pid: p / 1024 for pid, (_, p) in sizes.items() if p}
            self._stop.wait(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def step_pids(instance, run_id: str) -> dict[int, str]:
    """pid -> step key of the step processes of a run (from their events)."""
    from dagster import DagsterEventType

    pids = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        # STEP_START comes from the step's own process (the run process announces the workers).
        if event is not None and event.event_type == DagsterEventType.STEP_START and event.pid:
            pids[event.pid] = event.step_key
    return pids


def measured_day(url: str, day: date, recording: str | None, profile: bool, executor: str = "multiprocess") -> dict:
    """Run in a fresh process: the whole graph for ``day``, then each view once.

    ``executor``: "multiprocess" runs the project's own ``daily_pipeline`` job (steps forked from a
    preloaded server, two at a time on two cores, as the schedule runs it); "in_process" runs
    every step in this process, which is what the profiler can see.
    """
    os.environ["SOCIAL_PIPELINE_DATABASE_URL"] = url
    for platform in PLATFORMS:
        os.environ[env_name(platform, "concurrency")] = "1"
    if recording:
        os.environ[RECORDING_ENV] = recording
    from dagster import DagsterInstance, execute_job, materialize, reconstructable

    from social_pipeline.assets import all_assets, social_post_metrics_hourly
    from social_pipeline.checks import asset_checks
    from social_pipeline.resources import platform_resource, resource_key
    from social_pipeline.storage.database import Database
    from social_pipeline.storage.io_manager import PostgresIOManager

    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.01)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory(prefix="sp_dagster_") as home, TreeMemory() as memory:
        instance = DagsterInstance.local_temp(home) if executor == "multiprocess" else DagsterInstance.ephemeral()
        if profiler is not None:
            profiler.start()
        started = time.perf_counter()
        if executor == "multiprocess":
            # At 1,000 accounts the daily job forks its steps two at a time (parallel_steps): 231 s
            # against 345 s with every step in the run's process (measured 2026-12-05).
            result = execute_job(
                reconstructable(_daily_job), instance=instance, tags={"dagster/partition": day.isoformat()},
                run_config={**QUIET, "execution": {"config": {"parallel_steps": True}}}, raise_on_error=False,
            )
        else:
            database = Database(url=url)
            result = materialize(
                [*(a for a in all_assets if a is not social_post_metrics_hourly), *asset_checks],
                partition_key=day.isoformat(),
                instance=instance,
                resources={
                    "database": database,
                    "io_manager": PostgresIOManager(database=database),
                    **{resource_key(p): platform_resource(p) for p in PLATFORMS},
                },
                run_config=QUIET,
                raise_on_error=False,
            )
        graph = time.perf_counter() - started
        views = {}
        with psycopg.connect(url) as conn:
            for view in VIEWS:
                t0 = time.perf_counter()
                conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(view))).fetchone()
                views[view] = time.perf_counter() - t0
        wall = time.perf_counter() - started
        steps = step_times(instance, result.run_id)
        names = {**step_pids(instance, result.run_id), os.getpid(): "run process"}
        success = result.success
        session = profiler.stop() if profiler is not None else None
    out = {
        "executor": executor,
        "success": success,
        "graph_seconds": graph,
        "views_seconds": sum(views.values()),
        "wall": wall,
        "steps": steps,
        "peak_pss_mib": memory.peak_pss_mib,
        "peak_rss_mib": memory.peak_rss_mib,
        "at_peak": sorted(((names.get(pid, "fork server"), mib) for pid, mib in memory.at_peak.items()), key=lambda kv: -kv[1]),
        "rss_before_mib": rss_before,
    }
    if session is not None:
        from .profile_shares import shares

        buckets, functions = shares(session)
        out["buckets"] = dict(buckets)
        out["functions"] = functions.most_common(25)
    return out


def _daily_job():
    from social_pipeline.definitions import defs

    return defs.resolve_job_def("daily_pipeline")


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0] for t in TABLES}


def prepare(url: str, accounts: int, posts_per_account: int, day: date, folder: Path) -> tuple[str, float, int]:
    """Accounts created and their day's exchanges recorded. Returns (recording, seconds, exchanges)."""
    with psycopg.connect(url) as conn:
        create_accounts(conn, accounts, posts_per_account)
        refs = [a for p in PLATFORMS for a in monitored_accounts(conn, p)]
    recording = folder / f"exchanges-{day.isoformat()}.sqlite"
    started = time.perf_counter()
    from .recorded_api import record

    exchanges = record(refs, day, recording)
    return str(recording), time.perf_counter() - started, exchanges


def run_in_child(url: str, day: date, recording: str | None, profile: bool, executor: str = "multiprocess") -> dict:
    """``measured_day`` in a fresh process, so its memory and imports are its own."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(measured_day, url, day, recording, profile, executor).result()


def day_at_scale(
    accounts: int = 1000, posts_per_account: int = 100, profile: bool = False, executor: str = "multiprocess"
) -> tuple[dict, dict]:
    """One measured day in a fresh database. Returns (the child's measurements, row counts)."""
    folder = Path(tempfile.mkdtemp(prefix="sp_scale_"))
    os.environ["SOCIAL_PIPELINE_HOME"] = str(folder)  # the parse cache starts empty
    with scratch_database("sp_scale") as url:
        recording, record_seconds, exchanges = prepare(url, accounts, posts_per_account, DAY, folder)
        out = run_in_child(url, DAY, recording, profile, executor)
        with psycopg.connect(url) as conn:
            out["exchanges_stored"] = conn.execute("SELECT count(*) FROM social_raw_pulls").fetchone()[0]
        out.update(record_seconds=record_seconds, exchanges=exchanges, accounts=accounts)
        return out, counts(url)


def growth(accounts: int = 100, posts_per_account: int = 100) -> dict:
    """Partition 1 of a year on an empty database against partition 365 on top of the year's
    history (seeded, see ``year_seed``), same accounts, same code. The seeded history stops 91
    days before partition 365, so no seeded post falls in a platform's refresh window (the
    simulator would not know its id) and both days pull the same kind of workload."""
    from .year_seed import seed_year

    first = DAY - timedelta(days=364)
    folder = Path(tempfile.mkdtemp(prefix="sp_growth_"))
    os.environ["SOCIAL_PIPELINE_HOME"] = str(folder)
    results = {}
    with scratch_database("sp_growth") as url:
        recording, _, _ = prepare(url, accounts, posts_per_account, first, folder)
        results["day1"] = run_in_child(url, first, recording, False, "in_process")
    with scratch_database("sp_growth") as url:
        with psycopg.connect(url) as conn:
            create_accounts(conn, accounts, posts_per_account)
            ids = [(str(r[0]), r[1]) for r in conn.execute("SELECT id, platform FROM social_accounts")]
            started = time.perf_counter()
            seeded = seed_year(conn, end_day=DAY - timedelta(days=91), days=364 - 91, account_ids=ids, echo=None)
            results["seed_seconds"] = time.perf_counter() - started
            results["seeded"] = seeded
        refs = []
        with psycopg.connect(url) as conn:
            refs = [a for p in PLATFORMS for a in monitored_accounts(conn, p)]
        from .recorded_api import record

        recording = folder / f"exchanges-{DAY.isoformat()}.sqlite"
        record(refs, DAY, recording)
        results["day365"] = run_in_child(url, DAY, str(recording), False, "in_process")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--posts-per-account", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    out, table_counts = day_at_scale(
        args.accounts, args.posts_per_account, args.profile, "in_process" if args.profile else "multiprocess"
    )
    if True:
        print(f"recorded {out['exchanges']:,} exchanges in {out['record_seconds']:.1f} s (simulator, 2 processes; not measured)")
        print(f"success {out['success']}  graph {out['graph_seconds']:.1f} s  views {out['views_seconds']:.2f} s  "
              f"peak PSS {out['peak_pss_mib']:.0f} MiB, peak RSS sum {out['peak_rss_mib']:.0f} MiB (at start {out['rss_before_mib']:.0f})  "
              f"exchanges stored {out['exchanges_stored']:,} of {out['exchanges']:,} recorded")
        print("  at the PSS peak: " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in out["at_peak"]))
        for step, seconds in sorted(out["steps"].items(), key=lambda kv: -kv[1]):
            print(f"  {step:45s} {seconds:8.2f} s")
        for table, n in table_counts.items():
            print(f"  {table:35s} {n:>10,}")
        if "buckets" in out:
            total = sum(out["buckets"].values())
            for name, sec in sorted(out["buckets"].items(), key=lambda kv: -kv[1]):
                print(f"  {name:45s} {sec:8.2f} s  {sec / total:6.1%}")
            for name, sec in out["functions"]:
                print(f"    {sec:7.2f} s  {name}")


if __name__ == "__main__":
    main()
