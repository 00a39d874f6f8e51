"""Migrations: from empty, re-applied, raced by two processes, guarded against edits; and the
schema holds every table and column the specification names."""

import threading

import psycopg
import pytest

from social_pipeline.storage.migrate import LEDGER, MigrationError, discover, migrate

# Every table and column the specification names, with the type it gives.
SPEC_COLUMNS = {
    "social_analytics_config": {
        "social_account_id": "uuid", "monitoring_enabled": "boolean", "fetch_frequency": "interval",
        "last_fetched_at": "timestamp without time zone", "posts_per_fetch": "integer",
        "provider_name": "character varying",
    },
    "social_analytics_snapshots": {
        "social_account_id": "uuid", "snapshot_date": "date", "followers_count": "integer",
        "following_count": "integer", "posts_count": "integer", "total_likes": "bigint",
        "total_comments": "bigint", "total_views": "bigint", "total_shares": "bigint",
        "subscribers_count": "integer", "pins_count": "integer", "retweets_count": "bigint",
        "watch_time_minutes": "bigint", "engagement_rate": "numeric", "follower_growth": "integer",
    },
    "social_posts_analytics": {
        "social_account_id": "uuid", "external_post_id": "character varying", "platform": "character varying",
        "post_url": "text", "caption": "text", "title": "character varying", "media_type": "character varying",
        "media_url": "text", "duration": "integer", "video_id": "uuid", "clip_id": "uuid",
        "posted_at": "timestamp without time zone",
    },
    "social_post_metrics": {
        "post_id": "integer", "snapshot_date": "date", "snapshot_hour": "integer", "likes_count": "bigint",
        "comments_count": "bigint", "views_count": "bigint", "shares_count": "bigint", "saves_count": "bigint",
        "watch_time_seconds": "bigint", "completion_rate": "numeric", "impressions": "bigint",
        "reach": "bigint", "engagement_rate": "numeric",
    },
    "social_hashtags": {
        "hashtag": "character varying", "total_uses": "bigint", "total_views": "bigint",
        "avg_engagement_rate": "numeric",
    },
    "social_post_hashtags": {"post_id": "integer", "hashtag_id": "integer", "position": "integer"},
    "social_comments": {
        "post_id": "integer", "external_comment_id": "character varying", "comment_text": "text",
        "author_username": "character varying", "parent_comment_id": "integer", "is_reply": "boolean",
        "likes_count": "integer", "is_creator_reply": "boolean", "sentiment": "character varying",
        "sentiment_score": "numeric",
    },
    "social_audience_demographics": {
        "social_account_id": "uuid", "snapshot_date": "date", "age_13_17": "numeric", "age_18_24": "numeric",
        "age_25_34": "numeric", "age_35_44": "numeric", "age_45_plus": "numeric", "gender_male": "numeric",
        "gender_female": "numeric", "top_countries": "jsonb", "top_cities": "jsonb", "top_languages": "jsonb",
        "peak_hours": "jsonb", "peak_days": "jsonb",
    },
    "social_api_usage": {
        "provider_name": "character varying", "platform": "character varying", "endpoint": "character varying",
        "request_count": "integer", "success": "boolean", "latency_ms": "integer", "date": "date",
    },
    "social_fetch_jobs": {
        "social_account_id": "uuid", "job_type": "character varying", "status": "character varying",
        "posts_fetched": "integer", "comments_fetched": "integer", "error_message": "text",
        "started_at": "timestamp without time zone", "completed_at": "timestamp without time zone",
    },
    "social_raw_pulls": {"platform": "character varying", "social_account_id": "uuid", "partition_date": "date",
                         "endpoint": "character varying", "payload": "jsonb", "fetched_at": "timestamp with time zone"},
    "social_content_mappings": {"post_url": "text", "video_id": "uuid", "clip_id": "uuid", "post_id": "integer"},
    "social_accounts": {"id": "uuid", "platform": "character varying", "handle": "character varying",
                        "access_token": "text"},
    "videos": {"id": "uuid"},
    "clips": {"id": "uuid"},
}
SPEC_DECIMAL_5_2 = [
    ("social_analytics_snapshots", "engagement_rate"), ("social_post_metrics", "completion_rate"),
    ("social_hashtags", "avg_engagement_rate"), ("social_audience_demographics", "age_18_24"),
]


def _columns(conn, table):
    return dict(
        conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s",
            (table,),
        ).fetchall()
    )


def test_migrations_from_empty_then_noop(empty_db_url):
    with psycopg.connect(empty_db_url) as conn:
        applied = migrate(conn)
        assert applied == [m.name for m in discover()]
        assert migrate(conn) == []
        ledger = conn.execute(f'SELECT version, name FROM "{LEDGER}" ORDER BY version').fetchall()
    assert [name for _, name in ledger] == applied


def test_schema_has_every_specified_table_and_column(db_url):
    with psycopg.connect(db_url) as conn:
        for table, expected in SPEC_COLUMNS.items():
            actual = _columns(conn, table)
            assert actual, f"missing table {table}"
            for column, typ in expected.items():
                assert actual.get(column) == typ, f"{table}.{column}: {actual.get(column)} != {typ}"
        for table, column in SPEC_DECIMAL_5_2:
            precision = conn.execute(
                "SELECT numeric_precision, numeric_scale FROM information_schema.columns "
                "WHERE table_name = %s AND column_name = %s",
                (table, column),
            ).fetchone()
            assert precision == (5, 2)
        views = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.views WHERE table_schema='public'")}
        assert {"social_analytics_latest", "social_post_performance"} <= views
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema='public' "
            "AND table_type='BASE TABLE' AND table_name LIKE 'social\\_%%' AND table_name <> 'social_accounts' "
            "AND table_name NOT IN ('social_pipeline_migrations', 'social_account_profiles', 'social_account_credentials', "
            "'social_post_latest_metrics', 'social_account_view_medians', 'social_hashtag_post_days', "
            "'social_hashtag_daily', 'social_hashtag_accounts', 'social_hashtag_platforms', "
            "'social_hashtag_weekly', 'social_hashtag_account_weeks', 'social_platform_post_days', "
            "'social_comment_sentiment_daily', 'social_comment_sentiment_pending')")]  # ours, not the spec's
        assert len(tables) == 12, sorted(tables)


def test_existing_publishing_tables_are_extended_not_clobbered(empty_db_url):
    with psycopg.connect(empty_db_url) as conn:
        conn.execute("CREATE TABLE social_accounts (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), "
                     "platform VARCHAR(50), handle VARCHAR(255), access_token TEXT, team TEXT, "
                     "display_name TEXT, external_account_id TEXT, is_active BOOLEAN DEFAULT TRUE)")
        conn.execute("INSERT INTO social_accounts (platform, handle, team) VALUES ('tiktok', 'existing', 'growth')")
        conn.commit()
        migrate(conn)
        row = conn.execute("SELECT handle, team FROM social_accounts").fetchone()
    assert row == ("existing", "growth")


def test_concurrent_migrations_apply_once(empty_db_url):
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            with psycopg.connect(empty_db_url) as conn:
                barrier.wait()
                results.append(migrate(conn))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(len(r) for r in results) == [0, len(discover())]
    with psycopg.connect(empty_db_url) as conn:
        assert conn.execute(f'SELECT count(*) FROM "{LEDGER}"').fetchone()[0] == len(discover())


def test_edited_migration_is_refused(empty_db_url, tmp_path):
    (tmp_path / "001_first.sql").write_text("CREATE TABLE t1 (id INT);")
    with psycopg.connect(empty_db_url) as conn:
        assert migrate(conn, tmp_path) == ["001_first.sql"]
        (tmp_path / "001_first.sql").write_text("CREATE TABLE t1 (id BIGINT);")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            migrate(conn, tmp_path)


def test_failed_migration_rolls_back_entirely(empty_db_url, tmp_path):
    (tmp_path / "001_ok.sql").write_text("CREATE TABLE good (id INT);")
    (tmp_path / "002_bad.sql").write_text("CREATE TABLE bad (id INT); SELECT no_such_function();")
    with psycopg.connect(empty_db_url) as conn:
        with pytest.raises(psycopg.Error):
            migrate(conn, tmp_path)
        conn.rollback()
        assert conn.execute("SELECT to_regclass('good'), to_regclass('bad')").fetchone() == (None, None)
