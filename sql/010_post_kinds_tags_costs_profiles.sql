-- Platforms as they answer today (issue: real platforms).

-- What a post is to the account that published it: its own post, a reply to someone else, a
-- continuation of its own thread, or a quote of another post. Reposts of others are never stored.
ALTER TABLE social_posts_analytics
    ADD COLUMN post_kind VARCHAR(20) NOT NULL DEFAULT 'original'
        CHECK (post_kind IN ('original', 'reply', 'thread', 'quote'));
-- Tags as the platform itself defines them (Bluesky facets and tags, X entities.hashtags, YouTube
-- title and description), lowercase without '#'. NULL: the platform gives no structured tags, and
-- hashtags are read from the caption's text.
ALTER TABLE social_posts_analytics ADD COLUMN hashtags TEXT[];
-- Creator-set keywords that are not hashtags (YouTube snippet.tags).
ALTER TABLE social_posts_analytics ADD COLUMN keywords TEXT[];
COMMENT ON COLUMN social_posts_analytics.post_kind IS
    'original, reply (to another account), thread (continuation of the account''s own thread) or quote';
COMMENT ON COLUMN social_posts_analytics.hashtags IS
    'hashtags as the platform defines them, lowercase without #; NULL: taken from the caption text';
COMMENT ON COLUMN social_posts_analytics.keywords IS 'creator-set keywords that are not hashtags (YouTube tags)';
CREATE INDEX social_posts_analytics_kind_idx ON social_posts_analytics (social_account_id, post_kind);

-- YouTube counts views with a new method from 2026-08-27 (Shorts from 2025-03-31); engagedViews
-- keeps the old one. views_method names the method the observation's views_count was counted by.
ALTER TABLE social_post_metrics ADD COLUMN engaged_views BIGINT CHECK (engaged_views >= 0);
ALTER TABLE social_post_metrics ADD COLUMN views_method VARCHAR(40);
COMMENT ON COLUMN social_post_metrics.engaged_views IS 'YouTube Analytics engagedViews (the pre-2026-08-27 counting method)';
COMMENT ON COLUMN social_post_metrics.views_method IS
    'how the platform counted views_count for this observation (e.g. youtube-2026-08-27); NULL: one method only';

-- What each exchange cost in money (X bills per resource read), next to quota units.
ALTER TABLE social_raw_pulls ADD COLUMN cost_usd NUMERIC(14, 6) CHECK (cost_usd >= 0);
ALTER TABLE social_api_usage ADD COLUMN cost_usd NUMERIC(14, 6) CHECK (cost_usd >= 0);
COMMENT ON COLUMN social_api_usage.cost_usd IS 'US dollars the requests cost (X pay-per-use prices); NULL: not billed per request';

-- The account as the platform names it, kept up to date by every successful pull: the newest
-- observation wins, so a re-run of an old day never writes back an old name.
CREATE TABLE social_account_profiles (
    social_account_id    UUID PRIMARY KEY REFERENCES social_accounts(id) ON DELETE CASCADE,
    external_account_id  VARCHAR(255),
    display_name         VARCHAR(255),
    profile_url          TEXT,
    observed_date        DATE NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE social_account_profiles IS
    'the platform''s own id, name and profile URL of each account, from its newest successful pull';
