-- Hourly tracking of young posts: their raw exchanges are kept next to the daily ones, told apart
-- by the hour they describe (NULL for a daily pull).
ALTER TABLE social_raw_pulls ADD COLUMN partition_hour INTEGER CHECK (partition_hour BETWEEN 0 AND 23);
CREATE INDEX social_raw_pulls_hourly_idx ON social_raw_pulls (partition_date, partition_hour) WHERE partition_hour IS NOT NULL;

-- The new-account sensor watches enabled_at: when monitoring was last switched on (on insert, or
-- an update from off to on). Other changes to a config row (frequency, last_fetched_at) do not
-- move it, so they never trigger a backfill.
ALTER TABLE social_analytics_config ADD COLUMN enabled_at TIMESTAMPTZ;
UPDATE social_analytics_config SET enabled_at = created_at WHERE monitoring_enabled;

CREATE OR REPLACE FUNCTION social_mark_enabled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.monitoring_enabled AND (TG_OP = 'INSERT' OR NOT OLD.monitoring_enabled) THEN
        NEW.enabled_at := clock_timestamp();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER social_analytics_config_enabled
    BEFORE INSERT OR UPDATE OF monitoring_enabled ON social_analytics_config
    FOR EACH ROW EXECUTE FUNCTION social_mark_enabled();
CREATE INDEX social_analytics_config_enabled_idx ON social_analytics_config (enabled_at);
