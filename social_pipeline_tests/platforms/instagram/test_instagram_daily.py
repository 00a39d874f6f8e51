"""Instagram's daily account series (issue 14): the pull day's account insights. Followers of a
past day are not rebuilt (the follow_type values are not confirmed as follows and unfollows; see
instagram/client.py, "Daily series"). Payloads
come from fixtures/instagram_daily_documented.json (written from Meta's reference, each field
citing its page); the rest of a pull is served by the simulator through the scripted transport."""

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
from social_pipeline.platforms.instagram import client as instagram
from social_pipeline.simulator import instagram as ig_sim
from social_pipeline.simulator.meta_graph import documented_paths_seen, documented_problems
from social_pipeline.simulator.transport import demo_token
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

DOC = json.loads((Path(__file__).parent / "fixtures" / "instagram_daily_documented.json").read_text())
BASE = instagram.Client.default_base_url
HANDLE = "sunny.studio"
DAILY, FOLLOWS, GAINS = (copy.deepcopy(r["payload"]) for r in DOC["responses"])
INSIGHTS = r"/\d+/insights\?"


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time.min, tzinfo=timezone.utc).timestamp())


def _transport(as_of: datetime) -> ScriptedTransport:
    return ScriptedTransport().serve(BASE, ig_sim.Simulator(as_of, [HANDLE]))


def _script_daily(transport: ScriptedTransport, *, daily=DAILY) -> None:
    """The documented answer for the day's call."""
    transport.script(INSIGHTS + r"(?=.*\bsince=)(?!.*\bbreakdown=)", (200, {}, daily))


def _pull(transport: ScriptedTransport, day: date):
    session = transport.install(requests.Session())
    client = instagram.Client(HttpClient(session, sleep=lambda s: None), today=day)
    client.pull(
        AccountRef(id="1", platform="instagram", handle=HANDLE, access_token=demo_token("instagram", HANDLE), posts_per_fetch=2)
    )
    return client, instagram.Client.parse(client.http.responses)


def _sent(transport: ScriptedTransport) -> list[dict[str, list[str]]]:
    out = []
    for s in transport.sent:
        parts = urlsplit(s.url)
        query = parse_qs(parts.query)
        if parts.path.endswith("/insights") and "since" in query:
            out.append(query)
    return out


def _now_as_of() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def test_the_client_asks_the_documented_day_only():
    day = _today() - timedelta(days=3)
    transport = _transport(_now_as_of())
    _script_daily(transport)
    client, _parsed = _pull(transport, day)
    (daily,) = _sent(transport)  # no follows_and_unfollows call: it cannot rebuild a day
    start, end = str(_epoch(day)), str(_epoch(day + timedelta(days=1)))
    assert (daily["period"], daily["metric_type"], daily["since"], daily["until"]) == (["day"], ["total_value"], [start], [end])
    assert daily["metric"] == [",".join(instagram.DAILY_METRICS)] and "breakdown" not in daily
    kept = [r for r in client.http.responses if r.endpoint == instagram.USER_DAILY]
    assert len(kept) == 1
    assert demo_token("instagram", HANDLE) not in json.dumps([r.request_params for r in kept] + [r.payload for r in kept])


def test_the_documented_payload_parses_into_the_day_and_a_past_day_keeps_no_followers():
    day = _today() - timedelta(days=3)
    transport = _transport(_now_as_of())
    _script_daily(transport)
    client, parsed = _pull(transport, day)
    assert parsed.account["daily_insights"] == {
        "views": 4210, "reach": 2930, "accounts_engaged": 180, "total_interactions": 265, "likes": 210,
        "comments": 22, "shares": 9, "saves": 24, "replies": 3, "website_clicks": 11,
    }
    assert set(parsed.account["daily_insights"]) <= set(DAILY_METRICS)
    assert parsed.account["followers_count"] is not None and parsed.account["followers_on_day"] is None


def test_stored_follow_type_answers_rebuild_nothing():
    """Pulls stored with a follows_and_unfollows answer (the documented FOLLOWER/NON_FOLLOWER
    shape) still give no follows, unfollows or rebuilt followers."""
    day = _today() - timedelta(days=2)
    transport = _transport(_now_as_of())
    both = copy.deepcopy(DAILY)
    both["data"] = both["data"] + FOLLOWS["data"]
    _script_daily(transport, daily=both)
    _client, parsed = _pull(transport, day)
    assert not {"follows", "unfollows", "net_follows"} & set(parsed.account["daily_insights"])
    assert parsed.account["followers_on_day"] is None


def test_a_refused_insights_call_does_not_fail_the_pull():
    day = _today() - timedelta(days=2)
    transport = _transport(_now_as_of())
    refusal = {"error": {"message": "(#10) Application does not have permission for this action", "type": "OAuthException",
                         "code": 10, "fbtrace_id": "AbCdEf"}}
    transport.script(INSIGHTS + r"(?=.*\bsince=)", (400, {}, refusal))
    client, parsed = _pull(transport, day)
    assert parsed.account["daily_insights"] is None and parsed.account["followers_on_day"] is None
    assert parsed.account["followers_count"] is not None and parsed.posts  # the rest of the pull stands


def test_an_empty_data_set_is_unknown_not_zero():
    day = _today() - timedelta(days=2)
    transport = _transport(_now_as_of())
    _script_daily(transport, daily={"data": []})
    _client, parsed = _pull(transport, day)
    assert parsed.account["daily_insights"] is None


def test_a_server_error_on_the_insights_call_still_fails_the_pull():
    day = _today() - timedelta(days=2)
    transport = _transport(_now_as_of())
    transport.script(INSIGHTS + r"(?=.*\bsince=)", *[(500, {}, {"error": {"message": "boom", "code": 1}})] * 6)
    with pytest.raises(PlatformError):
        _pull(transport, day)


def test_the_day_it_was_read_keeps_the_count_read():
    transport = _transport(_now_as_of())
    _script_daily(transport)
    _client, parsed = _pull(transport, _today())
    assert len(_sent(transport)) == 1
    assert parsed.account["followers_on_day"] == parsed.account["followers_count"] is not None


def test_fixture_matches_its_field_definitions():
    for r in DOC["responses"]:
        assert documented_problems(r["payload"], DOC["fields"][r["endpoint"]]) == [], r["endpoint"]
    for rows in DOC["fields"].values():
        for _path, _kind, _required, source in rows:
            assert DOC["_pages"][source].startswith("https://developers.facebook.com/")


def test_simulator_serves_the_documented_shape_and_its_own_world():
    day = date(2026, 11, 18)
    as_of = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
    transport = _transport(as_of)
    client, parsed = _pull(transport, day)
    served: dict[str, list] = {}
    for r in client.http.responses:
        if r.ok and r.endpoint in DOC["fields"]:
            served.setdefault(r.endpoint, []).append(r.payload)
    assert set(served) == {instagram.USER_DAILY}  # the day's call; follow_type is no longer asked
    for endpoint, payloads in served.items():
        fields = DOC["fields"][endpoint]
        for payload in payloads:
            assert documented_problems(payload, fields) == [], endpoint
        required = {path for path, _kind, needed, _src in fields if needed}
        assert not required - documented_paths_seen(payloads, fields), endpoint
    # The day's figures are the growth of the account's posts over the day, in the simulator's world.
    daily = parsed.account["daily_insights"]
    assert daily["views"] > 0 and daily["likes"] >= 0
    assert parsed.account["followers_on_day"] is None  # a past day: not rebuilt
