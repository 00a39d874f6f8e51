"""Bluesky, through the public AppView (XRPC over HTTPS, no authentication needed): the HTTP half
(endpoints, paging, errors); responses become records in :mod:`.parse`.

Endpoints used (all GET under https://public.api.bsky.app/xrpc):
- ``app.bsky.actor.getProfile``   ?actor=<handle or DID>
- ``app.bsky.feed.getAuthorFeed`` ?actor=<DID>&limit=1..100&cursor=&filter=posts_with_replies
  (the lexicon's default: the account's posts, its replies to others and its self-thread
  continuations, plus its reposts, which the parser skips)
- ``app.bsky.feed.getPostThread`` ?uri=<at-uri>&depth=&parentHeight=0, for posts with replies
- ``app.bsky.feed.getPosts``      ?uris=<at-uri>&uris=... (up to 25, repeated parameter), to
  refresh tracked posts that are no longer among the newest ``posts_per_fetch``

- Public data needs no token; ``account.access_token`` is ignored (a PDS session token is not
  valid at the public AppView). Errors are ``{"error": "<Name>", "message": "..."}``; an unknown
  actor is HTTP 400 ``InvalidRequest`` "Profile not found"; a suspended one ``AccountTakedown``;
  getAuthorFeed may answer ``BlockedActor`` / ``BlockedByActor``. The profile-lookup error names
  the account, quotes the XRPC name and message, and says to fix ``social_accounts.handle``.
- ``cursor`` is absent on the last feed page. Only own, non-repost items count toward
  ``posts_per_fetch``.
- Rate limits: the AppView answers 429 with ``ratelimit-limit`` / ``ratelimit-remaining`` /
  ``ratelimit-reset`` (epoch seconds) / ``ratelimit-policy`` headers (3,000 requests per 5
  minutes per IP); the HTTP layer retries 429 with backoff and records the headers.
- Refresh by id: posts tracked inside ``update_window_days`` but missing from the newest feed
  page(s) are re-read with getPosts (25 uris a call; unknown or deleted uris are silently left
  out), and their threads are re-read when they have replies. Posts by other authors are
  ignored. No tokens are involved, so there is nothing to refresh or expire.
"""

from __future__ import annotations

from typing import Iterable

from ..base import AccountRef, ParsedPull, ParseError, PlatformClient, PlatformError, RawResponse
from . import parse
from .parse import EP_FEED, EP_POSTS, EP_PROFILE, EP_THREAD

FEED_MAX = 100
GET_POSTS_MAX = 25  # lexicon: uris maxLength 25
THREAD_DEPTH = 100  # lexicon allows up to 1000; deep enough for real conversations


class Client(PlatformClient):
    platform = "bluesky"
    default_base_url = "https://public.api.bsky.app/xrpc"
    # Bluesky counts never freeze and the AppView documents no metric window; the default 30 days
    # covers the weeks in which posts still gather likes and reposts (one getPosts per 25 posts).
    update_window_days = 30

    def pull(self, account: AccountRef) -> None:
        actor = account.external_id or account.handle.lstrip("@")
        try:
            profile = self.http.get(self.url(EP_PROFILE), endpoint=EP_PROFILE, params={"actor": actor})
        except PlatformError as exc:
            raise PlatformError(
                _profile_error(account.handle, actor, exc, self.http.responses),
                status_code=exc.status_code,
                endpoint=EP_PROFILE,
            ) from None
        did = profile.get("did") if isinstance(profile, dict) else None
        if not isinstance(did, str):
            raise PlatformError(f"{EP_PROFILE}: no DID for @{account.handle}", endpoint=EP_PROFILE)

        wanted = max(account.posts_per_fetch, 0)
        own = 0
        seen: set[str] = set()
        with_replies: list[str] = []
        cursor: str | None = None
        page = 0
        while own < wanted:
            # Each page holds at most `limit` items, so asking for what is left never overshoots.
            params = {"actor": did, "limit": min(FEED_MAX, wanted - own), "filter": "posts_with_replies"}
            if cursor:
                params["cursor"] = cursor
            body = self.http.get(self.url(EP_FEED), endpoint=EP_FEED, params=params, page_index=page)
            page += 1
            items = body.get("feed") if isinstance(body, dict) else None
            for item in items or []:
                try:
                    post = parse.own_post(item, did)
                except ParseError:
                    post = None  # malformed item: parse() will report it from the stored page
                if post is None:
                    continue
                own += 1
                seen.add(post.get("uri"))
                if isinstance(post.get("replyCount"), int) and post["replyCount"] > 0:
                    with_replies.append(post.get("uri"))
            cursor = body.get("cursor") if isinstance(body, dict) else None
            if not cursor or not items:
                break

        # Tracked posts still inside the update window but no longer among the newest.
        refresh = [u for u in dict.fromkeys(account.refresh_post_ids) if isinstance(u, str) and u and u not in seen]
        for index, begin in enumerate(range(0, len(refresh), GET_POSTS_MAX)):
            body = self.http.get(
                self.url(EP_POSTS),
                endpoint=EP_POSTS,
                params={"uris": refresh[begin : begin + GET_POSTS_MAX]},  # sent as repeated uris=
                page_index=index,
            )
            for post in (body.get("posts") or []) if isinstance(body, dict) else []:
                author = (post or {}).get("author") if isinstance(post, dict) else None
                if not isinstance(author, dict) or author.get("did") != did:
                    continue
                if isinstance(post.get("replyCount"), int) and post["replyCount"] > 0:
                    with_replies.append(post.get("uri"))

        for index, uri in enumerate(u for u in with_replies if isinstance(u, str)):
            self.http.get(
                self.url(EP_THREAD),
                endpoint=EP_THREAD,
                params={"uri": uri, "depth": THREAD_DEPTH, "parentHeight": 0},
                page_index=index,
            )

    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        return parse.parse(responses)


# XRPC error names that mean "this handle does not lead to a readable account" (InvalidRequest
# only with the AppView's "Profile not found"/"... not found" message: it also means bad parameters).
_UNRESOLVED = {"AccountTakedown", "AccountDeactivated", "BlockedActor", "BlockedByActor"}


def _profile_error(handle: str, actor: str, exc: PlatformError, responses: list[RawResponse]) -> str:
    """What went wrong looking the account up, quoting the XRPC ``error`` and ``message``, and what
    to fix (the public AppView needs no credential, so it is never a token)."""
    last = responses[-1].payload if responses else None
    name = last.get("error") if isinstance(last, dict) else None
    message = last.get("message") if isinstance(last, dict) else None
    quoted = f"XRPC {name}: {message}" if name or message else "no XRPC error body"
    who = f"bluesky account @{handle.lstrip('@')}"
    unresolved = name in _UNRESOLVED or (name == "InvalidRequest" and "not found" in str(message).lower())
    if unresolved:
        return (
            f"{who}: profile lookup for {actor!r} failed ({quoted}): the handle does not resolve to a "
            "readable account; check it on https://bsky.app and fix social_accounts.handle "
            f"(no credential is involved: the public AppView needs none). {exc}"
        )
    return f"{who}: profile lookup failed ({quoted}): {exc}"
