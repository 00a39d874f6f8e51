"""Own posts of every kind: the specification's view keeps replies and thread continuations and
says which each is; the insight views that judge what to publish count only posts that start
something (originals and quotes); platform-defined hashtags decide a post's tags."""

from datetime import datetime, timedelta

from social_pipeline.assets.hashtags import refresh_hashtags


def _account(conn):
    acct = conn.execute("INSERT INTO social_accounts (platform, handle) VALUES ('bluesky', 'kinds.bsky.social') "
                        "RETURNING id").fetchone()[0]
    conn.execute("INSERT INTO social_analytics_config (social_account_id) VALUES (%s)", (acct,))
    return acct


def _post(conn, acct, name, kind, posted, views, caption="", hashtags=None):
    pid = conn.execute(
        "INSERT INTO social_posts_analytics (social_account_id, external_post_id, platform, caption, posted_at, "
        "first_seen_date, last_seen_date, post_kind, hashtags) VALUES (%s, %s, 'bluesky', %s, %s, %s, %s, %s, %s) "
        "RETURNING id",
        (acct, name, caption, posted, posted.date(), posted.date(), kind, hashtags),
    ).fetchone()[0]
    conn.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, views_count, likes_count, engagement_rate) "
                 "VALUES (%s, %s, %s, 1, 1.0)", (pid, posted.date() + timedelta(days=1), views))
    return pid


def test_views_keep_every_own_post_and_insights_count_what_starts_something(conn):
    acct = _account(conn)
    monday_9 = datetime(2026, 11, 2, 9, 0)
    _post(conn, acct, "original", "original", monday_9, 1000)
    _post(conn, acct, "quote", "quote", monday_9 + timedelta(days=7), 3000)
    _post(conn, acct, "reply", "reply", monday_9 + timedelta(hours=5), 10)
    _post(conn, acct, "thread", "thread", monday_9 + timedelta(hours=6), 20)

    kinds = dict(conn.execute("SELECT external_post_id, post_kind FROM social_post_performance").fetchall())
    assert kinds == {"original": "original", "quote": "quote", "reply": "reply", "thread": "thread"}

    slots = conn.execute("SELECT weekday, hour_utc, posts FROM social_best_time_to_post").fetchall()
    assert slots == [(1, 9, 2)]  # the reply (14:00) and the continuation (15:00) are not slots
    virality = dict(conn.execute("SELECT current_views, account_median_views FROM social_post_virality").fetchall())
    assert virality == {1000: 2000, 3000: 2000}  # the median of the two posts that start something


def test_platform_tags_decide_and_an_empty_list_means_none(conn):
    acct = _account(conn)
    day = datetime(2026, 11, 2, 9, 0)
    # Facet tags that the text does not show (Bluesky's `tags`), text tags ignored when the
    # platform gave a list, an empty list meaning "no tags", and NULL falling back to the text.
    _post(conn, acct, "faceted", "original", day, 100, caption="text #ignored", hashtags=["Art", "process"])
    _post(conn, acct, "none", "original", day, 100, caption="also #ignored", hashtags=[])
    _post(conn, acct, "plain", "original", day, 100, caption="from the #text")
    for rebuild in (False, True):  # the incremental path (posts seen since) and the recount agree
        refresh_hashtags(conn, [day.date() + timedelta(days=1)], rebuild=rebuild)
        tags = {r[0] for r in conn.execute("SELECT hashtag FROM social_hashtags WHERE total_uses > 0")}
        assert tags == {"art", "process", "text"}, rebuild
