"""The growth curve on hand-made history: a post measured hourly for its first 48 hours and daily
after, against its account's median at the same ages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from social_pipeline_tests.dashboard.conftest import csv_frame, open_app, show


def test_hourly_for_48_hours_then_daily(conn, db_url, monkeypatch, downloads):
    today = datetime.now(timezone.utc).date()
    day0 = today - timedelta(days=8)
    account = conn.execute("INSERT INTO social_accounts (platform, handle) VALUES ('tiktok', 'curve.maker') "
                           "RETURNING id").fetchone()[0]
    posted = datetime.combine(day0, datetime.min.time()) + timedelta(hours=10, minutes=30)
    ids = [conn.execute(
        "INSERT INTO social_posts_analytics (social_account_id, external_post_id, platform, post_url, posted_at) "
        "VALUES (%s, %s, 'tiktok', %s, %s) RETURNING id", (account, ext, f"https://www.tiktok.com/@curve.maker/video/{ext}",
                                                           posted + timedelta(minutes=i))).fetchone()[0]
        for i, ext in enumerate(("71", "72", "73"))]
    star, peers = ids[0], ids[1:]

    def views(post: int, hours: float) -> int:
        return int(hours * (1000 if post == star else 10 * post))

    with conn.cursor() as cur:
        for post in ids:
            start = posted + timedelta(minutes=ids.index(post))
            for h in range(10, 24 + 24 + 11):  # hourly rows: day 0 10:00 .. day 2 10:00
                end = datetime.combine(day0, datetime.min.time()) + timedelta(hours=h + 1)
                if (end - start).total_seconds() / 3600 <= 48 and post != peers[1]:
                    cur.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, snapshot_hour, views_count) "
                                "VALUES (%s, %s, %s, %s)", (post, day0 + timedelta(days=h // 24), h % 24,
                                                             views(post, (end - start).total_seconds() / 3600)))
            for d in range(0, 6):  # daily rows: the end of each day
                end = datetime.combine(day0 + timedelta(days=d + 1), datetime.min.time())
                cur.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, views_count) VALUES (%s, %s, %s)",
                            (post, day0 + timedelta(days=d), views(post, (end - start).total_seconds() / 3600)))

    at = show(open_app(db_url, monkeypatch), "posts")
    assert at.selectbox(key="curve_post").value == star  # the most viewed
    curve = csv_frame(downloads, "post_growth_curve").set_index("age_hours")
    own = curve["this_post"].dropna().astype(int)
    # Hourly: the hour ending 11:00 is 0.5 h after 10:30 (age 1) ... up to 48 h; then the daily rows
    # beyond 48 h (days 2..5 end 61.5, 85.5, 109.5, 133.5 h after: ages 72, 96, 120, 144).
    assert list(own.index) == list(range(1, 49)) + [72, 96, 120, 144]
    assert own[1] == views(star, 0.5) and own[48] == views(star, 47.5) and own[72] == views(star, 61.5)
    # The median of the two other posts at each age: the hourly peer alone in its first 48 hours
    # (the other peer was only measured daily, at ages 24 and 48), both after.
    later = datetime.combine(day0 + timedelta(days=3), datetime.min.time())
    both = [views(p, (later - (posted + timedelta(minutes=ids.index(p)))).total_seconds() / 3600) for p in peers]
    assert curve.loc[72, "account_median"] == int(sum(both) / 2 + 0.5)  # SQL rounds half away from zero
    assert curve.loc[72, "median_posts"] == 2
    assert curve.loc[24, "median_posts"] == 2  # the hourly peer's hour-24 row and the daily peer's day-0 row
