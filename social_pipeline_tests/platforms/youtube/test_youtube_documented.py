"""YouTube payloads written from the Data API v3 discovery document (``youtube.v3.json`` in
googleapis/google-api-python-client), parsed; and our simulator's payloads checked against the
same schemas (the fields we read, with their documented types and formats)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, RawResponse
from social_pipeline.platforms.youtube.client import Client
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline.simulator.youtube import Simulator

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def _fixture(name: str) -> dict:
    body = json.loads((FIXTURES / name).read_text())
    assert body.pop("_source").startswith(("youtube.v3.json", "youtubeAnalytics.v2.json"))
    return body


def _raw(endpoint: str, payload: dict, page: int = 0) -> RawResponse:
    return RawResponse(endpoint, {}, page, 1, 200, payload, None, 1, FETCHED, cost_units=1)


@pytest.fixture(scope="module")
def parsed():
    responses = [
        _raw("channels.list", _fixture("channels_list.json")),
        _raw("playlistItems.list", _fixture("playlist_items_page1.json"), 0),
        _raw("playlistItems.list", _fixture("playlist_items_page2.json"), 1),
        _raw("videos.list", _fixture("videos_list.json")),
        _raw("commentThreads.list", _fixture("comment_threads.json")),
    ]
    return Client.parse(responses)


@pytest.fixture(scope="module")
def parsed_with_analytics():
    responses = [
        _raw("channels.list", _fixture("channels_list.json")),
        _raw("playlistItems.list", _fixture("playlist_items_page1.json"), 0),
        _raw("playlistItems.list", _fixture("playlist_items_page2.json"), 1),
        _raw("videos.list", _fixture("videos_list.json")),
        _raw("reports.query#channel", _fixture("reports_query_channel.json")),
        _raw("reports.query#videos", _fixture("reports_query_videos.json")),
        _raw("reports.query#demographics", _fixture("reports_query_demographics.json")),
    ]
    return Client.parse(responses)


def test_documented_analytics_reports(parsed_with_analytics):
    parsed = parsed_with_analytics
    posts = {p["external_post_id"]: p for p in parsed.posts}
    first, short, live = posts["vidAAAAAAA1"], posts["vidBBBBBBB2"], posts["vidCCCCCCC3"]
    assert first["engaged_views"] == 9876 and short["engaged_views"] == 2100 and live["engaged_views"] is None
    assert first["watch_time_seconds"] == 90000 * 60 and first["shares_count"] == 31
    assert first["completion_rate"] == 41.26 and short["completion_rate"] == 112.5  # looping Shorts exceed 100
    assert live["watch_time_seconds"] is None and live["shares_count"] is None
    account = parsed.account
    assert account["watch_time_minutes"] == 93000 and account["total_likes"] == 700
    assert account["total_comments"] == 11 and account["total_shares"] == 38
    demo = parsed.demographics
    assert demo["age_18_24"] == 50.0 and demo["age_25_34"] == 25.0 and demo["age_45_plus"] == 25.0
    assert demo["gender_male"] == 55.0 and demo["gender_female"] == 35.0  # user_specified has no column


def test_documented_channel(parsed):
    account = parsed.account
    assert account["external_user_id"] == "UCabcdefghijklmnopqrstuv"
    assert account["display_name"] == "Documented Channel"
    assert account["profile_url"] == "https://www.youtube.com/@documented"
    assert account["followers_count"] is None and account["subscribers_count"] is None  # hidden, not 0
    assert account["posts_count"] == 3 and account["total_views"] == 987654  # uint64 strings


def test_documented_videos_follow_the_playlist_pages(parsed):
    posts = {p["external_post_id"]: p for p in parsed.posts}
    assert [p["external_post_id"] for p in parsed.posts] == ["vidAAAAAAA1", "vidBBBBBBB2", "vidCCCCCCC3"]
    first, short, live = posts["vidAAAAAAA1"], posts["vidBBBBBBB2"], posts["vidCCCCCCC3"]
    assert first["duration"] == 3725 and short["duration"] == 45 and live["duration"] == 0
    assert first["views_count"] == 12345 and first["likes_count"] == 678 and first["comments_count"] == 9
    assert short["likes_count"] is None  # likeCount absent: hidden, NULL not 0
    assert live["comments_count"] is None and live["likes_count"] == 0 and live["views_count"] == 0
    assert first["hashtags"] == ["travel", "summer", "food"] and first["keywords"] == ["road trip", "vlog"]
    assert short["hashtags"] == [] and live["keywords"] is None
    assert first["media_url"] == "https://i.ytimg.com/vi/vidAAAAAAA1/hqdefault.jpg"
    assert first["thumbnail_url"] == "https://i.ytimg.com/vi/vidAAAAAAA1/hqdefault.jpg"
    assert first["posted_at"] == datetime(2026, 11, 19, 8, tzinfo=timezone.utc)
    assert first["engaged_views"] is None  # no Analytics report
    assert {p["views_method"] for p in parsed.posts} == {"youtube-2026-08-27"}


def test_documented_comments(parsed):
    comments = {c["external_comment_id"]: c for c in parsed.comments}
    top, reply = comments["UgzTHREAD1"], comments["UgzTHREAD1.reply1"]
    assert top["parent_external_comment_id"] is None and top["likes_count"] == 4
    assert top["author_username"] == "viewer1" and top["author_external_id"] == "UCviewer1viewer1viewer1v"
    assert reply["parent_external_comment_id"] == "UgzTHREAD1" and reply["comment_text"] == "Thanks"


# -- the simulator against the discovery schemas ----------------------------------------------
# Transcribed from youtube.v3.json (schema name: property -> (type, format)); only what we read.
UINT64, DATETIME = ("string", "uint64"), ("string", "date-time")
SCHEMAS = {
    "ChannelListResponse": {"kind": ("string", None), "items": ("array", "Channel"), "nextPageToken": ("string", None)},
    "Channel": {"id": ("string", None), "snippet": ("object", "ChannelSnippet"), "statistics": ("object", "ChannelStatistics"),
                "contentDetails": ("object", None)},
    "ChannelSnippet": {"title": ("string", None), "customUrl": ("string", None), "publishedAt": DATETIME},
    "ChannelStatistics": {"viewCount": UINT64, "subscriberCount": UINT64, "videoCount": UINT64,
                          "hiddenSubscriberCount": ("boolean", None), "commentCount": UINT64},
    "PlaylistItemListResponse": {"items": ("array", "PlaylistItem"), "nextPageToken": ("string", None)},
    "PlaylistItem": {"id": ("string", None), "contentDetails": ("object", "PlaylistItemContentDetails")},
    "PlaylistItemContentDetails": {"videoId": ("string", None), "videoPublishedAt": DATETIME},
    "VideoListResponse": {"items": ("array", "Video"), "nextPageToken": ("string", None)},
    "Video": {"id": ("string", None), "snippet": ("object", "VideoSnippet"), "statistics": ("object", "VideoStatistics"),
              "contentDetails": ("object", "VideoContentDetails")},
    "VideoSnippet": {"publishedAt": DATETIME, "title": ("string", None), "description": ("string", None),
                     "tags": ("array", "string"), "thumbnails": ("object", None), "channelId": ("string", None)},
    "VideoStatistics": {"viewCount": UINT64, "likeCount": UINT64, "commentCount": UINT64, "favoriteCount": UINT64,
                        "dislikeCount": UINT64},
    "VideoContentDetails": {"duration": ("string", None), "licensedContent": ("boolean", None)},
    "CommentThreadListResponse": {"items": ("array", "CommentThread"), "nextPageToken": ("string", None)},
    "CommentThread": {"id": ("string", None), "snippet": ("object", "CommentThreadSnippet"), "replies": ("object", "CommentThreadReplies")},
    "CommentThreadSnippet": {"videoId": ("string", None), "topLevelComment": ("object", "Comment"), "totalReplyCount": ("integer", "uint32")},
    "CommentThreadReplies": {"comments": ("array", "Comment")},
    "CommentListResponse": {"items": ("array", "Comment"), "nextPageToken": ("string", None)},
    "Comment": {"id": ("string", None), "snippet": ("object", "CommentSnippet")},
    # youtubeAnalytics.v2.json
    "QueryResponse": {"kind": ("string", None), "columnHeaders": ("array", "ResultTableColumnHeader"), "rows": ("array", None)},
    "ResultTableColumnHeader": {"name": ("string", None), "columnType": ("string", None), "dataType": ("string", None)},
    "CommentSnippet": {"videoId": ("string", None), "parentId": ("string", None), "textOriginal": ("string", None),
                       "authorDisplayName": ("string", None), "likeCount": ("integer", "uint32"), "publishedAt": DATETIME},
}
RESPONSE_SCHEMA = {
    "channels.list": "ChannelListResponse",
    "playlistItems.list": "PlaylistItemListResponse",
    "videos.list": "VideoListResponse",
    "commentThreads.list": "CommentThreadListResponse",
    "comments.list": "CommentListResponse",
    "reports.query#channel": "QueryResponse",
    "reports.query#videos": "QueryResponse",
    "reports.query#demographics": "QueryResponse",
}
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_PY = {"string": str, "boolean": bool, "object": dict, "array": list, "integer": int}


def schema_problems(value, schema: str, where: str) -> list[str]:
    """Where ``value`` breaks the transcribed discovery schema (types, uint64 strings, date-times)."""
    problems = []
    if not isinstance(value, dict):
        return [f"{where}: not an object ({schema})"]
    for key, (kind, fmt) in SCHEMAS[schema].items():
        if key not in value:
            continue
        item, at = value[key], f"{where}.{key}"
        if not isinstance(item, _PY[kind]) or (kind == "integer" and isinstance(item, bool)):
            problems.append(f"{at}: {type(item).__name__}, the schema says {kind}")
            continue
        if fmt in ("uint64", "int64") and kind == "string" and not re.fullmatch(r"-?\d+" if fmt == "int64" else r"\d+", item):
            problems.append(f"{at}: {item!r} is not a {fmt} string")
        elif fmt == "date-time" and not _DATETIME.match(item):
            problems.append(f"{at}: {item!r} is not an RFC 3339 date-time")
        elif fmt == "uint32" and item < 0:
            problems.append(f"{at}: negative uint32")
        elif kind == "object" and fmt in SCHEMAS:
            problems += schema_problems(item, fmt, at)
        elif kind == "array" and fmt in SCHEMAS:
            for i, element in enumerate(item):
                problems += schema_problems(element, fmt, f"{at}[{i}]")
        elif kind == "array" and fmt == "string" and not all(isinstance(x, str) for x in item):
            problems.append(f"{at}: an element is not a string")
    return problems


def test_the_checker_catches_a_count_served_as_a_number():
    bad = {"items": [{"id": "x", "statistics": {"viewCount": 12}, "snippet": {"publishedAt": "yesterday"}}]}
    problems = schema_problems(bad, "VideoListResponse", "videos.list")
    assert any("viewCount" in p for p in problems) and any("publishedAt" in p for p in problems)


def test_the_simulator_serves_what_the_discovery_document_describes():
    as_of = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
    sim = Simulator(as_of, ["demo_creator"])
    session = requests.Session()
    for base in (Client.default_base_url, Client.default_analytics_base_url):
        mount(session, base, sim)
    client = Client(HttpClient(session, sleep=lambda s: None))
    client.pull(AccountRef(id="1", platform="youtube", handle="demo_creator",
                           access_token=demo_token("youtube", "demo_creator"), posts_per_fetch=25))
    checked = set()
    for response in client.http.responses:
        schema = RESPONSE_SCHEMA.get(response.endpoint)
        if schema and response.status_code == 200:
            checked.add(response.endpoint)
            assert schema_problems(response.payload, schema, response.endpoint) == []
    assert {"channels.list", "playlistItems.list", "videos.list", "commentThreads.list", "reports.query#videos"} <= checked
    # Each Analytics row has one value per column header (QueryResponse.rows).
    for response in client.http.responses:
        if response.endpoint.startswith("reports.query") and response.status_code == 200:
            width = len(response.payload["columnHeaders"])
            assert all(len(row) == width for row in response.payload.get("rows", []))


# -- the channel's daily report (dimension day): the day's own series, and its subscriber count
def _daily_pull(rows=None, *, hidden: bool = False, end: str = "2026-11-14") -> dict:
    channel = _fixture("channels_list.json")
    stats = channel["items"][0]["statistics"]
    stats["hiddenSubscriberCount"], stats["subscriberCount"] = hidden, "1000"
    daily = _fixture("reports_query_daily.json")
    if rows is not None:
        daily["rows"] = rows
    params = {"ids": "channel==MINE", "startDate": "2026-11-10", "endDate": end, "dimensions": "day"}
    responses = [
        _raw("channels.list", channel),
        _raw("playlistItems.list", _fixture("playlist_items_page2.json")),
        RawResponse("reports.query#daily", params, 0, 1, 200, daily, None, 1, FETCHED),
    ]
    return Client.parse(responses).account


def test_documented_daily_report_gives_the_day_and_its_subscribers():
    account = _daily_pull()
    assert account["daily_insights"] == {
        "views": 1520, "watch_time_minutes": 4310, "likes": 88, "comments": 7, "shares": 3,
        "subscribers_gained": 12, "subscribers_lost": 2,
    }
    # 1000 now, less the net gains of Nov 11 (+5), Nov 12 (-2) and Nov 13 (+10).
    assert account["followers_on_day"] == 987
    assert account["followers_count"] == 1000  # the count read now is left as it is


def test_daily_report_with_a_gap_or_a_hidden_count_rebuilds_no_subscribers():
    rows = _fixture("reports_query_daily.json")["rows"]
    assert _daily_pull([rows[0], rows[2], rows[3]])["followers_on_day"] is None  # Nov 11 missing
    assert _daily_pull(rows[:2], end="2026-11-20")["followers_on_day"] is None  # stops 9 days short
    assert _daily_pull(hidden=True)["followers_on_day"] is None
    nothing = _daily_pull([])
    assert nothing["daily_insights"] is None and nothing["followers_on_day"] is None  # no rows: too far short


def test_the_simulators_daily_report_rebuilds_the_count_it_served_then():
    from datetime import timedelta

    from social_pipeline.ingest.pulling import end_of_day

    yesterday = datetime.now(timezone.utc).date() - timedelta(days=1)
    day = yesterday - timedelta(days=5)
    token = demo_token("youtube", "demo_creator")
    account = AccountRef(id="1", platform="youtube", handle="demo_creator", access_token=token, posts_per_fetch=5)

    sims = {}

    def pull(as_of_day, client_day):
        sim = sims[as_of_day] = Simulator(end_of_day(as_of_day), ["demo_creator"])
        session = requests.Session()
        for base in (Client.default_base_url, Client.default_analytics_base_url):
            mount(session, base, sim)
        client = Client(HttpClient(session, sleep=lambda s: None), today=client_day)
        client.pull(account)
        return client.parse(client.http.responses).account

    then = pull(day, day)  # observed on the day
    late = pull(yesterday, day)  # the same day, asked five days later
    assert then["followers_count"] is not None and then["followers_count"] != late["followers_count"]
    # subscriberCount is rounded down to three significant figures, and the rebuilt count
    # inherits today's rounding: at most one unit (here 1,000) under the day's exact count.
    exact = sims[day].account("demo_creator").followers(end_of_day(day))
    assert 0 <= exact - late["followers_on_day"] < 1000
    assert late["followers_on_day"] != late["followers_count"]
    assert late["daily_insights"] == then["daily_insights"] and late["daily_insights"]["views"] > 0
