"""The ``social-pipeline`` command.

    social-pipeline dev                      database + migrations + demo accounts, then `dagster dev`
    social-pipeline db url|migrate|start|stop
    social-pipeline demo seed
    social-pipeline materialize --date D     every asset for one day, recorded in the Dagster instance
    social-pipeline backfill --start D --end D   a range of days, up to 7 days per run, with a progress bar
    social-pipeline fetch PLATFORM HANDLE    pull one account now (yesterday by default) and update what follows
    social-pipeline accounts list|add|enable|disable
    social-pipeline simulator serve PLATFORM

Errors (unknown platform or account, duplicate account, no database, bad dates) go to stderr with
exit status 2; a Dagster run that fails gives exit status 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from .storage import database as db
from .storage.migrate import MigrationError, migrate

REPO = Path(__file__).resolve().parents[1]
DEMO_ENV = "SOCIAL_PIPELINE_DEMO"


class CliError(Exception):
    pass


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
        if seed is None:
            wanted = os.environ.get(DEMO_ENV, "auto").lower()
            if wanted in ("0", "false", "no"):
                seed = False
            elif wanted in ("1", "true", "yes"):
                seed = True
            else:  # first run: nothing monitored yet
                seed = conn.execute("SELECT count(*) FROM social_analytics_config").fetchone()[0] == 0
        if seed:
            from .accounts import seed_demo_accounts

            created = seed_demo_accounts(conn)
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


def cmd_dev(args) -> int:
    url = ensure_database()
    env = {**os.environ, **dagster_environment(url)}
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        _say(f"WARNING: binding {args.host} exposes the UI without authentication; put it behind a proxy.")
    dagster = shutil.which("dagster", path=str(Path(sys.executable).parent)) or "dagster"
    argv = [dagster, "dev", "-w", str(REPO / "workspace.yaml"), "-h", args.host, "-p", str(args.port)]
    _say(f"Dagster UI on http://{args.host}:{args.port}  (Ctrl-C stops it; `social-pipeline db stop` stops Postgres)")
    # Start from the instance home: Dagster warns about a dagster.yaml in the working folder that
    # is not DAGSTER_HOME's, and the repository's copy is the template for that home.
    os.chdir(env["DAGSTER_HOME"])
    os.execve(dagster, argv, env)
    return 0  # pragma: no cover


def cmd_db(args) -> int:
    if args.action == "url":
        url = db.resolve_url()
        _say(url if args.reveal else db.masked(url))
    elif args.action == "migrate":
        with db.connect() as conn:
            applied = migrate(conn)
        _say(f"applied: {', '.join(applied)}" if applied else "database is up to date")
    elif args.action == "start":
        _say(db.masked(db.resolve_url()))
    elif args.action == "stop":
        if os.environ.get(db.URL_ENV):
            raise CliError(f"{db.URL_ENV} is set: that server is not ours to stop")
        db.embedded_server().stop()
        _say("embedded PostgreSQL stopped")
    return 0


def cmd_demo(args) -> int:
    ensure_database(seed=True)
    return 0


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _materialize_days(days: list[date]) -> int:
    from dagster import DagsterInstance

    from .definitions import defs

    url = ensure_database()
    os.environ.update(dagster_environment(url))
    instance = DagsterInstance.get()
    job = defs.resolve_job_def("daily_pipeline")
    failures = 0
    for i, day in enumerate(days, 1):
        result = job.execute_in_process(instance=instance, partition_key=day.isoformat(), raise_on_error=False)
        status = "ok" if result.success else "FAILED"
        failures += not result.success
        _say(f"[{i}/{len(days)}] {day}  {status}  run {result.run_id}")
    return 1 if failures else 0


def cmd_materialize(args) -> int:
    day = _parse_day(args.date) if args.date else datetime.now(timezone.utc).date() - timedelta(days=1)
    return _materialize_days([day])


def cmd_backfill(args) -> int:
    start, end = _parse_day(args.start), _parse_day(args.end)
    if end < start:
        raise CliError("--end is before --start")
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return _materialize_days(days)


def cmd_simulator(args) -> int:
    from .platforms import canonical
    from .simulator.server import make_server

    platform = canonical(args.platform)
    as_of = datetime.fromisoformat(args.as_of).replace(tzinfo=timezone.utc) if args.as_of else None
    server = make_server(platform, "127.0.0.1", args.port, as_of)
    _say(f"{platform} simulator on http://127.0.0.1:{server.server_address[1]}  (Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_accounts(args) -> int:
    from .tokens import expiring_tokens

    with db.connect() as conn:
        rows = conn.execute(
            "SELECT a.platform, a.handle, COALESCE(c.provider_name, 'official'), c.monitoring_enabled, "
            "c.fetch_frequency, c.last_fetched_at, a.token_expires_at FROM social_accounts a "
            "LEFT JOIN social_analytics_config c ON c.social_account_id = a.id ORDER BY a.platform, a.handle"
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
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="social-pipeline", description="Own your social-media numbers.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("dev", help="set up the database and run the Dagster UI (what `make dev` runs)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: local only)")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_dev)

    p = sub.add_parser("db", help="the analytics database")
    p.add_argument("action", choices=["url", "migrate", "start", "stop"])
    p.add_argument("--reveal", action="store_true", help="print the password too (url)")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("demo", help="demo accounts answered by the built-in simulator")
    p.add_argument("action", choices=["seed"])
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("materialize", help="materialize every asset for one day (default: yesterday, UTC)")
    p.add_argument("--date", help="YYYY-MM-DD")
    p.set_defaults(func=cmd_materialize)

    p = sub.add_parser("backfill", help="materialize every asset for each day of a range, in order")
    p.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--end", required=True, help="last day (inclusive), YYYY-MM-DD")
    p.set_defaults(func=cmd_backfill)

    p = sub.add_parser("accounts", help="accounts and their token health")
    p.add_argument("action", choices=["list"])
    p.set_defaults(func=cmd_accounts)

    p = sub.add_parser("simulator", help="serve a platform's simulator over HTTP on loopback")
    p.add_argument("action", choices=["serve"])
    p.add_argument("platform")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--as-of", help="answer as of this UTC time (YYYY-MM-DDTHH:MM:SS); default now")
    p.set_defaults(func=cmd_simulator)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CliError, MigrationError, db.DatabaseUnavailable, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
