-- When each number was observed. A day is observed by a pull made during it or within 24 hours
-- after it ends; a later pull of a past day (a backfill, a new account's first month) stores what
-- the platform serves for that day and leaves point-in-time values NULL, saying why, instead of
-- writing today's followers and views under a past date.
ALTER TABLE social_analytics_snapshots
    ADD COLUMN observed_at TIMESTAMPTZ,
    ADD COLUMN observation VARCHAR(20) CHECK (observation IN ('observed', 'reconstructed')),
    ADD COLUMN unknown_reason TEXT;
COMMENT ON COLUMN social_analytics_snapshots.observed_at IS
    'when the pull this row comes from was made (its first request); NULL for rows written before this column existed';
COMMENT ON COLUMN social_analytics_snapshots.observation IS
    'observed: pulled during the day or within 24 hours after it; reconstructed: pulled later, so only values the platform serves for that day are kept and point-in-time counts are NULL';
COMMENT ON COLUMN social_analytics_snapshots.unknown_reason IS
    'why the point-in-time values of a reconstructed row are NULL; NULL when observed';

ALTER TABLE social_post_metrics ADD COLUMN observed_at TIMESTAMPTZ;
COMMENT ON COLUMN social_post_metrics.observed_at IS
    'when the pull that measured these metrics was made; a daily row is only written from a pull that observed its day';

ALTER TABLE social_audience_demographics ADD COLUMN observed_at TIMESTAMPTZ;
COMMENT ON COLUMN social_audience_demographics.observed_at IS
    'when the pull behind this row was made; the platform''s audience shares are only kept from a pull that observed the day';
