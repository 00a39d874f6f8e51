-- An image to show for each post (the dashboard's top posts), apart from media_url: media_url is
-- the post's media as the platform links it (a video file, TikTok's embed player), which a page
-- cannot draw as a picture. Filled by each platform's parser from the field the platform documents
-- for it (TikTok cover_image_url, Instagram and Threads thumbnail_url of a VIDEO, YouTube
-- snippet.thumbnails, Bluesky's embed thumb, ...). No data is lost: media_url is unchanged.

ALTER TABLE social_posts_analytics ADD COLUMN thumbnail_url TEXT;
COMMENT ON COLUMN social_posts_analytics.thumbnail_url IS
    'An image of the post (cover, thumbnail or the photo itself) as the platform serves it at the pull: TikTok cover_image_url (a link with a TTL of 6 hours, per TikTok''s Video Object reference; every pull refreshes it), Instagram and Threads thumbnail_url of a video else media_url, YouTube the largest snippet.thumbnails, Pinterest the cover or largest image, X the preview_image_url or photo url, Facebook the attachment image, Bluesky the embed''s thumb. NULL: the platform gives none (LinkedIn media are URNs; text-only posts).';

-- Posts stored before this column keep thumbnail_url NULL until their next pull: the dashboard then
-- draws their media_url when that is itself an image, as it did before. (Filling the column here
-- would rewrite most rows of the table once, and leave every index on it twice its size.)
