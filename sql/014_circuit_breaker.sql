-- A circuit breaker in the ledger. An account whose pulls keep failing (or failed for a reason
-- retrying cannot fix) is skipped by later runs, with the reason recorded as a 'skipped' fetch job,
-- until a pull succeeds or the user asks for a retry (`social-pipeline accounts retry`).
ALTER TABLE social_fetch_jobs DROP CONSTRAINT IF EXISTS social_fetch_jobs_status_check;
ALTER TABLE social_fetch_jobs ADD CONSTRAINT social_fetch_jobs_status_check
    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'skipped'));
ALTER TABLE social_fetch_jobs ADD COLUMN error_kind VARCHAR(20) CHECK (error_kind IN ('permanent', 'transient'));
COMMENT ON COLUMN social_fetch_jobs.error_kind IS
    'why a failed pull failed: permanent (token rejected or revoked, access denied, account not found, provider not supported; retrying cannot help) or transient (429, 5xx, timeouts, connection errors); NULL when the pull succeeded or was skipped';
ALTER TABLE social_analytics_config ADD COLUMN circuit_reset_at TIMESTAMPTZ;
COMMENT ON COLUMN social_analytics_config.circuit_reset_at IS
    'when the user last asked to pull this account again despite its failures (social-pipeline accounts retry); failures before it no longer keep the account skipped';
COMMENT ON COLUMN social_fetch_jobs.status IS
    'pending, running, completed, failed or skipped (not pulled: the account''s circuit is open, an earlier pull of the run failed permanently, or the API was unreachable; error_message says which): the state of the account''s newest pull of the day.';
