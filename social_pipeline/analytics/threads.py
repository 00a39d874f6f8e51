"""Rebuild comment threads from flat lists of comments.

Platforms hand comments over as flat rows that each name their parent
(``parent_external_comment_id``, ``None`` for a top-level comment). ``rebuild_threads`` turns
such a list into thread facts, without I/O and without changing its input. It returns one new
dict per input row, in input order, with every input key kept as given and these added:

``depth``
    0 for a top-level comment, 1 for a reply to it, 2 for a reply to that reply, and so on
    to any depth.
``root_external_comment_id``
    The id of the top-level comment the thread hangs from (a top-level comment's own id).
``is_reply``
    ``depth > 0``.
``is_creator_reply``
    A reply written by the account itself: ``is_reply`` and ``author_username`` is one of
    ``creator_handles``, compared case-insensitively with any leading "@" and surrounding
    spaces ignored. The creator's own top-level comments are not creator replies.
``parent_missing``
    The row names a parent that is not in the list (deleted, hidden, or pulled in another
    page). The reply is kept; its depth counts the missing parent as a top-level comment (a
    lower bound, since the parent may itself have been a reply), and its root is the
    missing parent's id. Replies below it get the same root, and depths that follow on.
``cycle_broken``
    Corrupt data made this row part of a cycle of parents (a -> b -> a, or a row that is its
    own parent). The cycle is cut so nothing loops forever: the cycle's earliest comment (by
    ``commented_at``, then by id; comments without a time come last) loses its parent link
    and becomes a top-level comment, and the rest of the cycle hang from it as replies. Every
    row of the cycle is flagged, so a loader can tell which parent links to distrust; the cut
    row is the flagged one with ``depth == 0``. Comments hanging off a cycle are not flagged.

The list may be in any order: replies may come before their parents. Ids are matched as
strings (so a parent id given as ``123`` finds the comment ``"123"``); an empty parent id
counts as none. If an id appears on several rows, the first row is the comment the others'
parent links point to, and every row gets facts from its own parent link. A row without an
``external_comment_id`` still gets its facts but cannot be anyone's parent. Each comment is
resolved once, with an explicit stack rather than recursion, so time is linear in the number
of comments and deep threads cannot exhaust Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any


def normalize_handle(handle: str | None) -> str:
    """``" @Creator "`` -> ``"creator"``."""
    return (handle or "").strip().lstrip("@").strip().casefold()


def _key(value: Any) -> str | None:
    if value is None:
        return None
    key = str(value).strip()
    return key or None


def _time_order(value: Any) -> tuple[int, float]:
    """Sort key for ``commented_at``: datetimes and ISO strings by time, anything else last."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return (1, 0.0)
    if isinstance(value, datetime):
        if value.tzinfo is None:  # naive times are UTC, as the database stores them
            value = value.replace(tzinfo=UTC)
        return (0, value.timestamp())
    return (1, 0.0)


class _Node:
    __slots__ = ("row", "parent", "depth", "root", "parent_missing", "cycle_broken", "done")

    def __init__(self, row: dict, parent: str | None) -> None:
        self.row = row
        self.parent = parent
        self.depth = 0
        self.root: Any = None
        self.parent_missing = False
        self.cycle_broken = False
        self.done = False


def rebuild_threads(comments: Iterable[dict], creator_handles: Iterable[str] | None = None) -> list[dict]:
    """Thread facts for every comment (see the module docstring)."""
    rows = [dict(comment) for comment in comments]
    creators = {normalize_handle(handle) for handle in (creator_handles or ()) if normalize_handle(handle)}

    nodes: dict[str, _Node] = {}
    row_nodes: list[_Node] = []
    for row in rows:
        node = _Node(row, _key(row.get("parent_external_comment_id")))
        key = _key(row.get("external_comment_id"))
        if key is not None:
            nodes.setdefault(key, node)  # a repeated id: the first row is the parent
        row_nodes.append(node)

    for node in row_nodes:
        _resolve(node, nodes)

    out: list[dict] = []
    for row, node in zip(rows, row_nodes):
        is_reply = node.depth > 0
        author = normalize_handle(row.get("author_username"))
        row.update(
            depth=node.depth,
            root_external_comment_id=node.root,
            is_reply=is_reply,
            is_creator_reply=is_reply and bool(author) and author in creators,
            parent_missing=node.parent_missing,
            cycle_broken=node.cycle_broken,
        )
        out.append(row)
    return out


def _resolve(start: _Node, nodes: dict[str, _Node]) -> None:
    """Fill in ``start`` and its unresolved ancestors, cutting a cycle met on the way.

    Walk up until a resolved comment, a top-level comment, a missing parent or a cycle, then
    resolve the walked path top-down. A cut cycle leaves the path's lower part unresolved;
    the second walk then ends at the cut comment, which is resolved.
    """
    while not start.done:
        path: list[_Node] = []
        position: dict[int, int] = {}
        node = start
        while not node.done:
            if id(node) in position:
                _cut_cycle(path[position[id(node)]:])
                break
            position[id(node)] = len(path)
            path.append(node)
            if node.parent is None:
                _set_top(node)
                break
            parent = nodes.get(node.parent)
            if parent is None:
                node.depth = 1
                node.root = node.row.get("parent_external_comment_id")
                node.parent_missing = True
                node.done = True
                break
            node = parent
        for child in reversed(path):
            if child.done:
                continue
            parent = nodes[child.parent]  # type: ignore[index]  # present: the walk went there
            if not parent.done:
                break
            child.depth = parent.depth + 1
            child.root = parent.root
            child.done = True


def _set_top(node: _Node) -> None:
    node.depth = 0
    node.root = node.row.get("external_comment_id")
    node.done = True


def _cut_cycle(cycle: list[_Node]) -> None:
    for node in cycle:
        node.cycle_broken = True
    cut = min(cycle, key=lambda n: (_time_order(n.row.get("commented_at")), str(n.row.get("external_comment_id"))))
    cut.parent = None
    _set_top(cut)
