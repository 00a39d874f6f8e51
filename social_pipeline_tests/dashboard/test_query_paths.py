"""The dashboard's queries that read the serving layer's sums without an account filter (and the
comments' likes index) give what hand-written SQL over the history gives, for every kind of filter:
none, a platform, a short or a whole period, a period in the past, chosen accounts."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import psycopg
import pytest

from social_pipeline.dashboard import queries as q
from social_pipeline_tests.dashboard.conftest import SEED_DAYS

pytestmark = pytest.mark.db

TODAY = datetime.now(timezone.utc).date()


@pytest.fixture(scope="module")
def qconn(seeded_url):
    with psycopg.connect(seeded_url, autocommit=True, prepare_threshold=None) as conn:
        yield conn


def _variants(conn) -> dict[str, q.Filters]:
    platform = conn.execute("SELECT platform FROM social_accounts ORDER BY platform LIMIT 1").fetchone()[0]
    accounts = tuple(r[0] for r in conn.execute("SELECT id::text FROM social_accounts ORDER BY handle LIMIT 2"))
    return {
        "default": q.Filters(),
        "platform": q.Filters(platforms=(platform,)),
        "two days": q.Filters(start=TODAY - timedelta(days=1)),
        "whole seed": q.Filters(start=TODAY - timedelta(days=SEED_DAYS)),
        "past": q.Filters(start=TODAY - timedelta(days=40), end=TODAY - timedelta(days=31)),
        "accounts": q.Filters(accounts=accounts),
    }


VARIANTS = ("default", "platform", "two days", "whole seed", "past", "accounts")


def _num(value):
    """A shown or expected number as a float; None for NULL or NaN."""
    return None if value is None or value != value else float(value)


def _case(conn, variant: str, alias: str) -> tuple[q.Filters, str, dict]:
    f = _variants(conn)[variant]
    return (f, *_where(f, alias))


def _where(f: q.Filters, alias: str) -> tuple[str, dict]:
    """The filters as a WHERE clause on a post ``alias`` (posted_at, platform, social_account_id)."""
    return (f"{alias}.posted_at >= %(s)s AND {alias}.posted_at < %(e)s "
            f"AND (%(p)s::text[] IS NULL OR {alias}.platform = ANY(%(p)s::text[])) "
            f"AND (%(a)s::uuid[] IS NULL OR {alias}.social_account_id = ANY(%(a)s::uuid[]))",
            {"s": f.start, "e": f.end + timedelta(days=1), "p": list(f.platforms) or None, "a": list(f.accounts) or None})


@pytest.mark.parametrize("variant", VARIANTS)
def test_sentiment_over_time(qconn, variant):
    f, where, params = _case(qconn, variant, "p")
    expected = qconn.execute(
        "SELECT c.commented_at::date, count(*) FILTER (WHERE c.sentiment = 'positive'), "
        "count(*) FILTER (WHERE c.sentiment = 'neutral'), count(*) FILTER (WHERE c.sentiment = 'negative'), "
        "count(*) FILTER (WHERE c.sentiment IS NULL) FROM social_comments c JOIN social_posts_analytics p ON p.id = c.post_id "
        f"WHERE {where} AND c.commented_at < %(e)s GROUP BY 1 ORDER BY 1", params).fetchall()
    shown = q.sentiment_over_time(qconn, f)
    assert [tuple(r) for r in shown.itertuples(index=False)] == expected
    if variant in ("default", "whole seed"):
        assert sum(sum(r[1:]) for r in expected) > 100


@pytest.mark.parametrize("walk", [q.COMMENT_WALK, 10])  # 10: the walk comes up short, the fallback answers
@pytest.mark.parametrize("variant", VARIANTS)
def test_top_comments(qconn, monkeypatch, variant, walk):
    monkeypatch.setattr(q, "COMMENT_WALK", walk)
    f, where, params = _case(qconn, variant, "p")
    expected = qconn.execute(
        "SELECT c.likes_count, c.comment_text, p.post_url FROM social_comments c JOIN social_posts_analytics p ON p.id = c.post_id "
        f"WHERE {where} AND c.likes_count IS NOT NULL "
        "ORDER BY c.likes_count DESC, c.commented_at DESC NULLS LAST, c.id LIMIT %(n)s", {**params, "n": q.COMMENT_LIMIT}).fetchall()
    shown = q.top_comments(qconn, f)
    assert list(zip(shown["likes_count"], shown["comment_text"], shown["post_url"])) == expected
    if variant == "default":
        assert len(expected) == q.COMMENT_LIMIT


@pytest.mark.parametrize("variant", VARIANTS)
def test_headline_posts(qconn, variant):
    f = _variants(qconn)[variant]
    shown = q.headline(qconn, f).set_index("metric")
    for period, column in ((f, "value"), (f.previous(), "previous")):
        where, params = _where(period, "pp")
        posts, views, rate, impressions = qconn.execute(
            "SELECT count(*), sum(pp.current_views), round(avg(pp.engagement_rate), 2), sum(pp.current_impressions) "
            f"FROM social_post_performance pp WHERE {where}", params).fetchone()
        assert shown.loc["posts", column] == posts
        assert _num(shown.loc["views", column]) == _num(views)
        assert _num(shown.loc["impressions", column]) == _num(impressions)
        assert _num(shown.loc["engagement_rate", column]) == _num(rate)
    where, params = _where(f, "pp")
    missing = [r[0] for r in qconn.execute(
        "SELECT pp.platform FROM social_post_performance pp "
        f"WHERE {where} GROUP BY 1 HAVING count(pp.current_views) = 0 ORDER BY 1", params)]
    assert list(shown.loc["views", "missing"]) == missing
    by_platform = qconn.execute(
        "SELECT pp.platform, count(pp.current_impressions) FROM social_post_performance pp "
        f"WHERE {where} GROUP BY 1 ORDER BY 1", params).fetchall()
    assert shown.loc["impressions", "reported"] == sum(n for _, n in by_platform)
    assert list(shown.loc["impressions", "missing"]) == [p for p, n in by_platform if n == 0]


@pytest.mark.parametrize("variant", VARIANTS)
def test_hashtag_leaderboard(qconn, variant):
    f, where, params = _case(qconn, variant, "pp")
    expected = qconn.execute(
        "SELECT h.hashtag::text, count(*), count(DISTINCT pp.social_account_id), "
        "array_agg(DISTINCT pp.platform::text ORDER BY pp.platform::text), sum(pp.current_views), count(pp.current_views), "
        "round(avg(pp.current_views), 0), round(avg(pp.engagement_rate), 2) "
        "FROM social_post_performance pp JOIN social_post_hashtags ph ON ph.post_id = pp.post_id "
        f"JOIN social_hashtags h ON h.id = ph.hashtag_id WHERE {where} GROUP BY h.hashtag "
        "ORDER BY 2 DESC, 8 DESC NULLS LAST, 1 LIMIT %(n)s", {**params, "n": q.HASHTAG_LIMIT}).fetchall()
    shown = q.hashtag_leaderboard(qconn, f)
    assert len(shown) == len(expected)
    if variant == "default":
        assert len(expected) > 10
    for row, want in zip(shown.itertuples(index=False), expected):
        assert (row.hashtag, row.posts, row.accounts, list(row.platforms), row.posts_with_views) == \
            (want[0], want[1], want[2], want[3], want[5])
        assert [_num(row.total_views), _num(row.avg_views), _num(row.avg_engagement_rate)] == \
            [_num(want[4]), _num(want[6]), _num(want[7])]
