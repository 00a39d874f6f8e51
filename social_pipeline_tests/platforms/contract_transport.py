"""The one fake transport of the platform tests: ``scripted_transport``.

A :class:`ScriptedTransport` is a ``requests`` transport adapter mounted on a session for every
``http://`` and ``https://`` URL. Each request it receives is answered, in this order, by:

1. the next scripted answer of the first rule whose pattern matches the URL (``script``: a
   sequence of ``(status, headers, body)`` answers, each used once, after which the rule lets
   requests through; ``after=N`` lets the first N matching requests through first);
2. otherwise the simulator served at the longest matching base URL (``serve``), its answer then
   passed through every matching rewriter (``rewrite``: a function of the decoded JSON body, for
   removing a metric, echoing a credential, planting hostile text);
3. otherwise a connection error: nothing leaves the process.

Every request sent is kept in ``sent`` (method and full URL, headers), so a test can see what a
client put on the wire.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from social_pipeline.simulator.transport import PlatformSimulator, SimulatorAdapter

Answer = tuple[int, dict[str, str], Any]  # (status, headers, JSON body or raw text)


@dataclass
class _Rule:
    pattern: re.Pattern
    answers: list[Answer]
    method: str | None = None
    after: int = 0  # matching requests let through before the first scripted answer
    seen: int = 0
    used: int = 0


@dataclass
class _Rewrite:
    pattern: re.Pattern
    fn: Callable[[Any], Any]
    applied: int = 0


@dataclass
class Sent:
    method: str
    url: str
    headers: CaseInsensitiveDict
    body: Any


class ScriptedTransport(BaseAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.rules: list[_Rule] = []
        self.rewrites: list[_Rewrite] = []
        self.backends: list[tuple[str, SimulatorAdapter]] = []
        self.sent: list[Sent] = []

    # -- set-up -----------------------------------------------------------------------------
    def serve(self, base_url: str, simulator: PlatformSimulator) -> "ScriptedTransport":
        """Answer URLs under ``base_url`` with ``simulator`` (base path stripped as the
        simulator's own adapter does)."""
        prefix = base_url.rstrip("/")
        if all(prefix != p for p, _ in self.backends):
            self.backends.append((prefix, SimulatorAdapter(prefix, simulator)))
            self.backends.sort(key=lambda pair: len(pair[0]), reverse=True)
        return self

    def script(self, pattern: str, *answers: Answer, method: str | None = None, after: int = 0) -> _Rule:
        """Answer the requests whose URL matches ``pattern`` (a regular expression searched in
        the full URL) with ``answers``, one each, then let them through; ``after``: let that many
        matching requests through first."""
        rule = _Rule(re.compile(pattern), list(answers), method, after)
        self.rules.append(rule)
        return rule

    def rewrite(self, pattern: str, fn: Callable[[Any], Any]) -> _Rewrite:
        """Pass the decoded JSON body of every served answer to a URL matching ``pattern``
        through ``fn`` (which returns the new body)."""
        rw = _Rewrite(re.compile(pattern), fn)
        self.rewrites.append(rw)
        return rw

    def install(self, session: requests.Session) -> requests.Session:
        session.mount("https://", self)
        session.mount("http://", self)
        return session

    # -- the transport ----------------------------------------------------------------------
    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        url = request.url or ""
        self.sent.append(Sent(request.method or "GET", url, CaseInsensitiveDict(request.headers), request.body))
        for rule in self.rules:
            if rule.used < len(rule.answers) and rule.pattern.search(url) and rule.method in (None, request.method):
                rule.seen += 1
                if rule.seen <= rule.after:
                    continue
                status, headers, body = rule.answers[rule.used]
                rule.used += 1
                return _response(request, status, headers, body)
        for prefix, backend in self.backends:
            if url == prefix or url.startswith(prefix + "/") or url.startswith(prefix + "?"):
                resp = backend.send(request, **kwargs)
                return self._rewritten(url, resp)
        raise requests.ConnectionError(f"scripted transport: nothing serves {url.split('?')[0]}")

    def _rewritten(self, url: str, resp: requests.Response) -> requests.Response:
        matching = [rw for rw in self.rewrites if rw.pattern.search(url)]
        if not matching:
            return resp
        try:
            body = json.loads(resp.content)
        except ValueError:
            return resp
        for rw in matching:
            body = rw.fn(body)
            rw.applied += 1
        resp._content = json.dumps(body).encode("utf-8")
        return resp

    def close(self) -> None:
        pass


def _response(request: requests.PreparedRequest, status: int, headers: dict[str, str], body: Any) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    text = body if isinstance(body, (str, bytes)) else json.dumps(body)
    resp._content = text.encode("utf-8") if isinstance(text, str) else text
    resp.headers = CaseInsensitiveDict({"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    resp.encoding = "utf-8"
    resp.url = request.url
    resp.request = request
    resp.reason = "OK" if status < 400 else "Error"
    return resp
