"""Threads against payloads written from Meta's Threads API reference pages
(fixtures/threads_documented.json, each field definition citing its page), not from our
simulator: the client pulls them through the transport, the parser reads every field it uses, and
the simulator is checked against the same field definitions."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, RawResponse
from social_pipeline.platforms.threads import client as threads
from social_pipeline.simulator import threads as threads_sim
from social_pipeline.simulator.meta_graph import documented_paths_seen, documented_problems
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

DOC = json.loads((Path(__file__).parent / "fixtures" / "threads_documented.json").read_text())
BASE = threads.Client.default_base_url
TOKEN = "THAAdocumentedThreadsToken789"
USER = "1234567890123456"
T1, T2, T3 = "18050206876707110", "18050206876707111", "18050206876707113"


def _responses() -> list[RawResponse]:
    at = datetime(2026, 11, 20, tzinfo=timezone.utc)
    return [
        RawResponse(r["endpoint"], {}, r["page_index"], 1, 200, copy.deepcopy(r["payload"]), None, 1, at)
        for r in DOC["responses"]
    ]


def _item(media_id: str) -> dict:
    """The documented threads listing's entry for ``media_id``."""
    listing = next(r["payload"] for r in DOC["responses"] if r["endpoint"] == "threads-user/threads")
    return next(item for item in listing["data"] if item["id"] == media_id)


def _check_expected(parsed) -> None:
    acct = parsed.account
    assert (acct["external_user_id"], acct["display_name"], acct["profile_url"]) == (
        USER, "Maya Makes", "https://www.threads.net/@maya.makes")
    assert (acct["followers_count"], acct["total_likes"], acct["total_comments"], acct["retweets_count"], acct["total_shares"]) == (
        2100, 5400, 800, 120, 150)
    assert acct["total_views"] is None and acct["posts_count"] is None
    posts = {p["external_post_id"]: p for p in parsed.posts}
    assert set(posts) == {T1, T2, T3}  # the REPOST_FACADE (someone else's post) is not the account's
    one, two, three = posts[T1], posts[T2], posts[T3]
    assert (one["media_type"], one["caption"], one["post_kind"], one["media_url"]) == ("text", "First thread #pottery", "original", None)
    assert one["post_url"] == "https://www.threads.net/@maya.makes/post/C3xYz1"
    assert one["posted_at"] == datetime(2026, 11, 19, 10, tzinfo=timezone.utc)
    assert (one["views_count"], one["likes_count"], one["comments_count"], one["shares_count"]) == (3000, 200, 15, 17)
    assert (two["media_type"], two["post_kind"], two["shares_count"]) == ("image", "quote", 1)
    assert two["media_url"].endswith("/t2.jpg")
    assert two["thumbnail_url"] == two["media_url"]  # an IMAGE is its own thumbnail
    assert one["thumbnail_url"] is None  # a text post has no image
    assert (three["media_type"], three["views_count"], three["shares_count"]) == ("video", 1200, 8)
    assert three["thumbnail_url"] == _item(T3)["thumbnail_url"] != three["media_url"]  # the cover, not the .mp4
    replies = {c["external_comment_id"]: c for c in parsed.comments}
    assert replies["18060000000000001"]["parent_external_comment_id"] is None  # answers the post itself
    assert replies["18060000000000002"]["parent_external_comment_id"] == "18060000000000001"
    assert all(c["external_post_id"] == T1 for c in replies.values())
    assert (replies["18060000000000001"]["author_username"], replies["18060000000000001"]["comment_text"]) == ("fan.one", "Love it")
    assert replies["18060000000000002"]["commented_at"] == datetime(2026, 11, 19, 11, 30, tzinfo=timezone.utc)
    demo = parsed.demographics
    assert (demo["age_18_24"], demo["age_25_34"], demo["age_35_44"], demo["age_45_plus"]) == (33.33, 33.33, 19.05, 14.29)
    assert (demo["gender_male"], demo["gender_female"]) == (38.1, 57.14)
    assert demo["top_countries"] == {"US": 47.62, "BR": 23.81}
    assert demo["top_cities"] == {"São Paulo, Brazil": 14.29}


def test_parser_reads_every_documented_field():
    _check_expected(threads.Client.parse(_responses()))


def test_fixtures_match_their_own_field_definitions():
    for r in DOC["responses"]:
        assert documented_problems(r["payload"], DOC["fields"][r["endpoint"]]) == [], r["endpoint"]


def _documented() -> ScriptedTransport:
    """A transport answering each request of a pull with its documented payload, once."""
    by_key: dict[str, list] = {}
    for r in DOC["responses"]:
        by_key.setdefault(r["endpoint"], []).append(r["payload"])
    user = by_key["threads-user/threads_insights"]
    transport = ScriptedTransport()

    def answer(path: str, body, query: str = "") -> None:
        transport.script("^" + re.escape(BASE + path) + r"(?:\?" + query + r"|$)", (200, {}, body))

    answer("/me", by_key["threads-user"][0])
    answer(f"/{USER}/threads_insights", user[0], r"(?!.*\bbreakdown=)(?=.*\bsince=1712991600)")
    # The pull day's own figures (fixtures/threads_daily_documented.json; see test_threads_daily.py).
    daily = json.loads((Path(__file__).parent / "fixtures" / "threads_daily_documented.json").read_text())["responses"]
    answer(f"/{USER}/threads_insights", daily[0]["payload"], r"(?!.*\bbreakdown=)(?!.*\bsince=1712991600)")
    for i, breakdown in enumerate(["country", "city", "age", "gender"]):
        answer(f"/{USER}/threads_insights", user[1 + i], rf".*\bbreakdown={breakdown}(?:&|$)")
    answer(f"/{USER}/threads", by_key["threads-user/threads"][0])
    answer(f"/{T1}/insights", by_key["threads-media/insights"][0])
    answer(f"/{T2}/insights", by_key["threads-media/insights"][1])
    answer(f"/{T3}/insights", by_key["threads-media/insights"][2])
    answer(f"/{T1}/conversation", by_key["threads-media/conversation"][0])
    return transport


def test_a_pull_of_the_documented_payloads():
    session = _documented().install(requests.Session())
    client = threads.Client(HttpClient(session, sleep=lambda s: None))
    client.pull(AccountRef(id="1", platform="threads", handle="maya.makes", access_token=TOKEN, posts_per_fetch=10))
    assert all(r.ok for r in client.http.responses), [r.error for r in client.http.responses if not r.ok]
    assert sum(r.endpoint == "threads-media/conversation" for r in client.http.responses) == 1  # no replies: not asked
    listing = next(r for r in client.http.responses if r.endpoint == "threads-user/threads")
    assert "thumbnail_url" in listing.request_params["fields"].split(",")  # served on video posts only when asked
    _check_expected(threads.Client.parse(client.http.responses))


def test_simulator_serves_the_documented_fields_with_documented_types():
    handle = "maya_makes"
    session = requests.Session()
    mount(session, BASE, threads_sim.Simulator(datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc), [handle]))
    client = threads.Client(HttpClient(session, sleep=lambda s: None))
    client.pull(AccountRef(id="1", platform="threads", handle=handle, access_token=demo_token("threads", handle), posts_per_fetch=30))
    served: dict[str, list] = {}
    for r in client.http.responses:
        if r.ok and r.endpoint in DOC["fields"]:
            served.setdefault(r.endpoint, []).append(r.payload)
    assert set(served) == set(DOC["fields"])
    for endpoint, payloads in served.items():
        fields = DOC["fields"][endpoint]
        for payload in payloads:
            assert documented_problems(payload, fields) == [], endpoint
        required = {path for path, _kind, needed, _src in fields if needed}
        missing = required - documented_paths_seen(payloads, fields)
        assert not missing, f"{endpoint}: the simulator never serves {sorted(missing)}"
    # thumbnail_url: on VIDEO media only, as Meta documents, and served when asked
    items = [item for payload in served["threads-user/threads"] for item in payload["data"]]
    assert any(item.get("thumbnail_url") for item in items)
    assert all(("thumbnail_url" in item) == (item["media_type"] == "VIDEO") for item in items)


def test_graph_throttle_code_is_retried(scripted_transport):
    handle = "maya_makes"
    sim = threads_sim.Simulator(datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc), [handle])
    scripted_transport.serve(BASE, sim)
    scripted_transport.script(
        "^" + re.escape(BASE + "/"),
        (400, {}, {"error": {"message": "(#613) Calls to this api have exceeded the rate limit.",
                             "type": "OAuthException", "code": 613, "fbtrace_id": "A"}}),
    )
    session = scripted_transport.install(requests.Session())
    client = threads.Client(HttpClient(session, sleep=lambda s: None))
    client.pull(AccountRef(id="1", platform="threads", handle=handle, access_token=demo_token("threads", handle), posts_per_fetch=2))
    first, second = client.http.responses[:2]
    assert first.status_code == 400 and first.error.startswith("throttled") and second.ok and second.attempt == 2


@pytest.mark.parametrize("row", [row for rows in DOC["fields"].values() for row in rows])
def test_every_field_definition_cites_a_page(row):
    path, kind, required, source = row
    assert source in DOC["_pages"] and DOC["_pages"][source].startswith("https://developers.facebook.com/")
