-- Tables the specification says already exist in the user's publishing database (e.g. Supabase).
-- Created only when absent, so an existing schema is extended and never clobbered.

CREATE TABLE IF NOT EXISTS social_accounts (
    id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    platform             VARCHAR(50)  NOT NULL,
    handle               VARCHAR(255) NOT NULL,
    display_name         VARCHAR(255),
    external_account_id  VARCHAR(255),            -- the platform's user/channel/page/org id
    access_token         TEXT,                    -- never exposed through a view
    refresh_token        TEXT,
    token_expires_at     TIMESTAMPTZ,
    is_active            BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at           TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT social_accounts_platform_handle_key UNIQUE (platform, handle)
);

CREATE TABLE IF NOT EXISTS videos (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    title            VARCHAR(500),
    description      TEXT,
    source_url       TEXT,
    duration_seconds INTEGER CHECK (duration_seconds IS NULL OR duration_seconds >= 0),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS clips (
    id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    video_id       UUID REFERENCES videos(id) ON DELETE CASCADE,
    title          VARCHAR(500),
    start_seconds  NUMERIC(10,3) CHECK (start_seconds IS NULL OR start_seconds >= 0),
    end_seconds    NUMERIC(10,3) CHECK (end_seconds IS NULL OR end_seconds >= 0),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
