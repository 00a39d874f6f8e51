-- What a platform serves for a day itself (its daily insight series: YouTube Analytics by day,
-- Instagram/Facebook/Threads daily insights, Pinterest daily analytics), kept on the day's
-- snapshot whether the day was observed or reconstructed, and which point-in-time counts of a
-- reconstructed day were rebuilt from the platform's daily gains rather than left NULL.
ALTER TABLE social_analytics_snapshots
    ADD COLUMN daily_insights JSONB,
    ADD COLUMN reconstructed_fields TEXT[];
COMMENT ON COLUMN social_analytics_snapshots.daily_insights IS
    'the platform''s own figures for this day alone (not totals), by name: views, impressions, reach, likes, comments, shares, saves, follows, unfollows, subscribers_gained, subscribers_lost, watch_time_minutes... (see README "History and time" for each platform''s series); NULL: the platform serves no daily series or refused it';
COMMENT ON COLUMN social_analytics_snapshots.reconstructed_fields IS
    'columns of a reconstructed row rebuilt from the platform''s daily gains (followers now less the net gains of every later day), e.g. {followers_count}; NULL or empty: none';
