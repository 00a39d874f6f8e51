"""A backfill run over a range of days gives exactly what materializing each day alone gives."""

from datetime import date, timedelta

import psycopg
import pytest

from social_pipeline_tests.conftest import _create_db, _drop_db, with_dbname
from social_pipeline_tests.pipeline.helpers import run_day, seed

FIRST = date(2026, 10, 1)
DAYS = [FIRST + timedelta(days=i) for i in range(3)]
# Everything but ids and wall-clock times.
COMPARE = {
    "social_posts_analytics": "SELECT platform, external_post_id, caption, posted_at, first_seen_date, last_seen_date FROM social_posts_analytics",
    "social_post_metrics": "SELECT p.platform, p.external_post_id, m.snapshot_date, m.views_count, m.likes_count, m.engagement_rate FROM social_post_metrics m JOIN social_posts_analytics p ON p.id = m.post_id",
    "social_analytics_snapshots": "SELECT a.platform, s.snapshot_date, s.followers_count, s.total_views, s.engagement_rate, s.follower_growth FROM social_analytics_snapshots s JOIN social_accounts a ON a.id = s.social_account_id",
    "social_comments": "SELECT external_comment_id, comment_text, is_reply, sentiment, first_seen_date, last_seen_date FROM social_comments",
    "social_hashtags": "SELECT hashtag, total_uses, total_views, avg_engagement_rate, stats_date FROM social_hashtags",
    "social_audience_demographics": "SELECT a.platform, d.snapshot_date, d.age_18_24, d.peak_hours FROM social_audience_demographics d JOIN social_accounts a ON a.id = d.social_account_id",
    "social_fetch_jobs": "SELECT platform, partition_date, status, posts_fetched, comments_fetched FROM social_fetch_jobs",
    "social_api_usage_requests": "SELECT platform, endpoint, date, request_count, success FROM social_api_usage",
}


def _snapshot(url):
    with psycopg.connect(url) as conn:
        return {name: sorted(conn.execute(q).fetchall(), key=repr) for name, q in COMPARE.items()}


@pytest.fixture
def second_db(server_url, template_db):
    name = _create_db(server_url, template_db)
    yield with_dbname(server_url, name)
    _drop_db(server_url, name)


def test_range_run_equals_days_alone(db_url, conn, second_db, monkeypatch):
    seed(conn, posts_per_fetch=4)
    # One run over the whole range, as a backfill with the multi-day policy runs it.
    result = run_day(DAYS[0], tags={"dagster/asset_partition_range_start": DAYS[0].isoformat(),
                                    "dagster/asset_partition_range_end": DAYS[-1].isoformat()})
    assert result.success
    ranged = _snapshot(db_url)

    monkeypatch.setenv("SOCIAL_PIPELINE_DATABASE_URL", second_db)
    with psycopg.connect(second_db, autocommit=True) as other:
        # The same accounts with the same ids, so rows compare equal.
        for row in conn.execute("SELECT id, platform, handle, access_token FROM social_accounts").fetchall():
            other.execute("INSERT INTO social_accounts (id, platform, handle, access_token) VALUES (%s, %s, %s, %s)", row)
        for row in conn.execute("SELECT social_account_id, posts_per_fetch, provider_name FROM social_analytics_config").fetchall():
            other.execute("INSERT INTO social_analytics_config (social_account_id, posts_per_fetch, provider_name) "
                          "VALUES (%s, %s, %s)", row)
    for day in DAYS:
        assert run_day(day).success
    alone = _snapshot(second_db)
    for table in COMPARE:
        assert ranged[table] == alone[table], table
    assert {r[1] for r in ranged["social_analytics_snapshots"]} == set(DAYS)
    assert len(ranged["social_analytics_snapshots"]) == 9 * len(DAYS)
