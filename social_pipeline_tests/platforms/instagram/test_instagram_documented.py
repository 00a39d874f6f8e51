"""Instagram against payloads written from Meta's reference pages (fixtures/instagram_documented.json,
each field definition citing its page), not from our simulator: the client pulls them through the
transport, the parser reads every field it uses, and the simulator is checked against the same
field definitions so the demo cannot drift from the platform."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, RawResponse
from social_pipeline.platforms.instagram import client as instagram
from social_pipeline.simulator import instagram as ig_sim
from social_pipeline.simulator.meta_graph import documented_paths_seen, documented_problems
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

DOC = json.loads((Path(__file__).parent / "fixtures" / "instagram_documented.json").read_text())
BASE = instagram.Client.default_base_url
TOKEN = "EAAGdocumentedFacebookLoginToken123"
IG_ID = "17841405309211844"
A, B = "17918195224117851", "18026737837001234"


def _responses() -> list[RawResponse]:
    at = datetime(2026, 11, 20, tzinfo=timezone.utc)
    return [
        RawResponse(r["endpoint"], {}, r["page_index"], 1, 200, copy.deepcopy(r["payload"]), None, 1, at)
        for r in DOC["responses"]
    ]


def _item(media_id: str) -> dict:
    """The documented media listing's entry for ``media_id``."""
    listing = next(r["payload"] for r in DOC["responses"] if r["endpoint"] == "ig-user/media")
    return next(item for item in listing["data"] if item["id"] == media_id)


def _check_expected(parsed) -> None:
    acct = parsed.account
    assert acct["external_user_id"] == IG_ID and acct["display_name"] == "Blue Bottle Coffee"
    assert acct["profile_url"] == "https://www.instagram.com/bluebottle/"
    assert (acct["followers_count"], acct["following_count"], acct["posts_count"]) == (1520, 310, 2)
    posts = {p["external_post_id"]: p for p in parsed.posts}
    a, b = posts[A], posts[B]
    assert a["caption"] == "Morning pour #coffee" and a["media_type"] == "image"
    assert a["post_url"] == "https://www.instagram.com/p/C1a2B3c4D5e/"
    assert a["media_url"].endswith("/a.jpg")
    assert a["thumbnail_url"] == a["media_url"]  # an IMAGE is its own thumbnail
    assert a["posted_at"] == datetime(2026, 11, 18, 9, 30, tzinfo=timezone.utc)
    assert (a["likes_count"], a["comments_count"], a["views_count"], a["reach"], a["saves_count"], a["shares_count"]) == (
        120, 2, 1800, 900, 14, 6)
    assert a["watch_time_seconds"] is None and a["impressions"] is None and a["duration"] is None
    assert b["media_type"] == "video" and b["likes_count"] is None  # like count hidden by the owner
    assert b["thumbnail_url"] == _item(B)["thumbnail_url"] != b["media_url"]  # the cover, not the .mp4
    assert (b["views_count"], b["reach"], b["watch_time_seconds"]) == (9000, 4000, 46800)  # ms -> s
    comments = {c["external_comment_id"]: c for c in parsed.comments}
    assert set(comments) == {"17858893269000001", "17858893269000002", "17858893269000003"}
    top = comments["17858893269000001"]
    assert (top["external_post_id"], top["parent_external_comment_id"], top["author_username"], top["author_external_id"]) == (
        A, None, "coffee.fan", "17841400000000010")
    assert top["likes_count"] == 3 and top["comment_text"] == "Looks great!"
    assert top["commented_at"] == datetime(2026, 11, 18, 10, tzinfo=timezone.utc)
    for reply in ("17858893269000002", "17858893269000003"):
        assert comments[reply]["parent_external_comment_id"] == "17858893269000001"
        assert comments[reply]["external_post_id"] == A
    demo = parsed.demographics
    assert (demo["age_13_17"], demo["age_18_24"], demo["age_25_34"], demo["age_35_44"], demo["age_45_plus"]) == (
        0.0, 25.0, 50.0, 15.0, 10.0)
    assert (demo["gender_male"], demo["gender_female"]) == (38.0, 60.0)
    assert demo["top_countries"] == {"US": 70.0, "CA": 10.0}  # against all followers, not the top list
    assert demo["top_cities"] == {"Oakland, California": 20.0, "San Francisco, California": 15.0}
    assert demo["peak_hours"] == [8, 12, 19]


def test_parser_reads_every_documented_field():
    _check_expected(instagram.Client.parse(_responses()))


def test_fixtures_match_their_own_field_definitions():
    for r in DOC["responses"]:
        assert documented_problems(r["payload"], DOC["fields"][r["endpoint"]]) == [], r["endpoint"]


def _documented(token: str) -> ScriptedTransport:
    """A transport serving each request of a pull its documented payload, once, by path, with
    ``token`` echoed in the paging links as Graph does."""
    by_key: dict[str, list] = {}
    for r in DOC["responses"]:
        by_key.setdefault(r["endpoint"], []).append(r["payload"])
    transport = ScriptedTransport()

    def answer(path: str, body, query: str = "") -> None:
        transport.script("^" + re.escape(BASE + path) + r"(?:\?" + query + r"|$)", (200, {}, body))

    comments = copy.deepcopy(by_key["ig-media/comments"][0])
    comments["data"][0]["replies"]["paging"]["next"] += f"&access_token={token}"
    answer("/me/accounts", DOC["me_accounts"]["payload"])
    answer(f"/{IG_ID}", by_key["ig-user"][0])
    answer(f"/{IG_ID}/media", by_key["ig-user/media"][0])
    answer(f"/{A}/insights", by_key["ig-media/insights"][0])
    answer(f"/{B}/insights", by_key["ig-media/insights"][1])
    answer(f"/{A}/comments", comments)
    answer("/17858893269000001/replies", by_key["ig-comment/replies"][0])
    user = by_key["ig-user/insights"]
    for i, breakdown in enumerate(["age", "gender", "country", "city"]):
        answer(f"/{IG_ID}/insights", user[i], rf".*\bbreakdown={breakdown}(?:&|$)")
    answer(f"/{IG_ID}/insights", user[4], r"(?!.*\bbreakdown=)(?!.*\bsince=)")
    # The pull day's account insights (fixtures/instagram_daily_documented.json; see test_instagram_daily.py).
    daily = json.loads((Path(__file__).parent / "fixtures" / "instagram_daily_documented.json").read_text())["responses"]
    answer(f"/{IG_ID}/insights", daily[0]["payload"], r"(?=.*\bsince=)(?!.*\bbreakdown=)")
    answer(f"/{IG_ID}/insights", daily[1]["payload"], r"(?=.*\bsince=)(?=.*\bbreakdown=follow_type)")
    return transport


def test_a_facebook_login_pull_of_the_documented_payloads():
    session = _documented(TOKEN).install(requests.Session())
    client = instagram.Client(HttpClient(session, sleep=lambda s: None))
    client.pull(AccountRef(id="1", platform="instagram", handle="bluebottle", access_token=TOKEN, posts_per_fetch=10))
    assert all(r.ok for r in client.http.responses), [r.error for r in client.http.responses if not r.ok]
    assert client.http.responses[0].endpoint == "me/accounts"
    listing = next(r for r in client.http.responses if r.endpoint == "ig-user/media")
    assert "thumbnail_url" in listing.request_params["fields"].split(",")  # served on VIDEO media only when asked
    assert TOKEN not in json.dumps([r.payload for r in client.http.responses] + [r.request_params for r in client.http.responses])
    _check_expected(instagram.Client.parse(client.http.responses))


def test_simulator_serves_the_documented_fields_with_documented_types():
    handle = "sunny.studio"
    session = requests.Session()
    mount(session, BASE, ig_sim.Simulator(datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc), [handle]))
    client = instagram.Client(HttpClient(session, sleep=lambda s: None))
    client.pull(AccountRef(id="1", platform="instagram", handle=handle, access_token=demo_token("instagram", handle), posts_per_fetch=30))
    served: dict[str, list] = {}
    for r in client.http.responses:
        if r.ok and r.endpoint in DOC["fields"]:
            served.setdefault(r.endpoint, []).append(r.payload)
    assert set(served) == set(DOC["fields"]), "the pull reaches every documented endpoint"
    for endpoint, payloads in served.items():
        fields = DOC["fields"][endpoint]
        for payload in payloads:
            assert documented_problems(payload, fields) == [], endpoint
        required = {path for path, _kind, needed, _src in fields if needed}
        missing = required - documented_paths_seen(payloads, fields)
        assert not missing, f"{endpoint}: the simulator never serves {sorted(missing)}"
    # thumbnail_url: on VIDEO media only, as Meta documents, and served when asked
    items = [item for payload in served["ig-user/media"] for item in payload["data"]]
    assert any(item.get("thumbnail_url") for item in items)
    assert all(("thumbnail_url" in item) == (item["media_type"] == "VIDEO") for item in items)


@pytest.mark.parametrize("row", [row for rows in DOC["fields"].values() for row in rows])
def test_every_field_definition_cites_a_page(row):
    path, kind, required, source = row
    assert source in DOC["_pages"] and DOC["_pages"][source].startswith("https://developers.facebook.com/")
