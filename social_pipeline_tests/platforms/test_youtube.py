"""YouTube client + parser against the simulator (no network, no database)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.platforms.youtube import Client, parse_duration
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimResponse, demo_token, mount
from social_pipeline.simulator.youtube import Simulator

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "demo_creator"
PER_FETCH = 23  # more than one page (the simulator serves 10 per page)


def _account(token: str | None = "demo", posts: int = PER_FETCH) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="youtube",
        handle=HANDLE,
        access_token=demo_token("youtube", HANDLE) if token == "demo" else token,
        posts_per_fetch=posts,
    )


def _client(sim: Simulator | None = None, credentials=None) -> Client:
    sim = sim or Simulator(AS_OF, [HANDLE])
    session = requests.Session()
    mount(session, Client.default_base_url, sim)
    mount(session, Client.default_analytics_base_url, sim)
    return Client(HttpClient(session, sleep=lambda s: None), credentials=credentials)


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())
    return client, Client.parse(client.http.responses)


def _world_videos():
    acct = world.account("youtube", HANDLE)
    return [p for p in acct.posts_until(AS_OF) if p.kind == "video"]


def test_account_matches_world(pulled):
    client, parsed = pulled
    acct = world.account("youtube", HANDLE)
    followers = acct.followers(AS_OF)
    digits = len(str(followers))
    rounded = followers // 10 ** (digits - 3) * 10 ** (digits - 3)  # YouTube shows 3 significant figures
    assert parsed.account["followers_count"] == rounded
    assert parsed.account["subscribers_count"] == rounded
    assert parsed.account["posts_count"] == len(_world_videos())
    assert parsed.account["total_views"] == sum(p.views(AS_OF) for p in _world_videos())
    assert parsed.account["following_count"] is None
    assert parsed.account["external_user_id"].startswith("UC") and len(parsed.account["external_user_id"]) == 24
    # Analytics (OAuth) minutes stay minutes at account level
    watched = sum(p.metrics(AS_OF)["watch_time_seconds"] for p in _world_videos())
    assert parsed.account["watch_time_minutes"] == round(watched / 60)


def test_posts_paginated_and_match_world(pulled):
    client, parsed = pulled
    assert len([r for r in client.http.responses if r.endpoint == "playlistItems.list"]) == 3
    assert len(parsed.posts) == PER_FETCH
    sim = Simulator(AS_OF, [HANDLE])
    videos = _world_videos()[:PER_FETCH]
    assert [p["external_post_id"] for p in parsed.posts] == [sim.post_id(v) for v in videos]
    for post, video in zip(parsed.posts, videos):
        m = video.metrics(AS_OF)
        assert post["posted_at"] == video.posted_at
        assert post["views_count"] == m["views"]
        assert post["likes_count"] == (None if sim.hides_likes(video) else m["likes"])
        assert post["duration"] == video.duration
        assert post["media_type"] == "video"
        assert post["post_url"] == f"https://www.youtube.com/watch?v={post['external_post_id']}"
        assert post["title"] == video.title and post["caption"] == video.caption
        # minutes -> seconds; averageViewPercentage is already percent
        assert post["watch_time_seconds"] == round(m["watch_time_seconds"] / 60) * 60
        assert post["completion_rate"] == pytest.approx(m["completion_rate"], abs=0.01)
        assert post["shares_count"] == m["shares"]
        assert post["saves_count"] is None and post["impressions"] is None and post["reach"] is None
    assert any(p["likes_count"] is None for p in parsed.posts)  # hidden likes stay unknown


def test_comments_and_replies(pulled):
    client, parsed = pulled
    sim = Simulator(AS_OF, [HANDLE])
    video = _world_videos()[3]
    vid = sim.post_id(video)
    mine = [c for c in parsed.comments if c["external_post_id"] == vid]
    assert len(mine) == len(video.comments(AS_OF))
    by_id = {c["external_comment_id"]: c for c in mine}
    replies = [c for c in mine if c["parent_external_comment_id"]]
    assert replies, "expected replies in the sample"
    for reply in replies:
        parent = by_id[reply["parent_external_comment_id"]]
        assert parent["parent_external_comment_id"] is None  # one level on YouTube
        assert reply["external_comment_id"].startswith(parent["external_comment_id"] + ".")
    first = min(video.comments(AS_OF), key=lambda c: c.seq)
    rec = by_id[sim.comment_id(video, first)]
    assert rec["comment_text"] == first.text
    assert rec["likes_count"] == first.likes(AS_OF)
    assert rec["commented_at"] == first.created_at


def test_demographics_fold_age_buckets(pulled):
    _, parsed = pulled
    expected = world.account("youtube", HANDLE).demographics(AS_OF)
    for key in ("age_13_17", "age_18_24", "age_25_34", "age_35_44", "age_45_plus", "gender_male", "gender_female"):
        assert parsed.demographics[key] == pytest.approx(expected[key], abs=0.02)


def test_api_key_only_skips_analytics():
    client = _client(credentials={"api_key": "demo-youtube-key"})
    client.pull(_account(token=None, posts=3))
    assert all(r.request_params.get("key") in (None, "[redacted]") for r in client.http.responses)
    assert not any(r.endpoint.startswith("reports.query") for r in client.http.responses)
    parsed = Client.parse(client.http.responses)
    assert len(parsed.posts) == 3
    assert parsed.posts[0]["watch_time_seconds"] is None and parsed.demographics is None
    assert parsed.account["watch_time_minutes"] is None


def test_missing_credentials_names_handle():
    client = _client()
    with pytest.raises(PlatformError) as info:
        client.pull(_account(token=None))
    assert HANDLE in str(info.value) and "api_key" in str(info.value)


def test_bad_token_is_fatal_and_not_leaked():
    client = _client()
    with pytest.raises(PlatformError) as info:
        client.pull(_account(token="sekret-token-123"))
    assert info.value.status_code == 401
    assert "sekret-token-123" not in str(info.value)


def test_5xx_then_success_is_retried():
    sim = Simulator(AS_OF, [HANDLE])

    class Flaky(Simulator):
        calls = 0

        def handle(self, request):
            Flaky.calls += 1
            if Flaky.calls == 1:
                return SimResponse(503, {"error": {"code": 503, "message": "Backend Error", "errors": [{"reason": "backendError"}]}})
            return sim.handle(request)

    client = _client(Flaky(AS_OF, [HANDLE]))
    client.pull(_account(posts=2))
    first = client.http.responses[0]
    assert first.status_code == 503 and client.http.responses[1].attempt == 2
    assert Client.parse(client.http.responses).account["followers_count"] > 0


def test_duration_parsing():
    assert parse_duration("PT1M5S") == 65
    assert parse_duration("PT2H") == 7200
    assert parse_duration("P1DT3M") == 86580
    assert parse_duration("P0D") == 0
    with pytest.raises(ParseError):
        parse_duration("1:05")


def _mutated(pulled, endpoint, mutate):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    target = next(r for r in responses if r.endpoint == endpoint)
    mutate(target.payload)
    return responses


def test_malformed_payloads_raise_parse_error(pulled):
    cases = [
        ("channels.list", lambda p: p["items"][0].pop("statistics")),
        ("channels.list", lambda p: p["items"][0]["statistics"].update(subscriberCount="-5")),
        ("videos.list", lambda p: p["items"][0]["statistics"].update(viewCount=[1])),
        ("videos.list", lambda p: p["items"][0]["snippet"].pop("publishedAt")),
        ("commentThreads.list", lambda p: p["items"][0]["snippet"].pop("topLevelComment")),
        ("reports.query#demographics", lambda p: p.update(rows="nope")),
    ]
    for endpoint, mutate in cases:
        with pytest.raises(ParseError):
            Client.parse(_mutated(pulled, endpoint, mutate))


def test_hidden_subscribers_and_disabled_comments_are_none(pulled):
    def hide(p):
        p["items"][0]["statistics"]["hiddenSubscriberCount"] = True
        p["items"][0]["statistics"].pop("subscriberCount")

    parsed = Client.parse(_mutated(pulled, "channels.list", hide))
    assert parsed.account["followers_count"] is None and parsed.account["subscribers_count"] is None
    parsed = Client.parse(_mutated(pulled, "videos.list", lambda p: p["items"][0]["statistics"].pop("commentCount")))
    assert parsed.posts[0]["comments_count"] is None
