"""Data-quality checks on every table, shown in the Dagster UI next to their assets.

Each check counts the rows of one partition day (or, for whole-table invariants, of the table)
that break a rule, and reports a sample. ERROR marks data that is wrong (a duplicated natural key,
a negative count, a reply threaded to another post's comment); WARN marks data that is suspicious
but can be real (a follower spike, views going down after a platform's audit, a missing day).

Several rules are also constraints of our schema; the checks still run because an existing
database (a Supabase schema created by hand) may lack them, and they say which rows are at fault.
"""

from dataclasses import dataclass
from datetime import timedelta

from dagster import (
    AssetCheckEvaluation,
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from .partitions import daily_partitions
from .storage.database import Database

ERROR, WARN = AssetCheckSeverity.ERROR, AssetCheckSeverity.WARN
SAMPLE = 5


@dataclass(frozen=True)
class Rule:
    asset: str
    name: str
    severity: AssetCheckSeverity
    description: str
    # A query returning the offending rows (first column: a label for the sample); it may use
    # %(day)s (the partition day). Rules read the rows the day wrote (last_seen_date, snapshot
    # dates), never the whole history, so a check costs the same on day 365 as on day 1.
    sql: str


RULES = [
    # -- posts ----------------------------------------------------------------------------------
    Rule("social_posts_analytics", "natural_key_unique", ERROR, "One row per (account, platform, external_post_id).",
         "SELECT platform || ':' || external_post_id FROM social_posts_analytics "
         "WHERE (social_account_id, platform, external_post_id) IN "
         "(SELECT social_account_id, platform, external_post_id FROM social_posts_analytics WHERE last_seen_date = %(day)s) "
         "GROUP BY social_account_id, platform, external_post_id HAVING count(*) > 1"),
    Rule("social_posts_analytics", "account_exists", ERROR, "Every post's account exists in social_accounts.",
         "SELECT p.id::text FROM social_posts_analytics p LEFT JOIN social_accounts a ON a.id = p.social_account_id "
         "WHERE a.id IS NULL AND p.last_seen_date = %(day)s"),
    Rule("social_posts_analytics", "values_valid", ERROR, "Durations are non-negative; posts are not dated in the future of their pull.",
         "SELECT id::text FROM social_posts_analytics WHERE last_seen_date = %(day)s AND (duration < 0 "
         "OR (posted_at IS NOT NULL AND posted_at::date > last_seen_date))"),
    # -- post metrics ---------------------------------------------------------------------------
    Rule("social_post_metrics", "day_has_rows", ERROR,
         "The day holds metrics of at least one post (from a pull that observed the day), once posts are tracked.",
         "SELECT 'no post metrics on ' || %(day)s::date WHERE EXISTS (SELECT 1 FROM social_posts_analytics WHERE first_seen_date <= %(day)s) "
         "AND EXISTS (SELECT 1 FROM social_analytics_snapshots WHERE snapshot_date = %(day)s AND observation IS DISTINCT FROM 'reconstructed') "
         "AND NOT EXISTS (SELECT 1 FROM social_post_metrics WHERE snapshot_date = %(day)s AND snapshot_hour IS NULL)"),
    Rule("social_post_metrics", "natural_key_unique", ERROR, "One daily row per (post_id, snapshot_date).",
         "SELECT post_id || '@' || snapshot_date FROM social_post_metrics WHERE snapshot_date = %(day)s "
         "AND snapshot_hour IS NULL GROUP BY post_id, snapshot_date HAVING count(*) > 1"),
    Rule("social_post_metrics", "counts_non_negative", ERROR, "No count is negative.",
         "SELECT id::text FROM social_post_metrics WHERE snapshot_date = %(day)s AND (likes_count < 0 "
         "OR comments_count < 0 OR views_count < 0 OR shares_count < 0 OR saves_count < 0 "
         "OR watch_time_seconds < 0 OR impressions < 0 OR reach < 0)"),
    Rule("social_post_metrics", "rates_within_bounds", ERROR, "engagement_rate in [0, 999.99], completion_rate in [0, 100].",
         "SELECT id::text FROM social_post_metrics WHERE snapshot_date = %(day)s AND (engagement_rate < 0 "
         "OR engagement_rate > 999.99 OR completion_rate < 0 OR completion_rate > 100)"),
    Rule("social_post_metrics", "views_do_not_decrease", WARN,
         "A post's views are not lower than the day before (platforms do sometimes remove invalid views). "
         "A change of counting method between the two days (views_method, e.g. YouTube's of 2026-08-27) "
         "is not a decrease.",
         "SELECT m.post_id || ': ' || p.views_count || ' -> ' || m.views_count FROM social_post_metrics m "
         "JOIN social_post_metrics p ON p.post_id = m.post_id AND p.snapshot_date = m.snapshot_date - 1 "
         "AND p.snapshot_hour IS NULL WHERE m.snapshot_date = %(day)s AND m.snapshot_hour IS NULL "
         "AND m.views_count < p.views_count AND m.views_method IS NOT DISTINCT FROM p.views_method"),
    Rule("social_post_metrics", "serving_layer_current", ERROR,
         "The serving layer (social_post_latest_metrics, migration 018) holds, for every post the day wrote "
         "metrics for, the newest of its metrics rows: what social_post_performance and the dashboard show.",
         "SELECT d.post_id || ': serving ' || coalesce(l.snapshot_date || ' h' || coalesce(l.snapshot_hour::text, '-') "
         "|| ' views ' || coalesce(l.views_count::text, 'null'), 'no row') || ', history ' || n.snapshot_date || ' h' "
         "|| coalesce(n.snapshot_hour::text, '-') || ' views ' || coalesce(n.views_count::text, 'null') "
         "FROM (SELECT DISTINCT post_id FROM social_post_metrics WHERE snapshot_date = %(day)s) d "
         "LEFT JOIN social_post_latest_metrics l ON l.post_id = d.post_id "
         "CROSS JOIN LATERAL (SELECT m.* FROM social_post_metrics m WHERE m.post_id = d.post_id "
         "ORDER BY m.snapshot_date DESC, COALESCE(m.snapshot_hour, 24) DESC LIMIT 1) n "
         "WHERE l.post_id IS NULL OR (l.snapshot_date, l.snapshot_hour, l.views_count, l.likes_count, l.comments_count, "
         "l.shares_count, l.engagement_rate) IS DISTINCT FROM (n.snapshot_date, n.snapshot_hour, n.views_count, "
         "n.likes_count, n.comments_count, n.shares_count, n.engagement_rate)"),
    Rule("social_post_metrics", "platform_days_current", ERROR,
         "The serving layer's sums per platform and day of publication (social_platform_post_days, migration 020) "
         "equal a recount of the latest metrics for the days of the posts the day wrote metrics for: the overview's "
         "headline numbers.",
         "WITH keys AS (SELECT DISTINCT l.platform, l.posted_at::date AS posted_date FROM social_post_latest_metrics l "
         "  WHERE l.posted_at IS NOT NULL AND l.post_id IN (SELECT post_id FROM social_post_metrics WHERE snapshot_date = %(day)s)), "
         "recount AS (SELECT k.platform, k.posted_date, count(*) AS posts, sum(l.views_count) AS views_sum, "
         "  count(l.views_count) AS views_n, sum(l.engagement_rate) AS rate_sum, count(l.engagement_rate) AS rate_n, "
         "  sum(l.impressions) AS impressions_sum, count(l.impressions) AS impressions_n "
         "  FROM keys k JOIN social_post_latest_metrics l ON l.platform = k.platform AND l.posted_at >= k.posted_date "
         "  AND l.posted_at < k.posted_date + 1 GROUP BY 1, 2), "
         "kept AS (SELECT d.* FROM social_platform_post_days d JOIN keys k USING (platform, posted_date)) "
         "SELECT coalesce(r.platform, k.platform) || ' ' || coalesce(r.posted_date, k.posted_date) || ': serving ' "
         "  || coalesce(k.posts::text, 'no row') || ' posts, ' || coalesce(k.views_sum::text, 'null') || ' views; recount ' "
         "  || coalesce(r.posts::text, 'none') || ' posts, ' || coalesce(r.views_sum::text, 'null') || ' views' "
         "FROM recount r FULL JOIN kept k ON k.platform = r.platform AND k.posted_date = r.posted_date "
         "WHERE (r.posts, r.views_sum, r.views_n, r.rate_sum, r.rate_n, r.impressions_sum, r.impressions_n) "
         "IS DISTINCT FROM (k.posts, k.views_sum, k.views_n, k.rate_sum, k.rate_n, k.impressions_sum, k.impressions_n)"),
    # -- snapshots ------------------------------------------------------------------------------
    Rule("social_analytics_snapshots", "natural_key_unique", ERROR, "One row per (account, day).",
         "SELECT social_account_id || '@' || snapshot_date FROM social_analytics_snapshots "
         "WHERE snapshot_date = %(day)s GROUP BY social_account_id, snapshot_date HAVING count(*) > 1"),
    Rule("social_analytics_snapshots", "counts_non_negative", ERROR, "No count is negative.",
         "SELECT id::text FROM social_analytics_snapshots WHERE snapshot_date = %(day)s AND (followers_count < 0 "
         "OR following_count < 0 OR posts_count < 0 OR total_likes < 0 OR total_comments < 0 OR total_views < 0 "
         "OR total_shares < 0 OR engagement_rate < 0)"),
    Rule("social_analytics_snapshots", "day_has_rows", ERROR,
         "The day holds a snapshot of at least one account: a day that wrote none is not a day loaded.",
         "SELECT 'no snapshot on ' || %(day)s::date WHERE EXISTS (SELECT 1 FROM social_analytics_config WHERE monitoring_enabled) "
         "AND NOT EXISTS (SELECT 1 FROM social_analytics_snapshots WHERE snapshot_date = %(day)s)"),
    Rule("social_analytics_snapshots", "growth_known", ERROR,
         "follower_growth is set wherever the followers of the day and of an earlier snapshot are known.",
         "SELECT a.platform || '/' || a.handle FROM social_analytics_snapshots s JOIN social_accounts a ON a.id = s.social_account_id "
         "WHERE s.snapshot_date = %(day)s AND s.followers_count IS NOT NULL AND s.follower_growth IS NULL AND EXISTS ("
         "SELECT 1 FROM social_analytics_snapshots p WHERE p.social_account_id = s.social_account_id "
         "AND p.snapshot_date < s.snapshot_date AND p.followers_count IS NOT NULL)"),
    Rule("social_analytics_snapshots", "no_missing_days", WARN,
         "A monitored account has a snapshot for every day of the last 30 since its first one.",
         "SELECT a.platform || '/' || a.handle || ' missing ' || g.day::date FROM social_accounts a "
         "JOIN social_analytics_config c ON c.social_account_id = a.id AND c.monitoring_enabled "
         "JOIN LATERAL (SELECT min(snapshot_date) AS first FROM social_analytics_snapshots s "
         "WHERE s.social_account_id = a.id) f ON f.first IS NOT NULL "
         "CROSS JOIN LATERAL generate_series(GREATEST(f.first, %(day)s::date - 29), %(day)s::date, interval '1 day') AS g(day) "
         "WHERE NOT EXISTS (SELECT 1 FROM social_analytics_snapshots s WHERE s.social_account_id = a.id "
         "AND s.snapshot_date = g.day::date)"),
    Rule("social_analytics_snapshots", "no_follower_spike_or_drop", WARN,
         "Followers did not change by more than 20 % (and 100 accounts) in a day.",
         "SELECT a.platform || '/' || a.handle || ': ' || (s.followers_count - s.follower_growth) || ' -> ' "
         "|| s.followers_count FROM social_analytics_snapshots s JOIN social_accounts a ON a.id = s.social_account_id "
         "WHERE s.snapshot_date = %(day)s AND s.follower_growth IS NOT NULL AND abs(s.follower_growth) > 100 "
         "AND abs(s.follower_growth) > 0.2 * GREATEST(s.followers_count - s.follower_growth, 1)"),
    # -- comments -------------------------------------------------------------------------------
    Rule("social_comments", "natural_key_unique", ERROR, "One row per (post_id, external_comment_id).",
         "SELECT post_id || ':' || external_comment_id FROM social_comments WHERE (post_id, external_comment_id) IN "
         "(SELECT post_id, external_comment_id FROM social_comments WHERE last_seen_date = %(day)s) "
         "GROUP BY post_id, external_comment_id HAVING count(*) > 1"),
    Rule("social_comments", "replies_threaded_on_their_post", ERROR,
         "A reply's parent is a comment on the same post, and a top-level comment has no parent.",
         "SELECT c.id::text FROM social_comments c LEFT JOIN social_comments p ON p.id = c.parent_comment_id "
         "WHERE c.last_seen_date = %(day)s AND ((c.parent_comment_id IS NOT NULL AND (p.post_id <> c.post_id OR NOT c.is_reply)) "
         "OR (c.parent_comment_id = c.id))"),
    Rule("social_comments", "values_valid", ERROR, "Likes non-negative; sentiment label and score agree.",
         "SELECT id::text FROM social_comments WHERE last_seen_date = %(day)s AND (likes_count < 0 "
         "OR (sentiment IS NULL) <> (sentiment_score IS NULL) "
         "OR (sentiment = 'positive' AND sentiment_score < 0) OR (sentiment = 'negative' AND sentiment_score > 0))"),
    Rule("social_comments", "comment_sentiment_current", ERROR,
         "The serving layer's comment counts (social_comment_sentiment_daily, migration 020) equal a recount for "
         "the days of publication of the posts whose comments the day saw: the audience page's sentiment.",
         "WITH keys AS (SELECT DISTINCT p.platform, p.posted_at::date AS posted_date FROM social_posts_analytics p "
         "  WHERE p.posted_at IS NOT NULL AND p.id IN (SELECT post_id FROM social_comments WHERE last_seen_date = %(day)s)), "
         "recount AS (SELECT k.platform, k.posted_date, c.commented_at::date AS commented_date, "
         "  count(*) FILTER (WHERE c.sentiment = 'positive') AS positive, count(*) FILTER (WHERE c.sentiment = 'neutral') AS neutral, "
         "  count(*) FILTER (WHERE c.sentiment = 'negative') AS negative, count(*) FILTER (WHERE c.sentiment IS NULL) AS unscored "
         "  FROM keys k JOIN social_posts_analytics p ON p.platform = k.platform AND p.posted_at >= k.posted_date "
         "  AND p.posted_at < k.posted_date + 1 JOIN social_comments c ON c.post_id = p.id "
         "  WHERE c.commented_at IS NOT NULL GROUP BY 1, 2, 3), "
         "kept AS (SELECT s.* FROM social_comment_sentiment_daily s JOIN keys k USING (platform, posted_date)) "
         "SELECT coalesce(r.platform, k.platform) || ' posted ' || coalesce(r.posted_date, k.posted_date) || ' written ' "
         "  || coalesce(r.commented_date, k.commented_date) || ': serving ' "
         "  || CASE WHEN k.platform IS NULL THEN 'no row' ELSE concat_ws('/', k.positive, k.neutral, k.negative, k.unscored) END "
         "  || ', recount ' || CASE WHEN r.platform IS NULL THEN 'none' "
         "  ELSE concat_ws('/', r.positive, r.neutral, r.negative, r.unscored) END "
         "FROM recount r FULL JOIN kept k ON k.platform = r.platform AND k.posted_date = r.posted_date "
         "  AND k.commented_date = r.commented_date "
         "WHERE (r.positive, r.neutral, r.negative, r.unscored) IS DISTINCT FROM (k.positive, k.neutral, k.negative, k.unscored)"),
    # -- hashtags -------------------------------------------------------------------------------
    Rule("social_hashtags", "hashtag_unique_case_folded", ERROR, "Hashtags are stored case-folded, once.",
         "SELECT lower(hashtag) FROM social_hashtags GROUP BY lower(hashtag) HAVING count(*) > 1 "
         "UNION ALL SELECT hashtag FROM social_hashtags WHERE hashtag <> lower(hashtag) OR hashtag LIKE '#%%'"),
    Rule("social_hashtags", "values_valid", ERROR, "Uses and views non-negative, mean rate in bounds.",
         "SELECT hashtag FROM social_hashtags WHERE total_uses < 0 OR total_views < 0 OR avg_engagement_rate < 0 "
         "OR avg_engagement_rate > 999.99"),
    Rule("social_post_hashtags", "natural_key_unique", ERROR, "One link per (post, hashtag).",
         "SELECT post_id || ':' || hashtag_id FROM social_post_hashtags WHERE post_id IN "
         "(SELECT id FROM social_posts_analytics WHERE last_seen_date = %(day)s) GROUP BY post_id, hashtag_id HAVING count(*) > 1"),
    # -- demographics ---------------------------------------------------------------------------
    Rule("social_audience_demographics", "shares_add_up", WARN,
         "Age groups add up to 100 % (±5) when all are reported; male + female do not exceed 100.5 %.",
         "SELECT social_account_id::text FROM social_audience_demographics WHERE snapshot_date = %(day)s AND ("
         "(age_13_17 IS NOT NULL AND age_18_24 IS NOT NULL AND age_25_34 IS NOT NULL AND age_35_44 IS NOT NULL "
         "AND age_45_plus IS NOT NULL AND abs(age_13_17 + age_18_24 + age_25_34 + age_35_44 + age_45_plus - 100) > 5) "
         "OR coalesce(gender_male, 0) + coalesce(gender_female, 0) > 100.5)"),
    # -- content mapping ------------------------------------------------------------------------
    Rule("social_content_mappings", "links_consistent", ERROR,
         "A mapping linked to a post agrees with it on platform and id, and its clip belongs to its video.",
         "SELECT m.id::text FROM social_content_mappings m LEFT JOIN social_posts_analytics p ON p.id = m.post_id "
         "LEFT JOIN clips c ON c.id = m.clip_id WHERE (m.post_id IS NOT NULL AND (lower(p.platform) <> lower(m.platform) "
         "OR p.external_post_id <> m.external_post_id)) OR (m.video_id IS NOT NULL AND c.video_id IS NOT NULL "
         "AND c.video_id <> m.video_id)"),
    # -- operations -----------------------------------------------------------------------------
    Rule("social_api_usage", "values_valid", ERROR, "Counts non-negative; retries never exceed requests.",
         "SELECT platform || ' ' || endpoint FROM social_api_usage WHERE date = %(day)s AND (request_count < 0 "
         "OR retries > request_count OR latency_ms < 0 OR cost_units < 0)"),
    Rule("social_fetch_jobs", "no_failed_jobs", WARN, "Every account's fetch job of the day completed.",
         "SELECT platform || ': ' || left(coalesce(error_message, status), 200) FROM social_fetch_jobs "
         "WHERE partition_date = %(day)s AND status = 'failed'"),
    Rule("social_fetch_jobs", "no_stuck_jobs", WARN, "No fetch job stays pending or running for over two hours.",
         "SELECT platform || ' ' || partition_date FROM social_fetch_jobs WHERE status IN ('pending', 'running') "
         "AND created_at < now() - interval '2 hours'"),
]


def evaluate(conn, rule: Rule, days) -> AssetCheckResult:
    """Evaluate ``rule`` for a day or each day of a list (a backfill range)."""
    rows = []
    for day in days if isinstance(days, (list, tuple)) else [days]:
        rows.extend(conn.execute(rule.sql, {"day": day}).fetchall())
        if "%(day)s" not in rule.sql:
            break  # a whole-table rule: once is enough
    sample = [str(r[0]) for r in rows[:SAMPLE]]
    return AssetCheckResult(
        asset_key=AssetKey(rule.asset),
        check_name=rule.name,
        passed=not rows,
        severity=rule.severity,
        metadata={
            "violations": len(rows),
            "sample": MetadataValue.md("\n".join(f"- {s}" for s in sample) or "none"),
        },
    )


# All rules run in one step after the day's assets (one process instead of one per rule), each
# reported as its own check next to its table; a run that selects some tables gets their checks.
@multi_asset_check(
    name="table_checks",
    specs=[
        AssetCheckSpec(rule.name, asset=AssetKey(rule.asset), description=rule.description, partitions_def=daily_partitions)
        for rule in RULES
    ],
    can_subset=True,
)
def table_checks(context: AssetCheckExecutionContext, database: Database):
    window = context.partition_time_window
    days = [window.start.date() + timedelta(days=i) for i in range((window.end.date() - window.start.date()).days)]
    selected = context.selected_asset_check_keys
    with database.connect() as conn:
        for rule in RULES:
            if AssetCheckKey(AssetKey(rule.asset), rule.name) not in selected:
                continue
            if len(days) > 1 and "%(day)s" in rule.sql:
                # A run over several days: each day's verdict is recorded on its own partition, so
                # the UI shows a failing day as failing rather than every day as skipped.
                for day in days:
                    result = evaluate(conn, rule, day)
                    context.op_execution_context.log_event(AssetCheckEvaluation(
                        asset_key=result.asset_key, check_name=rule.name, passed=result.passed,
                        metadata=result.metadata, severity=rule.severity, partition=day.isoformat(),
                    ))
            yield evaluate(conn, rule, days)


asset_checks = [table_checks]
