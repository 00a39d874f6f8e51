-- The serving layer, second part: what the dashboard reads for a period of any length.
--
-- 1. Comments (the audience page).
-- social_comment_sentiment_daily counts the comments on the posts of one platform published on
-- one UTC day, by the UTC day they were written and their sentiment. Sentiment over time for all
-- accounts (or some platforms) then sums a few hundred rows instead of reading the comments of
-- every post of the period one by one. Its rows are counts, so:
--   - comments inserted or deleted add or subtract their own counts (statement-level triggers
--     with transition tables: the day's new comments are read, not every comment of their posts);
--   - a comment whose sentiment, time or post changes has its post's keys recounted from
--     social_comments (a row-level trigger whose WHEN clause skips the daily upsert that only
--     moves likes and last_seen_date notes the post; a statement-level trigger recounts each
--     noted post's key once);
--   - a post whose time or platform changes, or that is deleted, has its keys recounted.
-- The check comment_sentiment_current compares it with a recount; social_rebuild_comment_serving()
-- recomputes it whole.
--
-- The most liked comments of a period are read from social_comments_likes_idx, in the order the
-- dashboard shows them, checking each comment's post until the page is full.
--
-- 2. Posts by platform and day of publication (the overview's headline numbers):
-- social_platform_post_days sums the latest metrics (social_post_latest_metrics, migration 018) of
-- the posts of one platform published on one UTC day; recomputed key by key by a statement-level
-- trigger on social_post_latest_metrics, so in the transaction that wrote the metrics.
--
-- 3. Hashtags since a given time: social_hashtags_since(ts) is what social_hashtag_insights(days)
-- computed for now() - days, from the same tables (018); social_hashtag_insights now calls it.
--
-- social_rebuild_serving() now rebuilds all of it (018's body is kept as social_rebuild_post_serving).
--
-- 4. One writer at a time. A trigger recomputes from what its statements see. Two transactions
-- writing the same post at once (a backfill run's metrics for an old day and the daily run's for
-- today) would each recompute without the other's uncommitted rows, and the one that commits last
-- would leave the older answer. So every statement that writes a table the layer summarizes first
-- takes a transaction-scoped advisory lock (one for what feeds the posts' tables, one for what
-- feeds the comment counts): such writers take turns, and the second one's recomputation (plpgsql
-- takes a new snapshot per statement) sees what the first committed.

CREATE TABLE social_comment_sentiment_daily (
    posted_date     DATE NOT NULL,
    platform        VARCHAR(50) NOT NULL,
    commented_date  DATE NOT NULL,
    positive        INTEGER NOT NULL CHECK (positive >= 0),
    neutral         INTEGER NOT NULL CHECK (neutral >= 0),
    negative        INTEGER NOT NULL CHECK (negative >= 0),
    unscored        INTEGER NOT NULL CHECK (unscored >= 0),
    PRIMARY KEY (posted_date, platform, commented_date)
);

COMMENT ON TABLE social_comment_sentiment_daily IS
    'Serving layer: comments on the posts of a platform published on a UTC day, counted by the UTC day they were written and by sentiment; kept by triggers in the same transaction as every write to social_comments or to a post''s time or platform (migration 020). Comments with no time (commented_at NULL) and posts with no time are not counted.';
COMMENT ON COLUMN social_comment_sentiment_daily.posted_date IS 'UTC day the posts were published (social_posts_analytics.posted_at).';
COMMENT ON COLUMN social_comment_sentiment_daily.platform IS 'The posts'' platform.';
COMMENT ON COLUMN social_comment_sentiment_daily.commented_date IS 'UTC day the comments were written (social_comments.commented_at).';
COMMENT ON COLUMN social_comment_sentiment_daily.positive IS 'Comments scored positive.';
COMMENT ON COLUMN social_comment_sentiment_daily.neutral IS 'Comments scored neutral.';
COMMENT ON COLUMN social_comment_sentiment_daily.negative IS 'Comments scored negative.';
COMMENT ON COLUMN social_comment_sentiment_daily.unscored IS 'Comments with no sentiment (sentiment NULL: a language the model cannot score, or no text); never counted as neutral.';

-- Posts noted by the row-level trigger, refreshed (and forgotten) at the end of their statement.
CREATE TABLE social_comment_sentiment_pending (
    post_id  INTEGER PRIMARY KEY
);
COMMENT ON TABLE social_comment_sentiment_pending IS
    'Serving layer bookkeeping: posts whose comments changed sentiment, time or post during the running statement; empty between statements (migration 020).';
COMMENT ON COLUMN social_comment_sentiment_pending.post_id IS 'The post (social_posts_analytics.id) whose keys are recounted at the end of the statement.';

CREATE OR REPLACE FUNCTION social_refresh_comment_days(platforms VARCHAR[], days DATE[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM social_comment_sentiment_daily d USING unnest(platforms, days) AS k(platform, posted_date)
    WHERE d.platform = k.platform AND d.posted_date = k.posted_date;
    -- Each day's posts once, through the index on posted_at; each post's comments through the
    -- (post_id, external_comment_id) index; then only the keys kept.
    INSERT INTO social_comment_sentiment_daily (posted_date, platform, commented_date, positive, neutral, negative, unscored)
    SELECT p.posted_date, p.platform, c.commented_at::date,
           count(*) FILTER (WHERE c.sentiment = 'positive'), count(*) FILTER (WHERE c.sentiment = 'neutral'),
           count(*) FILTER (WHERE c.sentiment = 'negative'), count(*) FILTER (WHERE c.sentiment IS NULL)
    FROM (SELECT DISTINCT d AS posted_date FROM unnest(days) AS u(d) WHERE d IS NOT NULL) k
    CROSS JOIN LATERAL (SELECT p.id, p.platform, k.posted_date FROM social_posts_analytics p
                        WHERE p.posted_at >= k.posted_date AND p.posted_at < k.posted_date + 1
                          AND p.platform = ANY(platforms) OFFSET 0) p
    CROSS JOIN LATERAL (SELECT c.commented_at, c.sentiment FROM social_comments c
                        WHERE c.post_id = p.id AND c.commented_at IS NOT NULL OFFSET 0) c
    WHERE (p.platform, p.posted_date) IN (SELECT * FROM unnest(platforms, days))
    GROUP BY 1, 2, 3;
END
$$;

-- The (platform, day of publication) keys of some posts, refreshed.
CREATE OR REPLACE FUNCTION social_refresh_comment_posts(posts INTEGER[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    platforms VARCHAR[];
    days DATE[];
BEGIN
    SELECT array_agg(k.platform), array_agg(k.posted_date) INTO platforms, days
    FROM (SELECT DISTINCT p.platform, p.posted_at::date AS posted_date FROM social_posts_analytics p
          WHERE p.id = ANY(posts) AND p.posted_at IS NOT NULL) k;
    IF platforms IS NOT NULL THEN
        PERFORM social_refresh_comment_days(platforms, days);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION social_comment_serving_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO social_comment_sentiment_daily AS d (posted_date, platform, commented_date, positive, neutral, negative, unscored)
        SELECT p.posted_at::date, p.platform, n.commented_at::date,
               count(*) FILTER (WHERE n.sentiment = 'positive'), count(*) FILTER (WHERE n.sentiment = 'neutral'),
               count(*) FILTER (WHERE n.sentiment = 'negative'), count(*) FILTER (WHERE n.sentiment IS NULL)
        FROM new_rows n JOIN social_posts_analytics p ON p.id = n.post_id
        WHERE n.commented_at IS NOT NULL AND p.posted_at IS NOT NULL
        GROUP BY 1, 2, 3
        ON CONFLICT (posted_date, platform, commented_date) DO UPDATE SET
            positive = d.positive + EXCLUDED.positive, neutral = d.neutral + EXCLUDED.neutral,
            negative = d.negative + EXCLUDED.negative, unscored = d.unscored + EXCLUDED.unscored;
    ELSIF TG_OP = 'DELETE' THEN
        -- A post deleted with its comments is no longer found here: the posts' delete trigger
        -- recounts its keys.
        WITH gone AS (
            SELECT p.posted_at::date AS posted_date, p.platform, o.commented_at::date AS commented_date,
                   count(*) FILTER (WHERE o.sentiment = 'positive') AS positive,
                   count(*) FILTER (WHERE o.sentiment = 'neutral') AS neutral,
                   count(*) FILTER (WHERE o.sentiment = 'negative') AS negative,
                   count(*) FILTER (WHERE o.sentiment IS NULL) AS unscored
            FROM old_rows o JOIN social_posts_analytics p ON p.id = o.post_id
            WHERE o.commented_at IS NOT NULL AND p.posted_at IS NOT NULL
            GROUP BY 1, 2, 3)
        UPDATE social_comment_sentiment_daily d SET positive = d.positive - g.positive, neutral = d.neutral - g.neutral,
            negative = d.negative - g.negative, unscored = d.unscored - g.unscored
        FROM gone g
        WHERE d.posted_date = g.posted_date AND d.platform = g.platform AND d.commented_date = g.commented_date;
        DELETE FROM social_comment_sentiment_daily WHERE positive = 0 AND neutral = 0 AND negative = 0 AND unscored = 0;
    ELSE  -- UPDATE, statement level: the posts the row-level trigger noted
        PERFORM social_refresh_comment_posts(ARRAY(SELECT post_id FROM social_comment_sentiment_pending));
        DELETE FROM social_comment_sentiment_pending;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION social_comment_serving_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO social_comment_sentiment_pending (post_id) VALUES (OLD.post_id) ON CONFLICT DO NOTHING;
    IF NEW.post_id IS DISTINCT FROM OLD.post_id THEN
        INSERT INTO social_comment_sentiment_pending (post_id) VALUES (NEW.post_id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION social_comment_serving_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM social_comment_sentiment_daily;
    RETURN NULL;
END
$$;

CREATE TRIGGER social_comments_serving_ins AFTER INSERT ON social_comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION social_comment_serving_changed();
CREATE TRIGGER social_comments_serving_del AFTER DELETE ON social_comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION social_comment_serving_changed();
-- Row level, so the daily upsert that rewrites likes on every tracked comment carries no
-- transition table: the WHEN clause lets through only a change the counts depend on.
CREATE TRIGGER social_comments_serving_note AFTER UPDATE OF sentiment, commented_at, post_id ON social_comments
    FOR EACH ROW
    WHEN (OLD.sentiment IS DISTINCT FROM NEW.sentiment OR OLD.commented_at IS DISTINCT FROM NEW.commented_at
          OR OLD.post_id IS DISTINCT FROM NEW.post_id)
    EXECUTE FUNCTION social_comment_serving_note();
CREATE TRIGGER social_comments_serving_upd AFTER UPDATE ON social_comments
    FOR EACH STATEMENT EXECUTE FUNCTION social_comment_serving_changed();
CREATE TRIGGER social_comments_serving_trunc AFTER TRUNCATE ON social_comments
    FOR EACH STATEMENT EXECUTE FUNCTION social_comment_serving_truncate();

-- A post moved in time or to another platform takes its comments from one key to another.
CREATE OR REPLACE FUNCTION social_comment_serving_post_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM social_refresh_comment_days(ARRAY[OLD.platform, NEW.platform], ARRAY[OLD.posted_at::date, NEW.posted_at::date]);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION social_comment_serving_posts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    platforms VARCHAR[];
    days DATE[];
BEGIN
    SELECT array_agg(platform), array_agg(posted_at::date) INTO platforms, days
    FROM (SELECT DISTINCT platform, posted_at::date AS posted_at FROM old_rows WHERE posted_at IS NOT NULL) k;
    IF platforms IS NOT NULL THEN
        PERFORM social_refresh_comment_days(platforms, days);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER social_posts_analytics_comment_serving_upd AFTER UPDATE OF posted_at, platform ON social_posts_analytics
    FOR EACH ROW
    WHEN (OLD.posted_at::date IS DISTINCT FROM NEW.posted_at::date OR OLD.platform IS DISTINCT FROM NEW.platform)
    EXECUTE FUNCTION social_comment_serving_post_moved();
CREATE TRIGGER social_posts_analytics_comment_serving_del AFTER DELETE ON social_posts_analytics
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION social_comment_serving_posts_deleted();

CREATE OR REPLACE FUNCTION social_rebuild_comment_serving() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM social_comment_sentiment_daily;
    DELETE FROM social_comment_sentiment_pending;
    INSERT INTO social_comment_sentiment_daily (posted_date, platform, commented_date, positive, neutral, negative, unscored)
    SELECT p.posted_at::date, p.platform, c.commented_at::date,
           count(*) FILTER (WHERE c.sentiment = 'positive'), count(*) FILTER (WHERE c.sentiment = 'neutral'),
           count(*) FILTER (WHERE c.sentiment = 'negative'), count(*) FILTER (WHERE c.sentiment IS NULL)
    FROM social_comments c JOIN social_posts_analytics p ON p.id = c.post_id
    WHERE c.commented_at IS NOT NULL AND p.posted_at IS NOT NULL
    GROUP BY 1, 2, 3;
END
$$;

SELECT social_rebuild_comment_serving();

-- The most liked comments first, ties as the dashboard breaks them (newest, then id).
CREATE INDEX social_comments_likes_idx ON social_comments (likes_count DESC, commented_at DESC NULLS LAST, id)
    WHERE likes_count IS NOT NULL;

-- 2. Posts by platform and day of publication ------------------------------------------------------

CREATE TABLE social_platform_post_days (
    posted_date  DATE NOT NULL,
    platform     VARCHAR(50) NOT NULL,
    posts        INTEGER NOT NULL CHECK (posts > 0),
    views_sum    NUMERIC,
    views_n      INTEGER NOT NULL,
    rate_sum     NUMERIC,
    rate_n       INTEGER NOT NULL,
    PRIMARY KEY (posted_date, platform)
);
COMMENT ON TABLE social_platform_post_days IS
    'Serving layer: the posts of a platform published on a UTC day, with sums of their latest metrics (social_post_latest_metrics); kept by a trigger on that table in the same transaction (migration 020). Posts with no time are not counted.';
COMMENT ON COLUMN social_platform_post_days.posted_date IS 'UTC day the posts were published.';
COMMENT ON COLUMN social_platform_post_days.platform IS 'The posts'' platform.';
COMMENT ON COLUMN social_platform_post_days.posts IS 'Posts published (every kind).';
COMMENT ON COLUMN social_platform_post_days.views_sum IS 'Sum of their latest views. NULL: none reports views.';
COMMENT ON COLUMN social_platform_post_days.views_n IS 'How many of them report views.';
COMMENT ON COLUMN social_platform_post_days.rate_sum IS 'Sum of their latest engagement rates (percent). NULL: none has one.';
COMMENT ON COLUMN social_platform_post_days.rate_n IS 'How many of them have an engagement rate.';

CREATE OR REPLACE FUNCTION social_refresh_platform_days(platforms VARCHAR[], days DATE[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM social_platform_post_days d USING unnest(platforms, days) AS k(platform, posted_date)
    WHERE d.platform = k.platform AND d.posted_date = k.posted_date;
    -- Each day once, from the covering index on (posted_at, post_id), every platform summed; then
    -- only the keys kept.
    INSERT INTO social_platform_post_days (posted_date, platform, posts, views_sum, views_n, rate_sum, rate_n)
    SELECT s.* FROM (
        SELECT k.posted_date, l.platform, count(*), sum(l.views_count), count(l.views_count),
               sum(l.engagement_rate), count(l.engagement_rate)
        FROM (SELECT DISTINCT d AS posted_date FROM unnest(days) AS u(d) WHERE d IS NOT NULL) k
        CROSS JOIN LATERAL (SELECT l.platform, l.views_count, l.engagement_rate FROM social_post_latest_metrics l
                            WHERE l.posted_at >= k.posted_date AND l.posted_at < k.posted_date + 1 OFFSET 0) l
        GROUP BY 1, 2
    ) s (posted_date, platform, posts, views_sum, views_n, rate_sum, rate_n)
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
              FROM ((SELECT post_id, platform, posted_at, views_count, engagement_rate FROM new_rows
                     EXCEPT ALL SELECT post_id, platform, posted_at, views_count, engagement_rate FROM old_rows)
                    UNION ALL
                    (SELECT post_id, platform, posted_at, views_count, engagement_rate FROM old_rows
                     EXCEPT ALL SELECT post_id, platform, posted_at, views_count, engagement_rate FROM new_rows)) changed) k;
    END IF;
    IF platforms IS NOT NULL THEN
        PERFORM social_refresh_platform_days(platforms, days);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER social_post_latest_metrics_days_ins AFTER INSERT ON social_post_latest_metrics
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION social_platform_days_changed();
CREATE TRIGGER social_post_latest_metrics_days_del AFTER DELETE ON social_post_latest_metrics
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION social_platform_days_changed();
-- (A trigger with transition tables cannot name columns: an update of virality_score alone, which
-- 018 makes in a statement of its own, finds no key to refresh.)
CREATE TRIGGER social_post_latest_metrics_days_upd AFTER UPDATE ON social_post_latest_metrics
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION social_platform_days_changed();

CREATE OR REPLACE FUNCTION social_rebuild_platform_days() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM social_platform_post_days;
    INSERT INTO social_platform_post_days (posted_date, platform, posts, views_sum, views_n, rate_sum, rate_n)
    SELECT posted_at::date, platform, count(*), sum(views_count), count(views_count), sum(engagement_rate), count(engagement_rate)
    FROM social_post_latest_metrics WHERE posted_at IS NOT NULL
    GROUP BY 1, 2;
$$;

SELECT social_rebuild_platform_days();

-- 3. Hashtags since a given time ---------------------------------------------------------------------

CREATE OR REPLACE FUNCTION social_hashtags_since(p_since TIMESTAMP)
RETURNS TABLE (hashtag VARCHAR, posts BIGINT, accounts BIGINT, platforms TEXT[], total_views NUMERIC,
               posts_with_views BIGINT, avg_views NUMERIC, avg_engagement_rate NUMERIC)
LANGUAGE sql STABLE AS $$
    -- Posts published at or after p_since (up to now: the tables hold no later posts to leave out).
    -- Whole weeks from the weekly sums, whole days before the first of them from the daily sums, and
    -- the part of a day before the first whole day post by post; an account (platform) used the
    -- hashtag in the window when its newest use is in it.
    WITH window_start AS (
        -- first_day: the window's first whole day; first_week: its first whole week
        SELECT since, first_day, date_trunc('week', first_day::timestamp)::date
                   + CASE WHEN date_trunc('week', first_day::timestamp)::date = first_day THEN 0 ELSE 7 END AS first_week
        FROM (SELECT p_since AS since,
                     p_since::date + CASE WHEN p_since = p_since::date THEN 0 ELSE 1 END AS first_day) t
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
    SELECT h.hashtag, s.posts, u.accounts::bigint, p.platforms, s.views_sum, s.views_n,
           round(s.views_sum / NULLIF(s.views_n, 0), 0), round(s.rate_sum / NULLIF(s.rate_n, 0), 2)
    FROM sums s
    JOIN users u ON u.hashtag_id = s.hashtag_id
    JOIN places p ON p.hashtag_id = s.hashtag_id
    JOIN social_hashtags h ON h.id = s.hashtag_id
$$;

CREATE OR REPLACE FUNCTION social_hashtag_insights(p_days INTEGER DEFAULT 30)
RETURNS TABLE (hashtag VARCHAR, posts BIGINT, accounts BIGINT, platforms TEXT[], total_views NUMERIC,
               avg_views NUMERIC, avg_engagement_rate NUMERIC)
LANGUAGE sql STABLE AS $$
    SELECT s.hashtag, s.posts, s.accounts, s.platforms, s.total_views, s.avg_views, s.avg_engagement_rate
    FROM social_hashtags_since((now() AT TIME ZONE 'UTC') - make_interval(days => p_days)) s
$$;

-- 4. One writer at a time --------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION social_serving_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Two locks, so the day's comments (the longest write) and its metrics still run side by side:
    -- posts, their metrics and their hashtag links feed 018's tables and the sums by platform and
    -- day; posts and comments feed the comment counts. Posts take both, always in this order.
    IF TG_TABLE_NAME <> 'social_comments' THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('social_pipeline:serving:posts', 0));
    END IF;
    IF TG_TABLE_NAME IN ('social_comments', 'social_posts_analytics') THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('social_pipeline:serving:comments', 0));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER social_post_metrics_serving_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON social_post_metrics
    FOR EACH STATEMENT EXECUTE FUNCTION social_serving_lock();
-- A post's update takes the locks only for the columns the layer copies or groups by: the hashtags
-- asset's update of hashtag_stats then never waits for the day's comments write.
CREATE TRIGGER social_posts_analytics_serving_lock
    BEFORE INSERT OR DELETE OR TRUNCATE
        OR UPDATE OF posted_at, post_kind, platform, social_account_id, post_url, video_id, clip_id
    ON social_posts_analytics FOR EACH STATEMENT EXECUTE FUNCTION social_serving_lock();
CREATE TRIGGER social_post_hashtags_serving_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON social_post_hashtags
    FOR EACH STATEMENT EXECUTE FUNCTION social_serving_lock();
CREATE TRIGGER social_comments_serving_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON social_comments
    FOR EACH STATEMENT EXECUTE FUNCTION social_serving_lock();

-- Rebuilding ---------------------------------------------------------------------------------------

ALTER FUNCTION social_rebuild_serving() RENAME TO social_rebuild_post_serving;
CREATE OR REPLACE FUNCTION social_rebuild_serving() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM social_rebuild_post_serving();      -- migration 018's tables
    PERFORM social_rebuild_platform_days();
    PERFORM social_rebuild_comment_serving();
END
$$;
