"""TikTok client + parser against the simulated Display API v2 (no network, no database)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
import requests
from requests.adapters import BaseAdapter

from social_pipeline.platforms import tiktok
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.simulator import tiktok as tiktok_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimulatorAdapter, demo_token, mount

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "dance.with.ana"
POSTS = 45  # > 2 pages of 20


def _account(token: str | None = "default", posts: int = POSTS) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="tiktok",
        handle=HANDLE,
        access_token=demo_token("tiktok", HANDLE) if token == "default" else token,
        posts_per_fetch=posts,
    )


def _client(session: requests.Session | None = None) -> tiktok.Client:
    session = session or requests.Session()
    if not session.adapters.get(tiktok.Client.default_base_url + "/"):
        mount(session, tiktok.Client.default_base_url, tiktok_sim.Simulator(AS_OF, [HANDLE]))
    return tiktok.Client(HttpClient(session, sleep=lambda s: None))


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())
    return client, tiktok.Client.parse(client.http.responses)


def test_profile_matches_world(pulled):
    client, parsed = pulled
    acct = world.account("tiktok", HANDLE)
    assert parsed.account["followers_count"] == acct.followers(AS_OF)
    assert parsed.account["following_count"] == acct.following(AS_OF)
    assert parsed.account["posts_count"] == len(acct.posts_until(AS_OF))
    assert parsed.account["display_name"] == acct.display_name
    assert parsed.account["total_views"] is None and parsed.account["watch_time_minutes"] is None


def test_posts_paginate_and_match_world(pulled):
    client, parsed = pulled
    pages = [r for r in client.http.responses if r.endpoint == "v2/video/list"]
    assert len(pages) == 3  # 20 + 20 + 5
    assert pages[0].request_params["json"] == {"max_count": 20}
    assert "cursor" in pages[1].request_params["json"]
    assert len(parsed.posts) == POSTS

    acct = world.account("tiktok", HANDLE)
    expected = acct.posts_until(AS_OF)[:POSTS]
    sim = tiktok_sim.Simulator(AS_OF, [HANDLE])
    assert [p["external_post_id"] for p in parsed.posts] == [sim.post_id(p) for p in expected]

    newest, post = parsed.posts[0], expected[0]
    m = post.metrics(AS_OF)
    assert newest["posted_at"] == post.posted_at
    assert newest["views_count"] == m["views"]
    assert newest["likes_count"] == m["likes"]
    assert newest["comments_count"] == m["comments"]
    assert newest["shares_count"] == m["shares"]
    assert newest["duration"] == post.duration
    assert newest["caption"] == post.caption
    assert newest["post_url"] == f"https://www.tiktok.com/@{HANDLE}/video/{sim.post_id(post)}"
    assert newest["media_type"] == "video"
    for key in ("saves_count", "watch_time_seconds", "completion_rate", "impressions", "reach"):
        assert newest[key] is None


def test_no_comments_or_demographics_and_token_not_recorded(pulled):
    client, parsed = pulled
    assert parsed.comments == [] and parsed.demographics is None
    token = demo_token("tiktok", HANDLE)
    assert all(token not in repr(r.request_params) for r in client.http.responses)


def test_missing_token_names_handle():
    client = _client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token=None))
    assert HANDLE in str(exc.value)


def test_bad_token_is_a_platform_error_without_the_token():
    client = _client()
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(token="not-a-real-token-123"))
    assert exc.value.status_code == 401
    assert "not-a-real-token-123" not in str(exc.value)
    assert "access_token_invalid" in str(exc.value)


class _Flaky(BaseAdapter):
    """Answers the first request with a 503, then hands over to the simulator."""

    def __init__(self, inner: SimulatorAdapter):
        super().__init__()
        self.inner = inner
        self.failed = False

    def send(self, request, **kwargs):
        if not self.failed:
            self.failed = True
            resp = requests.Response()
            resp.status_code = 503
            resp._content = b'{"data": {}, "error": {"code": "internal_error", "message": "busy", "log_id": "x"}}'
            resp.request = request
            return resp
        return self.inner.send(request, **kwargs)

    def close(self):
        pass


def test_5xx_is_retried():
    session = requests.Session()
    inner = SimulatorAdapter(tiktok.Client.default_base_url, tiktok_sim.Simulator(AS_OF, [HANDLE]))
    session.mount(tiktok.Client.default_base_url + "/", _Flaky(inner))
    client = tiktok.Client(HttpClient(session, sleep=lambda s: None))
    client.pull(_account(posts=5))
    info = [r for r in client.http.responses if r.endpoint == "v2/user/info"]
    assert [r.status_code for r in info] == [503, 200]
    parsed = tiktok.Client.parse(client.http.responses)
    assert parsed.account["followers_count"] == world.account("tiktok", HANDLE).followers(AS_OF)
    assert len(parsed.posts) == 5


def test_error_code_inside_http_200_raises():
    class _Sim(tiktok_sim.Simulator):
        def handle(self, request):
            answer = super().handle(request)
            if request.path.startswith("/v2/video/list"):
                answer.body["error"] = {"code": "scope_not_authorized", "message": "video.list", "log_id": "1"}
            return answer

    session = requests.Session()
    mount(session, tiktok.Client.default_base_url, _Sim(AS_OF, [HANDLE]))
    client = tiktok.Client(HttpClient(session, sleep=lambda s: None))
    with pytest.raises(PlatformError, match="scope_not_authorized"):
        client.pull(_account(posts=3))


def _mutate(pulled, endpoint, fn):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    target = next(r for r in responses if r.endpoint == endpoint and r.ok)
    fn(target.payload)
    return responses


@pytest.mark.parametrize(
    "endpoint, mutation",
    [
        ("v2/video/list", lambda p: p["data"]["videos"][0].pop("create_time")),
        ("v2/video/list", lambda p: p["data"]["videos"][0].update(view_count=-3)),
        ("v2/video/list", lambda p: p["data"]["videos"][1].update(like_count="many")),
        ("v2/video/list", lambda p: p["data"].update(videos={"not": "a list"})),
        ("v2/user/info", lambda p: p["data"].update(user=[])),
        ("v2/user/info", lambda p: p["data"]["user"].pop("open_id")),
        ("v2/user/info", lambda p: p["data"]["user"].update(follower_count=1.5)),
    ],
)
def test_malformed_payload_is_a_parse_error(pulled, endpoint, mutation):
    responses = _mutate(pulled, endpoint, mutation)
    with pytest.raises(ParseError):
        tiktok.Client.parse(responses)
