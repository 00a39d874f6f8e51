"""The views as they were before the serving layer (migrations 001-017), to compare with.

``reference_schema(conn)`` creates schema ``serving_reference`` holding the last definition of each
view (and of ``social_hashtag_insights``) that migrations before 018 created, read from the SQL
files themselves: they compute everything from the metrics history, post by post. With
``search_path = serving_reference, public`` their references to each other resolve to the old
definitions and the tables to ours. ``serving_differences(conn)`` then lists, per view, the rows
that differ between the view (read from the serving layer) and its old definition.

The tables of migration 020 summarize rather than replace a view: each is compared with a recount
from the history (RECOUNTS), the posts' latest metrics taken from the old social_post_performance.
"""

from __future__ import annotations

import re

from psycopg import sql

from social_pipeline.storage.migrate import SQL_DIR

SCHEMA = "serving_reference"
SERVING_MIGRATION = 18
# In dependency order.
VIEWS = (
    "social_post_performance", "social_post_velocity", "social_post_virality", "social_top_hashtags",
    "social_best_time_to_post", "social_content_posts", "social_content_performance",
)
FUNCTION = "social_hashtag_insights"
# What is compared: every view whole, and the function over the windows the README and the
# dashboard use.
QUERIES = {
    **{view: f"SELECT * FROM {{schema}}.{view}" for view in VIEWS},
    **{f"{FUNCTION}({days})": f"SELECT * FROM {{schema}}.{FUNCTION}({days})" for days in (7, 30, 90, 365)},
}
# (what the serving layer holds, the same recounted from the history), {schema}: the reference.
_SINCE = "(current_date - {days})::timestamp"
RECOUNTS = {
    "social_comment_sentiment_daily": (
        "SELECT posted_date, platform, commented_date, positive, neutral, negative, unscored "
        "FROM social_comment_sentiment_daily",
        "SELECT p.posted_at::date, p.platform, c.commented_at::date, count(*) FILTER (WHERE c.sentiment = 'positive'), "
        "  count(*) FILTER (WHERE c.sentiment = 'neutral'), count(*) FILTER (WHERE c.sentiment = 'negative'), "
        "  count(*) FILTER (WHERE c.sentiment IS NULL) "
        "FROM social_comments c JOIN social_posts_analytics p ON p.id = c.post_id "
        "WHERE c.commented_at IS NOT NULL AND p.posted_at IS NOT NULL GROUP BY 1, 2, 3"),
    "social_platform_post_days": (
        "SELECT posted_date, platform, posts, views_sum, views_n, rate_sum, rate_n, impressions_sum, impressions_n "
        "FROM social_platform_post_days",
        "SELECT posted_at::date, platform, count(*), sum(current_views), count(current_views), sum(engagement_rate), "
        "  count(engagement_rate), sum(current_impressions), count(current_impressions) "
        "FROM {schema}.social_post_performance WHERE posted_at IS NOT NULL GROUP BY 1, 2"),
    **{f"social_hashtags_since({_SINCE.format(days=days)})": (
        f"SELECT * FROM social_hashtags_since({_SINCE.format(days=days)})",
        "SELECT h.hashtag, count(*), count(DISTINCT pp.social_account_id), "
        "  array_agg(DISTINCT pp.platform::text ORDER BY pp.platform::text), sum(pp.current_views), count(pp.current_views), "
        "  round(avg(pp.current_views), 0), round(avg(pp.engagement_rate), 2) "
        "FROM {schema}.social_post_performance pp JOIN social_post_hashtags ph ON ph.post_id = pp.post_id "
        f"JOIN social_hashtags h ON h.id = ph.hashtag_id WHERE pp.posted_at >= {_SINCE.format(days=days)} GROUP BY h.hashtag")
       for days in (0, 6, 30)},
}


def _sources() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SQL_DIR.glob("*.sql"))
            if int(p.name.split("_", 1)[0]) < SERVING_MIGRATION]


def _last(pattern: str, group: int, what: str) -> str:
    """The last match of ``pattern`` in the migrations before the serving layer."""
    found = [m.group(group) for text in _sources() for m in re.finditer(pattern, text, re.S)]
    if not found:
        raise LookupError(f"no definition of {what} before migration {SERVING_MIGRATION}")
    return found[-1]


def old_view(name: str) -> str:
    """The SELECT of the last definition of view ``name`` before the serving layer."""
    return _last(rf"CREATE (?:OR REPLACE )?VIEW {name} AS\n(.*?);\n", 1, f"view {name}")


def old_function(name: str) -> str:
    """The whole last definition of function ``name`` before the serving layer."""
    return _last(rf"CREATE OR REPLACE FUNCTION {name}\(.*?\n\$\$;\n", 0, f"function {name}")


def reference_schema(conn) -> None:
    """(Re)create ``serving_reference`` with the old definitions."""
    with conn.transaction():
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SCHEMA)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
        conn.execute(sql.SQL("SET LOCAL search_path = {}, public").format(sql.Identifier(SCHEMA)))
        for view in VIEWS[:1]:
            conn.execute(sql.SQL("CREATE VIEW {}.{} AS ").format(sql.Identifier(SCHEMA), sql.Identifier(view))
                         + sql.SQL(old_view(view)))
        # The function reads social_post_performance: the old one, found first on the path.
        body = old_function(FUNCTION).replace(f"FUNCTION {FUNCTION}(", f"FUNCTION {SCHEMA}.{FUNCTION}(", 1)
        body = body.replace("LANGUAGE sql STABLE AS", f"LANGUAGE sql STABLE SET search_path = {SCHEMA}, public AS", 1)
        conn.execute(sql.SQL(body))
        for view in VIEWS[1:]:
            conn.execute(sql.SQL("CREATE VIEW {}.{} AS ").format(sql.Identifier(SCHEMA), sql.Identifier(view))
                         + sql.SQL(old_view(view)))


def serving_differences(conn, *, rebuild: bool = True) -> dict[str, tuple[int, int, list]]:
    """Per compared query: (rows now, rows before 018, a sample of differing rows), only where
    they differ. Empty: the serving layer answers exactly as the history-scanning views did."""
    if rebuild:
        reference_schema(conn)
    out = {}
    pairs = [(name, query.format(schema="public"), query.format(schema=SCHEMA)) for name, query in QUERIES.items()]
    pairs += [(name, new, old.format(schema=SCHEMA)) for name, (new, old) in RECOUNTS.items()]
    for name, new, old in pairs:
        counts = conn.execute(f"SELECT (SELECT count(*) FROM ({new}) a), (SELECT count(*) FROM ({old}) b)").fetchone()
        sample = conn.execute(
            f"(({new}) EXCEPT ALL ({old})) UNION ALL (({old}) EXCEPT ALL ({new})) LIMIT 4").fetchall()
        if sample or counts[0] != counts[1]:
            out[name] = (counts[0], counts[1], sample)
    return out


def row_counts(conn) -> dict[str, int]:
    queries = {**{name: q.format(schema="public") for name, q in QUERIES.items()},
               **{name: new for name, (new, _) in RECOUNTS.items()}}
    return {name: conn.execute(f"SELECT count(*) FROM ({q}) x").fetchone()[0] for name, q in queries.items()}
