"""Demo pulls answered from recorded exchanges instead of the live simulator.

``SOCIAL_PIPELINE_DEMO_RECORDING=<file>`` makes every demo-provider pull of the process (and of
the step processes it starts) answer each request with the bytes recorded for it in that SQLite
file (``benchmarks/recorded_api.py`` writes one). The benchmarks use it to take the simulator's
own CPU, the work a real API does on its servers, out of what they measure. A request that is not
in the file is answered by the live simulator and counted as a miss.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading

from .transport import PlatformSimulator, SimRequest, SimResponse

RECORDING_ENV = "SOCIAL_PIPELINE_DEMO_RECORDING"
SCHEMA = "CREATE TABLE IF NOT EXISTS exchange (key TEXT PRIMARY KEY, status INTEGER, headers TEXT, body BLOB)"


def request_key(platform: str, request: SimRequest) -> str:
    """What identifies a request: platform, method, path, every query value, body and auth."""
    auth = request.headers.get("Authorization") or ""
    return json.dumps(
        [platform, request.method, request.path, sorted((k, v) for k, vs in request.query_all.items() for v in vs),
         request.body, auth],
        sort_keys=True, default=str,
    )


class ReplaySimulator(PlatformSimulator):
    """Answers from the recording named by ``path``; falls back to ``live`` (and counts it)."""

    _local = threading.local()  # one SQLite connection per thread
    served = 0
    misses = 0

    def __init__(self, platform: str, path: str, live: PlatformSimulator):
        self.platform = platform
        self._path = path
        self._live = live

    def _db(self) -> sqlite3.Connection:
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        if self._path not in conns:
            conns[self._path] = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True)
        return conns[self._path]

    def handle(self, request: SimRequest) -> SimResponse:
        row = self._db().execute(
            "SELECT status, headers, body FROM exchange WHERE key = ?", (request_key(self.platform, request),)
        ).fetchone()
        if row is not None:
            ReplaySimulator.served += 1
            return SimResponse(row[0], bytes(row[2]), json.loads(row[1]))
        ReplaySimulator.misses += 1
        return self._live.handle(request)


def recording_path() -> str | None:
    path = os.environ.get(RECORDING_ENV)
    if path and not os.path.exists(path):
        raise FileNotFoundError(f"{RECORDING_ENV} names {path!r}, which does not exist")
    return path or None
