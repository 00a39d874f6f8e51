"""The simulator plugged in at the HTTP transport.

``SimulatorAdapter`` is a ``requests`` transport adapter: a client's session mounts it for the
platform's base URL, and every request the real client code sends (with its real paths, query
strings, auth headers and pagination tokens) is answered by a :class:`PlatformSimulator` that
renders :mod:`social_pipeline.simulator.world` as the platform documents its JSON.

The adapter answers "as of" a fixed moment (the end of the partition being pulled), which is
what makes a backfill of any day reproducible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Mapping
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from . import world

DEMO_TOKEN_PREFIX = "demo-token-"


def demo_token(platform: str, handle: str) -> str:
    """The fake access token seeded for a demo account; the simulator reads the handle back."""
    return f"{DEMO_TOKEN_PREFIX}{platform}-{handle.lstrip('@').lower()}"


@dataclass
class SimRequest:
    method: str
    path: str  # without the base URL's path prefix, always starting with "/"
    query: dict[str, str]  # the last value of each parameter
    headers: CaseInsensitiveDict
    body: Any  # decoded JSON body or None
    query_all: dict[str, list[str]] = field(default_factory=dict)  # every value, for repeated parameters

    def values(self, name: str) -> list[str]:
        """Every value of a query parameter (XRPC sends arrays as ``uris=a&uris=b``)."""
        return self.query_all.get(name) or ([self.query[name]] if name in self.query else [])


@dataclass
class SimResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class PlatformSimulator:
    """Base for one platform's fake server. Subclasses implement :meth:`handle`.

    Helpers offered to subclasses:
    - ``self.as_of``: the moment the simulated API answers at;
    - ``self.account(handle)``: the world's account (registering it for id lookups);
    - ``self.account_for_token(token)``: the account a demo token belongs to, or None;
    - ``self.find_account(external_id)`` / ``self.find_post(external_id)``: reverse lookups of
      ids this simulator formatted with :meth:`account_id` / :meth:`post_id`.
    """

    platform: ClassVar[str]

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests (body, headers besides Retry-After);
        each platform's simulator gives its own documented shape."""
        return {"message": "Too Many Requests"}, {}

    def __init__(self, as_of: datetime, handles: list[str] | None = None):
        self.as_of = as_of
        self._accounts: dict[str, world.Account] = {}
        self._post_index: dict[str, world.Post] | None = None
        for handle in handles or []:
            self.account(handle)

    # -- identity ---------------------------------------------------------------------------
    def tracked_ids(self, handle: str, since: datetime) -> list[str]:
        """Ids of the account's posts published from ``since`` up to ``as_of``, newest first: what a
        pipeline that monitored the account all along tracks (platforms whose creators' replies
        are posts add those)."""
        return [self.post_id(p) for p in self.account(handle).posts_until(self.as_of) if p.posted_at >= since]

    def account_id(self, account: world.Account) -> str:
        """The platform's id for an account; override for the platform's id style."""
        return str(account.uid)

    def post_id(self, post: world.Post) -> str:
        """The platform's id for a post; override for the platform's id style."""
        return str(post.uid)

    def account(self, handle: str) -> world.Account:
        acct = world.account(self.platform, handle)
        if acct.handle not in self._accounts:
            self._accounts[acct.handle] = acct
            self._post_index = None
        return acct

    def account_for_token(self, token: str | None) -> world.Account | None:
        prefix = f"{DEMO_TOKEN_PREFIX}{self.platform}-"
        if not token or not token.startswith(prefix):
            return None
        return self.account(token[len(prefix):])

    def bearer(self, request: SimRequest) -> str | None:
        auth = request.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else None

    def find_account(self, external_id: str) -> world.Account | None:
        for acct in self._accounts.values():
            if self.account_id(acct) == external_id:
                return acct
        return None

    def find_post(self, external_id: str) -> world.Post | None:
        if self._post_index is None:
            self._post_index = {
                self.post_id(p): p for acct in self._accounts.values() for p in acct.posts_until(self.as_of)
            }
        return self._post_index.get(external_id)

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:  # pragma: no cover - abstract
        raise NotImplementedError


class SimulatorAdapter(BaseAdapter):
    """Answers requests under ``base_url`` with ``simulator``; mount it on a session."""

    def __init__(self, base_url: str, simulator: PlatformSimulator):
        super().__init__()
        self.base_path = urlsplit(base_url).path.rstrip("/")
        self.simulator = simulator
        self.requests_served = 0

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        parts = urlsplit(request.url)
        path = parts.path
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path):]
        body = None
        if request.body:
            raw = request.body.decode("utf-8") if isinstance(request.body, bytes) else request.body
            try:
                body = json.loads(raw)
            except ValueError:
                body = dict(parse_qsl(raw))
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        sim_request = SimRequest(
            method=request.method or "GET",
            path=path or "/",
            query=dict(pairs),
            headers=CaseInsensitiveDict(request.headers),
            body=body,
            query_all=_grouped(pairs),
        )
        self.requests_served += 1
        answer = self.simulator.handle(sim_request)
        return _response(request, answer)

    def close(self) -> None:
        pass


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _response(request: requests.PreparedRequest, answer: SimResponse) -> requests.Response:
    resp = requests.Response()
    resp.status_code = answer.status
    payload = answer.body if isinstance(answer.body, (bytes, str)) else json.dumps(answer.body)
    resp._content = payload.encode("utf-8") if isinstance(payload, str) else payload
    headers = {"Content-Type": "application/json; charset=utf-8", **answer.headers}
    resp.headers = CaseInsensitiveDict(headers)
    resp.encoding = "utf-8"
    resp.url = request.url
    resp.request = request
    resp.reason = "OK" if answer.status < 400 else "Error"
    return resp


def mount(session: requests.Session, base_url: str, simulator: PlatformSimulator) -> SimulatorAdapter:
    adapter = SimulatorAdapter(base_url, simulator)
    session.mount(base_url.rstrip("/") + "/", adapter)
    return adapter


def error(status: int, body: Mapping[str, Any]) -> SimResponse:
    return SimResponse(status, dict(body))
