"""End-to-end fixtures: the real `social-pipeline dev` (webserver, daemon, code server) on a
database of its own, reached over HTTP/GraphQL like a user's browser would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
LOCATION = "social_pipeline"
REPOSITORY = "__repository__"  # the repository a `Definitions` object becomes
STARTUP_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0

REPOSITORIES_QUERY = """
query Repositories {
  repositoriesOrError {
    __typename
    ... on RepositoryConnection { nodes { name location { name } } }
    ... on PythonError { message }
  }
}
"""

RUN_ERRORS_QUERY = """
query RunErrors($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run {
      eventConnection(afterCursor: null, limit: 5000) {
        events {
          __typename
          ... on ExecutionStepFailureEvent { stepKey error { message cause { message } } }
          ... on RunFailureEvent { error { message cause { message } } }
        }
      }
    }
  }
}
"""


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: starts the real `social-pipeline dev` server (slow)")


@dataclass
class DagsterDev:
    """A running `social-pipeline dev`."""

    port: int
    db_url: str
    log_path: Path
    launched_days: set = field(default_factory=set)  # partitions this module has run
    dashboard_port: int = 0  # the dashboard `dev` starts next to the UI

    @property
    def dashboard_url(self) -> str:
        return f"http://127.0.0.1:{self.dashboard_port}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def graphql(self, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
        response = requests.post(
            f"{self.base_url}/graphql", json={"query": query, "variables": variables or {}}, timeout=timeout
        )
        response.raise_for_status()
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's output, without Dagster's Beta/Preview warnings."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no output captured)"
        kept, skip_next = [], False
        for line in text.splitlines():
            if skip_next and line.startswith("  "):
                skip_next = False
                continue
            skip_next = "Warning: " in line
            if not skip_next:
                kept.append(line)
        return "\n".join(kept[-lines:])

    def run_errors(self, run_id: str) -> str:
        """The step and run failures of a run, for assertion messages."""
        try:
            run = self.graphql(RUN_ERRORS_QUERY, {"runId": run_id})["runOrError"]
        except Exception as exc:  # the message must not hide the original failure
            return f"(could not read run {run_id}: {exc})"
        lines = []
        for event in (run.get("eventConnection") or {}).get("events", []):
            error = event.get("error")
            if error:
                cause = (error.get("cause") or {}).get("message") or ""
                lines.append(f"{event.get('stepKey') or 'run'}: {error['message'].strip()} {cause.strip()}")
        return "\n".join(lines) or "(no failure events)"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _location_loaded(server: DagsterDev) -> bool:
    try:
        requests.get(f"{server.base_url}/server_info", timeout=5).raise_for_status()
        data = server.graphql(REPOSITORIES_QUERY, timeout=10)["repositoriesOrError"]
    except (requests.RequestException, ValueError, AssertionError):
        return False
    return any(
        n["name"] == REPOSITORY and n["location"]["name"] == LOCATION for n in data.get("nodes") or []
    )


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group ``pgid``."""
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():  # not Linux: ask the kernel whether the group still exists
        try:
            os.killpg(pgid, 0)
            return [pgid]
        except (ProcessLookupError, PermissionError):
            return []
    members = []
    for entry in proc_dir.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the whole process group; SIGKILL whatever is left after STOP_TIMEOUT."""
    pgid = proc.pid  # start_new_session: the leader's pid is the group id
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        proc.poll()  # reap the leader
        if not _group_members(pgid):
            break
        time.sleep(0.5)
    else:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 10
        while _group_members(pgid) and time.monotonic() < deadline:
            proc.poll()
            time.sleep(0.2)
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def dagster_dev(module_db_url: str, tmp_path_factory) -> DagsterDev:
    """`.venv/bin/social-pipeline dev --port <free port>` on a fresh database, until the module ends."""
    home = tmp_path_factory.mktemp("dagster_home")
    log_path = home.parent / f"{home.name}-dev.log"
    port = _free_port()
    env = {
        **os.environ,
        "SOCIAL_PIPELINE_DATABASE_URL": module_db_url,
        "DAGSTER_HOME": str(home),
        "SOCIAL_PIPELINE_HOME": str(home / "project"),
        "SOCIAL_PIPELINE_DEMO": "1",
        # The test launches its own run and backfill on days it checks: no demo history backfill.
        "SOCIAL_PIPELINE_DEMO_HISTORY_DAYS": "0",
        "SOCIAL_PIPELINE_RETRY_BACKOFF_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    cli = Path(sys.executable).parent / "social-pipeline"
    if not cli.exists():
        cli = REPO / ".venv" / "bin" / "social-pipeline"
    dashboard_port = _free_port()
    server = DagsterDev(port=port, db_url=module_db_url, log_path=log_path, dashboard_port=dashboard_port)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(cli), "dev", "--host", "127.0.0.1", "--port", str(port), "--dashboard-port", str(dashboard_port)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: teardown signals every dagster process
            # `dagster dev` maps SIGTERM onto SIGINT's handler: started from a shell job that
            # ignores SIGINT, it would ignore SIGTERM too. Give it the default disposition.
            preexec_fn=_default_sigint,
        )
    try:
        started = time.monotonic()
        while not _location_loaded(server):
            if proc.poll() is not None:
                pytest.fail(f"`social-pipeline dev` exited with {proc.returncode}:\n{server.log_tail()}")
            if time.monotonic() - started > STARTUP_TIMEOUT:
                pytest.fail(
                    f"`social-pipeline dev` did not load code location {LOCATION!r} within "
                    f"{STARTUP_TIMEOUT:.0f} s:\n{server.log_tail()}"
                )
            time.sleep(1)
        yield server
    finally:
        _stop(proc)
