"""Threads client + parser against the simulated Threads API (no network, no database)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
import requests
from requests.adapters import BaseAdapter

from social_pipeline.platforms import threads
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.simulator import threads as threads_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimulatorAdapter, demo_token, mount

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "maya_makes"
POSTS = 30  # > one page of 25
BASE = threads.Client.default_base_url


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


def test_token_never_recorded(pulled):
    client, _ = pulled
    token = demo_token("threads", HANDLE)
    for r in client.http.responses:
        assert token not in repr(r.request_params)
        assert token not in repr(r.payload)


def test_missing_token_names_handle():
    with pytest.raises(PlatformError) as exc:
        _client().pull(_account(token=None))
    assert HANDLE in str(exc.value)


def test_bad_token_is_a_platform_error_without_the_token():
    with pytest.raises(PlatformError) as exc:
        _client().pull(_account(token="THAA-bogus-777"))
    assert "THAA-bogus-777" not in str(exc.value)
    assert "190" in str(exc.value)


class _Flaky(BaseAdapter):
    def __init__(self, inner: SimulatorAdapter):
        super().__init__()
        self.inner = inner
        self.calls = 0

    def send(self, request, **kwargs):
        self.calls += 1
        if self.calls <= 2:  # two failures, the third attempt succeeds
            resp = requests.Response()
            resp.status_code = 502
            resp._content = b"<html>Bad Gateway</html>"
            resp.request = request
            return resp
        return self.inner.send(request, **kwargs)

    def close(self):
        pass


def test_5xx_is_retried():
    session = requests.Session()
    session.mount(BASE + "/", _Flaky(SimulatorAdapter(BASE, threads_sim.Simulator(AS_OF, [HANDLE]))))
    client = threads.Client(HttpClient(session, sleep=lambda s: None))
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
