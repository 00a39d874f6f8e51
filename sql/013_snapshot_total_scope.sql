-- Which totals of a snapshot the platform reported and which we summed over the posts we track.
-- Where a platform gives no total (Facebook's post count, most platforms' lifetime views), the
-- snapshot fills it from our posts; this column says so row by row, so a tracked sum is never read
-- as the platform's own figure.
ALTER TABLE social_analytics_snapshots ADD COLUMN tracked_totals TEXT[];
COMMENT ON COLUMN social_analytics_snapshots.tracked_totals IS
    'the totals of this row summed over the posts we track, not reported by the platform (e.g. {posts_count,total_views}); empty: every total is the platform''s own';
