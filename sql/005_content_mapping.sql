-- Content mapping: which internal video (or clip of it) each published post carries, and how one
-- video performed across every platform it went out on.
--
-- Chosen design: views, no trigger. A mapping row (post_url -> video_id/clip_id) reaches its post
-- either through social_content_mappings.post_id (filled by the social_content_mappings asset, which
-- parses the URL) or, before that asset has run, through (platform, external_post_id) when whoever
-- wrote the mapping knew them. A trigger could not do better: matching a URL to a post needs the
-- URL parser (Instagram/Threads shortcodes are not their API ids), and posts often arrive after
-- their mapping. Views also never write, so they cannot fight the posts upsert.
--
-- Which link wins, per post (so a post counts towards at most one video):
--   1. the post's own video_id/clip_id (set by a publisher, or copied there by the asset);
--   2. otherwise the post's mapping with the lowest id.
-- A clip rolls up into its parent video (clips.video_id); the rollup says how many posts were clips.
-- Latest metrics of a post: its social_post_metrics row with the greatest snapshot_date, then the
-- greatest snapshot_hour, a NULL (end-of-day) hour counting as after hour 23.

CREATE INDEX social_content_mappings_platform_external_idx
    ON social_content_mappings (platform, external_post_id) WHERE post_id IS NULL;

-- One row per post linked to a video or clip, with its latest metrics.
CREATE VIEW social_content_posts AS
WITH candidates AS (
    SELECT p.id AS post_id, p.video_id, p.clip_id, 'post'::text AS link_source, 0 AS rank_key, 0::bigint AS mapping_id
    FROM social_posts_analytics p
    WHERE p.video_id IS NOT NULL OR p.clip_id IS NOT NULL
    UNION ALL
    SELECT m.post_id, m.video_id, m.clip_id, 'mapping', 1, m.id
    FROM social_content_mappings m
    WHERE m.post_id IS NOT NULL
    UNION ALL
    SELECT p.id, m.video_id, m.clip_id, 'mapping', 1, m.id
    FROM social_content_mappings m
    JOIN social_posts_analytics p
      ON p.platform = lower(m.platform) AND p.external_post_id = m.external_post_id
    WHERE m.post_id IS NULL
),
links AS (
    SELECT DISTINCT ON (post_id) post_id, video_id, clip_id, link_source, mapping_id
    FROM candidates
    ORDER BY post_id, rank_key, mapping_id
)
SELECT
    l.post_id,
    COALESCE(l.video_id, c.video_id)   AS video_id,
    l.clip_id,
    l.link_source,                      -- 'post' | 'mapping'
    NULLIF(l.mapping_id, 0)             AS mapping_id,
    p.social_account_id,
    p.platform,
    p.external_post_id,
    p.post_url,
    p.posted_at,
    mt.views_count                      AS current_views,
    mt.likes_count                      AS current_likes,
    mt.comments_count                   AS current_comments,
    mt.shares_count                     AS current_shares,
    mt.saves_count                      AS current_saves,
    mt.engagement_rate,
    mt.snapshot_date                    AS metrics_date,
    mt.snapshot_hour                    AS metrics_hour
FROM links l
JOIN social_posts_analytics p ON p.id = l.post_id
LEFT JOIN clips c ON c.id = l.clip_id
LEFT JOIN LATERAL (
    SELECT m.views_count, m.likes_count, m.comments_count, m.shares_count, m.saves_count,
           m.engagement_rate, m.snapshot_date, m.snapshot_hour
    FROM social_post_metrics m
    WHERE m.post_id = l.post_id
    ORDER BY m.snapshot_date DESC, COALESCE(m.snapshot_hour, 24) DESC
    LIMIT 1
) mt ON TRUE;

-- One row per video, also those not posted anywhere yet (posts = 0). Totals add the posts' latest
-- metrics; a total stays NULL when no post reports that metric (unknown is not zero). The best
-- platform has the most total views, then the most likes + comments + shares, then the first name.
CREATE VIEW social_content_performance AS
WITH per_platform AS (
    SELECT
        video_id,
        platform,
        COALESCE(SUM(current_views), 0)::bigint AS views,
        (COALESCE(SUM(current_likes), 0) + COALESCE(SUM(current_comments), 0)
            + COALESCE(SUM(current_shares), 0))::bigint AS interactions
    FROM social_content_posts
    WHERE video_id IS NOT NULL
    GROUP BY video_id, platform
),
best AS (
    SELECT DISTINCT ON (video_id) video_id, platform
    FROM per_platform
    ORDER BY video_id, views DESC, interactions DESC, platform
),
totals AS (
    SELECT
        video_id,
        array_agg(DISTINCT platform ORDER BY platform)::text[] AS platforms,
        COUNT(*)                                     AS posts,
        COUNT(clip_id)                               AS clip_posts,
        SUM(current_views)::bigint                   AS total_views,
        SUM(current_likes)::bigint                   AS total_likes,
        SUM(current_comments)::bigint                AS total_comments,
        SUM(current_shares)::bigint                  AS total_shares,
        MIN(posted_at)                               AS first_posted_at,
        MAX(posted_at)                               AS last_posted_at
    FROM social_content_posts
    WHERE video_id IS NOT NULL
    GROUP BY video_id
)
SELECT
    v.id                                AS video_id,
    v.title                             AS video_title,
    COALESCE(t.platforms, '{}'::text[]) AS platforms,
    COALESCE(t.posts, 0)                AS posts,
    COALESCE(t.clip_posts, 0)           AS clip_posts,
    t.total_views,
    t.total_likes,
    t.total_comments,
    t.total_shares,
    b.platform                          AS best_platform,
    t.first_posted_at,
    t.last_posted_at
FROM videos v
LEFT JOIN totals t ON t.video_id = v.id
LEFT JOIN best b ON b.video_id = v.id;
