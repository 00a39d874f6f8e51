"""One module per platform: an HTTP client and a parser behind the contract in ``base``."""

from __future__ import annotations

import importlib

from .base import PlatformClient

PLATFORMS = (
    "tiktok",
    "instagram",
    "youtube",
    "twitter",
    "facebook",
    "pinterest",
    "bluesky",
    "threads",
    "linkedin",
)
ALIASES = {"x": "twitter", "twitter/x": "twitter", "yt": "youtube", "ig": "instagram", "fb": "facebook"}


class UnknownPlatform(ValueError):
    pass


def canonical(name: str) -> str:
    """The platform's canonical name (case-insensitive, accepting aliases like ``x``)."""
    key = (name or "").strip().lower()
    key = ALIASES.get(key, key)
    if key not in PLATFORMS:
        raise UnknownPlatform(f"unknown platform {name!r}; choose one of: {', '.join(PLATFORMS)}")
    return key


def client_class(platform: str) -> type[PlatformClient]:
    return importlib.import_module(f"{__name__}.{canonical(platform)}").Client
