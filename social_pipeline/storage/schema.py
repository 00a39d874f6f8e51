"""The tables' columns as the migrations leave them: each column's PostgreSQL type and its
``COMMENT ON COLUMN``, read from ``sql/*.sql`` for the assets' column schemas in the UI.

Read at definition time from the SQL files, not from the database: the UI, ``dg check defs`` and a
fresh clone show each asset's schema before anything is materialized and with no server running,
and the migrations are the source of truth the database is built from. A test checks the result
against a migrated database.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Iterator

from dagster import TableColumn, TableSchema

_TYPE_STOP = {"NOT", "NULL", "DEFAULT", "CHECK", "REFERENCES", "PRIMARY", "UNIQUE", "CONSTRAINT",
              "GENERATED", "COLLATE", "USING"}
_CONSTRAINT_START = {"CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "EXCLUDE", "LIKE"}


def _statements(text: str) -> Iterator[str]:
    """SQL statements without comments, split at semicolons outside quotes."""
    out, i, n, buf = [], 0, len(text), []
    while i < n:
        ch = text[i]
        if ch == "'":
            j = i + 1
            while j < n:
                if text[j] == "'" and j + 1 < n and text[j + 1] == "'":
                    j += 2
                    continue
                if text[j] == "'":
                    break
                j += 1
            buf.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("$$", i):  # function bodies: kept whole
            j = text.find("$$", i + 2)
            j = n if j < 0 else j + 2
            buf.append(text[i:j])
            i = j
        elif ch == ";":
            out.append("".join(buf).strip())
            buf = []
            i += 1
        else:
            buf.append(ch)
            i += 1
    out.append("".join(buf).strip())
    return (s for s in out if s)


def _split_top(text: str) -> list[str]:
    """Split at commas outside parentheses and quotes."""
    parts, depth, buf, quoted = [], 0, [], False
    for ch in text:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            parts.append("".join(buf).strip())
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf).strip())
    return [p for p in parts if p]


def _type_of(words: str) -> str:
    """The type at the start of a column definition: 'DECIMAL(5,2) CHECK (...)' -> 'DECIMAL(5,2)'."""
    tokens = re.findall(r"\([^()]*\)|\[\]|[^\s(\[]+", words)
    kept: list[str] = []
    for token in tokens:
        if token.upper() in _TYPE_STOP:
            break
        if kept and (token.startswith("(") or token == "[]"):
            kept[-1] += token.replace(" ", "")
        else:
            kept.append(token)
    return " ".join(kept).upper().replace("SERIAL", "INTEGER").replace("BIGINTEGER", "BIGINT")


def _name(token: str) -> str:
    return token.strip('"').split(".")[-1].strip('"')


def _migrated_columns(sql_dir: Path) -> dict[str, dict[str, list[str | None]]]:
    """table -> column -> [postgres type, comment], in column order, after every migration."""
    tables: dict[str, dict[str, list[str | None]]] = {}
    for path in sorted(sql_dir.glob("[0-9]*.sql")):
        for stmt in _statements(path.read_text(encoding="utf-8")):
            flat = " ".join(stmt.split())
            m = re.match(r"CREATE TABLE (?:IF NOT EXISTS )?(\S+) \((.*)\)(?: [^)]*)?$", flat, re.I | re.S)
            if m:
                cols = tables.setdefault(_name(m.group(1)), {})
                for item in _split_top(m.group(2)):
                    first = item.split()[0]
                    if first.upper() in _CONSTRAINT_START:
                        continue
                    cols[_name(first)] = [_type_of(item[len(first):]), None]
                continue
            m = re.match(r"ALTER TABLE (?:IF EXISTS )?(?:ONLY )?(\S+) (.*)$", flat, re.I | re.S)
            if m:
                cols = tables.setdefault(_name(m.group(1)), {})
                for action in _split_top(m.group(2)):
                    a = re.match(r"ADD (?:COLUMN )?(?:IF NOT EXISTS )?(\S+) (.*)$", action, re.I)
                    if a and a.group(1).upper() not in _CONSTRAINT_START:
                        cols.setdefault(_name(a.group(1)), [_type_of(a.group(2)), None])
                        continue
                    d = re.match(r"DROP (?:COLUMN )?(?:IF EXISTS )?(\S+)", action, re.I)
                    if d and d.group(1).upper() != "CONSTRAINT":
                        cols.pop(_name(d.group(1)), None)
                        continue
                    t = re.match(r"ALTER (?:COLUMN )?(\S+) (?:SET DATA )?TYPE (.*)$", action, re.I)
                    if t and _name(t.group(1)) in cols:
                        cols[_name(t.group(1))][0] = _type_of(t.group(2))
                        continue
                    r = re.match(r"RENAME (?:COLUMN )?(\S+) TO (\S+)", action, re.I)
                    if r and _name(r.group(1)) in cols:
                        cols[_name(r.group(2))] = cols.pop(_name(r.group(1)))
                continue
            m = re.match(r"COMMENT ON COLUMN (\S+)\.(\S+) IS '(.*)'$", flat, re.I | re.S)
            if m and _name(m.group(1)) in tables and _name(m.group(2)) in tables[_name(m.group(1))]:
                tables[_name(m.group(1))][_name(m.group(2))][1] = m.group(3).replace("''", "'")
    return tables


@functools.lru_cache(maxsize=1)
def _schemas() -> dict[str, dict[str, list[str | None]]]:
    from .migrate import SQL_DIR

    return _migrated_columns(SQL_DIR)


def table_schema(table: str) -> TableSchema:
    """The table's columns with their Postgres types and COMMENT ON COLUMN descriptions."""
    columns = _schemas().get(table)
    if not columns:
        raise KeyError(f"no CREATE TABLE {table} in the migrations")
    return TableSchema(
        columns=[TableColumn(name=name, type=type_, description=comment) for name, (type_, comment) in columns.items()]
    )




def declared_columns(table: str) -> dict[str, TableColumn]:
    """The table's columns by name as the migrations declare them ({} for a table they do not)."""
    return {c.name: c for c in table_schema(table).columns} if table in _schemas() else {}
