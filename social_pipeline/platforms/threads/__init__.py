"""Threads: the Threads API on graph.threads.net (HTTP in :mod:`.client`, records in :mod:`.parse`,
Meta's shared conventions in :mod:`..meta_graph`).

Daily series (issue 14): the pull day's ``views`` (profile views), ``likes``, ``replies``,
``reposts`` and ``quotes`` from ``GET /{user-id}/threads_insights`` with since/until set to that
day. Follower figures: Threads has **no follows figure at all**, neither gross nor net: the only
follower metric is ``followers_count``, the current total, and it does not take since/until
(https://developers.facebook.com/docs/threads/insights, "User Insights", and
https://developers.facebook.com/docs/threads/reference/insights, ``metric``). So a past day's
followers are never rebuilt (``followers_on_day`` None); see :mod:`.client` ("Daily series")."""

from datetime import timedelta

from ..spec import PlatformSpec, TokenPolicy
from .client import Client

SPEC = PlatformSpec(
    name="threads",
    title="Threads",
    clients={"official": Client},
    requests_per_minute=200,
    pull_priority=4,
    demo_handle="demo.creator",
    settings=("oauth_base_url",),
    history_days=730,
    url_id_is_api_id=False,  # the URL shows a shortcode, matched through the permalink
    token=TokenPolicy("exchange", timedelta(days=7), "long-lived, 60 days"),
    docs={
        "me": "https://developers.facebook.com/docs/threads/threads-profiles",
        "threads": "https://developers.facebook.com/docs/threads/threads-media",
        "insights": "https://developers.facebook.com/docs/threads/insights",
        "replies": "https://developers.facebook.com/docs/threads/reply-management",
        "refresh": "https://developers.facebook.com/docs/threads/get-started/long-lived-tokens",
        "errors": "https://developers.facebook.com/docs/graph-api/guides/error-handling",
    },
)
