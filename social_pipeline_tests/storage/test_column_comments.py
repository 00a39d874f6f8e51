"""Every table, view and column we create is described (COMMENT ON), so psql's \\d+ and the
Dagster UI's column schema explain it; the app's own tables keep no comment of ours."""

# Our relations: tables, views, materialized views, partitioned and foreign tables in schema
# public whose name starts with "social_", except the app's social_accounts.
_OURS = r"""
SELECT c.oid, c.relname, c.relkind
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND c.relname LIKE 'social\_%' AND c.relname <> 'social_accounts'
ORDER BY c.relname
"""
_COLUMNS = """
SELECT a.attname, col_description(a.attrelid, a.attnum)
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
APP_TABLES = ("social_accounts", "videos", "clips")


def _blank(text) -> bool:
    return text is None or not text.strip()


def test_every_table_view_and_column_of_ours_is_commented(conn):
    relations = conn.execute(_OURS).fetchall()
    names = {name for _, name, _ in relations}
    # The set is what the migrations create: the specification's tables and views at least.
    assert {"social_analytics_snapshots", "social_posts_analytics", "social_analytics_latest",
            "social_post_performance", "social_raw_pulls"} <= names

    missing_relations, missing_columns, columns = [], [], 0
    for oid, name, kind in relations:
        if _blank(conn.execute("SELECT obj_description(%s, 'pg_class')", (oid,)).fetchone()[0]):
            missing_relations.append(f"{name} ({'view' if kind in 'vm' else 'table'})")
        for column, comment in conn.execute(_COLUMNS, (oid,)).fetchall():
            columns += 1
            if _blank(comment):
                missing_columns.append(f"{name}.{column}")
    assert not missing_relations and not missing_columns, (
        f"tables/views without COMMENT: {missing_relations}; "
        f"{len(missing_columns)} of {columns} columns without COMMENT: {missing_columns}"
    )


def test_the_apps_tables_get_no_comment_of_ours(conn):
    for table in APP_TABLES:
        oid = conn.execute("SELECT to_regclass(%s)::oid", (f"public.{table}",)).fetchone()[0]
        assert oid is not None, f"{table} missing"
        assert conn.execute("SELECT obj_description(%s, 'pg_class')", (oid,)).fetchone()[0] is None, table
        commented = [column for column, comment in conn.execute(_COLUMNS, (oid,)).fetchall() if comment is not None]
        assert not commented, f"{table} columns commented: {commented}"


def test_comments_state_units_and_null_meaning_where_it_matters(conn):
    """A few comments a reader relies on: the scope of account totals, units, NULL semantics."""

    def comment(table, column):
        return conn.execute(
            "SELECT col_description(%s::regclass, (SELECT attnum FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = %s))",
            (table, table, column),
        ).fetchone()[0]

    for total in ("total_likes", "total_comments", "total_views", "total_shares"):
        text = comment("social_analytics_snapshots", total).lower()
        assert "lifetime" in text and "posts we track" in text and "null" in text, (total, text)
    assert "posts we track" in comment("social_analytics_snapshots", "posts_count")
    assert "seconds" in comment("social_post_metrics", "watch_time_seconds")
    assert "percent 0-100" in comment("social_post_metrics", "completion_rate").lower()
    assert "never 0" in comment("social_comments", "likes_count")
    assert "US dollars" in comment("social_raw_pulls", "cost_usd")
    # Migration 010's own comments are kept as written.
    assert comment("social_post_metrics", "engaged_views").startswith("YouTube Analytics engagedViews")
