"""LinkedIn Community Management API: the client and parser against fixtures written from
LinkedIn's reference pages on Microsoft Learn (not from our simulator), and a checker holding the
simulator's payloads of a full pull to the same field definitions.

Every fixture cites its page in ``_source``. HTTP is faked only at the transport.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, PlatformError
from social_pipeline.platforms.linkedin import client as linkedin
from social_pipeline.simulator import linkedin as linkedin_sim
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "AQX-documented-fixture-token-0001"
HANDLE = "acme-robotics"
ORG = "2414183"
V, S1, S2 = "urn:li:ugcPost:7100000000000000001", "urn:li:share:7100000000000000002", "urn:li:share:7100000000000000003"
ACT = "urn:li:activity:7100000000000000901"
C1 = f"urn:li:comment:({ACT},7100000000000000501)"


def fixture(name: str) -> Any:
    body = json.loads((FIXTURES / name).read_text())
    assert body.pop("_source"), f"{name}: cite the page it follows"
    return body


def _pages(answers) -> ScriptedTransport:
    """A transport answering each request from (path, status, fixture) rules, each used once, in
    order; the path is matched as the client sends it (percent-encoded), on any host."""
    transport = ScriptedTransport()
    by_path: dict[str, list] = {}
    for path, status, name in answers:
        by_path.setdefault(path, []).append((status, {}, fixture(name)))
    for path, scripted in by_path.items():
        transport.script(r"^https://[^/]+" + re.escape(quote(path, safe="/")) + r"(?:\?|$)", *scripted)
    return transport


def _unused(transport: ScriptedTransport) -> list:
    return [answer for rule in transport.rules for answer in rule.answers[rule.used:]]


def _client(answers, **creds):
    transport = _pages(answers)
    session = transport.install(requests.Session())
    return linkedin.Client(HttpClient(session, sleep=lambda s: None, max_attempts=1), credentials=creds), transport


def _account(posts: int = 3) -> AccountRef:
    return AccountRef(id="a1", platform="linkedin", handle=HANDLE, access_token=TOKEN, posts_per_fetch=posts,
                      external_id=ORG)


FULL = [
    (f"/rest/organizations/{ORG}", 200, "organization.json"),
    (f"/rest/networkSizes/urn:li:organization:{ORG}", 200, "network_sizes.json"),
    ("/rest/posts", 200, "posts_page1.json"),
    ("/rest/posts", 200, "posts_page2.json"),
    ("/rest/organizationalEntityShareStatistics", 200, "share_statistics_shares.json"),
    ("/rest/organizationalEntityShareStatistics", 200, "share_statistics_ugc.json"),
    (f"/rest/socialActions/{V}/comments", 200, "comments_video.json"),
    (f"/rest/socialActions/{C1}/comments", 200, "comments_reply.json"),
    (f"/rest/socialActions/{S1}/comments", 200, "comments_empty.json"),
    (f"/rest/socialActions/{S2}/comments", 200, "comments_empty.json"),
    ("/rest/organizationalEntityFollowerStatistics", 200, "follower_statistics.json"),
]


def test_documented_pull_parses_every_field():
    client, adapter = _client(FULL)
    client.pull(_account())
    assert _unused(adapter) == []  # every documented answer was asked for
    posts_urls = [r.url for r in adapter.sent if urlparse(r.url).path == "/rest/posts"]
    assert "start=0" in posts_urls[0] and "start=2" in posts_urls[1]  # start+count paging
    assert all(r.headers["X-Restli-Protocol-Version"] == "2.0.0" and r.headers["LinkedIn-Version"] for r in adapter.sent)

    parsed = linkedin.Client.parse(client.http.responses)
    assert parsed.account["external_user_id"] == ORG
    assert parsed.account["display_name"] == "Acme Robotics"
    assert parsed.account["followers_count"] == 12500
    video, text, image = parsed.posts
    assert [p["external_post_id"] for p in parsed.posts] == [V, S1, S2]
    assert video["posted_at"] == datetime.fromtimestamp(1763500060, timezone.utc)  # publishedAt
    assert text["posted_at"] == datetime.fromtimestamp(1763400000, timezone.utc)  # createdAt fallback
    assert (video["media_type"], text["media_type"], image["media_type"]) == ("video", "text", "image")
    assert video["title"] == "Parcel sorter demo"
    assert (video["likes_count"], video["comments_count"], video["shares_count"]) == (210, 2, 12)
    assert (video["impressions"], video["reach"]) == (7000, 5400)
    assert video["views_count"] is None
    # statistics LinkedIn left out are not reported (NULL), not 0; a real 0 stays 0
    assert image["reach"] is None and image["comments_count"] is None and image["shares_count"] == 0
    assert text["comments_count"] == 0
    # hashtags as LinkedIn marks them up in little text
    assert video["hashtags"] == ["robotics", "Logistics"]
    assert text["hashtags"] == [] and image["hashtags"] == []
    assert video["post_url"] == f"https://www.linkedin.com/feed/update/{V}/"

    # comments: ``object`` is the activity URN; they still land on the post that was asked
    top, reply = parsed.comments
    assert top["external_post_id"] == V and reply["external_post_id"] == V
    assert top["external_comment_id"] == "7100000000000000501" and top["parent_external_comment_id"] is None
    assert reply["parent_external_comment_id"] == "7100000000000000501"
    assert top["comment_text"] == "How fast is it?" and top["likes_count"] == 4
    assert top["commented_at"] == datetime.fromtimestamp(1763510000, timezone.utc)
    assert reply["author_username"] == HANDLE and top["author_username"] is None
    assert top["author_external_id"] == "urn:li:person:A8xe03Qt10"
    # organicFollowerCount already holds paid followers for demographic facets: paid is not added
    assert parsed.demographics["top_countries"] == {"US": round(700 / 950 * 100, 2), "GB": round(250 / 950 * 100, 2)}


UNMAPPED = [*FULL[:-1], ("/rest/organizationalEntityFollowerStatistics", 200, "follower_statistics_unmapped.json")]


def test_geo_ids_outside_the_table_are_named_through_the_geo_api():
    client, adapter = _client([*UNMAPPED, ("/rest/geo", 200, "geo_batch.json")])
    client.pull(_account())
    assert _unused(adapter) == []
    geo = [r.url for r in adapter.sent if urlparse(r.url).path == "/rest/geo"]
    # one BATCH_GET, Rest.li list literal, only the ids the table does not map (US is mapped)
    assert len(geo) == 1 and geo[0].endswith("?ids=List(104514075,104738515,999999999)")
    top = linkedin.Client.parse(client.http.responses).demographics["top_countries"]
    assert top == {"US": 60.0, "Denmark": 25.0, "Ireland": 10.0, "urn:li:geo:999999999": 5.0}


@pytest.mark.parametrize("status", [403, 500])
def test_a_failed_geo_call_keeps_the_urns_and_the_pull(status):
    client, adapter = _client([*UNMAPPED, ("/rest/geo", status, "error_403.json")])
    client.pull(_account())  # does not raise: the counts are in hand
    assert _unused(adapter) == []
    parsed = linkedin.Client.parse(client.http.responses)
    assert parsed.demographics["top_countries"] == {
        "US": 60.0, "urn:li:geo:104514075": 25.0, "urn:li:geo:104738515": 10.0, "urn:li:geo:999999999": 5.0,
    }
    assert len(parsed.posts) == 3 and parsed.account["followers_count"] == 12500


@pytest.mark.parametrize("status,name", [(401, "error_401.json"), (403, "error_403.json")])
def test_refused_token_names_platform_account_column_and_quotes_linkedin_error(status, name):
    body = fixture(name)
    client, _ = _client([(f"/rest/organizations/{ORG}", status, name)])
    with pytest.raises(PlatformError) as exc:
        client.pull(_account())
    text = str(exc.value)
    assert exc.value.status_code == status
    assert "LinkedIn" in text or "linkedin" in text
    assert f"@{HANDLE}" in text and "social_accounts.access_token" in text
    assert str(body["serviceErrorCode"]) in text and body["message"] in text and str(body["status"]) in text
    assert TOKEN not in text


def test_refresh_failure_quotes_error_and_names_variables():
    session = _pages([("/oauth/v2/accessToken", 400, "oauth_invalid_refresh.json")]).install(requests.Session())
    client = linkedin.Client(HttpClient(session, sleep=lambda s: None),
                             credentials={"client_id": "cid-doc", "client_secret": "cs-doc-secret"})
    with pytest.raises(PlatformError) as exc:
        client.refresh_access_token(_account(), "AQW-refresh-doc")
    text = str(exc.value)
    body = fixture("oauth_invalid_refresh.json")
    assert body["error"] in text and body["error_description"] in text
    assert "SOCIAL_PIPELINE_LINKEDIN_CLIENT_ID" in text and "SOCIAL_PIPELINE_LINKEDIN_CLIENT_SECRET" in text
    assert "cs-doc-secret" not in text and "AQW-refresh-doc" not in text
    bare = linkedin.Client(HttpClient(requests.Session()))
    with pytest.raises(PlatformError, match="SOCIAL_PIPELINE_LINKEDIN_CLIENT_ID") as missing:
        bare.refresh_access_token(_account(), "x")
    assert f"@{HANDLE}" in str(missing.value)


# -- the checker: our simulator's payloads against the documented field definitions ----------------
PAGING = {"start": int, "count": int, "links": list, "total": int}
POST = {"id": str, "author": str, "commentary": str, "visibility": str, "lifecycleState": str, "createdAt": int,
        "publishedAt": int, "lastModifiedAt": int, "distribution": dict, "content": dict, "isReshareDisabledByAuthor": bool,
        "lifecycleStateInfo": dict, "reshareContext": dict, "contentLandingPage": str, "adContext": dict,
        "contentCallToActionLabel": str, "isEditedByAuthor": bool}
STATS = {"uniqueImpressionsCount": int, "shareCount": int, "engagement": (int, float), "clickCount": int,
         "likeCount": int, "impressionCount": int, "commentCount": int, "commentMentionsCount": int,
         "shareMentionsCount": int}
COMMENT = {"actor": str, "agent": str, "commentUrn": str, "$URN": str, "created": dict, "lastModified": dict, "id": str,
           "message": dict, "object": str, "parentComment": str, "likesSummary": dict, "commentsSummary": dict,
           "content": list}


def _typed(obj: Any, fields: dict[str, Any], where: str, required: tuple[str, ...] = ()) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where}: not an object"]
    out = [f"{where}.{k}: required" for k in required if k not in obj]
    for key, value in obj.items():
        want = fields.get(key)
        if want is None:
            out.append(f"{where}.{key}: not a documented field")
        elif value is not None and (not isinstance(value, want) or (isinstance(value, bool) and want is not bool)):
            out.append(f"{where}.{key}: wrong type {type(value).__name__}")
    return out


def violations(endpoint: str, payload: Any) -> list[str]:
    if endpoint == linkedin.NETWORK_SIZES:
        return _typed(payload, {"firstDegreeSize": int}, "$", ("firstDegreeSize",))
    if endpoint in (linkedin.POSTS, linkedin.SHARE_STATS, linkedin.COMMENTS):
        out = _typed(payload, {"paging": dict, "elements": list, "metadata": dict}, "$", ("elements",))
        if isinstance(payload.get("paging"), dict):
            out += _typed(payload["paging"], PAGING, "$.paging")
        for i, el in enumerate(payload.get("elements") or []):
            w = f"$.elements[{i}]"
            if endpoint == linkedin.POSTS:
                out += _typed(el, POST, w, ("id", "author", "createdAt", "lifecycleState", "visibility"))
            elif endpoint == linkedin.COMMENTS:
                out += _typed(el, COMMENT, w, ("actor", "created", "id", "object"))
            else:
                out += _typed(el, {"organizationalEntity": str, "share": str, "ugcPost": str,
                                   "totalShareStatistics": dict}, w, ("organizationalEntity", "totalShareStatistics"))
                if isinstance(el, dict):
                    out += _typed(el.get("totalShareStatistics"), STATS, f"{w}.totalShareStatistics")
        return out
    if endpoint == linkedin.POST:
        return _typed(payload, POST, "$", ("id", "author", "createdAt"))
    if endpoint == linkedin.GEO:
        out = _typed(payload, {"statuses": dict, "results": dict, "errors": dict}, "$", ("results",))
        for key, entity in (payload.get("results") or {}).items():
            out += _typed(entity, {"defaultLocalizedName": dict, "id": int}, f"$.results[{key}]", ("id",))
            if isinstance(entity, dict) and isinstance(entity.get("defaultLocalizedName"), dict):
                out += _typed(entity["defaultLocalizedName"], {"locale": dict, "value": str},
                              f"$.results[{key}].defaultLocalizedName", ("value",))
        return out
    return []


def test_documented_fixtures_pass_the_checker():
    for endpoint, name in [(linkedin.POSTS, "posts_page1.json"), (linkedin.POSTS, "posts_page2.json"),
                           (linkedin.SHARE_STATS, "share_statistics_shares.json"),
                           (linkedin.COMMENTS, "comments_video.json"), (linkedin.NETWORK_SIZES, "network_sizes.json"),
                           (linkedin.GEO, "geo_batch.json")]:
        assert violations(endpoint, fixture(name)) == [], name
    bad = fixture("posts_page1.json")
    bad["elements"][0]["createdAt"] = "1763500000000"
    del bad["elements"][1]["author"]
    assert len(violations(linkedin.POSTS, bad)) == 2


def test_simulator_full_pull_matches_documented_fields():
    as_of = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
    handle = "acme.robotics"  # an account of the simulated world
    session = requests.Session()
    mount(session, linkedin.Client.default_base_url, linkedin_sim.Simulator(as_of, [handle]))
    client = linkedin.Client(HttpClient(session, sleep=lambda s: None), credentials={"version": "202610"})
    client.pull(AccountRef(id="a", platform="linkedin", handle=handle, access_token=demo_token("linkedin", handle),
                           posts_per_fetch=30))
    assert {linkedin.POSTS, linkedin.SHARE_STATS, linkedin.COMMENTS, linkedin.GEO} <= {r.endpoint for r in client.http.responses}
    problems = []
    for r in client.http.responses:
        if r.ok:
            problems += [f"{r.endpoint}[{r.page_index}] {p}" for p in violations(r.endpoint, r.payload)]
    assert problems == []
    parsed = linkedin.Client.parse(client.http.responses)
    assert any(p["hashtags"] for p in parsed.posts)  # the simulator marks hashtags up in little text


# -- secrets: nothing recorded from a full pull (and a token refresh) holds a credential -----------
def test_no_stored_response_of_a_full_pull_holds_a_credential():
    as_of = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
    handle = "acme.robotics"
    session = requests.Session()
    sim = linkedin_sim.Simulator(as_of, [handle])
    mount(session, linkedin.Client.default_base_url, sim)
    mount(session, linkedin.DEFAULT_OAUTH_BASE_URL, sim)
    secret = "cs-linkedin-app-secret"
    client = linkedin.Client(HttpClient(session, sleep=lambda s: None),
                             credentials={"client_id": "cid-linkedin", "client_secret": secret, "version": "202610"})
    token = demo_token("linkedin", handle)
    account = AccountRef(id="a", platform="linkedin", handle=handle, access_token=token, posts_per_fetch=30)
    client.pull(account)
    grant = client.refresh_access_token(account, f"demo-refresh-{handle}")
    with pytest.raises(PlatformError) as refused:
        client.pull(AccountRef(id="a", platform="linkedin", handle=handle, access_token=token + "-expired",
                               posts_per_fetch=5))
    assert "REVOKED" in str(refused.value) or "EXPIRED" in str(refused.value)
    stored = json.dumps([[r.endpoint, r.request_params, r.payload, r.error] for r in client.http.responses], default=str)
    for credential in (token, grant.access_token, secret, f"demo-refresh-{handle}"):
        assert credential not in stored
        assert credential not in str(refused.value)
