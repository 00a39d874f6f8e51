"""The platform registry: one :class:`~.spec.PlatformSpec` per platform, declared in the
platform's own folder (``platforms/<name>/__init__.py``) beside its client and parser.

Adding a platform is one line here (after its folder exists); every other module reads the
platform's facts through :func:`spec`, :data:`SPECS` or :data:`PLATFORMS`.
"""

from __future__ import annotations

from .base import PlatformClient
from .bluesky import SPEC as BLUESKY
from .facebook import SPEC as FACEBOOK
from .instagram import SPEC as INSTAGRAM
from .linkedin import SPEC as LINKEDIN
from .pinterest import SPEC as PINTEREST
from .spec import PlatformSpec
from .threads import SPEC as THREADS
from .tiktok import SPEC as TIKTOK
from .twitter import SPEC as TWITTER
from .youtube import SPEC as YOUTUBE

# The registry, in the specification's order of platforms.
SPECS: dict[str, PlatformSpec] = {
    s.name: s for s in (TIKTOK, INSTAGRAM, YOUTUBE, TWITTER, FACEBOOK, PINTEREST, BLUESKY, THREADS, LINKEDIN)
}
PLATFORMS = tuple(SPECS)
ALIASES = {alias: s.name for s in SPECS.values() for alias in s.aliases}


class UnknownPlatform(ValueError):
    pass


def canonical(name: str) -> str:
    """The platform's canonical name (case-insensitive, accepting aliases like ``x``)."""
    key = (name or "").strip().lower()
    key = ALIASES.get(key, key)
    if key not in SPECS:
        raise UnknownPlatform(f"unknown platform {name!r}; choose one of: {', '.join(PLATFORMS)}")
    return key


def spec(platform: str) -> PlatformSpec:
    return SPECS[canonical(platform)]


def client_class(platform: str) -> type[PlatformClient]:
    return spec(platform).client
