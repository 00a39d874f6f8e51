"""Request budgets: a token-bucket limiter per provider, and daily unit quotas.

One :class:`RateLimiter` exists per (provider, platform) in a process and is shared by every pull
of that provider running in it (threads included), so concurrent pulls together stay under the
documented limit. Across processes, Dagster's concurrency pools bound how many pulls of one
platform run at once (see ``dagster.yaml``). Limits come from each platform's documentation and
can be overridden with ``SOCIAL_PIPELINE_<PLATFORM>_REQUESTS_PER_MINUTE``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

# Documented (or conservative) request budgets per minute, for one app/token.
DEFAULT_REQUESTS_PER_MINUTE = {
    "tiktok": 600,  # Display API: 600 requests per minute per endpoint
    "instagram": 200,  # Graph API: 200 calls per user per hour is the BUC floor; bursts allowed
    "facebook": 200,
    "threads": 200,
    "youtube": 600,  # bounded by the daily unit quota rather than by rate
    "twitter": 60,  # X v2 user timeline: 900 / 15 min per user (app: 1,500); keep margin
    "pinterest": 100,  # v5: 1,000 / min per app, 100 / min per user for analytics
    "bluesky": 300,  # AppView: 3,000 per 5 minutes per IP
    "linkedin": 100,  # Community Management: daily caps per app/member; spread them
}
# Daily unit quotas where the platform counts units rather than requests.
DEFAULT_DAILY_UNITS = {"youtube": 10_000}


class QuotaExceeded(Exception):
    pass


class RateLimiter:
    """A thread-safe token bucket: ``rate`` requests per ``per`` seconds, bursts up to ``rate``."""

    def __init__(self, rate: float, per: float = 60.0, *, clock=time.monotonic, sleep=time.sleep):
        if rate <= 0 or per <= 0:
            raise ValueError("rate and per must be positive")
        self.rate = float(rate)
        self.per = float(per)
        self._tokens = float(rate)
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def _refill(self, now: float) -> None:
        self._tokens = min(self.rate, self._tokens + (now - self._updated) * self.rate / self.per)
        self._updated = now

    def acquire(self) -> float:
        """Take one request slot, sleeping as long as needed. Returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                pause = self._paused_until - now
                if pause <= 0 and self._tokens >= 1:
                    self._tokens -= 1
                    self.waited_seconds += waited
                    return waited
                delay = max(pause, (1 - self._tokens) * self.per / self.rate)
            self._sleep(delay)
            waited += delay

    def pause(self, seconds: float) -> None:
        """Hold every request of this provider for ``seconds`` (a server asked us to slow down)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


@dataclass
class QuotaBudget:
    """Units left in a platform's daily quota (YouTube: 10,000 units, list calls cost 1)."""

    units_per_day: int
    used: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def spend(self, units: int, what: str) -> None:
        with self._lock:
            if self.used + units > self.units_per_day:
                raise QuotaExceeded(
                    f"daily quota of {self.units_per_day} units would be exceeded by {what} "
                    f"({self.used} used); it resets at midnight Pacific time"
                )
            self.used += units


_limiters: dict[tuple[str, str], RateLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(provider: str, platform: str, requests_per_minute: float | None = None) -> RateLimiter:
    """The process-wide limiter of (provider, platform), created on first use."""
    key = (provider, platform)
    with _registry_lock:
        limiter = _limiters.get(key)
        if limiter is None or (requests_per_minute and limiter.rate != float(requests_per_minute)):
            rate = requests_per_minute or DEFAULT_REQUESTS_PER_MINUTE.get(platform, 60)
            limiter = _limiters[key] = RateLimiter(rate, 60.0)
        return limiter
