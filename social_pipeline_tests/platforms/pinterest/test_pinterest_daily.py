"""Pinterest daily account series: the pull day's row of GET /user_account/analytics
(daily_metrics, data_status READY) into AccountRecord.daily_insights, followers_on_day only where
no day lies after the pull day (Pinterest serves no follower gains), refusals, and the simulator
held to the documented shape."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone

import requests

from social_pipeline.platforms.base import HttpClient, RawResponse
from social_pipeline.platforms.pinterest import client as pinterest
from social_pipeline.platforms.pinterest import parse as pin_parse
from social_pipeline.platforms.records import DAILY_METRICS
from social_pipeline.simulator import pinterest as pinterest_sim
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.pinterest.test_pinterest_documented import FULL, TODAY, _account, _client, fixture

DAY_DOC = fixture("user_account_analytics_day.json")
USER = fixture("user_account.json")


def _raw(endpoint, payload, params=None, status=200, at=datetime(2026, 11, 20, 18, tzinfo=timezone.utc)):
    return RawResponse(endpoint, dict(params or {}), 0, 1, status, copy.deepcopy(payload),
                       None if status == 200 else f"HTTP {status}", 1, at)


def _responses(body=DAY_DOC, **kw):
    window = {"start_date": "2026-08-23", "end_date": "2026-11-20"}
    return [_raw(pin_parse.USER_ACCOUNT, USER, **kw), _raw(pin_parse.USER_ANALYTICS, body, window, **kw)]


def test_documented_day_row_becomes_daily_insights():
    acct = pinterest.Client.parse(_responses()).account
    assert acct["daily_insights"] == {"impressions": 310, "engagements": 14, "saves": 6, "pin_clicks": 7, "outbound_clicks": 1}
    assert set(acct["daily_insights"]) <= set(DAILY_METRICS)
    assert acct["followers_on_day"] == acct["followers_count"] is not None  # pulled on the day itself


def test_no_follower_gains_so_a_past_day_has_no_followers_on_day():
    acct = pinterest.Client.parse(_responses(at=datetime(2026, 11, 23, tzinfo=timezone.utc))).account
    assert acct["followers_on_day"] is None and acct["daily_insights"]["impressions"] == 310
    # yesterday pulled today: nothing after it, the count is the day's
    acct = pinterest.Client.parse(_responses(at=datetime(2026, 11, 21, 6, tzinfo=timezone.utc))).account
    assert acct["followers_on_day"] == acct["followers_count"]


def test_a_day_still_processing_is_not_reported():
    body = copy.deepcopy(DAY_DOC)
    body["all"]["daily_metrics"][1]["data_status"] = "PROCESSING"
    assert pinterest.Client.parse(_responses(body)).account["daily_insights"] is None


def test_client_asks_the_window_ending_with_the_day_and_parses_it():
    client, transport = _client(FULL)
    client.pull(_account())
    sent = [r.url for r in transport.sent if requests.utils.urlparse(r.url).path == "/v5/user_account/analytics"]
    assert len(sent) == 1
    assert f"end_date={TODAY.isoformat()}" in sent[0]
    assert f"start_date={(TODAY - timedelta(days=89)).isoformat()}" in sent[0]
    acct = pinterest.Client.parse(client.http.responses).account
    assert acct["daily_insights"] == {"impressions": 300, "engagements": 12, "saves": 4}


def test_refused_analytics_do_not_fail_the_pull():
    answers = [(p, 403, "error_403_scope.json") if p == "/v5/user_account/analytics" else (p, s, n) for p, s, n in FULL]
    client, _ = _client(answers)
    client.pull(_account())
    refused = [r for r in client.http.responses if r.endpoint == pin_parse.USER_ANALYTICS]
    assert [r.status_code for r in refused] == [403]  # recorded in the ledger
    acct = pinterest.Client.parse(client.http.responses).account
    assert acct["daily_insights"] is None and acct["followers_count"] is not None


def test_simulator_serves_the_documented_shape():
    as_of = datetime(2026, 11, 21, 23, 59, 59, tzinfo=timezone.utc)
    session = requests.Session()
    mount(session, pinterest.Client.default_base_url, pinterest_sim.Simulator(as_of, ["democreator"]))
    client = pinterest.Client(HttpClient(session, sleep=lambda s: None), today=date(2026, 11, 20))
    from social_pipeline.platforms.base import AccountRef  # noqa: PLC0415
    client.pull(AccountRef(id="x", platform="pinterest", handle="democreator",
                           access_token=demo_token("pinterest", "democreator"), posts_per_fetch=3))
    body = next(r.payload for r in client.http.responses if r.endpoint == pin_parse.USER_ANALYTICS)
    assert set(body) == {"all"} and set(body["all"]) == set(DAY_DOC["all"])
    want_row = DAY_DOC["all"]["daily_metrics"][0]
    for row in body["all"]["daily_metrics"]:
        assert set(row) == set(want_row) and set(row["metrics"]) <= set(pin_parse.DAILY_MAP) | {"VIDEO_MRC_VIEW"}
    acct = pinterest.Client.parse(client.http.responses).account
    assert set(acct["daily_insights"]) == set(pin_parse.DAILY_MAP.values())
