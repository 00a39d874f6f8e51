"""Bluesky client + parser against the simulator (no network, no database)."""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime, timezone

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.platforms.bluesky.client import Client
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


def _refresh_account(uris, posts: int = 2) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="bluesky",
        handle=HANDLE,
        posts_per_fetch=posts,
        refresh_post_ids=tuple(uris),
    )


def _client_with(sim=None, **http_kwargs) -> Client:
    session = requests.Session()
    mount(session, Client.default_base_url, sim or Simulator(AS_OF, [HANDLE]))
    http_kwargs.setdefault("sleep", lambda s: None)
    return Client(HttpClient(session, **http_kwargs))


# -- refresh by id ----------------------------------------------------------------------------
def test_refresh_by_id_batches_get_posts_and_returns_current_metrics_once():
    sim = Simulator(AS_OF, [HANDLE])
    posts = world.account("bluesky", HANDLE).posts_until(AS_OF)
    old = [sim.post_uri(p) for p in posts[3:33]]  # 30 posts: two getPosts calls (25 + 5)
    foreign = sim.post_uri(world.account("bluesky", "friend1.bsky.social").post(3))
    unknown = f"at://{sim.account_id(posts[0].account)}/app.bsky.feed.post/3zzzzzzzzzzzz"
    client = _client_with(sim)
    client.pull(_refresh_account([sim.post_uri(posts[0]), *old, old[0], foreign, unknown]))
    calls = [r for r in client.http.responses if r.endpoint == "app.bsky.feed.getPosts"]
    assert [len(r.request_params["uris"]) for r in calls] == [25, 7]  # 30 old + foreign + unknown
    parsed = Client.parse(client.http.responses)
    ids = [p["external_post_id"] for p in parsed.posts]
    assert len(ids) == len(set(ids)) == 32
    assert ids == [sim.post_uri(p) for p in posts[:33] if sim.post_uri(p) != sim.post_uri(posts[2])]
    for rec, post in zip(parsed.posts[2:], posts[3:33]):
        m = post.metrics(AS_OF)
        assert rec["likes_count"] == m["likes"] and rec["shares_count"] == m["shares"]
        assert rec["posted_at"] == post.posted_at and rec["caption"] == post.caption
    # threads of refreshed posts with replies are re-read
    with_replies = [p for p in posts[3:33] if any(c.parent_seq is None for c in p.comments(AS_OF))]
    assert with_replies
    commented = {c["external_post_id"] for c in parsed.comments}
    assert {sim.post_uri(p) for p in with_replies} <= commented
    assert Client.update_window_days == 30


def test_parse_keeps_the_newest_fetch_of_a_duplicated_post(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    first = _first_own(next(r for r in responses if r.endpoint == "app.bsky.feed.getAuthorFeed").payload)
    again = copy.deepcopy(first)
    again["likeCount"] = 987654
    responses.append(
        dataclasses.replace(
            responses[-1], endpoint="app.bsky.feed.getPosts", payload={"posts": [again]}, page_index=0, attempt=1, status_code=200, error=None
        )
    )
    parsed = Client.parse(responses)
    ids = [p["external_post_id"] for p in parsed.posts]
    assert len(ids) == len(set(ids)) == PER_FETCH
    assert parsed.posts[0]["external_post_id"] == first["uri"] and parsed.posts[0]["likes_count"] == 987654


# -- transient failures and rate limits -------------------------------------------------------
class Scripted(Simulator):
    def __init__(self, faults, **kwargs):
        super().__init__(AS_OF, [HANDLE], **kwargs)
        self.faults = list(faults)

    def handle(self, request):
        if self.faults:
            fault = self.faults.pop(0)
            if fault == "timeout":
                raise requests.Timeout("read timed out")
            return fault
        return super().handle(request)


@pytest.mark.parametrize(
    "fault, status",
    [
        (SimResponse(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, {"Retry-After": "2"}), 429),
        (SimResponse(500, {"error": "InternalServerError", "message": "Internal Server Error"}), 500),
        ("timeout", None),
        (SimResponse(200, '{"did": "did:plc:abc", "handle": "dem'), 200),
    ],
    ids=["429-retry-after", "500", "timeout", "truncated-json"],
)
def test_transient_failure_then_success(fault, status):
    slept: list[float] = []
    client = _client_with(Scripted([fault]), sleep=slept.append)
    client.pull(_account(posts=3))
    first, second = client.http.responses[:2]
    assert first.endpoint == second.endpoint == "app.bsky.actor.getProfile"
    assert (first.attempt, second.attempt) == (1, 2) and first.status_code == status and not first.ok and second.ok
    assert len(slept) == 1 and (status != 429 or slept[0] >= 2)
    assert Client.parse(client.http.responses).account["followers_count"] > 0


def test_ratelimit_headers_on_every_answer_and_429_when_spent():
    now = [1_800_000_000.0]
    slept: list[float] = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += 301  # into the next window

    sim = Simulator(AS_OF, [HANDLE], rate_limit=3, clock=lambda: now[0])
    client = _client_with(sim, sleep=sleep, clock=lambda: now[0])
    client.pull(_account(posts=12))
    for r in client.http.responses:
        assert r.usage["ratelimit-limit"] == "3" and int(r.usage["ratelimit-reset"]) >= 1_800_000_300
    limited = [r for r in client.http.responses if r.status_code == 429]
    assert limited and all(r.usage["ratelimit-remaining"] == "0" and r.payload["error"] == "RateLimitExceeded" for r in limited)
    assert len(slept) == len(limited)
    assert [r.usage["ratelimit-remaining"] for r in client.http.responses[:3]] == ["2", "1", "0"]
    assert len(Client.parse(client.http.responses).posts) == 12


# -- payload shapes ---------------------------------------------------------------------------
def test_extra_fields_are_ignored_and_missing_ones_handled(pulled):
    client, parsed = pulled
    responses = copy.deepcopy(client.http.responses)
    for r in responses:
        if r.endpoint == "app.bsky.feed.getAuthorFeed":
            r.payload["brandNew"] = True
            for item in r.payload["feed"]:
                item["post"]["viewer"] = {"bookmarked": False, "threadMuted": False}
                item["post"]["record"]["$unknownField"] = 1
    assert Client.parse(responses).posts == parsed.posts
    with pytest.raises(ParseError):
        Client.parse(_mutated(pulled, "app.bsky.feed.getAuthorFeed", lambda p: _first_own(p).pop("uri")))
    without = Client.parse(_mutated(pulled, "app.bsky.feed.getAuthorFeed", lambda p: _first_own(p).pop("quoteCount")))
    assert without.posts[0]["shares_count"] == parsed.posts[0]["shares_count"] - _first_own(
        next(r for r in client.http.responses if r.endpoint == "app.bsky.feed.getAuthorFeed").payload
    )["quoteCount"]
    no_likes = Client.parse(_mutated(pulled, "app.bsky.feed.getAuthorFeed", lambda p: _first_own(p).pop("likeCount")))
    assert no_likes.posts[0]["likes_count"] is None


def test_unicode_text_round_trips_unchanged():
    text = "Cafe\u0301 ☕️ 👩🏽‍💻 🇯🇵 — مرحبا بالعالم · שלום עולם · e\u0301\u0323 \u202bRTL\u202c"

    class Fancy(Simulator):
        def handle(self, request):
            answer = super().handle(request)
            if answer.status == 200 and request.path == "/app.bsky.feed.getAuthorFeed":
                _first_own(answer.body)["record"]["text"] = text
            if answer.status == 200 and request.path == "/app.bsky.feed.getPostThread" and answer.body["thread"].get("replies"):
                answer.body["thread"]["replies"][0]["post"]["record"]["text"] = text
            return answer

    client = _client_with(Fancy(AS_OF, [HANDLE]))
    client.pull(_account(posts=6))
    parsed = Client.parse(copy.deepcopy(client.http.responses))
    assert parsed.posts[0]["caption"] == text
    assert text in {c["comment_text"] for c in parsed.comments}


def test_no_token_refresh_on_bluesky():
    with pytest.raises(PlatformError):
        _client().refresh_access_token(_account(), "anything")
