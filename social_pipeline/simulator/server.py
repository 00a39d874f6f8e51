"""The simulator as a real HTTP server on loopback, for pointing a client's base URL at it.

    social-pipeline simulator serve youtube --port 8765

then ``SOCIAL_PIPELINE_YOUTUBE_BASE_URL=http://127.0.0.1:8765`` (and, for YouTube,
``SOCIAL_PIPELINE_YOUTUBE_ANALYTICS_BASE_URL`` too) makes an account with the official provider
and a demo token (``demo-token-<platform>-<handle>``) pull over real sockets, with the same
documented response shapes the in-process demo uses.

Two knobs make it behave like a remote API under load (``--latency-ms``, ``--requests-per-second``):

- ``latency_ms``: every answer leaves that long after its request arrived. The wait happens
  outside the lock that serialises the simulator, so requests in flight overlap as they would on
  a real server, and the simulator's own work is hidden inside the latency.
- ``requests_per_second``: the server's own limit, a token bucket of ``burst`` requests (default:
  one second's worth) refilled at N a second. A request beyond it never reaches the simulator: it
  gets 429 (after the same latency) with an error body in the platform's shape and
  ``Retry-After`` in whole seconds, as HTTP has it; X and Bluesky also get their reset headers.

The lock is rarely what limits the rate: the simulator is pure Python, so the GIL would serialise
it anyway. Its CPU does: ~10 ms a request for the TikTok simulator on accounts with a few dozen
posts, more for long histories (its user-info answer generates every post's comments). Measured
with ``python -m benchmarks.ratelimit_bench``: at 50 requests/s it is busy ~55 % of the time.

``server.stats`` counts what was served, and ``GET /__stats`` returns the same counters as JSON
for a client in another process (``?reset=1`` zeroes them after answering). No platform uses that
path; it is neither limited nor counted.
"""

from __future__ import annotations

import json
import re
import math
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from requests.structures import CaseInsensitiveDict

from ..platforms.ratelimit import RateLimiter
from . import simulator_class
from .transport import SimRequest, SimResponse, _grouped

STATS_PATH = "/__stats"


class ServerStats:
    """Thread-safe counters of one server's traffic (the stats path excluded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.received = 0  # requests that reached a handler
            self.answered = 0  # answers written, 429s included
            self.limited = 0  # 429s sent by the server's own limit
            self.statuses: dict[int, int] = {}
            self.first_at: float | None = None  # wall clock of the first / last arrival
            self.last_at: float | None = None
            self.busy_seconds = 0.0  # time spent inside the simulator, under its lock

    def arrived(self, at: float) -> None:
        with self._lock:
            self.received += 1
            self.first_at = at if self.first_at is None else self.first_at
            self.last_at = at

    def finished(self, status: int, limited: bool, busy: float) -> None:
        with self._lock:
            self.answered += 1
            self.limited += int(limited)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.busy_seconds += busy

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "received": self.received,
                "answered": self.answered,
                "limited": self.limited,
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "first_at": self.first_at,
                "last_at": self.last_at,
                "busy_seconds": round(self.busy_seconds, 6),
            }


class SimulatorServer(ThreadingHTTPServer):
    """A threading HTTP server carrying the simulator's settings and counters."""

    daemon_threads = True
    # The stdlib default backlog is 5: a few dozen clients connecting at once would see dropped
    # SYNs and a one-second retransmit, which is a queue in the kernel, not the API's latency.
    request_queue_size = 128

    platform: str
    latency: float
    requests_per_second: float | None
    limiter: RateLimiter | None
    stats: ServerStats


def too_many_requests(platform: str, wait_seconds: float, limit: int) -> SimResponse:
    """The platform's 429 answer (its simulator's documented shape), asking the client to come
    back after ``wait_seconds``."""
    wait = max(1, math.ceil(wait_seconds))  # Retry-After carries whole seconds
    body, headers = simulator_class(platform).too_many(wait, limit)
    return SimResponse(429, body, {"Retry-After": str(wait), **headers})


def api_paths(platform: str) -> tuple[str, ...]:
    """The path part of each base URL the platform's clients call (``/xrpc``, ``/youtube/v3``,
    ``/2``...), longest first: a base URL written as for the real API (host and path) reaches the
    same simulator as one without the path."""
    from ..platforms import SPECS

    spec = SPECS.get(platform.split("_")[0])
    if spec is None:
        return ()
    paths = set()
    for client in spec.clients.values():
        for name in dir(client):
            value = getattr(client, name, None)
            if name.endswith("base_url") and isinstance(value, str):
                path = urlsplit(value).path.rstrip("/")
                if path:
                    paths.add(path)
    return tuple(sorted(paths, key=len, reverse=True))


_GRAPH_VERSION = re.compile(r"^/v\d+(?:\.\d+)?(?=/|$)")


def _without_api_path(path: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:  # the API's own path, as in the real base URL (/xrpc, /v5, ...)
        if path == prefix or path.startswith(prefix + "/"):
            return path[len(prefix):] or "/"
    if any(_GRAPH_VERSION.match(prefix) for prefix in prefixes):
        # Graph-style hosts carry their version in the path: any version the settings choose.
        return _GRAPH_VERSION.sub("", path) or "/"
    return path


def make_server(
    platform: str,
    host: str = "127.0.0.1",
    port: int = 0,
    as_of: datetime | None = None,
    *,
    latency_ms: float = 0.0,
    requests_per_second: float | None = None,
    burst: float | None = None,
    clock=time.monotonic,
    sleep=time.sleep,
) -> SimulatorServer:
    """A server of ``platform``'s simulator; call ``serve_forever()`` on it (in a thread or not).

    ``latency_ms`` holds every answer until that long after its request arrived;
    ``requests_per_second`` (with ``burst``, default one second's worth) makes it answer 429
    past that rate. ``clock`` and ``sleep`` drive both (tests pass fakes).
    """
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the simulator serves loopback only")
    if latency_ms < 0:
        raise ValueError("latency_ms must not be negative")
    if requests_per_second is not None and requests_per_second <= 0:
        raise ValueError("requests_per_second must be positive")
    simulator = simulator_class(platform)(as_of or datetime.now(timezone.utc))
    prefixes = api_paths(platform)
    lock = threading.Lock()  # simulators keep lookup caches; they answer one request at a time

    class Handler(BaseHTTPRequestHandler):
        # Keep-alive: a client's session sends an account's requests over one connection. Then
        # Nagle's algorithm must be off: the headers and the body leave in two writes, and the
        # body would wait for the client's delayed ACK (~40 ms) on every request but the first.
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            server: SimulatorServer = self.server  # type: ignore[assignment]
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if parts.path == STATS_PATH:
                self._send(SimResponse(200, server.stats.snapshot()))
                if "reset" in dict(parse_qsl(parts.query)):
                    server.stats.reset()
                return
            arrived = clock()
            server.stats.arrived(time.time())
            wait = server.limiter.try_acquire() if server.limiter is not None else 0.0
            busy = 0.0
            if wait > 0:
                answer = too_many_requests(platform, wait, int(server.requests_per_second or 0))
            else:
                request = self._request(parts, raw)
                with lock:
                    started = time.perf_counter()
                    answer = simulator.handle(request)
                    busy = time.perf_counter() - started
            if server.latency > 0:
                # Outside the lock: the requests in flight overlap, as on a real server.
                sleep(max(0.0, server.latency - (clock() - arrived)))
            server.stats.finished(answer.status, wait > 0, busy)  # before the client can read the answer
            self._send(answer)

        def _request(self, parts, raw: bytes) -> SimRequest:
            body = None
            if raw:
                text = raw.decode("utf-8", "replace")
                try:
                    body = json.loads(text)
                except ValueError:
                    body = dict(parse_qsl(text))
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            path = _without_api_path(parts.path or "/", prefixes)
            return SimRequest(
                method=self.command,
                path=path,
                query=dict(pairs),
                headers=CaseInsensitiveDict(dict(self.headers.items())),
                body=body,
                query_all=_grouped(pairs),
            )

        def _send(self, answer: SimResponse) -> None:
            payload = answer.body if isinstance(answer.body, (str, bytes)) else json.dumps(answer.body)
            data = payload.encode("utf-8") if isinstance(payload, str) else payload
            self.send_response(answer.status)
            headers = {"Content-Type": "application/json; charset=utf-8", **answer.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format, *args):  # requests carry tokens in query strings: no access log
            pass

    server = SimulatorServer((host, port), Handler)
    server.platform = platform
    server.latency = latency_ms / 1000.0
    server.requests_per_second = requests_per_second
    server.limiter = (
        RateLimiter(requests_per_second, 1.0, burst=burst if burst is not None else max(1.0, requests_per_second), clock=clock)
        if requests_per_second
        else None
    )
    server.stats = ServerStats()
    return server
