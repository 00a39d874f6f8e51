"""Facebook Pages client + parser against the simulated Graph API (no network, no database)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
import requests
from requests.adapters import BaseAdapter

from social_pipeline.platforms import facebook
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.simulator import facebook as fb_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimulatorAdapter, demo_token, mount

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "corner.bakery"
POSTS = 23  # the fake serves 10 posts a page: 3 pages


def _account(token: str | None = "default", posts: int = POSTS, external_id: str | None = None) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="facebook",
        handle=HANDLE,
        access_token=demo_token("facebook", HANDLE) if token == "default" else token,
        posts_per_fetch=posts,
        external_id=external_id,
    )


def _client(sim: fb_sim.Simulator | None = None) -> facebook.Client:
    session = requests.Session()
    mount(session, facebook.Client.default_base_url, sim or fb_sim.Simulator(AS_OF, [HANDLE]))
    return facebook.Client(HttpClient(session, sleep=lambda s: None))


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())
    return client, facebook.Client.parse(client.http.responses)


def _world_posts():
    return world.account("facebook", HANDLE).posts_until(AS_OF)


def test_page_matches_world(pulled):
    client, parsed = pulled
    acct = world.account("facebook", HANDLE)
    sim = fb_sim.Simulator(AS_OF, [HANDLE])
    assert parsed.account["external_user_id"] == sim.account_id(acct)
    assert parsed.account["followers_count"] == acct.followers(AS_OF)
    assert parsed.account["display_name"] == acct.display_name
    assert parsed.account["posts_count"] is None and parsed.account["total_views"] is None
    # No external_id: the Page id came from /me with the Page token.
    assert [r.endpoint for r in client.http.responses][:2] == ["me", "page"]


def test_token_is_never_recorded(pulled):
    client, _ = pulled
    token = demo_token("facebook", HANDLE)
    for r in client.http.responses:
        assert token not in repr(r.request_params)


def test_posts_paginate_and_match_world(pulled):
    client, parsed = pulled
    pages = [r for r in client.http.responses if r.endpoint == "page/posts"]
    assert len(pages) == 3
    assert "after" in pages[1].request_params and "after" not in pages[0].request_params
    assert len(parsed.posts) == POSTS
    expected = _world_posts()[:POSTS]
    sim = fb_sim.Simulator(AS_OF, [HANDLE])
    assert [p["external_post_id"] for p in parsed.posts] == [sim.post_id(p) for p in expected]
    for got, want in zip(parsed.posts, expected):
        m = want.metrics(AS_OF)
        assert got["posted_at"] == want.posted_at
        assert got["posted_at"].tzinfo is not None
        assert got["likes_count"] == m["likes"]
        assert got["comments_count"] == m["comments"]
        assert got["shares_count"] == m["shares"]
        assert got["impressions"] == m["impressions"]
        assert got["reach"] == m["reach"]
        assert got["caption"] == (want.caption or None)
        assert got["media_type"] == want.kind
        assert got["saves_count"] is None and got["completion_rate"] is None and got["duration"] is None
        assert got["post_url"].startswith("https://www.facebook.com/")
        if want.kind == "video":
            assert got["views_count"] == m["views"]
            assert got["watch_time_seconds"] == m["watch_time_seconds"]  # ms -> s
        else:
            assert got["views_count"] is None and got["watch_time_seconds"] is None


def test_comments_and_replies(pulled):
    _, parsed = pulled
    sim = fb_sim.Simulator(AS_OF, [HANDLE])
    expected_posts = _world_posts()[:POSTS]
    want_total = sum(len(p.comments(AS_OF)) for p in expected_posts)
    assert len(parsed.comments) == want_total > 0
    ids = {c["external_comment_id"] for c in parsed.comments}
    replies = [c for c in parsed.comments if c["parent_external_comment_id"]]
    assert replies, "the world has replies"
    assert all(r["parent_external_comment_id"] in ids for r in replies)
    # Check one post's comments against the world, replies to replies included.
    post = next(p for p in expected_posts if any(c.parent_seq is not None for c in p.comments(AS_OF)))
    by_seq = {c.seq: c for c in post.comments(AS_OF)}
    got = {c["external_comment_id"]: c for c in parsed.comments if c["external_post_id"] == sim.post_id(post)}
    for c in post.comments(AS_OF):
        row = got[sim.comment_id(post, c)]
        parent = sim.comment_id(post, by_seq[c.parent_seq]) if c.parent_seq is not None else None
        assert row["parent_external_comment_id"] == parent
        assert row["comment_text"] == c.text
        assert row["likes_count"] == c.likes(AS_OF)
        assert row["commented_at"] == c.created_at
        if c.is_creator:
            assert row["author_external_id"] == sim.account_id(post.account)


def test_demographics_are_percent_shares(pulled):
    _, parsed = pulled
    demo = world.account("facebook", HANDLE).demographics(AS_OF)
    d = parsed.demographics
    assert d is not None
    for code, share in demo["top_countries"].items():
        assert d["top_countries"][code] == pytest.approx(share, abs=0.05)
    assert sum(d["top_countries"].values()) == pytest.approx(100, abs=0.1)
    assert d["age_18_24"] is None and d["gender_male"] is None and d["peak_hours"] is None


def test_external_id_skips_me():
    sim = fb_sim.Simulator(AS_OF, [HANDLE])
    page_id = sim.account_id(world.account("facebook", HANDLE))
    client = _client(sim)
    client.pull(_account(posts=3, external_id=page_id))
    assert "me" not in {r.endpoint for r in client.http.responses}
    assert len(facebook.Client.parse(client.http.responses).posts) == 3


def test_retired_metric_does_not_fail_the_pull():
    sim = fb_sim.Simulator(AS_OF, [HANDLE], deprecated_metrics={"post_impressions", "page_fans_city", "page_fans_country"})
    client = _client(sim)
    client.pull(_account(posts=4))
    parsed = facebook.Client.parse(client.http.responses)
    assert len(parsed.posts) == 4
    want = _world_posts()[:4]
    for got, post in zip(parsed.posts, want):
        assert got["impressions"] is None  # retired: unknown, not 0
        assert got["reach"] == post.metrics(AS_OF)["reach"]  # the other metrics still arrive
    assert parsed.demographics is None


def test_missing_token_names_handle():
    client = _client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token=None))
    assert HANDLE in str(exc.value)
    assert not client.http.responses


def test_bad_token_is_platform_error_without_secret():
    client = _client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token="EAAB-not-a-demo-token"))
    assert "EAAB-not-a-demo-token" not in str(exc.value)
    assert exc.value.status_code == 401


class _FlakyAdapter(BaseAdapter):
    """Answers 500 to the first request, then defers to the simulator."""

    def __init__(self, inner: SimulatorAdapter):
        super().__init__()
        self.inner = inner
        self.calls = 0

    def send(self, request, **kwargs):
        self.calls += 1
        if self.calls == 1:
            resp = requests.Response()
            resp.status_code = 500
            resp._content = b'{"error": {"message": "An unexpected error has occurred.", "code": 2, "type": "OAuthException"}}'
            resp.request = request
            resp.url = request.url
            return resp
        return self.inner.send(request, **kwargs)

    def close(self):
        pass


def test_server_error_is_retried():
    session = requests.Session()
    inner = SimulatorAdapter(facebook.Client.default_base_url, fb_sim.Simulator(AS_OF, [HANDLE]))
    session.mount(facebook.Client.default_base_url + "/", _FlakyAdapter(inner))
    client = facebook.Client(HttpClient(session, sleep=lambda s: None))
    client.pull(_account(posts=2))
    first = client.http.responses[:2]
    assert [r.attempt for r in first] == [1, 2] and first[0].status_code == 500
    assert len(facebook.Client.parse(client.http.responses).posts) == 2


def _mutated(pulled, endpoint, mutate):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    target = next(r for r in responses if r.endpoint == endpoint and r.ok)
    mutate(target.payload)
    return responses


def test_missing_required_key_is_parse_error(pulled):
    responses = _mutated(pulled, "page/posts", lambda p: p["data"][0].pop("id"))
    with pytest.raises(ParseError):
        facebook.Client.parse(responses)


def test_wrong_type_is_parse_error(pulled):
    responses = _mutated(pulled, "page/posts", lambda p: p["data"][0].__setitem__("reactions", "many"))
    with pytest.raises(ParseError):
        facebook.Client.parse(responses)
    responses = _mutated(pulled, "post/comments", lambda p: p.__setitem__("data", {"oops": 1}))
    with pytest.raises(ParseError):
        facebook.Client.parse(responses)


def test_negative_count_is_parse_error(pulled):
    responses = _mutated(pulled, "post/insights", lambda p: p["data"][0]["values"][0].__setitem__("value", -3))
    with pytest.raises(ParseError):
        facebook.Client.parse(responses)
