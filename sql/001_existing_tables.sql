-- Tables the specification says already exist in the user's publishing database (e.g. Supabase).
-- Created only when absent (the specification's columns), so an existing schema is never changed.

CREATE TABLE IF NOT EXISTS social_accounts (
    id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    platform             VARCHAR(50)  NOT NULL,
    handle               VARCHAR(255) NOT NULL,
    access_token         TEXT,                    -- never exposed through a view
    CONSTRAINT social_accounts_platform_handle_key UNIQUE (platform, handle)
);
-- What the pipeline keeps about an account beyond these four columns (the platform's account id,
-- refresh token, token expiry, display name) lives in tables of its own keyed by
-- social_account_id (migrations 010 and 017): an app's table is never altered.

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
