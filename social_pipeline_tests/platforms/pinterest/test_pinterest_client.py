"""Pinterest client + parser against the simulated API v5 (no network, no database)."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import requests

from social_pipeline.platforms.pinterest import client as pinterest
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.simulator import pinterest as pin_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "cozy.kitchen"
POSTS = 23  # the fake serves 10 Pins a page: 3 pages


def _account(token: str | None = "default", posts: int = POSTS) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="pinterest",
        handle=HANDLE,
        access_token=demo_token("pinterest", HANDLE) if token == "default" else token,
        posts_per_fetch=posts,
    )


def _client(session: requests.Session | None = None) -> pinterest.Client:
    if session is None:
        session = requests.Session()
        mount(session, pinterest.Client.default_base_url, pin_sim.Simulator(AS_OF, [HANDLE]))
    return pinterest.Client(HttpClient(session, sleep=lambda s: None), today=AS_OF.date())


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())
    return client, pinterest.Client.parse(client.http.responses)


def _world_posts():
    return world.account("pinterest", HANDLE).posts_until(AS_OF)


def test_account_matches_world(pulled):
    _, parsed = pulled
    acct = world.account("pinterest", HANDLE)
    assert parsed.account["followers_count"] == acct.followers(AS_OF)
    assert parsed.account["following_count"] == acct.following(AS_OF)
    assert parsed.account["pins_count"] == len(acct.posts_until(AS_OF))
    assert parsed.account["display_name"] == acct.display_name
    assert parsed.account["total_views"] is None and parsed.account["subscribers_count"] is None


def test_analytics_window_is_90_days_ending_on_pull_day(pulled):
    client, _ = pulled
    req = next(r for r in client.http.responses if r.endpoint == "pins/analytics").request_params
    assert req["end_date"] == "2026-11-20"
    assert req["start_date"] == (AS_OF.date() - timedelta(days=89)).isoformat()
    assert "SAVE" in req["metric_types"]


def test_pins_paginate_and_match_world(pulled):
    client, parsed = pulled
    pages = [r for r in client.http.responses if r.endpoint == "pins"]
    assert len(pages) == 3 and "bookmark" in pages[2].request_params
    assert len(parsed.posts) == POSTS
    expected = _world_posts()[:POSTS]
    assert expected[-1].posted_at > AS_OF - timedelta(days=89)  # all inside the analytics window
    sim = pin_sim.Simulator(AS_OF, [HANDLE])
    for got, want in zip(parsed.posts, expected):
        m = want.metrics(AS_OF)
        pin_id = sim.post_id(want)
        assert got["external_post_id"] == pin_id
        assert got["post_url"] == f"https://www.pinterest.com/pin/{pin_id}/"
        assert got["posted_at"] == want.posted_at and got["posted_at"].tzinfo is not None
        assert got["title"] == want.title and got["caption"] == want.caption
        assert got["saves_count"] == m["saves"]
        assert got["impressions"] == m["impressions"]
        assert got["likes_count"] == m["likes"]  # lifetime reactions
        assert got["comments_count"] == m["comments"]
        assert got["shares_count"] is None and got["reach"] is None
        want_kind = {"video": "video", "carousel": "carousel"}.get(want.kind, "image")
        assert got["media_type"] == want_kind
        if want.kind == "video":
            assert got["views_count"] == m["views"]
            assert got["duration"] == want.duration  # ms -> s
            assert got["completion_rate"] == pytest.approx(m["completion_rate"], abs=0.01)  # ms/ms -> %
            assert got["watch_time_seconds"] == pytest.approx(m["watch_time_seconds"], abs=m["views"] * 0.01 + 1)
        else:
            assert got["views_count"] is None and got["watch_time_seconds"] is None
            assert got["completion_rate"] is None and got["duration"] is None
    assert any(p["media_type"] == "video" for p in parsed.posts)


def test_no_comments_api(pulled):
    _, parsed = pulled
    assert parsed.comments == []


def test_audience_demographics(pulled):
    _, parsed = pulled
    demo = world.account("pinterest", HANDLE).demographics(AS_OF)
    d = parsed.demographics
    assert d["age_13_17"] is None  # Pinterest reports no under-18s
    assert d["age_18_24"] == pytest.approx(demo["age_18_24"], abs=0.02)
    assert d["age_45_plus"] == pytest.approx(demo["age_45_plus"], abs=0.05)  # four buckets summed
    assert d["gender_female"] == pytest.approx(demo["gender_female"], abs=0.01)
    for code, share in demo["top_countries"].items():
        assert d["top_countries"][code] == pytest.approx(share, abs=0.01)
    assert set(d["top_cities"]) == set(demo["top_cities"])
    assert d["peak_hours"] is None and d["top_languages"] is None


def test_token_goes_in_header_only(pulled):
    client, _ = pulled
    token = demo_token("pinterest", HANDLE)
    assert all(token not in repr(r.request_params) for r in client.http.responses)


def test_missing_token_names_handle():
    client = _client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token=None))
    assert HANDLE in str(exc.value) and not client.http.responses


def test_bad_token_is_platform_error_without_secret():
    client = _client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token="pina_secret_value"))
    assert exc.value.status_code == 401
    assert "pina_secret_value" not in str(exc.value)
    assert "Authentication failed" in str(exc.value)


def test_server_error_is_retried():
    transport = ScriptedTransport().serve(pinterest.Client.default_base_url, pin_sim.Simulator(AS_OF, [HANDLE]))
    transport.script(  # the first request answers 503, then the simulator
        "^" + re.escape(pinterest.Client.default_base_url + "/"),
        (503, {}, '{"code": 8, "message": "Service unavailable."}'),
    )
    client = _client(transport.install(requests.Session()))
    client.pull(_account(posts=2))
    assert [r.attempt for r in client.http.responses[:2]] == [1, 2]
    assert client.http.responses[0].status_code == 503
    assert len(pinterest.Client.parse(client.http.responses).posts) == 2


def _mutated(pulled, endpoint, mutate):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    mutate(next(r for r in responses if r.endpoint == endpoint and r.ok).payload)
    return responses


def test_malformed_payloads_are_parse_errors(pulled):
    bad = [
        ("pins", lambda p: p["items"][0].pop("id")),  # missing required key
        ("pins", lambda p: p["items"][0].__setitem__("created_at", "yesterday")),  # bad timestamp
        ("pins", lambda p: p.__setitem__("items", "none")),  # wrong type
        ("pins/analytics", lambda p: p["all"]["summary_metrics"].__setitem__("SAVE", -4)),  # negative count
        ("pins/analytics", lambda p: p.pop("all")),
        ("user_account", lambda p: p.__setitem__("follower_count", "lots")),
        ("ad_accounts/audience_insights", lambda p: p["demographics"]["ages"][0].__setitem__("ratio", 31.0)),
    ]
    for endpoint, mutate in bad:
        with pytest.raises(ParseError):
            pinterest.Client.parse(_mutated(pulled, endpoint, mutate))



# -- refresh by id -----------------------------------------------------------------------------
def _sim_client(sim=None, *, sleep=None, credentials=None, faults=()):
    """A client on the simulator; ``faults`` answer the first requests, in order:
    ``(status, body text, headers)`` or ``"timeout"``."""
    sim = sim or pin_sim.Simulator(AS_OF, [HANDLE])
    transport = ScriptedTransport().serve(pinterest.Client.default_base_url, sim)
    api = "^" + re.escape(pinterest.Client.default_base_url + "/")
    for i, fault in enumerate(faults):
        if fault == "timeout":
            _time_out(transport, api, after=i)
        else:
            status, body, headers = fault
            transport.script(api, (status, headers, body), after=i)
    session = transport.install(requests.Session())
    return pinterest.Client(
        HttpClient(session, sleep=sleep or (lambda s: None)), credentials=credentials, today=AS_OF.date()
    )


def _time_out(transport: ScriptedTransport, pattern: str, after: int = 0) -> None:
    """The served answer to the matching request number ``after`` (0-based) times out.

    ScriptedTransport's answers are HTTP responses; a read timeout is expressed as a rewriter
    that raises ``requests.Timeout`` instead of returning the body."""
    seen = {"n": 0}

    def fn(body):
        seen["n"] += 1
        if seen["n"] == after + 1:
            raise requests.Timeout("read timed out")
        return body

    transport.rewrite(pattern, fn)


def test_update_window_is_pinterest_analytics_retention():
    assert pinterest.Client.update_window_days == 90


def test_refresh_by_id_returns_old_pins_with_current_metrics():
    sim = pin_sim.Simulator(AS_OF, [HANDLE])
    posts = _world_posts()
    recent = [posts[8], posts[12]]
    ancient = next(p for p in posts if p.posted_at < AS_OF - timedelta(days=95))
    ids = [sim.post_id(posts[0]), *(sim.post_id(p) for p in recent), sim.post_id(ancient), sim.post_id(recent[0]), "9999"]
    client = _sim_client(sim)
    client.pull(replace(_account(posts=3), refresh_post_ids=tuple(ids)))
    fetched = [r for r in client.http.responses if r.endpoint == "pins/{pin_id}"]
    assert [r.status_code for r in fetched] == [200, 200, 200, 404]  # listed/duplicate ids not refetched
    analytics = [r.page_index for r in client.http.responses if r.endpoint == "pins/analytics"]
    assert analytics == [0, 1, 2, 3, 4]  # none for the Pin older than the analytics window
    parsed = pinterest.Client.parse(client.http.responses)
    got = {p["external_post_id"]: p for p in parsed.posts}
    assert len(parsed.posts) == len(got) == 6
    for post in recent:
        row, m = got[sim.post_id(post)], post.metrics(AS_OF)
        assert row["saves_count"] == m["saves"] and row["likes_count"] == m["likes"]
        assert row["impressions"] == m["impressions"] and row["posted_at"] == post.posted_at
    old_row, m = got[sim.post_id(ancient)], ancient.metrics(AS_OF)
    assert old_row["likes_count"] == m["likes"] and old_row["impressions"] == m["impressions"]  # lifetime
    # Window metrics of a Pin older than 90 days: unknown, not 0.
    assert old_row["saves_count"] is None and old_row["views_count"] is None
    assert old_row["watch_time_seconds"] is None and old_row["completion_rate"] is None


def test_parse_drops_window_sums_of_pins_created_before_the_window(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    listing = next(r for r in responses if r.endpoint == "pins" and r.ok)
    listing.payload["items"][0]["created_at"] = (AS_OF - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%S")
    parsed = pinterest.Client.parse(responses)
    assert parsed.posts[0]["saves_count"] is None and parsed.posts[1]["saves_count"] is not None


def test_parse_keeps_newest_fetch_of_a_pin(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    pin = copy.deepcopy(next(r for r in responses if r.endpoint == "pins" and r.ok).payload["items"][1])
    pin["pin_metrics"]["lifetime_metrics"]["reaction"] += 5
    responses.append(replace(responses[-1], endpoint="pins/{pin_id}", payload=pin, request_params={}, page_index=1))
    parsed = pinterest.Client.parse(responses)
    rows = [p for p in parsed.posts if p["external_post_id"] == pin["id"]]
    assert len(rows) == 1 and rows[0]["likes_count"] == pin["pin_metrics"]["lifetime_metrics"]["reaction"]
    assert len(parsed.posts) == POSTS


def test_rejected_metric_type_degrades_to_none():
    client = _sim_client(pin_sim.Simulator(AS_OF, [HANDLE], deprecated_metrics={"SAVE"}))
    client.pull(_account(posts=3))
    parsed = pinterest.Client.parse(client.http.responses)
    for got, want in zip(parsed.posts, _world_posts()[:3]):
        assert got["saves_count"] is None  # rejected: unknown
        assert got["impressions"] == want.metrics(AS_OF)["impressions"]
        if want.kind == "video":
            assert got["views_count"] == want.metrics(AS_OF)["views"]
    calls = [r for r in client.http.responses if r.endpoint == "pins/analytics"]
    # Pin 1: combined (400) + 8 single metrics; pins 2 and 3: one call without SAVE.
    assert len(calls) == 1 + 8 + 2
    assert "SAVE" not in calls[-1].request_params["metric_types"]


# -- transient failures ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fault",
    [
        (429, '{"code": 8, "message": "You have exceeded your rate limit. Try again later."}', {"Retry-After": "2"}),
        (500, '{"code": 3, "message": "Internal server error."}', {}),
        "timeout",
        (200, '{"account_type": "BUSINESS", "id": "5491', {}),  # truncated body
    ],
    ids=["429", "500", "timeout", "truncated"],
)
def test_transient_failure_is_retried(fault):
    sleeps = []
    client = _sim_client(sleep=sleeps.append, faults=[fault])
    client.pull(_account(posts=2))
    first, second = client.http.responses[:2]
    assert (first.endpoint, first.attempt, second.endpoint, second.attempt) == ("user_account", 1, "user_account", 2)
    assert first.error and not first.ok and second.ok and len(sleeps) == 1
    if fault == "timeout":
        assert first.status_code is None and "timed out" in first.error
    elif fault[0] == 200:
        assert first.payload is None and "not JSON" in first.error
    else:
        assert first.status_code == fault[0]
        if fault[0] == 429:
            assert sleeps[0] >= 2
    assert len(pinterest.Client.parse(client.http.responses).posts) == 2


# -- payload shape -----------------------------------------------------------------------------
def test_extra_fields_ignored_missing_optional_metrics_none(pulled):
    def mutate(p):
        p["items"][0]["brand_new"] = {"x": [1]}
        p["items"][0]["pin_metrics"]["lifetime_metrics"].pop("reaction")
        p["surprise"] = 1

    responses = _mutated(pulled, "pins", mutate)
    analytics = next(r for r in responses if r.endpoint == "pins/analytics" and r.ok and r.page_index == 0)
    analytics.payload["all"]["summary_metrics"].pop("SAVE")
    parsed = pinterest.Client.parse(responses)
    assert parsed.posts[0]["likes_count"] is None and parsed.posts[0]["saves_count"] is None
    assert parsed.posts[0]["impressions"] is not None and len(parsed.posts) == POSTS


MIXED = "Café ☕ 👩🏽‍🍳 e\u0301 n\u0303 — שלום עולם ‏مرحبا بالعالم‎ 🇵🇹 #日本"


def test_unicode_captions_round_trip():
    class Sim(pin_sim.Simulator):
        def _render_pin(self, post, with_metrics):
            pin = super()._render_pin(post, with_metrics)
            pin["description"], pin["title"] = MIXED, MIXED[::-1]
            return pin

    client = _sim_client(Sim(AS_OF, [HANDLE]))
    client.pull(_account(posts=2))
    parsed = pinterest.Client.parse(client.http.responses)
    assert [(p["caption"], p["title"]) for p in parsed.posts] == [(MIXED, MIXED[::-1])] * 2


# -- tokens ------------------------------------------------------------------------------------
def test_expired_token_says_what_to_do_without_the_token():
    token = demo_token("pinterest", HANDLE) + "-expired"
    client = _sim_client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token=token))
    message = str(exc.value)
    assert exc.value.status_code == 401 and HANDLE in message and "expired" in message
    assert "reconnect" in message and "SOCIAL_PIPELINE_PINTEREST_CLIENT_ID" in message
    assert token not in message and demo_token("pinterest", HANDLE) not in message


CREDS = {"client_id": "1487654", "client_secret": "pin-client-secret"}


def test_token_refresh_success():
    seen = []

    class Spy(pin_sim.Simulator):
        def handle(self, request):
            seen.append(request)
            return super().handle(request)

    client = _sim_client(Spy(AS_OF, [HANDLE]), credentials=CREDS)
    grant = client.refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert grant.access_token == demo_token("pinterest", HANDLE)
    assert timedelta(days=29) < grant.expires_at - datetime.now(timezone.utc) <= timedelta(days=30)
    assert grant.refresh_token is None  # the demo hands back the same refresh token
    req = seen[-1]
    assert req.method == "POST" and req.path == "/oauth/token"
    assert req.body == {"grant_type": "refresh_token", "refresh_token": "demo-refresh-" + HANDLE}
    assert req.headers["Authorization"].startswith("Basic ")
    assert client.http.responses == []  # never recorded
    client.pull(_account(token=grant.access_token, posts=1))


def test_token_refresh_failures():
    client = _sim_client(credentials=CREDS)
    with pytest.raises(PlatformError) as exc:
        client.refresh_access_token(_account(), "pinr.revoked-refresh")
    message = str(exc.value)
    assert exc.value.status_code == 401 and "authorization grant is invalid" in message and HANDLE in message
    assert "pinr.revoked-refresh" not in message and "pin-client-secret" not in message
    with pytest.raises(PlatformError) as exc:
        _sim_client(credentials={}).refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert "SOCIAL_PIPELINE_PINTEREST_CLIENT_ID" in str(exc.value)
    assert "SOCIAL_PIPELINE_PINTEREST_CLIENT_SECRET" in str(exc.value)
