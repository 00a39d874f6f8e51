"""The cases of the platform contract suite: one per provider of every platform in the registry.

A case knows only what the contract needs to drive a provider: which simulator answers it, the
credentials it takes (distinctive fake values, so a leak is recognisable), and how the platform
itself words a throttle, a refused credential and a fatal request error. Everything else (the
client, its endpoints, its paging) comes from the registry and the real client code.

Adding a platform to ``social_pipeline.platforms.SPECS`` adds its cases: an unknown platform gets
the defaults below (the simulator module named after it, its demo token, a generic 429 with
``Retry-After``); a platform whose API words things its own way adds a line to the tables here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import requests

from social_pipeline.platforms import SPECS
from social_pipeline.platforms.base import AccountRef, HttpClient
from social_pipeline.simulator import demo_token, simulator_class
from social_pipeline.simulator.server import too_many_requests

from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

# A day early in the simulated world (which starts on 2024-01-01): the demo accounts have a few dozen
# posts by then, more than one page of every platform's listing, few enough to list them all. Not
# earlier than 2024-04-13, the first day Threads serves account insights for.
DAY = date(2024, 4, 20)
AS_OF = datetime.combine(DAY + timedelta(days=1), time(0), tzinfo=timezone.utc) - timedelta(seconds=1)
ALL_POSTS = 10_000  # posts_per_fetch that asks for every post the account has

# Simulators whose module is not named after the platform (a second provider of one platform).
SIMULATOR_MODULES = {("tiktok", "rapidapi_tiktok"): "tiktok_rapidapi"}
# Providers that take no user token: an app-level key is their credential.
APP_KEY_ONLY = {("tiktok", "rapidapi_tiktok"): "rapidapi_key"}
# Distinctive app-level credential values (the simulators accept keys and app tokens by prefix).
APP_CREDENTIALS: dict[str, dict[str, str]] = {
    "tiktok": {"client_key": "ck-TIKTOK-APPKEY-5e1f", "client_secret": "cs-TIKTOK-APPSECRET-8c2d",
               "rapidapi_key": "demo-RAPIDAPI-KEY-SECRET-3a9b"},
    "instagram": {"app_id": "9100000000000001", "app_secret": "as-INSTAGRAM-APPSECRET-77e0"},
    "youtube": {"api_key": "demo-YOUTUBE-APIKEY-SECRET-41c6", "client_id": "cid-YOUTUBE-CLIENT-2b7a",
                "client_secret": "cs-YOUTUBE-CLIENTSECRET-90d1"},
    "twitter": {"bearer_token": "demo-token-twitter-appbearer-SECRET-5d3e", "client_id": "cid-X-CLIENT-6f4a",
                "client_secret": "cs-X-CLIENTSECRET-11b9"},
    "facebook": {"app_id": "9100000000000002", "app_secret": "as-FACEBOOK-APPSECRET-c4d8"},
    "pinterest": {"client_id": "cid-PINTEREST-CLIENT-3e5f", "client_secret": "cs-PINTEREST-CLIENTSECRET-a7b2"},
    "linkedin": {"client_id": "cid-LINKEDIN-CLIENT-8a1c", "client_secret": "cs-LINKEDIN-CLIENTSECRET-d6e3"},
}
# Platforms whose public API takes no credential at all.
NO_CREDENTIAL = {"bluesky"}

# NULL-not-0: the like count as each platform serves it, removed from every answer by the contract
# (a JSON key, or an insights entry ``{"name": ...}`` where the platform lists metrics that way).
# The parsed posts must then say None ("not reported"), never 0.
LIKES_AS_SERVED: dict[tuple[str, str], tuple[str, str]] = {
    ("tiktok", "official"): ("key", "like_count"),
    ("tiktok", "rapidapi_tiktok"): ("key", "digg_count"),
    ("instagram", "official"): ("key", "like_count"),
    ("youtube", "official"): ("key", "likeCount"),
    ("twitter", "official"): ("key", "like_count"),
    ("facebook", "official"): ("key", "reactions"),
    ("pinterest", "official"): ("key", "reaction"),
    ("bluesky", "official"): ("key", "likeCount"),
    ("threads", "official"): ("entry", "likes"),
    ("linkedin", "official"): ("key", "likeCount"),
}
# A metric the platform retires, played by the simulator's knob for it (Graph's "(#100) metric[i]
# must be one of...", Pinterest's 400 code 1, YouTube Analytics' "Unknown identifier"):
# (simulator keyword, the metric as requested, the parsed post field it fills). Platforms that
# request fields rather than metrics (a retired field is then just absent) are the NULL-not-0 case.
RETIRED_METRIC: dict[tuple[str, str], tuple[str, str, str]] = {
    ("instagram", "official"): ("refused_metrics", "saved", "saves_count"),
    ("threads", "official"): ("refused_metrics", "views", "views_count"),
    ("facebook", "official"): ("deprecated_metrics", "post_media_view", "impressions"),
    ("pinterest", "official"): ("deprecated_metrics", "SAVE", "saves_count"),
    ("youtube", "official"): ("retired_metrics", "estimatedMinutesWatched", "watch_time_seconds"),
}
# Kinds of world posts a platform shows as posts (YouTube's Data API only knows videos).
VISIBLE_KINDS: dict[str, frozenset[str]] = {"youtube": frozenset({"video"})}
# Platforms that answer throttling as Meta's Graph does (HTTP 400 + a throttling code).
GRAPH = frozenset({"instagram", "facebook", "threads"})


@dataclass(frozen=True)
class Case:
    platform: str
    provider: str

    @property
    def id(self) -> str:
        return self.platform if self.provider == "official" else f"{self.platform}-{self.provider}"

    @property
    def spec(self):
        return SPECS[self.platform]

    @property
    def client_class(self) -> type:
        return self.spec.clients[self.provider]

    @property
    def handle(self) -> str:
        return self.spec.demo_handle

    @property
    def simulator_module(self) -> str:
        return SIMULATOR_MODULES.get((self.platform, self.provider), self.platform)

    @property
    def user_token(self) -> str | None:
        """The account's token: the demo token the simulator accepts (``demo-token-<p>-<handle>``,
        a string no payload holds otherwise), or None where the provider takes none."""
        if (self.platform, self.provider) in APP_KEY_ONLY:
            return None
        return demo_token(self.platform, self.handle)

    @property
    def credentials(self) -> dict[str, str]:
        declared = set(self.spec.all_settings)
        return {k: v for k, v in APP_CREDENTIALS.get(self.platform, {}).items() if k in declared}

    @property
    def secrets(self) -> list[str]:
        """Every credential value of this case (to search for in what was recorded)."""
        values = [self.user_token, *self.credentials.values()]
        return [v for v in values if v and not v.isdigit()]  # Meta app ids are public numbers

    @property
    def refused_credential(self) -> str:
        """What to change in a case to have its credential refused: ``token`` or the setting."""
        return APP_KEY_ONLY.get((self.platform, self.provider), "token")

    def account(self, *, token: str | None = "default", posts: int = ALL_POSTS, handle: str | None = None) -> AccountRef:
        return AccountRef(
            id="00000000-0000-0000-0000-00000000c0de",
            platform=self.platform,
            handle=handle or self.handle,
            provider_name=self.provider,
            posts_per_fetch=posts,
            access_token=self.user_token if token == "default" else token,
        )

    def simulator(self, **kwargs):
        return simulator_class(self.simulator_module)(AS_OF, [self.handle], **kwargs)

    def build(self, transport: ScriptedTransport, *, credentials: dict[str, str] | None = None, simulator=None, sleeps=None):
        """The real client of this provider on a session whose transport is ``transport``, with
        the simulator served at every base URL the client calls (as ``make_client`` mounts it)."""
        session = transport.install(requests.Session())
        session.trust_env = False
        waits = sleeps if sleeps is not None else []
        http = HttpClient(session, sleep=waits.append, backoff_seconds=0.01, max_attempts=4, jitter=lambda: 0.5)
        creds = self.credentials if credentials is None else credentials
        client = self.client_class(http, credentials=creds, today=DAY)
        sim = simulator if simulator is not None else self.simulator()
        for name, value in [*vars(client).items(), *client.credentials.items()]:
            if name.endswith("base_url") and isinstance(value, str) and value.startswith("http"):
                transport.serve(value, sim)
        for name in dir(type(client)):
            value = getattr(type(client), name, None)
            if name.endswith("base_url") and isinstance(value, str) and value.startswith("http"):
                transport.serve(value, sim)
        return client


CASES = [Case(name, provider) for name, s in SPECS.items() for provider in s.providers]


def too_many(case: Case, wait: float = 2) -> tuple[int, dict[str, str], Any]:
    """The platform's documented 429 answer (body and Retry-After / reset headers)."""
    key = "tiktok_rapidapi" if case.provider == "rapidapi_tiktok" else case.platform
    answer = too_many_requests(key, wait, 100)
    return answer.status, answer.headers, answer.body


BAD_REQUEST_MESSAGE = "The request parameters are malformed."


def fatal_request_error(case: Case) -> tuple[int, dict[str, str], Any]:
    """A 400 in the platform's documented error shape that is not a throttle (a bad parameter);
    each body carries :data:`BAD_REQUEST_MESSAGE`, which the error must quote."""
    msg = BAD_REQUEST_MESSAGE
    if case.platform in GRAPH:  # https://developers.facebook.com/docs/graph-api/guides/error-handling
        body = {"error": {"message": f"(#100) {msg}", "type": "OAuthException", "code": 100, "fbtrace_id": "AcontractBad400"}}
    elif case.provider == "rapidapi_tiktok":  # the RapidAPI gateway's own errors
        body = {"message": msg}
    elif case.platform == "tiktok":  # https://developers.tiktok.com/doc/tiktok-api-v2-error-handling
        body = {"data": {}, "error": {"code": "invalid_params", "message": msg, "log_id": "202402200000000000000000"}}
    elif case.platform == "youtube":  # https://developers.google.com/youtube/v3/docs/errors
        body = {"error": {"code": 400, "message": msg, "status": "INVALID_ARGUMENT",
                          "errors": [{"message": msg, "domain": "global", "reason": "badRequest"}]}}
    elif case.platform == "twitter":  # https://docs.x.com/x-api/fundamentals/response-codes-and-errors
        body = {"errors": [{"message": msg}], "title": "Invalid Request", "detail": msg,
                "type": "https://api.twitter.com/2/problems/invalid-request"}
    elif case.platform == "pinterest":  # https://developers.pinterest.com/docs/api/v5/ (Error schema)
        body = {"code": 1, "message": msg}
    elif case.platform == "linkedin":  # https://learn.microsoft.com/linkedin/shared/api-guide/concepts/error-handling
        body = {"status": 400, "code": "ILLEGAL_ARGUMENT", "message": msg}
    else:  # XRPC (Bluesky) and the default
        body = {"error": "InvalidRequest", "message": msg}
    return 400, {}, body


def likes_drop(case: Case) -> tuple[str, str]:
    return LIKES_AS_SERVED.get((case.platform, case.provider), ("key", "like_count"))


def without(body: Any, mode: str, name: str) -> Any:
    """``body`` with every key ``name`` (mode ``key``) or every ``{"name": name}`` list entry
    (mode ``entry``) removed, at any depth."""
    if isinstance(body, dict):
        return {k: without(v, mode, name) for k, v in body.items() if not (mode == "key" and k == name)}
    if isinstance(body, list):
        return [without(v, mode, name) for v in body if not (mode == "entry" and isinstance(v, dict) and v.get("name") == name)]
    return body
