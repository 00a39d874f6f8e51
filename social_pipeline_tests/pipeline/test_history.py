"""History that tells the truth (issue 14).

- The same days give the same rows whatever order and chunking they were loaded in: forward,
  reverse, reverse 7-day chunks, and forward with a one-account run (the new-account sensor's
  kind) in between. Compared row by row on every normalized table, ids and clock times aside.
- A re-run of an observed day calls no API and changes no row.
- A run scoped to one account rewrites no other account's rows.
- The serving layer (social_post_latest_metrics) is part of the comparison: the same whatever the
  order (a backfill is the reverse order), and equal to the views' old, history-scanning answers.
- A past day pulled long after it ended from a live source (answering as of now) keeps no
  point-in-time value under the past date: it is marked reconstructed, with the reason.
"""

import threading
from datetime import date, datetime, timedelta, timezone

import psycopg
import pytest

from social_pipeline.ingest.pulling import end_of_day
from social_pipeline.simulator import demo_token
from social_pipeline.simulator.server import make_server
from social_pipeline.simulator.youtube import Simulator as YouTubeSimulator
from social_pipeline_tests.conftest import _create_db, _drop_db, with_dbname
from social_pipeline_tests.pipeline.helpers import run_day, seed
from social_pipeline_tests.serving_reference import serving_differences

FIRST = date(2026, 10, 1)
DAYS = [FIRST + timedelta(days=i) for i in range(10)]
# Four platforms keep the test short and cover the order-sensitive parts: TikTok's totals summed
# over tracked posts, X's creator replies (posts found through conversations), Bluesky's peaks
# derived from our own posts, YouTube's daily series (daily_insights) read from a report by day.
HERE = ("tiktok", "twitter", "bluesky", "youtube")
SCOPE_TAG = "social_pipeline/accounts"

# Every column that describes the data, with row ids replaced by natural keys; ids, clock times
# (created_at, updated_at, observed_at) and the pull they came from are left out.
TABLES = {
    "social_posts_analytics": """
        SELECT platform, external_post_id, social_account_id, post_url, caption, title, media_type, media_url,
               duration, posted_at, first_seen_date, last_seen_date, post_kind, hashtags, keywords
        FROM social_posts_analytics""",
    "social_post_metrics": """
        SELECT p.platform, p.external_post_id, m.snapshot_date, m.snapshot_hour, m.likes_count, m.comments_count,
               m.views_count, m.shares_count, m.saves_count, m.watch_time_seconds, m.completion_rate,
               m.impressions, m.reach, m.engagement_rate, m.engaged_views, m.views_method
        FROM social_post_metrics m JOIN social_posts_analytics p ON p.id = m.post_id""",
    "social_analytics_snapshots": """
        SELECT social_account_id, snapshot_date, followers_count, following_count, posts_count, total_likes,
               total_comments, total_views, total_shares, subscribers_count, pins_count, retweets_count,
               watch_time_minutes, engagement_rate, follower_growth, tracked_totals, observation, unknown_reason,
               daily_insights, reconstructed_fields
        FROM social_analytics_snapshots""",
    "social_comments": """
        SELECT p.external_post_id, c.external_comment_id, parent.external_comment_id, c.comment_text,
               c.author_username, c.is_reply, c.likes_count, c.is_creator_reply, c.sentiment, c.sentiment_score,
               c.parent_external_comment_id, c.author_external_id, c.commented_at, c.first_seen_date,
               c.last_seen_date, c.language, c.sentiment_note, c.thread_depth
        FROM social_comments c JOIN social_posts_analytics p ON p.id = c.post_id
        LEFT JOIN social_comments parent ON parent.id = c.parent_comment_id""",
    "social_hashtags": """
        SELECT hashtag, total_uses, total_views, avg_engagement_rate, first_seen_date, last_seen_date, stats_date,
               platform_breakdown, rated_posts, engagement_rate_sum
        FROM social_hashtags""",
    "social_post_hashtags": """
        SELECT p.external_post_id, h.hashtag, ph.position
        FROM social_post_hashtags ph JOIN social_posts_analytics p ON p.id = ph.post_id
        JOIN social_hashtags h ON h.id = ph.hashtag_id""",
    "social_post_latest_metrics": """
        SELECT p.platform, p.external_post_id, l.social_account_id, l.posted_at, l.post_kind, l.snapshot_date,
               l.snapshot_hour, l.views_count, l.likes_count, l.comments_count, l.shares_count, l.saves_count,
               l.impressions, l.reach, l.engagement_rate, l.velocity_views, l.velocity_hours, l.views_per_hour_48h,
               l.velocity_hourly, l.virality_score
        FROM social_post_latest_metrics l JOIN social_posts_analytics p ON p.id = l.post_id""",
    "social_audience_demographics": """
        SELECT social_account_id, snapshot_date, age_13_17, age_18_24, age_25_34, age_35_44, age_45_plus,
               gender_male, gender_female, top_countries, top_cities, top_languages, peak_hours, peak_days, peak_source
        FROM social_audience_demographics""",
}


def tables(url) -> dict[str, list]:
    with psycopg.connect(url) as conn:
        return {name: sorted(map(repr, conn.execute(q).fetchall())) for name, q in TABLES.items()}


def differences(a: dict, b: dict) -> dict[str, tuple]:
    out = {}
    for name in TABLES:
        left, right = set(a[name]), set(b[name])
        if left != right or len(a[name]) != len(b[name]):
            out[name] = (len(a[name]), len(b[name]), sorted(left - right)[:3], sorted(right - left)[:3])
    return out


@pytest.fixture
def databases(server_url, template_db):
    """Three more migrated databases, dropped afterwards."""
    names = [_create_db(server_url, template_db) for _ in range(3)]
    yield [with_dbname(server_url, n) for n in names]
    for name in names:
        _drop_db(server_url, name)


def _accounts(conn) -> list[tuple]:
    """Seed the demo accounts and keep three platforms monitored; returns their (id, platform)."""
    seed(conn, posts_per_fetch=4)
    conn.execute(
        "UPDATE social_analytics_config SET monitoring_enabled = FALSE WHERE social_account_id IN "
        "(SELECT id FROM social_accounts WHERE platform <> ALL(%s))", (list(HERE),))
    return conn.execute("SELECT id::text, platform FROM social_accounts WHERE platform = ANY(%s)", (list(HERE),)).fetchall()


def _copy_accounts(conn, url) -> None:
    """The same accounts, with the same ids, in another database."""
    with psycopg.connect(url, autocommit=True) as other:
        for row in conn.execute("SELECT id, platform, handle, access_token FROM social_accounts WHERE platform = ANY(%s)",
                                (list(HERE),)).fetchall():
            other.execute("INSERT INTO social_accounts (id, platform, handle, access_token) VALUES (%s, %s, %s, %s)", row)
        for row in conn.execute(
                "SELECT c.social_account_id, c.posts_per_fetch, c.provider_name FROM social_analytics_config c "
                "JOIN social_accounts a ON a.id = c.social_account_id WHERE a.platform = ANY(%s)", (list(HERE),)).fetchall():
            other.execute("INSERT INTO social_analytics_config (social_account_id, posts_per_fetch, provider_name) "
                          "VALUES (%s, %s, %s)", row)


def _range(first: date, last: date, **tags) -> dict:
    return {"tags": {"dagster/asset_partition_range_start": first.isoformat(),
                     "dagster/asset_partition_range_end": last.isoformat(), **tags}}


def _use(monkeypatch, url) -> None:
    monkeypatch.setenv("SOCIAL_PIPELINE_DATABASE_URL", url)


def test_days_give_the_same_rows_whatever_the_load_order(db_url, conn, databases, monkeypatch):
    accounts = _accounts(conn)
    for url in databases:
        _copy_accounts(conn, url)
    reverse, chunks, scoped = databases

    # Forward, one day per run (the daily schedule).
    for day in DAYS:
        assert run_day(day).success
    forward = tables(db_url)
    assert len(forward["social_analytics_snapshots"]) == len(HERE) * len(DAYS)
    # The serving layer (migration 018) answers as the views did when they read the history.
    assert serving_differences(conn) == {}
    assert len(forward["social_post_latest_metrics"]) == len(forward["social_posts_analytics"])
    assert forward["social_post_metrics"] and forward["social_comments"] and forward["social_hashtags"]

    # A re-run of an observed day: no API call (no new pull in the ledger), no row changed.
    pulls = conn.execute("SELECT count(DISTINCT pull_id), count(*) FROM social_raw_pulls").fetchone()
    assert run_day(DAYS[4]).success
    assert conn.execute("SELECT count(DISTINCT pull_id), count(*) FROM social_raw_pulls").fetchone() == pulls
    assert tables(db_url) == forward

    # Reverse, one day per run.
    _use(monkeypatch, reverse)
    for day in reversed(DAYS):
        assert run_day(day).success
    assert differences(forward, tables(reverse)) == {}

    # Backfill chunks of up to 7 days, the later chunk first.
    _use(monkeypatch, chunks)
    assert run_day(DAYS[7], **_range(DAYS[7], DAYS[-1])).success
    result = run_day(DAYS[0], **_range(DAYS[0], DAYS[6]))
    assert result.success
    assert differences(forward, tables(chunks)) == {}
    # A run over several days records each per-day check on its own partition (the UI shows
    # each day's verdict instead of "skipped").
    per_day = {e.partition for e in result.get_asset_check_evaluations()
               if e.check_name == "day_has_rows" and e.asset_key.path == ["social_analytics_snapshots"]}
    assert {d.isoformat() for d in DAYS[:7]} <= per_day

    # Forward with a one-account run over the days already loaded in between (as the new-account
    # sensor runs): it rewrites none of the other accounts' rows and changes nothing.
    _use(monkeypatch, scoped)
    for day in DAYS[:5]:
        assert run_day(day).success
    tiktok = next(a for a, p in accounts if p == "tiktok")
    with psycopg.connect(scoped) as other:
        ids_before = other.execute(
            "SELECT social_account_id::text, array_agg(id ORDER BY id) FROM social_analytics_snapshots GROUP BY 1").fetchall()
        metric_ids_before = other.execute(
            "SELECT p.social_account_id::text, array_agg(m.id ORDER BY m.id) FROM social_post_metrics m "
            "JOIN social_posts_analytics p ON p.id = m.post_id GROUP BY 1").fetchall()
    assert run_day(DAYS[0], **_range(DAYS[0], DAYS[4], **{SCOPE_TAG: tiktok})).success
    with psycopg.connect(scoped) as other:
        ids_after = other.execute(
            "SELECT social_account_id::text, array_agg(id ORDER BY id) FROM social_analytics_snapshots GROUP BY 1").fetchall()
        metric_ids_after = other.execute(
            "SELECT p.social_account_id::text, array_agg(m.id ORDER BY m.id) FROM social_post_metrics m "
            "JOIN social_posts_analytics p ON p.id = m.post_id GROUP BY 1").fetchall()
    others = lambda rows: {a: ids for a, ids in rows if a != tiktok}  # noqa: E731
    assert others(ids_after) == others(ids_before) and others(metric_ids_after) == others(metric_ids_before)
    for day in DAYS[5:]:
        assert run_day(day).success
    assert differences(forward, tables(scoped)) == {}


def test_a_past_day_pulled_late_keeps_no_point_in_time_value(db_url, conn, monkeypatch):
    """A live source answers as of now. Pulling a day that ended ten days ago discovers its posts
    but stores no followers, post metrics or audience of today under that date."""
    now = datetime.now(timezone.utc)
    day = (now - timedelta(days=10)).date()
    server = make_server("bluesky", port=0, as_of=now)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("SOCIAL_PIPELINE_BLUESKY_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
        handle = "late.bsky.social"
        account = conn.execute(
            "INSERT INTO social_accounts (platform, handle, access_token) VALUES ('bluesky', %s, %s) RETURNING id",
            (handle, demo_token("bluesky", handle))).fetchone()[0]
        # The listing is as of now: deep enough to reach back to the day's posts.
        conn.execute("INSERT INTO social_analytics_config (social_account_id, posts_per_fetch) VALUES (%s, 40)", (account,))
        assert run_day(day).success
    finally:
        server.shutdown()
        server.server_close()
    snapshot = conn.execute(
        "SELECT followers_count, following_count, posts_count, total_likes, total_views, follower_growth, "
        "observation, unknown_reason, observed_at FROM social_analytics_snapshots WHERE snapshot_date = %s", (day,)).fetchone()
    *counts, growth, observation, reason, observed_at = snapshot
    assert counts == [None] * 5 and growth is None
    assert observation == "reconstructed" and "bluesky" in reason and "now" in reason
    assert observed_at > end_of_day(day) + timedelta(hours=24)
    # No metrics measured today are stored under the past day; no audience of today either.
    assert conn.execute("SELECT count(*) FROM social_post_metrics WHERE snapshot_date = %s", (day,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM social_audience_demographics WHERE snapshot_date = %s AND "
                        "(age_18_24 IS NOT NULL OR top_countries IS NOT NULL)", (day,)).fetchone()[0] == 0
    # The posts that existed on the day are discovered; none published after it.
    posts = conn.execute("SELECT count(*), max(posted_at) FROM social_posts_analytics").fetchone()
    assert posts[0] > 0 and posts[1] < end_of_day(day).replace(tzinfo=None)
    # Comments are kept as text, their likes (a count of now) are not.
    assert conn.execute("SELECT count(*) FROM social_comments WHERE likes_count IS NOT NULL").fetchone()[0] == 0
    # The failing-day checks see the day as reconstructed, not as missing metrics.
    assert conn.execute("SELECT observation FROM social_analytics_snapshots").fetchall() == [("reconstructed",)]


def test_a_late_youtube_day_keeps_its_daily_series_and_rebuilds_its_subscribers(db_url, conn, monkeypatch):
    """YouTube serves a channel's series by day, and its subscribers gained and lost: a day pulled
    ten days late keeps the day's own views, watch time and gains, and its subscriber count is
    rebuilt from the count now less the net gains since, marked as rebuilt."""
    now = datetime.now(timezone.utc)
    day = (now - timedelta(days=10)).date()
    server = make_server("youtube", port=0, as_of=now)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        monkeypatch.setenv("SOCIAL_PIPELINE_YOUTUBE_BASE_URL", base)
        monkeypatch.setenv("SOCIAL_PIPELINE_YOUTUBE_ANALYTICS_BASE_URL", base)
        handle = "latechannel"
        account = conn.execute(
            "INSERT INTO social_accounts (platform, handle, access_token) VALUES ('youtube', %s, %s) RETURNING id",
            (handle, demo_token("youtube", handle))).fetchone()[0]
        conn.execute("INSERT INTO social_analytics_config (social_account_id, posts_per_fetch) VALUES (%s, 20)", (account,))
        assert run_day(day).success
    finally:
        server.shutdown()
        server.server_close()
    channel = YouTubeSimulator(now, [handle]).account(handle)
    exact, exact_now = channel.followers(end_of_day(day)), channel.followers(now)
    followers, subscribers, views, daily, rebuilt, observation, reason = conn.execute(
        "SELECT followers_count, subscribers_count, total_views, daily_insights, reconstructed_fields, observation, "
        "unknown_reason FROM social_analytics_snapshots WHERE snapshot_date = %s", (day,)).fetchone()
    assert observation == "reconstructed" and rebuilt == ["followers_count", "subscribers_count"]
    assert "rebuilt from its daily follower gains" in reason
    # subscriberCount is rounded down to three significant figures, and counts today's gains that
    # no daily row holds yet: the rebuilt count is off by at most those two, not by ten days of growth.
    unreported = exact_now - channel.followers(end_of_day(now.date() - timedelta(days=1)))
    assert followers == subscribers and abs(exact - followers) < 1000 + abs(unreported)
    # A channel can lose more subscribers than it gains on a day: the two flows, each counted, net
    # to the day's change in the world.
    assert daily["views"] > 0 and daily["subscribers_gained"] >= 0 and daily["subscribers_lost"] >= 0
    assert daily["subscribers_gained"] - daily["subscribers_lost"] == (
        channel.followers(end_of_day(day)) - channel.followers(end_of_day(day - timedelta(days=1))))
    assert set(daily) == {"views", "watch_time_minutes", "likes", "comments", "shares", "subscribers_gained", "subscribers_lost"}
