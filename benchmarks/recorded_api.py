"""The simulated APIs, recorded once and replayed: the network as free as it can be.

The simulator renders its world on every request, which costs CPU a real API would spend on its
own servers. For the day at scale that cost is taken out of the measurement: every exchange the
day's pulls make is recorded first (in worker processes, into a SQLite file), then the measured
run sets ``SOCIAL_PIPELINE_DEMO_RECORDING`` to it (see ``social_pipeline.simulator.recording``),
so each request is answered with the recorded bytes. The client code, its pagination, parsing
and everything after it run exactly as usual.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from multiprocessing import get_context
from pathlib import Path

from social_pipeline.ingest import pulling
from social_pipeline.platforms.base import AccountRef
from social_pipeline.ingest.settings import platform_settings
from social_pipeline.simulator import simulator_class as live_simulator_class
from social_pipeline.simulator.recording import SCHEMA, request_key
from social_pipeline.simulator.transport import PlatformSimulator, SimRequest, SimResponse

class _Recorder(PlatformSimulator):
    """Wraps the live simulator and keeps every answer."""

    store: list = []

    def __init__(self, platform: str, as_of, handles=None):
        self.platform = platform
        self._live = live_simulator_class(platform)(as_of, handles)

    def handle(self, request: SimRequest) -> SimResponse:
        answer = self._live.handle(request)
        body = answer.body if isinstance(answer.body, (bytes, str)) else json.dumps(answer.body)
        body = body.encode("utf-8") if isinstance(body, str) else body
        _Recorder.store.append((request_key(self.platform, request), answer.status, json.dumps(answer.headers), body))
        return SimResponse(answer.status, body, answer.headers)


def _record_chunk(args) -> list:
    accounts, day = args
    _Recorder.store = []
    pulling.simulator_class = lambda platform: (lambda as_of, handles=None: _Recorder(platform, as_of, handles))
    for account in accounts:
        result = pulling.pull_account(account, day, settings=platform_settings(account.platform))
        if not result.ok:
            raise RuntimeError(f"recording {account.platform}/{account.handle} failed: {result.error}")
    return _Recorder.store


def record(accounts: list[AccountRef], day: date, path: Path, processes: int = 2) -> int:
    """Record every exchange of pulling ``accounts`` on ``day`` into the SQLite file ``path``."""
    db = sqlite3.connect(path)
    db.execute(SCHEMA)
    chunks = [(accounts[i::processes * 8], day) for i in range(processes * 8)]
    written = 0
    with get_context("spawn").Pool(processes) as pool:  # fork could inherit a held lock
        for rows in pool.imap_unordered(_record_chunk, chunks):
            db.executemany("INSERT OR REPLACE INTO exchange VALUES (?, ?, ?, ?)", rows)
            written += len(rows)
    db.commit()
    db.close()
    return written
