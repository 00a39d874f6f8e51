"""Bluesky: the public AppView's XRPC methods (HTTP in :mod:`.client`, parsing in :mod:`.parse`).

Quirks:
- No credential: the public AppView (https://public.api.bsky.app/xrpc) serves public data to
  anyone; ``social_accounts.access_token`` is ignored. A handle that does not resolve
  (``InvalidRequest`` "Profile not found", ``AccountTakedown``, ``BlockedActor``) is fixed in
  ``social_accounts.handle``.
- Ids: accounts are DIDs (``did:plc:...``); a post is the at-uri
  ``at://{did}/app.bsky.feed.post/{rkey}`` (rkey: a 13-char TID), kept as external_post_id; its
  public page is ``https://bsky.app/profile/{handle}/post/{rkey}``. CIDs are CIDv1 base32
  (``bafyrei...`` for records, 59 characters).
- The author feed is read with ``filter=posts_with_replies``: own posts, replies ("reply"),
  self-thread continuations ("thread"), quotes ("quote": the record embeds
  ``app.bsky.embed.record`` / ``recordWithMedia``) and the account's reposts of others
  (``reason`` ``app.bsky.feed.defs#reasonRepost``), which are not the account's posts and are
  skipped, as are the other authors' posts carried in ``reply.root`` / ``reply.parent``.
- Hashtags are the record's tag facets plus its ``tags`` array (up to 8 tags not in the text).
- Counts (like/reply/repost/quote/bookmark) may be absent: stored as NULL, never 0. No views,
  impressions, reach, watch time or audience demographics exist.
- Threads: ``notFoundPost`` / ``blockedPost`` nodes (deleted or blocked replies) are skipped.
- Rate limit: 3,000 requests per 5 minutes per IP (``ratelimit-*`` headers; 429 when spent),
  https://docs.bsky.app/docs/advanced-guides/rate-limits.

Schemas: the lexicons, https://github.com/bluesky-social/atproto/tree/main/lexicons/app/bsky
(the tests check payloads against them: ``social_pipeline_tests/platforms/bluesky/lexicon_check.py``).
"""

from ..spec import PlatformSpec
from .client import Client

def url_keys(post_id: str) -> frozenset[str]:
    """A post's API id is its at-uri ``at://{did}/app.bsky.feed.post/{rkey}``; its URL shows the rkey."""
    return frozenset({post_id.rsplit("/", 1)[1]}) if post_id.startswith("at://") else frozenset()


def url_author(post_id: str) -> str | None:
    """The author's DID, which a post URL may name instead of the handle."""
    return post_id[len("at://"):].split("/", 1)[0] if post_id.startswith("at://") else None


SPEC = PlatformSpec(
    name="bluesky",
    url_id_is_api_id=False,
    url_keys=url_keys,
    url_author=url_author,
    title="Bluesky",
    clients={"official": Client},
    requests_per_minute=300,  # AppView: 3,000 per 5 minutes per IP
    pull_priority=8,
    demo_handle="democreator.bsky.social",
    docs={
        "app.bsky.actor.getProfile": "https://docs.bsky.app/docs/api/app-bsky-actor-get-profile",
        "app.bsky.feed.getAuthorFeed": "https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed",
        "app.bsky.feed.getPostThread": "https://docs.bsky.app/docs/api/app-bsky-feed-get-post-thread",
        "app.bsky.feed.getPosts": "https://docs.bsky.app/docs/api/app-bsky-feed-get-posts",
    },
)
