-- Insight views computed from our own history: hashtags over a window, best time to post,
-- account growth, post velocity and virality. Times are UTC (platforms do not tell us the
-- audience's time zone; the demographics' peak hours are UTC too).

ALTER TABLE social_hashtags ADD COLUMN platform_breakdown JSONB;           -- {"tiktok": 12, ...} uses per platform
ALTER TABLE social_audience_demographics ADD COLUMN peak_source VARCHAR(20)
    CHECK (peak_source IN ('platform', 'derived'));                          -- where peak_hours/peak_days come from

-- Best-performing hashtags among posts published in the last p_days days (latest metrics).
CREATE OR REPLACE FUNCTION social_hashtag_insights(p_days INTEGER DEFAULT 30)
RETURNS TABLE (hashtag VARCHAR, posts BIGINT, accounts BIGINT, platforms TEXT[], total_views NUMERIC,
               avg_views NUMERIC, avg_engagement_rate NUMERIC)
LANGUAGE sql STABLE AS $$
    SELECT h.hashtag,
           count(DISTINCT pp.post_id),
           count(DISTINCT pp.social_account_id),
           array_agg(DISTINCT pp.platform ORDER BY pp.platform),
           sum(pp.current_views),
           round(avg(pp.current_views), 0),
           round(avg(pp.engagement_rate), 2)
    FROM social_post_hashtags ph
    JOIN social_hashtags h ON h.id = ph.hashtag_id
    JOIN social_post_performance pp ON pp.post_id = ph.post_id
    WHERE pp.posted_at >= (now() AT TIME ZONE 'UTC') - make_interval(days => p_days)
    GROUP BY h.hashtag
$$;

CREATE OR REPLACE VIEW social_top_hashtags AS
SELECT * FROM social_hashtag_insights(30)
ORDER BY avg_engagement_rate DESC NULLS LAST, posts DESC;

-- Weekday x hour (UTC) of publication against engagement, per account. Confidence follows the
-- number of posts behind a cell: high >= 10, medium >= 4, low below.
CREATE OR REPLACE VIEW social_best_time_to_post AS
WITH cells AS (
    SELECT pp.social_account_id,
           pp.account_username,
           pp.platform,
           extract(isodow FROM pp.posted_at)::int AS weekday,          -- 1 = Monday
           to_char(pp.posted_at, 'FMday') AS weekday_name,
           extract(hour FROM pp.posted_at)::int AS hour_utc,
           count(*) AS posts,
           round(avg(pp.engagement_rate), 2) AS avg_engagement_rate,
           round(avg(pp.current_views), 0) AS avg_views
    FROM social_post_performance pp
    WHERE pp.posted_at IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
), account AS (
    SELECT social_account_id, avg(engagement_rate) AS mean_rate
    FROM social_post_performance GROUP BY 1
)
SELECT c.*,
       round(c.avg_engagement_rate / NULLIF(a.mean_rate, 0), 2) AS lift,
       CASE WHEN c.posts >= 10 THEN 'high' WHEN c.posts >= 4 THEN 'medium' ELSE 'low' END AS confidence
FROM cells c JOIN account a USING (social_account_id);

-- Daily followers with growth over 1, 7 and 28 days.
CREATE OR REPLACE VIEW social_account_growth AS
SELECT s.social_account_id,
       a.handle AS username,
       a.platform,
       s.snapshot_date,
       s.followers_count,
       s.follower_growth,
       s.followers_count - w.followers_count AS growth_7d,
       s.followers_count - m.followers_count AS growth_28d,
       round(100.0 * (s.followers_count - w.followers_count) / NULLIF(w.followers_count, 0), 2) AS growth_7d_pct,
       s.engagement_rate
FROM social_analytics_snapshots s
JOIN social_accounts a ON a.id = s.social_account_id
LEFT JOIN social_analytics_snapshots w ON w.social_account_id = s.social_account_id AND w.snapshot_date = s.snapshot_date - 7
LEFT JOIN social_analytics_snapshots m ON m.social_account_id = s.social_account_id AND m.snapshot_date = s.snapshot_date - 28;

-- Views per hour over a post's first 48 hours, from the last snapshot taken inside them. A
-- snapshot describes the end of its hour (snapshot_hour h: h:59:59) or of its day (NULL hour).
CREATE OR REPLACE VIEW social_post_velocity AS
SELECT p.id AS post_id,
       p.platform,
       p.posted_at,
       v.views_count AS views_at_snapshot,
       round(extract(epoch FROM v.taken_at - p.posted_at)::numeric / 3600, 2) AS hours_after_posting,
       round(v.views_count / NULLIF(extract(epoch FROM v.taken_at - p.posted_at)::numeric / 3600, 0), 2) AS views_per_hour_48h,
       v.hourly AS from_hourly_snapshot
FROM social_posts_analytics p
JOIN LATERAL (
    SELECT m.views_count,
           m.snapshot_date + make_interval(hours => COALESCE(m.snapshot_hour, 23) + 1) AS taken_at,
           m.snapshot_hour IS NOT NULL AS hourly
    FROM social_post_metrics m
    WHERE m.post_id = p.id AND m.views_count IS NOT NULL
      AND m.snapshot_date + make_interval(hours => COALESCE(m.snapshot_hour, 23) + 1) <= p.posted_at + interval '48 hours'
      AND m.snapshot_date + make_interval(hours => COALESCE(m.snapshot_hour, 23) + 1) > p.posted_at
    ORDER BY 2 DESC
    LIMIT 1
) v ON TRUE;

-- A post's current views against its account's median: 1.0 is typical, 5.0 is five times it.
CREATE OR REPLACE VIEW social_post_virality AS
WITH medians AS (
    SELECT social_account_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY current_views) AS median_views
    FROM social_post_performance WHERE current_views IS NOT NULL GROUP BY 1
)
SELECT pp.post_id, pp.account_username, pp.platform, pp.post_url, pp.posted_at, pp.current_views,
       round(md.median_views::numeric, 0) AS account_median_views,
       round(pp.current_views / NULLIF(md.median_views, 0)::numeric, 2) AS virality_score
FROM social_post_performance pp
JOIN medians md USING (social_account_id);
