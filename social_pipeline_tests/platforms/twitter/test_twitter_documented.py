"""X: the parser against fixtures written from X's OpenAPI description (not from our simulator),
and a checker holding our simulator's payloads to the same description.

Each fixture names its schema and reference page in ``_source``. ``openapi_v2_159_digest.json``
is a digest of the v2.159 description (required properties and property types of every schema
reachable from the responses we read); :func:`violations` checks a payload against it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, RawResponse
from social_pipeline.platforms.twitter.client import Client
from social_pipeline.platforms.twitter.parse import parse
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline.simulator.twitter import Simulator

FIXTURES = Path(__file__).parent / "fixtures"
ME = "1490000000000000001"
A, B, C, D, E = (f"198000000000000010{i}" for i in range(1, 6))


def fixture(name: str) -> dict[str, Any]:
    body = json.loads((FIXTURES / name).read_text())
    assert body.pop("_source"), f"{name}: cite the schema and page it follows"
    return body


def raw(endpoint: str, payload: Any, page: int = 0, status: int = 200) -> RawResponse:
    return RawResponse(endpoint, {}, page, 1, status, payload, None if status < 300 else f"HTTP {status}", 1,
                       datetime(2026, 11, 20, tzinfo=timezone.utc))


# -- the checker ---------------------------------------------------------------------------------
DIGEST = json.loads((FIXTURES / "openapi_v2_159_digest.json").read_text())["schemas"]
PRIMITIVES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "any": lambda v: True,
}


def violations(value: Any, kind: Any, path: str = "$") -> list[str]:
    """Where ``value`` breaks ``kind`` (a digest type: primitive name, '#Schema' or [item kind]):
    missing required properties, wrong types, enum and pattern misses, undocumented properties."""
    if isinstance(kind, list):
        if not isinstance(value, list):
            return [f"{path}: expected an array"]
        return [v for i, item in enumerate(value) for v in violations(item, kind[0], f"{path}[{i}]")]
    if not kind.startswith("#"):
        return [] if PRIMITIVES[kind](value) else [f"{path}: expected {kind}, got {type(value).__name__}"]
    schema = DIGEST[kind[1:]]
    if "properties" not in schema:  # a named primitive (TweetId, UserId...)
        out = violations(value, schema["type"], path)
        if not out and "enum" in schema and value not in schema["enum"]:
            out.append(f"{path}: {value!r} not in {schema['enum']}")
        if not out and "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{path}: {value!r} does not match {schema['pattern']}")
        return out
    if not isinstance(value, dict):
        return [f"{path}: expected an object ({kind[1:]})"]
    disc = schema.get("discriminator")
    if disc and value.get(disc["property"]) in disc["mapping"] and disc["mapping"][value[disc["property"]]] != kind:
        return violations(value, disc["mapping"][value[disc["property"]]], path)
    out = [f"{path}: required {key!r} missing ({kind[1:]})" for key in schema["required"] if key not in value]
    for key, item in value.items():
        if key not in schema["properties"]:
            # RFC 7807 lets a problem carry extension members (X's carry value, resource_id...)
            if not kind.endswith("Problem"):
                out.append(f"{path}.{key}: not in {kind[1:]}")
        else:
            out.extend(violations(item, schema["properties"][key], f"{path}.{key}"))
    return out


RESPONSE_SCHEMA = {
    "users.by.username": "#Get2UsersByUsernameUsernameResponse",
    "users.tweets": "#Get2UsersIdTweetsResponse",
    "tweets.lookup": "#Get2TweetsResponse",
    "tweets.search.recent": "#Get2TweetsSearchRecentResponse",
    "tweets.search.all": "#Get2TweetsSearchAllResponse",
}


def test_checker_catches_what_it_should():
    good = fixture("tweets_lookup.json")
    assert violations(good, "#Get2TweetsResponse") == []
    bad = json.loads(json.dumps(good))
    bad["data"][0]["public_metrics"].pop("like_count")
    bad["data"][1]["referenced_tweets"][0]["type"] = "replied"
    bad["data"][2]["id"] = 1980000000000000103
    bad["data"][3]["retweets"] = 1
    found = violations(bad, "#Get2TweetsResponse")
    assert any("'like_count' missing" in v for v in found)
    assert any("'replied' not in" in v for v in found)
    assert any("data[2].id: expected string" in v for v in found)
    assert any("data[3].retweets: not in Tweet" in v for v in found)


@pytest.mark.parametrize(
    "name, schema",
    [
        ("users_by_username.json", "#Get2UsersByUsernameUsernameResponse"),
        ("users_tweets_page1.json", "#Get2UsersIdTweetsResponse"),
        ("users_tweets_page2.json", "#Get2UsersIdTweetsResponse"),
        ("tweets_lookup.json", "#Get2TweetsResponse"),
        ("search_recent.json", "#Get2TweetsSearchRecentResponse"),
        ("problem_unauthorized.json", "#Problem"),
        ("problem_invalid_request.json", "#InvalidRequestProblem"),
    ],
)
def test_fixtures_follow_the_description(name, schema):
    assert violations(fixture(name), schema) == []


# -- the parser against the documented fixtures ----------------------------------------------------
@pytest.fixture(scope="module")
def documented():
    return parse(
        [
            raw("users.by.username", fixture("users_by_username.json")),
            raw("users.tweets", fixture("users_tweets_page1.json"), 0),
            raw("users.tweets", fixture("users_tweets_page2.json"), 1),
            raw("tweets.lookup", fixture("tweets_lookup.json")),
            raw("tweets.search.recent", fixture("search_recent.json")),
        ]
    )


def test_account_from_user_schema(documented):
    acct = documented.account
    assert acct["external_user_id"] == ME and acct["display_name"] == "Doc Writer"
    assert acct["profile_url"] == "https://x.com/doc_writer"
    assert (acct["followers_count"], acct["following_count"], acct["posts_count"]) == (1520, 310, 842)
    assert acct["total_likes"] is None  # public_metrics.like_count: likes the user gave


def test_posts_in_timeline_order_with_kinds_and_hashtags(documented):
    posts = {p["external_post_id"]: p for p in documented.posts}
    assert [p["external_post_id"] for p in documented.posts] == [A, B, C, D, E]  # meta.next_token paging order
    assert {k: p["post_kind"] for k, p in posts.items()} == {A: "original", B: "reply", C: "thread", D: "quote", E: "original"}
    assert posts[A]["hashtags"] == ["python", "data"]  # entities.hashtags[].tag, no '#'
    assert posts[B]["hashtags"] == [] and posts[D]["hashtags"] == []  # entities without hashtags / absent


def test_metrics_from_public_non_public_and_media(documented):
    a, d, e = (next(p for p in documented.posts if p["external_post_id"] == i) for i in (A, D, E))
    assert a["likes_count"] == 140 and a["comments_count"] == 3 and a["saves_count"] == 9
    assert a["shares_count"] == 12 + 4  # retweets + quotes
    assert a["impressions"] == 5230  # non_public_metrics wins over public impression_count
    assert a["media_type"] == "video" and a["duration"] == 62 and a["views_count"] == 3000  # 61,500 ms
    assert a["completion_rate"] == 25.0  # playback_100 / playback_0
    assert a["media_url"].endswith("/a.jpg")
    assert a["thumbnail_url"] == a["media_url"]  # the video's preview_image_url
    assert a["posted_at"] == datetime(2026, 11, 18, 9, 30, tzinfo=timezone.utc)
    assert d["media_type"] == "carousel" and d["media_url"] == "https://pbs.twimg.com/media/911.jpg"
    assert d["thumbnail_url"] == "https://pbs.twimg.com/media/911.jpg"  # the first photo's url
    # older than 30 days: no non_public/organic metrics -> NULL, not 0; quote_count absent -> shares = retweets
    assert e["impressions"] == 400 and e["completion_rate"] is None and e["views_count"] is None
    assert e["shares_count"] == 2 and e["media_type"] == "text"
    assert e["reach"] is None and e["watch_time_seconds"] is None


def test_partial_results_keep_the_served_tweets(documented):
    assert "1980000000000000106" not in {p["external_post_id"] for p in documented.posts}  # only in errors[]
    assert len(documented.posts) == 5


def test_comments_from_conversation_search(documented):
    by_id = {c["external_comment_id"]: c for c in documented.comments}
    assert set(by_id) == {"1980000000000000201", "1980000000000000203", C}
    fan = by_id["1980000000000000201"]
    assert fan["parent_external_comment_id"] is None and fan["external_post_id"] == A  # reply to the root
    assert fan["author_username"] == "fan_one" and fan["likes_count"] == 4 and fan["comment_text"] == "Great video 🎉"
    answer = by_id["1980000000000000203"]
    assert answer["parent_external_comment_id"] == "1980000000000000201" and answer["author_external_id"] == ME


def test_v2_167_spellings_are_read_alike():
    parsed = parse(
        [
            raw("users.by.username", fixture("users_by_username_v2_167.json")),
            raw("tweets.lookup", fixture("tweets_lookup_v2_167.json")),
        ]
    )
    assert parsed.account["posts_count"] == 842  # post_count
    post = parsed.posts[0]
    assert post["shares_count"] == 7 + 1  # repost_count + quote_count
    assert post["post_kind"] == "reply"  # referenced_posts


# -- the simulator against the description --------------------------------------------------------
AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)


def test_simulated_full_pull_follows_the_description():
    session = requests.Session()
    mount(session, Client.default_base_url, Simulator(AS_OF, ["sam_writes"]))
    client = Client(HttpClient(session, sleep=lambda s: None), credentials={"plan": "pay_per_use", "daily_cost_cap_usd": "100"},
                    today=AS_OF.date())
    client.pull(AccountRef(id="1", platform="twitter", handle="sam_writes",
                           access_token=demo_token("twitter", "sam_writes"), posts_per_fetch=40))
    seen = set()
    for r in client.http.responses:
        schema = RESPONSE_SCHEMA[r.endpoint] if r.ok else "#Problem"
        assert violations(r.payload, schema) == [], (r.endpoint, r.page_index)
        seen.add(r.endpoint)
    assert seen == set(RESPONSE_SCHEMA)
    # and a refused private field, an unknown user and a bad token
    other = Client(HttpClient(session, sleep=lambda s: None), today=AS_OF.date())
    other.pull(AccountRef(id="2", platform="twitter", handle="sam_writes",
                          access_token=demo_token("twitter", "someone_else"), posts_per_fetch=5))
    refused = next(r for r in other.http.responses if r.endpoint == "tweets.lookup")
    assert refused.payload["errors"] and violations(refused.payload, "#Get2TweetsResponse") == []
    bad = session.get(Client.default_base_url + "/users/by/username/sam_writes", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and violations(bad.json(), "#Problem") == []
