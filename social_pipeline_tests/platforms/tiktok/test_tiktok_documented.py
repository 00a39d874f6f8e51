"""TikTok Display API v2: the client and parser against fixtures written from TikTok's developer
reference (not from our simulator), and a checker holding the simulator's payloads of a full pull
to the same field definitions.

Every fixture cites the reference page it follows in ``_source``. The fake HTTP lives only at the
transport (the scripted transport answering by URL path).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, PlatformError
from social_pipeline.platforms.tiktok import client as tiktok
from social_pipeline.simulator import tiktok as tiktok_sim
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "act.documented-fixture-token-0001"
HANDLE = "dance.with.ana"


def fixture(name: str) -> dict[str, Any]:
    body = json.loads((FIXTURES / name).read_text())
    assert body.pop("_source"), f"{name}: cite the reference page it follows"
    return body


def _pages(answers: list[tuple[str, int, str]]) -> ScriptedTransport:
    """A transport answering each request from a list of (path, status, fixture), in order of
    arrival per path; a request no answer is left for gets a connection error."""
    transport = ScriptedTransport()
    for path, status, name in answers:
        transport.script(rf"^https?://[^/]+{re.escape(path)}(\?|$)", (status, {}, fixture(name)))
    return transport


def _client(answers: list[tuple[str, int, str]], max_attempts: int = 1) -> tuple[tiktok.Client, ScriptedTransport]:
    transport = _pages(answers)
    session = transport.install(requests.Session())
    return tiktok.Client(HttpClient(session, sleep=lambda s: None, max_attempts=max_attempts)), transport


def _account(refresh: tuple[str, ...] = (), posts: int = 50) -> AccountRef:
    return AccountRef(id="a1", platform="tiktok", handle=HANDLE, access_token=TOKEN, posts_per_fetch=posts,
                      refresh_post_ids=refresh)


FULL = [
    ("/v2/user/info/", 200, "user_info.json"),
    ("/v2/video/list/", 200, "video_list_page1.json"),
    ("/v2/video/list/", 200, "video_list_page2.json"),
    ("/v2/video/query/", 200, "video_query.json"),
]


def test_documented_pull_parses_every_field():
    client, transport = _client(FULL)
    client.pull(_account(refresh=("7200000000000000009",)))
    # paging: the second list request carries the documented millisecond cursor of page 1
    bodies = [json.loads(r.body) for r in transport.sent if urlsplit(r.url).path.startswith("/v2/video/list/")]
    assert bodies == [{"max_count": 20}, {"max_count": 20, "cursor": 1763500000000}]
    query = [json.loads(r.body) for r in transport.sent if urlsplit(r.url).path.startswith("/v2/video/query/")]
    assert query == [{"filters": {"video_ids": ["7200000000000000009"]}}]

    parsed = tiktok.Client.parse(client.http.responses)
    acct = parsed.account
    assert acct["external_user_id"] == "-000b7J2zUWGZLpXGUBzdIlP4Y1sEf3Uj2Y1"
    assert acct["display_name"] == "Ana Dances"
    assert (acct["followers_count"], acct["following_count"], acct["total_likes"], acct["posts_count"]) == (
        15230, 87, 482110, 213)
    assert [p["external_post_id"] for p in parsed.posts] == [
        "7301234567890123456", "7301000000000000001", "7290000000000000002", "7200000000000000009"]
    first, photo, old, tracked = parsed.posts
    assert first["posted_at"] == datetime.fromtimestamp(1763600000, timezone.utc)
    assert first["caption"] == "Morning routine #dance #fyp"
    assert first["post_url"] == f"https://www.tiktok.com/@{HANDLE}/video/7301234567890123456"
    assert first["media_url"] == "https://www.tiktok.com/player/v1/7301234567890123456"
    assert first["thumbnail_url"] == "https://p16-sign.tiktokcdn-us.com/cover-1.image"  # cover_image_url, not the player
    assert (first["views_count"], first["likes_count"], first["comments_count"], first["shares_count"]) == (
        20311, 1520, 48, 12)
    assert first["duration"] == 23
    # counters TikTok did not return are "not reported" (NULL), never 0
    assert photo["views_count"] is None and photo["likes_count"] is None
    assert photo["comments_count"] is None and photo["shares_count"] is None
    assert photo["media_url"] == "https://p16-sign.tiktokcdn-us.com/cover-2.image"  # no embed_link
    assert photo["thumbnail_url"] == "https://p16-sign.tiktokcdn-us.com/cover-2.image"
    assert photo["title"] is None
    # a real zero stays zero
    assert old["likes_count"] == 0 and old["views_count"] == 310
    assert tracked["views_count"] == 5000
    # The Display API has no structured hashtags: the pipeline extracts them from the caption.
    assert all(p.get("hashtags") is None for p in parsed.posts)
    assert parsed.comments == [] and parsed.demographics is None


def test_missing_stats_scope_gives_null_counters():
    client, _ = _client([("/v2/user/info/", 200, "user_info_no_stats.json"),
                         ("/v2/video/list/", 200, "video_list_page2.json")])
    client.pull(_account())
    acct = tiktok.Client.parse(client.http.responses).account
    assert acct["followers_count"] is None and acct["total_likes"] is None and acct["posts_count"] is None
    assert acct["display_name"] == "Ana Dances"
    # without username (user.info.profile) the post URL falls back to share_url
    post = tiktok.Client.parse(client.http.responses).posts[0]
    assert post["post_url"] == "https://www.tiktok.com/@dance.with.ana/video/7290000000000000002"


@pytest.mark.parametrize("name", ["error_access_token_invalid.json", "error_scope_not_authorized.json"])
def test_refused_token_names_platform_account_column_and_quotes_tiktok_error(name):
    body = fixture(name)["error"]
    client, _ = _client([("/v2/user/info/", 401, name)])
    with pytest.raises(PlatformError) as exc:
        client.pull(_account())
    text = str(exc.value)
    assert exc.value.status_code == 401
    assert "TikTok" in text and f"@{HANDLE}" in text and "social_accounts.access_token" in text
    for part in (body["code"], body["message"], body["log_id"]):
        assert part in text
    assert TOKEN not in text


def test_error_inside_http_200_is_quoted_whole():
    client, _ = _client([("/v2/user/info/", 200, "error_scope_not_authorized.json")])
    with pytest.raises(PlatformError) as exc:
        client.pull(_account())
    text = str(exc.value)
    body = fixture("error_scope_not_authorized.json")["error"]
    for part in (body["code"], body["message"], body["log_id"]):
        assert part in text
    assert f"@{HANDLE}" in text and "social_accounts.access_token" in text


def test_rate_limit_is_retried_then_reported():
    client, _ = _client([("/v2/user/info/", 429, "error_rate_limit_exceeded.json"),
                         ("/v2/user/info/", 200, "user_info.json"),
                         ("/v2/video/list/", 200, "video_list_page2.json")], max_attempts=3)
    client.pull(_account())
    assert [r.status_code for r in client.http.responses][:2] == [429, 200]
    assert "rate_limit_exceeded" in client.http.responses[0].error


def test_refresh_failure_quotes_oauth_error_and_names_variables():
    session = _pages([("/v2/oauth/token/", 400, "oauth_invalid_grant.json")]).install(requests.Session())
    client = tiktok.Client(HttpClient(session, sleep=lambda s: None),
                           credentials={"client_key": "ck-doc", "client_secret": "cs-doc-secret"})
    with pytest.raises(PlatformError) as exc:
        client.refresh_access_token(_account(), "rft.refresh-token-doc")
    text = str(exc.value)
    body = fixture("oauth_invalid_grant.json")
    for part in (body["error"], body["error_description"], body["log_id"]):
        assert part in text
    assert "social_account_credentials.refresh_token" in text
    assert "cs-doc-secret" not in text and "rft.refresh-token-doc" not in text
    with pytest.raises(PlatformError, match="SOCIAL_PIPELINE_TIKTOK_CLIENT_SECRET") as missing:
        tiktok.Client(HttpClient(requests.Session()), credentials={"client_key": "ck"}).refresh_access_token(
            _account(), "rft.x")
    assert f"@{HANDLE}" in str(missing.value)


# -- the checker: our simulator's payloads against the documented field definitions ----------------
ERROR_STRUCT = {"code": str, "message": str, "log_id": str}  # tiktok-api-v2-error-handling
USER_OBJECT = {  # tiktok-api-v2-get-user-info, User Object
    "open_id": str, "union_id": str, "avatar_url": str, "display_name": str, "username": str,
    "follower_count": int, "following_count": int, "likes_count": int, "video_count": int,
}
VIDEO_OBJECT = {  # tiktok-api-v2-video-query, Video Object
    "id": str, "create_time": int, "cover_image_url": str, "share_url": str, "video_description": str,
    "duration": int, "height": int, "width": int, "title": str, "embed_html": str, "embed_link": str,
    "like_count": int, "comment_count": int, "share_count": int, "view_count": int,
}
LIST_DATA = {"videos": list, "cursor": int, "has_more": bool}  # UserVideoListPostResponseData
# QueryUserVideoResponseData: "videos"; one revision of the video/query page also lists the list
# endpoint's "cursor"/"has_more" there, so they are allowed but not required.
QUERY_DATA = {"videos": list, "cursor": int, "has_more": bool}


def _typed(obj: Any, fields: dict[str, type], where: str, required: tuple[str, ...] = ()) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where}: not an object"]
    out = [f"{where}.{k}: required" for k in required if k not in obj]
    for key, value in obj.items():
        if key not in fields:
            out.append(f"{where}.{key}: not a documented field")
        elif value is not None and (not isinstance(value, fields[key]) or isinstance(value, bool) is not (fields[key] is bool)):
            out.append(f"{where}.{key}: expected {fields[key].__name__}, got {type(value).__name__}")
    return out


def violations(endpoint: str, payload: Any, requested: tuple[str, ...]) -> list[str]:
    """What in one answer breaks TikTok's documented shape: the envelope, the data object, and
    every requested field of each user/video (required because it was asked for)."""
    if not isinstance(payload, dict):
        return ["$: not an object"]
    out = _typed(payload.get("error"), ERROR_STRUCT, "$.error", ("code", "message", "log_id"))
    data = payload.get("data")
    if endpoint == tiktok.USER_INFO:
        out += _typed(data, {"user": dict}, "$.data", ("user",))
        if isinstance(data, dict):
            out += _typed(data.get("user"), USER_OBJECT, "$.data.user", requested)
    else:
        listing = endpoint == tiktok.VIDEO_LIST
        out += _typed(data, LIST_DATA if listing else QUERY_DATA, "$.data", tuple(LIST_DATA) if listing else ("videos",))
        for i, video in enumerate(data.get("videos") or [] if isinstance(data, dict) else []):
            out += _typed(video, VIDEO_OBJECT, f"$.data.videos[{i}]", requested)
    return out


def test_documented_fixtures_pass_the_checker():
    assert violations(tiktok.USER_INFO, fixture("user_info.json"), tiktok.USER_FIELDS) == []
    assert violations(tiktok.VIDEO_LIST, fixture("video_list_page2.json"), tiktok.VIDEO_FIELDS) == []
    assert violations(tiktok.VIDEO_QUERY, fixture("video_query.json"), tiktok.VIDEO_FIELDS) == []
    # and it does catch a wrong shape
    bad = fixture("video_list_page2.json")
    bad["data"]["videos"][0]["create_time"] = "1763400000"
    del bad["data"]["has_more"]
    assert len(violations(tiktok.VIDEO_LIST, bad, tiktok.VIDEO_FIELDS)) == 2


def test_simulator_full_pull_matches_documented_fields():
    as_of = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
    session = requests.Session()
    sim = tiktok_sim.Simulator(as_of, [HANDLE])
    mount(session, tiktok.Client.default_base_url, sim)
    client = tiktok.Client(HttpClient(session, sleep=lambda s: None))
    first = tiktok.Client(HttpClient(session, sleep=lambda s: None))
    first.pull(AccountRef(id="a", platform="tiktok", handle=HANDLE, access_token=demo_token("tiktok", HANDLE),
                          posts_per_fetch=45))
    old = [p["external_post_id"] for p in tiktok.Client.parse(first.http.responses).posts][-3:]
    client.pull(AccountRef(id="a", platform="tiktok", handle=HANDLE, access_token=demo_token("tiktok", HANDLE),
                           posts_per_fetch=25, refresh_post_ids=tuple(old)))
    endpoints = {r.endpoint for r in client.http.responses}
    assert endpoints == {tiktok.USER_INFO, tiktok.VIDEO_LIST, tiktok.VIDEO_QUERY}
    problems = []
    for r in client.http.responses:
        fields = tiktok.USER_FIELDS if r.endpoint == tiktok.USER_INFO else tiktok.VIDEO_FIELDS
        problems += [f"{r.endpoint}[{r.page_index}] {p}" for p in violations(r.endpoint, r.payload, fields)]
    assert problems == []


# -- secrets: nothing recorded from a full pull (and a token refresh) holds a credential -----------
def test_no_stored_response_of_a_full_pull_holds_a_credential():
    as_of = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
    session = requests.Session()
    mount(session, tiktok.Client.default_base_url, tiktok_sim.Simulator(as_of, [HANDLE]))
    secret = "cs-tiktok-app-secret"
    client = tiktok.Client(HttpClient(session, sleep=lambda s: None),
                           credentials={"client_key": "ck-tiktok", "client_secret": secret})
    token = demo_token("tiktok", HANDLE)
    account = AccountRef(id="a", platform="tiktok", handle=HANDLE, access_token=token, posts_per_fetch=45,
                         refresh_post_ids=("7000000000000000001",))
    client.pull(account)
    grant = client.refresh_access_token(account, f"demo-refresh-{HANDLE}")
    with pytest.raises(PlatformError) as refused:
        client.pull(AccountRef(id="a", platform="tiktok", handle=HANDLE, access_token=token + "-expired",
                               posts_per_fetch=5))
    stored = json.dumps([[r.endpoint, r.request_params, r.payload, r.error] for r in client.http.responses], default=str)
    assert len(client.http.responses) >= 5
    for credential in (token, grant.access_token, secret, f"demo-refresh-{HANDLE}"):
        assert credential not in stored
        assert credential not in str(refused.value)
