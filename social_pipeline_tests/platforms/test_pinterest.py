"""Pinterest client + parser against the simulated API v5 (no network, no database)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
import requests
from requests.adapters import BaseAdapter

from social_pipeline.platforms import pinterest
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.simulator import pinterest as pin_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimulatorAdapter, demo_token, mount

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


class _FlakyAdapter(BaseAdapter):
    def __init__(self, inner: SimulatorAdapter):
        super().__init__()
        self.inner, self.calls = inner, 0

    def send(self, request, **kwargs):
        self.calls += 1
        if self.calls == 1:
            resp = requests.Response()
            resp.status_code = 503
            resp._content = b'{"code": 8, "message": "Service unavailable."}'
            resp.request, resp.url = request, request.url
            return resp
        return self.inner.send(request, **kwargs)

    def close(self):
        pass


def test_server_error_is_retried():
    session = requests.Session()
    inner = SimulatorAdapter(pinterest.Client.default_base_url, pin_sim.Simulator(AS_OF, [HANDLE]))
    session.mount(pinterest.Client.default_base_url + "/", _FlakyAdapter(inner))
    client = _client(session)
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
