-- The app's social_accounts keeps the specification's columns only (id, platform, handle,
-- access_token) and is never altered: what the pipeline needs beyond them is ours, keyed by
-- social_account_id. Display names are in social_account_profiles (010); the platform's account
-- id the user chose, the refresh token and the token's expiry are here.
CREATE TABLE social_account_credentials (
    social_account_id    UUID PRIMARY KEY REFERENCES social_accounts(id) ON DELETE CASCADE,
    external_account_id  VARCHAR(255),
    refresh_token        TEXT,
    token_expires_at     TIMESTAMPTZ,
    token_refreshed_at   TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE social_account_credentials IS
    'how the pipeline reaches each account beyond social_accounts.access_token: the platform account id to pull, the refresh token and when the access token expires; closed to the public API roles';
COMMENT ON COLUMN social_account_credentials.social_account_id IS 'The account (social_accounts.id).';
COMMENT ON COLUMN social_account_credentials.external_account_id IS
    'The platform''s id of the account to pull (a Facebook Page id, an Instagram user id, a LinkedIn organization), set by the user; NULL: found from the handle.';
COMMENT ON COLUMN social_account_credentials.refresh_token IS 'OAuth refresh token (a secret: never shown, never logged). NULL: none.';
COMMENT ON COLUMN social_account_credentials.token_expires_at IS 'When social_accounts.access_token expires. NULL: not recorded or does not expire.';
COMMENT ON COLUMN social_account_credentials.token_refreshed_at IS 'When the pipeline last renewed the access token. NULL: never.';
COMMENT ON COLUMN social_account_credentials.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN social_account_credentials.updated_at IS 'When the row was last changed.';

-- Databases migrated before this file had these columns added to social_accounts (migrations
-- 001 and 004 as first written): their values move here; the columns themselves are left as
-- they are. An account marked inactive there stops being monitored.
DO $$
DECLARE
    has_cols TEXT[];
    pick TEXT;
BEGIN
    SELECT array_agg(column_name::text) INTO has_cols FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = 'social_accounts'
      AND column_name IN ('external_account_id', 'refresh_token', 'token_expires_at', 'token_refreshed_at',
                          'is_active', 'display_name');
    IF has_cols IS NULL THEN
        RETURN;
    END IF;
    IF has_cols && ARRAY['external_account_id', 'refresh_token', 'token_expires_at', 'token_refreshed_at'] THEN
        SELECT string_agg(CASE WHEN c = ANY(has_cols) THEN format('a.%I', c) ELSE 'NULL' END, ', ')
        INTO pick
        FROM unnest(ARRAY['external_account_id', 'refresh_token', 'token_expires_at', 'token_refreshed_at']) AS c;
        EXECUTE format(
            'INSERT INTO social_account_credentials '
            '(social_account_id, external_account_id, refresh_token, token_expires_at, token_refreshed_at) '
            'SELECT a.id, %s FROM social_accounts a', pick);
    END IF;
    IF 'display_name' = ANY(has_cols) THEN
        EXECUTE 'INSERT INTO social_account_profiles (social_account_id, display_name, observed_date) '
                'SELECT a.id, a.display_name, current_date - 36500 FROM social_accounts a '
                'WHERE a.display_name IS NOT NULL ON CONFLICT (social_account_id) DO NOTHING';
    END IF;
    IF 'is_active' = ANY(has_cols) THEN
        EXECUTE 'UPDATE social_analytics_config c SET monitoring_enabled = FALSE, updated_at = now() '
                'FROM social_accounts a WHERE a.id = c.social_account_id AND a.is_active IS FALSE';
    END IF;
END
$$;

-- The display name comes from the platform (social_account_profiles), not from the app's table.
-- Dropped and created again (its display_name may have had the app column's type), keeping the
-- column comments.
CREATE TEMP TABLE social_latest_comments ON COMMIT DROP AS
SELECT a.attname::text AS col, col_description(a.attrelid, a.attnum) AS note
FROM pg_attribute a WHERE a.attrelid = 'social_analytics_latest'::regclass AND a.attnum > 0;
CREATE TEMP TABLE social_latest_view_comment ON COMMIT DROP AS
SELECT obj_description('social_analytics_latest'::regclass, 'pg_class') AS note;
DROP VIEW social_analytics_latest;
CREATE VIEW social_analytics_latest AS
SELECT
    a.id                                    AS social_account_id,
    a.handle                                AS username,
    a.platform,
    pr.display_name,
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
LEFT JOIN social_account_profiles pr ON pr.social_account_id = a.id
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
DO $$
DECLARE
    r RECORD;
BEGIN
    FOR r IN SELECT col, note FROM social_latest_comments WHERE note IS NOT NULL LOOP
        EXECUTE format('COMMENT ON COLUMN social_analytics_latest.%I IS %L', r.col, r.note);
    END LOOP;
    EXECUTE format('COMMENT ON VIEW social_analytics_latest IS %L', (SELECT note FROM social_latest_view_comment));
END
$$;
COMMENT ON COLUMN social_analytics_latest.display_name IS
    'The account''s display name as the platform reports it (social_account_profiles.display_name). NULL: not known yet.';
COMMENT ON COLUMN social_account_profiles.display_name IS 'The account''s display name on the platform. NULL: never reported.';

-- Two app users may monitor one handle (the app's table need not be unique on platform and
-- handle): each account keeps its own posts, so a post is unique per account.
ALTER TABLE social_posts_analytics DROP CONSTRAINT social_posts_analytics_platform_external_key;
ALTER TABLE social_posts_analytics ADD CONSTRAINT social_posts_analytics_account_external_key
    UNIQUE (social_account_id, platform, external_post_id);
CREATE INDEX social_posts_analytics_platform_external_idx ON social_posts_analytics (platform, external_post_id);
