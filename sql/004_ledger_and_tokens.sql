-- The request ledger gains quota units, retries and the rate-limit headers servers send. (What
-- token health needs is kept in a table of ours, social_account_credentials, migration 017.)

ALTER TABLE social_raw_pulls ADD COLUMN cost_units INTEGER CHECK (cost_units >= 0);
ALTER TABLE social_raw_pulls ADD COLUMN response_meta JSONB;   -- usage / rate-limit headers

ALTER TABLE social_api_usage ADD COLUMN cost_units BIGINT CHECK (cost_units >= 0);   -- e.g. YouTube quota units
ALTER TABLE social_api_usage ADD COLUMN retries INTEGER NOT NULL DEFAULT 0 CHECK (retries >= 0);

-- Quota spent per provider and real (not partition) day: what a daily unit budget is checked against.
CREATE INDEX social_raw_pulls_fetched_idx ON social_raw_pulls (platform, fetched_at) WHERE cost_units IS NOT NULL;
