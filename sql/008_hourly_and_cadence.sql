-- Hourly tracking of young posts: their raw exchanges are kept next to the daily ones, told apart
-- by the hour they describe (NULL for a daily pull).
ALTER TABLE social_raw_pulls ADD COLUMN partition_hour INTEGER CHECK (partition_hour BETWEEN 0 AND 23);
CREATE INDEX social_raw_pulls_hourly_idx ON social_raw_pulls (partition_date, partition_hour) WHERE partition_hour IS NOT NULL;

-- The new-account sensor watches updated_at: keep it current whatever updates the row.
CREATE OR REPLACE FUNCTION social_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER social_analytics_config_touch
    BEFORE UPDATE ON social_analytics_config
    FOR EACH ROW
    WHEN (OLD.monitoring_enabled IS DISTINCT FROM NEW.monitoring_enabled
          OR OLD.fetch_frequency IS DISTINCT FROM NEW.fetch_frequency
          OR OLD.provider_name IS DISTINCT FROM NEW.provider_name
          OR OLD.posts_per_fetch IS DISTINCT FROM NEW.posts_per_fetch)
    EXECUTE FUNCTION social_touch_updated_at();
CREATE INDEX social_analytics_config_updated_idx ON social_analytics_config (updated_at);
