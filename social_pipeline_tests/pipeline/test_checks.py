"""The data-quality checks: all pass on a clean demo day, and a corrupted row fails the right one."""

from datetime import date

import psycopg
import pytest

from social_pipeline.checks import RULES, evaluate
from social_pipeline_tests.pipeline.helpers import run_day, seed

DAY = date(2026, 11, 20)
RULE = {(r.asset, r.name): r for r in RULES}


@pytest.fixture(scope="module")
def day_db(module_db_url):
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        seed(conn, posts_per_fetch=6)
    result = run_day(DAY)
    assert result.success
    return module_db_url, result


def test_every_table_has_checks_and_all_pass_on_a_clean_day(day_db):
    _, result = day_db
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    tables = {r.asset for r in RULES}
    assert tables == {
        "social_posts_analytics", "social_post_metrics", "social_analytics_snapshots", "social_comments",
        "social_hashtags", "social_post_hashtags", "social_audience_demographics", "social_api_usage",
        "social_fetch_jobs", "social_content_mappings",
    }
    for rule in RULES:
        assert evaluations.get((rule.asset, rule.name)) is True, rule.name
    assert all(evaluations.values()), [k for k, v in evaluations.items() if not v]


def _fails(conn, asset, name):
    return not evaluate(conn, RULE[(asset, name)], DAY).passed


@pytest.fixture
def conn(day_db):
    with psycopg.connect(day_db[0]) as connection:
        yield connection
        connection.rollback()


def test_follower_spike_is_flagged(conn):
    assert not _fails(conn, "social_analytics_snapshots", "no_follower_spike_or_drop")
    conn.execute("UPDATE social_analytics_snapshots SET follower_growth = followers_count / 2 WHERE snapshot_date = %s", (DAY,))
    assert _fails(conn, "social_analytics_snapshots", "no_follower_spike_or_drop")


def test_missing_day_is_flagged(conn):
    account = conn.execute("SELECT social_account_id FROM social_analytics_snapshots LIMIT 1").fetchone()[0]
    conn.execute("INSERT INTO social_analytics_snapshots (social_account_id, snapshot_date, followers_count) "
                 "VALUES (%s, %s, 10)", (account, date(2026, 11, 17)))
    assert _fails(conn, "social_analytics_snapshots", "no_missing_days")


def test_reply_threaded_to_another_posts_comment_fails(conn):
    assert not _fails(conn, "social_comments", "replies_threaded_on_their_post")
    reply, post = conn.execute("SELECT id, post_id FROM social_comments WHERE is_reply LIMIT 1").fetchone()
    other = conn.execute("SELECT id FROM social_comments WHERE post_id <> %s LIMIT 1", (post,)).fetchone()[0]
    conn.execute("UPDATE social_comments SET parent_comment_id = %s WHERE id = %s", (other, reply))
    assert _fails(conn, "social_comments", "replies_threaded_on_their_post")


def test_duplicate_natural_key_fails_where_the_constraint_is_missing(conn):
    assert not _fails(conn, "social_posts_analytics", "natural_key_unique")
    conn.execute("ALTER TABLE social_posts_analytics DROP CONSTRAINT social_posts_analytics_account_external_key")
    conn.execute("INSERT INTO social_posts_analytics (social_account_id, external_post_id, platform) "
                 "SELECT social_account_id, external_post_id, platform FROM social_posts_analytics LIMIT 1")
    assert _fails(conn, "social_posts_analytics", "natural_key_unique")


def test_negative_count_fails_where_the_constraint_is_missing(conn):
    conn.execute("ALTER TABLE social_post_metrics DROP CONSTRAINT social_post_metrics_likes_count_check")
    conn.execute("UPDATE social_post_metrics SET likes_count = -1 WHERE id = (SELECT min(id) FROM social_post_metrics)")
    assert _fails(conn, "social_post_metrics", "counts_non_negative")


def test_views_going_down_and_rates_out_of_bounds(conn):
    # A post with no counting method of its own (not YouTube's): the inserted day has none either.
    post = conn.execute("SELECT post_id, views_count FROM social_post_metrics WHERE snapshot_date = %s "
                        "AND views_count > 10 AND views_method IS NULL ORDER BY post_id LIMIT 1", (DAY,)).fetchone()
    conn.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, views_count) VALUES (%s, %s, %s)",
                 (post[0], date(2026, 11, 19), post[1] + 1000))
    assert _fails(conn, "social_post_metrics", "views_do_not_decrease")
    conn.execute("ALTER TABLE social_post_metrics DROP CONSTRAINT social_post_metrics_completion_rate_check")
    conn.execute("UPDATE social_post_metrics SET completion_rate = 150 WHERE id = (SELECT min(id) FROM social_post_metrics)")
    assert _fails(conn, "social_post_metrics", "rates_within_bounds")


def test_a_change_of_views_method_is_not_a_decrease(conn):
    """YouTube counts views another way from 2026-08-27: a drop across the change is the method,
    not an error; the same drop under one method still fails."""
    post = conn.execute("SELECT post_id, views_count FROM social_post_metrics WHERE snapshot_date = %s "
                        "AND views_count > 10 LIMIT 1", (DAY,)).fetchone()
    conn.execute("UPDATE social_post_metrics SET views_method = 'youtube-2026-08-27' WHERE post_id = %s "
                 "AND snapshot_date = %s", (post[0], DAY))
    conn.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, views_count, views_method) "
                 "VALUES (%s, %s, %s, 'youtube-before-2026-08-27')", (post[0], date(2026, 11, 19), post[1] + 1000))
    assert not _fails(conn, "social_post_metrics", "views_do_not_decrease")
    conn.execute("UPDATE social_post_metrics SET views_method = 'youtube-2026-08-27' WHERE post_id = %s "
                 "AND snapshot_date = %s", (post[0], date(2026, 11, 19)))
    assert _fails(conn, "social_post_metrics", "views_do_not_decrease")


def test_hashtag_case_duplicate_and_demographic_sums(conn):
    conn.execute("INSERT INTO social_hashtags (hashtag) VALUES ('Café')")
    assert _fails(conn, "social_hashtags", "hashtag_unique_case_folded")
    conn.execute("UPDATE social_audience_demographics SET age_18_24 = age_18_24 + 30 WHERE snapshot_date = %s "
                 "AND age_13_17 IS NOT NULL AND age_45_plus IS NOT NULL", (DAY,))
    assert _fails(conn, "social_audience_demographics", "shares_add_up")


def test_failed_and_stuck_jobs(conn):
    conn.execute("UPDATE social_fetch_jobs SET status = 'failed', error_message = 'HTTP 401' "
                 "WHERE id = (SELECT min(id) FROM social_fetch_jobs)")
    assert _fails(conn, "social_fetch_jobs", "no_failed_jobs")
    conn.execute("UPDATE social_fetch_jobs SET status = 'running', created_at = now() - interval '3 hours' "
                 "WHERE id = (SELECT max(id) FROM social_fetch_jobs)")
    assert _fails(conn, "social_fetch_jobs", "no_stuck_jobs")


def test_mapping_pointing_at_another_platforms_post_fails(conn):
    post = conn.execute("SELECT id, external_post_id, post_url FROM social_posts_analytics WHERE platform = 'tiktok' LIMIT 1").fetchone()
    video = conn.execute("INSERT INTO videos (title) VALUES ('v') RETURNING id").fetchone()[0]
    conn.execute("INSERT INTO social_content_mappings (post_url, platform, external_post_id, post_id, video_id) "
                 "VALUES (%s, 'tiktok', %s, %s, %s)", (post[2], post[1], post[0], video))
    assert not _fails(conn, "social_content_mappings", "links_consistent")
    conn.execute("UPDATE social_content_mappings SET platform = 'youtube'")
    assert _fails(conn, "social_content_mappings", "links_consistent")
