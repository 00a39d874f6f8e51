-- Own posts of every kind (issue: real platforms). Replies and self-thread continuations are the
-- account's posts, with views and likes of their own, so the specification's views keep them all
-- and say which each is: social_post_performance gains post_kind as its last column (filter with
-- WHERE post_kind = 'original'). The insight views that judge what to publish next count only
-- posts that start something ('original' and 'quote'): a reply's time and reach follow the post it
-- answers, and a thread continuation's follow its thread's first post, so counting them would move
-- the best hour and the median towards other people's posts.

CREATE OR REPLACE VIEW social_post_performance AS
SELECT
    p.id                  AS post_id,
    a.id                  AS social_account_id,
    a.handle              AS account_username,
    p.platform,
    p.external_post_id,
    p.post_url,
    p.caption,
    p.title,
    p.media_type,
    p.duration,
    p.posted_at,
    m.views_count         AS current_views,
    m.likes_count         AS current_likes,
    m.comments_count      AS current_comments,
    m.shares_count        AS current_shares,
    m.saves_count         AS current_saves,
    m.impressions         AS current_impressions,
    m.reach               AS current_reach,
    m.engagement_rate,
    m.snapshot_date       AS metrics_date,
    m.created_at          AS last_updated,
    p.video_id,
    p.clip_id,
    p.post_kind
FROM social_posts_analytics p
JOIN social_accounts a ON a.id = p.social_account_id
LEFT JOIN LATERAL (
    SELECT * FROM social_post_metrics m
    WHERE m.post_id = p.id
    ORDER BY m.snapshot_date DESC, COALESCE(m.snapshot_hour, 24) DESC
    LIMIT 1
) m ON TRUE;

CREATE OR REPLACE VIEW social_best_time_to_post AS
WITH slots AS (
    SELECT pp.social_account_id,
           pp.account_username,
           pp.platform,
           extract(isodow FROM pp.posted_at)::int AS weekday,          -- 1 = Monday
           to_char(pp.posted_at, 'FMday') AS weekday_name,
           extract(hour FROM pp.posted_at)::int AS hour_utc,
           count(*) AS posts,
           round(avg(pp.engagement_rate), 2) AS avg_engagement_rate,
           round(avg(pp.current_views), 0) AS avg_views,
           sum(pp.engagement_rate) AS rate_sum,
           count(pp.engagement_rate) AS rated
    FROM social_post_performance pp
    WHERE pp.post_kind IN ('original', 'quote')
    GROUP BY 1, 2, 3, 4, 5, 6
), with_mean AS (
    SELECT s.*, sum(s.rate_sum) OVER account / NULLIF(sum(s.rated) OVER account, 0) AS mean_rate
    FROM slots s
    WINDOW account AS (PARTITION BY s.social_account_id, s.account_username, s.platform)
)
SELECT social_account_id, account_username, platform, weekday, weekday_name, hour_utc, posts,
       avg_engagement_rate, avg_views,
       round(avg_engagement_rate / NULLIF(mean_rate, 0), 2) AS lift,
       CASE WHEN posts >= 10 THEN 'high' WHEN posts >= 4 THEN 'medium' ELSE 'low' END AS confidence
FROM with_mean
WHERE weekday IS NOT NULL;

CREATE OR REPLACE VIEW social_post_virality AS
WITH pp AS (
    SELECT post_id, social_account_id, account_username, platform, post_url, posted_at, current_views
    FROM social_post_performance
    WHERE post_kind IN ('original', 'quote')
), medians AS (
    SELECT social_account_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY current_views) AS median_views
    FROM pp WHERE current_views IS NOT NULL GROUP BY 1
)
SELECT pp.post_id, pp.account_username, pp.platform, pp.post_url, pp.posted_at, pp.current_views,
       round(md.median_views::numeric, 0) AS account_median_views,
       round(pp.current_views / NULLIF(md.median_views, 0)::numeric, 2) AS virality_score
FROM pp
JOIN medians md USING (social_account_id);
