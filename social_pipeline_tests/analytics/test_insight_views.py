"""The insight views against hand-computed values on a small known history."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest


def floats(row):
    return tuple(float(v) if isinstance(v, Decimal) else v for v in row)


@pytest.fixture
def history(conn):
    """Account A (tiktok) with four posts and known metrics; snapshots over 8 days."""
    acct = conn.execute("INSERT INTO social_accounts (platform, handle) VALUES ('tiktok', 'alice') RETURNING id").fetchone()[0]
    conn.execute("INSERT INTO social_analytics_config (social_account_id) VALUES (%s)", (acct,))
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    monday_14 = (now - timedelta(days=now.weekday() + 7)).replace(hour=14, minute=5, second=0)  # a Monday, 14:05
    posts = {
        # name: (posted_at, caption, views, likes, comments)
        "p1": (monday_14, "one #Cats #dogs", 1000, 100, 0),
        "p2": (monday_14 + timedelta(days=7 - 7, minutes=20), "two #cats", 3000, 60, 0),
        "p3": (monday_14 + timedelta(days=1), "three #dogs", 2000, 20, 0),
        "p4": (monday_14 + timedelta(days=2), "four", 200, 10, 0),
    }
    ids = {}
    for name, (posted, caption, views, likes, comments) in posts.items():
        pid = conn.execute(
            "INSERT INTO social_posts_analytics (social_account_id, external_post_id, platform, caption, posted_at, "
            "first_seen_date, last_seen_date) VALUES (%s, %s, 'tiktok', %s, %s, %s, %s) RETURNING id",
            (acct, name, caption, posted, posted.date(), posted.date()),
        ).fetchone()[0]
        ids[name] = pid
        rate = round((likes + comments) / views * 100, 2)
        conn.execute(
            "INSERT INTO social_post_metrics (post_id, snapshot_date, views_count, likes_count, comments_count, engagement_rate) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (pid, posted.date() + timedelta(days=3), views, likes, comments, rate),
        )
    for tag in ("cats", "dogs"):
        conn.execute("INSERT INTO social_hashtags (hashtag) VALUES (%s)", (tag,))
    for name, tags in {"p1": ["cats", "dogs"], "p2": ["cats"], "p3": ["dogs"]}.items():
        for pos, tag in enumerate(tags):
            conn.execute("INSERT INTO social_post_hashtags (post_id, hashtag_id, position) "
                         "SELECT %s, id, %s FROM social_hashtags WHERE hashtag = %s", (ids[name], pos, tag))
    base = date(2026, 11, 1)
    for i, followers in enumerate([1000, 1010, 1020, 1030, 1040, 1050, 1060, 1100]):
        conn.execute("INSERT INTO social_analytics_snapshots (social_account_id, snapshot_date, followers_count) "
                     "VALUES (%s, %s, %s)", (acct, base + timedelta(days=i), followers))
    return acct, ids, monday_14


def test_top_hashtags_over_window(conn, history):
    rows = {r[0]: floats(r[1:]) for r in conn.execute(
        "SELECT hashtag, posts, total_views, avg_views, avg_engagement_rate FROM social_top_hashtags")}
    # cats: p1 (10.00 %, 1000 views), p2 (2.00 %, 3000 views); dogs: p1, p3 (1.00 %, 2000 views)
    assert rows["cats"] == (2, 4000, 2000, pytest.approx(6.00))
    assert rows["dogs"] == (2, 3000, 1500, pytest.approx(5.50))
    assert [r[0] for r in conn.execute("SELECT hashtag FROM social_top_hashtags")] == ["cats", "dogs"]


def test_best_time_to_post(conn, history):
    cell = floats(conn.execute(
        "SELECT weekday, weekday_name, hour_utc, posts, avg_engagement_rate, avg_views, lift, confidence "
        "FROM social_best_time_to_post WHERE weekday = 1 AND hour_utc = 14"
    ).fetchone())
    # p1 and p2: rates 10 and 2 -> 6.00; views 2000; account mean rate (10+2+1+5)/4 = 4.5 -> lift 1.33
    assert cell == (1, "monday", 14, 2, pytest.approx(6.00), 2000, pytest.approx(1.33), "low")


def test_account_growth(conn, history):
    row = floats(conn.execute(
        "SELECT followers_count, growth_7d, growth_7d_pct FROM social_account_growth WHERE snapshot_date = '2026-11-08'"
    ).fetchone())
    assert row == (1100, 100, pytest.approx(10.00))


def test_virality_against_account_median(conn, history):
    scores = dict(floats(r) for r in conn.execute("SELECT p.external_post_id, v.virality_score FROM social_post_virality v "
                               "JOIN social_posts_analytics p ON p.id = v.post_id").fetchall())
    # views 1000, 3000, 2000, 200 -> median 1500
    assert scores == {"p1": pytest.approx(0.67), "p2": pytest.approx(2.00), "p3": pytest.approx(1.33), "p4": pytest.approx(0.13)}


def test_velocity_from_hourly_snapshots(conn, history):
    _, ids, monday_14 = history
    # Hourly snapshots: end of hour 15 (1h55m after 14:05) 500 views; end of hour 13 next day (~23.9 h) 2400.
    conn.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, snapshot_hour, views_count) VALUES "
                 "(%s, %s, 15, 500), (%s, %s, 13, 2400)",
                 (ids["p1"], monday_14.date(), ids["p1"], monday_14.date() + timedelta(days=1)))
    row = floats(conn.execute("SELECT views_at_snapshot, hours_after_posting, views_per_hour_48h, from_hourly_snapshot "
                       "FROM social_post_velocity WHERE post_id = %s", (ids["p1"],)).fetchone())
    # 2400 views at 14:00 the next day: 23h55m = 23.92 h -> 100.35 views/h
    assert row == (2400, pytest.approx(23.92), pytest.approx(100.35), True)
