"""LinkedIn client + parser against the simulated Community Management API (no network, no database)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
import requests
from requests.adapters import BaseAdapter

from social_pipeline.platforms import linkedin
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.simulator import linkedin as li_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimulatorAdapter, demo_token, mount

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


def test_versioned_headers_sent():
    seen = []

    class Spy(SimulatorAdapter):
        def send(self, request, **kwargs):
            seen.append(dict(request.headers))
            return super().send(request, **kwargs)

    session = requests.Session()
    session.mount(linkedin.Client.default_base_url + "/", Spy(linkedin.Client.default_base_url, li_sim.Simulator(AS_OF, [HANDLE])))
    client = _client({"linkedin_version": "202609"}, session)
    client.pull(_account(posts=2))
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
    assert "urn:li:geo:104514075" in d["top_countries"]  # an unmapped geo keeps its urn
    assert d["age_18_24"] is None and d["gender_female"] is None


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
    assert "LINKEDIN_VERSION" in str(exc.value) and "202401" in str(exc.value)


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


class _FlakyAdapter(BaseAdapter):
    def __init__(self, inner: SimulatorAdapter):
        super().__init__()
        self.inner, self.calls = inner, 0

    def send(self, request, **kwargs):
        self.calls += 1
        if self.calls == 1:
            resp = requests.Response()
            resp.status_code = 502
            resp._content = b'{"status": 502, "message": "Bad gateway"}'
            resp.request, resp.url = request, request.url
            return resp
        return self.inner.send(request, **kwargs)

    def close(self):
        pass


def test_server_error_is_retried():
    session = requests.Session()
    inner = SimulatorAdapter(linkedin.Client.default_base_url, li_sim.Simulator(AS_OF, [HANDLE]))
    session.mount(linkedin.Client.default_base_url + "/", _FlakyAdapter(inner))
    client = _client(session=session)
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
