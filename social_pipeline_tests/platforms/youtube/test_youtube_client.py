"""YouTube client + parser against the simulator (no network, no database). The quirks added for
issue 13 are in test_youtube_features.py, the documented payloads in test_youtube_documented.py."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
import requests

from social_pipeline.platforms.base import REDACTED, AccountRef, HttpClient, ParseError, PlatformError
from social_pipeline.platforms.ratelimit import QuotaBudget
from social_pipeline.platforms.youtube.client import Client, next_quota_reset
from social_pipeline.platforms.youtube.parse import parse_duration
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimResponse, demo_token, mount
from social_pipeline.simulator.youtube import Simulator

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "demo_creator"
PER_FETCH = 23  # more than one page (the simulator serves 10 per page)


def _account(token: str | None = "demo", posts: int = PER_FETCH, refresh: tuple[str, ...] = ()) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="youtube",
        handle=HANDLE,
        access_token=demo_token("youtube", HANDLE) if token == "demo" else token,
        posts_per_fetch=posts,
        refresh_post_ids=refresh,
    )


def _client(sim: Simulator | None = None, credentials=None, **http_kwargs) -> Client:
    sim = sim or Simulator(AS_OF, [HANDLE])
    session = requests.Session()
    mount(session, Client.default_base_url, sim)
    mount(session, Client.default_analytics_base_url, sim)
    mount(session, Client.default_oauth_base_url, sim)
    http_kwargs.setdefault("sleep", lambda s: None)
    return Client(HttpClient(session, **http_kwargs), credentials=credentials)


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


# -- refresh by id ----------------------------------------------------------------------------
def test_refresh_by_id_returns_old_videos_with_current_metrics_once():
    sim = Simulator(AS_OF, [HANDLE])
    videos = _world_videos()
    old = [sim.post_id(v) for v in videos[8:11]]
    newest = sim.post_id(videos[1])
    client = _client()
    client.pull(_account(posts=3, refresh=(old[0], newest, old[1], old[0], old[2])))
    parsed = Client.parse(client.http.responses)
    ids = [p["external_post_id"] for p in parsed.posts]
    assert len(ids) == len(set(ids)) == 6
    assert ids == [sim.post_id(v) for v in videos[:3]] + old
    for rec, video in zip(parsed.posts[3:], videos[8:11]):
        m = video.metrics(AS_OF)
        assert rec["views_count"] == m["views"] and rec["posted_at"] == video.posted_at
        assert rec["shares_count"] == m["shares"]  # per-video analytics cover refreshed videos too
    lookups = [r for r in client.http.responses if r.endpoint == "videos.list"]
    assert len(lookups) == 1 and all(i in lookups[0].request_params["id"] for i in old)
    threads = {r.request_params["videoId"] for r in client.http.responses if r.endpoint == "commentThreads.list"}
    assert not threads & set(old)  # comments of refreshed videos are not re-read (quota)
    assert Client.update_window_days == 30


def test_parse_keeps_the_newest_fetch_of_a_duplicated_video(pulled):
    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    again = copy.deepcopy(next(r for r in responses if r.endpoint == "videos.list"))
    again.page_index = 99
    again.payload["items"] = again.payload["items"][:1]
    again.payload["items"][0]["statistics"]["viewCount"] = "999999999"
    responses.append(again)
    parsed = Client.parse(responses)
    ids = [p["external_post_id"] for p in parsed.posts]
    assert len(ids) == len(set(ids)) == PER_FETCH
    assert parsed.posts[0]["views_count"] == 999999999


# -- transient failures -----------------------------------------------------------------------
class Scripted(Simulator):
    """Answers the first requests with scripted faults, then like the simulator."""

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
        (SimResponse(429, {"error": {"code": 429, "message": "Too many requests", "errors": [{"reason": "rateLimitExceeded"}]}}, {"Retry-After": "2"}), 429),
        (SimResponse(500, {"error": {"code": 500, "message": "Internal error", "errors": [{"reason": "backendError"}]}}), 500),
        ("timeout", None),
        (SimResponse(200, '{"kind": "youtube#channelListResponse", "items": [{"id": "UC'), 200),
    ],
    ids=["429-retry-after", "500", "timeout", "truncated-json"],
)
def test_transient_failure_then_success(fault, status):
    slept: list[float] = []
    client = _client(Scripted([fault]), sleep=slept.append)
    client.pull(_account(posts=2))
    first, second = client.http.responses[:2]
    assert first.endpoint == second.endpoint == "channels.list"
    assert (first.attempt, second.attempt) == (1, 2) and first.status_code == status and not first.ok and second.ok
    assert len(slept) == 1
    if status == 429:
        assert slept[0] >= 2
    assert Client.parse(client.http.responses).account["followers_count"] > 0


# -- payload shapes ---------------------------------------------------------------------------
def test_extra_fields_are_ignored_and_missing_ones_handled(pulled):
    client, parsed = pulled

    def add_extra(p):
        p["brandNewTopLevel"] = {"x": 1}
        p["items"][0]["statistics"]["someNewCount"] = "5"
        p["items"][0]["snippet"]["defaultAudioLanguage"] = "en"

    responses = copy.deepcopy(client.http.responses)
    for r in responses:
        if r.endpoint == "videos.list" and r.payload:
            add_extra(r.payload)
    assert Client.parse(responses).posts == parsed.posts
    # a missing optional metric is None, not 0
    hidden = Client.parse(_mutated(pulled, "videos.list", lambda p: p["items"][0]["statistics"].pop("likeCount", None)))
    assert hidden.posts[0]["likes_count"] is None
    # a missing required field is a ParseError
    with pytest.raises(ParseError):
        Client.parse(_mutated(pulled, "videos.list", lambda p: p["items"][0].pop("id")))


def test_unicode_text_round_trips_unchanged():
    text = "Cafe\u0301 ☕️ 👩🏽‍💻 🇯🇵 — مرحبا بالعالم · שלום עולם · e\u0301\u0323 \u202bRTL\u202c"

    class Fancy(Simulator):
        def handle(self, request):
            answer = super().handle(request)
            if request.path == "/videos" and answer.status == 200:
                answer.body["items"][0]["snippet"]["description"] = text
                answer.body["items"][0]["snippet"]["title"] = text[:40]
            if request.path == "/commentThreads" and answer.status == 200 and answer.body["items"]:
                answer.body["items"][0]["snippet"]["topLevelComment"]["snippet"]["textOriginal"] = text
            return answer

    client = _client(Fancy(AS_OF, [HANDLE]))
    client.pull(_account(posts=5))
    parsed = Client.parse(copy.deepcopy(client.http.responses))
    assert parsed.posts[0]["caption"] == text and parsed.posts[0]["title"] == text[:40]
    assert text in {c["comment_text"] for c in parsed.comments}


# -- tokens -----------------------------------------------------------------------------------
def test_expired_token_names_account_and_what_to_do():
    expired = demo_token("youtube", HANDLE) + "-expired"
    client = _client()
    with pytest.raises(PlatformError) as info:
        client.pull(_account(token=expired))
    message = str(info.value)
    assert info.value.status_code == 401 and HANDLE in message
    assert "reconnect" in message and "refresh" in message
    assert expired not in message and demo_token("youtube", HANDLE) not in message
    assert len(client.http.responses) == 1  # not retried


CREDS = {"client_id": "demo-client.apps.googleusercontent.com", "client_secret": "demo-client-secret"}


def test_token_refresh_success_records_no_secret():
    client = _client(credentials=CREDS)
    before = datetime.now(timezone.utc)
    grant = client.refresh_access_token(_account(token=None), "demo-refresh-" + HANDLE)
    assert grant.access_token == demo_token("youtube", HANDLE)
    assert grant.refresh_token is None  # Google keeps the refresh token
    assert 3500 < (grant.expires_at - before).total_seconds() <= 3600
    (exchange,) = client.http.responses
    recorded = repr(exchange.request_params) + repr(exchange.payload)
    assert "demo-refresh" not in recorded and "demo-client-secret" not in recorded
    assert exchange.payload["access_token"] == REDACTED and exchange.request_params == {"grant_type": "refresh_token"}
    # the new token works
    client.pull(_account(token=grant.access_token, posts=2))


def test_token_refresh_uses_configured_oauth_host():
    sim = Simulator(AS_OF, [HANDLE])
    session = requests.Session()
    mount(session, "http://oauth.test", sim)
    client = Client(HttpClient(session, sleep=lambda s: None), credentials={**CREDS, "oauth_base_url": "http://oauth.test/"})
    assert client.refresh_access_token(_account(), "demo-refresh-" + HANDLE).access_token == demo_token("youtube", HANDLE)


def test_token_refresh_failures():
    client = _client(credentials=CREDS)
    with pytest.raises(PlatformError) as info:
        client.refresh_access_token(_account(), "revoked-refresh-token-123")
    message = str(info.value)
    assert info.value.status_code == 400 and "invalid_grant" in message and "reconnect" in message and HANDLE in message
    assert "revoked-refresh-token-123" not in message and "demo-client-secret" not in message
    with pytest.raises(PlatformError) as info:
        _client(credentials={"client_id": "x"}).refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert "SOCIAL_PIPELINE_YOUTUBE_CLIENT_SECRET" in str(info.value)
    with pytest.raises(PlatformError) as info:
        _client().refresh_access_token(_account(), "demo-refresh-" + HANDLE)
    assert "SOCIAL_PIPELINE_YOUTUBE_CLIENT_ID" in str(info.value)


# -- quota ------------------------------------------------------------------------------------
def test_every_data_api_call_costs_one_unit_and_analytics_none(pulled):
    client, _ = pulled
    for r in client.http.responses:
        assert r.cost_units == (None if r.endpoint.startswith("reports.query") else 1), r.endpoint


def test_local_quota_budget_stops_before_the_sixth_unit():
    quota = QuotaBudget(units_per_day=5)
    client = _client(quota=quota)
    with pytest.raises(PlatformError) as info:
        client.pull(_account())
    assert "quota" in str(info.value) and HANDLE in str(info.value)
    assert quota.used == 5
    assert sum(r.cost_units or 0 for r in client.http.responses) == 5
    assert len([r for r in client.http.responses if not r.endpoint.startswith("reports")]) == 5


def test_quota_exceeded_from_server_is_not_retried_and_says_when_it_resets():
    client = _client(Simulator(AS_OF, [HANDLE], quota_exceeded=True))
    with pytest.raises(PlatformError) as info:
        client.pull(_account())
    message = str(info.value)
    assert info.value.status_code == 403 and "quota" in message and "midnight Pacific" in message and HANDLE in message
    assert len(client.http.responses) == 1


def test_server_quota_runs_out_mid_pull():
    sim = Simulator(AS_OF, [HANDLE], daily_units=4)
    client = _client(sim)
    with pytest.raises(PlatformError) as info:
        client.pull(_account())
    assert "quotaExceeded" in str(info.value)
    assert [r.status_code for r in client.http.responses][-1] == 403 and sim.units_used == 4


def test_next_quota_reset_is_midnight_pacific():
    # PST (UTC-8) in November, PDT (UTC-7) in July
    assert next_quota_reset(datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)) == datetime(2026, 11, 21, 8, 0, tzinfo=timezone.utc)
    assert next_quota_reset(datetime(2026, 11, 20, 7, 59, tzinfo=timezone.utc)) == datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    assert next_quota_reset(datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)) == datetime(2026, 7, 2, 7, 0, tzinfo=timezone.utc)


# -- analytics metric retired -----------------------------------------------------------------
def test_unknown_analytics_metric_degrades_to_none():
    client = _client(Simulator(AS_OF, [HANDLE], retired_metrics=["averageViewPercentage"]))
    client.pull(_account(posts=4))
    rejected = [r for r in client.http.responses if r.status_code == 400]
    assert rejected and all(r.endpoint.startswith("reports.query") for r in rejected)
    parsed = Client.parse(client.http.responses)
    assert all(p["completion_rate"] is None for p in parsed.posts)
    assert all(p["watch_time_seconds"] is not None for p in parsed.posts)
    assert parsed.account["watch_time_minutes"] is not None
