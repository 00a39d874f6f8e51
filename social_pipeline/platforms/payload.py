"""Typed getters for decoded JSON payloads, shared by every parser.

Each getter names where in the payload it looked (``where``), so a body that does not have the
documented shape fails with a :class:`~.base.ParseError` a person can act on, and the parse of
that pull is quarantined instead of storing a wrong value.
"""

from __future__ import annotations

from typing import Any

from .base import ParseError, count


def obj(value: Any, where: str) -> dict[str, Any]:
    """``value`` itself, which must be a JSON object."""
    if not isinstance(value, dict):
        raise ParseError(f"{where}: not a JSON object")
    return value


def field_obj(container: Any, key: str, where: str) -> dict[str, Any]:
    """``container[key]``, which must be an object."""
    value = obj(container, where).get(key)
    if not isinstance(value, dict):
        raise ParseError(f"{where}: {key!r} is missing or not an object")
    return value


def opt_obj(container: Any, key: str, where: str) -> dict[str, Any] | None:
    """``container[key]`` when present: an object, or None when absent or null."""
    value = obj(container, where).get(key)
    if value is not None and not isinstance(value, dict):
        raise ParseError(f"{where}: {key!r} is not an object")
    return value


def field_list(container: Any, key: str, where: str, *, missing_ok: bool = False) -> list[Any]:
    """``container[key]``, which must be a list (an absent key is ``[]`` when ``missing_ok``:
    several APIs omit empty arrays)."""
    body = obj(container, where)
    if missing_ok and body.get(key) is None:
        return []
    value = body.get(key)
    if not isinstance(value, list):
        raise ParseError(f"{where}: {key!r} is missing or not a list")
    return value


def objects(container: Any, key: str, where: str, *, missing_ok: bool = False) -> list[dict[str, Any]]:
    """``container[key]``, a list whose every item is an object."""
    items = field_list(container, key, where, missing_ok=missing_ok)
    if not all(isinstance(item, dict) for item in items):
        raise ParseError(f"{where}: {key!r} holds an item that is not an object")
    return items


def text(container: Any, key: str, where: str, *, ids: bool = False) -> str:
    """``container[key]``, a non-empty string (with ``ids``, an integer id is accepted as text:
    Graph and Pinterest ids arrive as either)."""
    value = container.get(key) if isinstance(container, dict) else None
    if ids and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise ParseError(f"{where}: {key!r} is missing or not a string")
    return value


def opt_text(container: Any, key: str, where: str) -> str | None:
    """``container[key]`` when present: a string, or None."""
    value = obj(container, where).get(key)
    if value is not None and not isinstance(value, str):
        raise ParseError(f"{where}: {key!r} is not a string")
    return value


def counter(container: Any, key: str, where: str) -> int | None:
    """``container[key]`` as a non-negative count, None when the platform did not report it."""
    try:
        return count(obj(container, where).get(key))
    except ParseError as exc:
        raise ParseError(f"{where}: {key}: {exc}") from None
