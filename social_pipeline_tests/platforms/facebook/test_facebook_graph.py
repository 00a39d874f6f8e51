"""Facebook against Graph as it answers today: no credential in any stored payload, the current
metric set (retired metrics refused once per pull), Reels through video_insights, Graph's
throttling codes retried, the version setting, and errors that say what to fix."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

import pytest
import requests

from social_pipeline.platforms import meta_graph
from social_pipeline.platforms.base import AccountRef, HttpClient, PlatformError
from social_pipeline.platforms.facebook import client as facebook
from social_pipeline.simulator import facebook as fb_sim
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import demo_token, mount
from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "corner.bakery"
TOKEN = demo_token("facebook", HANDLE)


def _account(posts: int = 23, token: str = TOKEN, external_id: str | None = None) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001", platform="facebook", handle=HANDLE,
        access_token=token, posts_per_fetch=posts, external_id=external_id,
    )


def _client(sim=None, answers=(), credentials=None, sleeps=None):
    sim = sim or fb_sim.Simulator(AS_OF, [HANDLE])
    base = facebook.Client.default_base_url
    transport = ScriptedTransport().serve(base, sim)
    if answers:  # the first requests get the scripted (status, body) answers, then the simulator
        transport.script("^" + re.escape(base + "/"), *[(status, {}, body) for status, body in answers])
    session = transport.install(requests.Session())
    http = HttpClient(session, sleep=(sleeps.append if sleeps is not None else (lambda s: None)))
    return facebook.Client(http, credentials=credentials, today=AS_OF.date())


# -- no credential in anything stored -----------------------------------------------------------
def test_simulator_echoes_the_token_in_paging_links_like_graph():
    """The fake must echo the token where Graph does, or the scrub test below proves nothing."""
    session = requests.Session()
    mount(session, facebook.Client.default_base_url, fb_sim.Simulator(AS_OF, [HANDLE]))
    page_id = fb_sim.Simulator(AS_OF, [HANDLE]).account_id(world.account("facebook", HANDLE))
    body = session.get(
        f"{facebook.Client.default_base_url}/{page_id}/posts", params={"access_token": TOKEN, "limit": 5}
    ).json()
    assert TOKEN in body["paging"]["next"]
    second = session.get(body["paging"]["next"]).json()
    assert TOKEN in second["paging"]["previous"] and TOKEN in second["paging"]["next"]


def test_a_full_pull_stores_no_token():
    """Every recorded payload, request and error of a full pull, comments and refresh by id
    included. (Checked by hand: with ``scrub_paging`` disabled in ``GraphClient._get``, this
    fails on the first posts page.)"""
    sim = fb_sim.Simulator(AS_OF, [HANDLE])
    posts = world.account("facebook", HANDLE).posts_until(AS_OF)
    client = _client(sim)
    client.pull(
        AccountRef(**{**_account(posts=23).__dict__, "refresh_post_ids": (sim.post_id(posts[30]),)})
    )
    stored = [r for r in client.http.responses]
    assert len(stored) > 60
    with_paging = [r for r in stored if isinstance(r.payload, dict) and "paging" in r.payload]
    assert any("next" in r.payload["paging"] for r in with_paging)  # links were there to scrub
    for r in stored:
        text = json.dumps([r.payload, r.request_params, r.error], default=str)
        assert TOKEN not in text, r.endpoint
        assert "access_token" not in json.dumps(r.payload)


def test_scrub_removes_every_credential_from_nested_paging_links():
    payload = {
        "data": [
            {"id": "1", "comments": {"data": [], "paging": {
                "next": "https://graph.facebook.com/v25.0/1/comments?access_token=EAAsecret&appsecret_proof=abc123&limit=25&after=QQ",
                "previous": "https://graph.facebook.com/v25.0/1/comments?before=QQ&access_token=EAAsecret",
            }}},
        ],
        "paging": {"cursors": {"after": "QQ"}, "next": "https://graph.facebook.com/v25.0/me/posts?access_token=EAAsecret&after=QQ"},
        "note": "see https://x.test/?access_token=EAAsecret",
        "pages": [{"id": "2", "access_token": "EAApagesecret"}],
    }
    meta_graph.scrub_paging(payload)
    text = json.dumps(payload)
    assert "EAAsecret" not in text and "abc123" not in text and "EAApagesecret" not in text
    nested = payload["data"][0]["comments"]["paging"]["next"]
    assert "limit=25" in nested and "after=QQ" in nested and "access_token" not in nested


# -- current metrics, retired ones refused once per pull -----------------------------------------
def test_retired_metric_names_are_refused_by_the_simulator_as_graph_does():
    client = _client()
    post = world.account("facebook", HANDLE).posts_until(AS_OF)[0]
    sim = fb_sim.Simulator(AS_OF, [HANDLE])
    for metric in ("post_impressions", "post_impressions_unique"):
        with pytest.raises(PlatformError):
            client.http.get(client.url(f"{sim.post_id(post)}/insights"), endpoint="post/insights",
                            params={"metric": metric}, secret_params={"access_token": TOKEN})
        err = client.http.responses[-1].payload["error"]
        assert err["code"] == 100 and "valid insights metric" in err["message"]
        assert set(err) >= {"message", "type", "code", "fbtrace_id", "is_transient"}


def test_pull_asks_the_current_metric_set():
    client = _client()
    client.pull(_account(posts=3))
    asked = {m for r in client.http.responses if r.endpoint == "post/insights" for m in r.request_params["metric"].split(",")}
    assert {"post_media_view", "post_total_media_view_unique"} <= asked
    assert not asked & {"post_impressions", "post_impressions_unique"}
    page = next(r for r in client.http.responses if r.endpoint == "page/insights")
    assert page.request_params["metric"] == "page_follows_country,page_follows_city"
    parsed = facebook.Client.parse(client.http.responses)
    for got, want in zip(parsed.posts, world.account("facebook", HANDLE).posts_until(AS_OF)):
        assert got["impressions"] == want.metrics(AS_OF)["impressions"] and got["reach"] == want.metrics(AS_OF)["reach"]
    assert parsed.demographics and parsed.demographics["top_countries"]


def test_a_retired_metric_is_asked_once_per_pull_not_once_per_post():
    """Graph's message does not say which metric it refuses: the client asks one by one once,
    then remembers. (Checked by hand: without the memory this asks it 2 x 23 times.)"""
    sim = fb_sim.Simulator(AS_OF, [HANDLE], deprecated_metrics={"post_clicks", "page_follows_city"})
    client = _client(sim)
    client.pull(_account(posts=23))
    naming = [r for r in client.http.responses if "post_clicks" in str(r.request_params.get("metric"))]
    assert len(naming) == 2  # the combined request, then the lone one that identifies it
    assert [r.ok for r in naming] == [False, False]
    insights = [r for r in client.http.responses if r.endpoint == "post/insights"]
    assert sum(1 for r in insights if not r.ok) == 2
    parsed = facebook.Client.parse(client.http.responses)
    assert len(parsed.posts) == 23 and all(p["reach"] is not None for p in parsed.posts)
    # The Page's city breakdown is refused: countries still arrive, cities stay unknown.
    assert parsed.demographics["top_countries"] and parsed.demographics["top_cities"] is None


def test_reels_come_from_video_insights():
    sim = fb_sim.Simulator(AS_OF, [HANDLE], reels=True)
    client = _client(sim)
    client.pull(_account(posts=23))
    posts = world.account("facebook", HANDLE).posts_until(AS_OF)[:23]
    reels = [p for p in posts if p.kind == "video"]
    assert reels, "the world has videos"
    video_calls = [r for r in client.http.responses if r.endpoint == "video/video_insights"]
    assert len(video_calls) == len(reels) and all(r.ok for r in video_calls)
    insight_ids = {r.payload["data"][0]["id"].split("/")[0] for r in client.http.responses if r.endpoint == "post/insights"}
    assert not insight_ids & {sim.post_id(p) for p in reels}  # never /insights for a Reel
    parsed = {p["external_post_id"]: p for p in facebook.Client.parse(client.http.responses).posts}
    for reel in reels:
        got, m = parsed[sim.post_id(reel)], reel.metrics(AS_OF)
        assert got["views_count"] == m["views"] and got["reach"] == m["reach"]
        assert got["watch_time_seconds"] == m["watch_time_seconds"] and got["impressions"] is None
        assert got["post_url"].startswith("https://www.facebook.com/reel/")


# -- throttling ---------------------------------------------------------------------------------
@pytest.mark.parametrize("status,code,transient", [
    (400, 4, False), (400, 17, False), (400, 32, False), (400, 613, False), (403, 80001, False),
    (400, 80014, False), (400, 1, True),
])
def test_graph_throttle_codes_are_retried_like_a_429(status, code, transient):
    body = {"error": {"message": f"(#{code}) limit reached", "type": "OAuthException", "code": code,
                      "is_transient": transient, "fbtrace_id": "A1"}}
    sleeps: list[float] = []
    client = _client(answers=[(status, body)], sleeps=sleeps)
    client.pull(_account(posts=1, external_id=fb_sim.Simulator(AS_OF, [HANDLE]).account_id(world.account("facebook", HANDLE))))
    first, second = client.http.responses[:2]
    assert (first.endpoint, first.attempt, first.status_code) == ("page", 1, status)
    assert first.error.startswith("throttled") and second.ok and second.attempt == 2
    assert len(sleeps) == 1


def test_an_ordinary_400_is_not_retried():
    body = {"error": {"message": "(#100) Unknown fields: bogus", "type": "OAuthException", "code": 100, "fbtrace_id": "A1"}}
    client = _client(answers=[(400, body)])
    with pytest.raises(PlatformError):
        client.pull(_account(posts=1, external_id="1234"))
    assert len(client.http.responses) == 1


# -- versions -----------------------------------------------------------------------------------
def test_version_setting_builds_the_base_url():
    http = HttpClient(requests.Session())
    assert facebook.Client(http).base_url == "https://graph.facebook.com/v25.0"
    assert facebook.Client(HttpClient(), credentials={"version": "v26.0"}).base_url == "https://graph.facebook.com/v26.0"
    assert facebook.Client(HttpClient(), credentials={"version": "24"}).base_url == "https://graph.facebook.com/v24.0"
    assert "v21.0" not in facebook.Client.default_base_url
    # An explicit base URL (a proxy, a recording) is kept as given.
    assert facebook.Client(HttpClient(), base_url="http://proxy.test/fb/v25.0/").base_url == "http://proxy.test/fb/v25.0"


def test_version_end_of_life_and_warning():
    assert meta_graph.version_end_of_life("v21.0") == date(2027, 1, 21)
    assert meta_graph.version_end_of_life("v25.0") == date(2028, 7, 29)
    assert meta_graph.version_end_of_life("v99.0") is None
    assert meta_graph.version_warning("v21.0", date(2026, 11, 21)) is None  # 61 days before
    warning = meta_graph.version_warning("v21.0", date(2026, 11, 22), platform="facebook")  # 60 days before
    assert warning and "2027-01-21" in warning and "SOCIAL_PIPELINE_FACEBOOK_VERSION" in warning and "v25.0" in warning
    assert "stopped" in meta_graph.version_warning("v21.0", date(2027, 2, 1))
    assert meta_graph.version_warning(meta_graph.DEFAULT_VERSION, date(2026, 12, 5)) is None
    assert "older than v21.0" in meta_graph.version_warning("v19.0", date(2026, 12, 5))  # not in the table
    assert meta_graph.version_warning("v19.0", date(2026, 1, 5)) is None
    assert "not of the form" in meta_graph.version_warning("latest", date(2026, 12, 5))
    client = facebook.Client(HttpClient(), credentials={"version": "v21.0"}, today=date(2026, 12, 5))
    assert "SOCIAL_PIPELINE_FACEBOOK_VERSION" in client.version_warning()


# -- errors that say what to fix ------------------------------------------------------------------
def test_dead_token_error_names_platform_account_column_and_graph_code():
    client = _client()
    with pytest.raises(meta_graph.TokenExpired) as exc:
        client.pull(_account(token=TOKEN + "-expired"))
    message = str(exc.value)
    assert "facebook" in message and f"@{HANDLE}" in message and "social_accounts.access_token" in message
    assert "190" in message and "Session has expired" in message  # Graph's own code and message
    assert TOKEN not in message


def test_exchange_failure_names_the_app_settings():
    body = {"error": {"message": "Error validating client secret.", "type": "OAuthException", "code": 1, "fbtrace_id": "A"}}
    client = _client(answers=[(400, body)], credentials={"app_id": "123", "app_secret": "shh-secret"})
    with pytest.raises(PlatformError) as exc:
        client.refresh_access_token(_account(external_id="1"), "demo-refresh-" + HANDLE)
    message = str(exc.value)
    assert "SOCIAL_PIPELINE_FACEBOOK_APP_ID" in message and "SOCIAL_PIPELINE_FACEBOOK_APP_SECRET" in message
    assert "Error validating client secret." in message and "code 1" in message and "shh-secret" not in message
