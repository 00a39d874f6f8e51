-- Impressions beside views in the sums by platform and day of publication (020), for the overview's
-- headline. X counts every post's impression_count (the times it appeared on a screen; stored in
-- impressions) but views only for a video (views_count), LinkedIn and Pinterest count impressions
-- and no views, so a headline of views alone left most of their posts out.

ALTER TABLE social_platform_post_days
    ADD COLUMN impressions_sum NUMERIC,
    ADD COLUMN impressions_n INTEGER NOT NULL DEFAULT 0;
COMMENT ON COLUMN social_platform_post_days.impressions_sum IS 'Sum of their latest impressions. NULL: none reports impressions.';
COMMENT ON COLUMN social_platform_post_days.impressions_n IS 'How many of them report impressions.';

-- The period's posts read from the index alone, impressions now included.
DROP INDEX social_post_latest_metrics_posted_idx;
CREATE INDEX social_post_latest_metrics_posted_idx ON social_post_latest_metrics (posted_at, post_id)
    INCLUDE (social_account_id, platform, post_kind, views_count, engagement_rate, impressions);

CREATE OR REPLACE FUNCTION social_refresh_platform_days(platforms VARCHAR[], days DATE[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM social_platform_post_days d USING unnest(platforms, days) AS k(platform, posted_date)
    WHERE d.platform = k.platform AND d.posted_date = k.posted_date;
    -- Each day once, from the covering index on (posted_at, post_id), every platform summed; then
    -- only the keys kept.
    INSERT INTO social_platform_post_days (posted_date, platform, posts, views_sum, views_n, rate_sum, rate_n,
                                           impressions_sum, impressions_n)
    SELECT s.* FROM (
        SELECT k.posted_date, l.platform, count(*), sum(l.views_count), count(l.views_count),
               sum(l.engagement_rate), count(l.engagement_rate), sum(l.impressions), count(l.impressions)
        FROM (SELECT DISTINCT d AS posted_date FROM unnest(days) AS u(d) WHERE d IS NOT NULL) k
        CROSS JOIN LATERAL (SELECT l.platform, l.views_count, l.engagement_rate, l.impressions
                            FROM social_post_latest_metrics l
                            WHERE l.posted_at >= k.posted_date AND l.posted_at < k.posted_date + 1 OFFSET 0) l
        GROUP BY 1, 2
    ) s (posted_date, platform, posts, views_sum, views_n, rate_sum, rate_n, impressions_sum, impressions_n)
    WHERE (s.platform, s.posted_date) IN (SELECT * FROM unnest(platforms, days));
END
$$;

CREATE OR REPLACE FUNCTION social_platform_days_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    platforms VARCHAR[];
    days DATE[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(platform), array_agg(posted_date) INTO platforms, days
        FROM (SELECT DISTINCT platform, posted_at::date AS posted_date FROM new_rows) k;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(platform), array_agg(posted_date) INTO platforms, days
        FROM (SELECT DISTINCT platform, posted_at::date AS posted_date FROM old_rows) k;
    ELSE  -- the keys of the rows whose counted values changed, before and after (hashed set
          -- differences: an update of the virality scores alone finds none)
        SELECT array_agg(platform), array_agg(posted_date) INTO platforms, days
        FROM (SELECT DISTINCT platform, posted_at::date AS posted_date
              FROM ((SELECT post_id, platform, posted_at, views_count, engagement_rate, impressions FROM new_rows
                     EXCEPT ALL SELECT post_id, platform, posted_at, views_count, engagement_rate, impressions FROM old_rows)
                    UNION ALL
                    (SELECT post_id, platform, posted_at, views_count, engagement_rate, impressions FROM old_rows
                     EXCEPT ALL SELECT post_id, platform, posted_at, views_count, engagement_rate, impressions FROM new_rows)) changed) k;
    END IF;
    IF platforms IS NOT NULL THEN
        PERFORM social_refresh_platform_days(platforms, days);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION social_rebuild_platform_days() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM social_platform_post_days;
    INSERT INTO social_platform_post_days (posted_date, platform, posts, views_sum, views_n, rate_sum, rate_n,
                                           impressions_sum, impressions_n)
    SELECT posted_at::date, platform, count(*), sum(views_count), count(views_count), sum(engagement_rate),
           count(engagement_rate), sum(impressions), count(impressions)
    FROM social_post_latest_metrics WHERE posted_at IS NOT NULL
    GROUP BY 1, 2;
$$;

SELECT social_rebuild_platform_days();
