"""Facebook Pages against payloads written from Meta's reference pages
(fixtures/facebook_documented.json, each field definition citing its page), not from our
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
from social_pipeline.platforms.facebook import client as facebook
from social_pipeline.simulator import facebook as fb_sim
from social_pipeline.simulator.meta_graph import documented_paths_seen, documented_problems
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

DOC = json.loads((Path(__file__).parent / "fixtures" / "facebook_documented.json").read_text())
BASE = facebook.Client.default_base_url
TOKEN = "EAAGdocumentedPageToken456"
PAGE = "134895793791914"
P1, P2, P3 = (f"{PAGE}_1029384756102938", f"{PAGE}_1029384756102950", f"{PAGE}_1029384756102960")
REEL_VIDEO = "765432109876543"


def _responses() -> list[RawResponse]:
    at = datetime(2026, 11, 20, tzinfo=timezone.utc)
    return [
        RawResponse(r["endpoint"], {}, r["page_index"], 1, 200, copy.deepcopy(r["payload"]), None, 1, at)
        for r in DOC["responses"]
    ]


def _check_expected(parsed) -> None:
    acct = parsed.account
    assert (acct["external_user_id"], acct["display_name"], acct["followers_count"]) == (PAGE, "Corner Bakery", 4350)
    assert acct["profile_url"] == "https://www.facebook.com/cornerbakery" and acct["posts_count"] is None
    posts = {p["external_post_id"]: p for p in parsed.posts}
    photo, video, reel = posts[P1], posts[P2], posts[P3]
    assert (photo["media_type"], photo["caption"], photo["post_url"]) == (
        "image", "Fresh sourdough today", "https://www.facebook.com/cornerbakery/posts/pfbid0abc")
    assert photo["media_url"] == "https://scontent.xx.fbcdn.net/v/t39.30808-6/1_n.jpg"
    assert photo["thumbnail_url"] == "https://scontent.xx.fbcdn.net/v/t39.30808-6/1_n.jpg"  # the photo itself
    assert photo["posted_at"] == datetime(2026, 11, 18, 8, tzinfo=timezone.utc)
    assert (photo["likes_count"], photo["comments_count"], photo["shares_count"]) == (57, 2, 4)
    assert (photo["impressions"], photo["reach"], photo["views_count"], photo["watch_time_seconds"]) == (2400, 1700, None, None)
    assert video["media_type"] == "video" and video["caption"] is None
    assert video["media_url"] == "https://video.xx.fbcdn.net/v/t42.1790-2/2_n.mp4"
    assert video["thumbnail_url"] == "https://scontent.xx.fbcdn.net/v/t15.5256-10/2_n.jpg"  # media.image, not the mp4
    assert (video["shares_count"], video["likes_count"], video["comments_count"]) == (0, 12, 0)  # no `shares`: 0
    assert (video["impressions"], video["reach"], video["views_count"], video["watch_time_seconds"]) == (5000, 3100, 1500, 4500)
    assert reel["post_url"] == "https://www.facebook.com/reel/765432109876543"
    assert reel["thumbnail_url"] == "https://scontent.xx.fbcdn.net/v/t15.5256-10/3_n.jpg"
    assert (reel["views_count"], reel["reach"], reel["watch_time_seconds"], reel["impressions"]) == (12000, 8000, 87600, None)
    assert (reel["shares_count"], reel["likes_count"]) == (9, 300)
    comments = {c["external_comment_id"]: c for c in parsed.comments}
    first = comments["1029384756102938_555000000000001"]
    assert (first["external_post_id"], first["parent_external_comment_id"], first["author_username"], first["author_external_id"]) == (
        P1, None, "Ana Lima", "100000000000123")
    assert (first["likes_count"], first["comment_text"]) == (2, "Save me a loaf!")
    assert first["commented_at"] == datetime(2026, 11, 18, 9, tzinfo=timezone.utc)
    reply = comments["1029384756102938_555000000000002"]
    assert reply["parent_external_comment_id"] == "1029384756102938_555000000000001" and reply["author_external_id"] == PAGE
    anonymous = comments["1029384756102938_555000000000003"]
    assert anonymous["author_username"] is None and anonymous["author_external_id"] is None  # `from` withheld
    demo = parsed.demographics
    assert demo["top_countries"] == {"US": 75.0, "CA": 12.5, "MX": 12.5}
    # Shares of all 4,000 followers (the country breakdown), not of the listed cities: Graph lists
    # only the top cities, so dividing by their sum made Chicago 66.67 % of an audience it is half of.
    assert demo["top_cities"] == {"Chicago, IL": 50.0, "Evanston, IL": 25.0}
    assert demo["age_18_24"] is None and demo["gender_male"] is None


def test_parser_reads_every_documented_field():
    _check_expected(facebook.Client.parse(_responses()))


def test_thumbnail_is_the_first_attachment_image_and_none_without_one():
    responses = _responses()
    posts = next(r for r in responses if r.endpoint == "page/posts").payload["data"]
    photo, video = posts[0], posts[1]
    del photo["attachments"]  # a status update: no attachment, no picture
    # A first attachment without media.image (a link share without a preview), then the video.
    video["attachments"]["data"].insert(0, {"media_type": "link", "type": "share", "url": "https://example.com/menu"})
    parsed = {p["external_post_id"]: p for p in facebook.Client.parse(responses).posts}
    assert parsed[P1]["thumbnail_url"] is None and parsed[P1]["media_url"] is None
    assert parsed[P2]["thumbnail_url"] == "https://scontent.xx.fbcdn.net/v/t15.5256-10/2_n.jpg"


def test_fixtures_match_their_own_field_definitions():
    for r in DOC["responses"]:
        assert documented_problems(r["payload"], DOC["fields"][r["endpoint"]]) == [], r["endpoint"]


def _documented() -> ScriptedTransport:
    """A transport answering each request of a pull with its documented payload, once, and only
    when the request carries the documented token."""
    by_key: dict[str, list] = {}
    for r in DOC["responses"]:
        by_key.setdefault(r["endpoint"], []).append(r["payload"])
    transport = ScriptedTransport()
    token = r"(?=(?:.*&)?access_token=" + re.escape(TOKEN) + r"(?:&|$))"

    def answer(path: str, *bodies) -> None:
        transport.script("^" + re.escape(BASE) + path + r"\?" + token, *[(200, {}, body) for body in bodies])

    answer(re.escape("/me"), DOC["me"])
    answer(re.escape(f"/{PAGE}"), by_key["page"][0])
    answer(re.escape(f"/{PAGE}/posts"), by_key["page/posts"][0])
    answer(re.escape(f"/{P1}/insights"), by_key["post/insights"][0])
    answer(re.escape(f"/{P2}/insights"), by_key["post/insights"][1])
    answer(re.escape(f"/{REEL_VIDEO}/video_insights"), by_key["video/video_insights"][0])
    answer(re.escape(f"/{P1}/comments"), by_key["post/comments"][0])
    answer(r"/[^/?]+/comments", *[{"data": []}] * 2)  # the other posts' comments: none
    # The pull day's period=day series (fixtures/facebook_page_daily.json); a pull of today asks
    # no gains after it.
    daily = json.loads((Path(__file__).parent / "fixtures" / "facebook_page_daily.json").read_text())
    answer(re.escape(f"/{PAGE}/insights") + r"(?=.*period=day)", daily["daily"]["payload"])
    answer(re.escape(f"/{PAGE}/insights"), by_key["page/insights"][0])
    return transport


def test_a_pull_of_the_documented_payloads():
    session = _documented().install(requests.Session())
    client = facebook.Client(HttpClient(session, sleep=lambda s: None))
    client.pull(AccountRef(id="1", platform="facebook", handle="cornerbakery", access_token=TOKEN, posts_per_fetch=10))
    assert all(r.ok for r in client.http.responses), [r.error for r in client.http.responses if not r.ok]
    # A Reel is never asked for /insights: its numbers come from its video's video_insights.
    assert f"/{P3}/insights" not in json.dumps([r.endpoint for r in client.http.responses])
    assert sum(r.endpoint == "video/video_insights" for r in client.http.responses) == 1
    _check_expected(facebook.Client.parse(client.http.responses))


@pytest.mark.parametrize("reels", [False, True])
def test_simulator_serves_the_documented_fields_with_documented_types(reels):
    handle = "corner.bakery"
    session = requests.Session()
    mount(session, BASE, fb_sim.Simulator(datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc), [handle], reels=reels))
    client = facebook.Client(HttpClient(session, sleep=lambda s: None), today=datetime(2026, 11, 20).date())
    client.pull(AccountRef(id="1", platform="facebook", handle=handle, access_token=demo_token("facebook", handle), posts_per_fetch=23))
    served: dict[str, list] = {}
    for r in client.http.responses:
        if r.ok and r.endpoint in DOC["fields"]:
            served.setdefault(r.endpoint, []).append(r.payload)
    expected = set(DOC["fields"]) - (set() if reels else {"video/video_insights"})
    assert expected <= set(served)
    for endpoint, payloads in served.items():
        fields = DOC["fields"][endpoint]
        for payload in payloads:
            assert documented_problems(payload, fields) == [], endpoint
        required = {path for path, _kind, needed, _src in fields if needed}
        missing = required - documented_paths_seen(payloads, fields)
        assert not missing, f"{endpoint}: the simulator never serves {sorted(missing)}"
    # Photos, albums and videos come with media.image.src: each has a picture for the dashboard.
    posts = facebook.Client.parse(client.http.responses).posts
    assert {"image", "video"} <= {p["media_type"] for p in posts}
    for post in posts:
        if post["media_type"] == "text":
            assert post["thumbnail_url"] is None
        else:
            assert post["thumbnail_url"].startswith("https://scontent."), post["external_post_id"]


@pytest.mark.parametrize("row", [row for rows in DOC["fields"].values() for row in rows])
def test_every_field_definition_cites_a_page(row):
    path, kind, required, source = row
    assert source in DOC["_pages"] and DOC["_pages"][source].startswith("https://developers.facebook.com/")
