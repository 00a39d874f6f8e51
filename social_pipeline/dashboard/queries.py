"""Every query the dashboard runs: values bound, identifiers quoted, each returning a DataFrame.

A query takes an open psycopg connection and a ``Filters`` (accounts, platforms, a date range of
UTC days) and reads the analytics tables and views, never a token column. Posts' latest metrics
come from ``social_post_performance`` (kept by the serving layer); only one post's growth curve and
the sparklines of the posts shown read ``social_post_metrics``. Every list is bounded (LIMIT).
A NULL stays NULL (None/NaN in the DataFrame): the pages say "not reported by <Platform>".

``BENCH_QUERIES`` lists (page, name, callable(conn, filters) -> DataFrame) for the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Callable

import pandas as pd
from psycopg import sql

from ..platforms import SPECS


TOP_POSTS_LIMIT = 12
POSTS_LIMIT = 500
FOLLOWER_LINES = 10
HASHTAG_LIMIT = 50
VIDEO_LIMIT = 200
COMMENT_LIMIT = 50
LIST_LIMIT = 200
MEDIAN_POSTS = 200
TOKEN_WARNING_DAYS = 14


def title(platform: str | None) -> str:
    """The platform's name as its registry entry spells it; a name we do not know as stored."""
    known = SPECS.get(platform or "")
    return known.title if known else (platform or "?")


def _today() -> date:
    return datetime.now(timezone.utc).date()


@dataclass(frozen=True)
class Filters:
    """What every page is narrowed to. Empty tuples: all accounts / all platforms. ``start`` and
    ``end`` are UTC days, both included (default: the last 30 days up to today)."""

    accounts: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    start: date = field(default_factory=lambda: _today() - timedelta(days=29))
    end: date = field(default_factory=_today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Filters":
        """The period of the same length just before this one."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    def params(self) -> dict:
        return {
            "accounts": list(self.accounts), "platforms": list(self.platforms),
            "start": self.start, "end": self.end,
            "start_ts": datetime.combine(self.start, time.min),
            "end_ts": datetime.combine(self.end + timedelta(days=1), time.min),   # exclusive
        }


def _col(name: str) -> sql.Identifier:
    return sql.Identifier(*name.split("."))


def _scope(f: Filters, account: str, platform: str) -> sql.Composable:
    """``AND`` clauses for the account and platform filters (nothing when a filter is empty)."""
    parts: list[sql.Composable] = []
    if f.accounts:
        parts.append(sql.SQL(" AND {} = ANY(%(accounts)s::uuid[])").format(_col(account)))
    if f.platforms:
        parts.append(sql.SQL(" AND {}::text = ANY(%(platforms)s::text[])").format(_col(platform)))
    return sql.Composed(parts)


def _platform_scope(f: Filters, platform: str) -> sql.Composable:
    """``AND`` clause for the platform filter alone (for a read with no account filter)."""
    return _scope(replace(f, accounts=()), "", platform)


def _posted(column: str) -> sql.Composable:
    return sql.SQL(" AND {col} >= %(start_ts)s AND {col} < %(end_ts)s").format(col=_col(column))


def _frame(conn, query: sql.Composable, params: dict) -> pd.DataFrame:
    cur = conn.execute(query, params)
    names = [d.name for d in cur.description]
    frame = pd.DataFrame(cur.fetchall(), columns=names)
    for name in names:  # NUMERIC arrives as Decimal: floats for charts (NULL stays NaN, never 0)
        values = frame[name].dropna()
        if len(values) and isinstance(values.iloc[0], Decimal):
            frame[name] = pd.to_numeric(frame[name].map(lambda v: None if v is None else float(v)))
    return frame


# -- filter choices -------------------------------------------------------------------------

def account_choices(conn, f: Filters | None = None) -> pd.DataFrame:
    """Every account (id, platform, handle, label) for the account filter."""
    return _frame(conn, sql.SQL(
        "SELECT a.id::text AS social_account_id, a.platform::text AS platform, a.handle::text AS handle "
        "FROM social_accounts a ORDER BY a.platform, a.handle, a.id LIMIT 5000"), {})


# -- Overview -------------------------------------------------------------------------------

def headline(conn, f: Filters) -> pd.DataFrame:
    """Followers, views, impressions, engagement rate and posts of the period and of the previous one.

    One row per metric: value, previous, change, reported (accounts or posts behind the value), total
    (accounts or posts in the filter), unit, missing (platforms of accounts pulled that report no
    value), not_pulled_yet (accounts with no snapshot yet)."""
    p = f.params()
    prev = f.previous()
    p.update(prev_end=prev.end, prev_start_ts=datetime.combine(prev.start, time.min))
    followers = _frame(conn, sql.SQL(
        "WITH acc AS (SELECT a.id, a.platform FROM social_accounts a WHERE TRUE{scope}), "
        "f AS (SELECT acc.platform, EXISTS (SELECT 1 FROM social_analytics_snapshots s "
        "  WHERE s.social_account_id = acc.id AND s.snapshot_date <= %(end)s) AS pulled, "
        "  (SELECT s.followers_count FROM social_analytics_snapshots s WHERE s.social_account_id = acc.id "
        "     AND s.snapshot_date <= %(end)s AND s.followers_count IS NOT NULL "
        "   ORDER BY s.snapshot_date DESC LIMIT 1) AS now_f, "
        "  (SELECT s.followers_count FROM social_analytics_snapshots s WHERE s.social_account_id = acc.id "
        "     AND s.snapshot_date <= %(prev_end)s AND s.followers_count IS NOT NULL "
        "   ORDER BY s.snapshot_date DESC LIMIT 1) AS prev_f FROM acc) "
        "SELECT sum(now_f) AS value, sum(prev_f) FILTER (WHERE now_f IS NOT NULL) AS previous, "
        "  sum(now_f - prev_f) AS change, "
        "  count(now_f) AS reported, count(*) AS total, "
        "  array(SELECT DISTINCT x.platform::text FROM f x WHERE x.now_f IS NULL AND x.pulled ORDER BY 1) AS missing, "
        "  count(*) FILTER (WHERE NOT pulled) AS unpulled "
        "FROM f").format(scope=_scope(f, "a.id", "a.platform")), p)
    posts = _headline_posts(conn, f, p)
    fo, po = followers.iloc[0], posts.iloc[0]

    def change(now, before):
        return None if pd.isna(now) or pd.isna(before) else now - before

    rows = [
        # Followers' change: over the accounts known at both ends (an account first reported during
        # the period adds to the value, not to the change).
        ("followers", fo["value"], fo["previous"], fo["change"], fo["reported"], fo["total"], "accounts",
         list(fo["missing"]), fo["unpulled"]),
        ("views", po["views"], po["prev_views"], change(po["views"], po["prev_views"]), po["views_reported"],
         po["posts"], "posts", list(po["views_missing"]), 0),
        # Impressions apart from views: X counts impressions on every post and views on videos only,
        # LinkedIn and Pinterest impressions only; summing the two would count a post twice.
        ("impressions", po["impressions"], po["prev_impressions"], change(po["impressions"], po["prev_impressions"]),
         po["impressions_reported"], po["posts"], "posts", list(po["impressions_missing"]), 0),
        ("engagement_rate", po["rate"], po["prev_rate"], change(po["rate"], po["prev_rate"]), po["rate_reported"],
         po["posts"], "posts", list(po["rate_missing"]), 0),
        ("posts", po["posts"], po["prev_posts"], po["posts"] - po["prev_posts"], po["posts"], po["posts"], "posts",
         [], 0),
    ]
    return pd.DataFrame(rows, columns=["metric", "value", "previous", "change", "reported", "total", "unit",
                                       "missing", "not_pulled_yet"])


def _headline_posts(conn, f: Filters, p: dict) -> pd.DataFrame:
    """Posts, views, impressions and engagement of the period (cur) and the previous one, and the
    platforms that report no views (no impressions, no rate) in the period. Without an account filter from the serving
    layer's sums per platform and day of publication (social_platform_post_days); with one, from
    the chosen accounts' posts (the covering index of social_post_latest_metrics)."""
    if f.accounts:
        per_platform = sql.SQL(
            "SELECT pp.platform::text AS platform, pp.posted_at >= %(start_ts)s AS cur, count(*) AS posts, "
            "  sum(pp.views_count) AS views_sum, count(pp.views_count) AS views_n, "
            "  sum(pp.engagement_rate) AS rate_sum, count(pp.engagement_rate) AS rate_n, "
            "  sum(pp.impressions) AS impressions_sum, count(pp.impressions) AS impressions_n "
            "FROM social_post_latest_metrics pp "
            "WHERE pp.posted_at >= %(prev_start_ts)s AND pp.posted_at < %(end_ts)s{scope} GROUP BY 1, 2"
        ).format(scope=_scope(f, "pp.social_account_id", "pp.platform"))
    else:
        per_platform = sql.SQL(
            "SELECT d.platform::text AS platform, d.posted_date >= %(start)s AS cur, sum(d.posts) AS posts, "
            "  sum(d.views_sum) AS views_sum, sum(d.views_n) AS views_n, "
            "  sum(d.rate_sum) AS rate_sum, sum(d.rate_n) AS rate_n, "
            "  sum(d.impressions_sum) AS impressions_sum, sum(d.impressions_n) AS impressions_n "
            "FROM social_platform_post_days d "
            "WHERE d.posted_date >= %(prev_start)s AND d.posted_date <= %(end)s{platforms} GROUP BY 1, 2"
        ).format(platforms=_platform_scope(f, "d.platform"))
    return _frame(conn, sql.SQL(
        "WITH pp AS ({per_platform}) "
        "SELECT coalesce(sum(posts) FILTER (WHERE cur), 0)::bigint AS posts, "
        "  coalesce(sum(posts) FILTER (WHERE NOT cur), 0)::bigint AS prev_posts, "
        "  sum(views_sum) FILTER (WHERE cur) AS views, sum(views_sum) FILTER (WHERE NOT cur) AS prev_views, "
        "  coalesce(sum(views_n) FILTER (WHERE cur), 0)::bigint AS views_reported, "
        "  round(sum(rate_sum) FILTER (WHERE cur) / nullif(sum(rate_n) FILTER (WHERE cur), 0), 2) AS rate, "
        "  round(sum(rate_sum) FILTER (WHERE NOT cur) / nullif(sum(rate_n) FILTER (WHERE NOT cur), 0), 2) AS prev_rate, "
        "  coalesce(sum(rate_n) FILTER (WHERE cur), 0)::bigint AS rate_reported, "
        "  sum(impressions_sum) FILTER (WHERE cur) AS impressions, "
        "  sum(impressions_sum) FILTER (WHERE NOT cur) AS prev_impressions, "
        "  coalesce(sum(impressions_n) FILTER (WHERE cur), 0)::bigint AS impressions_reported, "
        "  array(SELECT x.platform FROM pp x WHERE x.cur AND x.impressions_n = 0 ORDER BY 1) AS impressions_missing, "
        "  array(SELECT x.platform FROM pp x WHERE x.cur AND x.views_n = 0 ORDER BY 1) AS views_missing, "
        "  array(SELECT x.platform FROM pp x WHERE x.cur AND x.rate_n = 0 ORDER BY 1) AS rate_missing "
        "FROM pp").format(per_platform=per_platform), {**p, "prev_start": f.previous().start})


def followers_over_time(conn, f: Filters) -> pd.DataFrame:
    """Daily followers of the FOLLOWER_LINES largest accounts in the filter (NULL where the
    platform did not report that day)."""
    return _frame(conn, sql.SQL(
        "WITH top AS (SELECT a.id, a.platform, a.handle, "
        "  (SELECT s.followers_count FROM social_analytics_snapshots s WHERE s.social_account_id = a.id "
        "     AND s.snapshot_date <= %(end)s AND s.followers_count IS NOT NULL "
        "   ORDER BY s.snapshot_date DESC LIMIT 1) AS latest "
        "  FROM social_accounts a WHERE TRUE{scope} ORDER BY latest DESC NULLS LAST, a.id LIMIT %(lines)s) "
        "SELECT s.snapshot_date, top.platform::text || ' @' || top.handle::text AS account, s.followers_count "
        "FROM top JOIN social_analytics_snapshots s ON s.social_account_id = top.id "
        "WHERE s.snapshot_date BETWEEN %(start)s AND %(end)s ORDER BY s.snapshot_date, account"
    ).format(scope=_scope(f, "a.id", "a.platform")), {**f.params(), "lines": FOLLOWER_LINES})


def best_time(conn, f: Filters) -> pd.DataFrame:
    """Weekday x hour (UTC) of publication against engagement, as social_best_time_to_post
    computes it (original and quote posts, mean engagement rate, confidence high from 10 posts,
    medium from 4) over the filtered accounts' posts published in the period. (The view itself
    covers all history per account; over every account that is a scan of every post, too slow
    for a page, so the page reads the same definition for its period from
    social_post_performance.)"""
    return _frame(conn, sql.SQL(
        "SELECT extract(isodow FROM pp.posted_at)::int AS weekday, to_char(pp.posted_at, 'FMday') AS weekday_name, "
        "  extract(hour FROM pp.posted_at)::int AS hour_utc, count(*) AS posts, "
        "  round(avg(pp.engagement_rate), 2) AS avg_engagement_rate, round(avg(pp.views_count), 0) AS avg_views, "
        "  CASE WHEN count(*) >= 10 THEN 'high' WHEN count(*) >= 4 THEN 'medium' ELSE 'low' END AS confidence "
        "FROM social_post_latest_metrics pp WHERE pp.post_kind IN ('original', 'quote'){posted}{scope} "
        "GROUP BY 1, 2, 3 ORDER BY 1, 3"
    ).format(posted=_posted("pp.posted_at"), scope=_scope(f, "pp.social_account_id", "pp.platform")), f.params())


def top_posts(conn, f: Filters) -> pd.DataFrame:
    """The most viewed posts published in the period, with thumbnail (the image the platform gives
    for the post, social_posts_analytics.thumbnail_url; for a post not pulled since migration 021,
    its media_url when that is an image), caption and link."""
    return _frame(conn, sql.SQL(
        "SELECT pp.post_id, pp.platform::text AS platform, pp.account_username::text AS account, "
        "  coalesce(p.thumbnail_url, CASE WHEN p.media_url ~* '[.](jpe?g|png|webp|gif)([?#]|$)' THEN p.media_url END) "
        "    AS thumbnail, "
        "  COALESCE(pp.title, pp.caption) AS caption, pp.post_url, pp.posted_at, "
        "  pp.current_views, pp.current_likes, pp.current_comments, pp.engagement_rate "
        "FROM (SELECT l.post_id FROM social_post_latest_metrics l WHERE TRUE{posted}{scope} "
        "      ORDER BY l.views_count DESC NULLS LAST, l.engagement_rate DESC NULLS LAST, l.post_id LIMIT %(limit)s) top "
        "JOIN social_post_performance pp ON pp.post_id = top.post_id JOIN social_posts_analytics p ON p.id = pp.post_id "
        "ORDER BY pp.current_views DESC NULLS LAST, pp.engagement_rate DESC NULLS LAST, pp.post_id"
    ).format(posted=_posted("l.posted_at"), scope=_scope(f, "l.social_account_id", "l.platform")),
        {**f.params(), "limit": TOP_POSTS_LIMIT})


# -- Posts ----------------------------------------------------------------------------------

def posts_count(conn, f: Filters) -> pd.DataFrame:
    return _frame(conn, sql.SQL(
        "SELECT count(*) AS posts FROM social_post_latest_metrics pp WHERE TRUE{posted}{scope}"
    ).format(posted=_posted("pp.posted_at"), scope=_scope(f, "pp.social_account_id", "pp.platform")), f.params())


def posts_table(conn, f: Filters, limit: int = POSTS_LIMIT) -> pd.DataFrame:
    """The newest ``limit`` posts published in the period with their latest metrics and, as a
    sparkline, their daily views (from social_post_metrics, those posts only)."""
    posts = _frame(conn, sql.SQL(
        "SELECT pp.post_id, pp.posted_at, pp.platform::text AS platform, pp.account_username::text AS account, "
        "  COALESCE(pp.title, pp.caption) AS caption, pp.post_kind::text AS post_kind, pp.current_views, "
        "  pp.current_likes, pp.current_comments, pp.current_shares, pp.current_saves, pp.current_impressions, "
        "  pp.current_reach, pp.engagement_rate, pp.metrics_date, pp.post_url "
        "FROM (SELECT l.post_id FROM social_post_latest_metrics l WHERE TRUE{posted}{scope} "
        # posted_at is set within the period: newest first read backwards from the index
        "      ORDER BY l.posted_at DESC, l.post_id DESC LIMIT %(limit)s) newest "
        "JOIN social_post_performance pp ON pp.post_id = newest.post_id "
        "ORDER BY pp.posted_at DESC NULLS LAST, pp.post_id DESC"
    ).format(posted=_posted("l.posted_at"), scope=_scope(f, "l.social_account_id", "l.platform")),
        {**f.params(), "limit": limit})
    if posts.empty:
        posts["views_trend"] = []
        return posts
    spark = _frame(conn, sql.SQL(
        "SELECT m.post_id, array_agg(m.views_count ORDER BY m.snapshot_date) AS views_trend "
        "FROM social_post_metrics m WHERE m.post_id = ANY(%(ids)s) AND m.snapshot_hour IS NULL "
        "AND m.views_count IS NOT NULL GROUP BY m.post_id"), {"ids": [int(x) for x in posts["post_id"]]})
    trends = dict(zip(spark["post_id"], spark["views_trend"]))
    posts["views_trend"] = [[int(v) for v in trends[i]] if i in trends else None for i in posts["post_id"]]
    return posts


def post_curve(conn, f: Filters, post_id: int) -> pd.DataFrame:
    """One post's views by age: hourly rows for its first 48 hours, then its daily rows (a daily
    row counts at the end of its day), against the median of its account's MEDIAN_POSTS newest
    other posts at the same ages (hours 1-48, then whole days)."""
    return _frame(conn, sql.SQL(
        "WITH target AS (SELECT id, social_account_id, posted_at FROM social_posts_analytics WHERE id = %(post)s), "
        "peers AS (SELECT p.id, p.posted_at FROM social_posts_analytics p, target t "
        "          WHERE p.social_account_id = t.social_account_id AND p.posted_at IS NOT NULL "
        "          ORDER BY (p.id = t.id) DESC, p.posted_at DESC LIMIT %(peers)s + 1), "
        "obs AS (SELECT m.post_id, m.views_count, m.snapshot_hour IS NOT NULL AS hourly, "
        "          extract(epoch FROM m.snapshot_date + make_interval(hours => COALESCE(m.snapshot_hour, 23) + 1) "
        "                  - q.posted_at) / 3600 AS age "
        "        FROM peers q JOIN social_post_metrics m ON m.post_id = q.id WHERE m.views_count IS NOT NULL), "
        "has_hourly AS (SELECT post_id FROM obs WHERE hourly GROUP BY post_id), "
        "kept AS (SELECT o.post_id, o.views_count, "
        "           CASE WHEN o.hourly THEN ceil(o.age) ELSE 24 * ceil(o.age / 24) END::int AS age_hours "
        "         FROM obs o WHERE o.age > 0 AND ((o.hourly AND o.age <= 48) OR (NOT o.hourly AND (o.age > 48 "
        "           OR o.post_id NOT IN (SELECT post_id FROM has_hourly))))), "
        "own AS (SELECT age_hours, max(views_count) AS views FROM kept WHERE post_id = %(post)s GROUP BY 1), "
        "med AS (SELECT age_hours, percentile_cont(0.5) WITHIN GROUP (ORDER BY views_count) AS median, "
        "          count(DISTINCT post_id) AS posts FROM kept WHERE post_id <> %(post)s GROUP BY 1) "
        "SELECT COALESCE(own.age_hours, med.age_hours) AS age_hours, own.views AS this_post, "
        "       round(med.median::numeric, 0) AS account_median, COALESCE(med.posts, 0) AS median_posts "
        "FROM own FULL JOIN med ON med.age_hours = own.age_hours "
        "WHERE COALESCE(own.age_hours, med.age_hours) <= (SELECT COALESCE(max(age_hours), 48) FROM own) "
        "ORDER BY 1"), {"post": int(post_id), "peers": MEDIAN_POSTS})


def curve_post_choices(conn, f: Filters) -> pd.DataFrame:
    """The posts offered for the growth curve: the most viewed of the period."""
    return _frame(conn, sql.SQL(
        "SELECT pp.post_id, pp.platform::text AS platform, pp.account_username::text AS account, "
        "  left(COALESCE(pp.title, pp.caption, ''), 60) AS caption, pp.current_views "
        "FROM (SELECT l.post_id FROM social_post_latest_metrics l WHERE TRUE{posted}{scope} "
        "      ORDER BY l.views_count DESC NULLS LAST, l.post_id LIMIT %(limit)s) top "
        "JOIN social_post_performance pp ON pp.post_id = top.post_id "
        "ORDER BY pp.current_views DESC NULLS LAST, pp.post_id"
    ).format(posted=_posted("l.posted_at"), scope=_scope(f, "l.social_account_id", "l.platform")),
        {**f.params(), "limit": LIST_LIMIT})


def _first_post(conn, f: Filters) -> pd.DataFrame:
    choices = curve_post_choices(conn, f)
    return post_curve(conn, f, int(choices["post_id"].iloc[0])) if len(choices) else choices


# -- Hashtags and content -------------------------------------------------------------------

def hashtag_leaderboard(conn, f: Filters) -> pd.DataFrame:
    """Hashtags of the posts published in the period (latest metrics), most used first; the
    columns of social_hashtag_insights plus how many posts report views. Read from the serving
    layer: the links with their post's time, account and platform (social_hashtag_post_days)
    against the period's posts on the covering index of social_post_latest_metrics.

    A period that ends today, over every account and platform, is the window since its first day:
    social_hashtags_since(start) answers it from the weekly and daily sums (unless a post is dated
    after today, which that window would count)."""
    params = {**f.params(), "limit": HASHTAG_LIMIT}
    if not f.accounts and not f.platforms and f.end >= _today() and conn.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM social_post_latest_metrics WHERE posted_at >= %(end_ts)s)",
            params).fetchone()[0]:
        return _frame(conn, sql.SQL(
            "SELECT i.hashtag::text AS hashtag, i.posts, i.accounts, i.platforms, i.total_views, i.posts_with_views, "
            "  i.avg_views, i.avg_engagement_rate FROM social_hashtags_since(%(start_ts)s) i "
            "ORDER BY i.posts DESC, i.avg_engagement_rate DESC NULLS LAST, i.hashtag LIMIT %(limit)s"), params)
    return _frame(conn, sql.SQL(
        "WITH tagged AS (SELECT c.hashtag_id, c.social_account_id, c.platform, l.views_count, l.engagement_rate "
        "  FROM social_hashtag_post_days c "
        "  JOIN social_post_latest_metrics l ON l.post_id = c.post_id AND l.posted_at >= %(start_ts)s "
        "   AND l.posted_at < %(end_ts)s "
        "  WHERE TRUE{posted}{scope}), "
        "ranked AS (SELECT hashtag_id, count(*) AS posts, "   # (post, hashtag) is unique
        "  count(DISTINCT social_account_id) AS accounts, "
        "  array_agg(DISTINCT platform::text ORDER BY platform::text) AS platforms, "
        "  sum(views_count) AS total_views, count(views_count) AS posts_with_views, "
        "  round(avg(views_count), 0) AS avg_views, round(avg(engagement_rate), 2) AS avg_engagement_rate "
        "  FROM tagged GROUP BY hashtag_id) "
        "SELECT h.hashtag::text AS hashtag, r.posts, r.accounts, r.platforms, r.total_views, r.posts_with_views, "
        "  r.avg_views, r.avg_engagement_rate "
        "FROM ranked r JOIN social_hashtags h ON h.id = r.hashtag_id "
        "ORDER BY r.posts DESC, r.avg_engagement_rate DESC NULLS LAST, h.hashtag LIMIT %(limit)s"
    ).format(posted=_posted("c.posted_at"), scope=_scope(f, "c.social_account_id", "c.platform")), params)


def hashtag_insights(conn, f: Filters, days: int = 30) -> pd.DataFrame:
    """social_hashtag_insights(days) over every account (the function has no account filter),
    narrowed to hashtags used on the filtered platforms; ranked as social_top_hashtags ranks."""
    where = sql.SQL(" WHERE i.platforms && %(platforms)s::text[]") if f.platforms else sql.SQL("")
    return _frame(conn, sql.SQL(
        "SELECT i.hashtag::text AS hashtag, i.posts, i.accounts, i.platforms, i.total_views, i.avg_views, "
        "  i.avg_engagement_rate FROM social_hashtag_insights(%(days)s) i{where} "
        "ORDER BY i.avg_engagement_rate DESC NULLS LAST, i.posts DESC, i.hashtag LIMIT %(limit)s"
    ).format(where=where), {**f.params(), "days": int(days), "limit": HASHTAG_LIMIT})


def videos(conn, f: Filters) -> pd.DataFrame:
    """Internal videos posted at least once (social_content_performance), most viewed first;
    with an account or platform filter, those with a post on it."""
    scoped = _scope(f, "cp.social_account_id", "cp.platform")
    narrow = (sql.SQL(" AND v.video_id IN (SELECT cp.video_id FROM social_content_posts cp WHERE TRUE{})")
              .format(scoped) if f.accounts or f.platforms else sql.SQL(""))
    return _frame(conn, sql.SQL(
        "SELECT v.video_id::text AS video_id, v.video_title, v.platforms, v.posts, v.clip_posts, v.total_views, "
        "  v.total_likes, v.total_comments, v.total_shares, v.best_platform, v.first_posted_at, v.last_posted_at "
        "FROM social_content_performance v WHERE v.posts > 0{narrow} "
        "ORDER BY v.total_views DESC NULLS LAST, v.video_id LIMIT %(limit)s").format(narrow=narrow),
        {**f.params(), "limit": VIDEO_LIMIT})


def video_posts(conn, f: Filters, video_id: str) -> pd.DataFrame:
    """Every post carrying one video (or a clip of it), across platforms (social_content_posts)."""
    # The posts any link may tie to the video first: the view picks each post's link with
    # DISTINCT ON (post_id), so a filter on post_id reaches its tables where one on video_id
    # would make it resolve every post's link.
    candidates = [r[0] for r in conn.execute(
        "WITH v AS (SELECT %(video)s::uuid AS id), c AS (SELECT c.id FROM clips c, v WHERE c.video_id = v.id) "
        "SELECT p.id FROM social_posts_analytics p, v WHERE p.video_id = v.id "
        "UNION SELECT p.id FROM social_posts_analytics p WHERE p.clip_id IN (SELECT id FROM c) "
        "UNION SELECT m.post_id FROM social_content_mappings m, v WHERE m.post_id IS NOT NULL "
        "  AND (m.video_id = v.id OR m.clip_id IN (SELECT id FROM c)) "
        "UNION SELECT p.id FROM social_content_mappings m JOIN social_posts_analytics p "
        "  ON p.platform = lower(m.platform) AND p.external_post_id = m.external_post_id, v "
        "  WHERE m.post_id IS NULL AND (m.video_id = v.id OR m.clip_id IN (SELECT id FROM c))",
        {"video": video_id})]
    return _frame(conn, sql.SQL(
        "SELECT cp.platform::text AS platform, a.handle::text AS account, cp.post_url, cp.posted_at, "
        "  cp.current_views, cp.current_likes, cp.current_comments, cp.current_shares, cp.current_saves, "
        "  cp.engagement_rate, cp.clip_id IS NOT NULL AS is_clip, cp.link_source "
        "FROM social_content_posts cp JOIN social_accounts a ON a.id = cp.social_account_id "
        "WHERE cp.post_id = ANY(%(posts)s) AND cp.video_id = %(video)s::uuid{scope} "
        "ORDER BY cp.current_views DESC NULLS LAST, cp.post_id LIMIT %(limit)s"
    ).format(scope=_scope(f, "cp.social_account_id", "cp.platform")),
        {**f.params(), "video": video_id, "posts": candidates, "limit": LIST_LIMIT})


def _first_video(conn, f: Filters) -> pd.DataFrame:
    found = videos(conn, f)
    return video_posts(conn, f, found["video_id"].iloc[0]) if len(found) else found


# -- Audience and comments ------------------------------------------------------------------

_LATEST_DEMOGRAPHICS = (
    "WITH latest AS (SELECT a.platform, d.* FROM social_accounts a JOIN LATERAL ("
    "  SELECT d.age_13_17, d.age_18_24, d.age_25_34, d.age_35_44, d.age_45_plus, d.gender_male, "
    "         d.gender_female, d.top_countries FROM social_audience_demographics d "
    "  WHERE d.social_account_id = a.id AND d.snapshot_date <= %(end)s "
    "  ORDER BY d.snapshot_date DESC LIMIT 1) d ON TRUE WHERE TRUE{scope}) "
)


def demographics(conn, f: Filters) -> pd.DataFrame:
    """Age and gender shares (percent) of each account's newest demographics row up to the end of
    the period, averaged over the accounts that report the bucket (``reported`` of ``total``)."""
    return _frame(conn, sql.SQL(
        _LATEST_DEMOGRAPHICS
        + "SELECT k.dimension, k.bucket, round(avg(k.share), 2) AS share, count(k.share) AS reported, "
          "  count(*) AS total, "
          "  array(SELECT DISTINCT l2.platform::text FROM latest l2 ORDER BY 1) AS platforms "
          "FROM latest l CROSS JOIN LATERAL (VALUES "
          "  ('age', 1, '13-17', l.age_13_17), ('age', 2, '18-24', l.age_18_24), ('age', 3, '25-34', l.age_25_34), "
          "  ('age', 4, '35-44', l.age_35_44), ('age', 5, '45+', l.age_45_plus), "
          "  ('gender', 1, 'male', l.gender_male), ('gender', 2, 'female', l.gender_female)"
          ") k(dimension, ord, bucket, share) GROUP BY k.dimension, k.ord, k.bucket ORDER BY k.dimension, k.ord"
    ).format(scope=_scope(f, "a.id", "a.platform")), f.params())


def demographics_missing(conn, f: Filters) -> pd.DataFrame:
    """Per platform in the filter, which dimensions none of its accounts report."""
    return _frame(conn, sql.SQL(
        _LATEST_DEMOGRAPHICS
        + "SELECT l.platform::text AS platform, count(*) AS accounts, "
          "  count(*) FILTER (WHERE COALESCE(l.age_13_17, l.age_18_24, l.age_25_34, l.age_35_44, l.age_45_plus) "
          "                   IS NOT NULL) AS with_age, "
          "  count(*) FILTER (WHERE COALESCE(l.gender_male, l.gender_female) IS NOT NULL) AS with_gender, "
          "  count(*) FILTER (WHERE jsonb_typeof(l.top_countries) = 'object') AS with_countries "
          "FROM latest l GROUP BY 1 ORDER BY 1"
    ).format(scope=_scope(f, "a.id", "a.platform")), f.params())


def countries(conn, f: Filters) -> pd.DataFrame:
    """Countries of the accounts' top-countries lists: mean share among the accounts listing the
    country, and how many do."""
    return _frame(conn, sql.SQL(
        _LATEST_DEMOGRAPHICS
        + "SELECT c.key AS country, round(avg(c.value::text::numeric), 2) AS share, count(*) AS accounts "
          "FROM latest l CROSS JOIN LATERAL jsonb_each(l.top_countries) c "
          "WHERE jsonb_typeof(l.top_countries) = 'object' AND jsonb_typeof(c.value) = 'number' "
          "GROUP BY c.key ORDER BY accounts DESC, share DESC, country LIMIT 15"
    ).format(scope=_scope(f, "a.id", "a.platform")), f.params())


def sentiment_over_time(conn, f: Filters) -> pd.DataFrame:
    """Comments on the posts published in the period, by the UTC day they were written and
    sentiment (unscored: the model gave none, e.g. a language it cannot score)."""
    if not f.accounts:
        # Every account (or whole platforms): the serving layer's counts by (day of publication,
        # platform, day written), a few hundred rows.
        return _frame(conn, sql.SQL(
            "SELECT s.commented_date AS day, sum(s.positive)::bigint AS positive, sum(s.neutral)::bigint AS neutral, "
            "  sum(s.negative)::bigint AS negative, sum(s.unscored)::bigint AS unscored "
            "FROM social_comment_sentiment_daily s "
            "WHERE s.posted_date BETWEEN %(start)s AND %(end)s AND s.commented_date <= %(end)s{platforms} "
            "GROUP BY 1 ORDER BY 1"
        ).format(platforms=_platform_scope(f, "s.platform")), f.params())
    # Some accounts: their posts of the period one by one through the (post_id, ...) index (OFFSET 0
    # keeps the planner from turning this into a scan of every comment).
    return _frame(conn, sql.SQL(
        "SELECT c.day, count(*) FILTER (WHERE c.sentiment = 'positive') AS positive, "
        "  count(*) FILTER (WHERE c.sentiment = 'neutral') AS neutral, "
        "  count(*) FILTER (WHERE c.sentiment = 'negative') AS negative, "
        "  count(*) FILTER (WHERE c.sentiment IS NULL) AS unscored "
        "FROM social_posts_analytics p CROSS JOIN LATERAL ("
        "  SELECT c.commented_at::date AS day, c.sentiment FROM social_comments c "
        "  WHERE c.post_id = p.id AND c.commented_at IS NOT NULL AND c.commented_at < %(end_ts)s OFFSET 0) c "
        "WHERE TRUE{posted}{scope} GROUP BY 1 ORDER BY 1"
    ).format(posted=_posted("p.posted_at"), scope=_scope(f, "p.social_account_id", "p.platform")), f.params())


# The most liked comments of all, walked in the dashboard's order before falling back to the
# period's posts one by one: enough for a month of a year's history at 1,000 accounts, a few ms.
COMMENT_WALK = 5000


def top_comments(conn, f: Filters) -> pd.DataFrame:
    """The most liked comments on the posts published in the period; ``creator_replied``: the
    creator answered it; ``by_creator``: the creator wrote it.

    Without an account filter, the COMMENT_WALK most liked comments of all (social_comments_likes_idx,
    in this order) are checked against the period and platforms first: when COMMENT_LIMIT of them
    qualify, they are the answer (any comment further down has fewer likes, or as many and comes
    later in the order). Otherwise, and for chosen accounts, the period's posts are read one by
    one, each through its (post_id, ...) index."""
    params = {**f.params(), "limit": COMMENT_LIMIT, "walk": COMMENT_WALK}
    if not f.accounts:
        top = _top_comments(conn, sql.SQL(
            "SELECT w.id, w.likes_count, w.comment_text, w.author_username, w.is_creator_reply, w.sentiment, "
            "  w.commented_at, p.platform, p.post_url "
            "FROM (SELECT c.id, c.post_id, c.likes_count, c.comment_text, c.author_username, c.is_creator_reply, "
            "        c.sentiment, c.commented_at FROM social_comments c WHERE c.likes_count IS NOT NULL "
            "      ORDER BY c.likes_count DESC, c.commented_at DESC NULLS LAST, c.id LIMIT %(walk)s) w "
            "CROSS JOIN LATERAL (SELECT p.platform, p.post_url FROM social_posts_analytics p "
            "  WHERE p.id = w.post_id{posted}{platforms}) p "
            "ORDER BY w.likes_count DESC, w.commented_at DESC NULLS LAST, w.id LIMIT %(limit)s"
        ).format(posted=_posted("p.posted_at"), platforms=_platform_scope(f, "p.platform")), params)
        if len(top) >= COMMENT_LIMIT:
            return top
    return _top_comments(conn, sql.SQL(
        "SELECT c.id, c.likes_count, c.comment_text, c.author_username, c.is_creator_reply, "
        "    c.sentiment, c.commented_at, p.platform, p.post_url "
        "  FROM social_posts_analytics p CROSS JOIN LATERAL ("
        "    SELECT c.id, c.likes_count, c.comment_text, c.author_username, c.is_creator_reply, c.sentiment, "
        "           c.commented_at FROM social_comments c WHERE c.post_id = p.id AND c.likes_count IS NOT NULL "
        "    ORDER BY c.likes_count DESC, c.commented_at DESC NULLS LAST, c.id LIMIT %(limit)s) c "
        "  WHERE TRUE{posted}{scope} "
        "  ORDER BY c.likes_count DESC, c.commented_at DESC NULLS LAST, c.id LIMIT %(limit)s"
    ).format(posted=_posted("p.posted_at"), scope=_scope(f, "p.social_account_id", "p.platform")), params)


def _top_comments(conn, top: sql.Composable, params: dict) -> pd.DataFrame:
    """The comments ``top`` selects (id, likes_count, comment_text, author_username,
    is_creator_reply, sentiment, commented_at, platform, post_url), as the page shows them."""
    return _frame(conn, sql.SQL(
        "WITH top AS MATERIALIZED ({top}) "
        "SELECT t.likes_count, t.comment_text, t.author_username::text AS author, t.is_creator_reply AS by_creator, "
        "  EXISTS (SELECT 1 FROM social_comments r WHERE r.parent_comment_id = t.id AND r.is_creator_reply) "
        "    AS creator_replied, t.sentiment::text AS sentiment, t.commented_at, t.platform::text AS platform, "
        "  t.post_url "
        "FROM top t ORDER BY t.likes_count DESC, t.commented_at DESC NULLS LAST, t.id"
    ).format(top=top), params)


# -- Pipeline health ------------------------------------------------------------------------

def last_runs(conn, f: Filters) -> pd.DataFrame:
    """Per platform, its newest pulled day in the period and how that day's accounts fared."""
    return _frame(conn, sql.SQL(
        "WITH j AS (SELECT COALESCE(j.platform, a.platform)::text AS platform, j.partition_date, j.status::text AS status, "
        "             j.completed_at, j.posts_fetched, j.requests_made "
        "           FROM social_fetch_jobs j JOIN social_accounts a ON a.id = j.social_account_id "
        "           WHERE j.partition_date BETWEEN %(start)s AND %(end)s{scope}), "
        "last AS (SELECT platform, max(partition_date) AS day FROM j GROUP BY platform) "
        "SELECT j.platform, l.day AS last_day, count(*) AS accounts, "
        "  count(*) FILTER (WHERE j.status = 'completed') AS completed, "
        "  count(*) FILTER (WHERE j.status = 'failed') AS failed, "
        "  count(*) FILTER (WHERE j.status = 'skipped') AS skipped, "
        "  count(*) FILTER (WHERE j.status IN ('pending', 'running')) AS unfinished, "
        "  max(j.completed_at) AS finished_at, sum(j.posts_fetched) AS posts_fetched, "
        "  sum(j.requests_made) AS requests "
        "FROM j JOIN last l ON l.platform = j.platform AND l.day = j.partition_date "
        "GROUP BY j.platform, l.day ORDER BY j.platform"
    ).format(scope=_scope(f, "a.id", "a.platform")), f.params())


def failed_accounts(conn, f: Filters) -> pd.DataFrame:
    """Accounts whose newest pull in the period failed or was skipped, with the message."""
    return _frame(conn, sql.SQL(
        "SELECT * FROM (SELECT DISTINCT ON (j.social_account_id) a.platform::text AS platform, "
        "  a.handle::text AS account, j.partition_date, j.status::text AS status, j.error_kind::text AS error_kind, "
        "  j.error_message, j.completed_at "
        "  FROM social_fetch_jobs j JOIN social_accounts a ON a.id = j.social_account_id "
        "  WHERE j.partition_date BETWEEN %(start)s AND %(end)s{scope} "
        "  ORDER BY j.social_account_id, j.partition_date DESC, j.created_at DESC) newest "
        "WHERE status IN ('failed', 'skipped') ORDER BY partition_date DESC, platform, account LIMIT %(limit)s"
    ).format(scope=_scope(f, "a.id", "a.platform")), {**f.params(), "limit": LIST_LIMIT})


def expiring_tokens(conn, f: Filters) -> pd.DataFrame:
    """Accounts whose access token has expired or expires within TOKEN_WARNING_DAYS days
    (social_account_credentials.token_expires_at only; no token is ever read)."""
    return _frame(conn, sql.SQL(
        "SELECT a.platform::text AS platform, a.handle::text AS account, c.token_expires_at, "
        "  round(extract(epoch FROM c.token_expires_at - now()) / 86400, 1) AS days_left "
        "FROM social_account_credentials c JOIN social_accounts a ON a.id = c.social_account_id "
        "WHERE c.token_expires_at IS NOT NULL AND c.token_expires_at < now() + make_interval(days => %(warn)s){scope} "
        "ORDER BY c.token_expires_at, a.platform, a.handle LIMIT %(limit)s"
    ).format(scope=_scope(f, "a.id", "a.platform")), {**f.params(), "warn": TOKEN_WARNING_DAYS, "limit": LIST_LIMIT})


def usage_today(conn, f: Filters) -> pd.DataFrame:
    """Requests, quota units and money spent today (UTC), from the raw ledger (social_raw_pulls),
    per platform and provider. NULL units or cost: the platform has no unit quota or price."""
    day = _today()
    return _frame(conn, sql.SQL(
        "SELECT r.platform::text AS platform, r.provider_name::text AS provider, count(*) AS requests, "
        "  count(*) FILTER (WHERE NOT r.ok) AS failed_requests, count(*) FILTER (WHERE r.attempt > 1) AS retries, "
        "  sum(r.cost_units) AS cost_units, sum(r.cost_usd) AS cost_usd "
        "FROM social_raw_pulls r WHERE r.fetched_at >= %(day)s AND r.fetched_at < %(next)s{scope} "
        "GROUP BY 1, 2 ORDER BY 1, 2"
    ).format(scope=_scope(f, "r.social_account_id", "r.platform")),
        {**f.params(), "day": datetime.combine(day, time.min, timezone.utc),
         "next": datetime.combine(day + timedelta(days=1), time.min, timezone.utc)})


BENCH_QUERIES: list[tuple[str, str, Callable]] = [
    ("overview", "headline", headline),
    ("overview", "followers_over_time", followers_over_time),
    ("overview", "best_time", best_time),
    ("overview", "top_posts", top_posts),
    ("posts", "posts_count", posts_count),
    ("posts", "posts_table", posts_table),
    ("posts", "curve_post_choices", curve_post_choices),
    ("posts", "post_curve", _first_post),
    ("hashtags", "hashtag_leaderboard", hashtag_leaderboard),
    ("hashtags", "hashtag_insights_30", hashtag_insights),
    ("hashtags", "videos", videos),
    ("hashtags", "video_posts", _first_video),
    ("audience", "demographics", demographics),
    ("audience", "demographics_missing", demographics_missing),
    ("audience", "countries", countries),
    ("audience", "sentiment_over_time", sentiment_over_time),
    ("audience", "top_comments", top_comments),
    ("health", "last_runs", last_runs),
    ("health", "failed_accounts", failed_accounts),
    ("health", "expiring_tokens", expiring_tokens),
    ("health", "usage_today", usage_today),
]
