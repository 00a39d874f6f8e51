"""`social-pipeline dashboard` serves the app on loopback, headless, without usage statistics,
prints its address, and stops with SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from social_pipeline.dashboard.launch import command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_command_line_is_local_and_quiet():
    argv = command(8765)
    pairs = dict(zip(argv[5::2], argv[6::2]))
    assert argv[1:4] == ["-m", "streamlit", "run"]
    assert pairs["--server.address"] == "127.0.0.1"
    assert pairs["--server.port"] == "8765"
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"


def test_dashboard_command_serves_and_stops(db_url, tmp_path):
    port = _free_port()
    cli = Path(sys.executable).parent / "social-pipeline"
    env = {**os.environ, "SOCIAL_PIPELINE_DATABASE_URL": db_url, "SOCIAL_PIPELINE_DEMO": "0",
           "SOCIAL_PIPELINE_DASHBOARD_PORT": str(port), "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "dashboard.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(cli), "dashboard"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).text == "ok":
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        assert f"Dashboard on http://127.0.0.1:{port}" in log.read_text()
        assert requests.get(f"http://127.0.0.1:{port}/overview", timeout=5).status_code == 200
        # Bound to loopback only: no other local address answers.
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        assert listening and all("127.0.0.1:" in line for line in listening.strip().splitlines()), listening
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM
        time.sleep(1)
        try:
            requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            raise AssertionError("the dashboard still answers after the command stopped")
        except requests.ConnectionError:
            pass
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
