"""The specification's example queries and the README's insight views on a year of history.

    python -m benchmarks.queries_bench                 # 1,000 accounts, 364 days (a few minutes to seed)
    python -m benchmarks.queries_bench --accounts 100  # quicker

A throwaway database (on ``$SOCIAL_PIPELINE_DATABASE_URL``'s server when set, else an embedded
PostgreSQL in a temporary folder) is migrated up to the migration before
``sql/009_query_indexes.sql``, filled by :func:`benchmarks.year_seed.seed_year` with a year for
``--accounts`` accounts ending yesterday, and ANALYZEd. Each query then runs ``--repeat`` times
after one warm-up, **before** and **after** applying 009 (its indexes and view rewrites, built on
the year of data), and the median wall time (client side, rows fetched) is set against the 50 ms
budget. The details hold each query's ``EXPLAIN (ANALYZE, BUFFERS)`` plan after (and before, for
the queries 009 changed).

This is a benchmark, not a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
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


def time_query(conn, q: Query, repeat: int) -> tuple[float, int]:
    """Median wall time in ms over ``repeat`` runs after one warm-up (3 runs for a query that
    takes over a second), and the rows returned."""
    started = time.perf_counter()
    rows = len(conn.execute(q.sql, q.params).fetchall())
    if time.perf_counter() - started > 1.0:
        repeat = min(repeat, 3)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        conn.execute(q.sql, q.params).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def explain(conn, q: Query) -> str:
    plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + q.sql, q.params).fetchall()
    return "\n".join(r[0] for r in plan)


def measure(conn, qs: list[Query], repeat: int) -> dict[str, tuple[float, int, str]]:
    return {q.name: (*time_query(conn, q, repeat), explain(conn, q)) for q in qs}


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


def run(accounts: int = 1000, days: int = 364, repeat: int = 7, end_day: date | None = None,
        url: str | None = None) -> report.Section:
    """Seed, measure before and after 009, and return the section (plans in ``details``)."""
    end_day = end_day or datetime.now(timezone.utc).date()  # history up to yesterday: "last 7 days" has posts
    if url is None:
        with scratch_database("sp_queries", migrated=False) as fresh:
            return run(accounts, days, repeat, end_day, fresh)
    with psycopg.connect(url, autocommit=True) as conn:
        migrate_before(conn)
        started = time.perf_counter()
        counts = seed_year(conn, end_day=end_day, days=days, accounts=accounts, apply_migrations=False)
        seed_seconds = time.perf_counter() - started
        conn.execute("VACUUM ANALYZE")  # as autovacuum would have, over a year: visibility map for index-only scans
        qs = queries(conn)
        before = measure(conn, qs, repeat)
        started = time.perf_counter()
        migrate(conn)
        migrate_seconds = time.perf_counter() - started
        conn.execute("ANALYZE")
        after = measure(conn, qs, repeat)
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "pg_size_pretty(pg_total_relation_size('social_post_metrics'))"
        ).fetchone()
    section = report.Section(SECTION)
    for q in qs:
        ms_before, _, _ = before[q.name]
        ms, rows, _ = after[q.name]
        section.figures.append(report.Figure(
            section=SECTION, name=f"{q.name} ({q.source})", value=ms, unit="ms", baseline_name="budget",
            baseline=BUDGET_MS, target=1.0, higher_is_better=False,
            note=f"before 009: {ms_before:.1f} ms; {rows} rows",
        ))
    volumes = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    lines = [
        f"History: {accounts:,} accounts, {days} days ({end_day - timedelta(days=days)} .. {end_day - timedelta(days=1)}, "
        f"the last one yesterday UTC), seeded in "
        f"{seed_seconds:.0f} s; database {sizes[0]}, social_post_metrics with indexes {sizes[1]}.",
        f"Rows: {volumes}.",
        f"Migration 009 applied on that year in {migrate_seconds:.1f} s. Median of {repeat} runs after a warm-up, "
        "client wall time with the rows fetched.",
        "",
        "| query | source | before 009 | after 009 | rows |",
        "|---|---|---:|---:|---:|",
    ]
    for q in qs:
        lines.append(f"| {q.name} | {q.source} | {before[q.name][0]:.1f} ms | {after[q.name][0]:.1f} ms | {after[q.name][1]} |")
    lines.append("")
    for q in qs:
        lines.append(f"### {q.name} ({q.source})\n\n```sql\n{q.sql}\n```\n" + (f"parameters: `{q.params}`\n" if q.params else ""))
        if q.limit and after[q.name][0] > BUDGET_MS:
            lines.append(f"Over the budget: {q.limit}\n")
        if _shape(before[q.name][2]) != _shape(after[q.name][2]):
            lines.append(_plan_block(f"before 009: {before[q.name][0]:.1f} ms", before[q.name][2]))
        lines.append(_plan_block(f"after 009: {after[q.name][0]:.1f} ms", after[q.name][2]))
    section.details = "\n".join(lines)
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=364)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--url", help="an existing, empty database to use instead of a throwaway one")
    args = parser.parse_args()
    section = run(args.accounts, args.days, args.repeat, url=args.url)
    print(report.console(section.figures))
    print()
    print(section.details)


if __name__ == "__main__":
    main()
