"""Who may read and write what the migrations create.

A Supabase project serves its ``public`` schema over a REST API to two public roles, ``anon`` (the
anonymous key) and ``authenticated`` (any signed-in user), and grants them everything in
``public`` by default. Our tables would then be readable, writable and deletable with the public
key. So after the migrations run, everything we created is locked:

- row level security on every table of ours, with no policy for the public roles;
- every privilege on our tables, views, sequences and functions revoked from ``anon``,
  ``authenticated`` (where those roles exist) and ``PUBLIC``;
- every view ``security_invoker`` (PostgreSQL 15+), so a view reads with the rights of whoever
  queries it and never around the app's row level security on ``social_accounts``. On
  PostgreSQL 14 views run as their owner: they stay closed and are never opened.

The role the pipeline connects as (the owner, e.g. Supabase's ``postgres``) and ``service_role``
(which bypasses row level security) keep full access. The app's own tables are never touched.

``open_owner_reads`` is the opt-in for apps that read analytics from the browser: signed-in users
may read the rows of the accounts they own (``social_accounts.<owner column> = auth.uid()``),
through the analytics tables and the views built on them. The raw ledger (payloads), the request
ledger, the credentials and the migration ledger stay closed whatever the setting.
"""

from __future__ import annotations

import re
from pathlib import Path

from psycopg import sql

from .migrate import LEDGER, SQL_DIR

PUBLIC_ROLES = ("anon", "authenticated")
OWNER_ROLE = "authenticated"
POLICY = "social_pipeline_owner_reads"
# Tables a signed-in owner may read about their own accounts once opened.
OWNER_READABLE = (
    "social_analytics_config",
    "social_analytics_snapshots",
    "social_posts_analytics",
    "social_post_metrics",
    "social_comments",
    "social_audience_demographics",
    "social_post_hashtags",
    "social_account_profiles",
    "social_fetch_jobs",  # the status and error of the owner's own pulls (social_analytics_latest)
    "social_post_latest_metrics",  # the serving layer behind social_post_performance and the insight views
    "social_account_view_medians",
)
# Never opened: payloads, spend across accounts, secrets, the migration ledger.
ALWAYS_CLOSED = ("social_raw_pulls", "social_api_usage", "social_account_credentials", LEDGER)

_CREATED = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?P<kind>TABLE|VIEW|FUNCTION)\s+(?P<exists>IF\s+NOT\s+EXISTS\s+)?(?P<name>\w+)",
    re.IGNORECASE,
)


# ALTER ... RENAME TO gives an object a name no CREATE names.
_RENAMED = re.compile(r"\bALTER\s+(?P<kind>TABLE|VIEW|FUNCTION)\s+\w+(?:\([^)]*\))?\s+RENAME\s+TO\s+(?P<name>\w+)",
                      re.IGNORECASE)


class AccessError(RuntimeError):
    pass


def created_names(sql_dir: Path = SQL_DIR) -> dict[str, set[str]]:
    """Names the migrations create, by kind. ``CREATE TABLE IF NOT EXISTS`` (the app's tables of
    migration 001, which exist before us in a user's database) is not ours."""
    names: dict[str, set[str]] = {"table": {LEDGER}, "view": set(), "function": set()}
    for path in sorted(sql_dir.glob("*.sql")):
        for match in _CREATED.finditer(path.read_text(encoding="utf-8")):
            kind = match.group("kind").lower()
            if kind == "table" and match.group("exists"):
                continue
            names[kind].add(match.group("name").lower())
        for match in _RENAMED.finditer(path.read_text(encoding="utf-8")):
            names[match.group("kind").lower()].add(match.group("name").lower())
    return names


def our_relations(conn) -> list[tuple[str, str]]:
    """(kind, name) of everything of ours in the current schema: ``table``, ``view``,
    ``sequence`` (those our tables own) and ``function`` (its signature)."""
    names = created_names()
    rows = conn.execute(
        """
        -- relname is of type name (63 bytes): as text, so the union's column does not cut a long
        -- function signature down to 63 bytes.
        SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END, c.relname::text
        FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
          AND c.relname = ANY(%s)
        UNION ALL
        SELECT 'sequence', s.relname::text
        FROM pg_class s
        JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
        JOIN pg_class t ON t.oid = d.refobjid
        WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s)
        UNION ALL
        SELECT 'function', p.oid::regprocedure::text
        FROM pg_proc p
        WHERE p.pronamespace = current_schema()::regnamespace AND p.proname = ANY(%s)
        ORDER BY 1, 2
        """,
        (sorted(names["table"] | names["view"]), sorted(names["table"]), sorted(names["function"])),
    ).fetchall()
    return [(kind, name) for kind, name in rows]


def existing_roles(conn, wanted=PUBLIC_ROLES) -> list[str]:
    return [r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s) ORDER BY rolname", (list(wanted),))]


def server_version(conn) -> int:
    return int(conn.execute("SHOW server_version_num").fetchone()[0])


def _grantees(roles: list[str]) -> sql.Composable:
    return sql.SQL(", ").join([sql.SQL("PUBLIC"), *(sql.Identifier(r) for r in roles)])


def _object(kind: str, name: str) -> sql.Composable:
    if kind == "function":
        return sql.SQL("FUNCTION {}").format(sql.SQL(name))  # a regprocedure text: already quoted
    if kind == "sequence":
        return sql.SQL("SEQUENCE {}").format(sql.Identifier(name))
    return sql.SQL("TABLE {}").format(sql.Identifier(name))


def lock(conn) -> dict[str, int]:
    """Close everything of ours to the public roles (see the module docstring); re-open what
    ``open_owner_reads`` opened. Idempotent; runs in the caller's transaction."""
    roles = existing_roles(conn)
    invoker = server_version(conn) >= 150000
    counts = {"tables": 0, "views": 0, "sequences": 0, "functions": 0}
    for kind, name in our_relations(conn):
        if kind == "table":
            conn.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(sql.Identifier(name)))
        elif kind == "view" and invoker:
            conn.execute(sql.SQL("ALTER VIEW {} SET (security_invoker = true)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(_object(kind, name), _grantees(roles)))
        counts[kind + "s"] += 1
    if owner_reads_open(conn):
        _grant_owner_reads(conn)
    return counts


def owner_reads_open(conn) -> bool:
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
        "WHERE p.polname = %s AND c.relnamespace = current_schema()::regnamespace)",
        (POLICY,),
    ).fetchone()[0]


def _columns(conn, table: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s",
        (table,),
    )}


def _readable_views(conn, tables: set[str]) -> list[str]:
    """Our views that read only opened tables and the app's social_accounts (or other such views),
    and call none of our functions (which stay closed)."""
    views = {name for kind, name in our_relations(conn) if kind == "view"}
    calling = {r[0] for r in conn.execute(
        """
        SELECT DISTINCT v.relname
        FROM pg_rewrite r
        JOIN pg_class v ON v.oid = r.ev_class
        JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_proc'::regclass
        JOIN pg_proc f ON f.oid = d.refobjid
        WHERE v.relname = ANY(%s) AND f.pronamespace = current_schema()::regnamespace
        """,
        (sorted(views),),
    )}
    views -= calling
    uses: dict[str, set[str]] = {}
    for view, used in conn.execute(
        """
        SELECT DISTINCT v.relname, u.relname
        FROM pg_rewrite r
        JOIN pg_class v ON v.oid = r.ev_class
        JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
        JOIN pg_class u ON u.oid = d.refobjid AND u.oid <> v.oid
        WHERE v.relname = ANY(%s) AND v.relnamespace = current_schema()::regnamespace
        """,
        (sorted(views),),
    ):
        uses.setdefault(view, set()).add(used)
    allowed = set(tables) | {"social_accounts"}
    opened: set[str] = set()
    changed = True
    while changed:
        changed = False
        for view in views - opened:
            if uses.get(view, set()) <= allowed | opened:
                opened.add(view)
                changed = True
    return sorted(opened)


def _grant_owner_reads(conn) -> list[str]:
    tables = [t for t in OWNER_READABLE if conn.execute("SELECT to_regclass(%s)", (t,)).fetchone()[0]]
    granted = list(tables)
    for table in tables:
        conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(table), sql.Identifier(OWNER_ROLE)))
    if server_version(conn) >= 150000:
        for view in _readable_views(conn, set(tables)):
            conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(view), sql.Identifier(OWNER_ROLE)))
            granted.append(view)
    return granted


def open_owner_reads(conn, owner_column: str = "user_id") -> list[str]:
    """Let signed-in users read their own accounts' analytics: a SELECT policy for
    ``authenticated`` on each analytics table, matching rows whose account has
    ``social_accounts.<owner_column> = auth.uid()`` (the app's own row level security on
    social_accounts applies inside it too). Returns the tables and views opened."""
    if OWNER_ROLE not in existing_roles(conn, (OWNER_ROLE,)):
        raise AccessError(f"this database has no role {OWNER_ROLE!r}: there are no signed-in users to open reads to")
    if conn.execute("SELECT to_regprocedure('auth.uid()')").fetchone()[0] is None:
        raise AccessError("this database has no function auth.uid() (Supabase Auth): owner reads need it")
    if owner_column not in _columns(conn, "social_accounts"):
        raise AccessError(
            f"social_accounts has no column {owner_column!r} naming the account's owner; "
            "give the column that holds the owning user's id (--owner-column)"
        )
    owned = sql.SQL("SELECT a.id FROM social_accounts a WHERE a.{} = auth.uid()").format(sql.Identifier(owner_column))
    for table in OWNER_READABLE:
        if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
            continue
        columns = _columns(conn, table)
        if "social_account_id" in columns:
            using = sql.SQL("social_account_id IN ({})").format(owned)
        elif "post_id" in columns:
            using = sql.SQL("post_id IN (SELECT p.id FROM social_posts_analytics p WHERE p.social_account_id IN ({}))").format(owned)
        else:
            continue
        conn.execute(sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(POLICY), sql.Identifier(table)))
        conn.execute(sql.SQL("CREATE POLICY {} ON {} FOR SELECT TO {} USING ({})").format(
            sql.Identifier(POLICY), sql.Identifier(table), sql.Identifier(OWNER_ROLE), using))
    return _grant_owner_reads(conn)


def close_owner_reads(conn) -> int:
    """Undo ``open_owner_reads``; returns how many policies were dropped."""
    dropped = 0
    for (table,) in conn.execute(
        "SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
        "WHERE p.polname = %s AND c.relnamespace = current_schema()::regnamespace",
        (POLICY,),
    ).fetchall():
        conn.execute(sql.SQL("DROP POLICY {} ON {}").format(sql.Identifier(POLICY), sql.Identifier(table)))
        dropped += 1
    lock(conn)
    return dropped
