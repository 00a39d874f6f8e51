"""Incremental hashtag aggregates equal a recount from all history, whatever happens in between:
new posts, moving metrics, edited captions, re-runs and replays, deleted posts, gaps."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from social_pipeline.assets.hashtags import aggregate, refresh_hashtags

D1 = date(2026, 5, 1)
COLUMNS = ("total_uses", "total_views", "avg_engagement_rate", "first_seen_date", "last_seen_date", "platform_breakdown")

# What the aggregates mean, computed the way the asset did before it was incremental: every post
# known by the day, with its latest daily metrics up to that day.
HISTORY = """
SELECT p.id, p.caption, p.first_seen_date, p.posted_at::date, m.views_count, m.engagement_rate, p.platform
FROM social_posts_analytics p
LEFT JOIN LATERAL (
    SELECT views_count, engagement_rate FROM social_post_metrics m
    WHERE m.post_id = p.id AND m.snapshot_date <= %(day)s AND m.snapshot_hour IS NULL
    ORDER BY m.snapshot_date DESC LIMIT 1
) m ON TRUE
WHERE p.first_seen_date <= %(day)s AND p.caption LIKE '%%#%%'
"""


def expected(conn, day):
    df = aggregate(conn.execute(HISTORY, {"day": day}).fetchall(), day)
    return {r.hashtag: tuple(getattr(r, c) for c in COLUMNS) for r in df.itertuples()}


def stored(conn):
    rows = conn.execute(f"SELECT hashtag, {', '.join(COLUMNS)} FROM social_hashtags WHERE total_uses > 0").fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def normalized(table):
    return {k: tuple(float(v) if isinstance(v, Decimal) else v for v in row) for k, row in table.items()}


class World:
    def __init__(self, conn):
        self.conn = conn
        self.accounts = {
            p: conn.execute("INSERT INTO social_accounts (platform, handle) VALUES (%s, 'h') RETURNING id", (p,)).fetchone()[0]
            for p in ("tiktok", "youtube")
        }

    def post(self, name, caption, day, platform="tiktok", posted=True):
        """A post seen on ``day`` (upserted like the posts asset: first seen kept, caption replaced)."""
        return self.conn.execute(
            "INSERT INTO social_posts_analytics (social_account_id, external_post_id, platform, caption, posted_at, "
            "first_seen_date, last_seen_date) VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (social_account_id, platform, external_post_id) DO UPDATE SET caption = EXCLUDED.caption, "
            "first_seen_date = LEAST(social_posts_analytics.first_seen_date, EXCLUDED.first_seen_date), "
            "last_seen_date = GREATEST(social_posts_analytics.last_seen_date, EXCLUDED.last_seen_date) RETURNING id",
            (self.accounts[platform], name, platform, caption, day if posted else None, day, day),
        ).fetchone()[0]

    def metric(self, post_id, day, views, rate):
        """The day's metrics of a post (replacing that day's row, like the metrics asset)."""
        self.conn.execute("DELETE FROM social_post_metrics WHERE post_id = %s AND snapshot_date = %s AND snapshot_hour IS NULL",
                          (post_id, day))
        self.conn.execute("INSERT INTO social_post_metrics (post_id, snapshot_date, views_count, engagement_rate) "
                          "VALUES (%s, %s, %s, %s)", (post_id, day, views, rate))

    def run(self, *days, rebuild=False):
        stats = refresh_hashtags(self.conn, list(days), rebuild=rebuild)
        as_of = date.fromisoformat(stats["as_of"])
        assert normalized(stored(self.conn)) == normalized(expected(self.conn, as_of)), stats
        assert {r[0] for r in self.conn.execute("SELECT DISTINCT stats_date FROM social_hashtags WHERE total_uses > 0")} <= {as_of}
        return stats


@pytest.fixture
def world(conn):
    return World(conn)


def day(n):
    return D1 + timedelta(days=n - 1)


def test_incremental_equals_recount_through_a_life(world, conn):
    a = world.post("a", "first #Cats #dogs", day(1))
    b = world.post("b", "second #cats", day(1), platform="youtube")
    world.metric(a, day(1), 100, Decimal("10.00"))
    world.metric(b, day(1), 300, Decimal("2.01"))
    assert world.run(day(1))["mode"] == "recount"  # nothing to continue from

    c = world.post("c", "third #dogs #birds", day(2))
    for pid, views, rate in ((a, 150, "9.50"), (b, 320, "2.02"), (c, 10, None)):
        world.metric(pid, day(2), views, None if rate is None else Decimal(rate))
    stats = world.run(day(2))
    assert stats["mode"] == "incremental" and stats["posts_changed"] == 3

    # Only b is pulled on day 3: a and c keep their day-2 metrics.
    world.post("b", "second #cats", day(3), platform="youtube")
    world.metric(b, day(3), 400, Decimal("2.50"))
    stats = world.run(day(3))
    assert stats["mode"] == "incremental" and stats["posts_recounted"] == 3  # seen/measured on day 2 or 3

    # The same day again, after its metrics were replaced: re-counted, not added twice.
    world.metric(b, day(3), 500, Decimal("3.00"))
    assert world.run(day(3))["mode"] == "incremental"

    # c's caption is edited: #birds goes (its only post: the hashtag drops to zero), #fish comes.
    world.post("c", "third #dogs #fish", day(4))
    world.metric(c, day(4), 20, Decimal("1.00"))
    assert world.run(day(4))["mode"] == "incremental"
    assert conn.execute("SELECT total_uses, first_seen_date FROM social_hashtags WHERE hashtag = 'birds'").fetchone() == (0, None)

    # A replay of day 2 keeps the newest stats (as of day 4).
    assert world.run(day(2))["as_of"] == day(4).isoformat()

    # a's caption loses #dogs, and a was the first use of #dogs: a recount, still exact.
    world.post("a", "first #cats", day(5))
    world.metric(a, day(5), 160, Decimal("9.00"))
    assert world.run(day(5))["mode"] == "recount"

    # A post deleted: its hashtags are recounted on the next run.
    conn.execute("DELETE FROM social_posts_analytics WHERE id = %s", (b,))
    assert conn.execute("SELECT rated_posts FROM social_hashtags WHERE hashtag = 'cats'").fetchone() == (None,)
    assert world.run(day(6))["mode"] == "recount"

    # A gap, then a range: everything seen since the last count is re-counted.
    d = world.post("d", "late #cats #new", day(9), posted=False)  # no publication date: first seen counts
    world.metric(d, day(9), 70, Decimal("4.44"))
    world.metric(a, day(8), 170, Decimal("8.80"))
    assert world.run(day(8), day(9), day(10))["mode"] == "incremental"


def test_a_day_recounts_only_what_moved(world, conn):
    """Posts neither seen nor measured since the last count are not read again."""
    old = [world.post(f"old{i}", f"old post #tag{i % 3}", day(1)) for i in range(20)]
    for pid in old:
        world.metric(pid, day(1), 10, Decimal("1.00"))
    world.run(day(1))
    world.run(day(2))
    new = world.post("new", "new post #tag1", day(3))
    world.metric(new, day(3), 5, Decimal("2.00"))
    stats = world.run(day(3))
    assert stats["mode"] == "incremental"
    assert stats["posts_recounted"] == 1 and stats["posts_changed"] == 1
    assert conn.execute("SELECT total_uses FROM social_hashtags WHERE hashtag = 'tag1'").fetchone() == (8,)


def test_rebuild_on_request_and_from_rows_written_by_hand(world, conn):
    pid = world.post("a", "#x #y", day(1))
    world.metric(pid, day(1), 10, Decimal("5.00"))
    conn.execute("INSERT INTO social_hashtags (hashtag, total_uses) VALUES ('z', 7)")  # no running sums
    assert world.run(day(1))["mode"] == "recount"
    assert conn.execute("SELECT total_uses FROM social_hashtags WHERE hashtag = 'z'").fetchone() == (0,)
    assert world.run(day(1), rebuild=True)["mode"] == "recount"
    assert world.run(day(2))["mode"] == "incremental"
