"""Bluesky client + parser against the simulator (no network, no database)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.platforms.bluesky import Client
from social_pipeline.simulator import world
from social_pipeline.simulator.bluesky import Simulator
from social_pipeline.simulator.transport import SimResponse, demo_token, mount

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "demo.bsky.social"
PER_FETCH = 23  # the simulator serves 10 feed items per page, reposts included


def _account(handle: str = HANDLE, token: str | None = None, posts: int = PER_FETCH) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="bluesky",
        handle=handle,
        access_token=token,
        posts_per_fetch=posts,
    )


def _client(sim=None) -> Client:
    session = requests.Session()
    mount(session, Client.default_base_url, sim or Simulator(AS_OF, [HANDLE]))
    return Client(HttpClient(session, sleep=lambda s: None))


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())  # no token: the public AppView needs none
    return client, Client.parse(client.http.responses)


def test_account_matches_world(pulled):
    _, parsed = pulled
    acct = world.account("bluesky", HANDLE)
    assert parsed.account["followers_count"] == acct.followers(AS_OF)
    assert parsed.account["following_count"] == acct.following(AS_OF)
    assert parsed.account["external_user_id"].startswith("did:plc:")


def test_posts_paginated_reposts_skipped_and_match_world(pulled):
    client, parsed = pulled
    feed_pages = [r for r in client.http.responses if r.endpoint == "app.bsky.feed.getAuthorFeed"]
    assert len(feed_pages) >= 3
    reposts = sum(1 for r in feed_pages for i in r.payload["feed"] if "reason" in i)
    assert reposts > 0
    assert len(parsed.posts) == PER_FETCH
    sim = Simulator(AS_OF, [HANDLE])
    posts = world.account("bluesky", HANDLE).posts_until(AS_OF)[:PER_FETCH]
    assert [p["external_post_id"] for p in parsed.posts] == [sim.post_uri(p) for p in posts]
    for rec, post in zip(parsed.posts, posts):
        m = post.metrics(AS_OF)
        rkey = rec["external_post_id"].rsplit("/", 1)[1]
        assert len(rkey) == 13
        assert rec["post_url"] == f"https://bsky.app/profile/{HANDLE}/post/{rkey}"
        assert rec["posted_at"] == post.posted_at
        assert rec["likes_count"] == m["likes"]
        assert rec["shares_count"] == m["shares"]  # reposts + quotes
        assert rec["saves_count"] == m["saves"]
        assert rec["comments_count"] == sum(1 for c in post.comments(AS_OF) if c.parent_seq is None)
        assert rec["views_count"] is None and rec["impressions"] is None and rec["reach"] is None
        assert rec["watch_time_seconds"] is None and rec["duration"] is None
        assert rec["media_type"] == post.kind
        assert rec["caption"] == post.caption
    assert parsed.demographics is None


def test_nested_replies_point_to_parents(pulled):
    _, parsed = pulled
    sim = Simulator(AS_OF, [HANDLE])
    posts = world.account("bluesky", HANDLE).posts_until(AS_OF)[:PER_FETCH]
    deep = 0
    for post in posts:
        uri = sim.post_uri(post)
        mine = {c["external_comment_id"]: c for c in parsed.comments if c["external_post_id"] == uri}
        expected = post.comments(AS_OF)
        assert len(mine) == len(expected)
        everything = post._all_comments()
        for comment in expected:
            rec = mine[sim.comment_uri(post, comment)]
            if comment.parent_seq is None:
                assert rec["parent_external_comment_id"] is None
            else:
                assert rec["parent_external_comment_id"] == sim.comment_uri(post, everything[comment.parent_seq])
                deep += everything[comment.parent_seq].parent_seq is not None
            assert rec["commented_at"] == comment.created_at
            assert rec["likes_count"] == comment.likes(AS_OF)
            assert rec["comment_text"] == comment.text
    assert deep > 0, "expected replies to replies"


def test_token_not_needed_and_not_sent():
    client = _client()
    client.pull(_account(token=demo_token("bluesky", HANDLE), posts=3))
    assert len(Client.parse(client.http.responses).posts) == 3


def test_unknown_actor_is_platform_error_naming_handle():
    client = _client()
    with pytest.raises(PlatformError) as info:
        client.pull(_account(handle="not_a_handle"))
    assert "not_a_handle" in str(info.value) and info.value.status_code == 400
    assert "Profile not found" in str(info.value)


def test_5xx_then_success_is_retried():
    inner = Simulator(AS_OF, [HANDLE])

    class Flaky(Simulator):
        failed = False

        def handle(self, request):
            if not Flaky.failed:
                Flaky.failed = True
                return SimResponse(502, {"error": "UpstreamFailure", "message": "Upstream Failure"})
            return inner.handle(request)

    client = _client(Flaky(AS_OF, [HANDLE]))
    client.pull(_account(posts=2))
    assert [r.status_code for r in client.http.responses[:2]] == [502, 200]
    assert Client.parse(client.http.responses).account["followers_count"] > 0


def _mutated(pulled, endpoint, mutate):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    mutate(next(r for r in responses if r.endpoint == endpoint).payload)
    return responses


def _first_own(payload):
    return next(i for i in payload["feed"] if "reason" not in i)["post"]


def test_malformed_payloads_raise_parse_error(pulled):
    cases = [
        ("app.bsky.actor.getProfile", lambda p: p.pop("did")),
        ("app.bsky.actor.getProfile", lambda p: p.update(followersCount=-1)),
        ("app.bsky.feed.getAuthorFeed", lambda p: p.update(feed={"nope": 1})),
        ("app.bsky.feed.getAuthorFeed", lambda p: _first_own(p).pop("record")),
        ("app.bsky.feed.getAuthorFeed", lambda p: _first_own(p).update(likeCount="12x")),
        ("app.bsky.feed.getAuthorFeed", lambda p: _first_own(p).update(uri="https://example.com/x")),
        ("app.bsky.feed.getPostThread", lambda p: p.pop("thread")),
        ("app.bsky.feed.getPostThread", lambda p: p["thread"].update(replies="x")),
    ]
    for endpoint, mutate in cases:
        with pytest.raises(ParseError):
            Client.parse(_mutated(pulled, endpoint, mutate))


def test_missing_bookmark_count_is_none(pulled):
    parsed = Client.parse(_mutated(pulled, "app.bsky.feed.getAuthorFeed", lambda p: _first_own(p).pop("bookmarkCount")))
    assert parsed.posts[0]["saves_count"] is None
