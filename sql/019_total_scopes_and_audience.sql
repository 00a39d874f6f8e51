-- Each total's scope, said in its column comment: LIFETIME (the platform's own figure for the whole
-- account) or TRACKED (summed by us over the posts we track: the posts pulled so far, each at its
-- latest daily metrics up to the day, so a lower bound that leaves out posts never pulled). One
-- snapshot row can hold both kinds; its tracked_totals names the TRACKED ones row by row.
-- And the audience table: what its keys are, which platforms fill it, why top_languages stays NULL.
-- COMMENT ON only: no data or column changes.

-- social_analytics_snapshots -------------------------------------------------------------------------
COMMENT ON TABLE social_analytics_snapshots IS
    'Daily account metrics: one row per account per UTC day, as the platform reported them at that day''s pull. Counts of followers are the value at the pull. Each total is either LIFETIME (the platform''s own figure for the whole account) or TRACKED (summed by us over the posts we track, each at its latest daily metrics up to the day: a lower bound that leaves out posts never pulled); a row can mix both, and tracked_totals names its TRACKED columns. NULL: neither source gives the figure, never 0.';
COMMENT ON COLUMN social_analytics_snapshots.followers_count IS
    'Followers at the day''s pull (not a total over time), as the platform reports them (YouTube: subscribers; Facebook: Page followers, else fans; LinkedIn: organization followers). NULL: not reported (e.g. YouTube hides the subscriber count).';
COMMENT ON COLUMN social_analytics_snapshots.posts_count IS
    'Posts published. LIFETIME from TikTok (video_count), Instagram (media_count), YouTube (videoCount), X (tweet_count), Pinterest (pin_count), Bluesky (postsCount). TRACKED for Facebook, Threads and LinkedIn (they give no post count): the posts we track that were first seen by the day (tracked_totals then holds posts_count). NULL: neither is known.';
COMMENT ON COLUMN social_analytics_snapshots.total_likes IS
    'Likes received. LIFETIME from TikTok (likes_count; heartCount through RapidAPI), YouTube Analytics (likes, with OAuth) and Threads (likes since 2024-04-13, the API''s earliest date). TRACKED, i.e. summed over the posts we track, for Instagram, Facebook, X, Pinterest, LinkedIn, Bluesky and YouTube without OAuth (tracked_totals then holds total_likes). NULL: no source reports likes.';
COMMENT ON COLUMN social_analytics_snapshots.total_comments IS
    'Comments received. LIFETIME from YouTube Analytics (comments, with OAuth) and Threads (replies since 2024-04-13). TRACKED, summed over the posts we track, on every other platform and YouTube without OAuth (tracked_totals then holds total_comments). NULL: no source reports comments.';
COMMENT ON COLUMN social_analytics_snapshots.total_views IS
    'Views of the account''s content. LIFETIME from YouTube (channel viewCount) only. TRACKED, summed over the posts we track that report views (TikTok, Instagram, Facebook, Threads, X, Pinterest; tracked_totals then holds total_views). NULL: no view counts at all (LinkedIn reports impressions, Bluesky nothing).';
COMMENT ON COLUMN social_analytics_snapshots.total_shares IS
    'Shares (reposts, retweets + quotes, ...). LIFETIME from YouTube Analytics (shares, with OAuth) and Threads (reposts + quotes since 2024-04-13). TRACKED, summed over the posts we track, elsewhere (tracked_totals then holds total_shares). NULL: no source reports shares (e.g. Pinterest).';
COMMENT ON COLUMN social_analytics_snapshots.retweets_count IS
    'Reposts. LIFETIME from Threads (reposts since 2024-04-13). TRACKED for X: retweets + quotes summed over the posts we track (tracked_totals then holds retweets_count). NULL on other platforms.';
COMMENT ON COLUMN social_analytics_snapshots.watch_time_minutes IS
    'YouTube only, with OAuth: LIFETIME minutes watched (Analytics estimatedMinutesWatched). Never summed from posts: NULL otherwise.';
COMMENT ON COLUMN social_analytics_snapshots.pins_count IS
    'Pinterest only: LIFETIME pins of the account (user_account pin_count). NULL on other platforms.';
COMMENT ON COLUMN social_analytics_snapshots.subscribers_count IS
    'YouTube only: subscribers at the day''s pull (statistics.subscriberCount, same value as followers_count). NULL on other platforms, and when the channel hides its count.';
COMMENT ON COLUMN social_analytics_snapshots.engagement_rate IS
    'Percent, TRACKED: the mean engagement_rate of the account''s tracked posts (their latest daily metrics up to the day), each post rated against its own views, impressions, reach or followers. No platform reports an account-level rate. NULL: no post has a rate.';
COMMENT ON COLUMN social_analytics_snapshots.tracked_totals IS
    'The TRACKED columns of this row: summed over the posts we track, not reported by the platform (e.g. {posts_count,total_views}). Empty: every total in the row is the platform''s own LIFETIME figure (or NULL).';

-- social_analytics_latest (the newest snapshot per account) ------------------------------------------
COMMENT ON COLUMN social_analytics_latest.posts_count IS
    'Posts (social_analytics_snapshots.posts_count): LIFETIME where the platform counts them, else TRACKED (Facebook, Threads, LinkedIn). NULL: unknown.';
COMMENT ON COLUMN social_analytics_latest.total_views IS
    'Views (social_analytics_snapshots.total_views): LIFETIME on YouTube, else TRACKED (summed over the posts we track). NULL: unknown.';
COMMENT ON COLUMN social_analytics_latest.total_likes IS
    'Likes received (social_analytics_snapshots.total_likes): LIFETIME on TikTok, YouTube with OAuth and Threads, else TRACKED. NULL: unknown.';
COMMENT ON COLUMN social_analytics_latest.total_comments IS
    'Comments received (social_analytics_snapshots.total_comments): LIFETIME on YouTube with OAuth and Threads, else TRACKED. NULL: unknown.';
COMMENT ON COLUMN social_analytics_latest.total_shares IS
    'Shares (social_analytics_snapshots.total_shares): LIFETIME on YouTube with OAuth and Threads, else TRACKED. NULL: unknown.';
COMMENT ON COLUMN social_analytics_latest.retweets_count IS
    'Reposts (social_analytics_snapshots.retweets_count): LIFETIME on Threads, TRACKED on X. NULL elsewhere.';
COMMENT ON COLUMN social_analytics_latest.engagement_rate IS
    'Percent, TRACKED: mean engagement rate of the account''s tracked posts on snapshot_date. NULL: no rated post.';

-- social_audience_demographics ------------------------------------------------------------------------
COMMENT ON TABLE social_audience_demographics IS
    'The account''s audience per UTC day as the platform reports it at the pull (a current picture, not a total over time): age and gender shares in percent (0-100) of the whole audience, top countries and cities (shares of the whole audience, so they add up to 100 or less), peak hours and days. Filled from Instagram, Threads, Facebook, YouTube (ages and genders, with OAuth), Pinterest (with an ad account) and LinkedIn (countries); TikTok, X and Bluesky report no audience. NULL: the platform does not report that figure, never 0.';
COMMENT ON COLUMN social_audience_demographics.top_countries IS
    'Top countries (up to 10) as {"US": 34.5, ...}: percent 0-100 of the whole audience. Keys are ISO 3166 codes where the platform gives codes (Instagram, Threads, Facebook, Pinterest) or LinkedIn''s geo id is a known country; other LinkedIn geo ids carry the name LinkedIn''s Geo API gives (e.g. "Denmark"), or stay urn:li:geo:{id} when that lookup failed. NULL: not reported.';
COMMENT ON COLUMN social_audience_demographics.top_cities IS
    'Top cities (up to 10) as {"city name": percent 0-100 of the whole audience}, named as the platform names them (Meta: "City, Region" or "City, Country"; Pinterest: metro names). A city''s share is at most its country''s. NULL: not reported (LinkedIn, YouTube).';
COMMENT ON COLUMN social_audience_demographics.top_languages IS
    'Top audience languages as {"language": percent 0-100}. Always NULL today, honestly: none of the nine APIs pulled documents an audience-language breakdown (Instagram and Threads follower_demographics break down by age, gender, country and city; Facebook''s page_follows_* by country and city, the locale metric went with the retired page_fans_* family; Pinterest audience insights by age, gender, country, metro and device; LinkedIn follower statistics by geo, seniority, industry, function and staff count; YouTube''s demographics report by age and gender; TikTok, X and Bluesky give no audience). Never guessed from comments or countries.';
