"""Numbered SQL migrations from ``sql/``, applied in order, each once.

All pending migrations run in one transaction under a transaction-scoped advisory lock, so two
processes that start at once serialize: the second waits, then finds nothing left to do. Each
applied file is recorded with a checksum; editing a file after it was applied is an error rather
than a silent divergence between databases.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
LEDGER = "social_pipeline_migrations"
# An arbitrary constant that identifies this project's migration lock among advisory locks.
LOCK_KEY = 7_402_211_905_331_447
_NAME = re.compile(r"^(\d{3,})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def discover(sql_dir: Path = SQL_DIR) -> list[Migration]:
    found: dict[int, Migration] = {}
    for path in sorted(sql_dir.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name must look like 001_name.sql: {path.name}")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migrations share version {version}: {found[version].name}, {path.name}")
        found[version] = Migration(version, path.name, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def migrate(conn: psycopg.Connection, sql_dir: Path = SQL_DIR) -> list[str]:
    """Apply pending migrations on ``conn`` and commit. Returns the names applied."""
    migrations = discover(sql_dir)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        conn.execute(
            f'CREATE TABLE IF NOT EXISTS "{LEDGER}" ('
            " version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL,"
            " checksum TEXT NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        applied = {v: c for v, c in conn.execute(f'SELECT version, checksum FROM "{LEDGER}"').fetchall()}
        done: list[str] = []
        for m in migrations:
            if m.version in applied:
                if applied[m.version] != m.checksum:
                    raise MigrationError(
                        f"{m.name} changed after it was applied; add a new migration instead of editing it"
                    )
                continue
            conn.execute(m.sql)
            conn.execute(
                f'INSERT INTO "{LEDGER}" (version, name, checksum) VALUES (%s, %s, %s)',
                (m.version, m.name, m.checksum),
            )
            done.append(m.name)
    return done
