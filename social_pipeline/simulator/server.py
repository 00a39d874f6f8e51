"""The simulator as a real HTTP server on loopback, for pointing a client's base URL at it.

    social-pipeline simulator serve youtube --port 8765

then ``SOCIAL_PIPELINE_YOUTUBE_BASE_URL=http://127.0.0.1:8765`` (and, for YouTube,
``SOCIAL_PIPELINE_YOUTUBE_ANALYTICS_BASE_URL`` too) makes an account with the official provider
and a demo token (``demo-token-<platform>-<handle>``) pull over real sockets, with the same
documented response shapes the in-process demo uses.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from requests.structures import CaseInsensitiveDict

from . import simulator_class
from .transport import SimRequest, _grouped


def make_server(platform: str, host: str = "127.0.0.1", port: int = 0, as_of: datetime | None = None) -> ThreadingHTTPServer:
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the simulator serves loopback only")
    simulator = simulator_class(platform)(as_of or datetime.now(timezone.utc))
    lock = threading.Lock()  # simulators keep lookup caches; serve one request at a time

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = None
            if raw:
                text = raw.decode("utf-8", "replace")
                try:
                    body = json.loads(text)
                except ValueError:
                    body = dict(parse_qsl(text))
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            request = SimRequest(
                method=self.command,
                path=parts.path or "/",
                query=dict(pairs),
                headers=CaseInsensitiveDict(dict(self.headers.items())),
                body=body,
                query_all=_grouped(pairs),
            )
            with lock:
                answer = simulator.handle(request)
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

    return ThreadingHTTPServer((host, port), Handler)
