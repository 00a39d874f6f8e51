"""Per-platform settings from the environment.

``SOCIAL_PIPELINE_<PLATFORM>_BASE_URL`` points a client at a proxy, a sandbox or a recorded
server; every other ``SOCIAL_PIPELINE_<PLATFORM>_<NAME>`` variable becomes the platform-level
credential ``<name>`` (e.g. ``SOCIAL_PIPELINE_YOUTUBE_API_KEY`` -> ``api_key``). Values are
never logged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class PlatformSettings:
    platform: str
    base_url: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)


def platform_settings(platform: str, environ: Mapping[str, str] | None = None) -> PlatformSettings:
    env = os.environ if environ is None else environ
    prefix = f"SOCIAL_PIPELINE_{platform.upper()}_"
    base_url = None
    credentials: dict[str, str] = {}
    for key, value in env.items():
        if not key.startswith(prefix) or not value:
            continue
        name = key[len(prefix):].lower()
        if name == "base_url":
            base_url = value
        else:
            credentials[name] = value
    return PlatformSettings(platform, base_url, credentials)
