"""X (Twitter) client + parser against the simulator (no network, no database)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.platforms.twitter import Client
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimResponse, demo_token, mount
from social_pipeline.simulator.twitter import Simulator

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "sam_writes"
PER_FETCH = 14  # the simulator serves 10 tweets per page, so the timeline takes two pages


def _account(token: str | None = "demo", posts: int = PER_FETCH) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="twitter",
        handle=HANDLE,
        access_token=demo_token("twitter", HANDLE) if token == "demo" else token,
        posts_per_fetch=posts,
    )


def _client(sim=None, credentials=None) -> Client:
    session = requests.Session()
    mount(session, Client.default_base_url, sim or Simulator(AS_OF, [HANDLE]))
    return Client(HttpClient(session, sleep=lambda s: None), credentials=credentials)


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())
    return client, Client.parse(client.http.responses)


def test_account_matches_world(pulled):
    _, parsed = pulled
    acct = world.account("twitter", HANDLE)
    assert parsed.account["followers_count"] == acct.followers(AS_OF)
    assert parsed.account["following_count"] == acct.following(AS_OF)
    assert parsed.account["external_user_id"] == Simulator(AS_OF).account_id(acct)
    assert parsed.account["total_likes"] is None and parsed.account["retweets_count"] is None


def test_posts_paginated_and_match_world(pulled):
    client, parsed = pulled
    assert len([r for r in client.http.responses if r.endpoint == "users.tweets"]) == 2
    assert len(parsed.posts) == PER_FETCH
    sim = Simulator(AS_OF, [HANDLE])
    posts = world.account("twitter", HANDLE).posts_until(AS_OF)[:PER_FETCH]
    assert [p["external_post_id"] for p in parsed.posts] == [sim.post_id(p) for p in posts]
    kinds = set()
    for rec, post in zip(parsed.posts, posts):
        m = post.metrics(AS_OF)
        assert rec["posted_at"] == post.posted_at
        assert rec["likes_count"] == m["likes"]
        assert rec["comments_count"] == m["comments"]
        assert rec["shares_count"] == m["shares"]  # retweets + quotes
        assert rec["saves_count"] == m["saves"]
        assert rec["impressions"] == m["impressions"]
        assert rec["post_url"] == f"https://x.com/{HANDLE}/status/{rec['external_post_id']}"
        assert rec["reach"] is None and rec["watch_time_seconds"] is None and rec["completion_rate"] is None
        assert rec["media_type"] == post.kind
        kinds.add(post.kind)
        if post.kind == "video":
            assert rec["views_count"] == m["views"]
            assert rec["duration"] == post.duration  # duration_ms -> s
        else:
            assert rec["views_count"] is None and rec["duration"] is None
    assert {"video", "image"} <= kinds


def test_replies_within_search_window(pulled):
    client, parsed = pulled
    sim = Simulator(AS_OF, [HANDLE])
    posts = world.account("twitter", HANDLE).posts_until(AS_OF)[:PER_FETCH]
    window = AS_OF - timedelta(days=7)
    for post in posts:
        pid = sim.post_id(post)
        expected = [c for c in post.comments(AS_OF) if c.created_at >= window]
        mine = [c for c in parsed.comments if c["external_post_id"] == pid]
        assert len(mine) == len(expected)
    assert len([r for r in client.http.responses if r.endpoint == "tweets.search.recent"]) > len(
        {c["external_post_id"] for c in parsed.comments}
    ), "expected paginated search"
    by_id = {c["external_comment_id"]: c for c in parsed.comments}
    nested = [c for c in parsed.comments if c["parent_external_comment_id"]]
    assert nested
    deep = 0
    for c in nested:
        parent = by_id.get(c["parent_external_comment_id"])
        if parent is not None:
            assert parent["external_post_id"] == c["external_post_id"]
            deep += parent["parent_external_comment_id"] is not None
    assert deep > 0, "expected replies to replies"
    # a reply whose parent is the post itself is top-level
    post = posts[0]
    top = next(c for c in post.comments(AS_OF) if c.parent_seq is None and c.created_at >= window)
    rec = by_id[sim.comment_id(top)]
    assert rec["parent_external_comment_id"] is None
    assert rec["author_username"] == top.author and rec["comment_text"] == top.text
    assert rec["likes_count"] == top.likes(AS_OF) and rec["commented_at"] == top.created_at


def test_app_bearer_credential_works():
    client = _client(credentials={"bearer_token": "demo-token-twitter-app"})
    client.pull(_account(token=None, posts=5))
    assert len(Client.parse(client.http.responses).posts) == 5


def test_missing_token_names_handle():
    client = _client()
    with pytest.raises(PlatformError) as info:
        client.pull(_account(token=None))
    assert HANDLE in str(info.value) and "bearer_token" in str(info.value)


def test_bad_token_is_fatal_and_not_leaked():
    client = _client()
    with pytest.raises(PlatformError) as info:
        client.pull(_account(token="sekret-xyz"))
    assert info.value.status_code == 401 and "sekret-xyz" not in str(info.value)
    assert len(client.http.responses) == 1  # 401 is not retried


def test_5xx_and_429_are_retried():
    inner = Simulator(AS_OF, [HANDLE])
    answers = iter([SimResponse(503, {"title": "Service Unavailable", "status": 503, "detail": "x", "type": "about:blank"}),
                    SimResponse(429, {"title": "Too Many Requests", "status": 429, "detail": "Too Many Requests", "type": "about:blank"},
                                {"x-rate-limit-reset": "1800000000"})])

    class Flaky(Simulator):
        def handle(self, request):
            return next(answers, None) or inner.handle(request)

    client = _client(Flaky(AS_OF, [HANDLE]))
    client.pull(_account(posts=5))
    statuses = [r.status_code for r in client.http.responses[:3]]
    assert statuses == [503, 429, 200]
    assert Client.parse(client.http.responses).account["followers_count"] > 0


def _mutated(pulled, endpoint, mutate):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    mutate(next(r for r in responses if r.endpoint == endpoint).payload)
    return responses


def test_malformed_payloads_raise_parse_error(pulled):
    cases = [
        ("users.by.username", lambda p: p.pop("data")),
        ("users.by.username", lambda p: p["data"]["public_metrics"].update(followers_count=-3)),
        ("tweets.lookup", lambda p: p["data"][0].pop("public_metrics")),
        ("tweets.lookup", lambda p: p["data"][0]["public_metrics"].update(like_count="many")),
        ("tweets.lookup", lambda p: p["data"][0].pop("created_at")),
        ("tweets.lookup", lambda p: p.update(data={"id": "1"})),
        ("tweets.search.recent", lambda p: p["data"][0].pop("conversation_id")),
    ]
    for endpoint, mutate in cases:
        with pytest.raises(ParseError):
            Client.parse(_mutated(pulled, endpoint, mutate))


def test_absent_metric_is_none_not_zero(pulled):
    parsed = Client.parse(_mutated(pulled, "tweets.lookup", lambda p: p["data"][0]["public_metrics"].pop("impression_count")))
    assert parsed.posts[0]["impressions"] is None
