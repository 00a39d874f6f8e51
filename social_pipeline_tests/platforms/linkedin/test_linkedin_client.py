"""LinkedIn client + parser against the simulated Community Management API (no network, no database)."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import requests

from social_pipeline.platforms.linkedin import client as linkedin
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.simulator import linkedin as li_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "acme.robotics"
POSTS = 23  # the fake serves 10 posts a page: 3 pages


def _account(token: str | None = "default", posts: int = POSTS, external_id: str | None = None) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="linkedin",
        handle=HANDLE,
        access_token=demo_token("linkedin", HANDLE) if token == "default" else token,
        posts_per_fetch=posts,
        external_id=external_id,
    )


def _client(credentials=None, session: requests.Session | None = None) -> linkedin.Client:
    if session is None:
        session = requests.Session()
        mount(session, linkedin.Client.default_base_url, li_sim.Simulator(AS_OF, [HANDLE]))
    return linkedin.Client(HttpClient(session, sleep=lambda s: None), credentials=credentials)


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())
    return client, linkedin.Client.parse(client.http.responses)


SIM = li_sim.Simulator(AS_OF, [HANDLE])


def _world_posts():
    return world.account("linkedin", HANDLE).posts_until(AS_OF)


def test_organization_matches_world(pulled):
    client, parsed = pulled
    acct = world.account("linkedin", HANDLE)
    assert parsed.account["external_user_id"] == SIM.account_id(acct)
    assert parsed.account["followers_count"] == acct.followers(AS_OF)
    assert parsed.account["display_name"] == acct.display_name
    assert parsed.account["following_count"] is None and parsed.account["total_views"] is None
    # No external_id: the organization was found by its vanity name first.
    assert client.http.responses[0].endpoint == "organizations.vanityName"


def test_posts_paginate_and_match_world(pulled):
    client, parsed = pulled
    pages = [r for r in client.http.responses if r.endpoint == "posts"]
    assert [r.request_params["start"] for r in pages] == [0, 10, 20]
    assert len(parsed.posts) == POSTS
    expected = _world_posts()[:POSTS]
    for got, want in zip(parsed.posts, expected):
        m = want.metrics(AS_OF)
        urn = SIM.post_id(want)
        assert got["external_post_id"] == urn
        assert got["post_url"] == f"https://www.linkedin.com/feed/update/{urn}/"
        assert got["posted_at"] == want.posted_at  # epoch ms -> aware datetime
        assert got["likes_count"] == m["likes"]
        assert got["comments_count"] == m["comments"]
        assert got["shares_count"] == m["shares"]
        assert got["impressions"] == m["impressions"]
        assert got["reach"] == m["reach"]
        assert got["media_type"] == want.kind
        assert got["views_count"] is None and got["saves_count"] is None and got["watch_time_seconds"] is None
    assert {p["external_post_id"].split(":")[2] for p in parsed.posts} == {"share", "ugcPost"}


def test_versioned_headers_sent(scripted_transport):
    scripted_transport.serve(linkedin.Client.default_base_url, li_sim.Simulator(AS_OF, [HANDLE]))
    client = _client({"linkedin_version": "202609"}, scripted_transport.install(requests.Session()))
    client.pull(_account(posts=2))
    seen = [sent.headers for sent in scripted_transport.sent]
    assert all(h["LinkedIn-Version"] == "202609" and h["X-Restli-Protocol-Version"] == "2.0.0" for h in seen)


def test_comments_nest_under_top_level(pulled):
    _, parsed = pulled
    expected = _world_posts()[:POSTS]
    assert len(parsed.comments) == sum(len(p.comments(AS_OF)) for p in expected) > 0
    def has_reply_to_reply(p):
        seqs = {c.seq: c for c in p.comments(AS_OF)}
        return any(c.parent_seq is not None and seqs[c.parent_seq].parent_seq is not None for c in seqs.values())

    post = next(p for p in expected if has_reply_to_reply(p))
    by_seq = {c.seq: c for c in post.comments(AS_OF)}
    got = {c["external_comment_id"]: c for c in parsed.comments if c["external_post_id"] == SIM.post_id(post)}
    assert len(got) == len(by_seq)
    for c in post.comments(AS_OF):
        top = c
        while top.parent_seq is not None:
            top = by_seq[top.parent_seq]
        row = got[SIM.comment_id(c)]
        want_parent = None if c.parent_seq is None else SIM.comment_id(top)  # LinkedIn nests one level
        assert row["parent_external_comment_id"] == want_parent
        assert row["comment_text"] == c.text
        assert row["likes_count"] == c.likes(AS_OF)
        assert row["commented_at"] == c.created_at
        if c.is_creator:
            assert row["author_username"] == HANDLE
        else:
            assert row["author_username"] is None and row["author_external_id"].startswith("urn:li:person:")


def test_country_shares(pulled):
    _, parsed = pulled
    demo = world.account("linkedin", HANDLE).demographics(AS_OF)
    d = parsed.demographics
    for code, share in demo["top_countries"].items():
        assert d["top_countries"][code] == pytest.approx(share, abs=0.05)
    # Geo ids outside the parser's table were named through the Geo API: no URN is left.
    assert not [k for k in d["top_countries"] if k.startswith("urn:li:geo:")]
    assert "Denmark" in d["top_countries"]  # urn:li:geo:104514075, named by GET /geo
    assert d["age_18_24"] is None and d["gender_female"] is None


def test_geo_names_asked_once_for_unmapped_ids_only(pulled):
    client, _ = pulled
    geo = [r for r in client.http.responses if r.endpoint == linkedin.GEO]
    assert len(geo) == 1 and geo[0].ok
    stats = next(r.payload for r in client.http.responses if r.endpoint == linkedin.FOLLOWER_STATS)
    every = [row["geo"].rsplit(":", 1)[-1] for row in stats["elements"][0]["followerCountsByGeoCountry"]]
    asked = set(geo[0].payload["results"])
    unmapped = {g for g in every if g not in linkedin.GEO_COUNTRIES}
    assert asked == unmapped and {"104514075", "103819153"} <= asked  # Denmark, Norway
    assert geo[0].payload["results"]["104514075"]["defaultLocalizedName"]["value"] == "Denmark"


def test_external_id_skips_lookup():
    org_id = SIM.account_id(world.account("linkedin", HANDLE))
    client = _client()
    client.pull(_account(posts=3, external_id=org_id))
    assert "organizations.vanityName" not in {r.endpoint for r in client.http.responses}
    assert len(linkedin.Client.parse(client.http.responses).posts) == 3


def test_sunset_version_tells_user_what_to_set():
    client = _client({"linkedin_version": "202401"})
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(posts=2))
    assert exc.value.status_code == 426
    assert "SOCIAL_PIPELINE_LINKEDIN_VERSION" in str(exc.value) and "202401" in str(exc.value)
    assert len(client.http.responses) == 1  # 426 is not retried


def test_missing_token_names_handle():
    client = _client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token=None))
    assert HANDLE in str(exc.value) and not client.http.responses


def test_bad_token_is_platform_error_without_secret():
    client = _client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token="AQV-secret-li-token"))
    assert exc.value.status_code == 401 and "AQV-secret-li-token" not in str(exc.value)


def test_server_error_is_retried(scripted_transport):
    scripted_transport.serve(linkedin.Client.default_base_url, li_sim.Simulator(AS_OF, [HANDLE]))
    scripted_transport.script(re.escape(linkedin.Client.default_base_url + "/"), (502, {}, {"status": 502, "message": "Bad gateway"}))
    client = _client(session=scripted_transport.install(requests.Session()))
    client.pull(_account(posts=2))
    assert [r.attempt for r in client.http.responses[:2]] == [1, 2]
    assert len(linkedin.Client.parse(client.http.responses).posts) == 2


def _mutated(pulled, endpoint, mutate):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    mutate(next(r for r in responses if r.endpoint == endpoint and r.ok).payload)
    return responses


def test_malformed_payloads_are_parse_errors(pulled):
    bad = [
        ("posts", lambda p: p["elements"][0].pop("id")),
        ("posts", lambda p: p["elements"][0].__setitem__("publishedAt", "yesterday")),
        ("posts", lambda p: p.__setitem__("elements", {"a": 1})),
        ("organizationalEntityShareStatistics",
         lambda p: p["elements"][0]["totalShareStatistics"].__setitem__("likeCount", -1)),
        ("socialActions/comments", lambda p: p["elements"][0].__setitem__("commentUrn", "not-an-urn")),
        ("socialActions/comments", lambda p: p["elements"][0].__setitem__("parentComment", 42)),
        ("networkSizes", lambda p: p.__setitem__("firstDegreeSize", "many")),
        ("organizationalEntityFollowerStatistics",
         lambda p: p["elements"][0]["followerCountsByGeoCountry"][0].pop("followerCounts")),
    ]
    for endpoint, mutate in bad:
        with pytest.raises(ParseError):
            linkedin.Client.parse(_mutated(pulled, endpoint, mutate))



def _org_id():
    return SIM.account_id(world.account("linkedin", HANDLE))


def _sim_client(sim=None, *, sleep=None, credentials=None, faults=()):
    """A client on the simulator (API and OAuth hosts); ``faults`` answer the first API requests,
    in order: ``(status, body text, headers)`` or ``"timeout"``."""
    sim = sim or li_sim.Simulator(AS_OF, [HANDLE])
    transport = ScriptedTransport()
    transport.serve(linkedin.Client.default_base_url, sim).serve(linkedin.DEFAULT_OAUTH_BASE_URL, sim)
    api = re.escape(linkedin.Client.default_base_url + "/")
    for i, fault in enumerate(faults):
        if fault == "timeout":
            _time_out(transport, api, after=i)
        else:
            status, body, headers = fault
            transport.script(api, (status, headers, body), after=i)
    session = transport.install(requests.Session())
    return linkedin.Client(HttpClient(session, sleep=sleep or (lambda s: None)), credentials=credentials)


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


def test_version_comes_from_the_version_credential_first():
    assert linkedin.Client(HttpClient(), credentials={"version": "202609", "linkedin_version": "202401"})._version == "202609"
    assert linkedin.Client(HttpClient(), credentials={"linkedin_version": "202608"})._version == "202608"
    assert linkedin.Client(HttpClient())._version == linkedin.DEFAULT_VERSION
    client = _sim_client(credentials={"version": "202609", "linkedin_version": "202401"})
    client.pull(_account(posts=1, external_id=_org_id()))  # the sunset fallback is not used


# -- refresh by id -----------------------------------------------------------------------------
def test_refresh_by_id_returns_old_posts_with_current_metrics():
    posts = _world_posts()
    recent = [posts[9], posts[16]]
    ancient = next(p for p in posts if p.posted_at < AS_OF - timedelta(days=400))
    ids = [SIM.post_id(posts[0]), *(SIM.post_id(p) for p in recent), SIM.post_id(ancient), SIM.post_id(recent[1]),
           "urn:li:share:7000000000000000001"]
    client = _sim_client()
    client.pull(replace(_account(posts=3, external_id=_org_id()), refresh_post_ids=tuple(ids)))
    fetched = [r for r in client.http.responses if r.endpoint == "posts/{urn}"]
    assert [r.status_code for r in fetched] == [200, 200, 200, 404]  # listed/duplicate ids not refetched
    stats = [r for r in client.http.responses if r.endpoint == "organizationalEntityShareStatistics"]
    assert [r.page_index for r in stats] == list(range(len(stats)))  # refreshed batches follow the listing's
    parsed = linkedin.Client.parse(client.http.responses)
    got = {p["external_post_id"]: p for p in parsed.posts}
    assert len(parsed.posts) == len(got) == 6
    for post in recent:
        row, m = got[SIM.post_id(post)], post.metrics(AS_OF)
        assert row["likes_count"] == m["likes"] and row["impressions"] == m["impressions"]
        assert row["reach"] == m["reach"] and row["posted_at"] == post.posted_at
    old_row = got[SIM.post_id(ancient)]
    assert old_row["likes_count"] is None and old_row["impressions"] is None  # beyond the 12-month statistics


def test_parse_keeps_newest_fetch_of_a_post(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    post = copy.deepcopy(next(r for r in responses if r.endpoint == "posts" and r.ok).payload["elements"][0])
    post["commentary"] = "edited later"
    responses.append(replace(responses[-1], endpoint="posts/{urn}", payload=post, request_params={}))
    parsed = linkedin.Client.parse(responses)
    rows = [p for p in parsed.posts if p["external_post_id"] == post["id"]]
    assert len(rows) == 1 and rows[0]["caption"] == "edited later" and len(parsed.posts) == POSTS


# -- transient failures ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fault",
    [
        (429, '{"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS", "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}', {"Retry-After": "2"}),
        (500, '{"status": 500, "message": "Internal Server Error"}', {}),
        "timeout",
        (200, '{"id": 12345678, "vanityName": "acme.rob', {}),  # truncated body
    ],
    ids=["429", "500", "timeout", "truncated"],
)
def test_transient_failure_is_retried(fault):
    sleeps = []
    client = _sim_client(sleep=sleeps.append, faults=[fault])
    client.pull(_account(posts=2, external_id=_org_id()))
    first, second = client.http.responses[:2]
    assert (first.endpoint, first.attempt, second.endpoint, second.attempt) == ("organizations", 1, "organizations", 2)
    assert first.error and not first.ok and second.ok and len(sleeps) == 1
    if fault == "timeout":
        assert first.status_code is None and "timed out" in first.error
    elif fault[0] == 200:
        assert first.payload is None and "not JSON" in first.error
    else:
        assert first.status_code == fault[0]
        if fault[0] == 429:
            assert sleeps[0] >= 2
    assert len(linkedin.Client.parse(client.http.responses).posts) == 2


# -- payload shape -----------------------------------------------------------------------------
def test_extra_fields_ignored_missing_optional_metrics_none(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    listing = next(r for r in responses if r.endpoint == "posts" and r.ok).payload
    listing["elements"][0]["brandNewField"] = {"x": [1]}
    listing["somethingElse"] = True
    first_urn = listing["elements"][0]["id"]
    for r in responses:
        if r.endpoint == "organizationalEntityShareStatistics" and r.ok:
            for row in r.payload["elements"]:
                if first_urn in (row.get("share"), row.get("ugcPost")):
                    row["totalShareStatistics"].pop("uniqueImpressionsCount")
                    row["totalShareStatistics"]["newMetric"] = 3
    parsed = linkedin.Client.parse(responses)
    first = next(p for p in parsed.posts if p["external_post_id"] == first_urn)
    assert first["reach"] is None and first["likes_count"] is not None
    assert len(parsed.posts) == POSTS


def test_missing_timestamps_is_parse_error(pulled):
    def mutate(p):
        p["elements"][0].pop("publishedAt")
        p["elements"][0].pop("createdAt")

    with pytest.raises(ParseError):
        linkedin.Client.parse(_mutated(pulled, "posts", mutate))


MIXED = "Café ☕ 👩🏽‍🍳 e\u0301 n\u0303 — שלום עולם ‏مرحبا بالعالم‎ 🇵🇹 #日本"


def test_unicode_captions_round_trip():
    class Sim(li_sim.Simulator):
        def _render_post(self, post):
            body = super()._render_post(post)
            body["commentary"] = MIXED
            return body

    client = _sim_client(Sim(AS_OF, [HANDLE]))
    client.pull(_account(posts=2, external_id=_org_id()))
    assert [p["caption"] for p in linkedin.Client.parse(client.http.responses).posts] == [MIXED, MIXED]


# -- tokens ------------------------------------------------------------------------------------
def test_expired_token_says_what_to_do_without_the_token():
    token = demo_token("linkedin", HANDLE) + "-expired"
    client = _sim_client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token=token))
    message = str(exc.value)
    assert exc.value.status_code == 401 and HANDLE in message and "has expired" in message
    assert "EXPIRED_ACCESS_TOKEN" in message and "reconnect" in message
    assert "SOCIAL_PIPELINE_LINKEDIN_CLIENT_ID" in message
    assert token not in message and demo_token("linkedin", HANDLE) not in message
    assert len(client.http.responses) == 1


CREDS = {"client_id": "86abcdef", "client_secret": "li-client-secret"}


def test_token_refresh_success():
    client = _sim_client(credentials=CREDS)
    grant = client.refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert grant.access_token == demo_token("linkedin", HANDLE)
    assert timedelta(days=59) < grant.expires_at - datetime.now(timezone.utc) <= timedelta(days=60)
    assert grant.refresh_token is None  # LinkedIn does not rotate refresh tokens
    assert client.http.responses == []
    client.pull(_account(token=grant.access_token, posts=1, external_id=_org_id()))


def test_token_refresh_failures():
    client = _sim_client(credentials=CREDS)
    with pytest.raises(PlatformError) as exc:
        client.refresh_access_token(_account(), "AQX-revoked-refresh")
    message = str(exc.value)
    assert exc.value.status_code == 400 and "invalid, expired or revoked" in message and HANDLE in message
    assert "AQX-revoked-refresh" not in message and "li-client-secret" not in message
    with pytest.raises(PlatformError) as exc:
        _sim_client(credentials={"client_id": "x"}).refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert "SOCIAL_PIPELINE_LINKEDIN_CLIENT_SECRET" in str(exc.value) and "CLIENT_ID" not in str(exc.value)
    # The OAuth host can be overridden (e.g. a sandbox).
    assert linkedin.Client(HttpClient(), credentials={"oauth_base_url": "https://sandbox.example/oauth/v2/"}).oauth_base_url == "https://sandbox.example/oauth/v2"
