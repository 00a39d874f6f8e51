-- The serving layer: the current state a dashboard and the insight views read, kept in the same
-- transaction as every write to the history it summarizes.
--
-- social_post_latest_metrics holds one row per post: its newest metrics row (what
-- social_post_performance showed by looking the newest row up post by post), the snapshot that
-- gives its 48-hour velocity (social_post_velocity), and its virality score against its account's
-- median (social_post_virality, with the medians in social_account_view_medians).
--
-- Statement-level triggers with transition tables keep it: a post's row is created with the post;
-- every INSERT, UPDATE or DELETE on social_post_metrics (the daily and hourly assets, a
-- re-materialized or backfilled day, a repair by hand) recomputes the rows of the posts it touched
-- from the stored history, then the medians and scores of their accounts. Recomputing (never adding
-- deltas) makes the result the same whatever order days arrive in. The asset check
-- serving_layer_current compares the table with the history; social_rebuild_serving() recomputes
-- everything (after a bulk load made with the triggers disabled, as benchmarks/year_seed.py does).

CREATE TABLE social_post_latest_metrics (
    post_id              INTEGER PRIMARY KEY REFERENCES social_posts_analytics(id) ON DELETE CASCADE,
    social_account_id    UUID NOT NULL,
    platform             VARCHAR(50) NOT NULL,
    posted_at            TIMESTAMP,
    post_kind            VARCHAR(20) NOT NULL,
    post_url             TEXT,
    video_id             UUID,
    clip_id              UUID,
    snapshot_date        DATE,
    snapshot_hour        INTEGER,
    views_count          BIGINT,
    likes_count          BIGINT,
    comments_count       BIGINT,
    shares_count         BIGINT,
    saves_count          BIGINT,
    impressions          BIGINT,
    reach                BIGINT,
    engagement_rate      DECIMAL(5,2),
    measured_at          TIMESTAMPTZ,
    velocity_views       BIGINT,
    velocity_hours       NUMERIC,
    views_per_hour_48h   NUMERIC,
    velocity_hourly      BOOLEAN,
    virality_score       NUMERIC
);

CREATE TABLE social_account_view_medians (
    social_account_id    UUID PRIMARY KEY,
    median_views         DOUBLE PRECISION NOT NULL
);

COMMENT ON TABLE social_post_latest_metrics IS
    'Serving layer: one row per post with its newest metrics, 48-hour velocity and virality, kept by triggers in the same transaction as every write to social_post_metrics or social_posts_analytics (migration 018).';
COMMENT ON COLUMN social_post_latest_metrics.post_id IS 'The post (social_posts_analytics.id).';
COMMENT ON COLUMN social_post_latest_metrics.social_account_id IS 'The post''s account (copied from the post, for per-account reads).';
COMMENT ON COLUMN social_post_latest_metrics.platform IS 'The post''s platform (copied: the top posts of a platform read one index).';
COMMENT ON COLUMN social_post_latest_metrics.posted_at IS 'When the post was published, UTC (copied from the post). NULL: not reported.';
COMMENT ON COLUMN social_post_latest_metrics.post_kind IS 'original, reply, thread or quote (copied from the post).';
COMMENT ON COLUMN social_post_latest_metrics.post_url IS 'The post''s public URL (copied from the post). NULL: none known.';
COMMENT ON COLUMN social_post_latest_metrics.video_id IS 'The internal video the post is linked to (copied from the post; content mapping). NULL: none.';
COMMENT ON COLUMN social_post_latest_metrics.clip_id IS 'The internal clip the post is linked to (copied from the post). NULL: none.';
COMMENT ON COLUMN social_post_latest_metrics.snapshot_date IS 'The day of the newest metrics row. NULL: no metrics yet.';
COMMENT ON COLUMN social_post_latest_metrics.snapshot_hour IS 'Its UTC hour for an hourly row; NULL for the day''s end-of-day row (or no metrics yet).';
COMMENT ON COLUMN social_post_latest_metrics.views_count IS 'Views in the newest row. NULL: not reported by the platform, or no metrics yet.';
COMMENT ON COLUMN social_post_latest_metrics.likes_count IS 'Likes in the newest row. NULL: not reported, or no metrics yet.';
COMMENT ON COLUMN social_post_latest_metrics.comments_count IS 'Comments in the newest row. NULL: not reported, or no metrics yet.';
COMMENT ON COLUMN social_post_latest_metrics.shares_count IS 'Shares in the newest row. NULL: not reported, or no metrics yet.';
COMMENT ON COLUMN social_post_latest_metrics.saves_count IS 'Saves in the newest row. NULL: not reported, or no metrics yet.';
COMMENT ON COLUMN social_post_latest_metrics.impressions IS 'Impressions in the newest row. NULL: not reported, or no metrics yet.';
COMMENT ON COLUMN social_post_latest_metrics.reach IS 'Reach in the newest row. NULL: not reported, or no metrics yet.';
COMMENT ON COLUMN social_post_latest_metrics.engagement_rate IS 'Engagement rate (percent) in the newest row. NULL: not computable, or no metrics yet.';
COMMENT ON COLUMN social_post_latest_metrics.measured_at IS 'When the newest row was written (social_post_metrics.created_at). NULL: no metrics yet.';
COMMENT ON COLUMN social_post_latest_metrics.velocity_views IS 'Views in the last snapshot taken within the post''s first 48 hours. NULL: none with views.';
COMMENT ON COLUMN social_post_latest_metrics.velocity_hours IS 'Hours from publication to that snapshot (a snapshot describes the end of its hour, or of its day).';
COMMENT ON COLUMN social_post_latest_metrics.views_per_hour_48h IS 'velocity_views / velocity_hours. NULL: no such snapshot.';
COMMENT ON COLUMN social_post_latest_metrics.velocity_hourly IS 'Whether that snapshot was an hourly one. NULL: no such snapshot.';
COMMENT ON COLUMN social_post_latest_metrics.virality_score IS 'views_count against the account''s median (social_account_view_medians), 2 decimals; original and quote posts only. NULL: not computable.';
COMMENT ON TABLE social_account_view_medians IS
    'Serving layer: each account''s median of its original and quote posts'' latest views (accounts with at least one such post with views), kept with social_post_latest_metrics.';
COMMENT ON COLUMN social_account_view_medians.social_account_id IS 'The account (social_accounts.id).';
COMMENT ON COLUMN social_account_view_medians.median_views IS 'percentile_cont(0.5) of the latest views_count of the account''s original and quote posts.';

-- The rows of the given posts, recomputed from the posts and their stored metrics.
CREATE OR REPLACE FUNCTION social_refresh_posts(posts INTEGER[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE social_post_latest_metrics l SET
        social_account_id = p.social_account_id, platform = p.platform, posted_at = p.posted_at,
        post_kind = p.post_kind, post_url = p.post_url, video_id = p.video_id, clip_id = p.clip_id,
        snapshot_date = n.snapshot_date, snapshot_hour = n.snapshot_hour, views_count = n.views_count,
        likes_count = n.likes_count, comments_count = n.comments_count, shares_count = n.shares_count,
        saves_count = n.saves_count, impressions = n.impressions, reach = n.reach,
        engagement_rate = n.engagement_rate, measured_at = n.created_at,
        velocity_views = v.views_count,
        velocity_hours = round(extract(epoch FROM v.taken_at - p.posted_at)::numeric / 3600, 2),
        views_per_hour_48h = round(v.views_count / NULLIF(extract(epoch FROM v.taken_at - p.posted_at)::numeric / 3600, 0), 2),
        velocity_hourly = v.hourly
    FROM unnest(posts) AS k(post_id)
    JOIN social_posts_analytics p ON p.id = k.post_id
    LEFT JOIN LATERAL (
        SELECT m.* FROM social_post_metrics m
        WHERE m.post_id = p.id
        ORDER BY m.snapshot_date DESC, COALESCE(m.snapshot_hour, 24) DESC
        LIMIT 1
    ) n ON TRUE
    LEFT JOIN LATERAL (
        SELECT m.views_count,
               m.snapshot_date + make_interval(hours => COALESCE(m.snapshot_hour, 23) + 1) AS taken_at,
               m.snapshot_hour IS NOT NULL AS hourly
        FROM social_post_metrics m
        WHERE m.post_id = p.id AND m.views_count IS NOT NULL
          AND m.snapshot_date >= (p.posted_at - interval '1 day')::date
          AND m.snapshot_date <= (p.posted_at + interval '48 hours')::date
          AND m.snapshot_date + make_interval(hours => COALESCE(m.snapshot_hour, 23) + 1) <= p.posted_at + interval '48 hours'
          AND m.snapshot_date + make_interval(hours => COALESCE(m.snapshot_hour, 23) + 1) > p.posted_at
        ORDER BY 2 DESC
        LIMIT 1
    ) v ON TRUE
    WHERE l.post_id = k.post_id;
$$;

-- The medians of the given accounts and the virality scores of their posts (only rows whose score
-- changes are written).
CREATE OR REPLACE FUNCTION social_refresh_accounts(accounts UUID[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM social_account_view_medians WHERE social_account_id = ANY(accounts);
    INSERT INTO social_account_view_medians (social_account_id, median_views)
    SELECT social_account_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY views_count)
    FROM social_post_latest_metrics
    WHERE social_account_id = ANY(accounts) AND post_kind IN ('original', 'quote') AND views_count IS NOT NULL
    GROUP BY social_account_id;
    UPDATE social_post_latest_metrics l SET virality_score = s.score
    FROM (
        SELECT x.post_id,
               CASE WHEN x.post_kind IN ('original', 'quote')
                    THEN round(x.views_count / NULLIF(md.median_views, 0)::numeric, 2) END AS score
        FROM social_post_latest_metrics x
        LEFT JOIN social_account_view_medians md ON md.social_account_id = x.social_account_id
        WHERE x.social_account_id = ANY(accounts)
    ) s
    WHERE l.post_id = s.post_id AND l.virality_score IS DISTINCT FROM s.score;
END
$$;

-- Hashtags. social_hashtag_post_days copies each post -> hashtag link with the post's time, account
-- and platform (kept from social_post_hashtags and social_posts_analytics); from it,
-- social_hashtag_daily sums each hashtag's posts by day of publication, with their latest metrics,
-- social_hashtag_accounts and social_hashtag_platforms keep, per hashtag and account (platform),
-- the newest use. A window of days is then its whole days summed plus the posts of its first,
-- partial day, and its accounts and platforms are the pairs used since its start:
-- social_hashtag_insights reads one row per hashtag and day, and per pair, instead of every post
-- of the window with its latest metrics.
CREATE TABLE social_hashtag_post_days (
    post_id              INTEGER NOT NULL REFERENCES social_posts_analytics(id) ON DELETE CASCADE,
    hashtag_id           INTEGER NOT NULL,
    social_account_id    UUID NOT NULL,
    platform             VARCHAR(50) NOT NULL,
    posted_at            TIMESTAMP,
    PRIMARY KEY (post_id, hashtag_id)
);
CREATE INDEX social_hashtag_post_days_day_idx ON social_hashtag_post_days (hashtag_id, posted_at);
CREATE INDEX social_hashtag_post_days_account_idx ON social_hashtag_post_days (hashtag_id, social_account_id, posted_at);
CREATE INDEX social_hashtag_post_days_platform_idx ON social_hashtag_post_days (hashtag_id, platform, posted_at);
CREATE INDEX social_hashtag_post_days_posted_idx ON social_hashtag_post_days (posted_at);

CREATE TABLE social_hashtag_daily (
    hashtag_id           INTEGER NOT NULL,
    posted_date          DATE NOT NULL,
    posts                INTEGER NOT NULL,
    views_sum            NUMERIC,
    views_n              INTEGER NOT NULL,
    rate_sum             NUMERIC,
    rate_n               INTEGER NOT NULL,
    PRIMARY KEY (hashtag_id, posted_date)
);
CREATE INDEX social_hashtag_daily_day_idx ON social_hashtag_daily (posted_date)
    INCLUDE (hashtag_id, posts, views_sum, views_n, rate_sum, rate_n);

-- The same sums by week (weeks start on Monday): a 90-day window reads 13 weeks per hashtag.
CREATE TABLE social_hashtag_weekly (
    hashtag_id           INTEGER NOT NULL,
    week_start           DATE NOT NULL,
    posts                INTEGER NOT NULL,
    views_sum            NUMERIC,
    views_n              INTEGER NOT NULL,
    rate_sum             NUMERIC,
    rate_n               INTEGER NOT NULL,
    PRIMARY KEY (hashtag_id, week_start)
);
CREATE INDEX social_hashtag_weekly_week_idx ON social_hashtag_weekly (week_start)
    INCLUDE (hashtag_id, posts, views_sum, views_n, rate_sum, rate_n);

CREATE TABLE social_hashtag_accounts (
    hashtag_id           INTEGER NOT NULL,
    social_account_id    UUID NOT NULL,
    last_posted_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (hashtag_id, social_account_id)
);
CREATE INDEX social_hashtag_accounts_last_idx ON social_hashtag_accounts (last_posted_at) INCLUDE (hashtag_id);
CREATE INDEX social_hashtag_accounts_tag_last_idx ON social_hashtag_accounts (hashtag_id, last_posted_at);

-- How many (hashtag, account) pairs had their newest use in each week: a window's accounts are
-- the pairs of its first, partial week plus these counts of the weeks after.
CREATE TABLE social_hashtag_account_weeks (
    hashtag_id           INTEGER NOT NULL,
    week_start           DATE NOT NULL,
    accounts             INTEGER NOT NULL,
    PRIMARY KEY (hashtag_id, week_start)
);
CREATE INDEX social_hashtag_account_weeks_week_idx ON social_hashtag_account_weeks (week_start) INCLUDE (hashtag_id, accounts);

CREATE TABLE social_hashtag_platforms (
    hashtag_id           INTEGER NOT NULL,
    platform             VARCHAR(50) NOT NULL,
    last_posted_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (hashtag_id, platform)
);
CREATE INDEX social_hashtag_platforms_last_idx ON social_hashtag_platforms (last_posted_at) INCLUDE (hashtag_id, platform);

COMMENT ON TABLE social_hashtag_post_days IS
    'Serving layer: each post -> hashtag link (social_post_hashtags) with the post''s publication time, account and platform, kept by triggers (migration 018).';
COMMENT ON COLUMN social_hashtag_post_days.post_id IS 'The post (social_posts_analytics.id).';
COMMENT ON COLUMN social_hashtag_post_days.hashtag_id IS 'The hashtag (social_hashtags.id).';
COMMENT ON COLUMN social_hashtag_post_days.social_account_id IS 'The post''s account.';
COMMENT ON COLUMN social_hashtag_post_days.platform IS 'The post''s platform.';
COMMENT ON COLUMN social_hashtag_post_days.posted_at IS 'The post''s publication time, UTC. NULL: not reported.';
COMMENT ON TABLE social_hashtag_daily IS
    'Serving layer: per hashtag and day of publication (UTC), the posts using it and the sums of their latest metrics, kept by triggers (migration 018).';
COMMENT ON COLUMN social_hashtag_daily.hashtag_id IS 'The hashtag (social_hashtags.id).';
COMMENT ON COLUMN social_hashtag_daily.posted_date IS 'The UTC day the posts were published.';
COMMENT ON COLUMN social_hashtag_daily.posts IS 'Posts published that day using the hashtag.';
COMMENT ON COLUMN social_hashtag_daily.views_sum IS 'Sum of their latest views. NULL: none reports views.';
COMMENT ON COLUMN social_hashtag_daily.views_n IS 'How many of them report views.';
COMMENT ON COLUMN social_hashtag_daily.rate_sum IS 'Sum of their latest engagement rates (percent). NULL: none has one.';
COMMENT ON COLUMN social_hashtag_daily.rate_n IS 'How many of them have an engagement rate.';
COMMENT ON TABLE social_hashtag_accounts IS
    'Serving layer: per hashtag and account, the newest publication time of a post using it, kept by triggers (migration 018).';
COMMENT ON COLUMN social_hashtag_accounts.hashtag_id IS 'The hashtag (social_hashtags.id).';
COMMENT ON COLUMN social_hashtag_accounts.social_account_id IS 'An account that used it.';
COMMENT ON COLUMN social_hashtag_accounts.last_posted_at IS 'When its newest post using the hashtag was published, UTC.';
COMMENT ON TABLE social_hashtag_weekly IS
    'Serving layer: social_hashtag_daily summed by week (Monday to Sunday, UTC), kept with it (migration 018).';
COMMENT ON COLUMN social_hashtag_weekly.hashtag_id IS 'The hashtag (social_hashtags.id).';
COMMENT ON COLUMN social_hashtag_weekly.week_start IS 'The Monday the week starts on.';
COMMENT ON COLUMN social_hashtag_weekly.posts IS 'Posts published that week using the hashtag.';
COMMENT ON COLUMN social_hashtag_weekly.views_sum IS 'Sum of their latest views. NULL: none reports views.';
COMMENT ON COLUMN social_hashtag_weekly.views_n IS 'How many of them report views.';
COMMENT ON COLUMN social_hashtag_weekly.rate_sum IS 'Sum of their latest engagement rates (percent). NULL: none has one.';
COMMENT ON COLUMN social_hashtag_weekly.rate_n IS 'How many of them have an engagement rate.';
COMMENT ON TABLE social_hashtag_account_weeks IS
    'Serving layer: per hashtag and week, how many accounts used it last in that week (social_hashtag_accounts counted by week), kept with it (migration 018).';
COMMENT ON COLUMN social_hashtag_account_weeks.hashtag_id IS 'The hashtag (social_hashtags.id).';
COMMENT ON COLUMN social_hashtag_account_weeks.week_start IS 'The Monday the week starts on.';
COMMENT ON COLUMN social_hashtag_account_weeks.accounts IS 'Accounts whose newest post using the hashtag was published that week.';
COMMENT ON TABLE social_hashtag_platforms IS
    'Serving layer: per hashtag and platform, the newest publication time of a post using it, kept by triggers (migration 018).';
COMMENT ON COLUMN social_hashtag_platforms.hashtag_id IS 'The hashtag (social_hashtags.id).';
COMMENT ON COLUMN social_hashtag_platforms.platform IS 'A platform it was used on.';
COMMENT ON COLUMN social_hashtag_platforms.last_posted_at IS 'When the newest post using it there was published, UTC.';

-- The day sums of the given (hashtag, day) pairs, recomputed from their posts.
CREATE OR REPLACE FUNCTION social_refresh_hashtag_days(tags INTEGER[], days DATE[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM social_hashtag_daily d USING unnest(tags, days) AS k(hashtag_id, posted_date)
    WHERE d.hashtag_id = k.hashtag_id AND d.posted_date = k.posted_date;
    INSERT INTO social_hashtag_daily (hashtag_id, posted_date, posts, views_sum, views_n, rate_sum, rate_n)
    SELECT k.hashtag_id, k.posted_date, count(*), sum(l.views_count), count(l.views_count),
           sum(l.engagement_rate), count(l.engagement_rate)
    FROM (SELECT DISTINCT * FROM unnest(tags, days) AS u(hashtag_id, posted_date) WHERE posted_date IS NOT NULL) k
    JOIN social_hashtag_post_days c ON c.hashtag_id = k.hashtag_id
        AND c.posted_at >= k.posted_date AND c.posted_at < k.posted_date + 1
    JOIN social_post_latest_metrics l ON l.post_id = c.post_id
    GROUP BY k.hashtag_id, k.posted_date;
    -- Their weeks, from the day rows.
    DELETE FROM social_hashtag_weekly w
    USING (SELECT DISTINCT hashtag_id, date_trunc('week', posted_date::timestamp)::date AS week_start
           FROM unnest(tags, days) AS u(hashtag_id, posted_date) WHERE posted_date IS NOT NULL) k
    WHERE w.hashtag_id = k.hashtag_id AND w.week_start = k.week_start;
    INSERT INTO social_hashtag_weekly (hashtag_id, week_start, posts, views_sum, views_n, rate_sum, rate_n)
    SELECT k.hashtag_id, k.week_start, sum(d.posts), sum(d.views_sum), sum(d.views_n), sum(d.rate_sum), sum(d.rate_n)
    FROM (SELECT DISTINCT hashtag_id, date_trunc('week', posted_date::timestamp)::date AS week_start
          FROM unnest(tags, days) AS u(hashtag_id, posted_date) WHERE posted_date IS NOT NULL) k
    JOIN social_hashtag_daily d ON d.hashtag_id = k.hashtag_id
        AND d.posted_date >= k.week_start AND d.posted_date < k.week_start + 7
    GROUP BY k.hashtag_id, k.week_start;
END
$$;

-- The newest use of the given (hashtag, account) and (hashtag, platform) pairs, recomputed from their posts.
CREATE OR REPLACE FUNCTION social_refresh_hashtag_accounts(tags INTEGER[], accounts UUID[], platforms VARCHAR[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    week_tags INTEGER[];
    weeks DATE[];
BEGIN
    -- The weeks these pairs were last used in, before and after: their counts are recomputed.
    SELECT array_agg(a.hashtag_id), array_agg(date_trunc('week', a.last_posted_at)::date) INTO week_tags, weeks
    FROM social_hashtag_accounts a JOIN unnest(tags, accounts) AS k(hashtag_id, social_account_id)
      ON a.hashtag_id = k.hashtag_id AND a.social_account_id = k.social_account_id;
    DELETE FROM social_hashtag_accounts a USING unnest(tags, accounts) AS k(hashtag_id, social_account_id)
    WHERE a.hashtag_id = k.hashtag_id AND a.social_account_id = k.social_account_id;
    INSERT INTO social_hashtag_accounts (hashtag_id, social_account_id, last_posted_at)
    SELECT c.hashtag_id, c.social_account_id, max(c.posted_at)
    FROM (SELECT DISTINCT * FROM unnest(tags, accounts) AS u(hashtag_id, social_account_id)) k
    JOIN social_hashtag_post_days c ON c.hashtag_id = k.hashtag_id AND c.social_account_id = k.social_account_id
    WHERE c.posted_at IS NOT NULL
    GROUP BY c.hashtag_id, c.social_account_id;
    SELECT week_tags || array_agg(a.hashtag_id), weeks || array_agg(date_trunc('week', a.last_posted_at)::date)
    INTO week_tags, weeks
    FROM social_hashtag_accounts a JOIN unnest(tags, accounts) AS k(hashtag_id, social_account_id)
      ON a.hashtag_id = k.hashtag_id AND a.social_account_id = k.social_account_id;
    DELETE FROM social_hashtag_account_weeks w USING unnest(week_tags, weeks) AS k(hashtag_id, week_start)
    WHERE w.hashtag_id = k.hashtag_id AND w.week_start = k.week_start;
    INSERT INTO social_hashtag_account_weeks (hashtag_id, week_start, accounts)
    SELECT k.hashtag_id, k.week_start, n.accounts
    FROM (SELECT DISTINCT * FROM unnest(week_tags, weeks) AS u(hashtag_id, week_start) WHERE week_start IS NOT NULL) k
    CROSS JOIN LATERAL (
        SELECT count(*) AS accounts FROM social_hashtag_accounts a
        WHERE a.hashtag_id = k.hashtag_id AND a.last_posted_at >= k.week_start AND a.last_posted_at < k.week_start + 7
    ) n
    WHERE n.accounts > 0;
    DELETE FROM social_hashtag_platforms a USING unnest(tags, platforms) AS k(hashtag_id, platform)
    WHERE a.hashtag_id = k.hashtag_id AND a.platform = k.platform;
    INSERT INTO social_hashtag_platforms (hashtag_id, platform, last_posted_at)
    SELECT k.hashtag_id, k.platform, n.posted_at
    FROM (SELECT DISTINCT * FROM unnest(tags, platforms) AS u(hashtag_id, platform)) k
    CROSS JOIN LATERAL (
        SELECT c.posted_at FROM social_hashtag_post_days c
        WHERE c.hashtag_id = k.hashtag_id AND c.platform = k.platform AND c.posted_at IS NOT NULL
        ORDER BY c.posted_at DESC LIMIT 1
    ) n;
END
$$;

-- Links added, removed or moved (a post's time, account or platform changed): their days and pairs.
CREATE OR REPLACE FUNCTION social_hashtag_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tags INTEGER[];
    days DATE[];
    accounts UUID[];
    platforms VARCHAR[];
BEGIN
    IF current_setting('social_pipeline.serving_rebuild', true) = 'on' THEN
        RETURN NULL;  -- social_rebuild_serving() computes them whole
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT array_agg(hashtag_id), array_agg(posted_at::date), array_agg(social_account_id), array_agg(platform)
        INTO tags, days, accounts, platforms FROM new_rows;
        PERFORM social_refresh_hashtag_days(tags, days);
        PERFORM social_refresh_hashtag_accounts(tags, accounts, platforms);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        SELECT array_agg(hashtag_id), array_agg(posted_at::date), array_agg(social_account_id), array_agg(platform)
        INTO tags, days, accounts, platforms FROM old_rows;
        PERFORM social_refresh_hashtag_days(tags, days);
        PERFORM social_refresh_hashtag_accounts(tags, accounts, platforms);
    END IF;
    RETURN NULL;
END
$$;
-- Each array_agg pair is built in one scan, so unnest(a, b) pairs the values up again by position.

-- The copy follows the links: what a statement removed goes (unless the link is there again),
-- what it added comes; an UPDATE does both.
CREATE OR REPLACE FUNCTION social_hashtag_links_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM social_hashtag_post_days c USING old_rows o
        WHERE c.post_id = o.post_id AND c.hashtag_id = o.hashtag_id
          AND NOT EXISTS (SELECT 1 FROM social_post_hashtags ph WHERE ph.post_id = o.post_id AND ph.hashtag_id = o.hashtag_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO social_hashtag_post_days (post_id, hashtag_id, social_account_id, platform, posted_at)
        SELECT n.post_id, n.hashtag_id, p.social_account_id, p.platform, p.posted_at
        FROM new_rows n JOIN social_posts_analytics p ON p.id = n.post_id
        ON CONFLICT (post_id, hashtag_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION social_hashtag_links_copy_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM social_hashtag_post_days;
    RETURN NULL;
END
$$;

CREATE TRIGGER social_post_hashtags_serving_ins AFTER INSERT ON social_post_hashtags
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION social_hashtag_links_copy();
CREATE TRIGGER social_post_hashtags_serving_del AFTER DELETE ON social_post_hashtags
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION social_hashtag_links_copy();
CREATE TRIGGER social_post_hashtags_serving_upd AFTER UPDATE ON social_post_hashtags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION social_hashtag_links_copy();
CREATE TRIGGER social_post_hashtags_serving_trunc AFTER TRUNCATE ON social_post_hashtags
    FOR EACH STATEMENT EXECUTE FUNCTION social_hashtag_links_copy_truncate();
CREATE TRIGGER social_hashtag_post_days_ins AFTER INSERT ON social_hashtag_post_days
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION social_hashtag_links_changed();
CREATE TRIGGER social_hashtag_post_days_del AFTER DELETE ON social_hashtag_post_days
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION social_hashtag_links_changed();
CREATE TRIGGER social_hashtag_post_days_upd AFTER UPDATE ON social_hashtag_post_days
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION social_hashtag_links_changed();

CREATE OR REPLACE FUNCTION social_refresh_serving(posts INTEGER[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    tags INTEGER[];
    days DATE[];
BEGIN
    PERFORM social_refresh_posts(posts);
    PERFORM social_refresh_accounts(ARRAY(
        SELECT DISTINCT social_account_id FROM social_post_latest_metrics WHERE post_id = ANY(posts)));
    SELECT array_agg(hashtag_id), array_agg(posted_date) INTO tags, days
    FROM (SELECT DISTINCT hashtag_id, posted_at::date AS posted_date FROM social_hashtag_post_days
          WHERE post_id = ANY(posts) AND posted_at IS NOT NULL) k;
    PERFORM social_refresh_hashtag_days(tags, days);
END
$$;

CREATE OR REPLACE FUNCTION social_serving_after_post_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO social_post_latest_metrics (post_id, social_account_id, platform, posted_at, post_kind)
    SELECT id, social_account_id, platform, posted_at, post_kind FROM new_rows
    ON CONFLICT (post_id) DO NOTHING;
    PERFORM social_refresh_serving(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END
$$;
-- A post whose publication time, kind, platform or account changed: its velocity and virality move.
CREATE OR REPLACE FUNCTION social_serving_after_post_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE social_hashtag_post_days SET posted_at = NEW.posted_at, social_account_id = NEW.social_account_id,
        platform = NEW.platform
    WHERE post_id = NEW.id AND (posted_at, social_account_id, platform) IS DISTINCT FROM
                               (NEW.posted_at, NEW.social_account_id, NEW.platform);
    PERFORM social_refresh_serving(ARRAY[NEW.id]);
    IF OLD.social_account_id IS DISTINCT FROM NEW.social_account_id THEN
        PERFORM social_refresh_accounts(ARRAY[OLD.social_account_id]);
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION social_serving_after_post_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM social_refresh_accounts(ARRAY(SELECT DISTINCT social_account_id FROM old_rows));
    RETURN NULL;
END
$$;
-- The posts a write to their metrics touched (those of the rows removed and of the rows added).
CREATE OR REPLACE FUNCTION social_serving_after_metrics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM social_refresh_serving(ARRAY(SELECT DISTINCT post_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM social_refresh_serving(ARRAY(SELECT DISTINCT post_id FROM old_rows));
    ELSE
        PERFORM social_refresh_serving(ARRAY(SELECT post_id FROM new_rows UNION SELECT post_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION social_serving_after_metrics_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM social_refresh_serving(ARRAY(SELECT post_id FROM social_post_latest_metrics));
    RETURN NULL;
END
$$;

CREATE TRIGGER social_posts_analytics_serving_ins AFTER INSERT ON social_posts_analytics
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION social_serving_after_post_insert();
CREATE TRIGGER social_posts_analytics_serving_upd
    AFTER UPDATE OF posted_at, post_kind, platform, social_account_id, post_url, video_id, clip_id
    ON social_posts_analytics FOR EACH ROW
    WHEN (OLD.posted_at IS DISTINCT FROM NEW.posted_at OR OLD.post_kind IS DISTINCT FROM NEW.post_kind
          OR OLD.platform IS DISTINCT FROM NEW.platform OR OLD.social_account_id IS DISTINCT FROM NEW.social_account_id
          OR OLD.post_url IS DISTINCT FROM NEW.post_url OR OLD.video_id IS DISTINCT FROM NEW.video_id
          OR OLD.clip_id IS DISTINCT FROM NEW.clip_id)
    EXECUTE FUNCTION social_serving_after_post_update();
CREATE TRIGGER social_posts_analytics_serving_del AFTER DELETE ON social_posts_analytics
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION social_serving_after_post_delete();
CREATE TRIGGER social_post_metrics_serving_ins AFTER INSERT ON social_post_metrics
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION social_serving_after_metrics();
CREATE TRIGGER social_post_metrics_serving_del AFTER DELETE ON social_post_metrics
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION social_serving_after_metrics();
CREATE TRIGGER social_post_metrics_serving_upd AFTER UPDATE ON social_post_metrics
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION social_serving_after_metrics();
CREATE TRIGGER social_post_metrics_serving_trunc AFTER TRUNCATE ON social_post_metrics
    FOR EACH STATEMENT EXECUTE FUNCTION social_serving_after_metrics_truncate();

-- Everything from the stored rows: what is stored already, and after a bulk load made with the
-- triggers disabled.
CREATE OR REPLACE FUNCTION social_rebuild_serving() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM social_post_latest_metrics;
    DELETE FROM social_account_view_medians;
    INSERT INTO social_post_latest_metrics (post_id, social_account_id, platform, posted_at, post_kind)
    SELECT id, social_account_id, platform, posted_at, post_kind FROM social_posts_analytics;
    -- (social_refresh_posts copies the other post columns)
    PERFORM social_refresh_posts(ARRAY(SELECT id FROM social_posts_analytics));
    PERFORM social_refresh_accounts(ARRAY(SELECT DISTINCT social_account_id FROM social_posts_analytics));
    -- The hashtag tables in one pass each, not key by key from the copy's triggers.
    PERFORM set_config('social_pipeline.serving_rebuild', 'on', true);
    DELETE FROM social_hashtag_post_days;
    INSERT INTO social_hashtag_post_days (post_id, hashtag_id, social_account_id, platform, posted_at)
    SELECT ph.post_id, ph.hashtag_id, p.social_account_id, p.platform, p.posted_at
    FROM social_post_hashtags ph JOIN social_posts_analytics p ON p.id = ph.post_id;
    PERFORM set_config('social_pipeline.serving_rebuild', 'off', true);
    DELETE FROM social_hashtag_daily;
    INSERT INTO social_hashtag_daily (hashtag_id, posted_date, posts, views_sum, views_n, rate_sum, rate_n)
    SELECT c.hashtag_id, c.posted_at::date, count(*), sum(l.views_count), count(l.views_count),
           sum(l.engagement_rate), count(l.engagement_rate)
    FROM social_hashtag_post_days c JOIN social_post_latest_metrics l ON l.post_id = c.post_id
    WHERE c.posted_at IS NOT NULL
    GROUP BY 1, 2;
    DELETE FROM social_hashtag_accounts;
    INSERT INTO social_hashtag_accounts (hashtag_id, social_account_id, last_posted_at)
    SELECT hashtag_id, social_account_id, max(posted_at)
    FROM social_hashtag_post_days WHERE posted_at IS NOT NULL
    GROUP BY 1, 2;
    DELETE FROM social_hashtag_weekly;
    INSERT INTO social_hashtag_weekly (hashtag_id, week_start, posts, views_sum, views_n, rate_sum, rate_n)
    SELECT hashtag_id, date_trunc('week', posted_date::timestamp)::date, sum(posts), sum(views_sum), sum(views_n), sum(rate_sum), sum(rate_n)
    FROM social_hashtag_daily GROUP BY 1, 2;
    DELETE FROM social_hashtag_account_weeks;
    INSERT INTO social_hashtag_account_weeks (hashtag_id, week_start, accounts)
    SELECT hashtag_id, date_trunc('week', last_posted_at)::date, count(*)
    FROM social_hashtag_accounts GROUP BY 1, 2;
    DELETE FROM social_hashtag_platforms;
    INSERT INTO social_hashtag_platforms (hashtag_id, platform, last_posted_at)
    SELECT hashtag_id, platform, max(posted_at)
    FROM social_hashtag_post_days WHERE posted_at IS NOT NULL
    GROUP BY 1, 2;
END
$$;
SELECT social_rebuild_serving();

-- Reads in the order asked. A DESC index puts NULLs first, as the views' ORDER BY ... DESC does.
CREATE INDEX social_post_latest_metrics_platform_views_idx ON social_post_latest_metrics (platform, views_count DESC);
CREATE INDEX social_post_latest_metrics_views_idx ON social_post_latest_metrics (views_count DESC);
CREATE INDEX social_post_latest_metrics_rate_idx ON social_post_latest_metrics (engagement_rate DESC);
CREATE INDEX social_post_latest_metrics_account_idx ON social_post_latest_metrics (social_account_id, posted_at);
-- Posts of a period (the dashboard's pages): counted, ranked and aggregated from the index alone.
CREATE INDEX social_post_latest_metrics_posted_idx ON social_post_latest_metrics (posted_at, post_id)
    INCLUDE (social_account_id, platform, post_kind, views_count, engagement_rate);
CREATE INDEX social_post_latest_metrics_velocity_idx ON social_post_latest_metrics (views_per_hour_48h DESC)
    WHERE velocity_hourly IS NOT NULL;
CREATE INDEX social_post_latest_metrics_video_idx ON social_post_latest_metrics (video_id)
    INCLUDE (post_id, clip_id, platform, views_count, likes_count, comments_count, shares_count, posted_at)
    WHERE video_id IS NOT NULL;
CREATE INDEX social_post_latest_metrics_clip_idx ON social_post_latest_metrics (clip_id) WHERE clip_id IS NOT NULL;
CREATE INDEX social_post_latest_metrics_virality_idx ON social_post_latest_metrics (virality_score DESC)
    INCLUDE (post_id, social_account_id, platform, post_url, posted_at, views_count)
    WHERE post_kind IN ('original', 'quote');

-- The dashboard's health page: today's requests, quota and cost by fetch time (a backfill pulls
-- old days today, so the partition day cannot say which rows were fetched today).
CREATE INDEX social_raw_pulls_fetched_at_idx ON social_raw_pulls (fetched_at);

-- The views, same columns and the same rows, from the serving layer.
CREATE OR REPLACE VIEW social_post_performance AS
SELECT
    p.id                  AS post_id,
    a.id                  AS social_account_id,
    a.handle              AS account_username,
    l.platform,
    p.external_post_id,
    p.post_url,
    p.caption,
    p.title,
    p.media_type,
    p.duration,
    l.posted_at,
    l.views_count         AS current_views,
    l.likes_count         AS current_likes,
    l.comments_count      AS current_comments,
    l.shares_count        AS current_shares,
    l.saves_count         AS current_saves,
    l.impressions         AS current_impressions,
    l.reach               AS current_reach,
    l.engagement_rate,
    l.snapshot_date       AS metrics_date,
    l.measured_at         AS last_updated,
    p.video_id,
    p.clip_id,
    l.post_kind
FROM social_post_latest_metrics l
JOIN social_posts_analytics p ON p.id = l.post_id
JOIN social_accounts a ON a.id = l.social_account_id;

CREATE OR REPLACE VIEW social_post_velocity AS
SELECT l.post_id,
       l.platform,
       l.posted_at,
       l.velocity_views      AS views_at_snapshot,
       l.velocity_hours      AS hours_after_posting,
       l.views_per_hour_48h,
       l.velocity_hourly     AS from_hourly_snapshot
FROM social_post_latest_metrics l
WHERE l.velocity_hourly IS NOT NULL;

CREATE OR REPLACE VIEW social_post_virality AS
SELECT l.post_id, a.handle AS account_username, l.platform, l.post_url, l.posted_at, l.views_count AS current_views,
       round(md.median_views::numeric, 0) AS account_median_views,
       l.virality_score
FROM social_post_latest_metrics l
JOIN social_account_view_medians md ON md.social_account_id = l.social_account_id
JOIN social_accounts a ON a.id = l.social_account_id
WHERE l.post_kind IN ('original', 'quote');

-- Same columns and rows as before: whole weeks from social_hashtag_weekly, the whole days before
-- the first of them from social_hashtag_daily, the window's first, partial day from its posts;
-- accounts from the newest use of each pair (counted by week after the first whole week), and
-- platforms from the newest use of each.
CREATE OR REPLACE FUNCTION social_hashtag_insights(p_days INTEGER DEFAULT 30)
RETURNS TABLE (hashtag VARCHAR, posts BIGINT, accounts BIGINT, platforms TEXT[], total_views NUMERIC,
               avg_views NUMERIC, avg_engagement_rate NUMERIC)
LANGUAGE sql STABLE AS $$
    WITH window_start AS (
        -- since: the window's start; first_day: its first whole day; first_week: its first whole week
        SELECT since, since::date + 1 AS first_day, date_trunc('week', (since::date + 1)::timestamp)::date
                   + CASE WHEN date_trunc('week', (since::date + 1)::timestamp)::date = since::date + 1 THEN 0 ELSE 7 END AS first_week
        FROM (SELECT (now() AT TIME ZONE 'UTC') - make_interval(days => p_days) AS since) t
    ), sums AS (
        SELECT hashtag_id, sum(posts) AS posts, sum(views_sum) AS views_sum, sum(views_n) AS views_n,
               sum(rate_sum) AS rate_sum, sum(rate_n) AS rate_n
        FROM (
            SELECT k.hashtag_id, k.posts, k.views_sum, k.views_n, k.rate_sum, k.rate_n
            FROM social_hashtag_weekly k, window_start w
            WHERE k.week_start >= w.first_week
            UNION ALL
            SELECT d.hashtag_id, d.posts, d.views_sum, d.views_n, d.rate_sum, d.rate_n
            FROM social_hashtag_daily d, window_start w
            WHERE d.posted_date >= w.first_day AND d.posted_date < w.first_week
            UNION ALL
            SELECT c.hashtag_id, 1, l.views_count, (l.views_count IS NOT NULL)::int,
                   l.engagement_rate, (l.engagement_rate IS NOT NULL)::int
            FROM window_start w
            JOIN social_hashtag_post_days c ON c.posted_at >= w.since AND c.posted_at < w.first_day
            -- OFFSET 0: one primary-key probe per post of that partial day, never a scan of the table
            CROSS JOIN LATERAL (SELECT x.views_count, x.engagement_rate FROM social_post_latest_metrics x
                                WHERE x.post_id = c.post_id OFFSET 0) l
        ) parts
        GROUP BY hashtag_id
    ), users AS (
        SELECT hashtag_id, sum(accounts) AS accounts
        FROM (
            SELECT k.hashtag_id, k.accounts
            FROM social_hashtag_account_weeks k, window_start w
            WHERE k.week_start >= w.first_week
            UNION ALL
            SELECT a.hashtag_id, 1
            FROM social_hashtag_accounts a, window_start w
            WHERE a.last_posted_at >= w.since AND a.last_posted_at < w.first_week
        ) parts
        GROUP BY hashtag_id
    ), places AS (
        SELECT a.hashtag_id, array_agg(a.platform ORDER BY a.platform) AS platforms
        FROM social_hashtag_platforms a, window_start w
        WHERE a.last_posted_at >= w.since
        GROUP BY a.hashtag_id
    )
    SELECT h.hashtag, s.posts, u.accounts::bigint, p.platforms, s.views_sum,
           round(s.views_sum / NULLIF(s.views_n, 0), 0), round(s.rate_sum / NULLIF(s.rate_n, 0), 2)
    FROM sums s
    JOIN users u ON u.hashtag_id = s.hashtag_id
    JOIN places p ON p.hashtag_id = s.hashtag_id
    JOIN social_hashtags h ON h.id = s.hashtag_id
$$;

CREATE OR REPLACE VIEW social_content_posts AS
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
    l.link_source,
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
LEFT JOIN social_post_latest_metrics mt ON mt.post_id = l.post_id;

-- One row per video, as before; the posts linked through their own video/clip columns are read
-- from the serving table (one index, their latest metrics beside them), those linked through
-- social_content_mappings as before.
CREATE OR REPLACE VIEW social_content_performance AS
WITH candidates AS (
    -- Posts linked by their own video: one covering index holds what is summed.
    SELECT l.post_id, l.video_id, l.clip_id, 0 AS rank_key, 0::bigint AS mapping_id, l.platform, l.views_count,
           l.likes_count, l.comments_count, l.shares_count, l.posted_at
    FROM social_post_latest_metrics l
    WHERE l.video_id IS NOT NULL
    UNION ALL
    SELECT l.post_id, l.video_id, l.clip_id, 0, 0::bigint, l.platform, l.views_count, l.likes_count,
           l.comments_count, l.shares_count, l.posted_at
    FROM social_post_latest_metrics l
    WHERE l.video_id IS NULL AND l.clip_id IS NOT NULL
    UNION ALL
    SELECT m.post_id, m.video_id, m.clip_id, 1, m.id, l.platform, l.views_count, l.likes_count,
           l.comments_count, l.shares_count, l.posted_at
    FROM social_content_mappings m
    JOIN social_post_latest_metrics l ON l.post_id = m.post_id
    WHERE m.post_id IS NOT NULL
    UNION ALL
    SELECT p.id, m.video_id, m.clip_id, 1, m.id, l.platform, l.views_count, l.likes_count,
           l.comments_count, l.shares_count, l.posted_at
    FROM social_content_mappings m
    JOIN social_posts_analytics p
      ON p.platform = lower(m.platform) AND p.external_post_id = m.external_post_id
    JOIN social_post_latest_metrics l ON l.post_id = p.id
    WHERE m.post_id IS NULL
), links AS (
    SELECT DISTINCT ON (post_id) *
    FROM candidates
    ORDER BY post_id, rank_key, mapping_id
), linked AS (
    SELECT COALESCE(k.video_id, c.video_id) AS video_id, k.platform, k.clip_id, k.views_count AS current_views,
           k.likes_count AS current_likes, k.comments_count AS current_comments, k.shares_count AS current_shares,
           k.posted_at
    FROM links k
    LEFT JOIN clips c ON c.id = k.clip_id
    WHERE COALESCE(k.video_id, c.video_id) IS NOT NULL
), per_platform AS (
    SELECT
        video_id,
        platform,
        COALESCE(SUM(current_views), 0)::bigint AS views,
        (COALESCE(SUM(current_likes), 0) + COALESCE(SUM(current_comments), 0)
            + COALESCE(SUM(current_shares), 0))::bigint AS interactions
    FROM linked
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
    FROM linked
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
