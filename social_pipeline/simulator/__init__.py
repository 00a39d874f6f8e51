"""The built-in demo source: a deterministic world rendered as each platform's API."""

from __future__ import annotations

import importlib

from .transport import PlatformSimulator, demo_token, mount


def simulator_class(platform: str) -> type[PlatformSimulator]:
    return importlib.import_module(f"{__name__}.{platform}").Simulator


__all__ = ["PlatformSimulator", "demo_token", "mount", "simulator_class"]
