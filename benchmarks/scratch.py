"""A throwaway database for a benchmark: on ``$SOCIAL_PIPELINE_DATABASE_URL``'s server when set,
else on an embedded PostgreSQL in a temporary folder; migrated (unless asked not to), and dropped
afterwards."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from social_pipeline.storage.database import URL_ENV, normalize_url
from social_pipeline.storage.migrate import migrate


@contextmanager
def scratch_database(prefix: str = "sp_bench", *, migrated: bool = True) -> Iterator[str]:
    server = None
    if os.environ.get(URL_ENV):
        admin_url = normalize_url(os.environ[URL_ENV])
    else:
        from social_pipeline.storage.database import start_embedded

        server = start_embedded(Path(tempfile.mkdtemp(prefix=f"{prefix}_")) / "pgdata", "delete")
        admin_url = server.get_uri()
    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = urlunsplit(urlsplit(admin_url)._replace(path="/" + name))
    try:
        if migrated:
            with psycopg.connect(url) as conn:
                migrate(conn)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if server is not None:
            server.cleanup()
