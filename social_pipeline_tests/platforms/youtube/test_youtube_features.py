"""YouTube quirks: hashtags from title and description, keywords, engagedViews and the views
counting method, quota per method, errors that say which credential to fix."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, PlatformError, RawResponse
from social_pipeline.platforms.youtube.client import KEY_HINT, QUOTA_COST, Client
from social_pipeline.platforms.youtube.parse import (
    METHOD_2026,
    METHOD_LEGACY,
    METHOD_SHORTS_2025,
    video_hashtags,
    views_method,
)
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline.simulator.youtube import Simulator

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "demo_creator"


def _account(token: str | None = "demo", posts: int = 5) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="youtube",
        handle=HANDLE,
        access_token=demo_token("youtube", HANDLE) if token == "demo" else token,
        posts_per_fetch=posts,
    )


def _client(credentials=None) -> Client:
    sim = Simulator(AS_OF, [HANDLE])
    session = requests.Session()
    for base in (Client.default_base_url, Client.default_analytics_base_url, Client.default_oauth_base_url):
        mount(session, base, sim)
    return Client(HttpClient(session, sleep=lambda s: None), credentials=credentials)


# -- tags -------------------------------------------------------------------------------------
def test_hashtags_come_from_title_then_description_once_each():
    assert video_hashtags("My #Trip to #Rome", "More #rome and #food, see https://x.y/#frag C# &#39;") == [
        "trip",
        "rome",
        "food",
    ]
    assert video_hashtags(None, None) == [] and video_hashtags("#2026 only digits", "") == []


def test_parsed_posts_carry_hashtags_and_keywords_separately():
    client = _client()
    client.pull(_account())
    videos = {r.endpoint: r for r in client.http.responses}["videos.list"].payload["items"]
    # A title hashtag YouTube links but the description does not hold, and tags as keywords.
    videos[0]["snippet"]["title"] = "Launch day #BigNews #Launch"
    videos[0]["snippet"]["description"] = "all about it #bignews #extra"
    videos[0]["snippet"]["tags"] = ["launch", "news", "launch"]
    parsed = Client.parse(client.http.responses)
    post = next(p for p in parsed.posts if p["external_post_id"] == videos[0]["id"])
    assert post["hashtags"] == ["bignews", "launch", "extra"]
    assert post["keywords"] == ["launch", "news"]
    videos[0]["snippet"].pop("tags")
    parsed = Client.parse(client.http.responses)
    post = next(p for p in parsed.posts if p["external_post_id"] == videos[0]["id"])
    assert post["keywords"] is None


# -- views methodology ------------------------------------------------------------------------
def test_views_method_follows_the_pull_day_and_the_format():
    assert views_method(date(2025, 3, 30), 30) == METHOD_LEGACY
    assert views_method(date(2025, 3, 31), 30) == METHOD_SHORTS_2025
    assert views_method(date(2025, 3, 31), 600) == METHOD_LEGACY
    assert views_method(date(2026, 8, 26), 600) == METHOD_LEGACY
    assert views_method(date(2026, 8, 27), 600) == METHOD_2026 == "youtube-2026-08-27"
    assert views_method(None, 30) is None


def test_engaged_views_are_read_with_oauth_and_null_with_a_key():
    client = _client()
    client.pull(_account())
    report = [r for r in client.http.responses if r.endpoint == "reports.query#videos"]
    assert report and "engagedViews" in report[0].request_params["metrics"]
    parsed = Client.parse(client.http.responses)
    for post in parsed.posts:
        assert isinstance(post["engaged_views"], int) and post["engaged_views"] <= post["views_count"]
        assert post["views_method"] == METHOD_2026  # pulled today (after 2026-08-27)
    keyed = _client(credentials={"api_key": "demo-youtube-key"})
    keyed.pull(_account(token=None, posts=2))
    assert all(p["engaged_views"] is None for p in Client.parse(keyed.http.responses).posts)


def test_views_method_is_computed_from_the_day_of_the_pull():
    client = _client()
    client.pull(_account(posts=3))
    old_day = datetime(2026, 1, 5, tzinfo=timezone.utc)
    moved = [
        RawResponse(**{**r.__dict__, "fetched_at": old_day}) if r.endpoint == "channels.list" else r
        for r in client.http.responses
    ]
    methods = {p["views_method"] for p in Client.parse(moved).posts}
    assert methods <= {METHOD_LEGACY, METHOD_SHORTS_2025} and methods


def test_a_retired_engaged_views_metric_degrades_to_null():
    sim = Simulator(AS_OF, [HANDLE], retired_metrics={"engagedViews"})
    session = requests.Session()
    for base in (Client.default_base_url, Client.default_analytics_base_url):
        mount(session, base, sim)
    client = Client(HttpClient(session, sleep=lambda s: None))
    client.pull(_account(posts=2))
    posts = Client.parse(client.http.responses).posts
    assert posts and all(p["engaged_views"] is None and p["watch_time_seconds"] is not None for p in posts)


# -- quota ------------------------------------------------------------------------------------
def test_quota_cost_table_is_per_method():
    assert QUOTA_COST["search.list"] == 100
    for method in ("channels.list", "playlistItems.list", "videos.list", "commentThreads.list", "comments.list"):
        assert QUOTA_COST[method] == 1
    client = _client()
    client.pull(_account(posts=2))
    for r in client.http.responses:
        if not r.endpoint.startswith("reports.query"):
            assert r.cost_units == QUOTA_COST[r.endpoint]


# -- errors that say what to fix --------------------------------------------------------------
def test_bad_api_key_names_the_variable_and_quotes_google_whole():
    client = _client(credentials={"api_key": "bad-key-SECRET-42"})
    with pytest.raises(PlatformError) as info:
        client.pull(_account(token=None))
    message = str(info.value)
    assert info.value.status_code == 400
    assert "SOCIAL_PIPELINE_YOUTUBE_API_KEY" in message and HANDLE in message
    assert "API_KEY_INVALID" in message and "googleapis.com" in message and "badRequest" in message
    assert "API key not valid. Please pass a valid API key." in message
    assert "bad-key-SECRET-42" not in message
    assert len(client.http.responses) == 1  # not retried
    # The quoted body is whole JSON, not cut in the middle.
    quoted = message[message.index("HTTP 400: ") + len("HTTP 400: ") : message.index(" -- ")]
    assert json.loads(quoted)["details"][0]["reason"] == "API_KEY_INVALID"
    assert KEY_HINT in message


def test_refused_oauth_token_names_the_column_and_the_client_variables():
    client = _client()
    with pytest.raises(PlatformError) as info:
        client.pull(_account(token="sekret-token-123"))
    message = str(info.value)
    assert info.value.status_code == 401 and HANDLE in message
    assert "social_accounts.access_token" in message
    assert "SOCIAL_PIPELINE_YOUTUBE_CLIENT_ID" in message and "_CLIENT_SECRET" in message
    assert "UNAUTHENTICATED" in message and "sekret-token-123" not in message
