"""Numbered SQL migrations from ``sql/``, applied in order, each once.

All pending migrations run in one transaction under a transaction-scoped advisory lock, so two
processes that start at once serialize: the second waits, then finds nothing left to do. Each
applied file is recorded with a checksum; editing a file after it was applied is an error rather
than a silent divergence between databases (a correction names the texts it replaces in
``CORRECTED``). After applying anything, everything the migrations created is locked to the public
roles of a Supabase-shaped database (``storage/access.py``).
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


# Migrations corrected after release, with the checksums of the texts databases may have applied.
# 001, 003 and 004 as first written added columns to the app's social_accounts (and a view read
# one of them before it existed), and 009 created pg_trgm outside Supabase's extensions schema:
# they failed on, or changed, a user's own tables. A database that applied a first text is
# brought to the same state by 017; one that failed on it applies the corrected text.
CORRECTED = {
    1: frozenset({"477cc9a8ab74ac0581cbb9c0367a0bbed8bb4a5e5c6c49ad588952ee377a957f"}),
    3: frozenset({"0db9b17ede5279020ff7879bafdfa14f6678160074c5eea41940457b9fd9bcf3"}),
    4: frozenset({"398d60106a68f0b88bf973b93f80e1c82450a23c42acd3a78321652f0324cf10"}),
    9: frozenset({"c9e67b96fabc9ebb85c24da7a45bf1494b1751b2c16b2ce761c61c5076e2288f"}),
}


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
                if applied[m.version] != m.checksum and applied[m.version] not in CORRECTED.get(m.version, ()):
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
        if done:
            # Everything the migrations created is closed to a Supabase project's public roles
            # (storage/access.py); run when something changed, as it takes table locks.
            from .access import lock

            lock(conn)
    return done
