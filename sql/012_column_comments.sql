-- What every table, view and column we create means: shown by psql's \d+ and read into the
-- Dagster UI's column schema. Meaning, unit, where the value comes from and what NULL means.
-- The app's own tables (social_accounts, videos, clips) are not ours to annotate and are left
-- alone; the columns migration 010 already described keep their comments.
-- Times typed TIMESTAMP (without time zone) hold UTC; TIMESTAMPTZ are our bookkeeping times.

-- social_pipeline_migrations (the migration runner's ledger) ------------------------------------
COMMENT ON TABLE social_pipeline_migrations IS
    'Ledger of the numbered SQL migrations in sql/ applied to this database, one row each; written by social-pipeline db migrate, never by hand.';
COMMENT ON COLUMN social_pipeline_migrations.version IS 'The migration''s number (the digits its file name starts with).';
COMMENT ON COLUMN social_pipeline_migrations.name IS 'The migration''s file name, e.g. 002_analytics_tables.sql.';
COMMENT ON COLUMN social_pipeline_migrations.checksum IS
    'SHA-256 (hex) of the file as applied; a file edited afterwards makes migrate fail instead of silently diverging.';
COMMENT ON COLUMN social_pipeline_migrations.applied_at IS 'When the migration was applied.';

-- social_analytics_config ---------------------------------------------------------------------------
COMMENT ON TABLE social_analytics_config IS
    'Which social_accounts are monitored and how: one row per account. An account without a row, or with monitoring_enabled false, is not pulled.';
COMMENT ON COLUMN social_analytics_config.id IS 'Row id.';
COMMENT ON COLUMN social_analytics_config.social_account_id IS 'The monitored account (social_accounts.id); one config row per account.';
COMMENT ON COLUMN social_analytics_config.monitoring_enabled IS
    'true: the account is pulled by the daily (and hourly) runs; false: paused, its history is kept.';
COMMENT ON COLUMN social_analytics_config.fetch_frequency IS
    'How often the account is pulled. Under a day (e.g. 6 hours): pulled in full by the hourly asset at the UTC hours that divide by it; 1 day: daily; several days: the daily run skips it until its last successful pull is that old.';
COMMENT ON COLUMN social_analytics_config.last_fetched_at IS
    'UTC time the newest successful pull finished, set only once its posts, metrics and comments are committed (by the social_fetch_jobs asset). NULL: never pulled successfully.';
COMMENT ON COLUMN social_analytics_config.posts_per_fetch IS
    'How many of the account''s newest posts each pull lists (1-10000); posts still inside the platform''s update window are refreshed by id as well.';
COMMENT ON COLUMN social_analytics_config.provider_name IS
    'Where the data comes from: NULL or ''official'' = the platform''s own API, ''demo'' = the built-in simulator, ''rapidapi_tiktok'' = a third-party TikTok API via RapidAPI.';
COMMENT ON COLUMN social_analytics_config.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN social_analytics_config.updated_at IS 'When the row was last changed (last_fetched_at moving included).';
COMMENT ON COLUMN social_analytics_config.enabled_at IS
    'When monitoring was last switched on (insert with monitoring_enabled, or false -> true), set by a trigger; the new-account sensor backfills accounts whose enabled_at is new. NULL: never enabled.';

-- social_analytics_snapshots ------------------------------------------------------------------------
COMMENT ON TABLE social_analytics_snapshots IS
    'Daily account metrics: one row per account per UTC day, as the platform reported them at that day''s pull. Totals the platform does not report are summed over the posts we track (their latest daily metrics up to the day); NULL: neither the platform nor our posts give the figure, never 0.';
COMMENT ON COLUMN social_analytics_snapshots.id IS 'Row id.';
COMMENT ON COLUMN social_analytics_snapshots.social_account_id IS 'The account (social_accounts.id).';
COMMENT ON COLUMN social_analytics_snapshots.snapshot_date IS 'The UTC day the figures describe (the Dagster partition).';
COMMENT ON COLUMN social_analytics_snapshots.followers_count IS
    'Followers at the day''s pull, as the platform reports them (YouTube: subscribers; Facebook: Page followers, else fans; LinkedIn: organization followers). NULL: not reported (e.g. YouTube hides the subscriber count).';
COMMENT ON COLUMN social_analytics_snapshots.following_count IS
    'Accounts this account follows, as reported by TikTok, Instagram, X, Pinterest and Bluesky. NULL: the platform does not report it (YouTube, Facebook, Threads, LinkedIn), never 0.';
COMMENT ON COLUMN social_analytics_snapshots.posts_count IS
    'Posts published: the platform''s lifetime count where it reports one (TikTok videos, Instagram media, YouTube videos, X posts, Pinterest pins, Bluesky posts); otherwise (Facebook, Threads, LinkedIn) the number of the account''s posts we track with metrics by that day. NULL: neither is known.';
COMMENT ON COLUMN social_analytics_snapshots.total_likes IS
    'Likes received. Lifetime figure from the platform where it gives one (TikTok likes_count; YouTube Analytics likes, with OAuth; Threads likes since 2024-04-13, the API''s earliest date); otherwise the sum of likes_count over the posts we track (latest daily metrics up to the day). NULL: no source reports likes.';
COMMENT ON COLUMN social_analytics_snapshots.total_comments IS
    'Comments received. Lifetime figure from the platform where it gives one (YouTube Analytics comments, with OAuth; Threads replies since 2024-04-13); otherwise the sum of comments_count over the posts we track. NULL: no source reports comments.';
COMMENT ON COLUMN social_analytics_snapshots.total_views IS
    'Views of the account''s content. Lifetime figure from the platform where it gives one (YouTube channel viewCount); otherwise the sum of views_count over the posts we track (only posts with a view count add). NULL: no view counts at all (e.g. Bluesky, LinkedIn).';
COMMENT ON COLUMN social_analytics_snapshots.total_shares IS
    'Shares (reposts, retweets + quotes, ...). Lifetime figure from the platform where it gives one (YouTube Analytics shares, with OAuth; Threads reposts + quotes since 2024-04-13); otherwise the sum of shares_count over the posts we track. NULL: no source reports shares (e.g. Pinterest).';
COMMENT ON COLUMN social_analytics_snapshots.subscribers_count IS
    'YouTube only: channel subscribers (statistics.subscriberCount, same value as followers_count). NULL on other platforms, and when the channel hides its count.';
COMMENT ON COLUMN social_analytics_snapshots.pins_count IS
    'Pinterest only: pins of the account (user_account pin_count, lifetime). NULL on other platforms.';
COMMENT ON COLUMN social_analytics_snapshots.retweets_count IS
    'Reposts: Threads reposts reported by the platform (since 2024-04-13); X retweets + quotes summed over the posts we track. NULL on other platforms.';
COMMENT ON COLUMN social_analytics_snapshots.watch_time_minutes IS
    'YouTube only, with OAuth: lifetime minutes watched (Analytics estimatedMinutesWatched). NULL otherwise: not summed from posts.';
COMMENT ON COLUMN social_analytics_snapshots.engagement_rate IS
    'Percent: the mean engagement_rate of the account''s tracked posts (their latest daily metrics up to the day), each post rated against its own views, impressions, reach or followers. NULL: no post has a rate.';
COMMENT ON COLUMN social_analytics_snapshots.follower_growth IS
    'followers_count minus the account''s previous snapshot''s followers_count (may be negative; the previous snapshot may be more than a day older). NULL: no earlier snapshot or either count unknown.';
COMMENT ON COLUMN social_analytics_snapshots.created_at IS 'When the row was written.';

-- social_posts_analytics ----------------------------------------------------------------------------
COMMENT ON TABLE social_posts_analytics IS
    'Every post of the monitored accounts seen in a pull (replies and own-thread continuations included, reposts of others never): one row per (platform, external_post_id), upserted so ids stay stable. Metrics live in social_post_metrics.';
COMMENT ON COLUMN social_posts_analytics.id IS 'Row id, referenced by social_post_metrics, social_comments and social_post_hashtags.';
COMMENT ON COLUMN social_posts_analytics.social_account_id IS 'The account that published the post (social_accounts.id).';
COMMENT ON COLUMN social_posts_analytics.external_post_id IS
    'The platform''s own id of the post (TikTok/YouTube/X/Pinterest ids, Instagram/Threads media ids, Facebook {page}_{post}, Bluesky at:// URI, LinkedIn share/ugcPost URN).';
COMMENT ON COLUMN social_posts_analytics.platform IS 'tiktok, instagram, youtube, twitter, facebook, pinterest, bluesky, threads or linkedin.';
COMMENT ON COLUMN social_posts_analytics.post_url IS 'The post''s public URL (the platform''s permalink, or built from its id). NULL: not known.';
COMMENT ON COLUMN social_posts_analytics.caption IS 'The post''s text (caption, tweet text, description). NULL: the post has none.';
COMMENT ON COLUMN social_posts_analytics.title IS 'The post''s title where the platform has one (YouTube, Pinterest), up to 500 characters. NULL elsewhere.';
COMMENT ON COLUMN social_posts_analytics.media_type IS
    'What the post carries, normalized: video, image, carousel (several images or a document) or text. NULL: not known.';
COMMENT ON COLUMN social_posts_analytics.media_url IS 'URL of the post''s media (video, first image or cover) as the platform gives it; may expire. NULL: none given.';
COMMENT ON COLUMN social_posts_analytics.duration IS
    'Video length in seconds (converted from the platform''s milliseconds or ISO-8601 duration). NULL: not a video, or the platform does not report it (e.g. Instagram, Facebook).';
COMMENT ON COLUMN social_posts_analytics.video_id IS
    'The internal video (videos.id) this post publishes: set by the publishing app or copied from social_content_mappings by the pipeline; never overwritten once set. NULL: not linked.';
COMMENT ON COLUMN social_posts_analytics.clip_id IS
    'The internal clip (clips.id) this post publishes; set like video_id. NULL: not linked to a clip.';
COMMENT ON COLUMN social_posts_analytics.posted_at IS 'When the post was published, UTC. NULL: the platform did not say.';
COMMENT ON COLUMN social_posts_analytics.first_seen_date IS 'First UTC day a pull returned the post.';
COMMENT ON COLUMN social_posts_analytics.last_seen_date IS 'Latest UTC day a pull returned the post (it may have been deleted on the platform since).';
COMMENT ON COLUMN social_posts_analytics.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN social_posts_analytics.updated_at IS 'When the row was last upserted.';
COMMENT ON COLUMN social_posts_analytics.hashtag_stats IS
    'Internal bookkeeping of the social_hashtags asset: what this post last added to the hashtag aggregates, {"tags": [...], "views": n, "rate": r, "seen": "YYYY-MM-DD"}. NULL: the post adds nothing (no hashtags, or not counted yet).';

-- social_post_metrics -------------------------------------------------------------------------------
COMMENT ON TABLE social_post_metrics IS
    'Each tracked post''s metrics over time: one end-of-day row per post and UTC day (snapshot_hour NULL) and, for young posts and sub-daily accounts, hourly rows (snapshot_hour 0-23). Cumulative lifetime counts at the time of the snapshot. A metric the platform does not report is NULL, never 0.';
COMMENT ON COLUMN social_post_metrics.id IS 'Row id.';
COMMENT ON COLUMN social_post_metrics.post_id IS 'The post (social_posts_analytics.id).';
COMMENT ON COLUMN social_post_metrics.snapshot_date IS 'The UTC day of the snapshot.';
COMMENT ON COLUMN social_post_metrics.snapshot_hour IS
    'UTC hour 0-23 of an hourly snapshot (taken at the end of that hour). NULL: the end-of-day row of snapshot_date.';
COMMENT ON COLUMN social_post_metrics.likes_count IS
    'Likes so far (Facebook: reactions of every kind; Pinterest: reactions). NULL: not reported, e.g. Instagram likes hidden by the owner.';
COMMENT ON COLUMN social_post_metrics.comments_count IS
    'Comments (replies on X, Bluesky, Threads) as counted by the platform; may exceed the rows in social_comments. NULL: not reported.';
COMMENT ON COLUMN social_post_metrics.views_count IS
    'Views/plays as the platform counts them (X, Facebook and Pinterest: video posts only; views_method names YouTube''s counting method). NULL: the platform reports no views for this post (Bluesky, LinkedIn, non-video posts of X/Facebook/Pinterest).';
COMMENT ON COLUMN social_post_metrics.shares_count IS
    'Times the post was passed on: shares; X retweets + quotes; Bluesky reposts + quotes; Threads reposts + quotes + shares; YouTube shares with OAuth. NULL: not reported (e.g. Pinterest).';
COMMENT ON COLUMN social_post_metrics.saves_count IS
    'Saves/bookmarks (Instagram saved, X bookmarks, Pinterest saves, TikTok via rapidapi_tiktok). NULL: not reported.';
COMMENT ON COLUMN social_post_metrics.watch_time_seconds IS
    'Total time watched across all views, in seconds (converted from milliseconds or minutes): Instagram Reels, YouTube with OAuth, Facebook videos, Pinterest videos. NULL: not reported or not a video.';
COMMENT ON COLUMN social_post_metrics.completion_rate IS
    'Percent 0-100: how completely the video is watched, as the platform measures it: YouTube averageViewPercentage (with OAuth), X plays reaching 100% / plays started, Pinterest average watch time / duration. NULL: not reported or not a video.';
COMMENT ON COLUMN social_post_metrics.impressions IS
    'Times the post was shown (X impressions, Facebook media views, Pinterest impressions, LinkedIn impressions). NULL: not reported.';
COMMENT ON COLUMN social_post_metrics.reach IS
    'Unique accounts the post was shown to (Instagram reach, Facebook unique media views, LinkedIn unique impressions). NULL: not reported.';
COMMENT ON COLUMN social_post_metrics.engagement_rate IS
    'Percent: (likes + comments + shares + saves, those reported) / denominator x 100, the denominator being the first reported of views, impressions, reach, the account''s followers. NULL: no interaction or no denominator reported, or above 999.99.';
COMMENT ON COLUMN social_post_metrics.created_at IS 'When the row was written.';

-- social_hashtags -----------------------------------------------------------------------------------
COMMENT ON TABLE social_hashtags IS
    'One row per hashtag ever used by a tracked post, with aggregates over every post known by stats_date (all history, all accounts), kept up to date incrementally by the social_hashtags asset.';
COMMENT ON COLUMN social_hashtags.id IS 'Row id, referenced by social_post_hashtags.';
COMMENT ON COLUMN social_hashtags.hashtag IS
    'The hashtag without #, case-folded and NFC-normalized; from the platform''s structured tags (social_posts_analytics.hashtags) or else the caption.';
COMMENT ON COLUMN social_hashtags.total_uses IS 'Number of tracked posts using the hashtag (0: no post uses it any more).';
COMMENT ON COLUMN social_hashtags.total_views IS
    'Sum of the latest daily views_count of the posts using it; posts without a view count add nothing (so 0 can mean no views are reported).';
COMMENT ON COLUMN social_hashtags.avg_engagement_rate IS
    'Percent: mean of the latest engagement_rate of the posts using it that have one (engagement_rate_sum / rated_posts, rounded). NULL: none of them has a rate.';
COMMENT ON COLUMN social_hashtags.first_seen_date IS 'Earliest day of use: publication day of the posts using it (first-seen day when unknown). NULL: no post uses it.';
COMMENT ON COLUMN social_hashtags.last_seen_date IS 'Latest day of use, measured like first_seen_date. NULL: no post uses it.';
COMMENT ON COLUMN social_hashtags.stats_date IS 'The UTC day the aggregates describe: all posts known and metrics measured up to the end of it.';
COMMENT ON COLUMN social_hashtags.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN social_hashtags.updated_at IS 'When the aggregates were last written.';
COMMENT ON COLUMN social_hashtags.platform_breakdown IS 'Uses per platform, {"tiktok": 12, "instagram": 3, ...}.';
COMMENT ON COLUMN social_hashtags.rated_posts IS
    'Posts using the hashtag that have an engagement rate (the divisor of avg_engagement_rate). NULL: running sums unknown, the next run recounts from all posts.';
COMMENT ON COLUMN social_hashtags.engagement_rate_sum IS
    'Exact sum of those posts'' engagement rates (percent), kept so the mean can be moved incrementally. NULL: unknown, recounted next run.';

-- social_post_hashtags ------------------------------------------------------------------------------
COMMENT ON TABLE social_post_hashtags IS 'Which hashtags each tracked post uses: one row per (post, hashtag), rewritten for the posts seen each day.';
COMMENT ON COLUMN social_post_hashtags.id IS 'Row id.';
COMMENT ON COLUMN social_post_hashtags.post_id IS 'The post (social_posts_analytics.id).';
COMMENT ON COLUMN social_post_hashtags.hashtag_id IS 'The hashtag (social_hashtags.id).';
COMMENT ON COLUMN social_post_hashtags.position IS 'Order of the hashtag''s first use in the post, from 0.';
COMMENT ON COLUMN social_post_hashtags.created_at IS 'When the link was written.';

-- social_comments -----------------------------------------------------------------------------------
COMMENT ON TABLE social_comments IS
    'Comments and replies on tracked posts, threaded by parent_comment_id (replies to replies included), with VADER sentiment for English text; upserted on (post_id, external_comment_id). TikTok and Pinterest give counts only, no rows.';
COMMENT ON COLUMN social_comments.id IS 'Row id.';
COMMENT ON COLUMN social_comments.post_id IS 'The post commented on (social_posts_analytics.id).';
COMMENT ON COLUMN social_comments.external_comment_id IS 'The platform''s own id of the comment (a reply post''s id on X, Bluesky, Threads).';
COMMENT ON COLUMN social_comments.comment_text IS 'The comment''s text. NULL: none given.';
COMMENT ON COLUMN social_comments.author_username IS 'The author''s handle as the platform gives it. NULL: not given.';
COMMENT ON COLUMN social_comments.parent_comment_id IS
    'The comment this one replies to (social_comments.id), resolved from parent_external_comment_id. NULL: a top-level comment, or its parent is not stored (deleted or not fetched).';
COMMENT ON COLUMN social_comments.is_reply IS 'true: a reply to another comment; false: a top-level comment on the post.';
COMMENT ON COLUMN social_comments.likes_count IS 'Likes on the comment. NULL: the platform does not report it (e.g. Threads replies), never 0.';
COMMENT ON COLUMN social_comments.is_creator_reply IS 'true: a reply written by the account that published the post (matched by handle or platform user id).';
COMMENT ON COLUMN social_comments.sentiment IS
    'positive (VADER compound >= 0.05), negative (<= -0.05) or neutral. NULL: left unscored (not English, language not recognised, empty text: see sentiment_note), never guessed neutral.';
COMMENT ON COLUMN social_comments.sentiment_score IS 'VADER compound score, -1 (most negative) to 1 (most positive). NULL: unscored.';
COMMENT ON COLUMN social_comments.parent_external_comment_id IS
    'The platform''s id of the parent comment (Instagram: always the top-level comment, its threads are one level deep). NULL: top-level.';
COMMENT ON COLUMN social_comments.author_external_id IS 'The platform''s user id of the author. NULL: not given.';
COMMENT ON COLUMN social_comments.commented_at IS 'When the comment was written, UTC. NULL: the platform did not say.';
COMMENT ON COLUMN social_comments.first_seen_date IS 'First UTC day a pull returned the comment.';
COMMENT ON COLUMN social_comments.last_seen_date IS 'Latest UTC day a pull returned the comment.';
COMMENT ON COLUMN social_comments.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN social_comments.updated_at IS 'When the row was last upserted.';
COMMENT ON COLUMN social_comments.language IS
    'Language detected for sentiment (en, es, ja, ... ; und: a script of no known language). NULL: no letters (emoji, numbers) or not recognised.';
COMMENT ON COLUMN social_comments.sentiment_note IS
    'Why the comment is unscored (e.g. unsupported language: es, language not recognised, empty text) or that only its start was scored. NULL: scored whole.';
COMMENT ON COLUMN social_comments.thread_depth IS '0 for a top-level comment, 1 for a reply to it, 2 for a reply to that reply, ...';

-- social_audience_demographics ----------------------------------------------------------------------
COMMENT ON TABLE social_audience_demographics IS
    'The account''s audience per UTC day: age and gender shares in percent (0-100), top countries/cities, peak hours and days. NULL: the platform does not report that figure, never 0. Written only when the platform reports something or peaks can be derived.';
COMMENT ON COLUMN social_audience_demographics.id IS 'Row id.';
COMMENT ON COLUMN social_audience_demographics.social_account_id IS 'The account (social_accounts.id).';
COMMENT ON COLUMN social_audience_demographics.snapshot_date IS 'The UTC day of the pull the figures come from.';
COMMENT ON COLUMN social_audience_demographics.age_13_17 IS
    'Percent 0-100 of the audience aged 13-17 (Instagram, Threads, YouTube with OAuth). NULL: not reported (Pinterest reports no under-18s; Facebook and LinkedIn no ages).';
COMMENT ON COLUMN social_audience_demographics.age_18_24 IS 'Percent 0-100 of the audience aged 18-24. NULL: the platform reports no ages.';
COMMENT ON COLUMN social_audience_demographics.age_25_34 IS 'Percent 0-100 of the audience aged 25-34. NULL: the platform reports no ages.';
COMMENT ON COLUMN social_audience_demographics.age_35_44 IS 'Percent 0-100 of the audience aged 35-44. NULL: the platform reports no ages.';
COMMENT ON COLUMN social_audience_demographics.age_45_plus IS
    'Percent 0-100 of the audience aged 45 and over (the platform''s 45-54, 55-64, 65+ buckets summed). NULL: the platform reports no ages.';
COMMENT ON COLUMN social_audience_demographics.gender_male IS
    'Percent 0-100 of the audience reported male; unspecified is left out, so male + female may be below 100. NULL: not reported (Facebook, LinkedIn).';
COMMENT ON COLUMN social_audience_demographics.gender_female IS 'Percent 0-100 of the audience reported female (see gender_male). NULL: not reported.';
COMMENT ON COLUMN social_audience_demographics.top_countries IS
    'Top countries as {"US": 34.5, ...}: country as the platform names it -> percent 0-100 of the audience. NULL: not reported.';
COMMENT ON COLUMN social_audience_demographics.top_cities IS 'Top cities as {"city name": percent 0-100, ...}. NULL: not reported.';
COMMENT ON COLUMN social_audience_demographics.top_languages IS
    'Top languages as {"language": percent 0-100, ...}. NULL: not reported (none of the nine APIs pulled reports audience languages today).';
COMMENT ON COLUMN social_audience_demographics.peak_hours IS
    'UTC hours 0-23 when the audience is most active, e.g. [14, 18, 20]: from the platform (Instagram online_followers) or derived from our posts (peak_source). NULL: neither.';
COMMENT ON COLUMN social_audience_demographics.peak_days IS
    'Weekdays, lowercase English, when the audience is most active, e.g. ["monday", "wednesday"] (see peak_source). NULL: neither reported nor derivable.';
COMMENT ON COLUMN social_audience_demographics.created_at IS 'When the row was written.';
COMMENT ON COLUMN social_audience_demographics.peak_source IS
    'Where peak_hours/peak_days come from: platform (reported by it) or derived (the 3 UTC hours and 2 weekdays whose posts engaged best over the last 90 days, at least 3 posts each). NULL: no peaks.';

-- social_api_usage ----------------------------------------------------------------------------------
COMMENT ON TABLE social_api_usage IS
    'API requests per UTC day, provider, platform, endpoint and outcome, counted from social_raw_pulls (every attempt, hourly pulls included): the basis for rate-limit, quota and cost tracking.';
COMMENT ON COLUMN social_api_usage.id IS 'Row id.';
COMMENT ON COLUMN social_api_usage.provider_name IS 'The provider the requests went to: official, demo (simulator) or rapidapi_tiktok.';
COMMENT ON COLUMN social_api_usage.platform IS 'The platform (tiktok, instagram, ...).';
COMMENT ON COLUMN social_api_usage.endpoint IS 'The endpoint as our client names it (e.g. playlistItems.list, users/:id/tweets).';
COMMENT ON COLUMN social_api_usage.request_count IS 'HTTP requests made, every attempt counted (retries too).';
COMMENT ON COLUMN social_api_usage.success IS 'true: requests answered 2xx without error; false: the failed ones (timeouts, connection errors, 4xx/5xx).';
COMMENT ON COLUMN social_api_usage.latency_ms IS 'Mean response time of those requests, in milliseconds.';
COMMENT ON COLUMN social_api_usage.date IS 'The UTC day (partition) the requests were made for.';
COMMENT ON COLUMN social_api_usage.created_at IS 'When the row was written.';
COMMENT ON COLUMN social_api_usage.cost_units IS 'Quota units spent (YouTube Data API: 10,000 a day by default). NULL: the platform has no unit quota.';
COMMENT ON COLUMN social_api_usage.retries IS 'How many of request_count were retries (attempt 2 or later).';

-- social_fetch_jobs ---------------------------------------------------------------------------------
COMMENT ON TABLE social_fetch_jobs IS
    'One fetch job per account, job type and partition day: pending -> running while the raw asset pulls, then completed or failed with the counts and the error.';
COMMENT ON COLUMN social_fetch_jobs.id IS 'Row id.';
COMMENT ON COLUMN social_fetch_jobs.social_account_id IS 'The account pulled (social_accounts.id).';
COMMENT ON COLUMN social_fetch_jobs.job_type IS 'The kind of job; daily (the daily pull of partition_date) is the only one written today.';
COMMENT ON COLUMN social_fetch_jobs.status IS 'pending, running, completed or failed: the state of the account''s newest pull of the day.';
COMMENT ON COLUMN social_fetch_jobs.posts_fetched IS 'Posts the successful pull returned (0 when it failed). NULL: not finished yet.';
COMMENT ON COLUMN social_fetch_jobs.comments_fetched IS 'Comments the successful pull returned (0 when it failed). NULL: not finished yet.';
COMMENT ON COLUMN social_fetch_jobs.error_message IS
    'Why the job failed: the platform, the account and what to fix (credentials never included). NULL: not failed.';
COMMENT ON COLUMN social_fetch_jobs.started_at IS 'When the pull''s first request was made, UTC. NULL: not started.';
COMMENT ON COLUMN social_fetch_jobs.completed_at IS 'When the pull''s last request finished, UTC. NULL: not finished.';
COMMENT ON COLUMN social_fetch_jobs.platform IS 'The account''s platform.';
COMMENT ON COLUMN social_fetch_jobs.partition_date IS 'The UTC day the job pulls (the Dagster partition).';
COMMENT ON COLUMN social_fetch_jobs.requests_made IS 'HTTP requests the newest pull made, retries included. NULL: not finished yet.';
COMMENT ON COLUMN social_fetch_jobs.created_at IS 'When the job row was first written.';

-- social_raw_pulls ----------------------------------------------------------------------------------
COMMENT ON TABLE social_raw_pulls IS
    'Every HTTP exchange with a platform API, request and JSON response (credentials redacted), one row per request attempt, so every normalized table can be rebuilt without calling an API again. A failed pull adds one row with endpoint ''(pull)'' holding its error.';
COMMENT ON COLUMN social_raw_pulls.id IS 'Row id.';
COMMENT ON COLUMN social_raw_pulls.pull_id IS 'One attempt to pull one account for one day (or hour); all its exchanges share it.';
COMMENT ON COLUMN social_raw_pulls.pull_status IS 'The whole pull''s verdict, on each of its rows: ok or failed. Only ok pulls are parsed.';
COMMENT ON COLUMN social_raw_pulls.platform IS 'The platform called.';
COMMENT ON COLUMN social_raw_pulls.provider_name IS 'The provider called: official, demo (simulator) or rapidapi_tiktok.';
COMMENT ON COLUMN social_raw_pulls.social_account_id IS 'The account pulled (social_accounts.id).';
COMMENT ON COLUMN social_raw_pulls.partition_date IS 'The UTC day the pull is for (the Dagster partition).';
COMMENT ON COLUMN social_raw_pulls.endpoint IS 'The endpoint as our client names it; ''(pull)'' for the row recording a failed pull''s error.';
COMMENT ON COLUMN social_raw_pulls.request_params IS 'The request''s query parameters, credentials redacted.';
COMMENT ON COLUMN social_raw_pulls.page_index IS 'Page number within a paginated listing, from 0.';
COMMENT ON COLUMN social_raw_pulls.attempt IS 'Attempt number of this request, from 1 (retries after 429, 5xx, timeouts go up to 5).';
COMMENT ON COLUMN social_raw_pulls.status_code IS 'HTTP status of the response. NULL: no response (timeout, connection error, or a ''(pull)'' row).';
COMMENT ON COLUMN social_raw_pulls.ok IS 'true: the exchange succeeded (2xx and no error).';
COMMENT ON COLUMN social_raw_pulls.error IS 'What went wrong with the exchange (or the pull, on a ''(pull)'' row), credentials redacted. NULL: no error.';
COMMENT ON COLUMN social_raw_pulls.payload IS 'The response body as JSON, credentials redacted. NULL: no usable body.';
COMMENT ON COLUMN social_raw_pulls.latency_ms IS 'Time the request took, in milliseconds.';
COMMENT ON COLUMN social_raw_pulls.fetched_at IS 'When the response arrived.';
COMMENT ON COLUMN social_raw_pulls.created_at IS 'When the row was written.';
COMMENT ON COLUMN social_raw_pulls.cost_units IS 'Quota units the request cost (YouTube Data API). NULL: the platform has no unit quota.';
COMMENT ON COLUMN social_raw_pulls.response_meta IS
    'Rate-limit and usage headers the server sent (e.g. x-app-usage, x-rate-limit-remaining). NULL: none sent.';
COMMENT ON COLUMN social_raw_pulls.partition_hour IS 'UTC hour 0-23 of an hourly pull (young posts, sub-daily accounts). NULL: a daily pull.';
COMMENT ON COLUMN social_raw_pulls.cost_usd IS 'US dollars the exchange cost (X pay-per-use prices per resource read). NULL: not billed per request.';

-- social_content_mappings ---------------------------------------------------------------------------
COMMENT ON TABLE social_content_mappings IS
    'Which internal video or clip a published post URL carries: insert (post_url, video_id or clip_id); the social_content_mappings asset resolves the URL to its tracked post and links it.';
COMMENT ON COLUMN social_content_mappings.id IS 'Row id; with several mappings of one post, the lowest id wins.';
COMMENT ON COLUMN social_content_mappings.post_url IS 'A public URL of the post, as published (tracking parameters and mobile hosts are fine; short links are not followed).';
COMMENT ON COLUMN social_content_mappings.platform IS 'The post''s platform: given by the writer or filled from the URL. NULL: not recognised yet.';
COMMENT ON COLUMN social_content_mappings.external_post_id IS
    'The platform''s id of the post: given, or filled once matched (or from the URL where it is the API id). NULL: not known yet.';
COMMENT ON COLUMN social_content_mappings.post_id IS 'The tracked post the URL resolved to (social_posts_analytics.id). NULL: not matched yet (retried every run).';
COMMENT ON COLUMN social_content_mappings.video_id IS 'The internal video (videos.id) the post carries. NULL: a clip mapping (clip_id set).';
COMMENT ON COLUMN social_content_mappings.clip_id IS 'The internal clip (clips.id) the post carries. NULL: a whole-video mapping.';
COMMENT ON COLUMN social_content_mappings.created_at IS 'When the mapping was inserted.';

-- social_account_profiles (table comment from migration 010) ----------------------------------------
COMMENT ON COLUMN social_account_profiles.social_account_id IS 'The account (social_accounts.id).';
COMMENT ON COLUMN social_account_profiles.external_account_id IS
    'The platform''s own id of the account (user, channel, Page, organization id or DID), as the newest pull reported it. NULL: never reported.';
COMMENT ON COLUMN social_account_profiles.display_name IS 'The account''s display name on the platform (also copied to social_accounts.display_name). NULL: never reported.';
COMMENT ON COLUMN social_account_profiles.profile_url IS 'The account''s public profile URL. NULL: not known.';
COMMENT ON COLUMN social_account_profiles.observed_date IS 'The partition day of the newest successful pull these values come from; an older day''s re-run never overwrites them.';
COMMENT ON COLUMN social_account_profiles.updated_at IS 'When the row was last written.';

-- Views ---------------------------------------------------------------------------------------------
COMMENT ON VIEW social_analytics_latest IS
    'One row per account in social_accounts: monitoring settings, newest snapshot (see social_analytics_snapshots for each figure''s source and scope) and the state of the newest fetch job. Never exposes tokens.';
COMMENT ON COLUMN social_analytics_latest.social_account_id IS 'The account (social_accounts.id).';
COMMENT ON COLUMN social_analytics_latest.username IS 'The account''s handle (social_accounts.handle).';
COMMENT ON COLUMN social_analytics_latest.platform IS 'The account''s platform.';
COMMENT ON COLUMN social_analytics_latest.display_name IS 'The account''s display name (social_accounts.display_name, kept up to date from the platform). NULL: not known.';
COMMENT ON COLUMN social_analytics_latest.monitoring_enabled IS 'social_analytics_config.monitoring_enabled; false also when the account has no config row.';
COMMENT ON COLUMN social_analytics_latest.status IS
    'not_configured (no config row), paused (monitoring off), else the newest fetch job''s status: pending, running, completed or failed (pending when no job yet).';
COMMENT ON COLUMN social_analytics_latest.provider_name IS 'social_analytics_config.provider_name: NULL/official = the platform''s API, demo, rapidapi_tiktok.';
COMMENT ON COLUMN social_analytics_latest.fetch_frequency IS 'social_analytics_config.fetch_frequency. NULL: no config row.';
COMMENT ON COLUMN social_analytics_latest.snapshot_date IS 'UTC day of the newest snapshot the figures come from. NULL: no snapshot yet.';
COMMENT ON COLUMN social_analytics_latest.followers_count IS 'Followers on snapshot_date (social_analytics_snapshots.followers_count). NULL: not reported or no snapshot.';
COMMENT ON COLUMN social_analytics_latest.following_count IS 'Accounts followed (social_analytics_snapshots.following_count). NULL: not reported.';
COMMENT ON COLUMN social_analytics_latest.posts_count IS
    'Posts: the platform''s lifetime count, else the posts we track (social_analytics_snapshots.posts_count). NULL: unknown.';
COMMENT ON COLUMN social_analytics_latest.total_views IS
    'Views: lifetime figure from the platform where it gives one, else summed over the posts we track (social_analytics_snapshots.total_views). NULL: unknown.';
COMMENT ON COLUMN social_analytics_latest.total_likes IS
    'Likes received: lifetime figure from the platform where it gives one, else summed over the posts we track (social_analytics_snapshots.total_likes). NULL: unknown.';
COMMENT ON COLUMN social_analytics_latest.total_comments IS
    'Comments received: platform figure where given, else summed over the posts we track (social_analytics_snapshots.total_comments). NULL: unknown.';
COMMENT ON COLUMN social_analytics_latest.total_shares IS
    'Shares: platform figure where given, else summed over the posts we track (social_analytics_snapshots.total_shares). NULL: unknown.';
COMMENT ON COLUMN social_analytics_latest.subscribers_count IS 'YouTube subscribers (social_analytics_snapshots.subscribers_count). NULL on other platforms.';
COMMENT ON COLUMN social_analytics_latest.pins_count IS 'Pinterest pins (social_analytics_snapshots.pins_count). NULL on other platforms.';
COMMENT ON COLUMN social_analytics_latest.retweets_count IS 'Reposts: Threads reported, X summed over tracked posts (social_analytics_snapshots.retweets_count). NULL elsewhere.';
COMMENT ON COLUMN social_analytics_latest.watch_time_minutes IS 'YouTube lifetime minutes watched, with OAuth (social_analytics_snapshots.watch_time_minutes). NULL otherwise.';
COMMENT ON COLUMN social_analytics_latest.engagement_rate IS 'Percent: mean engagement rate of the account''s tracked posts on snapshot_date. NULL: no rated post.';
COMMENT ON COLUMN social_analytics_latest.follower_growth IS 'Change in followers since the previous snapshot (may be negative). NULL: no earlier snapshot.';
COMMENT ON COLUMN social_analytics_latest.last_fetched_at IS 'UTC time of the newest successful pull whose data is committed (social_analytics_config.last_fetched_at). NULL: never.';
COMMENT ON COLUMN social_analytics_latest.last_error IS 'The newest fetch job''s error_message. NULL: it did not fail, or no job yet.';

COMMENT ON VIEW social_post_performance IS
    'One row per tracked post with its latest metrics (the newest social_post_metrics row: greatest day, then hour, the end-of-day row counting as after hour 23). Every post kind is included: filter WHERE post_kind = ''original'' for own top-level posts.';
COMMENT ON COLUMN social_post_performance.post_id IS 'The post (social_posts_analytics.id).';
COMMENT ON COLUMN social_post_performance.social_account_id IS 'The account that published it (social_accounts.id).';
COMMENT ON COLUMN social_post_performance.account_username IS 'That account''s handle.';
COMMENT ON COLUMN social_post_performance.platform IS 'The post''s platform.';
COMMENT ON COLUMN social_post_performance.external_post_id IS 'The platform''s own id of the post.';
COMMENT ON COLUMN social_post_performance.post_url IS 'The post''s public URL. NULL: not known.';
COMMENT ON COLUMN social_post_performance.caption IS 'The post''s text. NULL: none.';
COMMENT ON COLUMN social_post_performance.title IS 'The post''s title (YouTube, Pinterest). NULL elsewhere.';
COMMENT ON COLUMN social_post_performance.media_type IS 'video, image, carousel or text.';
COMMENT ON COLUMN social_post_performance.duration IS 'Video length in seconds. NULL: not a video or not reported.';
COMMENT ON COLUMN social_post_performance.posted_at IS 'When the post was published, UTC.';
COMMENT ON COLUMN social_post_performance.current_views IS 'Latest views_count. NULL: the platform reports no views for it, or no metrics yet.';
COMMENT ON COLUMN social_post_performance.current_likes IS 'Latest likes_count. NULL: not reported, or no metrics yet.';
COMMENT ON COLUMN social_post_performance.current_comments IS 'Latest comments_count (the platform''s count). NULL: not reported.';
COMMENT ON COLUMN social_post_performance.current_shares IS 'Latest shares_count (shares, reposts/retweets + quotes). NULL: not reported.';
COMMENT ON COLUMN social_post_performance.current_saves IS 'Latest saves_count (saves, bookmarks). NULL: not reported.';
COMMENT ON COLUMN social_post_performance.current_impressions IS 'Latest impressions. NULL: not reported.';
COMMENT ON COLUMN social_post_performance.current_reach IS 'Latest reach (unique accounts). NULL: not reported.';
COMMENT ON COLUMN social_post_performance.engagement_rate IS 'Latest engagement rate, percent (see social_post_metrics.engagement_rate). NULL: unknown.';
COMMENT ON COLUMN social_post_performance.metrics_date IS 'UTC day of the metrics shown. NULL: no metrics yet.';
COMMENT ON COLUMN social_post_performance.last_updated IS 'When those metrics were written. NULL: no metrics yet.';
COMMENT ON COLUMN social_post_performance.video_id IS 'The internal video the post publishes (videos.id). NULL: not linked.';
COMMENT ON COLUMN social_post_performance.clip_id IS 'The internal clip the post publishes (clips.id). NULL: not linked.';
COMMENT ON COLUMN social_post_performance.post_kind IS 'original, reply, thread (continuation of the account''s own thread) or quote.';

COMMENT ON VIEW social_content_posts IS
    'One row per tracked post linked to an internal video or clip (through its own video_id/clip_id, else its lowest-id mapping), with its latest metrics.';
COMMENT ON COLUMN social_content_posts.post_id IS 'The post (social_posts_analytics.id).';
COMMENT ON COLUMN social_content_posts.video_id IS 'The internal video: the link''s video, or the parent video of its clip. NULL: a clip without a video.';
COMMENT ON COLUMN social_content_posts.clip_id IS 'The internal clip the post carries. NULL: the whole video.';
COMMENT ON COLUMN social_content_posts.link_source IS 'post: the post''s own video_id/clip_id; mapping: a social_content_mappings row.';
COMMENT ON COLUMN social_content_posts.mapping_id IS 'The social_content_mappings.id used. NULL: link_source = post.';
COMMENT ON COLUMN social_content_posts.social_account_id IS 'The account that published the post.';
COMMENT ON COLUMN social_content_posts.platform IS 'The post''s platform.';
COMMENT ON COLUMN social_content_posts.external_post_id IS 'The platform''s own id of the post.';
COMMENT ON COLUMN social_content_posts.post_url IS 'The post''s public URL.';
COMMENT ON COLUMN social_content_posts.posted_at IS 'When the post was published, UTC.';
COMMENT ON COLUMN social_content_posts.current_views IS 'Latest views_count. NULL: not reported or no metrics yet.';
COMMENT ON COLUMN social_content_posts.current_likes IS 'Latest likes_count. NULL: not reported.';
COMMENT ON COLUMN social_content_posts.current_comments IS 'Latest comments_count. NULL: not reported.';
COMMENT ON COLUMN social_content_posts.current_shares IS 'Latest shares_count. NULL: not reported.';
COMMENT ON COLUMN social_content_posts.current_saves IS 'Latest saves_count. NULL: not reported.';
COMMENT ON COLUMN social_content_posts.engagement_rate IS 'Latest engagement rate, percent. NULL: unknown.';
COMMENT ON COLUMN social_content_posts.metrics_date IS 'UTC day of the latest metrics. NULL: none yet.';
COMMENT ON COLUMN social_content_posts.metrics_hour IS 'UTC hour of the latest metrics when hourly. NULL: the end-of-day row (or none).';

COMMENT ON VIEW social_content_performance IS
    'One row per internal video (also those not posted yet): how it performed across every platform, summing the latest metrics of its posts and clips'' posts (each post counts for one video at most).';
COMMENT ON COLUMN social_content_performance.video_id IS 'The internal video (videos.id).';
COMMENT ON COLUMN social_content_performance.video_title IS 'videos.title.';
COMMENT ON COLUMN social_content_performance.platforms IS 'Platforms it was posted on, sorted; {} when not posted.';
COMMENT ON COLUMN social_content_performance.posts IS 'Tracked posts carrying the video or one of its clips (0: none).';
COMMENT ON COLUMN social_content_performance.clip_posts IS 'How many of those posts carry a clip rather than the whole video.';
COMMENT ON COLUMN social_content_performance.total_views IS 'Sum of the posts'' latest views. NULL: no post reports views (unknown, not 0).';
COMMENT ON COLUMN social_content_performance.total_likes IS 'Sum of the posts'' latest likes. NULL: no post reports likes.';
COMMENT ON COLUMN social_content_performance.total_comments IS 'Sum of the posts'' latest comment counts. NULL: none reported.';
COMMENT ON COLUMN social_content_performance.total_shares IS 'Sum of the posts'' latest shares. NULL: none reported.';
COMMENT ON COLUMN social_content_performance.best_platform IS
    'Platform with the most views, then the most likes + comments + shares, then first by name. NULL: not posted.';
COMMENT ON COLUMN social_content_performance.first_posted_at IS 'Earliest publication of those posts, UTC. NULL: not posted.';
COMMENT ON COLUMN social_content_performance.last_posted_at IS 'Latest publication of those posts, UTC. NULL: not posted.';

COMMENT ON VIEW social_top_hashtags IS
    'Hashtags of the posts published in the last 30 days (social_hashtag_insights(30)), best mean engagement first. Use social_hashtag_insights(days) for another window.';
COMMENT ON COLUMN social_top_hashtags.hashtag IS 'The hashtag, lowercase without #.';
COMMENT ON COLUMN social_top_hashtags.posts IS 'Posts published in the window that use it.';
COMMENT ON COLUMN social_top_hashtags.accounts IS 'Distinct accounts among those posts.';
COMMENT ON COLUMN social_top_hashtags.platforms IS 'Platforms of those posts, sorted.';
COMMENT ON COLUMN social_top_hashtags.total_views IS 'Sum of those posts'' latest views. NULL: none reports views.';
COMMENT ON COLUMN social_top_hashtags.avg_views IS 'Mean latest views over the posts that report views, rounded. NULL: none does.';
COMMENT ON COLUMN social_top_hashtags.avg_engagement_rate IS 'Mean latest engagement rate (percent) over the posts that have one. NULL: none has.';

COMMENT ON VIEW social_best_time_to_post IS
    'Per account, weekday and UTC hour of publication: how the posts published then engaged, against the account''s mean. Counts only posts that start something (post_kind original or quote).';
COMMENT ON COLUMN social_best_time_to_post.social_account_id IS 'The account.';
COMMENT ON COLUMN social_best_time_to_post.account_username IS 'The account''s handle.';
COMMENT ON COLUMN social_best_time_to_post.platform IS 'The account''s platform.';
COMMENT ON COLUMN social_best_time_to_post.weekday IS 'ISO weekday of publication, UTC: 1 = Monday ... 7 = Sunday.';
COMMENT ON COLUMN social_best_time_to_post.weekday_name IS 'The weekday''s name, lowercase English (monday ...).';
COMMENT ON COLUMN social_best_time_to_post.hour_utc IS 'Hour of publication 0-23, UTC (platforms do not give the audience''s time zone).';
COMMENT ON COLUMN social_best_time_to_post.posts IS 'Posts published in that slot.';
COMMENT ON COLUMN social_best_time_to_post.avg_engagement_rate IS 'Mean latest engagement rate (percent) of those posts. NULL: none has a rate.';
COMMENT ON COLUMN social_best_time_to_post.avg_views IS 'Mean latest views of those posts, rounded. NULL: none reports views.';
COMMENT ON COLUMN social_best_time_to_post.lift IS
    'avg_engagement_rate / the account''s mean engagement rate: 1.0 typical, 1.5 = 50 % better. NULL: no rate in the slot or account.';
COMMENT ON COLUMN social_best_time_to_post.confidence IS 'By posts behind the slot: high (>= 10), medium (>= 4), low.';

COMMENT ON VIEW social_account_growth IS 'Per account and snapshot day: followers with their growth over 1, 7 and 28 days, from social_analytics_snapshots.';
COMMENT ON COLUMN social_account_growth.social_account_id IS 'The account.';
COMMENT ON COLUMN social_account_growth.username IS 'The account''s handle.';
COMMENT ON COLUMN social_account_growth.platform IS 'The account''s platform.';
COMMENT ON COLUMN social_account_growth.snapshot_date IS 'The UTC day of the snapshot.';
COMMENT ON COLUMN social_account_growth.followers_count IS 'Followers that day. NULL: not reported.';
COMMENT ON COLUMN social_account_growth.follower_growth IS 'Change since the previous snapshot. NULL: no earlier snapshot.';
COMMENT ON COLUMN social_account_growth.growth_7d IS 'Followers minus those of the snapshot exactly 7 days earlier. NULL: no snapshot that day.';
COMMENT ON COLUMN social_account_growth.growth_28d IS 'Followers minus those of the snapshot exactly 28 days earlier. NULL: no snapshot that day.';
COMMENT ON COLUMN social_account_growth.growth_7d_pct IS 'growth_7d as percent of the followers 7 days earlier. NULL: no snapshot then, or 0 followers then.';
COMMENT ON COLUMN social_account_growth.engagement_rate IS 'The account''s engagement rate that day, percent (mean over its tracked posts). NULL: unknown.';

COMMENT ON VIEW social_post_velocity IS
    'Per post: views per hour over its first 48 hours, from the last snapshot taken inside them (hourly when there is one). Posts without such a snapshot are absent.';
COMMENT ON COLUMN social_post_velocity.post_id IS 'The post (social_posts_analytics.id).';
COMMENT ON COLUMN social_post_velocity.platform IS 'The post''s platform.';
COMMENT ON COLUMN social_post_velocity.posted_at IS 'When the post was published, UTC.';
COMMENT ON COLUMN social_post_velocity.views_at_snapshot IS 'views_count of that snapshot.';
COMMENT ON COLUMN social_post_velocity.hours_after_posting IS 'Hours from publication to the snapshot (a snapshot is taken at the end of its hour, or of its day), at most 48.';
COMMENT ON COLUMN social_post_velocity.views_per_hour_48h IS 'views_at_snapshot / hours_after_posting.';
COMMENT ON COLUMN social_post_velocity.from_hourly_snapshot IS 'true: from an hourly snapshot; false: from an end-of-day one.';

COMMENT ON VIEW social_post_virality IS
    'Per post that starts something (original or quote): its current views against the median of its account''s such posts.';
COMMENT ON COLUMN social_post_virality.post_id IS 'The post (social_posts_analytics.id).';
COMMENT ON COLUMN social_post_virality.account_username IS 'The account''s handle.';
COMMENT ON COLUMN social_post_virality.platform IS 'The post''s platform.';
COMMENT ON COLUMN social_post_virality.post_url IS 'The post''s public URL.';
COMMENT ON COLUMN social_post_virality.posted_at IS 'When the post was published, UTC.';
COMMENT ON COLUMN social_post_virality.current_views IS 'The post''s latest views. NULL: not reported.';
COMMENT ON COLUMN social_post_virality.account_median_views IS 'Median latest views of the account''s posts that report views, rounded.';
COMMENT ON COLUMN social_post_virality.virality_score IS
    'current_views / account_median_views: 1.0 typical, 5.0 five times the typical post. NULL: views unknown or median 0.';
