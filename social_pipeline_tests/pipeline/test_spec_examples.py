"""Every SQL example of the specification's "Usage Examples", run as written once its placeholder
ids are replaced by real ones, on a database the pipeline has filled for yesterday."""

from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from social_pipeline_tests.pipeline.helpers import run_day, seed

YESTERDAY = datetime.now(timezone.utc).date() - timedelta(days=1)


@pytest.fixture(scope="module")
def pipeline_db(module_db_url):
    """Yesterday materialized once for the module."""
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        seed(conn)
    assert run_day(YESTERDAY).success
    return module_db_url


@pytest.fixture
def filled(pipeline_db):
    """A connection whose changes are rolled back after the test, and a TikTok account of the
    user's own publishing table that is not monitored yet (Example 1 sets it up)."""
    with psycopg.connect(pipeline_db) as conn:
        account = conn.execute(
            "INSERT INTO social_accounts (platform, handle) VALUES ('tiktok', 'isaiah_dupree') RETURNING id::text"
        ).fetchone()[0]
        yield conn, account
        conn.rollback()


def test_example_1_set_up_monitoring(filled):
    conn, account = filled
    rows = conn.execute("SELECT id, handle, platform FROM social_accounts \nWHERE platform = 'tiktok';").fetchall()
    assert {r[1] for r in rows} == {"demo.creator", "isaiah_dupree"}
    conn.execute(f"""
INSERT INTO social_analytics_config (
    social_account_id,
    monitoring_enabled,
    fetch_frequency,
    posts_per_fetch,
    provider_name
) VALUES (
    '{account}',
    TRUE,
    '24 hours',
    50,
    'rapidapi_tiktok'
);""")
    row = conn.execute(
        "SELECT monitoring_enabled, fetch_frequency, posts_per_fetch, provider_name FROM social_analytics_config "
        "WHERE social_account_id = %s", (account,)
    ).fetchone()
    assert row == (True, timedelta(hours=24), 50, "rapidapi_tiktok")
    # The short form from the configuration section works too (defaults fill the rest).
    other = conn.execute("INSERT INTO social_accounts (platform, handle) VALUES ('tiktok', 'second') RETURNING id::text").fetchone()[0]
    conn.execute(f"INSERT INTO social_analytics_config (social_account_id, monitoring_enabled, provider_name) "
                 f"VALUES ('{other}', TRUE, 'rapidapi_tiktok');")
    assert conn.execute("SELECT posts_per_fetch FROM social_analytics_config WHERE social_account_id = %s", (other,)).fetchone() == (50,)


def test_example_2_save_daily_snapshot(filled):
    conn, account = filled
    conn.execute(f"""
INSERT INTO social_analytics_snapshots (
    social_account_id,
    snapshot_date,
    followers_count,
    total_views,
    total_likes,
    engagement_rate
) VALUES (
    '{account}',
    CURRENT_DATE,
    1500,
    32092,
    4043,
    12.60
);""")
    row = conn.execute("SELECT followers_count, total_views, total_likes, engagement_rate::text FROM social_analytics_snapshots "
                       "WHERE social_account_id = %s AND snapshot_date = CURRENT_DATE", (account,)).fetchone()
    assert row == (1500, 32092, 4043, "12.60")


def test_examples_3_and_4_track_and_link_a_post(filled):
    conn, account = filled
    post_id = conn.execute(f"""
INSERT INTO social_posts_analytics (
    social_account_id,
    external_post_id,
    platform,
    post_url,
    caption,
    media_type,
    duration,
    posted_at
) VALUES (
    '{account}',
    '7574994077389786382',
    'tiktok',
    'https://www.tiktok.com/@isaiah_dupree/video/7574994077389786382',
    'Test post from MediaPoster',
    'video',
    17,
    '2024-11-20 15:00:00'
) RETURNING id;""").fetchone()[0]
    conn.execute(f"""
INSERT INTO social_post_metrics (
    post_id,
    snapshot_date,
    likes_count,
    views_count,
    comments_count
) VALUES (
    {post_id}, -- post_id from above
    CURRENT_DATE,
    86,
    2,
    0
);""")
    found = conn.execute("SELECT id, post_url FROM social_posts_analytics\nWHERE post_url LIKE '%7574994077389786382%';").fetchall()
    assert found == [(post_id, "https://www.tiktok.com/@isaiah_dupree/video/7574994077389786382")]
    video = conn.execute("INSERT INTO videos (title) VALUES ('Launch video') RETURNING id::text").fetchone()[0]
    clip = conn.execute("INSERT INTO clips (video_id, title) VALUES (%s, 'Hook') RETURNING id::text", (video,)).fetchone()[0]
    conn.execute(f"""
UPDATE social_posts_analytics
SET video_id = '{video}',
    clip_id = '{clip}'
WHERE id = {post_id};""")
    perf = conn.execute(
        "SELECT account_username, current_views, current_likes, current_comments, video_id::text "
        "FROM social_post_performance WHERE post_id = %s", (post_id,)
    ).fetchone()
    assert perf == ("isaiah_dupree", 2, 86, 0, video)


def test_example_5_query_analytics(filled):
    conn, _ = filled
    latest = conn.execute("""
SELECT 
    username,
    platform,
    followers_count,
    engagement_rate,
    follower_growth
FROM social_analytics_latest
WHERE monitoring_enabled = TRUE
ORDER BY followers_count DESC;""").fetchall()
    assert len(latest) == 9
    assert all(r[2] is not None and r[2] > 0 for r in latest)
    assert [r[2] for r in latest] == sorted((r[2] for r in latest), reverse=True)

    top = conn.execute("""
SELECT 
    account_username,
    caption,
    current_views,
    current_likes,
    engagement_rate,
    post_url
FROM social_post_performance
WHERE posted_at >= CURRENT_DATE - INTERVAL '7 days'
ORDER BY current_views DESC
LIMIT 10;""").fetchall()
    assert 0 < len(top) <= 10
    assert all(r[5] and r[5].startswith("https://") for r in top)
    views = [r[2] for r in top if r[2] is not None]
    assert views == sorted(views, reverse=True)

    post_id = conn.execute(
        "SELECT post_id FROM social_post_performance WHERE platform = 'tiktok' ORDER BY current_views DESC LIMIT 1"
    ).fetchone()[0]
    growth = conn.execute(f"""
SELECT 
    snapshot_date,
    views_count,
    likes_count,
    engagement_rate
FROM social_post_metrics
WHERE post_id = {post_id}
ORDER BY snapshot_date;""").fetchall()
    assert growth and growth[-1][0] == YESTERDAY and growth[-1][1] > 0

    tables = conn.execute("""
SELECT table_name 
FROM information_schema.tables 
WHERE table_name LIKE 'social_%'
ORDER BY table_name;""").fetchall()
    names = {t[0] for t in tables}
    assert {"social_analytics_latest", "social_post_performance", "social_raw_pulls", "social_content_mappings"} <= names


def test_views_do_not_expose_tokens(filled):
    conn, _ = filled
    for view in ("social_analytics_latest", "social_post_performance"):
        cols = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (view,))}
        assert not {"access_token", "refresh_token"} & cols
