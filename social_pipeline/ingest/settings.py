"""Per-platform settings from the environment.

Every setting of platform P is the environment variable ``SOCIAL_PIPELINE_<P>_<NAME>``:
``BASE_URL`` points the client at a proxy, a sandbox or a recorded server; the others are
platform-level credentials and limits, each platform taking only those its spec declares
(``PlatformSpec.all_settings``: ``REQUESTS_PER_MINUTE``, ``CONCURRENCY`` -- how many accounts are
pulled at once, default 8 -- and e.g. ``API_KEY``, ``BEARER_TOKEN``, ``APP_ID``, ``VERSION``).
A variable a platform does not declare is ignored.

:func:`platform_settings` reads them straight from the environment (the command line, the
simulator); in the Dagster graph the same variables reach the assets through
``social_pipeline.resources`` as ``EnvVar`` references. Values are never logged.
"""


import os
from dataclasses import dataclass, field
from typing import Mapping

from ..platforms import spec
from ..platforms.spec import NUMBER_SETTINGS

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

    def __post_init__(self):
        # A budget of 0 requests a minute would make every pull wait for ever (a run then hung
        # holding its platform's pool slot): refuse it where the settings are built, from the
        # environment or from the platform's Dagster resource alike.
        check_requests_per_minute(self.platform, self.requests_per_minute)


def check_requests_per_minute(platform: str, value) -> None:
    """Raise ValueError naming the setting and its variable unless ``value`` is None (the
    documented limit) or a positive number."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        variable = env_name(platform, "requests_per_minute")
        raise ValueError(
            f"{platform}: requests_per_minute is {value!r} ({variable}); it must be a positive number of "
            f"requests a minute -- with {value!r} no request could ever leave. Unset {variable} to use the "
            f"documented limit, or set it above 0"
        )


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


def _requests_per_minute(platform: str, text: str | None) -> int | None:
    if text in (None, ""):
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{env_name(platform, 'requests_per_minute')} must be a whole number (got {text!r})") from None
    check_requests_per_minute(platform, value)
    return value


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
        requests_per_minute=_requests_per_minute(platform, env.get(env_name(platform, "requests_per_minute"))),
        daily_quota_units=_number(env.get(env_name(platform, "daily_quota_units")), env_name(platform, "daily_quota_units")),
        concurrency=_number(env.get(env_name(platform, "concurrency")), env_name(platform, "concurrency")),
    )
