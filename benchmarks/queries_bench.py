"""The specification's example queries, the README's insight views and the dashboard's queries on
a year of history, before and after the serving layer.

    python -m benchmarks.queries_bench                 # 1,000 accounts, 364 days (minutes to seed)
    python -m benchmarks.queries_bench --accounts 100  # quicker

A throwaway database (on ``$SOCIAL_PIPELINE_DATABASE_URL``'s server when set, else an embedded
PostgreSQL in a temporary folder) is migrated up to the migration before
``sql/018_serving_layer.sql`` (the views as they were, reading each post's latest metrics from the
history), filled by :func:`benchmarks.year_seed.seed_year` with a year for ``--accounts`` accounts
ending yesterday, and ANALYZEd. Each query then runs ``--repeat`` times after one warm-up,
**before** and **after** applying 018 (which builds the serving layer from that year), and its
95th percentile (client wall time, rows fetched) is set against the 50 ms budget, the median beside
it. The dashboard's pages are summed against 1 s each. The upkeep of the layer is the extra time
the serving triggers add to a day's write of post metrics, as a share of the whole day. The details
hold each SQL query's ``EXPLAIN (ANALYZE, BUFFERS)`` plan after (and before, where it changed).

This is a benchmark, not a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
from psycopg import sql

from social_pipeline.storage.migrate import SQL_DIR, discover, migrate

from . import report
from .scratch import scratch_database
from .year_seed import seed_year

SECTION = "4. views on a year"
BUDGET_MS = 50.0
INDEX_MIGRATION = "009_query_indexes.sql"
SERVING_MIGRATION = "018_serving_layer.sql"
PAGE_BUDGET_MS = 1000.0
LATEST_PER_POST = ("Each post's latest metrics are one index lookup per post in the range (~3-10 us each); "
                   "ordering or aggregating posts by them reads every one. Only current metrics stored on the post "
                   "row (with an index on them) would bound it.")


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    source: str  # "spec" (the specification's example queries) or "README"
    params: tuple = ()
    limit: str = ""  # what bounds it when no index can: said next to its plan
    call: Callable | None = None  # a dashboard query: run as the dashboard runs it (returns its rows)

    def fetch(self, conn) -> int:
        if self.call is not None:
            # The dashboard opens a connection per query, so its statements are never prepared
            # (no generic plan after 5 runs): the same here.
            threshold, conn.prepare_threshold = conn.prepare_threshold, None
            try:
                return len(self.call(conn))
            finally:
                conn.prepare_threshold = threshold
        return len(conn.execute(self.sql, self.params).fetchall())


def queries(conn) -> list[Query]:
    """The queries, with parameters picked from the seeded data (a busy post, a real handle)."""
    last = conn.execute("SELECT max(snapshot_date) FROM social_post_metrics WHERE snapshot_hour IS NULL").fetchone()[0]
    # A post with a long daily history (Pinterest tracks 90 days), still tracked on the last day.
    post_id = conn.execute(
        "SELECT id FROM social_posts_analytics WHERE last_seen_date = %s ORDER BY first_seen_date, id LIMIT 1", (last,)
    ).fetchone()[0]
    # A TikTok post: its URL carries its id, as in the specification's example.
    external, handle = conn.execute(
        "SELECT p.external_post_id, a.handle FROM social_posts_analytics p JOIN social_accounts a ON a.id = p.social_account_id "
        "WHERE p.platform = 'tiktok' AND p.last_seen_date = %s ORDER BY p.id LIMIT 1",
        (last,),
    ).fetchone()
    return [
        Query("latest analytics, monitored accounts",
              "SELECT username, platform, followers_count, engagement_rate, follower_growth FROM social_analytics_latest "
              "WHERE monitoring_enabled = TRUE ORDER BY followers_count DESC", "spec"),
        Query("latest analytics, all columns", "SELECT * FROM social_analytics_latest", "spec"),
        Query("top posts of the last 7 days",
              "SELECT account_username, caption, current_views, current_likes, engagement_rate, post_url "
              "FROM social_post_performance WHERE posted_at >= CURRENT_DATE - INTERVAL '7 days' "
              "ORDER BY current_views DESC LIMIT 10", "spec"),
        Query("top TikTok posts",
              "SELECT * FROM social_post_performance WHERE platform = 'tiktok' ORDER BY current_views DESC LIMIT 10", "spec",
              limit=LATEST_PER_POST),
        Query("one post's growth",
              "SELECT snapshot_date, views_count, likes_count, engagement_rate FROM social_post_metrics "
              "WHERE post_id = %s ORDER BY snapshot_date", "spec", (post_id,)),
        Query("find a post by URL", "SELECT id, post_url FROM social_posts_analytics WHERE post_url LIKE %s", "spec",
              (f"%{external}%",), limit="A pattern with a leading % can only use a trigram index (pg_trgm, which 009 "
              "creates where the extension can be installed); without it the posts are scanned."),
        Query("accounts of a platform", "SELECT id, handle, platform FROM social_accounts WHERE platform = 'tiktok'", "spec"),
        Query("top posts by engagement, last 30 days",
              "SELECT account_username, platform, post_url, engagement_rate FROM social_post_performance "
              "WHERE posted_at >= CURRENT_DATE - 30 AND engagement_rate IS NOT NULL "
              "ORDER BY engagement_rate DESC LIMIT 10", "README", limit=LATEST_PER_POST),
        Query("hashtag insights, 90 days",
              "SELECT * FROM social_hashtag_insights(90) ORDER BY avg_engagement_rate DESC LIMIT 20", "README",
              limit=LATEST_PER_POST),
        Query("top hashtags (30 days)", "SELECT * FROM social_top_hashtags LIMIT 20", "README", limit=LATEST_PER_POST),
        Query("best time to post, one account",
              "SELECT weekday_name, hour_utc, posts, avg_engagement_rate, confidence FROM social_best_time_to_post "
              "WHERE account_username = %s ORDER BY lift DESC LIMIT 5", "README", (handle,)),
        Query("account growth, YouTube",
              "SELECT snapshot_date, followers_count, growth_7d, growth_7d_pct FROM social_account_growth "
              "WHERE platform = 'youtube' ORDER BY snapshot_date DESC LIMIT 14", "README"),
        Query("post velocity, top 10",
              "SELECT post_id, platform, views_per_hour_48h FROM social_post_velocity "
              "ORDER BY views_per_hour_48h DESC LIMIT 10", "README",
              limit="Every post's velocity is computed to rank them: one bounded metrics lookup per post of the history."),
        Query("viral posts",
              "SELECT account_username, post_url, virality_score FROM social_post_virality WHERE virality_score >= 3 "
              "ORDER BY virality_score DESC", "README",
              limit="An account's median needs the latest views of all its posts: one lookup per post of the history."),
        Query("content performance",
              "SELECT video_title, platforms, total_views, best_platform FROM social_content_performance "
              "ORDER BY total_views DESC NULLS LAST", "README", limit=LATEST_PER_POST),
    ]


def time_query(conn, q: Query, repeat: int) -> tuple[float, float, int]:
    """Median and 95th percentile of the wall time in ms over ``repeat`` runs after one warm-up
    (3 runs for a query that takes over a second), and the rows returned."""
    started = time.perf_counter()
    rows = q.fetch(conn)
    if time.perf_counter() - started > 1.0:
        repeat = min(repeat, 3)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        q.fetch(conn)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), p95(times), rows


def p95(times: list[float]) -> float:
    """The 95th percentile (inclusive, interpolated), the largest time for fewer than 2 runs."""
    return statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else max(times)


SERVING_TRIGGERS = ("social_post_metrics_serving_ins", "social_post_metrics_serving_upd", "social_post_metrics_serving_del",
                    "social_post_metrics_serving_lock")
# Migration 020's part of the metrics write: the sums by platform and day, kept from the latest rows.
PLATFORM_DAY_TRIGGERS = ("social_post_latest_metrics_days_ins", "social_post_latest_metrics_days_upd",
                         "social_post_latest_metrics_days_del")
COMMENT_TRIGGERS = ("social_comments_serving_ins", "social_comments_serving_del", "social_comments_serving_note",
                    "social_comments_serving_upd", "social_comments_serving_lock")
COMMENT_LIKES_INDEX = "social_comments_likes_idx"
# The whole day's wall time at 1,000 accounts, when the day part does not run in the same `make
# bench`, so the share still has a denominator: the fastest recent figure (docs/performance-notes.md,
# 2026-12; a later 273 s ran on a slower machine), as the smaller day gives the larger share.
LAST_DAY_SECONDS = 233.0

# The next day's comments upsert, as the comments asset writes it: every comment the last day saw,
# seen again with one more like, and one new comment in 20, written that next day.
_COMMENTS_WRITE = """
INSERT INTO social_comments (post_id, external_comment_id, comment_text, author_username, is_reply, likes_count,
    is_creator_reply, sentiment, sentiment_score, commented_at, first_seen_date, last_seen_date, language, thread_depth)
SELECT post_id, external_comment_id, comment_text, author_username, is_reply, likes_count + 1, is_creator_reply,
       sentiment, sentiment_score, commented_at, first_seen_date, last_seen_date + 1, language, thread_depth
FROM social_comments WHERE last_seen_date = %(day)s
UNION ALL
SELECT post_id, external_comment_id || '-next', comment_text, author_username, false, 0, false, sentiment,
       sentiment_score, (%(day)s + 1)::timestamp + make_interval(mins => id %% 1440), %(day)s + 1, %(day)s + 1,
       language, 0
FROM social_comments WHERE last_seen_date = %(day)s AND id %% 20 = 0
ON CONFLICT (post_id, external_comment_id) DO UPDATE SET comment_text = EXCLUDED.comment_text,
    author_username = EXCLUDED.author_username, likes_count = EXCLUDED.likes_count, sentiment = EXCLUDED.sentiment,
    sentiment_score = EXCLUDED.sentiment_score, commented_at = EXCLUDED.commented_at, language = EXCLUDED.language,
    first_seen_date = least(social_comments.first_seen_date, EXCLUDED.first_seen_date),
    last_seen_date = greatest(social_comments.last_seen_date, EXCLUDED.last_seen_date), updated_at = now()
"""


def _disable(conn, table: str, triggers) -> None:
    for trigger in triggers:
        conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(sql.Identifier(table), sql.Identifier(trigger)))


def _timed_write(conn, write: str, params, setup) -> tuple[float, int]:
    """``write`` in a transaction rolled back, after ``setup(conn)``: (ms, rows)."""
    with conn.transaction(force_rollback=True):
        setup(conn)
        started = time.perf_counter()
        rows = conn.execute(write, params).rowcount
        return (time.perf_counter() - started) * 1000, rows


def serving_cost(conn, repeat: int = 3) -> dict[str, float]:
    """What keeping the serving layer costs a day's writes, median of ``repeat`` runs each, every
    run in a transaction rolled back:

    - the metrics write: the next day's daily rows (every post tracked on the last day, views and
      likes up 1 %) inserted in one statement, as the metrics asset writes them: with every
      serving trigger disabled (``without``), with 018's only (``with_018``), with all (``with``);
    - the comments write (_COMMENTS_WRITE): without 020's comment triggers and likes index
      (``comments_without``), and with them (``comments_with``).
    Returns the rows written and the times in ms."""
    last = conn.execute("SELECT max(snapshot_date) FROM social_post_metrics WHERE snapshot_hour IS NULL").fetchone()[0]
    write = (
        "INSERT INTO social_post_metrics (post_id, snapshot_date, likes_count, comments_count, views_count, shares_count, "
        "saves_count, impressions, reach, engagement_rate) "
        "SELECT post_id, snapshot_date + 1, (likes_count * 1.01)::bigint, comments_count, (views_count * 1.01)::bigint, "
        "shares_count, saves_count, impressions, reach, engagement_rate FROM social_post_metrics "
        "WHERE snapshot_date = %s AND snapshot_hour IS NULL"
    )
    metrics_setups = {
        "without": lambda c: _disable(c, "social_post_metrics", SERVING_TRIGGERS),
        "with_018": lambda c: _disable(c, "social_post_latest_metrics", PLATFORM_DAY_TRIGGERS),
        "with": lambda c: None,
    }
    comment_day = conn.execute("SELECT max(last_seen_date) FROM social_comments").fetchone()[0]

    def bare_comments(c):
        _disable(c, "social_comments", COMMENT_TRIGGERS)
        c.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(COMMENT_LIKES_INDEX)))

    comment_setups = {"comments_without": bare_comments, "comments_with": lambda c: None}
    times: dict[str, list[float]] = {name: [] for name in [*metrics_setups, *comment_setups]}
    out: dict[str, float] = {}
    for _ in range(repeat):
        for name, setup in metrics_setups.items():
            ms, out["rows"] = _timed_write(conn, write, (last,), setup)
            times[name].append(ms)
        for name, setup in comment_setups.items():
            ms, out["comment_rows"] = _timed_write(conn, _COMMENTS_WRITE, {"day": comment_day}, setup)
            times[name].append(ms)
    return {**out, **{name: statistics.median(values) for name, values in times.items()}}


def explain(conn, q: Query) -> str:
    if q.call is not None:
        return ""
    plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + q.sql, q.params).fetchall()
    return "\n".join(r[0] for r in plan)


def measure(conn, qs: list[Query], repeat: int) -> dict[str, tuple[float, float, int, str]]:
    out = {}
    for q in qs:
        try:
            out[q.name] = (*time_query(conn, q, repeat), explain(conn, q))
        except psycopg.errors.UndefinedTable:  # a dashboard query reading the serving layer, before 018
            if q.call is None:
                raise
            out[q.name] = (float("nan"), float("nan"), 0, "")
    return out


def dashboard_queries() -> list[Query]:
    """Every query the dashboard's pages run, with the dashboard's default filters; source = page."""
    try:
        from social_pipeline.dashboard.queries import BENCH_QUERIES, Filters
    except (ImportError, AttributeError) as exc:  # a tree without the dashboard: the SQL queries alone
        print(f"dashboard queries not measured: {exc}", flush=True)
        return []
    return [Query(f"{page}: {name}", "", f"dashboard {page}", call=lambda conn, fn=fn: fn(conn, Filters()))
            for page, name, fn in BENCH_QUERIES]


def migrate_before(conn, migration: str = INDEX_MIGRATION) -> None:
    """Apply the migrations that come before ``migration`` only."""
    version = int(migration.split("_", 1)[0])
    with tempfile.TemporaryDirectory() as folder:
        for m in discover():
            if m.version < version:
                shutil.copy(SQL_DIR / m.name, Path(folder) / m.name)
        migrate(conn, Path(folder))


def _shape(plan: str) -> str:
    """A plan without its run-time numbers, to tell whether two plans differ."""
    keep = [l for l in plan.splitlines() if not l.strip().startswith(("Buffers:", "Planning", "Execution", "I/O Timings"))]
    return re.sub(r"\(actual[^)]*\)|rows=\d+|loops=\d+|Memory[^\n]*|Heap Blocks[^\n]*", "", "\n".join(keep))


def _plan_block(title: str, plan: str) -> str:
    return f"**{title}**\n\n```\n{plan}\n```\n"


def run(accounts: int = 1000, days: int = 364, repeat: int = 20, end_day: date | None = None,
        url: str | None = None, day_seconds: float | None = None) -> report.Section:
    """Seed a year with the schema of today's views (migrations up to 017), measure, apply the
    serving layer (018) on that year, measure again; return the section (plans in ``details``).

    ``day_seconds``: the whole day's wall time measured by the day part of the same run, the
    denominator of the serving layer's share (else the last recorded figure)."""
    end_day = end_day or datetime.now(timezone.utc).date()  # history up to yesterday: "last 7 days" has posts
    if url is None:
        with scratch_database("sp_queries", migrated=False) as fresh:
            return run(accounts, days, repeat, end_day, fresh, day_seconds)
    with psycopg.connect(url, autocommit=True) as conn:
        migrate_before(conn, SERVING_MIGRATION)
        started = time.perf_counter()
        counts = seed_year(conn, end_day=end_day, days=days, accounts=accounts, apply_migrations=False)
        seed_seconds = time.perf_counter() - started
        conn.execute("VACUUM ANALYZE")  # as autovacuum would have, over a year: visibility map for index-only scans
        qs = queries(conn)
        dashboard = dashboard_queries()
        before = measure(conn, qs + dashboard, repeat)
        started = time.perf_counter()
        migrate(conn)
        migrate_seconds = time.perf_counter() - started
        conn.execute("VACUUM ANALYZE")
        after = measure(conn, qs + dashboard, repeat)
        cost = serving_cost(conn)
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "pg_size_pretty(pg_total_relation_size('social_post_metrics')), "
            "pg_size_pretty(pg_total_relation_size('social_post_latest_metrics'))"
        ).fetchone()
    section = report.Section(SECTION)
    for q in qs + dashboard:
        ms_before, p95_before, _, _ = before[q.name]
        ms, p95_after, rows, _ = after[q.name]
        section.figures.append(report.Figure(
            section=SECTION, name=f"{q.name} ({q.source}), p95", value=p95_after, unit="ms", baseline_name="budget",
            baseline=BUDGET_MS, target=1.0, higher_is_better=False,
            note=f"before 018: p95 {p95_before:.1f} ms, median {ms_before:.1f} ms; after: median {ms:.1f} ms; {rows} rows"
            if p95_before == p95_before else f"reads the serving layer (none before 018); median {ms:.1f} ms; {rows} rows",
        ))
    pages: dict[str, list[Query]] = {}
    for q in dashboard:
        pages.setdefault(q.source, []).append(q)
    for page, page_qs in pages.items():
        total = sum(after[q.name][1] for q in page_qs)
        section.figures.append(report.Figure(
            section=SECTION, name=f"{page}: all its queries, sum of p95", value=total, unit="ms",
            baseline_name="page budget", baseline=PAGE_BUDGET_MS, target=1.0, higher_is_better=False,
            note=f"{len(page_qs)} queries",
        ))
    day_ms = (day_seconds or LAST_DAY_SECONDS) * 1000
    metrics_extra = cost["with"] - cost["without"]
    comments_extra = cost["comments_with"] - cost["comments_without"]
    extra = metrics_extra + comments_extra
    section.figures.append(report.Figure(
        section=SECTION, name="serving layer: upkeep of a day's metrics and comments writes", value=extra, unit="ms",
        baseline_name="whole day at 1,000 accounts" + ("" if day_seconds else " (last recorded)"), baseline=day_ms,
        target=0.10, higher_is_better=False,
        note=f"metrics ({cost['rows']:,} rows): {cost['without']:.0f} ms bare, {cost['with_018']:.0f} ms with 018, "
             f"{cost['with']:.0f} ms with 018 to 022; comments ({cost['comment_rows']:,} rows): "
             f"{cost['comments_without']:.0f} ms bare, {cost['comments_with']:.0f} ms with 020",
    ))
    volumes = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    lines = [
        f"History: {accounts:,} accounts, {days} days ({end_day - timedelta(days=days)} .. {end_day - timedelta(days=1)}, "
        f"the last one yesterday UTC), seeded in "
        f"{seed_seconds:.0f} s; database {sizes[0]}, social_post_metrics with indexes {sizes[1]}, "
        f"social_post_latest_metrics with indexes {sizes[2]}.",
        f"Rows: {volumes}.",
        f"Before: the views as migrations 001-017 leave them (each post's latest metrics looked up in the history). "
        f"After: migrations 018 to 022 (the serving layer 018, 020 and 022; 019 only comments; 021 a thumbnail "
        f"column), applied on that year in "
        f"{migrate_seconds:.1f} s (they build the layer from the history). {repeat} runs after a warm-up (3 for a "
        "query over a second), client wall time with the rows fetched; p95 and median. The dashboard's queries run "
        "with its default filters (every account, the last 30 days) and, as in the dashboard, are never prepared.",
        f"Upkeep, each write in one statement rolled back, median of 3. The next day's {cost['rows']:,} daily metrics "
        f"rows (as the metrics asset writes a day): {cost['without']:.0f} ms with the serving triggers disabled, "
        f"{cost['with_018']:.0f} ms with 018's, {cost['with']:.0f} ms with 018's and 020's (022's sums included). The "
        f"next day's comments "
        f"upsert ({cost['comment_rows']:,} rows: every comment the last day saw, one more like each, and one new "
        f"comment in 20): {cost['comments_without']:.0f} ms without 020's triggers and likes index, "
        f"{cost['comments_with']:.0f} ms with them. In all {extra:.0f} ms, {100 * extra / day_ms:.1f} % of the day "
        f"({day_ms / 1000:.0f} s{' measured by the day part of this run' if day_seconds else ', the last recorded day'}).",
        "",
        "| query | source | p95 before 018 | p95 after 018/020 | median after | rows |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for q in qs + dashboard:
        b, a = before[q.name], after[q.name]
        before_p95 = "reads the layer" if b[1] != b[1] else f"{b[1]:.1f} ms"  # NaN: the query needs 018
        lines.append(f"| {q.name} | {q.source} | {before_p95} | {a[1]:.1f} ms | {a[0]:.1f} ms | {a[2]} |")
    lines.append("")
    for q in qs:
        lines.append(f"### {q.name} ({q.source})\n\n```sql\n{q.sql}\n```\n" + (f"parameters: `{q.params}`\n" if q.params else ""))
        if q.limit and after[q.name][1] > BUDGET_MS:
            lines.append(f"Over the budget: {q.limit}\n")
        if _shape(before[q.name][3]) != _shape(after[q.name][3]):
            lines.append(_plan_block(f"before 018: {before[q.name][0]:.1f} ms", before[q.name][3]))
        lines.append(_plan_block(f"after 018: {after[q.name][0]:.1f} ms", after[q.name][3]))
    section.details = "\n".join(lines)
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=364)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--url", help="an existing, empty database to use instead of a throwaway one")
    args = parser.parse_args()
    section = run(args.accounts, args.days, args.repeat, url=args.url)
    print(report.console(section.figures))
    print()
    print(section.details)


if __name__ == "__main__":
    main()
