"""Pinterest API v5: the client and parser against fixtures written from Pinterest's OpenAPI
description (github.com/pinterest/api-description, v5/openapi.yaml), not from our simulator, and a
checker holding the simulator's payloads of a full pull to the same schemas.

Every fixture cites its schema in ``_source``. HTTP is faked only at the transport.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, PlatformError
from social_pipeline.platforms.pinterest import client as pinterest
from social_pipeline.simulator import pinterest as pinterest_sim
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "pina_documented-fixture-token-0001"
HANDLE = "plantsbymia"
TODAY = date(2026, 11, 20)
V, I, M = "813744226420795884", "813744226420795885", "813744226420795886"


def fixture(name: str) -> Any:
    body = json.loads((FIXTURES / name).read_text())
    assert body.pop("_source"), f"{name}: cite the schema it follows"
    return body


def _client(answers, **creds) -> tuple[pinterest.Client, ScriptedTransport]:
    """A client whose transport answers each request from (path, status, fixture) rules, each used
    once, in order; a request no rule answers fails with a connection error."""
    transport = ScriptedTransport()
    for want, status, name in answers:
        transport.script(r"^https://[^/?#]+" + re.escape(want) + r"(?:\?|$)", (status, {}, fixture(name)))
    session = transport.install(requests.Session())
    client = pinterest.Client(HttpClient(session, sleep=lambda s: None, max_attempts=1), credentials=creds,
                              today=TODAY)
    return client, transport


def _account(posts: int = 50) -> AccountRef:
    return AccountRef(id="a1", platform="pinterest", handle=HANDLE, access_token=TOKEN, posts_per_fetch=posts)


FULL = [
    ("/v5/user_account", 200, "user_account.json"),
    ("/v5/user_account/analytics", 200, "user_account_analytics.json"),
    ("/v5/pins", 200, "pins_page1.json"),
    ("/v5/pins", 200, "pins_page2.json"),
    (f"/v5/pins/{V}/analytics", 200, "pin_analytics_video.json"),
    (f"/v5/pins/{I}/analytics", 200, "pin_analytics_image_daily.json"),
    (f"/v5/pins/{M}/analytics", 200, "pin_analytics_image_daily.json"),
    ("/v5/ad_accounts", 403, "error_403_scope.json"),
]


def test_documented_pull_parses_every_field():
    client, transport = _client(FULL)
    client.pull(_account())
    listing = [r.url for r in transport.sent if requests.utils.urlparse(r.url).path == "/v5/pins"]
    assert "bookmark=ZmlsdGVyX3ZhbHVlPTEyMzQ1Njc4OQ%3D%3D" in listing[1] and "bookmark" not in listing[0]

    parsed = pinterest.Client.parse(client.http.responses)
    acct = parsed.account
    assert acct["external_user_id"] == "2783136121146311751"
    assert acct["display_name"] == "Plants by Mia"
    assert (acct["followers_count"], acct["following_count"], acct["pins_count"]) == (10, 347, 339)
    assert acct["total_views"] is None  # monthly_views is a rolling figure, not a total

    video, image, carousel = parsed.posts
    assert [p["external_post_id"] for p in parsed.posts] == [V, I, M]
    assert video["posted_at"] == datetime(2026, 11, 10, 15, 30, tzinfo=timezone.utc)
    assert video["media_type"] == "video" and video["duration"] == 30
    assert video["media_url"] == "https://i.pinimg.com/videos/thumbnails/originals/1.jpg"
    assert video["thumbnail_url"] == "https://i.pinimg.com/videos/thumbnails/originals/1.jpg"  # cover_image_url
    assert video["caption"] == "Step by step #plants #monstera" and video["title"] == "Repotting a monstera"
    assert (video["likes_count"], video["comments_count"]) == (10, 2)  # lifetime reaction / comment
    assert video["impressions"] == 250  # lifetime pin_metrics beats the window figure
    assert (video["saves_count"], video["views_count"]) == (20, 20)
    assert video["watch_time_seconds"] == round(2507.75 * 20 / 1000)
    assert video["completion_rate"] == round(2507.75 / 30000 * 100, 2)
    assert video["post_url"] == f"https://www.pinterest.com/pin/{V}/"
    # pin_metrics null: likes/comments not reported (NULL, not 0); impressions from daily sums
    assert image["likes_count"] is None and image["comments_count"] is None
    assert image["impressions"] == 12 and image["saves_count"] == 3
    assert image["views_count"] is None and image["watch_time_seconds"] is None
    assert image["media_url"] == "https://i.pinimg.com/1200x/2.jpg"
    assert image["thumbnail_url"] == "https://i.pinimg.com/1200x/2.jpg"
    assert image["caption"] is None and image["title"] is None
    assert carousel["media_type"] == "carousel" and carousel["likes_count"] == 0
    assert carousel["media_url"] == "https://i.pinimg.com/1200x/3a.jpg"
    # The Pin schema has no structured tags: hashtags come from the caption in the pipeline.
    assert all(p.get("hashtags") is None for p in parsed.posts)
    assert all(p["shares_count"] is None and p["reach"] is None for p in parsed.posts)
    assert parsed.comments == [] and parsed.demographics is None


def test_null_counters_stay_null():
    client, _ = _client([("/v5/user_account", 200, "user_account_no_counts.json"),
                         ("/v5/user_account/analytics", 200, "user_account_analytics.json"),
                         ("/v5/pins", 200, "pins_page2.json"),
                         (f"/v5/pins/{M}/analytics", 200, "pin_analytics_image_daily.json"),
                         ("/v5/ad_accounts", 403, "error_403_scope.json")])
    client.pull(_account())
    acct = pinterest.Client.parse(client.http.responses).account
    assert acct["followers_count"] is None and acct["following_count"] is None and acct["pins_count"] is None
    assert acct["display_name"] == HANDLE


@pytest.mark.parametrize("status,name", [(401, "error_401.json"), (403, "error_403_scope.json")])
def test_refused_token_names_platform_account_column_and_quotes_pinterest_error(status, name):
    body = fixture(name)
    client, _ = _client([("/v5/user_account", status, name)])
    with pytest.raises(PlatformError) as exc:
        client.pull(_account())
    text = str(exc.value)
    assert exc.value.status_code == status
    assert "Pinterest" in text or "pinterest" in text
    assert f"@{HANDLE}" in text and "social_accounts.access_token" in text
    assert str(body["code"]) in text and body["message"] in text
    assert TOKEN not in text


def test_refresh_failure_quotes_error_and_names_variables():
    client, _ = _client([("/v5/oauth/token", 400, "oauth_invalid_refresh.json")],
                        client_id="cid-doc", client_secret="cs-doc-secret")
    with pytest.raises(PlatformError) as exc:
        client.refresh_access_token(_account(), "pinr.refresh-doc")
    text = str(exc.value)
    assert "Invalid refresh token." in text and "code 1" in text
    assert "SOCIAL_PIPELINE_PINTEREST_CLIENT_ID" in text and "SOCIAL_PIPELINE_PINTEREST_CLIENT_SECRET" in text
    assert "cs-doc-secret" not in text and "pinr.refresh-doc" not in text
    bare, _ = _client([])
    with pytest.raises(PlatformError, match="SOCIAL_PIPELINE_PINTEREST_CLIENT_SECRET") as missing:
        bare.refresh_access_token(_account(), "pinr.x")
    assert f"@{HANDLE}" in str(missing.value)


# -- the checker: our simulator's payloads against the schemas of the OpenAPI description ---------
# (property -> type, from components.schemas; nullable properties may be null)
ACCOUNT = {"about": str, "account_type": str, "board_count": int, "business_name": str, "follower_count": int,
           "following_count": int, "id": str, "monthly_views": int, "pin_count": int, "profile_image": str,
           "username": str, "website_url": str}
PIN = {"alt_text": str, "board_id": str, "board_owner": dict, "board_section_id": str, "created_at": str,
       "creative_type": str, "description": str, "dominant_color": str, "has_been_promoted": bool, "id": str,
       "is_owner": bool, "is_standard": bool, "link": str, "media": dict, "parent_pin_id": str,
       "pin_metrics": dict, "title": str, "note": str, "product_tags": list}
MEDIA_KINDS = {"image", "video", "multiple_images", "multiple_videos", "multiple_mixed"}
ANALYTICS = {"daily_metrics": list, "summary_metrics": dict, "lifetime_metrics": dict}


def _typed(obj: Any, fields: dict[str, type], where: str, required: tuple[str, ...] = ()) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where}: not an object"]
    out = [f"{where}.{k}: required" for k in required if k not in obj]
    for key, value in obj.items():
        want = fields.get(key)
        if want is None:
            out.append(f"{where}.{key}: not in the schema")
        elif value is not None and (not isinstance(value, want) or isinstance(value, bool) is not (want is bool)):
            out.append(f"{where}.{key}: expected {want.__name__}, got {type(value).__name__}")
    return out


def _pin(pin: Any, where: str) -> list[str]:
    out = _typed(pin, PIN, where, ("id",))
    media = pin.get("media") if isinstance(pin, dict) else None
    if isinstance(media, dict) and media.get("media_type") not in MEDIA_KINDS:
        out.append(f"{where}.media.media_type: {media.get('media_type')!r} not in the PinMedia discriminator")
    if isinstance(media, dict) and media.get("duration") is not None and not isinstance(media["duration"], (int, float)):
        out.append(f"{where}.media.duration: expected a number")
    return out


def violations(endpoint: str, payload: Any) -> list[str]:
    if endpoint == pinterest.USER_ACCOUNT:
        return _typed(payload, ACCOUNT, "$")
    if endpoint == pinterest.PINS:
        out = _typed(payload, {"items": list, "bookmark": str}, "$", ("items",))
        for i, pin in enumerate(payload.get("items") or [] if isinstance(payload, dict) else []):
            out += _pin(pin, f"$.items[{i}]")
        return out
    if endpoint == pinterest.PIN:
        return _pin(payload, "$")
    if endpoint in (pinterest.PIN_ANALYTICS, pinterest.USER_ANALYTICS):
        if not isinstance(payload, dict):
            return ["$: not an object"]
        out = []
        for app, body in payload.items():
            out += _typed(body, ANALYTICS, f"$.{app}")
            for j, day in enumerate(body.get("daily_metrics") or [] if isinstance(body, dict) else []):
                out += _typed(day, {"data_status": str, "date": str, "metrics": dict}, f"$.{app}.daily_metrics[{j}]")
        return out
    return []


def test_documented_fixtures_pass_the_checker():
    assert violations(pinterest.USER_ACCOUNT, fixture("user_account.json")) == []
    assert violations(pinterest.PINS, fixture("pins_page1.json")) == []
    assert violations(pinterest.PINS, fixture("pins_page2.json")) == []
    assert violations(pinterest.PIN_ANALYTICS, fixture("pin_analytics_video.json")) == []
    bad = fixture("pins_page1.json")
    bad["items"][0]["id"] = 813744226420795884
    bad["items"][0]["media"]["media_type"] = "gif"
    assert len(violations(pinterest.PINS, bad)) == 2


def test_simulator_full_pull_matches_the_schemas():
    as_of = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
    session = requests.Session()
    handle = "cozy.kitchen"  # an account of the simulated world
    mount(session, pinterest.Client.default_base_url, pinterest_sim.Simulator(as_of, [handle]))
    client = pinterest.Client(HttpClient(session, sleep=lambda s: None), today=as_of.date())
    client.pull(AccountRef(id="a", platform="pinterest", handle=handle, access_token=demo_token("pinterest", handle),
                           posts_per_fetch=30))
    problems = []
    for r in client.http.responses:
        if r.ok:
            problems += [f"{r.endpoint}[{r.page_index}] {p}" for p in violations(r.endpoint, r.payload)]
    assert {r.endpoint for r in client.http.responses} >= {pinterest.USER_ACCOUNT, pinterest.PINS, pinterest.PIN_ANALYTICS}
    assert problems == []


# -- secrets: nothing recorded from a full pull (and a token refresh) holds a credential -----------
def test_no_stored_response_of_a_full_pull_holds_a_credential():
    as_of = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
    handle = "cozy.kitchen"
    session = requests.Session()
    mount(session, pinterest.Client.default_base_url, pinterest_sim.Simulator(as_of, [handle]))
    secret = "cs-pinterest-app-secret"
    client = pinterest.Client(HttpClient(session, sleep=lambda s: None), today=as_of.date(),
                              credentials={"client_id": "cid-pinterest", "client_secret": secret})
    token = demo_token("pinterest", handle)
    account = AccountRef(id="a", platform="pinterest", handle=handle, access_token=token, posts_per_fetch=30)
    client.pull(account)
    grant = client.refresh_access_token(account, f"demo-refresh-{handle}")
    with pytest.raises(PlatformError) as refused:
        client.pull(AccountRef(id="a", platform="pinterest", handle=handle, access_token="pina_wrong-token-xyz",
                               posts_per_fetch=5))
    stored = json.dumps([[r.endpoint, r.request_params, r.payload, r.error] for r in client.http.responses], default=str)
    for credential in (token, grant.access_token, secret, f"demo-refresh-{handle}", "pina_wrong-token-xyz"):
        assert credential not in stored
        assert credential not in str(refused.value)
