"""Per-platform settings from the environment.

Every setting of platform P is the environment variable ``SOCIAL_PIPELINE_<P>_<NAME>``:
``BASE_URL`` points the client at a proxy, a sandbox or a recorded server; the others are
platform-level credentials and limits (``API_KEY``, ``BEARER_TOKEN``, ``CLIENT_ID``,
``CLIENT_SECRET``, ``CLIENT_KEY``, ``APP_ID``, ``APP_SECRET``, ``VERSION``, ``OAUTH_BASE_URL``,
``ANALYTICS_BASE_URL``, ``RAPIDAPI_KEY``, ``RAPIDAPI_HOST``, ``REQUESTS_PER_MINUTE``,
``DAILY_QUOTA_UNITS``, ``CONCURRENCY``: how many accounts are pulled at once, default 8).

In the Dagster graph they reach the assets as one :class:`PlatformResource` per platform whose
fields are Dagster ``EnvVar`` references, so the UI shows which variable a value comes from and
never the value. Outside Dagster (the command line) :func:`platform_settings` reads the same
variables directly. Values are never logged.
"""


import os
from dataclasses import dataclass, field
from typing import Mapping, Optional

from dagster import ConfigurableResource, EnvVar

SECRET_FIELDS = (
    "api_key",
    "bearer_token",
    "client_id",
    "client_secret",
    "client_key",
    "app_id",
    "app_secret",
    "rapidapi_key",
)
PLAIN_FIELDS = ("version", "oauth_base_url", "analytics_base_url", "rapidapi_host")
NUMBER_FIELDS = ("requests_per_minute", "daily_quota_units", "concurrency")
DEFAULT_CONCURRENCY = 8  # pulls of one platform in flight at once, all under its shared rate limiter


def env_name(platform: str, name: str) -> str:
    return f"SOCIAL_PIPELINE_{platform.upper()}_{name.upper()}"


@dataclass(frozen=True)
class PlatformSettings:
    platform: str
    base_url: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    requests_per_minute: int | None = None
    daily_quota_units: int | None = None
    concurrency: int | None = None  # None: DEFAULT_CONCURRENCY


def _number(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number") from None
    if number <= 0:
        raise ValueError(f"{name} must be positive")
    return number


def platform_settings(platform: str, environ: Mapping[str, str] | None = None) -> PlatformSettings:
    """The platform's settings read straight from the environment."""
    env = os.environ if environ is None else environ
    credentials = {
        name: env[env_name(platform, name)]
        for name in (*SECRET_FIELDS, *PLAIN_FIELDS)
        if env.get(env_name(platform, name))
    }
    return PlatformSettings(
        platform=platform,
        base_url=env.get(env_name(platform, "base_url")) or None,
        credentials=credentials,
        requests_per_minute=_number(env.get(env_name(platform, "requests_per_minute")), env_name(platform, "requests_per_minute")),
        daily_quota_units=_number(env.get(env_name(platform, "daily_quota_units")), env_name(platform, "daily_quota_units")),
        concurrency=_number(env.get(env_name(platform, "concurrency")), env_name(platform, "concurrency")),
    )


class PlatformResource(ConfigurableResource):
    """One platform's API settings, each field an ``EnvVar`` when its variable is set."""

    platform: str
    base_url: Optional[str] = None
    api_key: Optional[str] = None
    bearer_token: Optional[str] = None
    client_id: Optional[str] = None
    client_secret: Optional[str] = None
    client_key: Optional[str] = None
    app_id: Optional[str] = None
    app_secret: Optional[str] = None
    rapidapi_key: Optional[str] = None
    rapidapi_host: Optional[str] = None
    version: Optional[str] = None
    oauth_base_url: Optional[str] = None
    analytics_base_url: Optional[str] = None
    requests_per_minute: Optional[int] = None
    daily_quota_units: Optional[int] = None
    concurrency: Optional[int] = None

    def settings(self) -> PlatformSettings:
        credentials = {
            name: getattr(self, name) for name in (*SECRET_FIELDS, *PLAIN_FIELDS) if getattr(self, name)
        }
        return PlatformSettings(
            platform=self.platform,
            base_url=self.base_url,
            credentials=credentials,
            requests_per_minute=self.requests_per_minute,
            daily_quota_units=self.daily_quota_units,
            concurrency=self.concurrency,
        )


def resource_key(platform: str) -> str:
    return f"{platform}_api"


def platform_resource(platform: str, environ: Mapping[str, str] | None = None) -> PlatformResource:
    """A resource whose fields reference the platform's variables that are set right now."""
    env = os.environ if environ is None else environ
    fields: dict[str, object] = {}
    for name in ("base_url", *SECRET_FIELDS, *PLAIN_FIELDS):
        if env.get(env_name(platform, name)):
            fields[name] = EnvVar(env_name(platform, name))
    for name in NUMBER_FIELDS:
        if env.get(env_name(platform, name)):
            fields[name] = EnvVar.int(env_name(platform, name))
    return PlatformResource(platform=platform, **fields)
