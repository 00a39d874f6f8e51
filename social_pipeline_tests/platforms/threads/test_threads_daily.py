"""Threads' daily account series (issue 14): the pull day's own figures from threads_insights
with since/until set to that day, and followers known only on the day itself (Threads reports no
follower gains). Payloads from fixtures/threads_daily_documented.json (each field citing Meta's
page); the rest of a pull is served by the simulator through the scripted transport."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from social_pipeline.platforms.records import DAILY_METRICS
from social_pipeline.platforms.base import AccountRef, HttpClient, PlatformError
from social_pipeline.platforms.threads import client as threads
from social_pipeline.simulator import threads as threads_sim
from social_pipeline.simulator.meta_graph import documented_paths_seen, documented_problems
from social_pipeline.simulator.transport import demo_token
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

DOC = json.loads((Path(__file__).parent / "fixtures" / "threads_daily_documented.json").read_text())
BASE = threads.Client.default_base_url
HANDLE = "maya_makes"
DAILY = DOC["responses"][0]["payload"]
DAY_CALL = r"/threads_insights\?(?!.*\bbreakdown=)(?!.*\bsince=1712991600)"


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time.min, tzinfo=timezone.utc).timestamp())


def _transport(as_of: datetime | None = None) -> ScriptedTransport:
    return ScriptedTransport().serve(BASE, threads_sim.Simulator(as_of or datetime.now(timezone.utc), [HANDLE]))


def _pull(transport: ScriptedTransport, day: date):
    session = transport.install(requests.Session())
    client = threads.Client(HttpClient(session, sleep=lambda s: None), today=day)
    client.pull(AccountRef(id="1", platform="threads", handle=HANDLE, access_token=demo_token("threads", HANDLE), posts_per_fetch=2))
    return client, threads.Client.parse(client.http.responses)


def _day_queries(transport: ScriptedTransport) -> list[dict[str, list[str]]]:
    out = []
    for s in transport.sent:
        parts = urlsplit(s.url)
        q = parse_qs(parts.query)
        if parts.path.endswith("/threads_insights") and "since" in q and q["since"] != ["1712991600"]:
            out.append(q)
    return out


def test_the_client_asks_the_documented_day():
    day = _today() - timedelta(days=3)
    transport = _transport()
    transport.script(DAY_CALL, (200, {}, copy.deepcopy(DAILY)))
    client, _ = _pull(transport, day)
    (q,) = _day_queries(transport)
    assert q["metric"] == ["views,likes,replies,reposts,quotes"] and "breakdown" not in q and "period" not in q
    assert (q["since"], q["until"]) == ([str(_epoch(day))], [str(_epoch(day + timedelta(days=1)))])
    kept = [r for r in client.http.responses if r.endpoint == threads.USER_DAILY]
    assert len(kept) == 1 and demo_token("threads", HANDLE) not in json.dumps([kept[0].request_params, kept[0].payload])


def test_the_documented_payload_parses_into_the_day():
    transport = _transport()
    transport.script(DAY_CALL, (200, {}, copy.deepcopy(DAILY)))
    _client, parsed = _pull(transport, _today() - timedelta(days=3))
    assert parsed.account["daily_insights"] == {"profile_views": 37, "likes": 64, "replies": 12, "reposts": 5, "quotes": 2}
    assert set(parsed.account["daily_insights"]) <= set(DAILY_METRICS)
    assert parsed.account["followers_count"] is not None
    assert parsed.account["followers_on_day"] is None  # no gains: a past day's followers are unknown


def test_followers_on_day_is_the_count_on_the_day_itself():
    transport = _transport()
    transport.script(DAY_CALL, (200, {}, copy.deepcopy(DAILY)))
    _client, parsed = _pull(transport, _today())
    assert parsed.account["followers_on_day"] == parsed.account["followers_count"] is not None


def test_a_refused_insights_call_does_not_fail_the_pull():
    refusal = {"error": {"message": "(#10) Application does not have permission for this action", "type": "OAuthException",
                         "code": 10, "fbtrace_id": "AbCdEf"}}
    transport = _transport()
    transport.script(DAY_CALL, (400, {}, refusal))
    _client, parsed = _pull(transport, _today())
    assert parsed.account["daily_insights"] is None
    assert parsed.account["followers_count"] is not None and parsed.posts


def test_a_server_error_on_the_day_call_still_fails_the_pull():
    transport = _transport()
    transport.script(DAY_CALL, *[(500, {}, {"error": {"message": "boom", "code": 1}})] * 6)
    with pytest.raises(PlatformError):
        _pull(transport, _today())


def test_a_views_series_of_two_days_is_not_the_day():
    two = copy.deepcopy(DAILY)
    two["data"][0]["values"].append({"value": 50, "end_time": "2026-11-20T08:00:00+0000"})
    transport = _transport()
    transport.script(DAY_CALL, (200, {}, two))
    _client, parsed = _pull(transport, _today())
    assert "profile_views" not in parsed.account["daily_insights"] and parsed.account["daily_insights"]["likes"] == 64


def test_an_empty_answer_is_unknown_not_zero():
    transport = _transport()
    transport.script(DAY_CALL, (200, {}, {"data": []}))
    _client, parsed = _pull(transport, _today())
    assert parsed.account["daily_insights"] is None


def test_no_call_before_the_api_floor():
    transport = _transport()
    _client, parsed = _pull(transport, date(2024, 4, 1))
    assert _day_queries(transport) == [] and parsed.account["daily_insights"] is None


def test_fixture_matches_its_field_definitions():
    for r in DOC["responses"]:
        assert documented_problems(r["payload"], DOC["fields"][r["endpoint"]]) == [], r["endpoint"]
    for rows in DOC["fields"].values():
        for _path, _kind, _required, source in rows:
            assert DOC["_pages"][source].startswith("https://developers.facebook.com/")


def test_simulator_serves_the_documented_shape():
    as_of = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
    seen = {}
    for day in (date(2026, 11, 18), date(2026, 11, 19)):
        client, parsed = _pull(_transport(as_of), day)
        payloads = [r.payload for r in client.http.responses if r.ok and r.endpoint == threads.USER_DAILY]
        fields = DOC["fields"][threads.USER_DAILY]
        assert payloads and all(documented_problems(p, fields) == [] for p in payloads)
        required = {path for path, _kind, needed, _src in fields if needed}
        assert not required - documented_paths_seen(payloads, fields)
        assert set(parsed.account["daily_insights"]) == {"profile_views", "likes", "replies", "reposts", "quotes"}
        seen[day] = parsed.account["daily_insights"]
    again = _pull(_transport(as_of), date(2026, 11, 18))[1].account["daily_insights"]
    assert again == seen[date(2026, 11, 18)]  # deterministic by account and day
