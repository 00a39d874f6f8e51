"""Per-platform settings from the environment.

Every setting of platform P is the environment variable ``SOCIAL_PIPELINE_<P>_<NAME>``:
``BASE_URL`` points the client at a proxy, a sandbox or a recorded server; the others are
platform-level credentials and limits, each platform taking only those its spec declares
(``PlatformSpec.all_settings``: ``REQUESTS_PER_MINUTE``, ``CONCURRENCY`` -- how many accounts are
pulled at once, default 8 -- and e.g. ``API_KEY``, ``BEARER_TOKEN``, ``APP_ID``, ``VERSION``).
A variable a platform does not declare is ignored.

In the Dagster graph they reach the assets as one :class:`PlatformResource` per platform whose
fields are Dagster ``EnvVar`` references, so the UI shows which variable a value comes from and
never the value. Outside Dagster (the command line) :func:`platform_settings` reads the same
variables directly. Values are never logged.
"""


import os
from dataclasses import dataclass, field
from typing import Mapping, Optional

from functools import lru_cache

from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from .platforms import spec
from .platforms.spec import NUMBER_SETTINGS, SETTING_HELP

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
    declared = spec(platform).all_settings
    credentials = {
        name: env[env_name(platform, name)]
        for name in declared
        if name not in NUMBER_SETTINGS and name != "base_url" and env.get(env_name(platform, name))
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
    """One platform's API settings, each field an ``EnvVar`` when its variable is set.

    Each platform gets its own subclass (:func:`resource_class`) holding only the settings its
    spec declares, so the UI shows Bluesky's base URL and limits, not X's bearer token."""

    platform: str
    base_url: Optional[str] = Field(default=None, description=SETTING_HELP["base_url"])
    requests_per_minute: Optional[int] = Field(default=None, description=SETTING_HELP["requests_per_minute"])
    concurrency: Optional[int] = Field(default=None, description=SETTING_HELP["concurrency"])

    def settings(self) -> PlatformSettings:
        declared = spec(self.platform).all_settings
        credentials = {
            name: getattr(self, name)
            for name in declared
            if name not in NUMBER_SETTINGS and name != "base_url" and getattr(self, name, None)
        }
        return PlatformSettings(
            platform=self.platform,
            base_url=self.base_url,
            credentials=credentials,
            requests_per_minute=self.requests_per_minute,
            daily_quota_units=getattr(self, "daily_quota_units", None),
            concurrency=self.concurrency,
        )


@lru_cache(maxsize=None)
def resource_class(platform: str) -> type[PlatformResource]:
    """``<Title>Resource``: :class:`PlatformResource` with the platform's own settings as fields."""
    found = spec(platform)
    annotations: dict[str, object] = {}
    namespace: dict[str, object] = {"__module__": __name__, "__doc__": f"{found.title} API settings."}
    for name in found.all_settings:
        if name in PlatformResource.model_fields:
            continue
        annotations[name] = Optional[int] if name in NUMBER_SETTINGS else Optional[str]
        namespace[name] = Field(default=None, description=f"{SETTING_HELP.get(name, name)} ({env_name(platform, name)})")
    namespace["__annotations__"] = annotations
    title = "".join(ch for ch in found.title.split("/")[0] if ch.isalnum())
    return type(f"{title}Resource", (PlatformResource,), namespace)


def resource_key(platform: str) -> str:
    return f"{platform}_api"


def platform_resource(platform: str, environ: Mapping[str, str] | None = None) -> PlatformResource:
    """A resource whose fields reference the platform's variables that are set right now."""
    env = os.environ if environ is None else environ
    fields: dict[str, object] = {}
    for name in spec(platform).all_settings:
        if env.get(env_name(platform, name)):
            variable = env_name(platform, name)
            fields[name] = EnvVar.int(variable) if name in NUMBER_SETTINGS else EnvVar(variable)
    return resource_class(platform)(platform=platform, **fields)
