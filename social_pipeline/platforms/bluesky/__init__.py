"""Bluesky: the public AppView's XRPC methods (see :mod:`.client`)."""

from ..spec import PlatformSpec
from .client import Client

SPEC = PlatformSpec(
    name="bluesky",
    title="Bluesky",
    clients={"official": Client},
    requests_per_minute=300,  # AppView: 3,000 per 5 minutes per IP
    pull_priority=8,
    demo_handle="democreator.bsky.social",
    docs={
        "app.bsky.actor.getProfile": "https://docs.bsky.app/docs/api/app-bsky-actor-get-profile",
        "app.bsky.feed.getAuthorFeed": "https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed",
        "app.bsky.feed.getPostThread": "https://docs.bsky.app/docs/api/app-bsky-feed-get-post-thread",
    },
)
