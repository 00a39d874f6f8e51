"""Instagram login types: the data host follows the token (Facebook Login -> graph.facebook.com,
Instagram Login -> graph.instagram.com), and a Facebook-Login token finds the Instagram account
through the Pages it manages (/me/accounts -> instagram_business_account), never /me?username."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
import requests
from datetime import datetime, timezone

from social_pipeline.platforms.base import AccountRef, HttpClient, PlatformError
from social_pipeline.platforms.instagram import client as instagram
from social_pipeline.platforms.meta_graph import graph_base_url
from social_pipeline.simulator import instagram as ig_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimulatorAdapter, demo_token
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "sunny.studio"
FB_HOST = graph_base_url()
IG_HOST = graph_base_url(host="https://graph.instagram.com")


def _client(answers=()):
    """Both hosts served, each by a simulator playing that host; ``answers`` ((status, body))
    answer the first requests to the Facebook host."""
    transport = ScriptedTransport()
    transport.serve(FB_HOST, ig_sim.Simulator(AS_OF, [HANDLE], host="facebook"))
    transport.serve(IG_HOST, ig_sim.Simulator(AS_OF, [HANDLE], host="instagram"))
    if answers:
        transport.script("^" + re.escape(FB_HOST + "/"), *((status, {}, body) for status, body in answers))
    return instagram.Client(HttpClient(transport.install(requests.Session()), sleep=lambda s: None)), transport


def _hosts(transport: ScriptedTransport) -> list[tuple[str, str]]:
    """(host name, path) of every request sent."""
    return [("facebook" if s.url.startswith(FB_HOST + "/") else "instagram" if s.url.startswith(IG_HOST + "/") else s.url,
             urlsplit(s.url).path) for s in transport.sent]


def _account(token: str, external_id: str | None = None, posts: int = 3) -> AccountRef:
    return AccountRef(id="1", platform="instagram", handle=HANDLE, access_token=token, posts_per_fetch=posts, external_id=external_id)


def _ig_id() -> str:
    return ig_sim.Simulator(AS_OF, [HANDLE]).account_id(world.account("instagram", HANDLE))


@pytest.mark.parametrize("login,host", [("facebook", "facebook"), ("instagram", "instagram")])
def test_data_host_follows_the_login_type(login, host):
    client, transport = _client()
    token = ig_sim.login_token(HANDLE, login)
    client.pull(_account(token, external_id=_ig_id()))
    assert {h for h, _ in _hosts(transport)} == {host}
    parsed = instagram.Client.parse(client.http.responses)
    assert parsed.account["external_user_id"] == _ig_id() and len(parsed.posts) == 3


def test_the_simulated_hosts_refuse_the_other_login_like_meta():
    session = requests.Session()
    session.mount(FB_HOST + "/", SimulatorAdapter(FB_HOST, ig_sim.Simulator(AS_OF, [HANDLE], host="facebook")))
    body = session.get(f"{FB_HOST}/{_ig_id()}", params={"access_token": ig_sim.login_token(HANDLE, "instagram")}).json()
    assert body["error"]["code"] == 190
    body = session.get(f"{FB_HOST}/me", params={"access_token": ig_sim.login_token(HANDLE, "facebook"), "fields": "id,username"}).json()
    assert body["error"]["code"] == 12 and "username field is deprecated" in body["error"]["message"]


def test_facebook_login_finds_the_account_through_me_accounts():
    client, _ = _client()
    client.pull(_account(ig_sim.login_token(HANDLE, "facebook")))
    endpoints = [r.endpoint for r in client.http.responses]
    assert endpoints[0] == "me/accounts" and "me" not in endpoints  # never /me?fields=username
    accounts = client.http.responses[0]
    assert "instagram_business_account" in accounts.request_params["fields"]
    user = next(r for r in client.http.responses if r.endpoint == "ig-user")
    assert user.payload["id"] == _ig_id()
    # The Page list carried Page tokens: nothing of them is stored.
    assert "access_token" not in json.dumps([r.payload for r in client.http.responses])


def test_facebook_login_without_a_matching_page_says_to_give_the_id():
    other = {"data": [
        {"id": "1", "instagram_business_account": {"id": "17841400000000001", "username": "someone.else"}},
        {"id": "2", "instagram_business_account": {"id": "17841400000000002", "username": "another"}},
    ]}
    client, _ = _client(answers=[(200, other)])
    with pytest.raises(PlatformError) as exc:
        client.pull(_account(ig_sim.login_token(HANDLE, "facebook")))
    message = str(exc.value)
    assert f"@{HANDLE}" in message and "--external-id" in message and "someone.else" in message


def test_instagram_login_and_demo_tokens_use_me():
    client, _ = _client()
    client.pull(_account(ig_sim.login_token(HANDLE, "instagram")))
    assert client.http.responses[0].endpoint == "me"
    assert client.http.responses[0].payload["id"] == _ig_id()


def test_instagram_host_setting_and_version():
    client = instagram.Client(HttpClient(), credentials={"version": "v26.0"})
    assert client.base_url == "https://graph.facebook.com/v26.0"
    assert client.instagram_base_url == "https://graph.instagram.com/v26.0"
    client = instagram.Client(HttpClient(), credentials={"graph_base_url": "http://proxy.test/ig/v25.0"})
    assert client.base_url_for("IGQVJ-token") == "http://proxy.test/ig/v25.0"
    assert client.base_url_for("EAAB-token") == client.base_url == "https://graph.facebook.com/v25.0"
    assert client.base_url_for(demo_token("instagram", HANDLE)) == client.base_url


def test_throttle_code_80002_is_retried():
    """Instagram's business-use-case limit, as HTTP 400."""
    body = {"error": {"message": "(#80002) There have been too many calls to this Instagram account.",
                      "type": "OAuthException", "code": 80002, "is_transient": True, "fbtrace_id": "A"}}
    client, _ = _client(answers=[(400, body)])
    client.pull(_account(ig_sim.login_token(HANDLE, "facebook"), external_id=_ig_id(), posts=1))
    first, second = client.http.responses[:2]
    assert first.status_code == 400 and first.error.startswith("throttled") and second.ok
