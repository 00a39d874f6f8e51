"""Start the dashboard: `streamlit run app.py` in a child process on loopback, headless, without
usage statistics, reading the given database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
PORT_ENV = "SOCIAL_PIPELINE_DASHBOARD_PORT"
DEFAULT_PORT = 8501
URL_ENV = "SOCIAL_PIPELINE_DATABASE_URL"


def default_port() -> int:
    return int(os.environ.get(PORT_ENV) or DEFAULT_PORT)


def command(port: int, host: str = "127.0.0.1") -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", host, "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        "--global.developmentMode", "false", "--client.toolbarMode", "viewer",
    ]


def serve(port: int | None = None, host: str = "127.0.0.1", database_url: str | None = None, **popen) -> subprocess.Popen:
    """Start the dashboard and return its process (the caller stops it). ``database_url``: the
    analytics database (default: $SOCIAL_PIPELINE_DATABASE_URL)."""
    env = {**os.environ, **popen.pop("env", {})}
    if database_url:
        env[URL_ENV] = database_url
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    return subprocess.Popen(command(port or default_port(), host), env=env, stdin=subprocess.DEVNULL, **popen)
