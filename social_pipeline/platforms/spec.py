"""What we know about a platform, declared once beside its client.

Every module that needs a platform fact (its rate limit, how much history its API still serves,
which settings it takes, the demo account, how its tokens are renewed, the order its raw step
runs in) reads it from the platform's :class:`PlatformSpec` through the registry in
``platforms/__init__.py``; nothing else keeps a per-platform table. Nothing here knows Dagster
or Postgres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from datetime import date
from typing import Callable, Mapping

# Settings every platform takes (``SOCIAL_PIPELINE_<P>_<NAME>``).
COMMON_SETTINGS = ("base_url", "requests_per_minute", "concurrency")
# Settings whose values are credentials: the UI and logs show the variable's name, never its value.
SECRET_SETTINGS = frozenset(
    {"api_key", "bearer_token", "client_id", "client_secret", "client_key", "app_id", "app_secret", "rapidapi_key"}
)
NUMBER_SETTINGS = frozenset({"requests_per_minute", "daily_quota_units", "concurrency"})
# Every setting a platform may declare, with what it is for (the resource's field descriptions).
SETTING_HELP = {
    "base_url": "the API's base URL including its path (a proxy, a sandbox or a recorded server)",
    "requests_per_minute": "request budget per minute for one app/token (default: the documented limit)",
    "concurrency": "accounts pulled at once in one process (default 8)",
    "daily_quota_units": "daily unit quota (YouTube Data API; default 10,000)",
    "api_key": "API key for public data",
    "bearer_token": "app-only bearer token",
    "client_id": "OAuth client id (token refresh)",
    "client_secret": "OAuth client secret (token refresh)",
    "client_key": "OAuth client key (token refresh)",
    "app_id": "Meta app id (long-lived token exchange)",
    "app_secret": "Meta app secret (long-lived token exchange)",
    "rapidapi_key": "RapidAPI key (provider rapidapi_tiktok)",
    "rapidapi_host": "RapidAPI host (provider rapidapi_tiktok)",
    "version": "the API version to call",
    "oauth_base_url": "the OAuth host's base URL",
    "analytics_base_url": "the analytics API's base URL",
    "graph_base_url": "Graph host for Instagram-Login tokens",
    "plan": "the API plan the app is on",
    "daily_cost_cap_usd": "the most a day's pulls may spend, in US dollars",
}


@dataclass(frozen=True)
class TokenPolicy:
    """How an account's access token stays valid.

    ``renewal``: ``"refresh_token"`` (OAuth refresh token), ``"exchange"`` (Meta: the long-lived
    token is exchanged for a new one), or ``"none"`` (an app credential or a token that does not
    expire). ``refresh_ahead``: how long before expiry it is renewed.
    """

    renewal: str = "none"
    refresh_ahead: timedelta = timedelta(days=1)
    lifetime: str = ""  # in words, for the README and error messages


@dataclass(frozen=True)
class PlatformSpec:
    """One platform's facts. ``clients`` maps a provider name to its client class; ``"official"``
    is the platform's own API (the demo provider uses it too, with the simulator underneath)."""

    name: str
    title: str
    clients: Mapping[str, type]
    requests_per_minute: int  # documented (or conservative) budget for one app/token
    pull_priority: int  # dagster/priority of the raw step: requests per account, higher first
    demo_handle: str
    settings: tuple[str, ...] = ()  # platform-specific settings beyond COMMON_SETTINGS
    aliases: tuple[str, ...] = ()
    history_days: int | None = None  # how far back the API still serves an account's history
    # Account fields the API serves as of a past day (a report bounded by date), which a pull made
    # long after the day still knows; every other account field is a point-in-time count.
    dated_fields: tuple[str, ...] = ()
    # The account column that totals its posts' shares when the API does not report it (X's
    # retweets_count), filled from our tracked posts like the other totals.
    shares_total: str | None = None
    daily_quota_units: int | None = None
    token: TokenPolicy = field(default_factory=TokenPolicy)
    docs: Mapping[str, str] = field(default_factory=dict)  # endpoint -> reference page
    # A warning about the API the settings select (e.g. a Graph version near its end of life),
    # from (the platform's settings, today); None when all is well.
    api_notice: Callable[[Mapping[str, str], date], str | None] | None = None
    # How a post's public URL relates to its API id (content mapping): whether the URL carries
    # that very id; which other ids a URL may show for an API id (Facebook's object id after
    # '{page}_', Bluesky's rkey ending the at-uri); the author an API id names (Bluesky's DID).
    url_id_is_api_id: bool = True
    url_keys: Callable[[str], frozenset[str]] | None = None
    url_author: Callable[[str], str | None] | None = None

    @property
    def client(self) -> type:
        return self.clients["official"]

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(self.clients)

    @property
    def update_window_days(self) -> int:
        """How long after publication a post's metrics are still refreshed every day."""
        return self.client.update_window_days

    @property
    def all_settings(self) -> tuple[str, ...]:
        extra = ("daily_quota_units",) if self.daily_quota_units else ()
        return (*COMMON_SETTINGS, *extra, *self.settings)

    def notice(self, settings: Mapping[str, str], today: date) -> str | None:
        """The spec's warning about the API the ``settings`` select, if any."""
        return self.api_notice(settings, today) if self.api_notice is not None else None

    def client_for(self, provider: str) -> type:
        """The client reached through ``provider`` (the demo answers the official client)."""
        if provider in ("demo", self.name, None, ""):
            return self.client
        try:
            return self.clients[provider]
        except KeyError:
            raise ValueError(
                f"provider {provider!r} is not supported for {self.name}; use NULL/'official', 'demo'"
                + "".join(f" or {p!r}" for p in self.clients if p != "official")
            ) from None
