"""The ``social-pipeline`` command.

    social-pipeline dev                      database + migrations + demo accounts, the dashboard, then `dg dev`
    social-pipeline dashboard [--port N]     the creator's dashboard (Streamlit) on loopback
    social-pipeline db url|migrate|start|stop
    social-pipeline demo seed
    social-pipeline materialize --date D     every asset for one day, recorded in the Dagster instance
    social-pipeline backfill --start D --end D   a range of days, up to 7 days per run, with a progress bar
    social-pipeline fetch PLATFORM HANDLE    pull one account now (yesterday by default) and update what follows
    social-pipeline accounts list|add|enable|disable|retry
    social-pipeline simulator serve PLATFORM

Errors (unknown platform or account, duplicate account, no database, bad dates) go to stderr with
exit status 2; a Dagster run that fails gives exit status 1.

Runs started here are ordinary runs of the code location ``social_pipeline`` (workspace.yaml): the UI
lists them and re-executes them like its own. They run in this process; while one waits for a pool
slot held by another run it says so on stderr every 30 s. Ctrl-C (SIGINT) or SIGTERM stops it within
a second or two: the run is recorded CANCELED, every pool slot it held or waited for is freed, and
the exit status is 130 (SIGINT) or 143 (SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import sys
import textwrap
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from .storage import database as db
from .storage.migrate import MigrationError, migrate

REPO = Path(__file__).resolve().parents[1]
DEMO_ENV = "SOCIAL_PIPELINE_DEMO"


class CliError(Exception):
    pass


class Stopped(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped the command; ``main`` exits with 128 + the signal's number."""

    def __init__(self, signum: int, message: str = ""):
        super().__init__(message)
        self.signum = signum
        self.message = message


def _say(text: str) -> None:
    print(text, flush=True)


def ensure_database(seed: bool | None = None) -> str:
    """Start/attach the database, apply migrations, seed demo accounts on first run.
    Returns the analytics database URL."""
    url = db.resolve_url()
    with db.connect(url) as conn:
        applied = migrate(conn)
        if applied:
            _say(f"applied migrations: {', '.join(applied)}")
        wanted = os.environ.get(DEMO_ENV, "auto").lower()
        asked = wanted in ("1", "true", "yes")
        if seed is None and wanted in ("0", "false", "no"):
            seed = False
        if seed is not False:
            from .ingest.accounts import SEED_LOCK, DemoRefused, seed_demo_accounts

            try:
                with conn.transaction():
                    # The first-run decision and the seeding under one lock: two first runs at
                    # once give one set of demo accounts.
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (SEED_LOCK,))
                    first_run = conn.execute("SELECT count(*) FROM social_analytics_config").fetchone()[0] == 0
                    created = seed_demo_accounts(conn, into_app_table=asked) if seed or asked or first_run else 0
            except DemoRefused as exc:
                if seed:  # asked for by name (`demo seed`)
                    raise CliError(str(exc)) from None
                created = 0
                _say(f"note: {exc}")
            if created:
                _say(f"created {created} demo accounts (provider 'demo', answered by the built-in simulator)")
    db.ensure_dagster_schema(url)
    return url


def dagster_environment(url: str) -> dict[str, str]:
    """Environment for Dagster processes: instance home, instance storage URL, database URL."""
    home = Path(os.environ.get("DAGSTER_HOME") or db.project_home() / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists() or os.environ.get("DAGSTER_HOME") is None:
        shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    return {
        "DAGSTER_HOME": str(home),
        "SOCIAL_PIPELINE_DAGSTER_STORAGE_URL": db.dagster_storage_url(url),
        db.URL_ENV: url,
    }


def _start_dashboard(url: str, port: int, host: str = "127.0.0.1"):
    from .dashboard.launch import serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        _say(f"WARNING: binding {host} exposes the dashboard without authentication; put it behind a proxy.")
    proc = serve(port, host, url)
    _say(f"Dashboard on http://{host}:{port}")
    return proc


DEMO_HISTORY_ENV = "SOCIAL_PIPELINE_DEMO_HISTORY_DAYS"
DEMO_HISTORY_TAG = "social_pipeline/demo_history"
DEMO_HISTORY_DAYS = 14


def demo_history_days() -> int:
    text = os.environ.get(DEMO_HISTORY_ENV, str(DEMO_HISTORY_DAYS)).strip()
    if not text.isdigit() or int(text) > 90:
        raise CliError(f"{DEMO_HISTORY_ENV}={text!r}: give a number of days from 0 (none) to 90")
    return int(text)


def demo_history(url: str) -> tuple[str, list[date]] | None:
    """A first start on demo accounts with no history yet: a backfill of the last
    SOCIAL_PIPELINE_DEMO_HISTORY_DAYS days (default 14, 0: none), recorded for the daemon that
    `dg dev` starts, so the UI shows it running and the dashboard fills as its days land. Never a
    second time (a backfill tagged as demo history exists), never on accounts that have data.
    Returns (backfill id, days), or None."""
    wanted = demo_history_days()
    if wanted == 0:
        return None
    from .ingest.accounts import DEMO_PROVIDER

    with db.connect(url) as conn:
        demo = conn.execute("SELECT count(*) FROM social_analytics_config WHERE provider_name = %s AND monitoring_enabled",
                            (DEMO_PROVIDER,)).fetchone()[0]
        history = conn.execute("SELECT EXISTS (SELECT 1 FROM social_analytics_snapshots)").fetchone()[0]
    if not demo or history:
        return None
    from dagster import DagsterInstance

    os.environ.update(dagster_environment(url))
    with DagsterInstance.get() as instance:
        if any(DEMO_HISTORY_TAG in b.tags for b in instance.get_backfills(limit=100)):
            return None
        today = datetime.now(timezone.utc).date()
        days = [today - timedelta(days=i) for i in range(wanted, 0, -1)]
        return submit_backfill(instance, days, tags={DEMO_HISTORY_TAG: str(wanted)}), days


def cmd_dev(args) -> int:
    url = ensure_database()
    history = demo_history(url)
    if history:
        _say(f"demo history: backfill {history[0]} of {history[1][0]} .. {history[1][-1]} for the demo accounts "
             f"({len(history[1])} days; {DEMO_HISTORY_ENV}=0 skips it). It runs once the UI is up: "
             f"http://{args.host}:{args.port}/runs/b/{history[0]}")
    env = {**os.environ, **dagster_environment(url)}
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        _say(f"WARNING: binding {args.host} exposes the UI without authentication; put it behind a proxy.")
    if not args.no_dashboard:
        # A child process: it survives the exec below and keeps serving next to the UI.
        _start_dashboard(url, args.dashboard_port)
    # `dg dev` (what Dagster 1.13 recommends; `dagster dev` says it is superseded). It is given the
    # workspace file: without a target, dg runs from the project root, where Dagster warns about the
    # repository's dagster.yaml (the template of DAGSTER_HOME's copy, not the instance's own).
    dg = shutil.which("dg", path=str(Path(sys.executable).parent)) or "dg"
    argv = [dg, "dev", "-w", str(REPO / "workspace.yaml"), "-h", args.host, "-p", str(args.port)]
    _say(f"Dagster UI on http://{args.host}:{args.port}  (Ctrl-C stops it; `social-pipeline db stop` stops Postgres)")
    # Start from the instance home, for the same reason.
    os.chdir(env["DAGSTER_HOME"])
    os.execve(dg, argv, env)
    return 0  # pragma: no cover


def cmd_dashboard(args) -> int:
    url = ensure_database()
    proc = _start_dashboard(url, args.port, args.host)
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        return proc.wait()
    finally:  # Ctrl-C or SIGTERM: the dashboard stops with the command
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except Exception:
                proc.kill()


def cmd_db(args) -> int:
    if args.action == "url":
        url = db.resolve_url()
        _say(url if args.reveal else db.masked(url))
    elif args.action == "env":
        # For `eval "$(social-pipeline db env)"`: a plain shell then reaches the same instance as the
        # UI (`dagster instance concurrency set api_tiktok 2`, `dagster run list`, ...).
        import contextlib

        with contextlib.redirect_stdout(sys.stderr):  # notes (migrations applied) stay out of the eval
            environment = dagster_environment(ensure_database(seed=False))
        for name, value in environment.items():
            _say(f"export {name}={shlex.quote(value)}")
    elif args.action == "migrate":
        with db.connect() as conn:
            applied = migrate(conn)
        _say(f"applied: {', '.join(applied)}" if applied else "database is up to date")
    elif args.action in ("lock", "open-reads", "close-reads"):
        from .storage import access

        with db.connect() as conn:
            migrate(conn)
            try:
                if args.action == "lock":
                    counts = access.lock(conn)
                    _say("closed to the public roles (anon, authenticated, PUBLIC): "
                         + ", ".join(f"{n} {k}" for k, n in counts.items()))
                elif args.action == "open-reads":
                    opened = access.open_owner_reads(conn, args.owner_column)
                    _say(f"signed-in users may now read their own accounts' rows (social_accounts.{args.owner_column} "
                         f"= auth.uid()) in: {', '.join(opened)}")
                    if access.server_version(conn) < 150000:
                        _say("note: PostgreSQL 14 views run as their owner, so the views stay closed; read the tables")
                else:
                    dropped = access.close_owner_reads(conn)
                    _say(f"closed again: {dropped} read policies dropped")
            except access.AccessError as exc:
                raise CliError(str(exc)) from None
    elif args.action == "start":
        _say(db.masked(db.resolve_url()))
    elif args.action == "stop":
        if os.environ.get(db.URL_ENV):
            raise CliError(f"{db.URL_ENV} is set: that server is not ours to stop")
        _say("embedded PostgreSQL stopped" if db.stop_embedded() else "embedded PostgreSQL was not running")
    return 0


def cmd_demo(args) -> int:
    ensure_database(seed=True)
    return 0


def _parse_day(text: str, option: str = "") -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CliError(f"{option + ': ' if option else ''}not a date (YYYY-MM-DD): {text!r}") from None


def _yesterday() -> date:
    """The latest closed UTC day: the newest daily partition."""
    return datetime.now(timezone.utc).date() - timedelta(days=1)


def _check_range(start: date, end: date) -> None:
    """``start``..``end`` must be a non-empty range inside the daily partitions."""
    from .partitions import START_ENV, daily_partitions

    first, last = daily_partitions.start.date(), _yesterday()
    if end < start:
        raise CliError(f"the end {end} is before the start {start}")
    if start < first:
        raise CliError(
            f"{start} is before the first partition, {first} (set by {START_ENV}); choose a day from {first} on"
        )
    if end > last:
        raise CliError(
            f"{end} is after the latest partition, {last} (yesterday, UTC: a day is pulled once it has closed)"
        )


def _handle(text: str) -> str:
    handle = (text or "").strip().lstrip("@").strip()
    if not handle:
        raise CliError(f"not a handle: {text!r}")
    return handle


def _account_label(platform: str, handle: str) -> str:
    return f"{platform}/{handle}"


def _find_account(conn, platform: str, handle: str):
    """(id, handle, monitoring_enabled or None) of the account, case-insensitively. ``handle`` may
    be the account's id (social_accounts.id), which tells apart two rows of one handle."""
    rows = conn.execute(
        "SELECT a.id::text, a.handle, c.monitoring_enabled FROM social_accounts a "
        "LEFT JOIN social_analytics_config c ON c.social_account_id = a.id "
        "WHERE lower(a.platform) = %s AND (lower(a.handle) = lower(%s) OR a.id::text = lower(%s)) ORDER BY a.id",
        (platform, handle, handle),
    ).fetchall()
    if not rows:
        raise CliError(
            f"no {platform} account {handle!r}; see `social-pipeline accounts list`, "
            f"or add it with `social-pipeline accounts add {platform} {handle}`"
        )
    if len(rows) > 1:
        exact = [r for r in rows if r[1] == handle]
        if len(exact) == 1:
            return exact[0]
        raise CliError(f"{len(rows)} {platform} accounts match {handle!r}: "
                       + ", ".join(f"{r[1]} (id {r[0]})" for r in rows)
                       + "; give the one you mean by its id in place of the handle")
    return rows[0]


# -- Dagster runs ---------------------------------------------------------------------------

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
MAX_DAYS_PER_RUN = 7  # the assets' BackfillPolicy: up to a week of days per run


@contextmanager
def _dagster_instance(seed: bool | None = None):
    """The database (migrated) and the Dagster instance whose storage is its schema ``dagster``."""
    from dagster import DagsterInstance

    url = ensure_database(seed=seed)
    os.environ.update(dagster_environment(url))
    with DagsterInstance.get() as instance:
        yield instance


def _run_config(log_level: str, ops: dict | None = None) -> dict:
    config: dict = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if ops:
        config["ops"] = ops
    return config


def _fresh_pull_ops(fresh: bool) -> dict | None:
    """``--fresh-pull``: every platform's raw asset calls the API again even for days whose pulls
    are stored (by default such a day is rebuilt from them, without a request)."""
    from .platforms import PLATFORMS

    return {f"raw__{p}": {"config": {"fresh_pull": True}} for p in PLATFORMS} if fresh else None


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _raise_stopped(signum, _frame):
    raise Stopped(signum)


@contextmanager
def _stop_signals():
    """SIGINT and SIGTERM stop the command (``Stopped``); yields a function returning the stop
    signals received so far, including those Dagster only recorded during a run.

    During a run Dagster's own handlers replace ours and merely note the signal (the run stops at
    its next checkpoint: a step's code, or the wait for a pool slot, see social_pipeline.slots);
    the wake-up file descriptor still receives each signal's number, which is how the command
    learns that it must stop, and with which exit status."""
    if signal.getsignal(signal.SIGINT) is None or os.name != "posix":  # pragma: no cover
        yield lambda: []
        return
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    try:
        previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    except ValueError:  # not the main thread: leave signals alone
        os.close(read_end)
        os.close(write_end)
        yield lambda: []
        return
    previous = {s: signal.getsignal(s) for s in _STOP_SIGNALS}
    received: list[int] = []

    def seen() -> list[int]:
        try:
            while True:
                data = os.read(read_end, 256)
                if not data:
                    break
                received.extend(b for b in data if b in _STOP_SIGNALS)
        except BlockingIOError:
            pass
        return received

    try:
        for s in _STOP_SIGNALS:
            signal.signal(s, _raise_stopped)
        yield seen
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(previous_fd)
        os.close(read_end)
        os.close(write_end)


def _remote_job_origin(job_name: str):
    """The origin the UI gives its own runs of ``job_name``: the code location of workspace.yaml
    (the one `social-pipeline dev` serves), repository ``__repository__``."""
    from dagster._core.definitions.repository_definition import SINGLETON_REPOSITORY_NAME
    from dagster._core.remote_origin import RemoteRepositoryOrigin
    from dagster._core.workspace.load import location_origins_from_yaml_paths

    (location,) = location_origins_from_yaml_paths([str(REPO / "workspace.yaml")])
    return RemoteRepositoryOrigin(location, SINGLETON_REPOSITORY_NAME).get_job_origin(job_name)


@contextmanager
def _as_code_location_run(instance, job_name: str):
    """Runs created meanwhile by ``execute_in_process`` carry the code location's origin, so the UI
    shows them as runs of that location and re-executes them without the warning "loaded from a
    different code location" (execute_in_process has no parameter for it: its call to
    ``instance.create_run_for_job`` gets the origin added)."""
    origin = _remote_job_origin(job_name)
    create = instance.create_run_for_job

    def create_with_origin(*args, **kwargs):
        if kwargs.get("remote_job_origin") is None:
            kwargs["remote_job_origin"] = origin
        return create(*args, **kwargs)

    instance.create_run_for_job = create_with_origin
    try:
        yield
    finally:
        del instance.create_run_for_job


def _print_wait(run_id: str, message: str) -> None:
    print(f"run {run_id[:8]} {message}; Ctrl-C stops", file=sys.stderr, flush=True)


def _execute(job, instance, seen, *, run_config: dict, **kwargs):
    """Run ``job`` in this process as a run of the code location, then free whatever pool slot the
    run still holds. When SIGINT or SIGTERM arrived meanwhile, the run is recorded CANCELED (if
    Dagster recorded it failed, e.g. interrupted inside a step) and ``Stopped`` is raised."""
    from dagster import DagsterRunStatus

    from . import slots

    slots.install()
    tags = {**kwargs.pop("tags", {}), **slots.command_line_tags()}
    remove = slots.on_wait(_print_wait)
    try:
        with _as_code_location_run(instance, job.name):
            result = job.execute_in_process(
                instance=instance, run_config=run_config, tags=tags, raise_on_error=False, **kwargs
            )
    finally:
        remove()
    # The run has ended: nothing of it runs any more, so no slot of it may stay taken.
    instance.event_log_storage.free_concurrency_slots_for_run(result.run_id)
    signals = seen()
    if signals:
        signum = signals[-1]
        name = signal.Signals(signum).name
        run = instance.get_run_by_id(result.run_id)
        if run is not None and run.status != DagsterRunStatus.CANCELED:
            instance.report_run_canceled(run, message=f"stopped on the command line by {name}")
        raise Stopped(signum, f"stopped by {name}: run {result.run_id} canceled, its pool slots freed")
    return result


def _failure_summary(result) -> str:
    """The failed steps, each with the first line of its error."""
    failed = []
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        error = getattr(getattr(event, "step_failure_data", None), "error", None)
        cause = error
        while cause is not None and getattr(cause, "cause", None) is not None:  # the user code's own error
            cause = cause.cause
        text = (getattr(cause, "message", "") or "").strip().splitlines()
        failed.append(f"{event.step_key} ({text[0][:300]})" if text else event.step_key)
    return f"failed steps: {', '.join(failed)}" if failed else "run failed"


def _check_platform_settings() -> None:
    """Fail before any run when a platform's settings in the environment are unusable (e.g. a
    request budget of 0, which would let no request leave): the ValueError names the variable."""
    from .ingest.settings import platform_settings
    from .platforms import PLATFORMS

    for platform in PLATFORMS:
        platform_settings(platform)


_ACCOUNT_OUTCOMES = """
SELECT a.platform, a.handle, j.status, j.posts_fetched, j.comments_fetched, j.requests_made, j.error_message
FROM social_fetch_jobs j JOIN social_accounts a ON a.id = j.social_account_id
WHERE j.job_type = 'daily' AND j.partition_date = %s AND j.started_at >= %s
ORDER BY a.platform, a.handle
"""


def account_outcomes(day: date, since: datetime) -> list[tuple]:
    """(platform, handle, status, posts, comments, requests, error) of every account pulled for
    ``day`` by a run that started at ``since`` or later."""
    with db.connect() as conn:
        return conn.execute(_ACCOUNT_OUTCOMES, (day, since)).fetchall()


def report_accounts(day: date, since: datetime) -> int:
    """Print one line per account pulled for ``day`` since ``since``; returns how many failed."""
    failed = 0
    for platform, handle, status, posts, comments, requests_made, error in account_outcomes(day, since):
        counts = (f"{posts if posts is not None else '-'} posts, {comments if comments is not None else '-'} comments, "
                  f"{requests_made or 0} requests")
        if status == "completed":
            _say(f"    {_account_label(platform, handle):<40} ok      {counts}")
        else:
            failed += 1
            _say(f"    {_account_label(platform, handle):<40} FAILED  {error or status}")
    return failed


def _materialize_days(days: list[date], log_level: str = "WARNING", fresh_pull: bool = False) -> int:
    """Run the daily job for each day and report each account. Exit status 1 when a run failed
    or any account's pull failed (its error then says what to fix); 0 only when all landed."""
    _check_platform_settings()
    from .definitions import defs

    job = defs.resolve_job_def("daily_pipeline")
    failures = failed_accounts = 0
    with _stop_signals() as seen, _dagster_instance() as instance:
        for i, day in enumerate(days, 1):
            started = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
            result = _execute(
                job, instance, seen, partition_key=day.isoformat(),
                run_config=_run_config(log_level, _fresh_pull_ops(fresh_pull)),
            )
            failed_here = report_accounts(day, started)
            failed_accounts += failed_here
            if not result.success:
                status = f"FAILED ({_failure_summary(result)})"
            elif failed_here:
                status = f"done, {failed_here} account(s) FAILED"
            else:
                status = "ok"
            failures += not result.success
            _say(f"[{i}/{len(days)}] {day}  {status}  run {result.run_id}")
    if failed_accounts:
        _say(f"{failed_accounts} account pull(s) failed: each line above says what to fix")
    return 1 if failures or failed_accounts else 0


def cmd_materialize(args) -> int:
    day = _parse_day(args.date, "--date") if args.date else _yesterday()
    _check_range(day, day)
    return _materialize_days([day], args.log_level, args.fresh_pull)


def cmd_backfill(args) -> int:
    from .progress import ProgressBar

    start, end = _parse_day(args.start, "--start"), _parse_day(args.end, "--end")
    if end < start:
        raise CliError(f"--end {end} is before --start {start}")
    _check_range(start, end)
    if not 1 <= args.days_per_run <= MAX_DAYS_PER_RUN:
        raise CliError(f"--days-per-run must be between 1 and {MAX_DAYS_PER_RUN} (got {args.days_per_run})")
    _check_platform_settings()
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    chunks = [days[i : i + args.days_per_run] for i in range(0, len(days), args.days_per_run)]

    from .definitions import defs

    job = defs.resolve_job_def("daily_pipeline")
    ok, failed = 0, []
    run_config = _run_config(args.log_level, _fresh_pull_ops(args.fresh_pull))
    with _stop_signals() as seen, _dagster_instance() as instance:
        daemon = backfill_daemon_running(instance)
        if args.via == "daemon" and not daemon:
            raise CliError("no Dagster daemon is running for this instance (start the UI and daemon with "
                           "`social-pipeline dev`), so nothing would run the backfill; or use --via here")
        if daemon and args.via != "here":
            backfill_id = submit_backfill(instance, days, _fresh_pull_ops(args.fresh_pull))
            _say(f"backfill {start}..{end}: {len(days)} days submitted as backfill {backfill_id} to the Dagster daemon "
                 "(listed under Backfills in the UI; runs of up to 7 days, the assets' backfill policy)")
            return follow_backfill(instance, backfill_id, days)
        if args.via == "auto":
            _say("no Dagster daemon is running: the days run here, as ordinary runs listed under Runs (a backfill "
                 "listed under Backfills needs the daemon of `social-pipeline dev`)")
        _say(f"backfill {start}..{end}: {len(days)} days in {len(chunks)} run(s) of up to {args.days_per_run} days")
        with ProgressBar(len(days), unit="days", stream=sys.stderr) as bar:
            bar.start()
            for chunk in chunks:
                label = f"{chunk[0]}..{chunk[-1]}" if len(chunk) > 1 else f"{chunk[0]}"
                tags = {RANGE_START_TAG: chunk[0].isoformat(), RANGE_END_TAG: chunk[-1].isoformat()}
                try:
                    result = _execute(job, instance, seen, tags=tags, run_config=run_config)
                except Exception as exc:  # the run could not even start: count it, go on with the rest
                    failed.append((label, None, f"{type(exc).__name__}: {exc}".splitlines()[0]))
                    bar.advance(len(chunk), f"{label} FAILED to start")
                    continue
                if result.success:
                    ok += 1
                    bar.advance(len(chunk), f"{label} ok (run {result.run_id[:8]})")
                else:
                    failed.append((label, result.run_id, _failure_summary(result)))
                    bar.advance(len(chunk), f"{label} FAILED (run {result.run_id[:8]})")
    _say(f"backfill {start}..{end}: {ok} run(s) ok, {len(failed)} failed")
    for label, run_id, why in failed:
        _say(f"  FAILED {label}: {why}" + (f"  (run {run_id})" if run_id else ""))
    if failed:
        _say("re-run a failed range with `social-pipeline backfill --start FIRST --end LAST`")
    return 1 if failed else 0


BACKFILL_DAEMON = "BACKFILL"  # the daemon type that runs backfills
DAEMON_HEARTBEAT_SECONDS = 120  # a daemon whose last heartbeat is older is taken as stopped
FOLLOW_SECONDS = 2.0


def backfill_daemon_running(instance) -> bool:
    """True when a Dagster daemon (`social-pipeline dev`) serves this instance's backfills now."""
    import time

    beat = instance.get_daemon_heartbeats().get(BACKFILL_DAEMON)
    return beat is not None and time.time() - beat.timestamp < DAEMON_HEARTBEAT_SECONDS


def submit_backfill(instance, days: list[date], ops: dict | None = None, tags: dict | None = None) -> str:
    """Record a backfill of the daily job's assets over ``days`` exactly as the UI's "Materialize
    -> Launch backfill" does (an asset backfill, status REQUESTED), for the daemon to run. Returns
    its id."""
    import time

    from dagster._core.execution.backfill import PartitionBackfill
    from dagster._core.utils import make_new_backfill_id

    from .definitions import defs

    job = defs.resolve_job_def("daily_pipeline")
    graph = defs.resolve_asset_graph()
    backfill_id = make_new_backfill_id()
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id=backfill_id,
        asset_graph=graph,
        partition_names=[d.isoformat() for d in days],
        asset_selection=sorted(job.asset_layer.executable_asset_keys, key=lambda k: k.to_user_string()),
        backfill_timestamp=time.time(),
        tags={"social_pipeline/submitted_by": "command line", **(tags or {})},
        dynamic_partitions_store=instance,
        all_partitions=False,
        title=f"daily {days[0]}..{days[-1]}",
        description="social-pipeline backfill",
        run_config={"ops": ops} if ops else None,
    )
    instance.add_backfill(backfill)
    return backfill_id


def _days_of(run) -> int:
    """How many days a run of the daily job covers (a range of days, or one day)."""
    first, last = run.tags.get(RANGE_START_TAG), run.tags.get(RANGE_END_TAG)
    if first and last:
        return (date.fromisoformat(last[:10]) - date.fromisoformat(first[:10])).days + 1
    return 1


def follow_backfill(instance, backfill_id: str, days: list[date]) -> int:
    """Show the progress of a backfill the daemon runs until it ends; exit status 1 if a run of it
    failed. SIGINT/SIGTERM asks the daemon to cancel it (status CANCELING: its runs are stopped)."""
    import time

    from dagster._core.execution.backfill import BULK_ACTION_TERMINAL_STATUSES, BulkActionStatus
    from dagster._core.storage.dagster_run import FINISHED_STATUSES, DagsterRunStatus, RunsFilter
    from dagster._core.storage.tags import BACKFILL_ID_TAG

    from .progress import ProgressBar

    seen_runs: dict[str, str] = {}
    counted = 0
    with ProgressBar(len(days), unit="days", stream=sys.stderr) as bar:
        bar.start()
        try:
            while True:
                backfill = instance.get_backfill(backfill_id)
                records = instance.get_run_records(
                    RunsFilter(tags={BACKFILL_ID_TAG: backfill_id}, statuses=list(FINISHED_STATUSES))
                )
                for record in sorted(records, key=lambda r: r.create_timestamp):
                    run = record.dagster_run
                    if run.run_id in seen_runs:
                        continue
                    seen_runs[run.run_id] = run.status.value
                    step = min(_days_of(run), len(days) - counted)
                    counted += step
                    bar.advance(step, f"run {run.run_id[:8]} {run.status.value.lower()}")
                if backfill is None or backfill.status in BULK_ACTION_TERMINAL_STATUSES:
                    break
                time.sleep(FOLLOW_SECONDS)
        except Stopped as stop:
            backfill = instance.get_backfill(backfill_id)
            if backfill is not None and backfill.status not in BULK_ACTION_TERMINAL_STATUSES:
                instance.update_backfill(backfill.with_status(BulkActionStatus.CANCELING))
            raise Stopped(stop.signum, f"stopped by {signal.Signals(stop.signum).name}: backfill {backfill_id} "
                          "canceling (the daemon stops its runs)") from None
    failed = [r for r, status in seen_runs.items() if status != DagsterRunStatus.SUCCESS.value]
    status = backfill.status.value if backfill is not None else "missing"
    _say(f"backfill {backfill_id}: {status}, {len(seen_runs) - len(failed)} run(s) ok, {len(failed)} failed "
         "(Backfills in the UI lists it with each run)")
    ok = backfill is not None and backfill.status in (BulkActionStatus.COMPLETED_SUCCESS, BulkActionStatus.COMPLETED)
    return 0 if ok and not failed else 1


def raw_and_downstream(platform: str, job=None) -> list:
    """The asset keys a one-platform fetch materializes: ``raw/<platform>`` and everything
    downstream of it that the daily job holds."""
    from dagster import AssetKey, AssetSelection

    from .definitions import defs

    job = job or defs.resolve_job_def("daily_pipeline")
    selected = AssetSelection.assets(AssetKey(["raw", platform])).downstream().resolve(defs.resolve_asset_graph())
    in_job = set(job.asset_layer.executable_asset_keys)  # the hourly asset is not in the daily job
    return sorted(selected & in_job, key=lambda k: k.to_user_string())


def cmd_fetch(args) -> int:
    from .platforms import canonical

    platform, handle = canonical(args.platform), _handle(args.handle)
    day = _parse_day(args.date, "--date") if args.date else _yesterday()
    _check_range(day, day)
    url = ensure_database(seed=False)
    with db.connect(url) as conn:
        account_id, handle, enabled = _find_account(conn, platform, handle)
    label = _account_label(platform, handle)
    _check_platform_settings()
    if not enabled:
        raise CliError(f"monitoring of {label} is off; turn it on with `social-pipeline accounts enable {platform} {handle}`")

    from .definitions import defs

    from .assets.common import SCOPE_TAG

    job = defs.resolve_job_def("daily_pipeline")
    selection = raw_and_downstream(platform, job)
    # A fetch asks for a pull now: fresh_pull, even when the day's pull of the account is stored.
    run_config = _run_config(
        args.log_level, {f"raw__{platform}": {"config": {"only_accounts": [account_id], "fresh_pull": True}}}
    )
    _say(f"fetching {label} for {day}: raw/{platform} and {len(selection) - 1} downstream assets")
    started = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    with _stop_signals() as seen, _dagster_instance(seed=False) as instance:
        # Tagged with the account: the per-account tables replace only its rows (assets/common.py).
        result = _execute(
            job, instance, seen, partition_key=day.isoformat(), asset_selection=selection, run_config=run_config,
            tags={SCOPE_TAG: account_id},
        )
    with db.connect(url) as conn:
        job_row = conn.execute(
            "SELECT status, posts_fetched, comments_fetched, requests_made, error_message, started_at "
            "FROM social_fetch_jobs WHERE social_account_id = %s AND job_type = 'daily' AND partition_date = %s",
            (account_id, day),
        ).fetchone()
    run_text = f"run {result.run_id} " + ("ok" if result.success else f"FAILED ({_failure_summary(result)})")
    if job_row is None or job_row[5] is None or job_row[5] < started:
        _say(f"{label} {day}: not pulled (its fetch_frequency skips this day); {run_text}")
        return 1
    status, posts, comments, requests_made, error, _ = job_row
    _say(f"{label} {day}: fetch job {status}, {posts if posts is not None else '-'} posts, "
         f"{comments if comments is not None else '-'} comments, {requests_made or 0} requests; {run_text}")
    if error:
        _say(f"error: {error}")
    return 0 if result.success and status == "completed" else 1


def cmd_prune_runs(args) -> int:
    from dagster import DagsterInstance

    from .retention import prune_run_history

    if args.days < 1:
        raise CliError("--days must be at least 1")
    os.environ.update(dagster_environment(ensure_database(seed=False)))
    with DagsterInstance.get() as instance:
        count = prune_run_history(instance, timedelta(days=args.days), dry_run=args.dry_run)
    _say(f"{'would delete' if args.dry_run else 'deleted'} {count} run(s) finished more than {args.days} days ago")
    return 0


def cmd_simulator(args) -> int:
    from .platforms import canonical
    from .simulator.server import make_server

    platform = canonical(args.platform)
    as_of = datetime.fromisoformat(args.as_of).replace(tzinfo=timezone.utc) if args.as_of else None
    if args.latency_ms < 0:
        raise CliError("--latency-ms must not be negative")
    if args.requests_per_second is not None and args.requests_per_second <= 0:
        raise CliError("--requests-per-second must be positive")
    server = make_server(platform, "127.0.0.1", args.port, as_of, latency_ms=args.latency_ms,
                         requests_per_second=args.requests_per_second)
    limits = []
    if args.latency_ms:
        limits.append(f"{args.latency_ms:g} ms latency")
    if args.requests_per_second:
        limits.append(f"{args.requests_per_second:g} requests/s, 429 beyond")
    extra = f" [{', '.join(limits)}]" if limits else ""
    _say(f"{platform} simulator on http://127.0.0.1:{server.server_address[1]}{extra}  (Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_accounts_list(args) -> int:
    from .ingest.tokens import expiring_tokens

    with db.connect() as conn:
        rows = conn.execute(
            "SELECT a.platform, a.handle, COALESCE(c.provider_name, 'official'), c.monitoring_enabled, "
            "c.fetch_frequency, c.last_fetched_at, k.token_expires_at FROM social_accounts a "
            "LEFT JOIN social_analytics_config c ON c.social_account_id = a.id "
            "LEFT JOIN social_account_credentials k ON k.social_account_id = a.id ORDER BY a.platform, a.handle, a.id"
        ).fetchall()
        soon = dict(expiring_tokens(conn, None, 7))
    _say(f"{'platform':<10} {'handle':<28} {'provider':<16} {'monitoring':<10} {'last fetched':<20} token")
    for platform, handle, provider, enabled, _freq, last, expires in rows:
        state = "on" if enabled else ("off" if enabled is not None else "-")
        token = "no expiry recorded" if expires is None else f"expires {expires:%Y-%m-%d}"
        if f"{platform}/{handle}" in soon:
            token += "  << EXPIRES WITHIN 7 DAYS: refresh or reconnect"
        last_text = f"{last:%Y-%m-%d %H:%M}" if last else "never"
        _say(f"{platform:<10} {handle:<28} {provider:<16} {state:<10} {last_text:<20} {token}")
    for notice in api_notices({r[0] for r in rows}):
        _say(f"warning: {notice}")
    return 0


def api_notices(platforms) -> list[str]:
    """Each listed platform's warning about the API its settings select (e.g. a Meta Graph
    version within 60 days of its end of life)."""
    from .ingest.settings import platform_settings
    from .platforms import SPECS

    today = datetime.now(timezone.utc).date()
    found = []
    for name in sorted(p for p in platforms if p in SPECS):
        notice = SPECS[name].notice(platform_settings(name).credentials, today)
        if notice:
            found.append(notice)
    return found


def _valid_providers(platform: str) -> list[str]:
    from .platforms import spec

    return ["official", "demo", *sorted(p for p in spec(platform).providers if p != "official")]


def cmd_accounts_add(args) -> int:
    import psycopg
    from psycopg import sql

    from .platforms import canonical
    from .simulator import demo_token

    platform, handle = canonical(args.platform), _handle(args.handle)
    label = _account_label(platform, handle)
    provider = args.provider.strip().lower() if args.provider else None
    allowed = _valid_providers(platform)
    if provider is not None and provider not in allowed:
        raise CliError(f"provider {args.provider!r} is not supported for {platform}; choose one of: {', '.join(allowed)}")
    if not 1 <= args.posts_per_fetch <= 10000:
        raise CliError(f"--posts-per-fetch must be between 1 and 10000 (got {args.posts_per_fetch})")
    token = None
    if args.token_env:
        token = os.environ.get(args.token_env)
        if not token:
            raise CliError(f"--token-env: the environment variable {args.token_env} is not set or is empty")
    elif provider == "demo":
        token = demo_token(platform, handle)  # what the simulator expects; not a secret

    ensure_database(seed=False)
    with db.connect() as conn:
        try:
            valid = conn.execute(
                "SELECT %s::interval > interval '0', %s::interval::text", (args.frequency, args.frequency)
            ).fetchone()
        except psycopg.Error as exc:
            conn.rollback()
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CliError(
                f"--frequency {args.frequency!r} is not a PostgreSQL interval ({detail}); "
                "use e.g. '24 hours', '6 hours' or '7 days'"
            ) from None
        if not valid[0]:
            raise CliError(f"--frequency must be longer than zero (got {args.frequency!r} = {valid[1]})")
        extra = _extra_columns(conn, args.set or [])
        existing = _same_account(conn, platform, handle, extra)
        if existing:
            raise CliError(
                f"{platform} account {existing[1]!r} already exists (id {existing[0]}); handles are compared "
                f"case-insensitively. To monitor it: `social-pipeline accounts enable {platform} {existing[0]}`"
            )
        try:
            columns = [sql.Identifier(c) for c in ("platform", "handle", "access_token", *extra)]
            account_id = conn.execute(
                sql.SQL("INSERT INTO social_accounts ({}) VALUES ({}) RETURNING id::text").format(
                    sql.SQL(", ").join(columns), sql.SQL(", ").join([sql.Placeholder()] * len(columns))),
                (platform, handle, token, *extra.values()),
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO social_account_credentials (social_account_id, external_account_id) VALUES (%s, %s)",
                (account_id, (args.external_id or "").strip() or None),
            )
            conn.execute(
                "INSERT INTO social_analytics_config (social_account_id, monitoring_enabled, fetch_frequency, "
                "posts_per_fetch, provider_name) VALUES (%s, TRUE, %s::interval, %s, %s)",
                (account_id, args.frequency, args.posts_per_fetch, provider),
            )
        except psycopg.errors.UniqueViolation:
            conn.rollback()
            raise CliError(f"{platform} account {handle!r} already exists") from None
        except (psycopg.errors.IntegrityError, psycopg.errors.DataError) as exc:
            conn.rollback()
            detail = str(exc).strip().splitlines()[0]
            raise CliError(f"social_accounts refused the new row ({detail}); give the values your app's "
                           "table needs with --set COLUMN=VALUE") from None
    print(
        f"added {label}: provider {provider or 'official'}, every {valid[1]}, {args.posts_per_fetch} posts per "
        f"fetch, {'an access token from $' + args.token_env if args.token_env else 'no access token' if token is None else 'the demo token'}; "
        "monitoring on",
        file=sys.stderr,
    )
    _say(account_id)
    return 0


def _extra_columns(conn, assignments: list[str]) -> dict[str, str]:
    """``--set COLUMN=VALUE`` pairs for the app's own columns of social_accounts, checked against
    the table: unknown columns, ours, and required columns left out are errors."""
    from .ingest.accounts import required_columns

    known = {r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'social_accounts'")}
    extra: dict[str, str] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CliError(f"--set takes COLUMN=VALUE (got {item!r})")
        if name in ("id", "platform", "handle", "access_token"):
            raise CliError(f"--set {name}: that column is given by the command itself")
        if name not in known:
            raise CliError(f"--set {name}: social_accounts has no such column (it has: {', '.join(sorted(known))})")
        extra[name] = value
    missing = [c for c in required_columns(conn) if c not in extra]
    if missing:
        raise CliError(
            f"social_accounts requires {', '.join(missing)} (NOT NULL, no default) for a new account: give "
            + " ".join(f"--set {c}=VALUE" for c in missing)
        )
    return extra


def _same_account(conn, platform: str, handle: str, extra: dict[str, str]):
    """An existing row of this handle (case-insensitively) with the same ``--set`` values: two
    app users may each monitor one handle, one user may not add it twice."""
    from psycopg import sql

    where = [sql.SQL("lower(platform) = %s AND lower(handle) = lower(%s)")]
    where += [sql.SQL("{}::text = %s").format(sql.Identifier(c)) for c in extra]
    return conn.execute(
        sql.SQL("SELECT id::text, handle FROM social_accounts WHERE {} ORDER BY id LIMIT 1").format(sql.SQL(" AND ").join(where)),
        (platform, handle, *extra.values()),
    ).fetchone()


def _set_monitoring(args, enabled: bool) -> int:
    from .platforms import canonical

    platform, handle = canonical(args.platform), _handle(args.handle)
    ensure_database(seed=False)
    with db.connect() as conn:
        account_id, handle, _was = _find_account(conn, platform, handle)
        conn.execute(
            "INSERT INTO social_analytics_config (social_account_id, monitoring_enabled) VALUES (%s, %s) "
            "ON CONFLICT (social_account_id) DO UPDATE SET monitoring_enabled = EXCLUDED.monitoring_enabled, "
            "updated_at = now()",
            (account_id, enabled),
        )
    _say(f"{'enabled' if enabled else 'disabled'} monitoring of {_account_label(platform, handle)} ({account_id})")
    return 0


def cmd_accounts_retry(args) -> int:
    """Close the account's circuit breaker: the next run pulls it again."""
    from .ingest import breaker
    from .platforms import canonical

    platform, handle = canonical(args.platform), _handle(args.handle)
    ensure_database(seed=False)
    with db.connect() as conn:
        account_id, handle, _enabled = _find_account(conn, platform, handle)
        breaker.reset(conn, account_id)
    _say(f"{_account_label(platform, handle)}: failed pulls forgotten; the next run pulls the account again "
         f"(now: `social-pipeline fetch {platform} {handle}`)")
    return 0


def cmd_accounts_enable(args) -> int:
    return _set_monitoring(args, True)


def cmd_accounts_disable(args) -> int:
    return _set_monitoring(args, False)


# -- the parser -----------------------------------------------------------------------------

def _command(sub, name: str, *, help: str, description: str | None = None, examples: list[str] = ()):
    """A sub-command whose --help says what it does and shows examples."""
    epilog = "examples:\n" + "\n".join(f"  {e}" for e in examples) if examples else None
    text = description or help[:1].upper() + help[1:] + "."
    # Wrap prose; keep indented lines (lists) as written.
    text = "\n".join(line if line.startswith(" ") else textwrap.fill(line, 88) for line in text.split("\n"))
    return sub.add_parser(
        name, help=help, description=text, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def _log_level(parser) -> None:
    parser.add_argument(
        "--log-level", default="WARNING", type=str.upper, choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="Dagster run log level on the console (default WARNING: warnings and errors only)",
    )


def _fresh_pull(parser) -> None:
    parser.add_argument(
        "--fresh-pull", action="store_true",
        help="call the platforms' APIs again for days already pulled (default: such a day is rebuilt from "
        "its stored raw pulls, without a request)",
    )


def _dashboard_port() -> int:
    try:
        return int(os.environ.get("SOCIAL_PIPELINE_DASHBOARD_PORT") or 8501)
    except ValueError:
        return 8501


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="social-pipeline",
        description="Own your social-media numbers: pull nine platforms into PostgreSQL, run by Dagster.",
        epilog="examples:\n"
        "  social-pipeline dev\n"
        "  social-pipeline accounts add bluesky someone.bsky.social --provider demo\n"
        "  social-pipeline fetch bluesky someone.bsky.social\n"
        "  social-pipeline backfill --start 2026-10-01 --end 2026-10-31\n\n"
        "`social-pipeline COMMAND --help` describes each command. Errors exit with status 2,\n"
        "failed Dagster runs with status 1.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _command(
        sub, "dev", help="set up the database and run the Dagster UI (what `make dev` runs)",
        description="Start or attach to PostgreSQL, apply migrations, seed the demo accounts on first run, "
        "then serve the Dagster UI (webserver and daemon).",
        examples=["social-pipeline dev", "social-pipeline dev --port 3001"],
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: local only)")
    p.add_argument("--port", type=int, default=3000, help="port of the UI (default 3000)")
    p.add_argument("--dashboard-port", type=int, default=_dashboard_port(),
                   help="port of the dashboard on 127.0.0.1 (default $SOCIAL_PIPELINE_DASHBOARD_PORT or 8501)")
    p.add_argument("--no-dashboard", action="store_true", help="do not start the dashboard")
    p.set_defaults(func=cmd_dev)

    p = _command(
        sub, "dashboard", help="serve the creator's dashboard (charts of the analytics tables) on loopback",
        description="Start or attach to PostgreSQL and apply migrations as `dev` does, then serve the dashboard "
        "(Streamlit): overview, posts, hashtags and content, audience and comments, pipeline health. "
        "Ctrl-C stops it.",
        examples=["social-pipeline dashboard", "social-pipeline dashboard --port 8502"],
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: local only)")
    p.add_argument("--port", type=int, default=_dashboard_port(),
                   help="port (default $SOCIAL_PIPELINE_DASHBOARD_PORT or 8501)")
    p.set_defaults(func=cmd_dashboard)

    p = _command(
        sub, "db", help="the analytics database: show its URL, migrate, start or stop the embedded server",
        description="The analytics database ($SOCIAL_PIPELINE_DATABASE_URL, else an embedded PostgreSQL).\n"
        "  url      print its URL (password masked unless --reveal)\n"
        "  env      print `export` lines for DAGSTER_HOME, the instance's storage URL and the database URL "
        "(passwords included), for `eval \"$(social-pipeline db env)\"` before a `dagster` command\n"
        "  migrate  apply the numbered migrations of sql/ not applied yet (then close what they created to a "
        "Supabase project's public roles)\n"
        "  lock     close every table, view, sequence and function of ours to anon, authenticated and PUBLIC again\n"
        "  open-reads   let signed-in users (role authenticated) read their own accounts' analytics: row policies "
        "on social_accounts.<--owner-column> = auth.uid()\n"
        "  close-reads  undo open-reads\n"
        "  start    start the embedded server (if no URL is set) and print its URL\n"
        "  stop     stop the embedded server",
        examples=["social-pipeline db url", "social-pipeline db migrate",
                  'eval "$(social-pipeline db env)"; dagster instance concurrency set api_tiktok 2'],
    )
    p.add_argument("action", choices=["url", "env", "migrate", "lock", "open-reads", "close-reads", "start", "stop"])
    p.add_argument("--reveal", action="store_true", help="print the password too (url)")
    p.add_argument("--owner-column", default="user_id",
                   help="open-reads: the column of social_accounts holding the owning user's id (default user_id)")
    p.set_defaults(func=cmd_db)

    p = _command(
        sub, "demo", help="create the nine demo accounts answered by the built-in simulator",
        examples=["social-pipeline demo seed"],
    )
    p.add_argument("action", choices=["seed"])
    p.set_defaults(func=cmd_demo)

    p = _command(
        sub, "materialize", help="materialize every asset for one day (default: yesterday, UTC)",
        description="Materialize every asset for one UTC day in this process, recorded in the Dagster "
        "instance (visible in the UI). Running a day again replaces that day's rows.",
        examples=["social-pipeline materialize", "social-pipeline materialize --date 2026-11-25"],
    )
    p.add_argument("--date", help="the day, YYYY-MM-DD (default: yesterday, UTC, the latest closed day)")
    _fresh_pull(p)
    _log_level(p)
    p.set_defaults(func=cmd_materialize)

    p = _command(
        sub, "backfill", help="materialize every asset for each day of a range, up to 7 days per run",
        description="Materialize every asset for each day from --start to --end (inclusive), as Dagster runs of up "
        "to 7 days (the assets' backfill policy). When the Dagster daemon of `social-pipeline dev` runs, this "
        "submits a backfill to it, the one the UI would launch (listed under Backfills), and follows it; otherwise "
        "the runs are made in this process, in order. A progress bar on stderr shows days done, elapsed time and "
        "ETA. Exit status 1 if any run failed; Ctrl-C or SIGTERM cancels (exit status 130 or 143).",
        examples=["social-pipeline backfill --start 2026-10-01 --end 2026-10-31",
                  "social-pipeline backfill --start 2026-11-01 --end 2026-11-03 --days-per-run 1"],
    )
    p.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--end", required=True, help="last day (inclusive), YYYY-MM-DD; at most yesterday (UTC)")
    p.add_argument("--days-per-run", type=int, default=MAX_DAYS_PER_RUN,
                   help=f"days per Dagster run made here, 1 to {MAX_DAYS_PER_RUN} (default {MAX_DAYS_PER_RUN})")
    p.add_argument("--via", choices=["auto", "daemon", "here"], default="auto",
                   help="auto (default): a backfill run by the Dagster daemon, listed under Backfills, when "
                   "`social-pipeline dev` runs, else the runs are made here; daemon: only that way; here: always in "
                   "this process")
    _fresh_pull(p)
    _log_level(p)
    p.set_defaults(func=cmd_backfill)

    p = _command(
        sub, "fetch", help="pull one account now and update everything downstream for that day",
        description="Pull one account for one UTC day (default: yesterday) through the daily job: its "
        "platform's raw asset with only that account pulled (the platform's other accounts keep their "
        "rows for the day), then every asset downstream. Prints the fetch job's outcome; exit status 1 "
        "if the pull or the run failed.",
        examples=["social-pipeline fetch bluesky someone.bsky.social",
                  "social-pipeline fetch tiktok @demo.creator --date 2026-11-20"],
    )
    p.add_argument("platform", help="one of the nine platforms (tiktok, instagram, youtube, twitter, facebook, "
                   "pinterest, bluesky, threads, linkedin)")
    p.add_argument("handle", help="the account's handle (a leading @ is ignored)")
    p.add_argument("--date", help="the day, YYYY-MM-DD (default: yesterday, UTC)")
    _log_level(p)
    p.set_defaults(func=cmd_fetch)

    p = _command(
        sub, "accounts", help="monitored accounts: list (with token health), add, enable, disable, retry",
        examples=["social-pipeline accounts list",
                  "social-pipeline accounts add bluesky someone.bsky.social --provider demo",
                  "social-pipeline accounts disable bluesky someone.bsky.social"],
    )
    acc = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = _command(
        acc, "list", help="list accounts with provider, monitoring state, last fetch and token health",
        examples=["social-pipeline accounts list"],
    )
    a.set_defaults(func=cmd_accounts_list)
    a = _command(
        acc, "add", help="add an account and turn its monitoring on",
        description="Add an account to social_accounts and its monitoring settings to "
        "social_analytics_config (monitoring on). Prints the new account's id on stdout.\n"
        "The access token is read from the environment variable named by --token-env, never from the "
        "command line, and never printed.",
        examples=["social-pipeline accounts add bluesky someone.bsky.social --provider demo",
                  ("export TT_TOKEN=...; social-pipeline accounts add tiktok @creator --token-env TT_TOKEN "
                   "--frequency '12 hours' --posts-per-fetch 100")],
    )
    a.add_argument("platform", help="tiktok, instagram, youtube, twitter (x), facebook, pinterest, bluesky, threads "
                   "or linkedin")
    a.add_argument("handle", help="the account's handle (a leading @ is dropped)")
    a.add_argument("--provider", help="where the data comes from: official (the platform's API, the default), "
                   "demo (the built-in simulator) or a third-party provider the platform supports "
                   "(tiktok: rapidapi_tiktok)")
    a.add_argument("--frequency", default="24 hours",
                   help="how often to pull, a PostgreSQL interval (default '24 hours'; e.g. '6 hours', '7 days')")
    a.add_argument("--posts-per-fetch", type=int, default=50, help="newest posts pulled each time, 1-10000 (default 50)")
    a.add_argument("--token-env", metavar="VAR",
                   help="name of the environment variable holding the access token")
    a.add_argument("--external-id", metavar="ID",
                   help="the platform's own id of the account, where its API needs it: the Instagram professional "
                        "account id, the Facebook Page id, the LinkedIn organization id, the YouTube channel id")
    a.add_argument("--set", action="append", metavar="COLUMN=VALUE",
                   help="a value for a column your app's social_accounts requires (e.g. --set user_id=<uuid>); "
                        "repeat for several")
    a.set_defaults(func=cmd_accounts_add)
    for name, func, what in (("enable", cmd_accounts_enable, "turn an account's monitoring on"),
                             ("disable", cmd_accounts_disable, "turn an account's monitoring off (its data is kept)")):
        a = _command(acc, name, help=what, examples=[f"social-pipeline accounts {name} bluesky someone.bsky.social"])
        a.add_argument("platform", help="the account's platform")
        a.add_argument("handle", help="the account's handle (case-insensitive; a leading @ is ignored), or its "
                       "id in social_accounts where two rows share the handle")
        a.set_defaults(func=func)
    a = _command(
        acc, "retry", help="pull an account again after repeated failures made the runs skip it",
        description="After several failed pulls in a row, runs skip an account (with the reason recorded) "
        "instead of spending requests on it. Once the cause is fixed (token, handle, the platform's outage), "
        "this forgets the failures: the next run pulls the account again.",
        examples=["social-pipeline accounts retry bluesky someone.bsky.social"],
    )
    a.add_argument("platform", help="the account's platform")
    a.add_argument("handle", help="the account's handle (case-insensitive; a leading @ is ignored)")
    a.set_defaults(func=cmd_accounts_retry)

    p = _command(
        sub, "simulator", help="serve a platform's simulator over HTTP on loopback",
        description="Serve the built-in demo simulator of one platform on 127.0.0.1, answering that "
        "platform's API endpoints (for trying a client by hand).",
        examples=["social-pipeline simulator serve bluesky --port 8765",
                  "social-pipeline simulator serve tiktok --port 0 --latency-ms 50 --requests-per-second 40"],
    )
    p.add_argument("action", choices=["serve"])
    p.add_argument("platform", help="the platform to simulate")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--as-of", help="answer as of this UTC time (YYYY-MM-DDTHH:MM:SS); default now")
    p.add_argument("--latency-ms", type=float, default=0.0, metavar="MS",
                   help="hold every answer this many milliseconds, as a remote API would (default 0)")
    p.add_argument("--requests-per-second", type=float, metavar="N",
                   help="answer 429 with Retry-After past N requests a second (bursts of one second's "
                   "worth); GET /__stats counts requests and 429s")
    p.set_defaults(func=cmd_simulator)

    p = _command(
        sub, "prune-runs", help="delete Dagster run history older than a number of days",
        description="Delete the finished Dagster runs (and their event logs) older than --days, "
        "to keep a long-running instance small. The analytics tables are never touched.",
        examples=["social-pipeline prune-runs --days 90 --dry-run", "social-pipeline prune-runs --days 90"],
    )
    p.add_argument("--days", type=int, required=True, help="keep runs that finished within this many days")
    p.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    p.set_defaults(func=cmd_prune_runs)
    return parser


def main(argv: list[str] | None = None) -> int:
    import psycopg

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CliError, MigrationError, db.DatabaseUnavailable, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except psycopg.Error as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"error: database: {detail}", file=sys.stderr)
        return 2
    except Stopped as stop:
        print(stop.message or f"stopped by {signal.Signals(stop.signum).name}", file=sys.stderr)
        return 128 + stop.signum
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
