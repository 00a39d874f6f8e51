"""TikTok through RapidAPI's TikTok Scraper (provider rapidapi_tiktok) against its simulator."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone

import pytest
import requests

from social_pipeline.platforms.tiktok import rapidapi as rapid
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.simulator import tiktok_rapidapi as rapid_sim
from social_pipeline.simulator import world
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "dance.with.ana"
POSTS = 8
BASE = rapid.Client.default_base_url
CREDS = {"rapidapi_key": "demo-rapid-key-123"}
WEIRD_CAPTION = "Cafe\u0301 ☕ 👩🏽‍💻🇯🇵 — مرحبا بالعالم שלום #日本 e\u0308\u0301"


def _account(posts: int = POSTS, refresh=()) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="tiktok",
        handle=HANDLE,
        provider_name="rapidapi_tiktok",
        posts_per_fetch=posts,
        refresh_post_ids=tuple(refresh),
    )


# The first requests' scripted failures, as (status, headers, body); "timeout" is played by _time_out.
FAULTS = {
    "500": (500, {}, '{"message": "Internal Server Error"}'),
    "truncated": (200, {}, '{"code": 0, "msg": "success", "data": {"user": {"id": "6'),
}


def _time_out(transport: ScriptedTransport, pattern: str, after: int = 0) -> None:
    """The served answer to the matching request number ``after`` (0-based) times out: a rewriter
    that raises ``requests.Timeout`` (ScriptedTransport's scripted answers are HTTP responses)."""
    seen = {"n": 0}

    def fn(body):
        seen["n"] += 1
        if seen["n"] == after + 1:
            raise requests.Timeout("read timed out")
        return body

    transport.rewrite(pattern, fn)


def _client(faults=(), sim=None, rewrite=None, credentials=CREDS):
    """A client on the simulator whose first requests get ``faults`` in order; ``rewrite``: a
    function of every served JSON body. The transport's ``sent`` holds every request."""
    transport = ScriptedTransport().serve(BASE, sim or rapid_sim.Simulator(AS_OF, [HANDLE]))
    api = re.escape(BASE + "/")
    for i, fault in enumerate(faults):
        if fault == "timeout":
            _time_out(transport, api, after=i)
        else:
            transport.script(api, FAULTS[fault], after=i)
    if rewrite is not None:
        transport.rewrite(api, rewrite)
    slept: list[float] = []
    session = transport.install(requests.Session())
    return rapid.Client(HttpClient(session, sleep=slept.append), credentials=credentials), slept, transport


@pytest.fixture(scope="module")
def pulled():
    client, _, transport = _client()
    client.pull(_account())
    return client, rapid.Client.parse(client.http.responses), transport


@pytest.fixture(scope="module")
def sim():
    return rapid_sim.Simulator(AS_OF, [HANDLE])


def test_identity():
    assert rapid.Client.platform == "tiktok" and rapid.Client.provider_name == "rapidapi_tiktok"
    assert rapid.Client.update_window_days == 30


def test_headers_and_key_never_recorded(pulled):
    client, _, transport = pulled
    assert all(s.headers["X-RapidAPI-Key"] == CREDS["rapidapi_key"] for s in transport.sent)
    assert all(s.headers["X-RapidAPI-Host"] == "tiktok-scraper7.p.rapidapi.com" for s in transport.sent)
    assert all(CREDS["rapidapi_key"] not in repr(r.request_params) for r in client.http.responses)


def test_host_header_from_credentials():
    client, _, transport = _client(credentials={**CREDS, "rapidapi_host": "custom.p.rapidapi.com"})
    client.pull(_account(posts=1))
    assert transport.sent[0].headers["X-RapidAPI-Host"] == "custom.p.rapidapi.com"


def test_profile_and_posts_match_world(pulled, sim):
    _, parsed, _ = pulled
    acct = world.account("tiktok", HANDLE)
    assert parsed.account["external_user_id"] == sim.account_id(acct)
    assert parsed.account["followers_count"] == acct.followers(AS_OF)
    assert parsed.account["posts_count"] == len(acct.posts_until(AS_OF))
    assert parsed.account["display_name"] == acct.display_name
    expected = acct.posts_until(AS_OF)[:POSTS]
    assert [p["external_post_id"] for p in parsed.posts] == [sim.post_id(p) for p in expected]
    for rec, post in zip(parsed.posts, expected):
        m = post.metrics(AS_OF)
        assert (rec["views_count"], rec["likes_count"], rec["saves_count"], rec["shares_count"], rec["comments_count"]) == (
            m["views"], m["likes"], m["saves"], m["shares"], m["comments"]
        )
        assert rec["posted_at"] == post.posted_at and rec["caption"] == post.caption and rec["title"] is None
        assert rec["post_url"] == f"https://www.tiktok.com/@{HANDLE}/video/{sim.post_id(post)}"
        assert rec["reach"] is None and rec["impressions"] is None
        assert rec["thumbnail_url"] and rec["thumbnail_url"] == rec["media_url"]  # the video's cover
    assert parsed.demographics is None


def test_same_video_ids_as_the_display_api(sim):
    from social_pipeline.simulator import tiktok as display_sim

    post = world.account("tiktok", HANDLE).posts_until(AS_OF)[0]
    assert sim.post_id(post) == display_sim.Simulator(AS_OF, [HANDLE]).post_id(post)


def test_comments_and_replies(pulled, sim):
    client, parsed, _ = pulled
    expected = world.account("tiktok", HANDLE).posts_until(AS_OF)[:POSTS]
    assert len(parsed.comments) == sum(len(p.comments(AS_OF)) for p in expected)
    assert any(r.endpoint == "scraper/comment/reply" for r in client.http.responses)
    post = max(expected, key=lambda p: len(p.comments(AS_OF)))
    by_seq = {c.seq: c for c in post.comments(AS_OF)}
    ours = {c["external_comment_id"]: c for c in parsed.comments if c["external_post_id"] == sim.post_id(post)}
    for wc in post.comments(AS_OF):
        rec = ours[sim.comment_id(wc)]
        root = wc
        while root.parent_seq is not None:
            root = by_seq[root.parent_seq]
        assert rec["parent_external_comment_id"] == (None if wc.parent_seq is None else sim.comment_id(root))
        assert rec["comment_text"] == wc.text and rec["author_username"] == wc.author
        assert rec["likes_count"] == wc.likes(AS_OF) and rec["commented_at"] == wc.created_at


def test_refresh_by_id(sim):
    everything = world.account("tiktok", HANDLE).posts_until(AS_OF)
    old = everything[40:43]
    ids = [sim.post_id(everything[0]), *(sim.post_id(p) for p in old), "7000000000000000001"]
    client, _, _ = _client()
    client.pull(_account(posts=2, refresh=ids))
    lookups = [r for r in client.http.responses if r.endpoint == "scraper/video"]
    assert len(lookups) == 4  # the listed one is not asked again; the unknown one is skipped
    parsed = rapid.Client.parse(client.http.responses)
    got = [p["external_post_id"] for p in parsed.posts]
    assert len(got) == len(set(got)) == 5
    by_id = {p["external_post_id"]: p for p in parsed.posts}
    for post in old:
        assert by_id[sim.post_id(post)]["views_count"] == post.metrics(AS_OF)["views"]


def test_missing_key_names_the_variable():
    client, _, transport = _client(credentials={})
    with pytest.raises(PlatformError, match="SOCIAL_PIPELINE_TIKTOK_RAPIDAPI_KEY"):
        client.pull(_account())
    assert transport.sent == []


def test_rejected_key_says_what_to_check():
    client, _, _ = _client(credentials={"rapidapi_key": "live-but-wrong-key"})
    with pytest.raises(PlatformError) as exc:
        client.pull(_account())
    assert exc.value.status_code == 401
    assert "SOCIAL_PIPELINE_TIKTOK_RAPIDAPI_KEY" in str(exc.value) and "live-but-wrong-key" not in str(exc.value)


@pytest.mark.parametrize("fault", ["500", "timeout", "truncated"])
def test_transient_failure_then_success(fault):
    client, slept, _ = _client([fault])
    client.pull(_account(posts=1))
    info = [r for r in client.http.responses if r.endpoint == "scraper/user/info"]
    assert [r.attempt for r in info] == [1, 2] and not info[0].ok and info[1].ok
    assert len(slept) == 1
    assert rapid.Client.parse(client.http.responses).account["followers_count"] is not None


def test_in_body_rate_limit_is_retried():
    client, slept, _ = _client(sim=rapid_sim.Simulator(AS_OF, [HANDLE], throttle_first=1))
    client.pull(_account(posts=1))
    info = [r for r in client.http.responses if r.endpoint == "scraper/user/info"]
    assert [r.status_code for r in info] == [200, 200] and info[0].error.startswith("throttled")
    assert len(slept) == 1


def test_other_nonzero_code_is_an_error():
    class _Broken(rapid_sim.Simulator):
        def handle(self, request):
            if request.path.startswith("/user/posts"):
                return rapid_sim._fail("User not exist or private")
            return super().handle(request)

    client, _, _ = _client(sim=_Broken(AS_OF, [HANDLE]))
    with pytest.raises(PlatformError, match="User not exist"):
        client.pull(_account())
    assert rapid.Client.throttled({"code": -1, "msg": "User not exist or private"}) is None


def test_unicode_captions_round_trip():
    def rewrite(payload):
        for video in (payload.get("data") or {}).get("videos") or []:
            video["title"] = WEIRD_CAPTION
        return payload

    client, _, _ = _client(rewrite=rewrite)
    client.pull(_account(posts=2))
    assert [p["caption"] for p in rapid.Client.parse(client.http.responses).posts] == [WEIRD_CAPTION] * 2


def test_extra_fields_ignored_missing_optional_metric_is_none(pulled):
    client, _, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    page = next(r for r in responses if r.endpoint == "scraper/user/posts" and r.ok)
    page.payload["data"]["videos"][0]["anchors_extras"] = "whatever"
    page.payload["data"]["videos"][0].pop("collect_count")
    parsed = rapid.Client.parse(responses)
    assert parsed.posts[0]["saves_count"] is None and parsed.posts[0]["views_count"] is not None


@pytest.mark.parametrize(
    "endpoint, mutation",
    [
        ("scraper/user/info", lambda p: p["data"]["user"].pop("id")),
        ("scraper/user/info", lambda p: p["data"].update(user=None)),
        ("scraper/user/posts", lambda p: [p["data"]["videos"][0].pop(k) for k in ("video_id", "aweme_id")]),
        ("scraper/user/posts", lambda p: p["data"]["videos"][0].pop("create_time")),
        ("scraper/user/posts", lambda p: p["data"]["videos"][0].update(play_count=-1)),
        ("scraper/user/posts", lambda p: p["data"].update(videos="none")),
        ("scraper/comment/list", lambda p: p["data"]["comments"][0].pop("id")),
    ],
)
def test_malformed_payload_is_a_parse_error(pulled, endpoint, mutation):
    client, _, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    mutation(next(r for r in responses if r.endpoint == endpoint and r.ok).payload)
    with pytest.raises(ParseError):
        rapid.Client.parse(responses)
