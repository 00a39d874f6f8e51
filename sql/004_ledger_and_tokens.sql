-- The request ledger gains quota units, retries and the rate-limit headers servers send; account
-- rows gain what token health needs. Columns are added only when absent, so an existing publishing
-- table (e.g. Supabase's social_accounts) is extended, never rewritten.

ALTER TABLE social_accounts ADD COLUMN IF NOT EXISTS display_name VARCHAR(255);
ALTER TABLE social_accounts ADD COLUMN IF NOT EXISTS external_account_id VARCHAR(255);
ALTER TABLE social_accounts ADD COLUMN IF NOT EXISTS refresh_token TEXT;
ALTER TABLE social_accounts ADD COLUMN IF NOT EXISTS token_expires_at TIMESTAMPTZ;
ALTER TABLE social_accounts ADD COLUMN IF NOT EXISTS token_refreshed_at TIMESTAMPTZ;
ALTER TABLE social_accounts ADD COLUMN IF NOT EXISTS is_active BOOLEAN NOT NULL DEFAULT TRUE;

ALTER TABLE social_raw_pulls ADD COLUMN cost_units INTEGER CHECK (cost_units >= 0);
ALTER TABLE social_raw_pulls ADD COLUMN response_meta JSONB;   -- usage / rate-limit headers

ALTER TABLE social_api_usage ADD COLUMN cost_units BIGINT CHECK (cost_units >= 0);   -- e.g. YouTube quota units
ALTER TABLE social_api_usage ADD COLUMN retries INTEGER NOT NULL DEFAULT 0 CHECK (retries >= 0);

-- Quota spent per provider and real (not partition) day: what a daily unit budget is checked against.
CREATE INDEX social_raw_pulls_fetched_idx ON social_raw_pulls (platform, fetched_at) WHERE cost_units IS NOT NULL;
