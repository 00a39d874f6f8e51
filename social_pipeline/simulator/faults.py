"""Fault injection for the demo source: a share of requests answered with what real APIs do on
a bad day (429 with Retry-After, 500, 503, a timeout, a truncated body, an HTML error page).

Enable with ``SOCIAL_PIPELINE_DEMO_FAULTS``: a share (``0.2``) or ``rate=0.2,seed=7,retry_after=1``.
A request that just failed is answered normally when retried, so every request succeeds by its
second attempt and a fault-free day and a faulty day must land the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import requests

from .transport import PlatformSimulator, SimRequest, SimResponse

FAULTS_ENV = "SOCIAL_PIPELINE_DEMO_FAULTS"
KINDS = ("429", "500", "503", "timeout", "truncated", "html")


@dataclass(frozen=True)
class FaultPlan:
    rate: float
    seed: int = 7
    retry_after: float = 1.0

    @classmethod
    def parse(cls, text: str | None) -> "FaultPlan | None":
        if not text:
            return None
        fields = {}
        for part in text.split(","):
            key, _, value = part.partition("=")
            if not value:
                key, value = "rate", key
            fields[key.strip()] = value.strip()
        try:
            rate = float(fields.get("rate", "0"))
            plan = cls(rate, int(fields.get("seed", 7)), float(fields.get("retry_after", 1.0)))
        except ValueError:
            raise ValueError(f"{FAULTS_ENV} must look like 0.2 or rate=0.2,seed=7,retry_after=1") from None
        if not 0 <= rate < 1:
            raise ValueError(f"{FAULTS_ENV}: rate must be in [0, 1)")
        return plan if rate > 0 else None


class FaultySimulator(PlatformSimulator):
    """Wraps a platform simulator and fails a share of its requests, deterministically."""

    def __init__(self, inner: PlatformSimulator, plan: FaultPlan):
        self.inner = inner
        self.platform = inner.platform
        self.plan = plan
        self._random = random.Random(f"{plan.seed}|{inner.platform}")
        self._last_faulted: tuple | None = None
        self.injected: dict[str, int] = {}

    def __getattr__(self, name):  # everything else is the wrapped simulator's
        return getattr(self.inner, name)

    def handle(self, request: SimRequest) -> SimResponse:
        key = (request.method, request.path, tuple(sorted(request.query.items())), repr(request.body))
        if key != self._last_faulted and self._random.random() < self.plan.rate:
            self._last_faulted = key
            kind = self._random.choice(KINDS)
            self.injected[kind] = self.injected.get(kind, 0) + 1
            if kind == "timeout":
                raise requests.Timeout("simulated timeout")
            if kind == "429":
                return SimResponse(429, {"error": {"message": "rate limited"}}, {"Retry-After": f"{self.plan.retry_after:g}"})
            if kind == "truncated":
                return SimResponse(200, '{"data": [{"id": "1', {})
            if kind == "html":
                return SimResponse(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", {"Content-Type": "text/html"})
            return SimResponse(int(kind), {"error": {"message": "internal error", "code": int(kind)}})
        self._last_faulted = None
        return self.inner.handle(request)
