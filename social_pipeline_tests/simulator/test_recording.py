"""Demo pulls answered from a recording: same records as the live simulator; misses counted."""

import sqlite3
from datetime import date

from social_pipeline.ingest.parsed_pulls import parse_responses
from social_pipeline.platforms.base import AccountRef
from social_pipeline.ingest.pulling import pull_account
from social_pipeline.simulator import demo_token
from social_pipeline.simulator.recording import RECORDING_ENV, ReplaySimulator

DAY = date(2026, 2, 10)


def _account(platform: str, handle: str) -> AccountRef:
    return AccountRef(id="00000000-0000-0000-0000-000000000001", platform=platform, handle=handle,
                      provider_name="demo", posts_per_fetch=5, access_token=demo_token(platform, handle))


def test_replayed_pull_parses_like_the_live_one(tmp_path, monkeypatch):
    from benchmarks.recorded_api import record

    accounts = [_account("instagram", "rec.creator"), _account("bluesky", "rec.bsky.social")]
    path = tmp_path / "exchanges.sqlite"
    written = record(accounts, DAY, path, processes=1)
    assert written > 0
    live = [pull_account(a, DAY) for a in accounts]

    monkeypatch.setenv(RECORDING_ENV, str(path))
    before = ReplaySimulator.served, ReplaySimulator.misses
    replayed = [pull_account(a, DAY) for a in accounts]
    assert ReplaySimulator.served - before[0] == written and ReplaySimulator.misses == before[1]
    for a, one, two in zip(accounts, live, replayed):
        assert one.ok and two.ok
        assert [r.payload for r in one.responses] == [r.payload for r in two.responses]
        assert parse_responses(a.platform, "demo", two.responses).parsed.posts == parse_responses(a.platform, "demo", one.responses).parsed.posts

    # A request the recording does not hold is answered live, and counted.
    with sqlite3.connect(path) as db:
        deleted = db.execute(
            "DELETE FROM exchange WHERE rowid IN (SELECT rowid FROM exchange WHERE key LIKE '[\"instagram\"%' LIMIT 1)"
        ).rowcount
    assert deleted == 1
    misses = ReplaySimulator.misses
    again = pull_account(accounts[0], DAY)
    assert again.ok and ReplaySimulator.misses == misses + 1
    assert [r.payload for r in again.responses] == [r.payload for r in live[0].responses]
