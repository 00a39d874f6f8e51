"""X: typed posts, hashtags, error hints, field-name fallback, cost and full-archive search,
against the simulator through the transport (no mocks of our code)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests

from social_pipeline.platforms.base import AccountRef, HttpClient, PlatformError
from social_pipeline.platforms.twitter.client import PRICES, Client
from social_pipeline.simulator import world
from social_pipeline.simulator.transport import SimResponse, demo_token, mount
from social_pipeline.simulator.twitter import Simulator

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "sam_writes"


def _account(token: str | None = "demo", posts: int = 24) -> AccountRef:
    return AccountRef(
        id="00000000-0000-0000-0000-000000000001",
        platform="twitter",
        handle=HANDLE,
        access_token=demo_token("twitter", HANDLE) if token == "demo" else token,
        posts_per_fetch=posts,
    )


def _client(sim=None, credentials=None) -> Client:
    session = requests.Session()
    mount(session, Client.default_base_url, sim or Simulator(AS_OF, [HANDLE]))
    return Client(HttpClient(session, sleep=lambda s: None), credentials=credentials, today=AS_OF.date())


@pytest.fixture(scope="module")
def pulled():
    client = _client()
    client.pull(_account())
    return client, Client.parse(client.http.responses)


# -- every own post, typed ---------------------------------------------------------------------
def test_timeline_keeps_replies_and_excludes_retweets_only(pulled):
    client, _ = pulled
    timeline = [r for r in client.http.responses if r.endpoint == "users.tweets"]
    assert timeline and all(r.request_params["exclude"] == "retweets" for r in timeline)


def test_post_kind_from_referenced_tweets(pulled):
    _, parsed = pulled
    sim = Simulator(AS_OF, [HANDLE])
    kinds = {p["post_kind"] for p in parsed.posts}
    assert {"original", "reply", "thread"} <= kinds
    own = {}
    for post in world.account("twitter", HANDLE).posts_until(AS_OF):
        everything = post._all_comments()
        for c in post.comments(AS_OF):
            if c.is_creator:
                to_self = c.parent_seq is None or everything[c.parent_seq].is_creator
                own[sim.comment_id(c)] = "thread" if to_self else "reply"
    for rec in parsed.posts:
        assert rec["post_kind"] == own.get(rec["external_post_id"], "original")


def test_hashtags_are_x_entities(pulled):
    _, parsed = pulled
    sim = Simulator(AS_OF, [HANDLE])
    by_id = {p["external_post_id"]: p for p in parsed.posts}
    seen = 0
    for post in world.account("twitter", HANDLE).posts_until(AS_OF):
        rec = by_id.get(sim.post_id(post))
        if rec is not None:
            assert rec["hashtags"] == list(post.hashtags)
            seen += bool(post.hashtags)
    assert seen, "expected a post with hashtags in the sample"
    lookups = [r for r in pulled[0].http.responses if r.endpoint == "tweets.lookup"]
    assert all("entities" in r.request_params["tweet.fields"].split(",") for r in lookups)


def test_retweet_in_a_lookup_is_never_stored(pulled):
    import copy

    client, _ = pulled
    responses = copy.deepcopy(client.http.responses)
    lookup = next(r for r in responses if r.endpoint == "tweets.lookup")
    first = lookup.payload["data"][0]
    first["referenced_tweets"] = [{"type": "retweeted", "id": "1"}]
    assert first["id"] not in {p["external_post_id"] for p in Client.parse(responses).posts}


# -- errors that say what to fix ---------------------------------------------------------------
def test_bad_app_bearer_names_the_bearer_setting_only():
    client = _client(credentials={"bearer_token": "wrong-app-token"})
    with pytest.raises(PlatformError) as info:
        client.pull(_account(token=None, posts=5))
    message = str(info.value)
    assert info.value.status_code == 401 and "SOCIAL_PIPELINE_TWITTER_BEARER_TOKEN" in message
    assert "social_accounts.access_token" not in message and "CLIENT_ID" not in message
    assert "wrong-app-token" not in message
    assert '"title": "Unauthorized"' in message and '"type": "about:blank"' in message  # X's problem, whole


def test_bad_user_token_names_the_column_and_refresh_settings_only():
    client = _client(credentials={"bearer_token": "demo-token-twitter-app"})
    with pytest.raises(PlatformError) as info:
        client.pull(_account(token="revoked-user-token", posts=5))
    message = str(info.value)
    assert "social_accounts.access_token" in message and "SOCIAL_PIPELINE_TWITTER_CLIENT_ID" in message
    assert "SOCIAL_PIPELINE_TWITTER_CLIENT_SECRET" in message and "BEARER_TOKEN" not in message
    assert "revoked-user-token" not in message


def test_invalid_request_quotes_title_detail_type_whole():
    class Refusing(Simulator):
        def handle(self, request):
            if request.path.endswith("/tweets") and request.path.startswith("/users/"):
                return SimResponse(
                    400,
                    {
                        "errors": [{"parameters": {"max_results": ["500"]}, "message": "bad max_results"}],
                        "title": "Invalid Request",
                        "detail": "One or more parameters to your request was invalid.",
                        "type": "https://api.x.com/2/problems/invalid-request",
                    },
                )
            return super().handle(request)

    client = _client(Refusing(AS_OF, [HANDLE]))
    with pytest.raises(PlatformError) as info:
        client.pull(_account(posts=5))
    message = str(info.value)
    for fact in ("Invalid Request", "One or more parameters to your request was invalid.",
                 "https://api.x.com/2/problems/invalid-request", "bad max_results"):
        assert fact in message


# -- field names: tweet.fields / post.fields -----------------------------------------------------
def test_post_fields_spelling_is_used_when_x_rejects_tweet_fields(pulled):
    _, expected = pulled
    client = _client(Simulator(AS_OF, [HANDLE], fields_param="post.fields"))
    client.pull(_account())
    lookups = [r for r in client.http.responses if r.endpoint == "tweets.lookup"]
    assert lookups[0].status_code == 400 and "tweet.fields" in lookups[0].request_params
    assert lookups[1].status_code == 200 and "post.fields" in lookups[1].request_params
    later = [r for r in client.http.responses if r.endpoint == "tweets.search.recent"]
    assert later and all("post.fields" in r.request_params and r.status_code == 200 for r in later)
    assert client.fields_param == "post.fields"
    parsed = Client.parse(client.http.responses)
    body = lookups[1].payload["data"][0]
    assert "repost_count" in body["public_metrics"] and "retweet_count" not in body["public_metrics"]
    assert parsed.posts == expected.posts  # repost_count/post_count/referenced_posts read alike
    assert parsed.account == expected.account and parsed.comments == expected.comments


# -- cost ---------------------------------------------------------------------------------------
def test_each_exchange_records_its_cost_in_dollars(pulled):
    client, _ = pulled
    for r in client.http.responses:
        body = r.payload or {}
        n = len(body["data"]) if isinstance(body.get("data"), list) else int(isinstance(body.get("data"), dict))
        price = {
            "users.by.username": PRICES["user_read"],
            "users.tweets": PRICES["owned_read"],  # own user token: owned reads
            "tweets.lookup": PRICES["post_read"],
            "tweets.search.recent": PRICES["post_read"],
        }[r.endpoint]
        assert r.cost_usd == pytest.approx(n * price)
    assert sum(r.cost_usd for r in client.http.responses) > 0


def test_prices_are_overridable_and_checked():
    client = _client(credentials={"bearer_token": "demo-token-twitter-app", "prices": '{"post_read": 0.5}'})
    client.pull(_account(token=None, posts=5))
    timeline = next(r for r in client.http.responses if r.endpoint == "users.tweets")
    assert timeline.cost_usd == pytest.approx(len(timeline.payload["data"]) * 0.5)  # app bearer: not owned
    for bad in ('{"post_read": -1}', "not json", '{"posts": 1}'):
        with pytest.raises(PlatformError, match="SOCIAL_PIPELINE_TWITTER_PRICES"):
            _client(credentials={"prices": bad})


# -- full-archive search -------------------------------------------------------------------------
def _old_with_replies(parsed):
    cutoff = AS_OF - timedelta(days=7)
    return [p for p in parsed.posts if p["posted_at"] < cutoff and p["comments_count"] and p["post_kind"] == "original"]


def test_full_archive_off_by_default_and_on_plans_without_it(pulled):
    client, _ = pulled
    assert not any(r.endpoint == "tweets.search.all" for r in client.http.responses)
    for plan in ("free", "basic"):
        c = _client(credentials={"plan": plan})
        c.pull(_account(posts=40))
        assert not any(r.endpoint == "tweets.search.all" for r in c.http.responses)
    with pytest.raises(PlatformError, match="SOCIAL_PIPELINE_TWITTER_PLAN"):
        _client(credentials={"plan": "gold"})


def test_full_archive_reads_replies_older_than_seven_days():
    client = _client(credentials={"plan": "pay_per_use", "daily_cost_cap_usd": "50"})
    client.pull(_account(posts=40))
    parsed = Client.parse(client.http.responses)
    archive = [r for r in client.http.responses if r.endpoint == "tweets.search.all"]
    assert archive and all(r.request_params["query"].startswith("conversation_id:") for r in archive)
    old = _old_with_replies(parsed)
    assert old
    for post in old:
        mine = [c for c in parsed.comments if c["external_post_id"] == post["external_post_id"]]
        assert len(mine) == post["comments_count"]  # every reply, not only the last 7 days'


def test_daily_cost_cap_stops_full_archive_search():
    client = _client(credentials={"plan": "pro", "daily_cost_cap_usd": "0.0001"})
    client.pull(_account(posts=40))
    assert not any(r.endpoint == "tweets.search.all" for r in client.http.responses)
    # The cap bounds what full-archive search adds to the day's spending: a page is sent only
    # when a full page (100 posts) would still fit. This pull spends ~$0.99 before it and
    # $0.60 on its 12 archive pages when uncapped.
    capped = _client(credentials={"plan": "pro", "daily_cost_cap_usd": "1.6"})
    capped.pull(_account(posts=40))
    pages = [r for r in capped.http.responses if r.endpoint == "tweets.search.all"]
    assert 0 < len(pages) < 12
    assert sum(r.cost_usd or 0 for r in capped.http.responses) <= 1.6


def test_the_daily_cost_cap_counts_earlier_runs_and_every_pull_of_this_run():
    """What earlier runs spent (the ledger) and what the other pulls of this run spent count
    against the cap: a pull that alone would fit stays off full-archive search."""
    from social_pipeline.platforms.twitter.client import Client as XClient

    def client(**extra):
        return XClient(HttpClient(requests.Session(), sleep=lambda s: None),
                       credentials={"plan": "pay_per_use", "daily_cost_cap_usd": "1.0", **extra})

    alone = client()
    assert alone.spent_today() == 0.0
    earlier = client(spent_today_usd="0.75")
    assert earlier.spent_today() == 0.75  # 0.75 + a $0.50 page would pass the $1.00 cap
    first, second = client(cost_budget="run-1"), client(cost_budget="run-1")
    first.cost("tweets.search.recent", {"data": [{"id": str(i)} for i in range(100)]})  # 100 posts read: $0.50
    assert second.spent_today() == pytest.approx(0.5)
    assert client(cost_budget="run-2").spent_today() == 0.0
