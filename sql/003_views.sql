-- The specification's two views. Neither exposes social_accounts.access_token.

CREATE OR REPLACE VIEW social_analytics_latest AS
SELECT
    a.id                                    AS social_account_id,
    a.handle                                AS username,
    a.platform,
    NULL::VARCHAR(255)                      AS display_name,   -- from social_account_profiles since 017
    COALESCE(c.monitoring_enabled, FALSE)   AS monitoring_enabled,
    CASE
        WHEN c.social_account_id IS NULL THEN 'not_configured'
        WHEN NOT c.monitoring_enabled THEN 'paused'
        ELSE COALESCE(j.status, 'pending')
    END                                     AS status,
    c.provider_name,
    c.fetch_frequency,
    s.snapshot_date,
    s.followers_count,
    s.following_count,
    s.posts_count,
    s.total_views,
    s.total_likes,
    s.total_comments,
    s.total_shares,
    s.subscribers_count,
    s.pins_count,
    s.retweets_count,
    s.watch_time_minutes,
    s.engagement_rate,
    s.follower_growth,
    c.last_fetched_at,
    j.error_message                         AS last_error
FROM social_accounts a
LEFT JOIN social_analytics_config c ON c.social_account_id = a.id
LEFT JOIN LATERAL (
    SELECT * FROM social_analytics_snapshots s
    WHERE s.social_account_id = a.id
    ORDER BY s.snapshot_date DESC
    LIMIT 1
) s ON TRUE
LEFT JOIN LATERAL (
    SELECT j.status, j.error_message FROM social_fetch_jobs j
    WHERE j.social_account_id = a.id
    ORDER BY j.partition_date DESC NULLS LAST, j.created_at DESC
    LIMIT 1
) j ON TRUE;

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
    p.clip_id
FROM social_posts_analytics p
JOIN social_accounts a ON a.id = p.social_account_id
LEFT JOIN LATERAL (
    SELECT * FROM social_post_metrics m
    WHERE m.post_id = p.id
    ORDER BY m.snapshot_date DESC, COALESCE(m.snapshot_hour, 24) DESC
    LIMIT 1
) m ON TRUE;
