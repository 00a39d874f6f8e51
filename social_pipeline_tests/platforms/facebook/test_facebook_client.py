"""Facebook Pages client + parser against the simulated Graph API (no network, no database)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import requests

from social_pipeline.platforms.facebook import client as facebook
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.platforms.ratelimit import RateLimiter
from social_pipeline.simulator import facebook as fb_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

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
    # Meta retiring a metric (the current names: the old ones are refused by the simulator anyway)
    sim = fb_sim.Simulator(AS_OF, [HANDLE], deprecated_metrics={"post_media_view", "page_follows_city", "page_follows_country"})
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
    # Graph answers a bad token with HTTP 400 and OAuthException code 190 (not 401).
    assert exc.value.status_code == 400
    assert "reconnect" in str(exc.value) and HANDLE in str(exc.value)


def test_server_error_is_retried():
    transport = ScriptedTransport().serve(facebook.Client.default_base_url, fb_sim.Simulator(AS_OF, [HANDLE]))
    transport.script(  # the first request answers 500, then the simulator
        "^" + re.escape(facebook.Client.default_base_url + "/"),
        (500, {}, '{"error": {"message": "An unexpected error has occurred.", "code": 2, "type": "OAuthException"}}'),
    )
    session = transport.install(requests.Session())
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



# -- refresh by id, insights windows, usage header ------------------------------------------------
def _sim_client(sim=None, *, sleep=None, limiter=None, credentials=None, faults=()):
    """A client on the simulator; ``faults`` answer the first requests, in order:
    ``(status, body text, headers)`` or ``"timeout"``."""
    sim = sim or fb_sim.Simulator(AS_OF, [HANDLE])
    transport = ScriptedTransport().serve(facebook.Client.default_base_url, sim)
    api = "^" + re.escape(facebook.Client.default_base_url + "/")
    for i, fault in enumerate(faults):
        if fault == "timeout":
            _time_out(transport, api, after=i)
        else:
            status, body, headers = fault
            transport.script(api, (status, headers, body), after=i)
    session = transport.install(requests.Session())
    http = HttpClient(session, sleep=sleep or (lambda s: None), limiter=limiter)
    return facebook.Client(http, credentials=credentials, today=AS_OF.date())


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


def _page_id():
    return fb_sim.Simulator(AS_OF, [HANDLE]).account_id(world.account("facebook", HANDLE))


def test_refresh_by_id_returns_old_posts_with_current_metrics():
    sim = fb_sim.Simulator(AS_OF, [HANDLE])
    posts = _world_posts()
    old = [posts[9], posts[14]]
    ids = [sim.post_id(posts[0]), sim.post_id(old[0]), sim.post_id(old[1]), sim.post_id(old[0]), f"{_page_id()}_404"]
    client = _sim_client(sim)
    client.pull(replace(_account(posts=3, external_id=_page_id()), refresh_post_ids=tuple(ids)))
    fetched = [r for r in client.http.responses if r.endpoint == "post"]
    assert len(fetched) == 3  # the listed post is not fetched again, the duplicate id only once
    assert [r.status_code for r in fetched] == [200, 200, 404]  # a deleted post is skipped
    parsed = facebook.Client.parse(client.http.responses)
    got = {p["external_post_id"]: p for p in parsed.posts}
    assert len(parsed.posts) == len(got) == 5
    for post in old:
        row, m = got[sim.post_id(post)], post.metrics(AS_OF)
        assert row["likes_count"] == m["likes"] and row["reach"] == m["reach"]
        assert row["impressions"] == m["impressions"] and row["posted_at"] == post.posted_at


def test_parse_keeps_newest_fetch_of_a_post(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    listed = next(r for r in responses if r.endpoint == "page/posts" and r.ok).payload["data"][0]
    newer = copy.deepcopy(listed)
    newer["reactions"]["summary"]["total_count"] += 7
    responses.append(replace(responses[-1], endpoint="post", payload=newer, request_params={}, page_index=0))
    parsed = facebook.Client.parse(responses)
    rows = [p for p in parsed.posts if p["external_post_id"] == listed["id"]]
    assert len(rows) == 1 and rows[0]["likes_count"] == listed["reactions"]["summary"]["total_count"] + 7
    assert parsed.posts[0]["external_post_id"] == listed["id"]  # position of its first appearance


def test_insights_use_a_90_day_window_ending_on_the_pull_day():
    client = _sim_client()
    client.pull(_account(posts=2, external_id=_page_id()))
    end = datetime.combine(AS_OF.date() + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    until = int(min(end, datetime.now(timezone.utc)).timestamp())
    for endpoint in ("post/insights", "page/insights"):
        params = next(r for r in client.http.responses if r.endpoint == endpoint).request_params
        assert params["until"] == until and params["until"] - params["since"] == 90 * 86400


def test_simulator_rejects_an_insights_range_over_93_days():
    sim = fb_sim.Simulator(AS_OF, [HANDLE])
    client = _sim_client(sim)
    post_id = sim.post_id(_world_posts()[0])
    with pytest.raises(PlatformError) as exc:
        client.http.get(
            client.url(f"{post_id}/insights"), endpoint="post/insights",
            params={"metric": "post_impressions", "since": 1_700_000_000, "until": 1_700_000_000 + 100 * 86400},
            secret_params={"access_token": demo_token("facebook", HANDLE)},
        )
    assert exc.value.status_code == 400 and "93 days" in str(exc.value)


class _FakeClock:
    def __init__(self):
        self.now, self.sleeps = 1000.0, []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize("high", [False, True])
def test_app_usage_header_pauses_the_limiter(high):
    fake = _FakeClock()
    limiter = RateLimiter(600, 60.0, clock=fake.clock, sleep=fake.sleep)
    client = _sim_client(fb_sim.Simulator(AS_OF, [HANDLE], high_usage=high), limiter=limiter)
    client.pull(_account(posts=1, external_id=_page_id()))
    usage = json.loads(client.http.responses[0].usage["x-app-usage"])
    assert set(usage) == {"call_count", "total_cputime", "total_time"}
    if high:
        assert max(usage.values()) >= 90
        assert fake.sleeps and max(fake.sleeps) >= 59  # held ~60 s before the next call
        assert limiter.waited_seconds >= 60 * (len(client.http.responses) - 1) - 1
    else:
        assert max(usage.values()) < 90 and fake.sleeps == []


# -- transient failures ------------------------------------------------------------------------
THROTTLED = '{"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "is_transient": true, "code": 4, "fbtrace_id": "A1b2"}}'
UNKNOWN = '{"error": {"message": "An unknown error has occurred.", "type": "OAuthException", "is_transient": true, "code": 1, "fbtrace_id": "A1b2"}}'


@pytest.mark.parametrize(
    "fault",
    [
        (429, THROTTLED, {"Retry-After": "2"}),
        (500, UNKNOWN, {}),
        "timeout",
        (200, '{"id": "1234", "name": "Corner Bak', {}),  # truncated body
    ],
    ids=["429", "500", "timeout", "truncated"],
)
def test_transient_failure_is_retried(fault):
    sleeps = []
    client = _sim_client(sleep=sleeps.append, faults=[fault])
    client.pull(_account(posts=2, external_id=_page_id()))
    first, second = client.http.responses[:2]
    assert (first.endpoint, first.attempt, second.endpoint, second.attempt) == ("page", 1, "page", 2)
    assert first.error and not first.ok and second.ok
    assert len(sleeps) == 1
    if fault == "timeout":
        assert first.status_code is None and "timed out" in first.error
    elif fault[0] == 200:
        assert first.status_code == 200 and first.payload is None and "not JSON" in first.error
    else:
        assert first.status_code == fault[0]
        if fault[0] == 429:
            assert sleeps[0] >= 2  # Retry-After honoured
    assert len(facebook.Client.parse(client.http.responses).posts) == 2


# -- payload shape -----------------------------------------------------------------------------
def test_extra_fields_are_ignored_and_missing_optional_metrics_are_none(pulled):
    def mutate(p):
        p["data"][0]["brand_new_field"] = {"nested": [1, 2]}
        p["data"][0].pop("shares", None)
        p["data"][0].pop("reactions")
        p["unexpected"] = True

    responses = _mutated(pulled, "page/posts", mutate)
    insights = next(r for r in responses if r.endpoint == "post/insights" and r.ok)
    insights.payload["data"] = [row for row in insights.payload["data"] if row["name"] != "post_total_media_view_unique"]
    parsed = facebook.Client.parse(responses)
    first = parsed.posts[0]
    assert first["likes_count"] is None  # reactions edge missing: unknown, not 0
    assert first["reach"] is None and first["impressions"] is not None
    assert len(parsed.posts) == POSTS


def test_missing_created_time_is_parse_error(pulled):
    with pytest.raises(ParseError):
        facebook.Client.parse(_mutated(pulled, "page/posts", lambda p: p["data"][0].pop("created_time")))


MIXED = "Café ☕ 👩🏽‍🍳 e\u0301 n\u0303 — שלום עולם ‏مرحبا بالعالم‎ 🇵🇹 #日本"


def test_unicode_captions_round_trip():
    class Sim(fb_sim.Simulator):
        def _render_post(self, post):
            body = super()._render_post(post)
            body["message"] = MIXED
            return body

    client = _sim_client(Sim(AS_OF, [HANDLE]))
    client.pull(_account(posts=2, external_id=_page_id()))
    parsed = facebook.Client.parse(client.http.responses)
    assert [p["caption"] for p in parsed.posts] == [MIXED, MIXED]  # not normalized, not escaped


# -- tokens ------------------------------------------------------------------------------------
def test_expired_token_says_what_to_do_without_the_token():
    token = demo_token("facebook", HANDLE) + "-expired"
    client = _sim_client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token=token))
    message = str(exc.value)
    assert HANDLE in message and "expired" in message and "subcode 463" in message
    assert "reconnect" in message and "SOCIAL_PIPELINE_FACEBOOK_APP_SECRET" in message
    assert token not in message and demo_token("facebook", HANDLE) not in message
    assert len(client.http.responses) == 1  # not retried


CREDS = {"app_id": "1234567890", "app_secret": "app-secret-value"}


def test_token_refresh_exchanges_then_reads_the_page_token():
    client = _sim_client(credentials=CREDS)
    grant = client.refresh_access_token(_account(external_id=_page_id()), "demo-refresh-" + HANDLE)
    assert grant.access_token == demo_token("facebook", HANDLE)
    assert grant.expires_at is None  # a Page token from a long-lived user token does not expire
    assert grant.refresh_token == demo_token("facebook", HANDLE)  # the long-lived user token
    assert client.http.responses == []  # token answers are never recorded
    # Without the Page id: the long-lived user token, ~60 days.
    grant = client.refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert grant.expires_at is not None
    assert timedelta(days=59) < grant.expires_at - datetime.now(timezone.utc) <= timedelta(days=61)
    # Pulling with the refreshed token works.
    client.pull(_account(token=grant.access_token, posts=1, external_id=_page_id()))


def test_token_refresh_failures():
    client = _sim_client(credentials=CREDS)
    with pytest.raises(PlatformError) as exc:
        client.refresh_access_token(_account(), "EAAB-revoked-long-lived")
    message = str(exc.value)
    assert exc.value.status_code == 400 and "reconnect" in message and HANDLE in message
    assert "EAAB-revoked-long-lived" not in message and "app-secret-value" not in message
    with pytest.raises(PlatformError) as exc:
        _sim_client(credentials={"app_id": "1"}).refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert "SOCIAL_PIPELINE_FACEBOOK_APP_SECRET" in str(exc.value)
    assert "APP_ID" not in str(exc.value)
