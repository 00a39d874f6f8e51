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


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: starts the real `social-pipeline dev` server (slow)")


@dataclass
class DagsterDev:
    """A running `social-pipeline dev`."""

    port: int
    db_url: str
    log_path: Path
    launched_days: set = field(default_factory=set)  # partitions this module has run

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

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no output captured)"
        return "\n".join(text.splitlines()[-lines:])


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


def _descendants(pid: int) -> list:
    try:
        import psutil

        return psutil.Process(pid).children(recursive=True)
    except Exception:  # psutil missing or the process already gone
        return []


def _alive(process) -> bool:
    try:
        return process.is_running() and process.status() != "zombie"
    except Exception:
        return False


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the whole process group, SIGKILL what is left after STOP_TIMEOUT."""
    children = _descendants(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(c) for c in children):
        time.sleep(0.2)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for child in children:  # anything that left the group (none expected)
        try:
            child.kill()
        except Exception:
            pass
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
        "SOCIAL_PIPELINE_RETRY_BACKOFF_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    cli = Path(sys.executable).parent / "social-pipeline"
    if not cli.exists():
        cli = REPO / ".venv" / "bin" / "social-pipeline"
    if os.environ.get("E2E_TMP_YAML"):  # TEMP dev hack, remove
        (home / "dagster.yaml").write_text(open(os.environ["E2E_TMP_YAML"]).read())
    server = DagsterDev(port=port, db_url=module_db_url, log_path=log_path)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(cli), "dev", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: teardown signals every dagster process
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
