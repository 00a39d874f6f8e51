"""Today's Dagster conventions, held: table name and Postgres column schema (with descriptions) on every
table asset, freshness on the daily and hourly assets, real owners, storage naming no asset or platform,
and `dg check defs` passing."""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey

from social_pipeline.assets.common import DEFAULT_OWNER, OWNER_ENV, asset_owners
from social_pipeline.definitions import defs
from social_pipeline.storage.io_manager import META_KEY
from social_pipeline.storage.schema import _migrated_columns, table_schema

REPO = Path(__file__).resolve().parents[1]

# Postgres type names as the migrations spell them (with length/precision and array suffixes).
PG_TYPE = re.compile(
    r"^(SMALLINT|INTEGER|INT|BIGINT|NUMERIC|DECIMAL|REAL|DOUBLE PRECISION|BOOLEAN|TEXT|VARCHAR|CHAR|"
    r"CHARACTER VARYING|DATE|TIME|TIMESTAMP|TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE|INTERVAL|UUID|JSONB|JSON|BYTEA|INET)"
    r"(\(\d+(,\d+)?\))?(\[\])?$"
)
PANDAS_DTYPE = re.compile(r"^(object|int64|float64|bool|datetime64.*|string|Int64|Float64|boolean)$")


def _specs():
    graph = defs.resolve_asset_graph()
    return {key: graph.get(key) for key in graph.get_all_asset_keys()}


def _table_assets():
    return {
        key: node
        for key, node in _specs().items()
        if "postgres" in (node.kinds or set())
    }


def test_every_table_asset_names_its_table_and_has_a_postgres_column_schema_with_descriptions():
    tables = _table_assets()
    assert len(tables) >= 20  # nine raw pulls + the normalized, analytics and operations tables
    for key, node in tables.items():
        meta = node.metadata
        name = key.to_user_string()
        assert "dagster/table_name" in meta, name
        schema = meta["dagster/column_schema"]
        schema = getattr(schema, "schema", schema)
        assert schema.columns, name
        for column in schema.columns:
            assert PG_TYPE.match(column.type), (name, column.name, column.type)
            assert not PANDAS_DTYPE.match(column.type), (name, column.name, column.type)
            assert column.description and column.description.strip(), (name, column.name)


def test_column_types_and_comments_come_from_the_migrations():
    schema = {c.name: c for c in table_schema("social_post_metrics").columns}
    assert schema["engagement_rate"].type == "DECIMAL(5,2)"
    assert schema["views_method"].type == "VARCHAR(40)"  # added by ALTER TABLE in 010
    assert schema["snapshot_date"].type == "DATE"
    hashtags = {c.name: c for c in table_schema("social_posts_analytics").columns}
    assert hashtags["hashtags"].type == "TEXT[]"
    assert "'" not in hashtags["caption"].description or "''" not in hashtags["caption"].description


def test_migration_parser_follows_add_drop_alter_rename_and_comments(tmp_path):
    (tmp_path / "001_a.sql").write_text(
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (\n  id BIGSERIAL PRIMARY KEY,\n  n NUMERIC(14, 6) NOT NULL DEFAULT 0 CHECK (n >= 0),\n"
        "  s VARCHAR(20),\n  gone TEXT,\n  CONSTRAINT t_key UNIQUE (s)\n);\n"
        "COMMENT ON COLUMN t.s IS 'It''s a name; with -- dashes.';\n"
    )
    (tmp_path / "002_b.sql").write_text(
        "ALTER TABLE t ADD COLUMN IF NOT EXISTS tags TEXT[], DROP COLUMN gone;\n"
        "ALTER TABLE t ALTER COLUMN s TYPE TEXT;\nALTER TABLE t RENAME COLUMN n TO amount;\n"
    )
    cols = _migrated_columns(tmp_path)["t"]
    assert cols == {
        "id": ["BIGINT", None],
        "amount": ["NUMERIC(14,6)", None],
        "s": ["TEXT", "It's a name; with -- dashes."],
        "tags": ["TEXT[]", None],
    }


def test_the_storage_spec_is_private_and_the_table_is_named_in_the_dagster_key():
    node = _specs()[AssetKey("social_post_metrics")]
    assert node.metadata["dagster/table_name"] == "social_post_metrics"
    assert META_KEY.startswith("social_pipeline/")
    # One vocabulary: no bare "table" key in definition metadata next to dagster/table_name.
    for key, node in _table_assets().items():
        assert "table" not in node.metadata, key.to_user_string()


def test_daily_and_hourly_assets_have_cron_freshness_policies():
    for key, node in _specs().items():
        policy = node.freshness_policy
        assert policy is not None, key.to_user_string()
        cron = policy.deadline_cron
        if key == AssetKey("social_post_metrics_hourly"):
            assert cron.split()[1:] == ["*", "*", "*", "*"], cron  # every hour
        else:
            minute, hour, *rest = cron.split()
            assert rest == ["*", "*", "*"] and hour != "*", (key.to_user_string(), cron)


def test_owners_are_real_and_configurable(monkeypatch):
    for key, node in _specs().items():
        assert node.owners, key.to_user_string()
        assert "team:data-platform" not in node.owners  # the old placeholder
        for owner in node.owners:
            assert owner.startswith("team:") or "@" in owner
    monkeypatch.delenv(OWNER_ENV, raising=False)
    assert asset_owners() == [DEFAULT_OWNER]
    monkeypatch.setenv(OWNER_ENV, "data@example.org, team:analytics")
    assert asset_owners() == ["data@example.org", "team:analytics"]
    monkeypatch.setenv(OWNER_ENV, "somebody")
    with pytest.raises(ValueError, match=OWNER_ENV):
        asset_owners()


def test_storage_imports_no_lineage_assets_or_platforms():
    forbidden = ("lineage", "assets", "platforms", "ingest")
    for path in sorted((REPO / "social_pipeline" / "storage").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                parts = module.split(".")
                if node.level >= 2:  # from ..x import y
                    assert parts[0] not in forbidden, (path.name, module)
                    if not module:
                        assert not {a.name for a in node.names} & set(forbidden), path.name
                if module.startswith("social_pipeline."):
                    assert parts[1] not in forbidden, (path.name, module)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == "social_pipeline" and len(parts) > 1:
                        assert parts[1] not in forbidden, (path.name, alias.name)


def test_lineage_is_declared_on_the_assets_and_carried_to_the_io_manager():
    node = _specs()[AssetKey("social_post_metrics")]
    declared = node.metadata["social_pipeline/column_lineage"]
    declared = getattr(declared, "data", getattr(declared, "value", declared))
    assert ["raw/tiktok", "payload"] in declared["views_count"]


def test_dg_check_defs_passes(tmp_path):
    dg = shutil.which("dg", path=str(Path(sys.executable).parent)) or shutil.which("dg")
    if dg is None:
        pytest.skip("dg is not installed")
    (tmp_path / "dagster.yaml").write_text("")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    result = subprocess.run([dg, "check", "defs"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All definitions loaded successfully" in result.stdout + result.stderr


def test_schema_read_from_the_migrations_matches_the_migrated_database(conn):
    """The definition-time schema (parsed from sql/*.sql) against information_schema and the comments
    of a database the migrations built: same columns, same types, same descriptions."""
    for key, node in _table_assets().items():
        table = node.metadata["dagster/table_name"]
        table = getattr(table, "value", table)
        rows = conn.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum) "
            "FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
            (table,),
        ).fetchall()
        in_db = {name: (pg_type, comment) for name, pg_type, comment in rows}
        declared = {c.name: c for c in table_schema(table).columns}
        assert set(declared) == set(in_db), table
        for name, column in declared.items():
            assert column.description == in_db[name][1], (table, name)
            assert _same_type(column.type, in_db[name][0]), (table, name, column.type, in_db[name][0])


_ALIASES = {"DECIMAL": "NUMERIC", "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE", "TIMESTAMP": "TIMESTAMP WITHOUT TIME ZONE",
            "VARCHAR": "CHARACTER VARYING", "INT": "INTEGER", "TEXT[]": "TEXT[]"}


def _same_type(declared: str, formatted: str) -> bool:
    m = re.match(r"^([A-Z ]+?)(\(.*\))?(\[\])?$", declared)
    base, args, array = m.group(1), m.group(2) or "", m.group(3) or ""
    expected = f"{_ALIASES.get(base, base)}{args}{array}".replace(" ", "").upper()
    return formatted.replace(" ", "").upper() == expected
