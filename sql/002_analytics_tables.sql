-- The analytics tables of the specification. Column names and types follow it exactly; what it
-- left as "..." is filled with ids, bookkeeping times, natural keys, foreign keys and CHECKs.
-- Times the specification types as TIMESTAMP hold UTC.

-- 1. Monitoring configuration per account
CREATE TABLE social_analytics_config (
    id                  SERIAL PRIMARY KEY,
    social_account_id   UUID NOT NULL UNIQUE REFERENCES social_accounts(id) ON DELETE CASCADE,
    monitoring_enabled  BOOLEAN  NOT NULL DEFAULT TRUE,
    fetch_frequency     INTERVAL NOT NULL DEFAULT '24 hours' CHECK (fetch_frequency > INTERVAL '0'),
    last_fetched_at     TIMESTAMP,
    posts_per_fetch     INTEGER  NOT NULL DEFAULT 50 CHECK (posts_per_fetch BETWEEN 1 AND 10000),
    provider_name       VARCHAR(100),   -- NULL: the platform's official API; 'demo': the simulator
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- 2. Daily account metrics
CREATE TABLE social_analytics_snapshots (
    id                  BIGSERIAL PRIMARY KEY,
    social_account_id   UUID NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    snapshot_date       DATE NOT NULL,
    followers_count     INTEGER CHECK (followers_count >= 0),
    following_count     INTEGER CHECK (following_count >= 0),
    posts_count         INTEGER CHECK (posts_count >= 0),
    total_likes         BIGINT  CHECK (total_likes >= 0),
    total_comments      BIGINT  CHECK (total_comments >= 0),
    total_views         BIGINT  CHECK (total_views >= 0),
    total_shares        BIGINT  CHECK (total_shares >= 0),
    subscribers_count   INTEGER CHECK (subscribers_count >= 0),   -- YouTube
    pins_count          INTEGER CHECK (pins_count >= 0),          -- Pinterest
    retweets_count      BIGINT  CHECK (retweets_count >= 0),      -- Twitter/X
    watch_time_minutes  BIGINT  CHECK (watch_time_minutes >= 0),  -- YouTube
    engagement_rate     DECIMAL(5,2) CHECK (engagement_rate >= 0),
    follower_growth     INTEGER,                                  -- may be negative
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT social_analytics_snapshots_account_date_key UNIQUE (social_account_id, snapshot_date)
);
CREATE INDEX social_analytics_snapshots_date_idx ON social_analytics_snapshots (snapshot_date);

-- 3. Tracked posts. INTEGER ids: metrics, hashtags and comments refer to them.
CREATE TABLE social_posts_analytics (
    id                  SERIAL PRIMARY KEY,
    social_account_id   UUID NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    external_post_id    VARCHAR(255) NOT NULL,
    platform            VARCHAR(50)  NOT NULL,
    post_url            TEXT,
    caption             TEXT,
    title               VARCHAR(500),
    media_type          VARCHAR(50),
    media_url           TEXT,
    duration            INTEGER CHECK (duration >= 0),   -- seconds
    video_id            UUID REFERENCES videos(id) ON DELETE SET NULL,
    clip_id             UUID REFERENCES clips(id)  ON DELETE SET NULL,
    posted_at           TIMESTAMP,
    first_seen_date     DATE,
    last_seen_date      DATE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT social_posts_analytics_platform_external_key UNIQUE (platform, external_post_id)
);
CREATE INDEX social_posts_analytics_account_idx ON social_posts_analytics (social_account_id, posted_at DESC);
CREATE INDEX social_posts_analytics_posted_idx ON social_posts_analytics (posted_at);
CREATE INDEX social_posts_analytics_video_idx ON social_posts_analytics (video_id) WHERE video_id IS NOT NULL;
CREATE INDEX social_posts_analytics_clip_idx ON social_posts_analytics (clip_id) WHERE clip_id IS NOT NULL;

-- 4. Post performance over time: one daily row (snapshot_hour NULL) and optional hourly rows.
CREATE TABLE social_post_metrics (
    id                  BIGSERIAL PRIMARY KEY,
    post_id             INTEGER NOT NULL REFERENCES social_posts_analytics(id) ON DELETE CASCADE,
    snapshot_date       DATE NOT NULL,
    snapshot_hour       INTEGER CHECK (snapshot_hour BETWEEN 0 AND 23),
    likes_count         BIGINT CHECK (likes_count >= 0),
    comments_count      BIGINT CHECK (comments_count >= 0),
    views_count         BIGINT CHECK (views_count >= 0),
    shares_count        BIGINT CHECK (shares_count >= 0),
    saves_count         BIGINT CHECK (saves_count >= 0),
    watch_time_seconds  BIGINT CHECK (watch_time_seconds >= 0),
    completion_rate     DECIMAL(5,2) CHECK (completion_rate BETWEEN 0 AND 100),
    impressions         BIGINT CHECK (impressions >= 0),
    reach               BIGINT CHECK (reach >= 0),
    engagement_rate     DECIMAL(5,2) CHECK (engagement_rate >= 0),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Natural keys, written so they hold on PostgreSQL 14 (no NULLS NOT DISTINCT there).
CREATE UNIQUE INDEX social_post_metrics_daily_key
    ON social_post_metrics (post_id, snapshot_date) WHERE snapshot_hour IS NULL;
CREATE UNIQUE INDEX social_post_metrics_hourly_key
    ON social_post_metrics (post_id, snapshot_date, snapshot_hour) WHERE snapshot_hour IS NOT NULL;
CREATE INDEX social_post_metrics_date_idx ON social_post_metrics (snapshot_date);
CREATE INDEX social_post_metrics_post_idx ON social_post_metrics (post_id, snapshot_date DESC);

-- 5. Hashtags and their links to posts
CREATE TABLE social_hashtags (
    id                   SERIAL PRIMARY KEY,
    hashtag              VARCHAR(255) NOT NULL UNIQUE,   -- case-folded, without '#'
    total_uses           BIGINT CHECK (total_uses >= 0),
    total_views          BIGINT CHECK (total_views >= 0),
    avg_engagement_rate  DECIMAL(5,2) CHECK (avg_engagement_rate >= 0),
    first_seen_date      DATE,
    last_seen_date       DATE,
    stats_date           DATE,   -- the day the aggregates describe (all history up to it)
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE social_post_hashtags (
    id          BIGSERIAL PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES social_posts_analytics(id) ON DELETE CASCADE,
    hashtag_id  INTEGER NOT NULL REFERENCES social_hashtags(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),   -- order of first use in the caption, from 0
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT social_post_hashtags_post_hashtag_key UNIQUE (post_id, hashtag_id)
);
CREATE INDEX social_post_hashtags_hashtag_idx ON social_post_hashtags (hashtag_id);

-- 6. Comments and replies
CREATE TABLE social_comments (
    id                          SERIAL PRIMARY KEY,
    post_id                     INTEGER NOT NULL REFERENCES social_posts_analytics(id) ON DELETE CASCADE,
    external_comment_id         VARCHAR(255) NOT NULL,
    comment_text                TEXT,
    author_username             VARCHAR(255),
    parent_comment_id           INTEGER REFERENCES social_comments(id) ON DELETE SET NULL,
    is_reply                    BOOLEAN NOT NULL DEFAULT FALSE,
    likes_count                 INTEGER CHECK (likes_count >= 0),
    is_creator_reply            BOOLEAN NOT NULL DEFAULT FALSE,
    sentiment                   VARCHAR(20) CHECK (sentiment IN ('positive', 'negative', 'neutral')),
    sentiment_score             DECIMAL(3,2) CHECK (sentiment_score BETWEEN -1 AND 1),
    parent_external_comment_id  VARCHAR(255),   -- the platform's id of the parent; resolves parent_comment_id
    author_external_id          VARCHAR(255),
    commented_at                TIMESTAMP,
    first_seen_date             DATE,
    last_seen_date              DATE,
    created_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT social_comments_post_external_key UNIQUE (post_id, external_comment_id)
);
CREATE INDEX social_comments_parent_idx ON social_comments (parent_comment_id);

-- 7. Audience demographics (percent shares)
CREATE TABLE social_audience_demographics (
    id                  BIGSERIAL PRIMARY KEY,
    social_account_id   UUID NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    snapshot_date       DATE NOT NULL,
    age_13_17           DECIMAL(5,2) CHECK (age_13_17 BETWEEN 0 AND 100),
    age_18_24           DECIMAL(5,2) CHECK (age_18_24 BETWEEN 0 AND 100),
    age_25_34           DECIMAL(5,2) CHECK (age_25_34 BETWEEN 0 AND 100),
    age_35_44           DECIMAL(5,2) CHECK (age_35_44 BETWEEN 0 AND 100),
    age_45_plus         DECIMAL(5,2) CHECK (age_45_plus BETWEEN 0 AND 100),
    gender_male         DECIMAL(5,2) CHECK (gender_male BETWEEN 0 AND 100),
    gender_female       DECIMAL(5,2) CHECK (gender_female BETWEEN 0 AND 100),
    top_countries       JSONB,
    top_cities          JSONB,
    top_languages       JSONB,
    peak_hours          JSONB,   -- [14, 18, 20]
    peak_days           JSONB,   -- ["monday", "wednesday"]
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT social_audience_demographics_account_date_key UNIQUE (social_account_id, snapshot_date)
);

-- 8. API usage per day, provider, endpoint and outcome
CREATE TABLE social_api_usage (
    id             BIGSERIAL PRIMARY KEY,
    provider_name  VARCHAR(100) NOT NULL,
    platform       VARCHAR(50)  NOT NULL,
    endpoint       VARCHAR(255) NOT NULL,
    request_count  INTEGER NOT NULL CHECK (request_count >= 0),
    success        BOOLEAN NOT NULL,
    latency_ms     INTEGER CHECK (latency_ms >= 0),   -- mean over the requests counted
    date           DATE NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT social_api_usage_key UNIQUE (date, platform, provider_name, endpoint, success)
);

-- 9. Fetch jobs: one per account, job type and partition day
CREATE TABLE social_fetch_jobs (
    id                 BIGSERIAL PRIMARY KEY,
    social_account_id  UUID NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    job_type           VARCHAR(50) NOT NULL DEFAULT 'daily',
    status             VARCHAR(50) NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    posts_fetched      INTEGER CHECK (posts_fetched >= 0),
    comments_fetched   INTEGER CHECK (comments_fetched >= 0),
    error_message      TEXT,
    started_at         TIMESTAMP,
    completed_at       TIMESTAMP,
    platform           VARCHAR(50),
    partition_date     DATE,
    requests_made      INTEGER CHECK (requests_made >= 0),
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT social_fetch_jobs_key UNIQUE (social_account_id, job_type, partition_date)
);
CREATE INDEX social_fetch_jobs_status_idx ON social_fetch_jobs (status, partition_date);
CREATE INDEX social_fetch_jobs_account_idx ON social_fetch_jobs (social_account_id, partition_date DESC);

-- 10 (supporting). Raw API responses, one row per HTTP exchange, so every normalized table can be
-- rebuilt without calling an API again. Credentials are redacted before they get here.
CREATE TABLE social_raw_pulls (
    id                 BIGSERIAL PRIMARY KEY,
    pull_id            UUID NOT NULL,               -- one attempt to pull one account for one day
    pull_status        VARCHAR(20) NOT NULL CHECK (pull_status IN ('ok', 'failed')),
    platform           VARCHAR(50)  NOT NULL,
    provider_name      VARCHAR(100) NOT NULL,
    social_account_id  UUID NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    partition_date     DATE NOT NULL,
    endpoint           VARCHAR(255) NOT NULL,
    request_params     JSONB NOT NULL DEFAULT '{}'::jsonb,
    page_index         INTEGER NOT NULL DEFAULT 0 CHECK (page_index >= 0),
    attempt            INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    status_code        INTEGER,
    ok                 BOOLEAN NOT NULL,
    error              TEXT,
    payload            JSONB,
    latency_ms         INTEGER CHECK (latency_ms >= 0),
    fetched_at         TIMESTAMPTZ NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX social_raw_pulls_partition_idx ON social_raw_pulls (partition_date, platform);
CREATE INDEX social_raw_pulls_account_idx ON social_raw_pulls (social_account_id, partition_date);

-- 11 (supporting). Content mapping: which internal video or clip a published post URL carries.
CREATE TABLE social_content_mappings (
    id                 BIGSERIAL PRIMARY KEY,
    post_url           TEXT NOT NULL,
    platform           VARCHAR(50),
    external_post_id   VARCHAR(255),
    post_id            INTEGER REFERENCES social_posts_analytics(id) ON DELETE SET NULL,
    video_id           UUID REFERENCES videos(id) ON DELETE CASCADE,
    clip_id            UUID REFERENCES clips(id)  ON DELETE CASCADE,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT social_content_mappings_target CHECK (video_id IS NOT NULL OR clip_id IS NOT NULL),
    CONSTRAINT social_content_mappings_url_key UNIQUE (post_url)
);
CREATE INDEX social_content_mappings_post_idx ON social_content_mappings (post_id);
