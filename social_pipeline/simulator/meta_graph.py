"""What the Instagram, Facebook and Threads simulators share: Graph's paging and error bodies.

- Paging is rendered exactly as Graph renders it: ``{"data": [...], "paging": {"cursors":
  {"before", "after"}, "previous", "next"}}`` where ``next`` / ``previous`` are full URLs that
  repeat the request's query string, **``access_token`` included** (Graph echoes the credential
  in its links; the clients must remove it before storing a payload, and the tests can see
  whether they do). ``next`` is present only while more rows exist, ``previous`` only after the
  first page (https://developers.facebook.com/docs/graph-api/results).
- Errors are Graph's envelope ``{"error": {"message", "type", "code", "error_subcode",
  "is_transient", "fbtrace_id"}}`` (https://developers.facebook.com/docs/graph-api/guides/error-handling).
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any, Callable
from urllib.parse import urlencode

from . import world
from .transport import SimRequest, SimResponse

GRAPH_BASE = "https://graph.facebook.com/v25.0"
INSTAGRAM_BASE = "https://graph.instagram.com/v25.0"
SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
DEMO_REFRESH_PREFIX = "demo-refresh-"
EXPIRED_SUFFIX = "-expired"
LONG_LIVED_SECONDS = 5183944  # what Graph answers for a ~60-day token
INVALID_METRIC = "(#100) The value must be a valid insights metric"


def graph_error(
    status: int,
    code: int,
    message: str,
    kind: str = "OAuthException",
    *,
    subcode: int | None = None,
    is_transient: bool = False,
    headers: dict[str, str] | None = None,
) -> SimResponse:
    trace = base64.urlsafe_b64encode(world.stable_int("graph", message).to_bytes(8, "big")).decode().rstrip("=")
    err: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        err["error_subcode"] = subcode
    err["is_transient"] = is_transient
    err["fbtrace_id"] = trace
    return SimResponse(status, {"error": err}, dict(headers or {}))


def expired_token_error(as_of: datetime) -> SimResponse:
    """Graph's answer to an expired session token (code 190, subcode 463)."""
    expired = (as_of - timedelta(hours=1)).strftime("%A, %d-%b-%y %H:%M:%S")
    now = as_of.strftime("%A, %d-%b-%y %H:%M:%S")
    return graph_error(
        400,
        190,
        f"Error validating access token: Session has expired on {expired} UTC. The current time is {now} UTC.",
        subcode=463,
        headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token" "Session has expired"'},
    )


def invalid_token_error() -> SimResponse:
    return graph_error(
        400,
        190,
        "Invalid OAuth access token - Cannot parse access token",
        headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"'},
    )


def throttle_error(code: int = 4) -> SimResponse:
    """Graph's rate-limit answer: HTTP 400 (403 for some BUC limits) with a throttling code."""
    messages = {
        4: "(#4) Application request limit reached",
        17: "(#17) User request limit reached",
        32: "(#32) Page request limit reached",
        613: "(#613) Calls to this api have exceeded the rate limit.",
    }
    return graph_error(400, code, messages.get(code, f"(#{code}) There have been too many calls"), is_transient=True)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"QVFI:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The row offset a cursor stands for (0 without one); None when it is not ours."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return max(int(raw.split(":", 1)[1]), 0)
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def paged_body(
    rendered: list[Any], start: int, total: int, link_base: str, query: dict[str, Any]
) -> dict[str, Any]:
    """One page of an edge, as Graph renders it. ``rendered`` holds this page's rows (from row
    ``start`` of ``total``); ``query`` is the request's query, credentials included, which
    Graph repeats in its links."""
    body: dict[str, Any] = {"data": rendered}
    if not rendered:
        return body
    end = start + len(rendered)
    paging: dict[str, Any] = {"cursors": {"before": encode_cursor(start), "after": encode_cursor(end)}}
    base_query = {k: v for k, v in query.items() if k not in ("after", "before")}
    if start > 0:
        paging["previous"] = f"{link_base}?{urlencode({**base_query, 'before': encode_cursor(start)})}"
    if end < total:
        paging["next"] = f"{link_base}?{urlencode({**base_query, 'after': encode_cursor(end)})}"
    body["paging"] = paging
    return body


def page_of(
    items: list[Any],
    request: SimRequest,
    link_base: str,
    render: Callable[[Any], Any],
    *,
    limit: int,
) -> SimResponse:
    start = decode_cursor(request.query.get("after"))
    if start is None:
        return graph_error(400, 100, "(#100) Invalid cursor")
    rendered = [render(it) for it in items[start : start + limit]]
    return SimResponse(200, paged_body(rendered, start, len(items), f"{link_base}{request.path}", dict(request.query)))


def limit_of(request: SimRequest, default: int, cap: int) -> int | None:
    try:
        value = int(request.query.get("limit", default))
    except ValueError:
        return None
    return max(1, min(value, cap))


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def shortcode(uid: int) -> str:
    chars = []
    while uid:
        uid, rem = divmod(uid, 64)
        chars.append(SHORTCODE_ALPHABET[rem])
    return "".join(reversed(chars)) or "A"


def parse_fields(text: str) -> dict[str, Any]:
    """``a,b{c,d{e}}`` -> {"a": None, "b": {"c": None, "d": {"e": None}}}."""

    def parse(i: int) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        name = ""
        while i < len(text):
            ch = text[i]
            if ch == ",":
                if name.strip():
                    out.setdefault(name.strip(), None)
                name = ""
            elif ch == "{":
                sub, i = parse(i + 1)
                out[name.strip()] = sub
                name = ""
            elif ch == "}":
                if name.strip():
                    out.setdefault(name.strip(), None)
                return out, i
            else:
                name += ch
            i += 1
        if name.strip():
            out.setdefault(name.strip(), None)
        return out, i

    return parse(0)[0]


def select(full: dict[str, Any], spec, *, skip: tuple[str, ...] = ("replies",)) -> dict[str, Any]:
    """Keep the requested fields (nested objects narrowed by their sub-selection)."""
    if isinstance(spec, (list, tuple)):
        spec = {k: None for k in spec}
    out: dict[str, Any] = {}
    for key, sub in spec.items():
        if key not in full or key in skip:
            continue
        value = full[key]
        out[key] = select(value, sub, skip=()) if isinstance(sub, dict) and isinstance(value, dict) else value
    if "id" in full:
        out.setdefault("id", full["id"])
    return out


def insight_entry(object_id: str, name: str, value: Any, *, period: str = "lifetime", edge: str = "insights", end_time: str | None = None) -> dict[str, Any]:
    """One insights row: ``{"name", "period", "values": [{"value"}], "title", "description", "id"}``."""
    point: dict[str, Any] = {"value": value}
    if end_time:
        point["end_time"] = end_time
    return {
        "name": name,
        "period": period,
        "values": [point],
        "title": name.replace("_", " ").capitalize(),
        "description": f"{period.capitalize()}: {name.replace('_', ' ')}",
        "id": f"{object_id}/{edge}/{name}/{period}",
    }


# -- documented field definitions ----------------------------------------------------------------
def _type_ok(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "id":  # Graph ids are numeric strings
        return isinstance(value, str) and value.replace("_", "").isdigit()
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "timestamp":  # ISO-8601, UTC with a colon-less offset: 2019-04-05T07:56:32+0000
        return isinstance(value, str) and len(value) == 24 and value[10] == "T" and value[-5] in "+-"
    if kind == "url":
        return isinstance(value, str) and value.startswith("https://")
    if kind.startswith("enum:"):
        return value in kind[5:].split("|")
    if kind == "count-map":  # {key: non-negative integer}
        return isinstance(value, dict) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value.values())
    if kind == "any":
        return True
    raise ValueError(f"unknown documented type {kind!r}")


def _walk(value: Any, path: list[str]) -> list[tuple[bool, Any]]:
    """(found, value) for every place ``path`` leads to (``name[]`` steps into each list item)."""
    if not path:
        return [(True, value)]
    step, rest = path[0], path[1:]
    many = step.endswith("[]")
    key = step[:-2] if many else step
    if not isinstance(value, dict):
        return []
    if key not in value:
        return [(False, None)] if not rest else []  # a missing parent: nothing below it to check
    inner = value[key]
    if not many:
        return _walk(inner, rest)
    if not isinstance(inner, list):
        return [(True, inner)] if not rest else []
    out: list[tuple[bool, Any]] = []
    for item in inner:
        out.extend(_walk(item, rest) if rest else [(True, item)])
    return out


def documented_problems(payload: Any, fields: list[list[Any]]) -> list[str]:
    """What in ``payload`` contradicts the documented field definitions ``fields``: rows of
    ``[path, type, required, source]`` (``data[].id``: each item's ``id``). A required field must
    be present wherever its parent is; a present field must have its documented type."""
    problems: list[str] = []
    for path, kind, required, _source in fields:
        for found, value in _walk(payload, path.split(".")):
            if not found:
                if required:
                    problems.append(f"{path}: missing")
            elif value is not None and not _type_ok(value, kind):
                problems.append(f"{path}: {value!r:.60} is not {kind}")
    return problems


def documented_paths_seen(payloads: list[Any], fields: list[list[Any]]) -> set[str]:
    """The documented paths that occur in at least one of ``payloads``."""
    seen: set[str] = set()
    for payload in payloads:
        for path, _kind, _required, _source in fields:
            if any(found for found, _ in _walk(payload, path.split("."))):
                seen.add(path)
    return seen


def graph_too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
    """Graph's throttling answer: error code 4, "Application request limit reached"."""
    return {"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4,
                      "is_transient": True, "fbtrace_id": "AsimRateLimit00"}}, {}
