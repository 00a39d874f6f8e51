"""Threads responses -> records.

Parse-specific facts (reference: https://developers.facebook.com/docs/threads/threads-media,
https://developers.facebook.com/docs/threads/insights, https://developers.facebook.com/docs/threads/reply-management):

- Posts carry no counters: likes/replies/reposts/quotes/shares/views come only from the per-post
  insights. ``replies`` on a root post counts replies at every depth.
- ``shares_count`` = reposts + quotes + shares (sends): all the ways a post travels on.
- Account insights are *period* totals (since the API's floor, see :mod:`.client`):
  ``total_likes``/``total_comments`` are likes/replies since that floor, ``retweets_count`` the
  reposts, ``total_shares`` reposts + quotes. The account ``views`` metric counts *profile* views,
  not content views, so ``total_views`` stays None.
- Replies have no like count in the API: comment ``likes_count`` is None.
- ``REPOST_FACADE`` items are other people's posts the user reposted: skipped (never the
  account's posts). ``is_quote_post`` marks a quote (``post_kind`` "quote").
- ``follower_demographics`` answers counts; turned into percent like Instagram's (same Graph
  shape). No languages, peak hours or peak days.
- ``thumbnail_url`` is served on VIDEO posts only (their ``media_url`` is the .mp4); an IMAGE or
  CAROUSEL_ALBUM post's thumbnail is its ``media_url`` photo; text and audio posts have none.
- Timestamps are ISO-8601 with a colon-less offset (``+0000``). Post URL is the ``permalink``
  (``https://www.threads.net/@{user}/post/{shortcode}``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from ..base import ParsedPull, ParseError, RawResponse, count, ok_payloads, parse_timestamp
from ..meta_graph import (
    collect_breakdowns, data_list, demographics_from_counts, insights_by_object, media_thumbnail, metric_value,
)
from ..payload import obj, opt_text, text
from ..records import AccountRecord, CommentRecord, PostRecord

ME = "threads-user"
MEDIA_NODE = "threads-media"
USER_INSIGHTS = "threads-user/threads_insights"
THREADS = "threads-user/threads"
MEDIA_INSIGHTS = "threads-media/insights"
CONVERSATION = "threads-media/conversation"
USER_DAILY = "threads-user/threads_insights/day"  # the pull day's account insights

# Account insights asked for the pull day, and the name each has in records.DAILY_METRICS. The
# account ``views`` metric counts views of the *profile*.
DAILY_NAMES = {"views": "profile_views", "likes": "likes", "replies": "replies", "reposts": "reposts", "quotes": "quotes"}
DAILY_METRICS = tuple(DAILY_NAMES)

MEDIA_TYPES = {
    "TEXT_POST": "text",
    "IMAGE": "image",
    "VIDEO": "video",
    "CAROUSEL_ALBUM": "carousel",
    "AUDIO": "video",  # closest of the four kinds
}


def parse(responses: Iterable[RawResponse]) -> ParsedPull:
    responses = list(responses)
    out = ParsedPull()

    profiles = ok_payloads(responses, ME)
    if not profiles:
        raise ParseError("no successful Threads profile (/me) response to parse")
    profile = obj(profiles[-1], "threads /me")
    user_id = text(profile, "id", "threads /me", ids=True)

    totals: dict[str, Any] = {}
    groups: dict[str, dict[str, int]] = {}
    for payload in ok_payloads(responses, USER_INSIGHTS):
        for entry in data_list(payload, USER_INSIGHTS):
            if not isinstance(entry, dict):
                raise ParseError(f"{USER_INSIGHTS}: an entry is not an object")
            name = text(entry, "name", USER_INSIGHTS)
            if name == "follower_demographics":
                collect_breakdowns(entry, groups, USER_INSIGHTS)
            else:
                totals[name] = metric_value(entry, USER_INSIGHTS)

    reposts, quotes = count(totals.get("reposts")), count(totals.get("quotes"))
    username = opt_text(profile, "username", "threads /me")
    out.account = AccountRecord(
        external_user_id=user_id,
        display_name=opt_text(profile, "name", "threads /me") or username,
        profile_url=f"https://www.threads.net/@{username}" if username else None,
        followers_count=count(totals.get("followers_count")),
        total_likes=count(totals.get("likes")),
        total_comments=count(totals.get("replies")),
        total_shares=None if reposts is None or quotes is None else reposts + quotes,
        retweets_count=reposts,
    ).as_dict()
    out.account["daily_insights"] = parse_daily(ok_payloads(responses, USER_DAILY))
    out.account["followers_on_day"] = followers_on_day(responses, out.account["followers_count"])

    insights = insights_by_object(ok_payloads(responses, MEDIA_INSIGHTS), MEDIA_INSIGHTS)

    # Listed pages and by-id lookups in the order fetched: a post seen twice keeps its first
    # position and its most recently fetched fields.
    posts: dict[str, dict[str, Any]] = {}
    for r in sorted((r for r in responses if r.ok and r.endpoint in (THREADS, MEDIA_NODE)), key=lambda r: r.fetched_at):
        for item in data_list(r.payload, THREADS) if r.endpoint == THREADS else [r.payload]:
            if not isinstance(item, dict):
                raise ParseError(f"{r.endpoint}: a post entry is not an object")
            if item.get("media_type") == "REPOST_FACADE":
                continue
            post = parse_post(item, insights)
            posts[post["external_post_id"]] = post
    out.posts = list(posts.values())

    out.comments = parse_replies(ok_payloads(responses, CONVERSATION))
    out.demographics = demographics_from_counts(groups)
    return out


def parse_post(item: dict[str, Any], insights: dict[str, dict[str, Any]]) -> dict[str, Any]:
    media_id = text(item, "id", THREADS, ids=True)
    where = f"{THREADS} {media_id}"
    if "timestamp" not in item:
        raise ParseError(f"{where}: timestamp is missing")
    media_type = item.get("media_type")
    if media_type not in MEDIA_TYPES:
        raise ParseError(f"{where}: unknown media_type {media_type!r}")
    m = insights.get(media_id, {})
    reposts, quotes, sends = count(m.get("reposts")), count(m.get("quotes")), count(m.get("shares"))
    parts = [v for v in (reposts, quotes, sends) if v is not None]
    return PostRecord(
        external_post_id=media_id,
        post_url=opt_text(item, "permalink", where),
        caption=opt_text(item, "text", where),
        media_type=MEDIA_TYPES[media_type],
        media_url=opt_text(item, "media_url", where),
        thumbnail_url=media_thumbnail(item, where),
        posted_at=parse_timestamp(item["timestamp"]),
        post_kind="quote" if item.get("is_quote_post") is True else "original",
        likes_count=count(m.get("likes")),
        comments_count=count(m.get("replies")),
        views_count=count(m.get("views")),
        shares_count=sum(parts) if parts else None,
    ).as_dict()


def _ref_id(item: dict[str, Any], key: str, where: str) -> str | None:
    ref = item.get(key)
    if ref is None:
        return None
    if not isinstance(ref, dict):
        raise ParseError(f"{where}: '{key}' should be an object with an id")
    return text(ref, "id", f"{where} {key}", ids=True)


def parse_replies(payloads: list[Any]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for payload in payloads:
        for r in data_list(payload, CONVERSATION):
            if not isinstance(r, dict):
                raise ParseError(f"{CONVERSATION}: a reply is not an object")
            reply_id = text(r, "id", CONVERSATION, ids=True)
            where = f"{CONVERSATION} reply {reply_id}"
            root = _ref_id(r, "root_post", where)
            if root is None:
                raise ParseError(f"{where}: root_post is missing, cannot tie the reply to a post")
            parent = _ref_id(r, "replied_to", where)
            if reply_id in seen:
                continue
            seen.add(reply_id)
            records.append(
                CommentRecord(
                    external_post_id=root,
                    external_comment_id=reply_id,
                    parent_external_comment_id=None if parent in (None, root) else parent,
                    comment_text=opt_text(r, "text", where),
                    author_username=opt_text(r, "username", where),
                    commented_at=parse_timestamp(r.get("timestamp")),
                    # author id and likes: not exposed on replies
                ).as_dict()
            )
    return records


def parse_daily(payloads: list[Any]) -> dict[str, int] | None:
    """The pull day's account insights under records.DAILY_METRICS names: ``total_value.value``
    for the period totals, the single point of the profile-views series (None when Threads
    answers several days for the window). None
    when Threads served none (refused, or nothing in ``data``: unknown, never 0)."""
    out: dict[str, int] = {}
    for payload in payloads:
        for entry in data_list(payload, USER_DAILY):
            if not isinstance(entry, dict):
                raise ParseError(f"{USER_DAILY}: an entry is not an object")
            name = entry.get("name")
            if name not in DAILY_NAMES:
                continue
            if isinstance(entry.get("total_value"), dict):
                value = count(entry["total_value"].get("value"))
            else:
                series = entry.get("values")
                if not isinstance(series, list):
                    raise ParseError(f"{USER_DAILY}: metric {name!r} has neither values nor total_value")
                # One value per day Threads bins: a window cut across two of its days is not
                # "the day", so only a single point is kept.
                value = count(series[0].get("value")) if len(series) == 1 and isinstance(series[0], dict) else None
            if value is not None:
                out[DAILY_NAMES[name]] = value
    return out or None


def followers_on_day(responses: list[RawResponse], followers_now: int | None) -> int | None:
    """Followers at the end of the pull day: Threads reports no daily follower gains (its
    ``followers_count`` is the count now whatever the period), so only a pull made on that day
    itself knows it. None for a past day."""
    if followers_now is None:
        return None
    days = [r for r in responses if r.endpoint == USER_DAILY]
    read = [r for r in responses if r.ok and r.endpoint == USER_INSIGHTS and r.fetched_at is not None]
    if not days or not read:
        return None
    since = (days[0].request_params or {}).get("since")
    try:
        day = datetime.fromtimestamp(int(since), timezone.utc).date()
    except (TypeError, ValueError) as exc:
        raise ParseError(f"{USER_DAILY}: the stored request has no since") from exc
    return followers_now if day >= read[-1].fetched_at.date() else None
