"""Threads client + parser against the simulated Threads API (no network, no database)."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest
import requests

from social_pipeline.platforms.threads import client as threads
from social_pipeline.platforms.meta_graph import TokenExpired
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.simulator import threads as threads_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "maya_makes"
POSTS = 30  # > one page of 25
BASE = threads.Client.default_base_url
API = "^" + re.escape(BASE + "/")  # the data API, not the OAuth endpoints


def _account(token: str | None = "default", posts: int = POSTS) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="threads",
        handle=HANDLE,
        access_token=demo_token("threads", HANDLE) if token == "default" else token,
        posts_per_fetch=posts,
    )


def _client(sim=None) -> threads.Client:
    session = requests.Session()
    mount(session, BASE, sim or threads_sim.Simulator(AS_OF, [HANDLE]))
    return threads.Client(HttpClient(session, sleep=lambda s: None))


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())
    return client, threads.Client.parse(client.http.responses)


@pytest.fixture(scope="module")
def sim():
    return threads_sim.Simulator(AS_OF, [HANDLE])


def test_account_matches_world(pulled, sim):
    client, parsed = pulled
    acct = world.account("threads", HANDLE)
    assert parsed.account["external_user_id"] == sim.account_id(acct)
    assert parsed.account["followers_count"] == acct.followers(AS_OF)
    assert parsed.account["display_name"] == acct.display_name

    call = next(r for r in client.http.responses if r.endpoint == "threads-user/threads_insights")
    assert call.request_params["since"] == 1712991600
    until = min(datetime.fromtimestamp(call.request_params["until"], tz=timezone.utc), AS_OF)
    since = datetime.fromtimestamp(1712991600, tz=timezone.utc)
    totals = sim.account_totals(acct, since, until)
    assert parsed.account["total_likes"] == totals["likes"] > 0
    assert parsed.account["total_comments"] == totals["replies"]
    assert parsed.account["retweets_count"] == totals["reposts"]
    assert parsed.account["total_shares"] == totals["reposts"] + totals["quotes"]
    for key in ("total_views", "following_count", "posts_count", "watch_time_minutes"):
        assert parsed.account[key] is None


def test_posts_paginate_and_match_world(pulled, sim):
    client, parsed = pulled
    pages = [r for r in client.http.responses if r.endpoint == "threads-user/threads"]
    assert [r.request_params["limit"] for r in pages] == [25, 5]
    assert len(parsed.posts) == POSTS

    expected = world.account("threads", HANDLE).posts_until(AS_OF)[:POSTS]
    assert [p["external_post_id"] for p in parsed.posts] == [sim.post_id(p) for p in expected]
    by_id = {p["external_post_id"]: p for p in parsed.posts}
    for post in expected:
        rec, m = by_id[sim.post_id(post)], post.metrics(AS_OF)
        assert rec["posted_at"] == post.posted_at
        assert rec["views_count"] == m["views"]
        assert rec["likes_count"] == m["likes"]
        assert rec["comments_count"] == m["comments"]
        assert rec["shares_count"] == m["shares"]  # reposts + quotes + shares
        assert rec["media_type"] == post.kind
        assert rec["caption"] == post.caption
        assert rec["post_url"].startswith(f"https://www.threads.net/@{HANDLE}/post/")
        for key in ("saves_count", "watch_time_seconds", "completion_rate", "impressions", "reach", "duration"):
            assert rec[key] is None
    text = next(p for p in expected if p.kind == "text")
    assert by_id[sim.post_id(text)]["media_url"] is None


def test_replies_keep_their_depth(pulled, sim):
    client, parsed = pulled
    expected = world.account("threads", HANDLE).posts_until(AS_OF)[:POSTS]
    assert any(r.page_index > 0 for r in client.http.responses if r.endpoint == "threads-media/conversation")
    assert len(parsed.comments) == sum(len(p.comments(AS_OF)) for p in expected)

    post = max(expected, key=lambda p: len(p.comments(AS_OF)))
    world_comments = post.comments(AS_OF)
    by_seq = {c.seq: c for c in world_comments}
    ours = {c["external_comment_id"]: c for c in parsed.comments if c["external_post_id"] == sim.post_id(post)}
    assert len(ours) == len(world_comments)
    depth_two = 0
    for wc in world_comments:
        rec = ours[sim.reply_id(wc)]
        if wc.parent_seq is None:
            assert rec["parent_external_comment_id"] is None
        else:
            assert rec["parent_external_comment_id"] == sim.reply_id(by_seq[wc.parent_seq])
            depth_two += by_seq[wc.parent_seq].parent_seq is not None
        assert rec["commented_at"] == wc.created_at
        assert rec["author_username"] == wc.author
        assert rec["likes_count"] is None
    assert depth_two > 0  # replies to replies point at the reply, not the top-level one


def test_demographics_are_percent(pulled):
    _, parsed = pulled
    demo = parsed.demographics
    want = world.account("threads", HANDLE).demographics(AS_OF)
    for key in ("age_13_17", "age_18_24", "age_25_34", "age_35_44", "age_45_plus", "gender_male", "gender_female"):
        assert demo[key] == pytest.approx(want[key], abs=0.05)
    assert demo["top_countries"] == pytest.approx(want["top_countries"], abs=0.05)
    assert demo["top_cities"] == pytest.approx(want["top_cities"], abs=0.05)
    assert demo["peak_hours"] is None and demo["top_languages"] is None


def test_missing_token_names_handle():
    with pytest.raises(PlatformError) as exc:
        _client().pull(_account(token=None))
    assert HANDLE in str(exc.value)


def test_bad_token_is_a_platform_error_without_the_token():
    with pytest.raises(PlatformError) as exc:
        _client().pull(_account(token="THAA-bogus-777"))
    assert "THAA-bogus-777" not in str(exc.value)
    assert "190" in str(exc.value)


def test_5xx_is_retried(scripted_transport):
    scripted_transport.serve(BASE, threads_sim.Simulator(AS_OF, [HANDLE]))
    # two failures, the third attempt succeeds
    scripted_transport.script(API, (502, {}, "<html>Bad Gateway</html>"), (502, {}, "<html>Bad Gateway</html>"))
    client = threads.Client(HttpClient(scripted_transport.install(requests.Session()), sleep=lambda s: None))
    client.pull(_account(posts=3))
    me = [r for r in client.http.responses if r.endpoint == "threads-user"]
    assert [r.status_code for r in me] == [502, 502, 200]
    parsed = threads.Client.parse(client.http.responses)
    assert parsed.account["followers_count"] == world.account("threads", HANDLE).followers(AS_OF)
    assert len(parsed.posts) == 3


def _mutate(pulled, endpoint, fn):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    target = next(r for r in responses if r.endpoint == endpoint and r.ok)
    fn(target.payload)
    return responses


@pytest.mark.parametrize(
    "endpoint, mutation",
    [
        ("threads-user", lambda p: p.pop("id")),
        ("threads-user/threads", lambda p: p["data"][0].pop("timestamp")),
        ("threads-user/threads", lambda p: p["data"][0].update(media_type="HOLOGRAM")),
        ("threads-user/threads", lambda p: p["data"][0].update(text=["not", "text"])),
        ("threads-user/threads", lambda p: p.pop("data")),
        ("threads-media/insights", lambda p: p["data"][1].update(values=[{"value": -2}])),
        ("threads-media/insights", lambda p: p["data"][0].update(values="100")),
        ("threads-user/threads_insights", lambda p: p["data"][0].update(total_value={"value": "many"})),
        ("threads-media/conversation", lambda p: p["data"][0].pop("root_post")),
        ("threads-media/conversation", lambda p: p["data"][0].update(replied_to="123")),
    ],
)
def test_malformed_payload_is_a_parse_error(pulled, endpoint, mutation):
    responses = _mutate(pulled, endpoint, mutation)
    with pytest.raises(ParseError):
        threads.Client.parse(responses)


# -- refresh by id, transient failures, tokens, refused metrics ----------------------------------
WEIRD_CAPTION = "Cafe\u0301 ☕ 👩🏽‍💻🇯🇵 — مرحبا بالعالم שלום #日本 e\u0308\u0301"


FAULTS = {  # scripted failures of the first requests, then the simulator answers
    "429": (429, {"Retry-After": "2"},
            '{"error": {"message": "(#4) Application request limit reached", "type": "THApiException", "code": 4}}'),
    "500": (500, {}, '{"error": {"message": "An unknown error has occurred.", "type": "THApiException", "code": 1}}'),
    "truncated": (200, {}, '{"id": "1784'),
}


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


def _faulty(faults=(), sim=None, rewrite=None):
    """``faults`` ("429" with Retry-After: 2, "500", "timeout", "truncated") answer the first data
    API requests; ``rewrite`` may edit the simulator's JSON answers (body in, body out)."""
    sim = sim or threads_sim.Simulator(AS_OF, [HANDLE])
    transport = ScriptedTransport().serve(BASE, sim).serve(threads.Client.default_oauth_base_url, sim)
    for i, fault in enumerate(faults):
        if fault == "timeout":
            _time_out(transport, API, after=i)
        else:
            transport.script(API, FAULTS[fault], after=i)
    if rewrite is not None:
        transport.rewrite(API, rewrite)
    slept: list[float] = []
    return threads.Client(HttpClient(transport.install(requests.Session()), sleep=slept.append)), slept


def test_refresh_by_id_returns_old_posts_with_current_metrics_once(sim):
    everything = world.account("threads", HANDLE).posts_until(AS_OF)
    old = everything[20:23]
    ids = (sim.post_id(everything[1]), *(sim.post_id(p) for p in old), "18000000000000000")  # listed, old, deleted
    client, _ = _faulty()
    client.pull(replace(_account(posts=3), refresh_post_ids=ids))
    nodes = [r for r in client.http.responses if r.endpoint == "threads-media"]
    assert [r.status_code for r in nodes] == [200, 200, 200, 400]
    parsed = threads.Client.parse(client.http.responses)
    got = [p["external_post_id"] for p in parsed.posts]
    assert len(got) == len(set(got)) == 6
    by_id = {p["external_post_id"]: p for p in parsed.posts}
    for post in old:
        rec, m = by_id[sim.post_id(post)], post.metrics(AS_OF)
        assert (rec["views_count"], rec["likes_count"], rec["comments_count"], rec["shares_count"]) == (
            m["views"], m["likes"], m["comments"], m["shares"]
        )
        assert rec["posted_at"] == post.posted_at


def test_429_with_retry_after_then_success():
    client, slept = _faulty(["429"])
    client.pull(_account(posts=2))
    me = [r for r in client.http.responses if r.endpoint == "threads-user"]
    assert [(r.attempt, r.status_code) for r in me] == [(1, 429), (2, 200)]
    assert slept[0] >= 2
    assert len(threads.Client.parse(client.http.responses).posts) == 2


@pytest.mark.parametrize("fault", ["500", "timeout", "truncated"])
def test_transient_failure_then_success(fault):
    client, slept = _faulty([fault])
    client.pull(_account(posts=2))
    me = [r for r in client.http.responses if r.endpoint == "threads-user"]
    assert [r.attempt for r in me] == [1, 2] and not me[0].ok and me[1].ok
    assert len(slept) == 1
    assert threads.Client.parse(client.http.responses).account["followers_count"] is not None


def test_expired_token_names_account_and_what_to_do():
    token = demo_token("threads", HANDLE) + "-expired"
    with pytest.raises(TokenExpired) as exc:
        _client().pull(_account(token=token))
    message = str(exc.value)
    assert f"@{HANDLE}" in message and "190" in message and "463" in message
    assert "refresh" in message and "reconnect" in message
    assert demo_token("threads", HANDLE) not in message


def test_refused_metric_degrades_to_none():
    refusing = threads_sim.Simulator(AS_OF, [HANDLE], refused_metrics={"quotes"})
    client, _ = _faulty(sim=refusing)
    client.pull(_account(posts=4))
    failed = [r for r in client.http.responses if not r.ok]
    assert sorted(r.endpoint for r in failed) == [
        "threads-media/insights", "threads-user/threads_insights", "threads-user/threads_insights/day"]
    parsed = threads.Client.parse(client.http.responses)
    assert parsed.account["total_shares"] is None  # reposts + quotes, quotes unknown
    assert parsed.account["retweets_count"] is not None and parsed.account["total_likes"] is not None
    expected = world.account("threads", HANDLE).posts_until(AS_OF)[:4]
    for rec, post in zip(parsed.posts, expected):
        split = threads_sim.split_shares(post.metrics(AS_OF)["shares"])
        assert rec["likes_count"] == post.metrics(AS_OF)["likes"]
        assert rec["shares_count"] == split["reposts"] + split["shares"]  # the known parts


def test_extra_fields_ignored_missing_optional_metric_is_none(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    page = next(r for r in responses if r.endpoint == "threads-user/threads" and r.ok)
    page.payload["data"][0]["topic_tag"] = "brand-new-field"
    media_id = page.payload["data"][0]["id"]
    for r in responses:
        if r.endpoint == "threads-media/insights" and r.ok:
            r.payload["data"] = [e for e in r.payload["data"] if not (e["id"].startswith(media_id) and e["name"] == "views")]
    parsed = threads.Client.parse(responses)
    assert parsed.posts[0]["views_count"] is None and parsed.posts[0]["likes_count"] is not None


def test_unicode_captions_round_trip():
    def rewrite(payload):
        for item in payload.get("data") or []:
            if isinstance(item, dict) and "text" in item:
                item["text"] = WEIRD_CAPTION if item.get("root_post") is None else WEIRD_CAPTION[::-1]
        return payload

    client, _ = _faulty(rewrite=rewrite)
    client.pull(_account(posts=3))
    parsed = threads.Client.parse(client.http.responses)
    assert [p["caption"] for p in parsed.posts] == [WEIRD_CAPTION] * 3
    assert parsed.comments and all(c["comment_text"] == WEIRD_CAPTION[::-1] for c in parsed.comments)


def test_token_refresh_success_and_failure():
    client, _ = _faulty()
    grant = client.refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert grant.access_token == demo_token("threads", HANDLE) and grant.refresh_token == grant.access_token
    assert grant.expires_at > datetime.now(timezone.utc)
    assert client.http.responses == []
    for bad in (demo_token("threads", HANDLE) + "-expired", "THQVJ-revoked"):
        with pytest.raises(PlatformError) as exc:
            client.refresh_access_token(_account(), bad)
        assert "190" in str(exc.value) and "reconnect" in str(exc.value) and bad not in str(exc.value)
