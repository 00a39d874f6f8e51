"""X (Twitter) client + parser against the simulator (no network, no database)."""

from __future__ import annotations

import copy
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from social_pipeline.platforms.base import REDACTED, AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.platforms.twitter.client import Client, tweet_time
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimResponse, demo_token, mount
from social_pipeline.simulator.twitter import Simulator

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "sam_writes"
PER_FETCH = 24  # the simulator serves 10 tweets per page, so the timeline takes three pages


def _account(token: str | None = "demo", posts: int = PER_FETCH, refresh: tuple[str, ...] = ()) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="twitter",
        handle=HANDLE,
        access_token=demo_token("twitter", HANDLE) if token == "demo" else token,
        posts_per_fetch=posts,
        refresh_post_ids=refresh,
    )


def _client(sim=None, credentials=None, **http_kwargs) -> Client:
    session = requests.Session()
    mount(session, Client.default_base_url, sim or Simulator(AS_OF, [HANDLE]))
    http_kwargs.setdefault("sleep", lambda s: None)
    return Client(HttpClient(session, **http_kwargs), credentials=credentials, today=AS_OF.date())


def _timeline(sim=None) -> list[str]:
    """The account's timeline ids as X serves them without ``exclude=replies``: its posts and its
    own replies (the world's creator comments), newest first."""
    sim = sim or Simulator(AS_OF, [HANDLE])
    items = [(p.posted_at, sim.post_id(p)) for p in _world_posts()]
    items += [(c.created_at, sim.comment_id(c)) for p in _world_posts() for c in p.comments(AS_OF) if c.is_creator]
    return [tid for _, tid in sorted(items, reverse=True)]


def _young(post) -> bool:
    return AS_OF - post.posted_at < timedelta(days=29)


def _expected_completion(post) -> float:
    views = post.metrics(AS_OF)["views"]
    return round(int(views * post.completion) / views * 100, 2)


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
    assert len([r for r in client.http.responses if r.endpoint == "users.tweets"]) == 3
    assert len(parsed.posts) == PER_FETCH
    sim = Simulator(AS_OF, [HANDLE])
    # the timeline holds the account's own replies too; its original posts are the world's posts
    assert [p["external_post_id"] for p in parsed.posts] == _timeline(sim)[:PER_FETCH]
    originals = [p for p in parsed.posts if p["post_kind"] == "original"]
    assert 0 < len(originals) < PER_FETCH
    posts = world.account("twitter", HANDLE).posts_until(AS_OF)[: len(originals)]
    assert [p["external_post_id"] for p in originals] == [sim.post_id(p) for p in posts]
    kinds = set()
    for rec, post in zip(originals, posts):
        m = post.metrics(AS_OF)
        assert rec["posted_at"] == post.posted_at
        assert rec["likes_count"] == m["likes"]
        assert rec["comments_count"] == m["comments"]
        assert rec["shares_count"] == m["shares"]  # retweets + quotes
        assert rec["saves_count"] == m["saves"]
        assert rec["impressions"] == m["impressions"]
        assert rec["post_url"] == f"https://x.com/{HANDLE}/status/{rec['external_post_id']}"
        assert rec["reach"] is None and rec["watch_time_seconds"] is None
        assert rec["media_type"] == post.kind
        kinds.add(post.kind)
        if post.kind == "video":
            assert rec["views_count"] == m["views"]
            assert rec["duration"] == post.duration  # duration_ms -> s
            # the account's own token reads video quartiles of tweets younger than 30 days
            assert rec["completion_rate"] == (_expected_completion(post) if _young(post) else None)
        else:
            assert rec["views_count"] is None and rec["duration"] is None and rec["completion_rate"] is None
    assert {"video", "image"} <= kinds


def test_replies_within_search_window(pulled):
    client, parsed = pulled
    sim = Simulator(AS_OF, [HANDLE])
    pulled_ids = {p["external_post_id"] for p in parsed.posts}
    posts = [p for p in world.account("twitter", HANDLE).posts_until(AS_OF) if sim.post_id(p) in pulled_ids]
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
                                {"x-rate-limit-reset": str(int(time.time()) + 5)})])

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
    def drop(p):
        p["data"][0]["public_metrics"].pop("impression_count")
        p["data"][0].pop("non_public_metrics", None)

    parsed = Client.parse(_mutated(pulled, "tweets.lookup", drop))
    assert parsed.posts[0]["impressions"] is None


def _world_posts():
    return world.account("twitter", HANDLE).posts_until(AS_OF)


# -- refresh by id and private metrics --------------------------------------------------------
def test_refresh_by_id_returns_old_tweets_with_current_metrics_once():
    sim = Simulator(AS_OF, [HANDLE])
    posts = _world_posts()
    old_posts = [p for p in posts if AS_OF - p.posted_at > timedelta(days=31)][:2] + [posts[9]]
    old = [sim.post_id(p) for p in old_posts]
    client = _client()
    client.pull(_account(posts=5, refresh=(old[0], _timeline(sim)[0], old[1], old[0], old[2])))
    parsed = Client.parse(client.http.responses)
    ids = [p["external_post_id"] for p in parsed.posts]
    assert len(ids) == len(set(ids)) == 8
    assert ids[:5] == _timeline(sim)[:5] and set(ids[5:]) == set(old)
    by_id = {p["external_post_id"]: p for p in parsed.posts}
    for post in old_posts:
        rec, m = by_id[sim.post_id(post)], post.metrics(AS_OF)
        assert rec["likes_count"] == m["likes"] and rec["impressions"] == m["impressions"]
        assert rec["posted_at"] == post.posted_at
    # tweets older than 30 days were looked up without private fields, younger ones with them
    for r in client.http.responses:
        if r.endpoint == "tweets.lookup":
            private = "non_public_metrics" in r.request_params["tweet.fields"]
            for tid in r.request_params["ids"].split(","):
                age = AS_OF - tweet_time(tid)
                assert (age < timedelta(days=30)) == private, (tid, age)
    assert Client.update_window_days == 30


def test_tweet_time_reads_the_snowflake():
    post = _world_posts()[0]
    assert abs(tweet_time(Simulator(AS_OF).post_id(post)) - post.posted_at) < timedelta(seconds=1)
    assert tweet_time("not-a-snowflake") is None


def test_private_metrics_map_impressions_and_completion(pulled):
    client, parsed = pulled
    private = [r for r in client.http.responses if r.endpoint == "tweets.lookup" and "organic_metrics" in r.request_params["tweet.fields"]]
    assert private and all("non_public_metrics" in r.request_params["media.fields"] for r in private)
    sim = Simulator(AS_OF, [HANDLE])
    by_id = {rec["external_post_id"]: rec for rec in parsed.posts}
    pairs = [(by_id[sim.post_id(post)], post) for post in _world_posts() if sim.post_id(post) in by_id]
    videos = [(rec, post) for rec, post in pairs if post.kind == "video" and _young(post)]
    assert videos, "expected a recent video in the sample"
    for rec, post in videos:
        assert rec["completion_rate"] == pytest.approx(post.completion * 100, abs=1)
    # non-public impressions win over the public count
    responses = copy.deepcopy(client.http.responses)
    lookup = next(r for r in responses if r.endpoint == "tweets.lookup" and "organic_metrics" in r.request_params["tweet.fields"])
    lookup.payload["data"][0]["non_public_metrics"]["impression_count"] = 123456789
    assert Client.parse(responses).posts[0]["impressions"] == 123456789


def test_app_bearer_asks_public_metrics_only():
    client = _client(credentials={"bearer_token": "demo-token-twitter-app"})
    client.pull(_account(token=None, posts=8))
    lookups = [r for r in client.http.responses if r.endpoint == "tweets.lookup"]
    assert lookups and not any("non_public" in r.request_params["tweet.fields"] for r in lookups)
    parsed = Client.parse(client.http.responses)
    assert all(p["completion_rate"] is None for p in parsed.posts)
    assert all(p["impressions"] is not None for p in parsed.posts)  # public impression_count


def test_refused_private_fields_degrade_to_public_metrics():
    # A user token that does not own the tweets: X answers "Field Authorization Error" per tweet.
    client = _client()
    client.pull(_account(token=demo_token("twitter", "someone_else"), posts=6))
    lookups = [r for r in client.http.responses if r.endpoint == "tweets.lookup"]
    refused = lookups[0].payload
    assert "data" not in refused and refused["errors"][0]["type"].endswith("not-authorized-for-field")
    parsed = Client.parse(client.http.responses)
    assert len(parsed.posts) == 6
    assert all(p["completion_rate"] is None and p["impressions"] is not None for p in parsed.posts)


def test_private_fields_rejected_for_the_whole_request_degrade_too():
    class Rejecting(Simulator):
        def handle(self, request):
            if request.path == "/tweets" and "non_public_metrics" in request.query.get("tweet.fields", ""):
                return SimResponse(
                    403,
                    {
                        "title": "Unsupported Authentication",
                        "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.",
                        "type": "https://api.twitter.com/2/problems/unsupported-authentication",
                        "status": 403,
                    },
                )
            return super().handle(request)

    client = _client(Rejecting(AS_OF, [HANDLE]))
    client.pull(_account(posts=6))
    parsed = Client.parse(client.http.responses)
    assert len(parsed.posts) == 6 and all(p["completion_rate"] is None for p in parsed.posts)


# -- transient failures -----------------------------------------------------------------------
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
        (SimResponse(429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}, {"Retry-After": "2"}), 429),
        (SimResponse(500, {"title": "Internal Server Error", "detail": "x", "type": "about:blank", "status": 500}), 500),
        ("timeout", None),
        (SimResponse(200, '{"data": {"id": "12'), 200),
    ],
    ids=["429-retry-after", "500", "timeout", "truncated-json"],
)
def test_transient_failure_then_success(fault, status):
    slept: list[float] = []
    client = _client(Scripted([fault]), sleep=slept.append)
    client.pull(_account(posts=5))
    first, second = client.http.responses[:2]
    assert first.endpoint == second.endpoint == "users.by.username"
    assert (first.attempt, second.attempt) == (1, 2) and first.status_code == status and not first.ok and second.ok
    assert len(slept) == 1 and (status != 429 or slept[0] >= 2)
    assert Client.parse(client.http.responses).account["followers_count"] > 0


def test_rate_limit_headers_on_every_answer_and_429_when_spent():
    now = [1_800_000_000.0]
    sim = Simulator(AS_OF, [HANDLE], rate_limits={"tweets.search.recent": 2}, clock=lambda: now[0])
    slept: list[float] = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += 901  # the next window

    client = _client(sim, sleep=sleep, clock=lambda: now[0])
    client.pull(_account(posts=12))
    for r in client.http.responses:
        assert set(r.usage) >= {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"}
        assert int(r.usage["x-rate-limit-reset"]) >= 1_800_000_900  # epoch seconds: end of the window
    timeline = [r for r in client.http.responses if r.endpoint == "users.tweets"]
    assert [int(r.usage["x-rate-limit-remaining"]) for r in timeline] == [899, 898]
    searches = [r for r in client.http.responses if r.endpoint == "tweets.search.recent"]
    limited = [r for r in searches if r.status_code == 429]
    assert limited and all(r.usage["x-rate-limit-remaining"] == "0" for r in limited)
    assert searches[-1].ok and len(slept) == len(limited)  # each 429 waited, then the new window answered
    # errors carry the headers too
    refused = _client(sim)
    with pytest.raises(PlatformError):
        refused.pull(_account(token="nope"))
    assert refused.http.responses[0].status_code == 401 and "x-rate-limit-reset" in refused.http.responses[0].usage


# -- payload shapes ---------------------------------------------------------------------------
def test_extra_fields_are_ignored_and_missing_ones_handled(pulled):
    client, parsed = pulled
    responses = copy.deepcopy(client.http.responses)
    for r in responses:
        if r.endpoint == "tweets.lookup" and r.payload:
            r.payload["brand_new"] = [1, 2]
            for tweet in r.payload.get("data", []):
                tweet["public_metrics"]["some_new_count"] = 3
                tweet["note_tweet"] = {"text": "x"}
    assert Client.parse(responses).posts == parsed.posts
    with pytest.raises(ParseError):
        Client.parse(_mutated(pulled, "tweets.lookup", lambda p: p["data"][0].pop("id")))
    with pytest.raises(ParseError):
        Client.parse(_mutated(pulled, "tweets.lookup", lambda p: p["data"][0].update(non_public_metrics=[1])))
    parsed = Client.parse(_mutated(pulled, "tweets.lookup", lambda p: p["data"][0]["public_metrics"].pop("bookmark_count")))
    assert parsed.posts[0]["saves_count"] is None


def test_unicode_text_round_trips_unchanged():
    text = "Cafe\u0301 ☕️ 👩🏽‍💻 🇯🇵 — مرحبا بالعالم · שלום עולם · e\u0301\u0323 \u202bRTL\u202c"

    class Fancy(Simulator):
        looked_up: set = set()

        def handle(self, request):
            answer = super().handle(request)
            if answer.status == 200 and isinstance(answer.body, dict) and answer.body.get("data"):
                if request.path == "/tweets":
                    answer.body["data"][0]["text"] = text
                    self.looked_up |= {t["id"] for t in answer.body["data"]}
                # A reply to a post of the pull (an own reply's conversation may be rooted in a
                # post the pull does not hold: its other replies are dropped).
                elif request.path == "/tweets/search/recent":
                    for reply in answer.body["data"]:
                        if {r["id"] for r in reply.get("referenced_tweets", [])} & self.looked_up:
                            reply["text"] = text
                            break
            return answer

    client = _client(Fancy(AS_OF, [HANDLE]))
    client.pull(_account(posts=6))
    parsed = Client.parse(copy.deepcopy(client.http.responses))
    assert parsed.posts[0]["caption"] == text
    assert text in {c["comment_text"] for c in parsed.comments}


# -- tokens -----------------------------------------------------------------------------------
def test_expired_token_names_account_and_what_to_do():
    expired = demo_token("twitter", HANDLE) + "-expired"
    client = _client()
    with pytest.raises(PlatformError) as info:
        client.pull(_account(token=expired))
    message = str(info.value)
    assert info.value.status_code == 401 and HANDLE in message and "reconnect" in message and "refresh" in message
    assert expired not in message and demo_token("twitter", HANDLE) not in message
    assert len(client.http.responses) == 1


def test_token_refresh_confidential_and_public_clients():
    for creds in ({"client_id": "demo-client", "client_secret": "demo-secret"}, {"client_id": "demo-client"}):
        client = _client(credentials=creds)
        before = datetime.now(timezone.utc)
        grant = client.refresh_access_token(_account(token=None), "demo-refresh-" + HANDLE)
        assert grant.access_token == demo_token("twitter", HANDLE)
        assert grant.refresh_token == "demo-refresh-" + HANDLE  # X rotates it: the caller must store it
        assert 7100 < (grant.expires_at - before).total_seconds() < 7201
        (exchange,) = client.http.responses
        recorded = repr(exchange.request_params) + repr(exchange.payload)
        assert "demo-refresh" not in recorded and "demo-secret" not in recorded and "demo-token" not in recorded
        assert exchange.payload["refresh_token"] == REDACTED
    client.pull(_account(token=grant.access_token, posts=5))


def test_token_refresh_failures():
    client = _client(credentials={"client_id": "demo-client", "client_secret": "demo-secret"})
    with pytest.raises(PlatformError) as info:
        client.refresh_access_token(_account(), "stale-refresh-token-42")
    message = str(info.value)
    assert info.value.status_code == 400 and "reconnect" in message and HANDLE in message
    assert "stale-refresh-token-42" not in message and "demo-secret" not in message
    with pytest.raises(PlatformError) as info:
        _client().refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert "SOCIAL_PIPELINE_TWITTER_CLIENT_ID" in str(info.value)


def test_token_refresh_uses_configured_oauth_host():
    session = requests.Session()
    mount(session, "http://x-oauth.test/2", Simulator(AS_OF, [HANDLE]))
    client = Client(HttpClient(session), credentials={"client_id": "c", "oauth_base_url": "http://x-oauth.test/2"})
    assert client.refresh_access_token(_account(), "demo-refresh-" + HANDLE).access_token == demo_token("twitter", HANDLE)


def test_replies_in_a_conversation_rooted_outside_the_pull_hang_under_the_accounts_post():
    """The newest posts are the account's own replies in a conversation whose root is older than
    the pull: replies to those replies are kept under them; other replies in that conversation
    answer someone else's post and are left out. No comment names a post the pull lacks."""
    client = _client()
    client.pull(_account(posts=3))  # the world's three newest posts: replies, their root older
    parsed = Client.parse(copy.deepcopy(client.http.responses))
    own = {p["external_post_id"] for p in parsed.posts}
    assert {p["post_kind"] for p in parsed.posts} & {"reply", "thread"}
    assert parsed.comments and all(c["external_post_id"] in own for c in parsed.comments)
    assert all(c["parent_external_comment_id"] not in own for c in parsed.comments)
