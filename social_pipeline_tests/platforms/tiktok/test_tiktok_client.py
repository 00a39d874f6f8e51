"""TikTok client + parser against the simulated Display API v2 (no network, no database)."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import requests

from social_pipeline.platforms.tiktok import client as tiktok
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformClient, PlatformError, TokenGrant
from social_pipeline.simulator import tiktok as tiktok_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "dance.with.ana"
POSTS = 45  # > 2 pages of 20


def _account(token: str | None = "default", posts: int = POSTS) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="tiktok",
        handle=HANDLE,
        access_token=demo_token("tiktok", HANDLE) if token == "default" else token,
        posts_per_fetch=posts,
    )


def _client(session: requests.Session | None = None) -> tiktok.Client:
    session = session or requests.Session()
    if not session.adapters.get(tiktok.Client.default_base_url + "/"):
        mount(session, tiktok.Client.default_base_url, tiktok_sim.Simulator(AS_OF, [HANDLE]))
    return tiktok.Client(HttpClient(session, sleep=lambda s: None))


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())
    return client, tiktok.Client.parse(client.http.responses)


def test_profile_matches_world(pulled):
    client, parsed = pulled
    acct = world.account("tiktok", HANDLE)
    assert parsed.account["followers_count"] == acct.followers(AS_OF)
    assert parsed.account["following_count"] == acct.following(AS_OF)
    assert parsed.account["posts_count"] == len(acct.posts_until(AS_OF))
    assert parsed.account["display_name"] == acct.display_name
    assert parsed.account["total_views"] is None and parsed.account["watch_time_minutes"] is None


def test_posts_paginate_and_match_world(pulled):
    client, parsed = pulled
    pages = [r for r in client.http.responses if r.endpoint == "v2/video/list"]
    assert len(pages) == 3  # 20 + 20 + 5
    assert pages[0].request_params["json"] == {"max_count": 20}
    assert "cursor" in pages[1].request_params["json"]
    assert len(parsed.posts) == POSTS

    acct = world.account("tiktok", HANDLE)
    expected = acct.posts_until(AS_OF)[:POSTS]
    sim = tiktok_sim.Simulator(AS_OF, [HANDLE])
    assert [p["external_post_id"] for p in parsed.posts] == [sim.post_id(p) for p in expected]

    newest, post = parsed.posts[0], expected[0]
    m = post.metrics(AS_OF)
    assert newest["posted_at"] == post.posted_at
    assert newest["views_count"] == m["views"]
    assert newest["likes_count"] == m["likes"]
    assert newest["comments_count"] == m["comments"]
    assert newest["shares_count"] == m["shares"]
    assert newest["duration"] == post.duration
    assert newest["caption"] == post.caption
    assert newest["post_url"] == f"https://www.tiktok.com/@{HANDLE}/video/{sim.post_id(post)}"
    assert newest["media_type"] == "video"
    for key in ("saves_count", "watch_time_seconds", "completion_rate", "impressions", "reach"):
        assert newest[key] is None


def test_no_comments_or_demographics_and_token_not_recorded(pulled):
    client, parsed = pulled
    assert parsed.comments == [] and parsed.demographics is None
    token = demo_token("tiktok", HANDLE)
    assert all(token not in repr(r.request_params) for r in client.http.responses)


def test_missing_token_names_handle():
    client = _client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token=None))
    assert HANDLE in str(exc.value)


def test_bad_token_is_a_platform_error_without_the_token():
    client = _client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token="not-a-real-token-123"))
    assert exc.value.status_code == 401
    assert "not-a-real-token-123" not in str(exc.value)
    assert "access_token_invalid" in str(exc.value)


def test_5xx_is_retried():
    transport = ScriptedTransport().serve(tiktok.Client.default_base_url, tiktok_sim.Simulator(AS_OF, [HANDLE]))
    transport.script(r".", (503, {}, {"data": {}, "error": {"code": "internal_error", "message": "busy", "log_id": "x"}}))
    client = tiktok.Client(HttpClient(transport.install(requests.Session()), sleep=lambda s: None))
    client.pull(_account(posts=5))
    info = [r for r in client.http.responses if r.endpoint == "v2/user/info"]
    assert [r.status_code for r in info] == [503, 200]
    parsed = tiktok.Client.parse(client.http.responses)
    assert parsed.account["followers_count"] == world.account("tiktok", HANDLE).followers(AS_OF)
    assert len(parsed.posts) == 5


def test_error_code_inside_http_200_raises():
    class _Sim(tiktok_sim.Simulator):
        def handle(self, request):
            answer = super().handle(request)
            if request.path.startswith("/v2/video/list"):
                answer.body["error"] = {"code": "scope_not_authorized", "message": "video.list", "log_id": "1"}
            return answer

    session = requests.Session()
    mount(session, tiktok.Client.default_base_url, _Sim(AS_OF, [HANDLE]))
    client = tiktok.Client(HttpClient(session, sleep=lambda s: None))
    with pytest.raises(PlatformError, match="scope_not_authorized"):
        client.pull(_account(posts=3))


def _mutate(pulled, endpoint, fn):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    target = next(r for r in responses if r.endpoint == endpoint and r.ok)
    fn(target.payload)
    return responses


@pytest.mark.parametrize(
    "endpoint, mutation",
    [
        ("v2/video/list", lambda p: p["data"]["videos"][0].pop("create_time")),
        ("v2/video/list", lambda p: p["data"]["videos"][0].update(view_count=-3)),
        ("v2/video/list", lambda p: p["data"]["videos"][1].update(like_count="many")),
        ("v2/video/list", lambda p: p["data"].update(videos={"not": "a list"})),
        ("v2/user/info", lambda p: p["data"].update(user=[])),
        ("v2/user/info", lambda p: p["data"]["user"].pop("open_id")),
        ("v2/user/info", lambda p: p["data"]["user"].update(follower_count=1.5)),
    ],
)
def test_malformed_payload_is_a_parse_error(pulled, endpoint, mutation):
    responses = _mutate(pulled, endpoint, mutation)
    with pytest.raises(ParseError):
        tiktok.Client.parse(responses)


# -- refresh by id, transient failures, tokens, throttling ---------------------------------------


WEIRD_CAPTION = "Cafe\u0301 ☕ 👩🏽‍💻🇯🇵 — مرحبا بالعالم שלום #日本 e\u0308\u0301"


# The first requests' scripted failures: "429" (with Retry-After: 2), "500" or "truncated" (a cut
# 200 body), as (status, headers, body); "timeout" is played by _time_out.
FAULTS = {
    "429": (429, {"Retry-After": "2"}, '{"data": {}, "error": {"code": "rate_limit_exceeded", "message": "slow", "log_id": "1"}}'),
    "500": (500, {}, '{"data": {}, "error": {"code": "internal_error", "message": "oops", "log_id": "2"}}'),
    "truncated": (200, {}, '{"data": {"user": {"open_id": "-000'),
}


def _time_out(transport: ScriptedTransport, pattern: str, after: int = 0) -> None:
    """The served answer to the matching request number ``after`` (0-based) times out: a rewriter
    that raises ``requests.Timeout`` (ScriptedTransport's scripted answers are HTTP responses)."""
    seen = {"n": 0}

    def fn(body):
        seen["n"] += 1
        if seen["n"] == after + 1:
            raise requests.Timeout("read timed out")
        return body

    transport.rewrite(pattern, fn)


def _faulty_client(faults, sim=None, rewrite=None, credentials=None):
    """A client on the simulator whose first requests get ``faults`` in order; ``rewrite``: a
    function of every served JSON body."""
    transport = ScriptedTransport().serve(tiktok.Client.default_base_url, sim or tiktok_sim.Simulator(AS_OF, [HANDLE]))
    api = re.escape(tiktok.Client.default_base_url + "/")
    for i, fault in enumerate(faults):
        if fault == "timeout":
            _time_out(transport, api, after=i)
        else:
            transport.script(api, FAULTS[fault], after=i)
    if rewrite is not None:
        transport.rewrite(api, rewrite)
    slept: list[float] = []
    client = tiktok.Client(HttpClient(transport.install(requests.Session()), sleep=slept.append), credentials=credentials)
    return client, slept, transport


def test_update_window_is_documented():
    assert tiktok.Client.update_window_days == 30
    assert tiktok.Client.throttled is not PlatformClient.throttled


def test_refresh_by_id_returns_old_posts_with_current_metrics_once():
    sim = tiktok_sim.Simulator(AS_OF, [HANDLE])
    everything = world.account("tiktok", HANDLE).posts_until(AS_OF)
    old = everything[30:55]  # 25 ids beyond the newest 5 -> two batches (20 + 5)
    newest = everything[:5]
    ids = [sim.post_id(p) for p in newest[:2] + old]  # two are listed anyway: not asked again
    session = requests.Session()
    mount(session, tiktok.Client.default_base_url, sim)
    client = tiktok.Client(HttpClient(session, sleep=lambda s: None))
    client.pull(replace(_account(posts=5), refresh_post_ids=tuple(ids)))

    queries = [r for r in client.http.responses if r.endpoint == "v2/video/query"]
    assert [len(r.request_params["json"]["filters"]["video_ids"]) for r in queries] == [20, 5]
    asked = [i for r in queries for i in r.request_params["json"]["filters"]["video_ids"]]
    assert set(asked) == {sim.post_id(p) for p in old}

    parsed = tiktok.Client.parse(client.http.responses)
    got = [p["external_post_id"] for p in parsed.posts]
    assert len(got) == len(set(got)) == 30
    by_id = {p["external_post_id"]: p for p in parsed.posts}
    for post in old:
        m = post.metrics(AS_OF)
        rec = by_id[sim.post_id(post)]
        assert (rec["views_count"], rec["likes_count"], rec["comments_count"]) == (m["views"], m["likes"], m["comments"])
        assert rec["posted_at"] == post.posted_at


def test_duplicate_post_keeps_newest_fetched_figures(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    page = next(r for r in responses if r.endpoint == "v2/video/list" and r.ok)
    video = copy.deepcopy(page.payload["data"]["videos"][0])
    video["view_count"] += 1000
    later = copy.deepcopy(page)
    later.endpoint, later.page_index = "v2/video/query", 0
    later.fetched_at = max(r.fetched_at for r in responses) + timedelta(seconds=1)
    later.payload = {"data": {"videos": [video]}, "error": {"code": "ok", "message": "", "log_id": "x"}}
    parsed = tiktok.Client.parse(responses + [later])
    assert len(parsed.posts) == POSTS
    assert parsed.posts[0]["external_post_id"] == video["id"]  # keeps its position
    assert parsed.posts[0]["views_count"] == video["view_count"]  # newest figures win


def test_429_with_retry_after_then_success():
    client, slept, _ = _faulty_client(["429"])
    client.pull(_account(posts=3))
    info = [r for r in client.http.responses if r.endpoint == "v2/user/info"]
    assert [(r.attempt, r.status_code) for r in info] == [(1, 429), (2, 200)]
    assert info[0].usage == {"retry-after": "2"}
    assert slept and slept[0] >= 2
    assert len(tiktok.Client.parse(client.http.responses).posts) == 3


@pytest.mark.parametrize("fault", ["500", "timeout", "truncated"])
def test_transient_failure_then_success(fault):
    client, slept, _ = _faulty_client([fault])
    client.pull(_account(posts=3))
    info = [r for r in client.http.responses if r.endpoint == "v2/user/info"]
    assert [r.attempt for r in info] == [1, 2] and not info[0].ok and info[1].ok
    assert len(slept) == 1
    parsed = tiktok.Client.parse(client.http.responses)  # the failed attempt is ignored
    assert parsed.account["followers_count"] == world.account("tiktok", HANDLE).followers(AS_OF)


def test_throttled_200_is_retried_then_succeeds():
    sim = tiktok_sim.Simulator(AS_OF, [HANDLE], throttle_first=2)
    session = requests.Session()
    mount(session, tiktok.Client.default_base_url, sim)
    slept: list[float] = []
    client = tiktok.Client(HttpClient(session, sleep=slept.append))
    client.pull(_account(posts=3))
    info = [r for r in client.http.responses if r.endpoint == "v2/user/info"]
    assert [r.status_code for r in info] == [200, 200, 200]
    assert info[0].error.startswith("throttled: TikTok rate_limit_exceeded")
    assert len(slept) == 2
    assert tiktok.Client.parse(client.http.responses).account["followers_count"] is not None


def test_throttle_header_on_the_simulator():
    sim = tiktok_sim.Simulator(AS_OF, [HANDLE])
    session = requests.Session()
    mount(session, tiktok.Client.default_base_url, sim)
    resp = session.get(
        tiktok.Client.default_base_url + "/v2/user/info/?fields=open_id",
        headers={"Authorization": f"Bearer {demo_token('tiktok', HANDLE)}", "X-Demo-Throttle": "1"},
    )
    assert resp.status_code == 200 and resp.json()["error"]["code"] == "rate_limit_exceeded"
    assert tiktok.Client.throttled(resp.json())
    assert tiktok.Client.throttled({"data": {}, "error": {"code": "ok"}}) is None


def test_non_throttle_error_in_200_still_raises():
    assert tiktok.Client.throttled({"error": {"code": "scope_not_authorized"}}) is None


def test_extra_fields_ignored_missing_optional_metric_is_none(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    page = next(r for r in responses if r.endpoint == "v2/video/list" and r.ok)
    page.payload["data"]["videos"][0]["brand_new_field"] = {"nested": [1, 2]}
    page.payload["data"]["videos"][0].pop("share_count")
    page.payload["data"]["new_top_level"] = True
    parsed = tiktok.Client.parse(responses)
    assert parsed.posts[0]["shares_count"] is None
    assert parsed.posts[0]["views_count"] is not None


def test_expired_token_names_account_and_what_to_do():
    token = demo_token("tiktok", HANDLE) + "-expired"
    with pytest.raises(PlatformError) as exc:
        _client().pull(_account(token=token))
    message = str(exc.value)
    assert exc.value.status_code == 401
    assert f"@{HANDLE}" in message
    assert "refresh" in message and "reconnect" in message
    assert token not in message and demo_token("tiktok", HANDLE) not in message


def test_unicode_captions_round_trip():
    def rewrite(payload):
        for video in (payload.get("data") or {}).get("videos") or []:
            video["video_description"] = WEIRD_CAPTION
            video["title"] = WEIRD_CAPTION[::-1]
        return payload

    client, _, _ = _faulty_client([], rewrite=rewrite)
    client.pull(_account(posts=2))
    parsed = tiktok.Client.parse(client.http.responses)
    assert [p["caption"] for p in parsed.posts] == [WEIRD_CAPTION] * 2
    assert parsed.posts[0]["title"] == WEIRD_CAPTION[::-1]


CREDS = {"client_key": "demo-client-key", "client_secret": "demo-client-secret"}


def test_token_refresh_success():
    client = tiktok.Client(HttpClient(_session_with_sim(), sleep=lambda s: None), credentials=CREDS)
    before = datetime.now(timezone.utc)
    grant = client.refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert isinstance(grant, TokenGrant)
    assert grant.access_token == demo_token("tiktok", HANDLE)
    assert grant.refresh_token == "demo-refresh-" + HANDLE
    assert 86000 < (grant.expires_at - before).total_seconds() <= 86401
    assert client.http.responses == []  # the exchange holds secrets: never recorded
    assert "demo-client-secret" not in repr(grant) and grant.access_token not in repr(grant)


def test_token_refresh_failure_and_missing_credentials():
    client = tiktok.Client(HttpClient(_session_with_sim(), sleep=lambda s: None), credentials=CREDS)
    with pytest.raises(PlatformError) as exc:
        client.refresh_access_token(_account(), "rft.stolen-or-revoked")
    assert "invalid_grant" in str(exc.value) and "reconnect" in str(exc.value)
    assert "rft.stolen-or-revoked" not in str(exc.value) and "demo-client-secret" not in str(exc.value)

    bare = tiktok.Client(HttpClient(_session_with_sim(), sleep=lambda s: None))
    with pytest.raises(PlatformError, match="SOCIAL_PIPELINE_TIKTOK_CLIENT_KEY"):
        bare.refresh_access_token(_account(), "demo-refresh-" + HANDLE)


def test_token_refresh_honours_oauth_base_url():
    session = requests.Session()
    mount(session, "https://oauth.example.test", tiktok_sim.Simulator(AS_OF, [HANDLE]))
    client = tiktok.Client(HttpClient(session, sleep=lambda s: None), credentials={**CREDS, "oauth_base_url": "https://oauth.example.test/"})
    assert client.refresh_access_token(_account(), "demo-refresh-" + HANDLE).access_token == demo_token("tiktok", HANDLE)


def _session_with_sim():
    session = requests.Session()
    mount(session, tiktok.Client.default_base_url, tiktok_sim.Simulator(AS_OF, [HANDLE]))
    return session
