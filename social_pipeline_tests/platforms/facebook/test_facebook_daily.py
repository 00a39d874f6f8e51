"""Facebook Page daily series (period=day insights) and followers rebuilt from daily follows /
unfollows: the client's requests, the parse of payloads written from Meta's reference
(fixtures/facebook_page_daily.json), refusals, and the simulator held to the same shape."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from social_pipeline.platforms.base import AccountRef, HttpClient, RawResponse
from social_pipeline.platforms.facebook import client as facebook
from social_pipeline.platforms.facebook import parse as fb_parse
from social_pipeline.platforms.records import DAILY_METRICS
from social_pipeline.simulator import facebook as fb_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import demo_token
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

DOC = json.loads((Path(__file__).parent / "fixtures" / "facebook_page_daily.json").read_text())
HANDLE = "corner.bakery"
PAGE = {"id": "134895793791914", "name": "Corner Bakery", "followers_count": 1000, "fan_count": 990}
DAY = date(2026, 11, 20)


def _raw(endpoint: str, payload, params=None, status=200, at=datetime(2026, 11, 23, 12, tzinfo=timezone.utc)):
    err = None if 200 <= status < 300 else f"HTTP {status}"
    return RawResponse(endpoint, dict(params or {}), 0, 1, status, copy.deepcopy(payload), err, 1, at)


def _documented(**kw) -> list[RawResponse]:
    return [
        _raw(fb_parse.PAGE, PAGE, **kw),
        _raw(fb_parse.PAGE_DAILY, DOC["daily"]["payload"], DOC["daily"]["request"], **kw),
        _raw(fb_parse.PAGE_GAINS, DOC["gains"]["payload"], DOC["gains"]["request"], **kw),
    ]


def _pull(today: date, sim: fb_sim.Simulator) -> tuple[facebook.Client, ScriptedTransport]:
    transport = ScriptedTransport().serve(facebook.Client.default_base_url, sim)
    session = requests.Session()
    session.mount("https://", transport)
    session.mount("http://", transport)
    client = facebook.Client(HttpClient(session, sleep=lambda s: None), today=today)
    client.pull(AccountRef(id="a", platform="facebook", handle=HANDLE,
                           access_token=demo_token("facebook", HANDLE), posts_per_fetch=3))
    return client, transport


def _insight_queries(transport: ScriptedTransport) -> list[dict[str, str]]:
    out = []
    for sent in transport.sent:
        url = sent.url
        parts = urlsplit(str(url))
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path.endswith("/insights") and q.get("period") == "day":
            out.append(q)
    return out


def _midnight(d: date) -> int:
    return int(datetime.combine(d, datetime.min.time(), tzinfo=timezone.utc).timestamp())


def test_parses_documented_day_and_rebuilds_followers():
    parsed = facebook.Client.parse(_documented())
    acct = parsed.account
    assert acct["daily_insights"] == {
        "views": 5120, "reach": 3311, "engagements": 214, "follows": 9, "unfollows": 3, "net_follows": 6,
    }
    assert set(acct["daily_insights"]) <= set(DAILY_METRICS)
    # 1000 now; the two full days after 2026-11-20 gained 7-2=+5 and 1-3=-2: 1000-3
    assert acct["followers_on_day"] == 997


def test_a_missing_day_in_the_gains_leaves_followers_on_day_unknown():
    responses = _documented()
    for entry in responses[2].payload["data"]:
        entry["values"] = entry["values"][:1]  # 2026-11-22 not served
    assert facebook.Client.parse(responses).account["followers_on_day"] is None


def test_refused_gains_leave_followers_on_day_unknown_but_keep_the_day():
    responses = _documented()
    responses[2] = _raw(fb_parse.PAGE_GAINS, {"error": {"message": "(#100) invalid", "code": 100}},
                        DOC["gains"]["request"], status=400)
    acct = facebook.Client.parse(responses).account
    assert acct["followers_on_day"] is None and acct["daily_insights"]["views"] == 5120


def test_day_pulled_the_next_day_is_the_followers_count():
    at = datetime(2026, 11, 21, 9, tzinfo=timezone.utc)  # nothing after the day is over yet
    acct = facebook.Client.parse(_documented(at=at)[:2]).account
    assert acct["followers_on_day"] == 1000


def test_client_asks_the_documented_ranges_and_demo_rebuilds_todays_count():
    today = datetime.now(timezone.utc).date() - timedelta(days=3)
    as_of = datetime.combine(today, datetime.max.time(), tzinfo=timezone.utc).replace(microsecond=0)
    client, transport = _pull(today, fb_sim.Simulator(as_of, [HANDLE]))
    queries = _insight_queries(transport)
    assert len(queries) == 2
    day, gains = queries
    assert (int(day["since"]), int(day["until"])) == (_midnight(today), _midnight(today) + 86400)
    assert set(day["metric"].split(",")) == set(facebook.DAILY_PAGE_METRICS)
    now = datetime.now(timezone.utc).date()
    assert (int(gains["since"]), int(gains["until"])) == (_midnight(today + timedelta(days=1)), _midnight(now))
    assert gains["metric"].split(",") == ["page_daily_follows_unique", "page_daily_unfollows_unique"]
    acct = facebook.Client.parse(client.http.responses).account
    assert acct["followers_on_day"] == acct["followers_count"]  # the demo answers as of the day
    assert acct["daily_insights"]["views"] >= 0 and "follows" in acct["daily_insights"]
    # no secret reaches the ledger, though Graph's paging links echo the token
    assert demo_token("facebook", HANDLE) not in json.dumps([r.payload for r in client.http.responses], default=str)


def test_refused_daily_insights_do_not_fail_the_pull():
    today = datetime.now(timezone.utc).date() - timedelta(days=2)
    as_of = datetime.combine(today, datetime.max.time(), tzinfo=timezone.utc).replace(microsecond=0)
    sim = fb_sim.Simulator(as_of, [HANDLE], deprecated_metrics=fb_sim.DAILY_PAGE_METRICS)
    client, _ = _pull(today, sim)
    refused = [r for r in client.http.responses if r.endpoint in (fb_parse.PAGE_DAILY, fb_parse.PAGE_GAINS)]
    assert refused and all(r.status_code == 400 for r in refused)  # recorded
    acct = facebook.Client.parse(client.http.responses).account
    assert acct["daily_insights"] is None and acct["followers_on_day"] is None
    assert acct["followers_count"] is not None and len(client.http.responses) > len(refused)


def test_simulator_day_matches_documented_shape_and_world():
    sim = fb_sim.Simulator(datetime(2026, 11, 22, 23, 59, 59, tzinfo=timezone.utc), [HANDLE])
    acct = world.account("facebook", HANDLE)
    page_id = sim.account_id(acct)
    for part in ("daily", "gains"):
        from social_pipeline.simulator.transport import SimRequest  # noqa: PLC0415
        query = {**{k: str(v) for k, v in DOC[part]["request"].items()}, "access_token": demo_token("facebook", HANDLE)}
        answer = sim.handle(SimRequest("GET", f"/{page_id}/insights", query, CaseInsensitiveDict(), None))
        body = answer.body
        doc = DOC[part]["payload"]
        assert set(body) == set(doc) and set(body["paging"]) == set(doc["paging"])
        for got, want in zip(body["data"], doc["data"]):
            assert set(got) == set(want) and got["name"] == want["name"] and got["period"] == "day"
            assert [set(v) for v in got["values"]] == [set(v) for v in want["values"]]
            assert [v["end_time"] for v in got["values"]] == [v["end_time"] for v in want["values"]]
    # follows - unfollows is the day's change of the world's followers count
    d = date(2026, 11, 21)
    v = sim.day_values(acct, d)
    end = datetime(2026, 11, 21, 23, 59, 59, tzinfo=timezone.utc)
    assert v["page_daily_follows_unique"] - v["page_daily_unfollows_unique"] == acct.followers(end) - acct.followers(end - timedelta(days=1))
