"""Instagram client + parser against the simulated Graph API (no network, no database)."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest
import requests

from social_pipeline.platforms.instagram import client as instagram
from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.simulator import instagram as ig_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "sunny.studio"
POSTS = 30  # > one page of 25
BASE = instagram.Client.default_base_url
API = "^" + re.escape(BASE + "/")  # the Graph API host, not the Instagram OAuth host


def _account(token: str | None = "default", posts: int = POSTS, external_id: str | None = None) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="instagram",
        handle=HANDLE,
        access_token=demo_token("instagram", HANDLE) if token == "default" else token,
        posts_per_fetch=posts,
        external_id=external_id,
    )


def _client(sim=None) -> instagram.Client:
    session = requests.Session()
    mount(session, BASE, sim or ig_sim.Simulator(AS_OF, [HANDLE]))
    return instagram.Client(HttpClient(session, sleep=lambda s: None))


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())
    return client, instagram.Client.parse(client.http.responses)


@pytest.fixture(scope="module")
def sim():
    return ig_sim.Simulator(AS_OF, [HANDLE])


def test_profile_matches_world(pulled, sim):
    client, parsed = pulled
    acct = world.account("instagram", HANDLE)
    assert client.http.responses[0].endpoint == "me"  # no external_id: the id comes from /me
    assert parsed.account["external_user_id"] == sim.account_id(acct)
    assert parsed.account["followers_count"] == acct.followers(AS_OF)
    assert parsed.account["following_count"] == acct.following(AS_OF)
    assert parsed.account["posts_count"] == len(acct.posts_until(AS_OF))
    assert parsed.account["display_name"] == acct.display_name
    assert parsed.account["total_likes"] is None


def test_external_id_skips_me():
    sim = ig_sim.Simulator(AS_OF, [HANDLE])
    client = _client(sim)
    client.pull(_account(posts=2, external_id=sim.account_id(world.account("instagram", HANDLE))))
    assert all(r.endpoint != "me" for r in client.http.responses)
    assert len(instagram.Client.parse(client.http.responses).posts) == 2


def test_posts_paginate_and_match_world(pulled, sim):
    client, parsed = pulled
    pages = [r for r in client.http.responses if r.endpoint == "ig-user/media"]
    assert [r.request_params["limit"] for r in pages] == [25, 5]
    assert "after" in pages[1].request_params
    assert len(parsed.posts) == POSTS

    expected = world.account("instagram", HANDLE).posts_until(AS_OF)[:POSTS]
    assert [p["external_post_id"] for p in parsed.posts] == [sim.post_id(p) for p in expected]
    by_id = {p["external_post_id"]: p for p in parsed.posts}

    video = next(p for p in expected if p.kind == "video")
    rec, m = by_id[sim.post_id(video)], video.metrics(AS_OF)
    assert rec["media_type"] == "video"
    assert rec["posted_at"] == video.posted_at
    assert rec["views_count"] == m["views"]
    assert rec["likes_count"] == m["likes"]
    assert rec["comments_count"] == m["comments"]
    assert rec["shares_count"] == m["shares"]
    assert rec["saves_count"] == m["saves"]
    assert rec["reach"] == m["reach"]
    assert rec["watch_time_seconds"] == pytest.approx(m["watch_time_seconds"])  # ms -> s
    assert rec["post_url"].startswith("https://www.instagram.com/reel/") and rec["post_url"].endswith("/")
    for key in ("impressions", "completion_rate", "duration"):
        assert rec[key] is None

    image = next(p for p in expected if p.kind in ("image", "text"))
    rec = by_id[sim.post_id(image)]
    assert rec["media_type"] == "image"
    assert rec["watch_time_seconds"] is None
    assert rec["post_url"].startswith("https://www.instagram.com/p/")
    assert rec["views_count"] == image.metrics(AS_OF)["views"]


def test_comments_and_one_level_replies(pulled, sim):
    client, parsed = pulled
    expected = world.account("instagram", HANDLE).posts_until(AS_OF)[:POSTS]
    # comment pagination and the per-comment replies edge were both exercised
    assert any(r.page_index > 0 for r in client.http.responses if r.endpoint == "ig-media/comments")
    assert any(r.endpoint == "ig-comment/replies" for r in client.http.responses)
    assert len(parsed.comments) == sum(len(p.comments(AS_OF)) for p in expected)

    post = max(expected, key=lambda p: len(p.comments(AS_OF)))
    world_comments = post.comments(AS_OF)
    by_seq = {c.seq: c for c in world_comments}
    ours = {c["external_comment_id"]: c for c in parsed.comments if c["external_post_id"] == sim.post_id(post)}
    assert len(ours) == len(world_comments)
    for wc in world_comments:
        rec = ours[sim.comment_id(wc)]
        root = wc
        while root.parent_seq is not None:
            root = by_seq[root.parent_seq]
        if wc.parent_seq is None:
            assert rec["parent_external_comment_id"] is None
        else:  # Instagram threads are one level deep: replies hang under the top-level comment
            assert rec["parent_external_comment_id"] == sim.comment_id(root)
        assert rec["commented_at"] == wc.created_at
        assert rec["likes_count"] == wc.likes(AS_OF)
        assert rec["author_username"] == wc.author
        assert rec["comment_text"] == wc.text


def test_demographics_are_percent(pulled):
    _, parsed = pulled
    demo = parsed.demographics
    want = world.account("instagram", HANDLE).demographics(AS_OF)
    for key in ("age_13_17", "age_18_24", "age_25_34", "age_35_44", "age_45_plus", "gender_male", "gender_female"):
        assert demo[key] == pytest.approx(want[key], abs=0.05)
    assert sum(demo[k] for k in ("age_13_17", "age_18_24", "age_25_34", "age_35_44", "age_45_plus")) == pytest.approx(100, abs=0.05)
    assert demo["top_countries"] == pytest.approx(want["top_countries"], abs=0.05)
    assert demo["top_cities"] == pytest.approx(want["top_cities"], abs=0.05)
    assert demo["peak_hours"] == want["peak_hours"]
    assert demo["top_languages"] is None and demo["peak_days"] is None


def test_missing_token_names_handle():
    with pytest.raises(PlatformError) as exc:
        _client().pull(_account(token=None))
    assert HANDLE in str(exc.value)


def test_bad_token_is_a_platform_error_without_the_token():
    with pytest.raises(PlatformError) as exc:
        _client().pull(_account(token="EAAG-not-valid-999"))
    assert "EAAG-not-valid-999" not in str(exc.value)
    assert "190" in str(exc.value)


def test_5xx_is_retried(scripted_transport):
    scripted_transport.serve(BASE, ig_sim.Simulator(AS_OF, [HANDLE]))
    scripted_transport.script(
        API, (500, {}, '{"error": {"message": "An unknown error has occurred.", "type": "OAuthException", "code": 1}}'))
    client = instagram.Client(HttpClient(scripted_transport.install(requests.Session()), sleep=lambda s: None))
    client.pull(_account(posts=3))
    me = [r for r in client.http.responses if r.endpoint == "me"]
    assert [r.status_code for r in me] == [500, 200]
    parsed = instagram.Client.parse(client.http.responses)
    assert parsed.account["followers_count"] == world.account("instagram", HANDLE).followers(AS_OF)
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
        ("ig-user", lambda p: p.pop("id")),
        ("ig-user", lambda p: p.update(followers_count=-1)),
        ("ig-user/media", lambda p: p["data"][0].pop("timestamp")),
        ("ig-user/media", lambda p: p["data"][0].update(like_count="lots")),
        ("ig-user/media", lambda p: p["data"][0].update(media_type="HOLOGRAM")),
        ("ig-user/media", lambda p: p.update(data={"id": 1})),
        ("ig-media/insights", lambda p: p["data"][0].update(values=[{"value": -4}])),
        ("ig-media/insights", lambda p: p["data"][0].pop("id")),
        ("ig-media/comments", lambda p: p["data"][0].pop("media")),
        ("ig-media/comments", lambda p: p["data"][0].update(timestamp="yesterday")),
        ("ig-user/insights", lambda p: p["data"][0].update(total_value=None)),
    ],
)
def test_malformed_payload_is_a_parse_error(pulled, endpoint, mutation):
    responses = _mutate(pulled, endpoint, mutation)
    with pytest.raises(ParseError):
        instagram.Client.parse(responses)


# -- refresh by id, transient failures, tokens, refused metrics ----------------------------------
WEIRD_CAPTION = "Cafe\u0301 ☕ 👩🏽‍💻🇯🇵 — مرحبا بالعالم שלום #日本 e\u0308\u0301"


FAULTS = {  # scripted failures of the first requests, then the simulator answers
    "429": (429, {"Retry-After": "2"},
            '{"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4}}'),
    "500": (500, {}, '{"error": {"message": "An unknown error has occurred.", "type": "OAuthException", "code": 1}}'),
    "truncated": (200, {}, '{"id": "17841'),
}


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


def _faulty(faults=(), sim=None, rewrite=None, credentials=None):
    """``faults`` ("429" with Retry-After: 2, "500", "timeout", "truncated") answer the first Graph
    API requests; ``rewrite`` may edit the simulator's JSON answers (body in, body out)."""
    sim = sim or ig_sim.Simulator(AS_OF, [HANDLE])
    transport = ScriptedTransport().serve(BASE, sim).serve(instagram.Client.default_oauth_base_url, sim)
    for i, fault in enumerate(faults):
        if fault == "timeout":
            _time_out(transport, API, after=i)
        else:
            transport.script(API, FAULTS[fault], after=i)
    if rewrite is not None:
        transport.rewrite(API, rewrite)
    slept: list[float] = []
    session = transport.install(requests.Session())
    return instagram.Client(HttpClient(session, sleep=slept.append), credentials=credentials), slept


def test_refresh_by_id_returns_old_posts_with_current_metrics_once(sim):
    everything = world.account("instagram", HANDLE).posts_until(AS_OF)
    old = everything[10:14]
    ids = (sim.post_id(everything[0]), *(sim.post_id(p) for p in old), "17900000000000000")  # listed, old, deleted
    client, _ = _faulty()
    client.pull(replace(_account(posts=3), refresh_post_ids=ids))
    nodes = [r for r in client.http.responses if r.endpoint == "ig-media"]
    assert [r.status_code for r in nodes] == [200] * 4 + [400]  # the deleted one is skipped
    parsed = instagram.Client.parse(client.http.responses)
    got = [p["external_post_id"] for p in parsed.posts]
    assert len(got) == len(set(got)) == 7
    by_id = {p["external_post_id"]: p for p in parsed.posts}
    for post in old:
        rec, m = by_id[sim.post_id(post)], post.metrics(AS_OF)
        assert rec["views_count"] == m["views"] and rec["reach"] == m["reach"] and rec["saves_count"] == m["saves"]
        assert rec["likes_count"] == m["likes"] and rec["posted_at"] == post.posted_at


def test_429_with_retry_after_then_success():
    client, slept = _faulty(["429"])
    client.pull(_account(posts=2))
    me = [r for r in client.http.responses if r.endpoint == "me"]
    assert [(r.attempt, r.status_code) for r in me] == [(1, 429), (2, 200)]
    assert slept[0] >= 2
    assert len(instagram.Client.parse(client.http.responses).posts) == 2


@pytest.mark.parametrize("fault", ["500", "timeout", "truncated"])
def test_transient_failure_then_success(fault):
    client, slept = _faulty([fault])
    client.pull(_account(posts=2))
    me = [r for r in client.http.responses if r.endpoint == "me"]
    assert [r.attempt for r in me] == [1, 2] and not me[0].ok and me[1].ok
    assert len(slept) == 1
    assert instagram.Client.parse(client.http.responses).account["followers_count"] is not None


def test_expired_token_names_account_and_what_to_do():
    token = demo_token("instagram", HANDLE) + "-expired"
    with pytest.raises(instagram.TokenExpired) as exc:
        _client().pull(_account(token=token))
    message = str(exc.value)
    assert f"@{HANDLE}" in message and "190" in message and "463" in message
    assert "expired" in message and "refresh" in message and "reconnect" in message
    assert demo_token("instagram", HANDLE) not in message


def test_refused_metric_degrades_to_none(sim):
    refusing = ig_sim.Simulator(AS_OF, [HANDLE], refused_metrics={"saved"})
    client, _ = _faulty(sim=refusing)
    client.pull(_account(posts=6))
    insights = [r for r in client.http.responses if r.endpoint == "ig-media/insights"]
    refused = [r for r in insights if not r.ok]
    # Once per media type group (reels, images, carousels), then never asked again.
    groups = {"video": "REELS", "image": "IMAGE", "text": "IMAGE", "carousel": "CAROUSEL_ALBUM"}
    first = world.account("instagram", HANDLE).posts_until(AS_OF)[:6]
    assert len(refused) == len({groups[p.kind] for p in first}) >= 2
    assert all(r.status_code == 400 and r.payload["error"]["code"] == 100 for r in refused)
    parsed = instagram.Client.parse(client.http.responses)
    assert len(parsed.posts) == 6
    expected = world.account("instagram", HANDLE).posts_until(AS_OF)[:6]
    for rec, post in zip(parsed.posts, expected):
        assert rec["saves_count"] is None
        assert rec["reach"] == post.metrics(AS_OF)["reach"]


def test_unclear_refusal_falls_back_to_one_metric_at_a_time():
    class _Vague(ig_sim.Simulator):
        def handle(self, request):
            if request.path.endswith("/insights") and "," in request.query.get("metric", "") and "views" in request.query["metric"]:
                return ig_sim._error(400, 100, "(#100) An unsupported metric was requested")
            if request.path.endswith("/insights") and request.query.get("metric") == "views":
                return ig_sim._error(400, 100, "(#100) Unsupported metric")
            return super().handle(request)

    client, _ = _faulty(sim=_Vague(AS_OF, [HANDLE]))
    client.pull(_account(posts=1))
    parsed = instagram.Client.parse(client.http.responses)
    post = world.account("instagram", HANDLE).posts_until(AS_OF)[0]
    assert parsed.posts[0]["views_count"] is None
    assert parsed.posts[0]["reach"] == post.metrics(AS_OF)["reach"]


def test_refused_metric_parsing():
    asked = ["reach", "saved", "views"]
    assert instagram.refused_metrics("(#100) metric[2] must be one of the following values: reach, saved", asked) == ["views"]
    assert instagram.refused_metrics("(#100) The metric saved is not supported for this media type", asked) == ["saved"]
    assert instagram.refused_metrics("(#100) must be one of the following values: reach, saved, views", asked) == []


def test_extra_fields_ignored_missing_optional_metric_is_none(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    page = next(r for r in responses if r.endpoint == "ig-user/media" and r.ok)
    page.payload["data"][0]["is_shared_to_feed"] = True
    page.payload["data"][0].pop("like_count")  # hidden like counts
    media_id = page.payload["data"][0]["id"]
    for r in responses:
        if r.endpoint == "ig-media/insights" and r.ok:
            r.payload["data"] = [e for e in r.payload["data"] if not (e["id"].startswith(media_id) and e["name"] == "reach")]
    parsed = instagram.Client.parse(responses)
    assert parsed.posts[0]["likes_count"] is None and parsed.posts[0]["reach"] is None
    assert parsed.posts[0]["views_count"] is not None


def test_unicode_captions_round_trip():
    def rewrite(payload):
        for item in payload.get("data") or []:
            if isinstance(item, dict) and "caption" in item:
                item["caption"] = WEIRD_CAPTION
            if isinstance(item, dict) and "text" in item:
                item["text"] = WEIRD_CAPTION[::-1]
        return payload

    client, _ = _faulty(rewrite=rewrite)
    client.pull(_account(posts=3))
    parsed = instagram.Client.parse(client.http.responses)
    assert [p["caption"] for p in parsed.posts] == [WEIRD_CAPTION] * 3
    tops = [c for c in parsed.comments if c["parent_external_comment_id"] is None]
    assert tops and all(c["comment_text"] == WEIRD_CAPTION[::-1] for c in tops)


def test_token_refresh_instagram_login():
    client, _ = _faulty()
    grant = client.refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert grant.access_token == demo_token("instagram", HANDLE)
    assert grant.refresh_token == grant.access_token  # Meta refreshes the long-lived token itself
    assert 5_000_000 < (grant.expires_at - datetime.now(timezone.utc)).total_seconds() < 5_200_000
    assert client.http.responses == []


def test_token_refresh_facebook_login_needs_app_credentials():
    client, _ = _faulty()
    with pytest.raises(PlatformError, match="SOCIAL_PIPELINE_INSTAGRAM_APP_ID"):
        client.refresh_access_token(_account(), "EAAGdemo")
    client, _ = _faulty(credentials={"app_id": "123", "app_secret": "demo-app-secret"})
    grant = client.refresh_access_token(_account(), "demo-refresh-" + HANDLE)  # app configured: fb_exchange_token
    assert grant.access_token == demo_token("instagram", HANDLE)


def test_token_refresh_failure():
    client, _ = _faulty()
    for bad in (demo_token("instagram", HANDLE) + "-expired", "IGQVJ-revoked-token"):
        with pytest.raises(PlatformError) as exc:
            client.refresh_access_token(_account(), bad)
        assert "190" in str(exc.value) and "reconnect" in str(exc.value)
        assert bad not in str(exc.value)
