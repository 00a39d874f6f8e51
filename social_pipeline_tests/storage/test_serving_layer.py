"""The serving layer (migrations 018 and 020) answers exactly as the views did when they scanned
the history, on a seeded history and after writes of every kind, in the same transaction.

The old definitions come from the migrations before 018 (serving_reference.py); every view is
compared whole, and social_hashtag_insights over 7, 30, 90 and 365 days. The sums of 020 (comments
by sentiment, posts by platform and day, hashtags since a time) are compared with recounts.
"""

import threading
from datetime import date, timedelta

import psycopg
import pytest

from benchmarks.year_seed import seed_year
from social_pipeline.checks import RULES, evaluate
from social_pipeline_tests.serving_reference import reference_schema, row_counts, serving_differences

pytestmark = pytest.mark.db

END = date.today()
DAYS = 70
ACCOUNTS = 12


class Undo(Exception):
    """Raised to roll a test's writes back."""


@pytest.fixture(scope="module")
def seeded(module_db_url):
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        seed_year(conn, end_day=END, days=DAYS, accounts=ACCOUNTS, echo=None)
        reference_schema(conn)
    return module_db_url


@pytest.fixture
def sconn(seeded):
    with psycopg.connect(seeded, autocommit=True) as conn:
        yield conn


def _undone(conn, write):
    """Run ``write(conn)`` and the comparison in one transaction, then roll it all back."""
    found = {}
    try:
        with conn.transaction():
            write(conn)
            found["diff"] = serving_differences(conn, rebuild=False)
            found["counts"] = row_counts(conn)
            raise Undo
    except Undo:
        pass
    return found


def test_the_seeded_year_gives_the_same_answers(sconn):
    assert serving_differences(sconn, rebuild=False) == {}
    counts = row_counts(sconn)
    posts = sconn.execute("SELECT count(*) FROM social_posts_analytics").fetchone()[0]
    assert counts["social_post_performance"] == posts > 500
    assert counts["social_post_velocity"] > 100
    assert counts["social_post_virality"] > 100 and counts["social_hashtag_insights(30)"] > 10
    assert sconn.execute("SELECT count(*) FROM social_post_virality WHERE virality_score >= 3").fetchone()[0] > 0


def _recent_post(conn, hours_old: int = 30):
    """A post published in the last days, with its account and publication time."""
    return conn.execute(
        "SELECT id, social_account_id, posted_at FROM social_posts_analytics WHERE posted_at < now() AT TIME ZONE 'UTC' - make_interval(hours => %s) "
        "ORDER BY posted_at DESC LIMIT 1", (hours_old,)).fetchone()


def test_writes_of_every_kind_keep_it_equal_in_their_transaction(sconn):
    post, account, posted_at = _recent_post(sconn)
    busy = sconn.execute(
        "SELECT post_id FROM social_post_metrics WHERE snapshot_hour IS NULL GROUP BY post_id "
        "HAVING count(*) > 20 ORDER BY post_id LIMIT 1").fetchone()[0]

    def write(conn):
        # An hourly row inside the first 48 hours (the hourly asset): velocity moves.
        hour_at = posted_at + timedelta(hours=5)
        conn.execute(
            "INSERT INTO social_post_metrics (post_id, snapshot_date, snapshot_hour, views_count, likes_count) "
            "VALUES (%s, %s, %s, 10000000, 5) ON CONFLICT DO NOTHING", (post, hour_at.date(), hour_at.hour))
        # A re-materialized day: the newest daily rows of a whole day rewritten with new numbers.
        day = conn.execute("SELECT max(snapshot_date) FROM social_post_metrics WHERE snapshot_hour IS NULL").fetchone()[0]
        conn.execute("UPDATE social_post_metrics SET views_count = views_count * 3 + 7, engagement_rate = 1.25 "
                     "WHERE snapshot_date = %s AND snapshot_hour IS NULL AND post_id %% 3 = 0", (day,))
        # A day deleted (a repair by hand): those posts' latest row falls back to the day before.
        conn.execute("DELETE FROM social_post_metrics WHERE snapshot_date = %s AND post_id %% 3 = 1", (day,))
        # A backfilled older day: a busy post's latest stays the newest.
        first = conn.execute("SELECT min(snapshot_date) FROM social_post_metrics WHERE post_id = %s", (busy,)).fetchone()[0]
        conn.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, views_count) VALUES (%s, %s, 1)",
                     (busy, first - timedelta(days=3)))
        # A new post, first without metrics, then with; an old post moved in time and made a reply.
        new = conn.execute(
            "INSERT INTO social_posts_analytics (social_account_id, platform, external_post_id, posted_at) "
            "SELECT social_account_id, platform, 'serving-test-1', now() AT TIME ZONE 'UTC' - interval '3 hours' "
            "FROM social_posts_analytics WHERE id = %s RETURNING id", (post,)).fetchone()[0]
        conn.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, views_count, engagement_rate) "
                     "VALUES (%s, current_date, 999999999, 50)", (new,))
        conn.execute("UPDATE social_posts_analytics SET posted_at = posted_at - interval '20 hours', post_kind = 'reply' "
                     "WHERE id = %s", (busy,))
        # Hashtag links: the new post tagged; a recent tagged post untagged; another moved back
        # across the 7-day window's edge (the hashtags asset replaces a post's links this way).
        tagged = conn.execute(
            "SELECT ph.post_id, ph.hashtag_id FROM social_post_hashtags ph JOIN social_posts_analytics p ON p.id = ph.post_id "
            "WHERE p.posted_at > now() AT TIME ZONE 'UTC' - interval '6 days' ORDER BY p.posted_at DESC LIMIT 2").fetchall()
        assert len(tagged) == 2
        conn.execute("INSERT INTO social_post_hashtags (post_id, hashtag_id, position) VALUES (%s, %s, 0)", (new, tagged[0][1]))
        conn.execute("DELETE FROM social_post_hashtags WHERE post_id = %s", (tagged[0][0],))
        conn.execute("UPDATE social_posts_analytics SET posted_at = posted_at - interval '3 days' WHERE id = %s", (tagged[1][0],))
        # Comments (the comments asset): new ones, one on the new post and one unscored; one
        # re-scored (an edited text); one whose time changed; two deleted; the daily upsert that
        # moves only likes and last_seen_date.
        conn.execute(
            "INSERT INTO social_comments (post_id, external_comment_id, comment_text, sentiment, sentiment_score, "
            "commented_at, likes_count) VALUES (%s, 'serving-c1', 'great', 'positive', 0.5, now() AT TIME ZONE 'UTC', 3), "
            "(%s, 'serving-c2', 'bof', NULL, NULL, now() AT TIME ZONE 'UTC' - interval '1 day', NULL)", (new, post))
        commented = conn.execute(
            "SELECT id FROM social_comments WHERE sentiment IS NOT NULL AND commented_at IS NOT NULL AND post_id = "
            "(SELECT post_id FROM social_comments WHERE sentiment IS NOT NULL AND commented_at IS NOT NULL "
            " GROUP BY post_id HAVING count(*) >= 4 ORDER BY post_id LIMIT 1) ORDER BY id LIMIT 4").fetchall()
        assert len(commented) == 4
        conn.execute("UPDATE social_comments SET sentiment = CASE sentiment WHEN 'negative' THEN 'positive' ELSE 'negative' END, "
                     "sentiment_score = -sentiment_score WHERE id = %s", commented[0])
        conn.execute("UPDATE social_comments SET commented_at = commented_at + interval '2 days' WHERE id = %s", commented[1])
        conn.execute("DELETE FROM social_comments WHERE id = ANY(%s)", ([c[0] for c in commented[2:]],))
        conn.execute("UPDATE social_comments SET likes_count = coalesce(likes_count, 0) + 1, last_seen_date = current_date "
                     "WHERE post_id = %s", (post,))
        # A post deleted, with its comments, metrics and links.
        conn.execute("DELETE FROM social_posts_analytics WHERE id = (SELECT c.post_id FROM social_comments c "
                     "JOIN social_posts_analytics p ON p.id = c.post_id WHERE p.id NOT IN (%s, %s, %s, %s, %s) "
                     "AND p.video_id IS NULL AND p.clip_id IS NULL ORDER BY p.posted_at DESC LIMIT 1)",
                     (post, busy, new, tagged[0][0], tagged[1][0]))

    found = _undone(sconn, write)
    assert found["diff"] == {}
    # One post added, one deleted.
    assert found["counts"]["social_post_performance"] == row_counts(sconn)["social_post_performance"]
    assert serving_differences(sconn, rebuild=False) == {}  # and after the rollback


def test_the_comparison_fails_when_the_layer_is_not_kept(sconn):
    """The guard: with the metrics triggers off, a write leaves the layer stale and both the
    comparison and the asset check say so."""
    post = sconn.execute("SELECT post_id FROM social_post_metrics WHERE views_count IS NOT NULL "
                         "ORDER BY snapshot_date DESC, post_id LIMIT 1").fetchone()[0]
    rule = next(r for r in RULES if r.name == "serving_layer_current")

    def write(conn):
        conn.execute("ALTER TABLE social_post_metrics DISABLE TRIGGER social_post_metrics_serving_upd")
        conn.execute("UPDATE social_post_metrics SET views_count = views_count + 1000 WHERE post_id = %s", (post,))
        found["check"] = evaluate(conn, rule, [date.today()] + [date.today() - timedelta(days=i) for i in range(1, DAYS)])

    found = {}
    result = _undone(sconn, write)
    assert "social_post_performance" in result["diff"]
    assert found["check"].passed is False


@pytest.mark.parametrize("trigger, write_sql", [
    ("social_comments_serving_ins",
     "INSERT INTO social_comments (post_id, external_comment_id, sentiment, sentiment_score, commented_at, last_seen_date) "
     "SELECT id, 'guard', 'positive', 0.5, posted_at + interval '1 hour', current_date FROM social_posts_analytics "
     "WHERE posted_at IS NOT NULL ORDER BY posted_at DESC LIMIT 1"),
    ("social_comments_serving_note",
     "UPDATE social_comments SET sentiment = NULL, sentiment_score = NULL, last_seen_date = current_date "
     "WHERE id = (SELECT min(id) FROM social_comments WHERE sentiment IS NOT NULL AND commented_at IS NOT NULL)"),
    ("social_post_latest_metrics_days_upd",
     "UPDATE social_post_metrics SET views_count = views_count + 1000 WHERE views_count IS NOT NULL AND (post_id, snapshot_date) = "
     "(SELECT post_id, max(snapshot_date) FROM social_post_metrics WHERE views_count IS NOT NULL GROUP BY post_id "
     "ORDER BY post_id LIMIT 1)"),
])
def test_the_sums_differ_when_their_trigger_is_off(sconn, trigger, write_sql):
    """The guard for 020: each trigger off in turn, a write it should have followed leaves its
    table different from the recount; the comparison says which, and so does its asset check."""
    table = sconn.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s", (trigger,)).fetchone()[0]
    expected, check = (("social_platform_post_days", "platform_days_current") if table == "social_post_latest_metrics"
                       else ("social_comment_sentiment_daily", "comment_sentiment_current"))
    rule = next(r for r in RULES if r.name == check)
    days = [date.today() - timedelta(days=i) for i in range(DAYS)]

    def write(conn):
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        assert conn.execute(write_sql).rowcount >= 1
        found["check"] = evaluate(conn, rule, days)

    found = {}
    assert set(_undone(sconn, write)["diff"]) == {expected}
    assert found["check"].passed is False
    assert evaluate(sconn, rule, days).passed is True  # after the rollback


@pytest.mark.parametrize("check", ["serving_layer_current", "platform_days_current", "comment_sentiment_current"])
def test_the_asset_check_passes_on_a_kept_layer(sconn, check):
    rule = next(r for r in RULES if r.name == check)
    days = [END - timedelta(days=i) for i in range(1, 8)]
    assert evaluate(sconn, rule, days).passed is True


def _concurrent_metrics(url: str, post: int, newest: date, older: date) -> None:
    """The daily run writes ``newest`` for ``post`` and, before it commits, a backfill run writes
    ``older`` for the same post; the daily run then commits, and the backfill after it."""
    with psycopg.connect(url) as daily, psycopg.connect(url) as backfill:
        daily.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, views_count) VALUES (%s, %s, 123456789)",
                      (post, newest))
        done = threading.Event()

        def write_older():
            backfill.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, views_count) VALUES (%s, %s, 1)",
                             (post, older))
            done.set()
            backfill.commit()

        writer = threading.Thread(target=write_older)
        writer.start()
        done.wait(1.0)  # with the lock it waits for the daily run; without, it writes now
        daily.commit()
        writer.join(30)
        assert done.is_set()


def test_two_writers_at_once_leave_the_newest_row(seeded):
    """The guard of the serving lock (020): a write racing another on the same post waits for it,
    so the layer holds the newest row whichever commits last; with the lock trigger off, the
    backfill's recomputation (made before the daily row was committed) wins and is stale."""
    with psycopg.connect(seeded, autocommit=True) as conn:
        post, last = conn.execute("SELECT post_id, max(snapshot_date) FROM social_post_metrics WHERE snapshot_hour IS NULL "
                                  "GROUP BY post_id ORDER BY post_id LIMIT 1").fetchone()
        first = conn.execute("SELECT min(snapshot_date) FROM social_post_metrics WHERE post_id = %s", (post,)).fetchone()[0]
        try:
            _concurrent_metrics(seeded, post, last + timedelta(days=1), first - timedelta(days=1))
            assert conn.execute("SELECT snapshot_date, views_count FROM social_post_latest_metrics WHERE post_id = %s",
                                (post,)).fetchone() == (last + timedelta(days=1), 123456789)
            assert serving_differences(conn, rebuild=False) == {}

            conn.execute("ALTER TABLE social_post_metrics DISABLE TRIGGER social_post_metrics_serving_lock")
            _concurrent_metrics(seeded, post, last + timedelta(days=2), first - timedelta(days=2))
            stale = conn.execute("SELECT snapshot_date FROM social_post_latest_metrics WHERE post_id = %s", (post,)).fetchone()[0]
            assert stale == last + timedelta(days=1)  # the backfill's stale answer, not the newest day
        finally:
            conn.execute("ALTER TABLE social_post_metrics ENABLE TRIGGER social_post_metrics_serving_lock")
            conn.execute("DELETE FROM social_post_metrics WHERE post_id = %s AND snapshot_date NOT BETWEEN %s AND %s",
                         (post, first, last))
        assert serving_differences(conn, rebuild=False) == {}


def test_comments_and_metrics_writers_do_not_wait_for_each_other(seeded):
    """The serving lock has two halves: a comments write (the day's longest) holds only its own,
    so a metrics write of the same moment goes ahead; a write of a post's time or URL waits for it,
    one of a column the layer never reads (hashtag_stats) does not."""
    with psycopg.connect(seeded) as comments, psycopg.connect(seeded) as metrics, psycopg.connect(seeded) as posts:
        post, day = comments.execute("SELECT post_id, max(snapshot_date) FROM social_post_metrics GROUP BY post_id "
                                     "ORDER BY post_id LIMIT 1").fetchone()
        comments.execute("INSERT INTO social_comments (post_id, external_comment_id, commented_at) "
                         "VALUES (%s, 'lock-halves', now() AT TIME ZONE 'UTC')", (post,))
        metrics.execute("SET lock_timeout = '5s'")  # waiting would fail the statement, not hang the test
        metrics.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, views_count) VALUES (%s, %s, 5)",
                        (post, day + timedelta(days=1)))
        metrics.rollback()
        posts.execute("SET lock_timeout = '1s'")
        with pytest.raises(psycopg.errors.LockNotAvailable):  # waits for the comments write
            posts.execute("UPDATE social_posts_analytics SET post_url = post_url || '?lock' WHERE id = %s", (post,))
        posts.rollback()
        posts.execute("SET lock_timeout = '1s'")  # a column the layer does not read (the hashtags asset's)
        posts.execute("UPDATE social_posts_analytics SET hashtag_stats = hashtag_stats WHERE id = %s", (post,))
        posts.rollback()
        comments.rollback()
        posts.execute("SET lock_timeout = '5s'")
        assert posts.execute("UPDATE social_posts_analytics SET post_url = post_url || '?lock' WHERE id = %s",
                             (post,)).rowcount == 1
        posts.rollback()
