"""What our simulator serves for a full Bluesky pull conforms to the atproto lexicons (so the demo
cannot drift from the platform), and the documented fixtures do too."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient
from social_pipeline.platforms.bluesky.client import EP_FEED, EP_POSTS, EP_PROFILE, EP_THREAD, Client
from social_pipeline.simulator.bluesky import RAW, Simulator, _cid
from social_pipeline.simulator.transport import mount

from social_pipeline_tests.platforms.bluesky.lexicon_check import check, decode_cid

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "demo.bsky.social"
OUTPUT = {
    EP_PROFILE: "app.bsky.actor.getProfile#output",
    EP_FEED: "app.bsky.feed.getAuthorFeed#output",
    EP_THREAD: "app.bsky.feed.getPostThread#output",
    EP_POSTS: "app.bsky.feed.getPosts#output",
}


@pytest.fixture(scope="module")
def responses():
    session = requests.Session()
    mount(session, Client.default_base_url, Simulator(AS_OF, [HANDLE]))
    client = Client(HttpClient(session, sleep=lambda s: None))
    client.pull(
        AccountRef(
            id="00000000-0000-0000-0000-000000000001",
            platform="bluesky",
            handle=HANDLE,
            access_token=None,
            posts_per_fetch=60,
        )
    )
    # Tracked posts are refreshed with getPosts: read back a few of the feed's own posts.
    first_feed = next(r.payload for r in client.http.responses if r.endpoint == EP_FEED)
    uris = [item["post"]["uri"] for item in first_feed["feed"] if "reason" not in item][:5]
    client.http.get(client.url(EP_POSTS), endpoint=EP_POSTS, params={"uris": uris})
    return client.http.responses


def test_simulator_full_pull_conforms_to_lexicons(responses):
    seen = set()
    for response in responses:
        assert response.ok, response.error
        problems = check(response.payload, OUTPUT[response.endpoint])
        assert problems == [], f"{response.endpoint}: {problems[:10]}"
        seen.add(response.endpoint)
    assert seen == set(OUTPUT)  # every endpoint was exercised


def test_simulator_media_posts_parse_with_a_thumbnail(responses):
    """The simulator serves images#viewImage 'thumb' and video#view 'thumbnail', so every image,
    carousel and video post it serves has a picture for the dashboard."""
    posts = Client.parse(responses).posts
    media = [p for p in posts if p["media_type"] in ("image", "carousel", "video")]
    assert {"image", "video"} <= {p["media_type"] for p in media}
    for post in media:
        assert post["thumbnail_url"].startswith("https://"), post["external_post_id"]
        assert post["thumbnail_url"] != post["media_url"]  # the small picture, not the file itself
    assert all(p["thumbnail_url"] is None for p in posts if p["media_type"] == "text")


@pytest.mark.parametrize(
    ("name", "definition"),
    [
        ("getProfile.json", "app.bsky.actor.getProfile#output"),
        ("getAuthorFeed.json", "app.bsky.feed.getAuthorFeed#output"),
        ("getPostThread.json", "app.bsky.feed.getPostThread#output"),
    ],
)
def test_documented_fixtures_conform_to_lexicons(name, definition):
    payload = json.loads((Path(__file__).parent / "fixtures" / name).read_text())
    assert check(payload, definition) == []


def test_simulator_cids_decode_as_cidv1_dag_cbor_sha256():
    value = _cid("post", 42)
    assert len(value) == 59 and value.startswith("bafyrei")
    version, codec, code, digest = decode_cid(value)
    assert (version, codec, code) == (1, 0x71, 0x12)
    assert digest == hashlib.sha256(b"post|42").digest()  # deterministic from the post
    assert _cid("post", 42) == value and _cid("post", 43) != value
    blob = _cid("image", 42, 0, codec=RAW)  # blobs are raw-codec CIDs, as on a real PDS
    assert blob.startswith("bafkrei") and decode_cid(blob)[1] == 0x55


def test_checker_rejects_what_the_lexicons_forbid():
    post = {
        "uri": "at://did:plc:abc/app.bsky.feed.post/3k",
        "cid": "bafyrei" + "a" * 32,  # the 39-character shape our simulator once served
        "author": {"did": "did:plc:abc", "handle": "a.example.com"},
        "record": {"$type": "app.bsky.feed.post", "text": "x", "tags": ["t"] * 9},
        "indexedAt": "yesterday",
    }
    problems = check({"feed": [{"post": post}]}, "app.bsky.feed.getAuthorFeed#output")
    joined = "\n".join(problems)
    assert "cid" in joined and "not a valid cid" in joined
    assert "indexedAt" in joined and "datetime" in joined
    assert "required 'createdAt' missing" in joined
    assert "tags: more than 8 items" in joined
    assert check({"feed": [{}]}, "app.bsky.feed.getAuthorFeed#output") == ["$.feed[0]: required 'post' missing (app.bsky.feed.defs#feedViewPost)"]
