"""Bluesky parser and client against payloads written from the atproto lexicons (see each
fixture's ``_source``), not from our simulator. HTTP is faked at the requests transport only (the
scripted transport)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, PlatformError, RawResponse
from social_pipeline.platforms.bluesky.client import Client
from social_pipeline_tests.platforms.bluesky.lexicon_check import check
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

FIXTURES = Path(__file__).parent / "fixtures"
ME = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
OTHER = "did:plc:z72i7hdynmk6r22z27h6tvur"
NOW = datetime(2024, 3, 6, tzinfo=timezone.utc)


def load(name: str) -> dict:
    body = json.loads((FIXTURES / name).read_text())
    body.pop("_source")
    return body


def uri(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def raw(endpoint: str, payload, status: int = 200) -> RawResponse:
    return RawResponse(endpoint, {}, 0, 1, status, payload, None, 1, NOW)


@pytest.fixture(scope="module")
def parsed():
    return Client.parse(
        [
            raw("app.bsky.actor.getProfile", load("getProfile.json")),
            raw("app.bsky.feed.getAuthorFeed", load("getAuthorFeed.json")),
            raw("app.bsky.feed.getPostThread", load("getPostThread.json")),
        ]
    )


def by_id(parsed) -> dict[str, dict]:
    return {p["external_post_id"]: p for p in parsed.posts}


def test_account_from_profile_view_detailed(parsed):
    assert parsed.account["external_user_id"] == ME
    assert parsed.account["display_name"] == "Alice"
    assert parsed.account["profile_url"] == "https://bsky.app/profile/alice.example.com"
    assert (parsed.account["followers_count"], parsed.account["following_count"], parsed.account["posts_count"]) == (120, 45, 10)
    assert parsed.account["total_views"] is None


def test_only_own_posts_reposts_and_reply_parents_skipped(parsed):
    assert [p["external_post_id"] for p in parsed.posts] == [
        uri(ME, "3kaaaaaaaaa2a"),
        uri(ME, "3kaaaaaaaab2a"),
        uri(ME, "3kaaaaaaaac2a"),
        uri(ME, "3kaaaaaaaad2a"),
        uri(ME, "3kaaaaaaaae2a"),
        uri(ME, "3kaaaaaaaag2a"),
        uri(ME, "3kaaaaaaaah2a"),
        uri(ME, "3kaaaaaaaai2a"),
    ]  # bob's reposted post and bob's reply parent are absent


def test_post_kinds(parsed):
    kinds = {k.rsplit("/", 1)[1]: p["post_kind"] for k, p in by_id(parsed).items()}
    assert kinds == {
        "3kaaaaaaaaa2a": "original",
        "3kaaaaaaaab2a": "thread",
        "3kaaaaaaaac2a": "reply",
        "3kaaaaaaaad2a": "quote",
        "3kaaaaaaaae2a": "original",
        "3kaaaaaaaag2a": "original",
        "3kaaaaaaaah2a": "original",
        "3kaaaaaaaai2a": "original",
    }


def test_hashtags_from_tag_facets_and_tags_array(parsed):
    posts = by_id(parsed)
    # facet tag first, then record.tags; mention and link facets are not tags; no repeats
    assert posts[uri(ME, "3kaaaaaaaaa2a")]["hashtags"] == ["buildinpublic", "indiedev"]
    # no facets and no tags: None, so the pipeline extracts "#text" from the caption
    assert posts[uri(ME, "3kaaaaaaaae2a")]["hashtags"] is None
    assert posts[uri(ME, "3kaaaaaaaae2a")]["caption"] == "plain #text post"


def test_counts_present_and_absent(parsed):
    first = by_id(parsed)[uri(ME, "3kaaaaaaaaa2a")]
    assert (first["likes_count"], first["comments_count"], first["shares_count"], first["saves_count"]) == (20, 3, 5, 2)
    assert first["views_count"] is None and first["impressions"] is None and first["reach"] is None
    assert first["posted_at"] == datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc)
    assert first["post_url"] == "https://bsky.app/profile/alice.example.com/post/3kaaaaaaaaa2a"
    assert first["media_type"] == "text"
    reply = by_id(parsed)[uri(ME, "3kaaaaaaaac2a")]  # the AppView sent no counts: NULL, not 0
    assert [reply[k] for k in ("likes_count", "comments_count", "shares_count", "saves_count")] == [None] * 4


def _view_embed(rkey: str) -> dict:
    """The post view's embed for one of the fixture's own posts, as the fixture serves it."""
    feed = load("getAuthorFeed.json")["feed"]
    return next(item["post"]["embed"] for item in feed if item["post"]["uri"] == uri(ME, rkey))


def test_thumbnail_from_the_view_embed(parsed):
    posts = by_id(parsed)
    # images#viewImage: the first image's 'thumb' (media_url stays the 'fullsize' one)
    image = posts[uri(ME, "3kaaaaaaaag2a")]
    shown = _view_embed("3kaaaaaaaag2a")["images"][0]
    assert image["thumbnail_url"] == shown["thumb"]
    assert (image["media_type"], image["media_url"]) == ("image", shown["fullsize"])
    # video#view: its 'thumbnail' (media_url stays the HLS playlist)
    video = posts[uri(ME, "3kaaaaaaaah2a")]
    played = _view_embed("3kaaaaaaaah2a")
    assert video["thumbnail_url"] == played["thumbnail"]
    assert (video["media_type"], video["media_url"]) == ("video", played["playlist"])
    # external#view: the link card's 'thumb'; the post is still a text post without media
    card = posts[uri(ME, "3kaaaaaaaai2a")]
    assert card["thumbnail_url"] == _view_embed("3kaaaaaaaai2a")["external"]["thumb"]
    assert (card["media_type"], card["media_url"]) == ("text", None)
    # no embed, or a quote of a record: nothing to show
    assert posts[uri(ME, "3kaaaaaaaae2a")]["thumbnail_url"] is None
    assert posts[uri(ME, "3kaaaaaaaad2a")]["thumbnail_url"] is None


def test_thumbnail_of_media_beside_a_quoted_record():
    """recordWithMedia#view: the thumbnail is the one of its 'media' (here the fixture's video)."""
    body = load("getAuthorFeed.json")
    items = {item["post"]["uri"]: item for item in body["feed"]}
    quote = items[uri(ME, "3kaaaaaaaad2a")]["post"]
    video = items[uri(ME, "3kaaaaaaaah2a")]["post"]
    quote["record"]["embed"] = {
        "$type": "app.bsky.embed.recordWithMedia",
        "record": quote["record"]["embed"],
        "media": video["record"]["embed"],
    }
    quote["embed"] = {"$type": "app.bsky.embed.recordWithMedia#view", "record": quote["embed"], "media": video["embed"]}
    body["feed"] = [items[uri(ME, "3kaaaaaaaad2a")]]
    assert check(body, "app.bsky.feed.getAuthorFeed#output") == []  # still shaped as the lexicons say
    parsed = Client.parse([raw("app.bsky.actor.getProfile", load("getProfile.json")), raw("app.bsky.feed.getAuthorFeed", body)])
    (post,) = parsed.posts
    assert (post["post_kind"], post["media_type"]) == ("quote", "video")
    assert post["thumbnail_url"] == video["embed"]["thumbnail"]


def test_thread_comments_skip_not_found_and_blocked(parsed):
    comments = {c["external_comment_id"]: c for c in parsed.comments}
    assert set(comments) == {uri(OTHER, "3kbbbbbbbbd2a"), uri(ME, "3kaaaaaaaaf2a")}
    top = comments[uri(OTHER, "3kbbbbbbbbd2a")]
    assert top["external_post_id"] == uri(ME, "3kaaaaaaaaa2a")
    assert top["parent_external_comment_id"] is None
    assert (top["author_username"], top["author_external_id"], top["likes_count"]) == ("bob.example.com", OTHER, 2)
    assert top["comment_text"] == "nice"
    nested = comments[uri(ME, "3kaaaaaaaaf2a")]
    assert nested["parent_external_comment_id"] == uri(OTHER, "3kbbbbbbbbd2a")
    assert nested["likes_count"] is None
    assert nested["commented_at"] == datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


REPEATS = 10  # a documented answer serves this many calls of its XRPC method (the tests make one or two)


def _fixtures(answers: dict[str, tuple[int, dict]]) -> ScriptedTransport:
    """A transport answering XRPC GETs from the documented fixtures, by method name."""
    transport = ScriptedTransport()
    for method, (status, body) in answers.items():
        transport.script(rf"/{re.escape(method)}(\?|$)", *[(status, {}, body)] * REPEATS)
    return transport


def seen(transport: ScriptedTransport) -> list[tuple[str, dict]]:
    """The XRPC method and query string of every request sent."""
    out = []
    for sent in transport.sent:
        parts = urlsplit(sent.url)
        out.append((parts.path.rsplit("/", 1)[1], parse_qs(parts.query)))
    return out


def _client(transport: ScriptedTransport) -> Client:
    return Client(HttpClient(transport.install(requests.Session()), sleep=lambda s: None))


def _account(handle: str = "alice.example.com") -> AccountRef:
    return AccountRef(id="00000000-0000-0000-0000-000000000009", platform="bluesky", handle=handle, access_token=None, posts_per_fetch=50)


def test_pull_reads_feed_with_replies_and_threads_of_replied_posts():
    feed = load("getAuthorFeed.json")
    feed.pop("cursor")
    transport = _fixtures(
        {
            "app.bsky.actor.getProfile": (200, load("getProfile.json")),
            "app.bsky.feed.getAuthorFeed": (200, feed),
            "app.bsky.feed.getPostThread": (200, load("getPostThread.json")),
        }
    )
    client = _client(transport)
    client.pull(_account())
    feed_calls = [q for m, q in seen(transport) if m == "app.bsky.feed.getAuthorFeed"]
    assert feed_calls and all(q["filter"] == ["posts_with_replies"] for q in feed_calls)
    threads = [q["uri"] for m, q in seen(transport) if m == "app.bsky.feed.getPostThread"]
    assert threads == [[uri(ME, "3kaaaaaaaaa2a")]]  # the only own post with replyCount > 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("InvalidRequest", "Profile not found"),
        ("AccountTakedown", "Account has been suspended"),
        ("BlockedActor", "Requester has blocked actor"),
    ],
)
def test_unresolvable_handle_error_names_account_and_fix(name, message):
    body = load("error_profile_not_found.json") if name == "InvalidRequest" else {"error": name, "message": message}
    transport = _fixtures({"app.bsky.actor.getProfile": (400, body)})
    with pytest.raises(PlatformError) as caught:
        _client(transport).pull(_account("ghost.example.com"))
    text = str(caught.value)
    assert "@ghost.example.com" in text
    assert f"XRPC {name}: {message}" in text
    assert "social_accounts.handle" in text
