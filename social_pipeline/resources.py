"""The Dagster side of each platform's settings: one resource per platform whose fields are
``EnvVar`` references to ``SOCIAL_PIPELINE_<P>_<NAME>``, so the UI shows which variable a value
comes from and never the value. The environment side is :mod:`social_pipeline.ingest.settings`."""

import os
from functools import lru_cache
from typing import Mapping, Optional

from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from .ingest.settings import PlatformSettings, env_name
from .platforms import spec
from .platforms.spec import NUMBER_SETTINGS, SETTING_HELP


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
