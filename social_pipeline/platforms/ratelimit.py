"""Request budgets: a token-bucket limiter per provider, and daily unit quotas.

One :class:`RateLimiter` exists per (provider, platform) in a process and is shared by every pull
of that provider running in it (threads included), so concurrent pulls together stay under the
documented limit. Across processes, Dagster's concurrency pools bound how many pulls of one
platform run at once (see ``dagster.yaml``). Limits come from each platform's documentation and
can be overridden with ``SOCIAL_PIPELINE_<PLATFORM>_REQUESTS_PER_MINUTE``. A limiter spreads its
budget evenly, allowing only short bursts (:data:`DEFAULT_BURST_SECONDS`), so it also meets a
server that enforces the same budget per second.

A wait longer than :data:`LOG_WAIT_SECONDS` is logged (logger ``social_pipeline.platforms.ratelimit``,
which dagster.yaml copies into the run's log) with the limiter it waits for and why: the budget
is spent, or the server asked us to slow down. A budget of 0 or less is refused with a message
naming ``SOCIAL_PIPELINE_<PLATFORM>_REQUESTS_PER_MINUTE`` instead of waiting for ever.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# A wait for a request slot longer than this is logged (what it waits for, how long), and again at
# most every LOG_REPEAT_SECONDS while it lasts: a pull held back by a budget is never silent.
LOG_WAIT_SECONDS = 5.0
LOG_REPEAT_SECONDS = 30.0

# How many seconds' worth of requests a live pull may send back to back (see RateLimiter). Half a
# second, not a whole one: a server enforcing N requests a second with a bucket of one second's
# worth then still has half a second of slack for requests that leave the client in order but
# reach the server unevenly (thread scheduling, connection set-up). Against per-minute limits a
# short burst costs nothing once several pulls run at once: they queue on the limiter's slots.
DEFAULT_BURST_SECONDS = 0.5


class QuotaExceeded(Exception):
    pass


class RateLimiter:
    """A thread-safe limiter of ``rate`` requests per ``per`` seconds, with bursts of ``burst``.

    It is a token bucket of capacity ``burst`` refilled at ``rate / per`` tokens a second, kept as
    one "theoretical arrival time" (the generic cell rate algorithm): each :meth:`acquire` books
    the next free slot and then sleeps until it, so waiting threads queue up one slot apart
    instead of all waking at once and racing, and a thread that wakes a little late does not
    cost the others their slots.

    ``burst`` is how many requests may leave back to back after a quiet spell (and at the start).
    ``None`` keeps the historical capacity, the whole window (``rate``): fine against a server
    counting per minute, but a server enforcing N requests a second answers such a burst with
    429s. :func:`limiter_for`, which makes the limiters every live pull uses, therefore passes a
    burst of :data:`DEFAULT_BURST_SECONDS` worth of requests.
    """

    def __init__(
        self,
        rate: float,
        per: float = 60.0,
        *,
        burst: float | None = None,
        clock=time.monotonic,
        sleep=time.sleep,
        name: str = "requests",
        logger: logging.Logger | None = None,
    ):
        if rate <= 0 or per <= 0:
            raise ValueError(f"{name}: rate and per must be positive (got {rate} per {per} s): no request could ever leave")
        self.rate = float(rate)
        self.per = float(per)
        self.burst = float(rate if burst is None else burst)
        if self.burst < 1:
            raise ValueError("burst must allow at least one request")
        self.interval = self.per / self.rate  # seconds between two requests at the full rate
        self._clock = clock
        self._sleep = sleep
        # The moment the bucket is next full again (<= now: it is full). Starts full.
        self._full_at = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.waited_seconds = 0.0
        self.name = name  # what the log says it waits for, e.g. "tiktok (official) rate limit"
        self._log = logger or log
        self._logged_at = -float("inf")

    def _slot(self, now: float) -> float:
        """The earliest moment the next request may leave (``now`` when it may leave at once)."""
        # A full bucket holds `burst` tokens; each token not yet refilled pushes the slot back
        # by one interval, and a request needs one token.
        earliest = max(self._full_at - (self.burst - 1) * self.interval, self._paused_until)
        return earliest if earliest - now > 1e-9 else now  # (float rounding is no reason to wait)

    def _book(self, slot: float) -> None:
        self._full_at = max(self._full_at, slot) + self.interval

    def try_acquire(self) -> float:
        """Take a slot if one is free right now and return 0.0; otherwise take nothing and
        return the seconds until one frees up (what a server puts in ``Retry-After``)."""
        with self._lock:
            now = self._clock()
            slot = self._slot(now)
            if slot > now:
                return slot - now
            self._book(now)
            return 0.0

    def acquire(self) -> float:
        """Take one request slot, sleeping as long as needed. Returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                slot = self._slot(now)
                self._book(slot)
                if slot <= now:
                    self.waited_seconds += waited
                    return waited
            delay = slot - now
            self._say_wait(delay, now)
            self._sleep(delay)
            waited += delay
            with self._lock:
                # A pause that began while we slept (a 429 elsewhere) voids the booked slot.
                if self._paused_until <= slot:
                    self.waited_seconds += waited
                    return waited

    def _say_wait(self, delay: float, now: float) -> None:
        """Log a wait longer than LOG_WAIT_SECONDS, at most every LOG_REPEAT_SECONDS (all the
        threads of a pull queue on one limiter: one line speaks for them)."""
        if delay < LOG_WAIT_SECONDS:
            return
        with self._lock:
            if now - self._logged_at < LOG_REPEAT_SECONDS:
                return
            self._logged_at = now
            paused = self._paused_until > now
        why = ("the server asked us to slow down (429 / Retry-After)" if paused
               else f"the budget of {self.rate:g} requests per {self.per:g} s is spent")
        self._log.warning("waiting %.0f s for the %s: %s", delay, self.name, why)

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


def limiter_for(
    provider: str, platform: str, requests_per_minute: float | None = None, *, burst: float | None = None
) -> RateLimiter:
    """The process-wide limiter of (provider, platform), created on first use.

    ``burst`` defaults to :data:`DEFAULT_BURST_SECONDS` worth of requests (at least one), not the
    minute's whole budget. A limiter is replaced when a different rate or burst is asked for.
    """
    key = (provider, platform)
    if requests_per_minute is not None and requests_per_minute <= 0:
        # 0 used to fall back silently to the documented rate here (and a negative rate made every
        # pull fail on its own); say what is wrong instead, naming the setting.
        variable = f"SOCIAL_PIPELINE_{platform.upper()}_REQUESTS_PER_MINUTE"
        raise ValueError(
            f"{platform}: requests_per_minute is {requests_per_minute!r} ({variable}); it must be a positive "
            f"number of requests a minute. Unset {variable} to use the documented limit"
        )
    rate = float(requests_per_minute or documented_rate(platform))
    capacity = float(burst) if burst is not None else default_burst(rate)
    with _registry_lock:
        limiter = _limiters.get(key)
        if limiter is None or (requests_per_minute and limiter.rate != rate) or (burst is not None and limiter.burst != capacity):
            limiter = _limiters[key] = RateLimiter(rate, 60.0, burst=capacity, name=f"{platform} ({provider}) rate limit")
        return limiter


def documented_rate(platform: str) -> int:
    """The platform's documented request budget per minute (its spec), 60 for an unknown name."""
    from . import SPECS  # the registry imports every client; this module is imported by the simulator

    found = SPECS.get(platform)
    return found.requests_per_minute if found else 60


def default_burst(requests_per_minute: float) -> float:
    """The burst :func:`limiter_for` allows: DEFAULT_BURST_SECONDS of the rate, at least 1."""
    return max(1.0, requests_per_minute / 60.0 * DEFAULT_BURST_SECONDS)
