"""Instagram responses -> records.

Parse-specific facts (reference: https://developers.facebook.com/docs/instagram-platform/reference/instagram-media
and .../instagram-media/insights, .../instagram-user, .../instagram-comment):

- Ids are numeric strings (users ``17841...``, media ``179...``/``180...``, comments ``178...``).
- Timestamps are ISO-8601 with a colon-less offset: ``2026-11-20T15:00:00+0000``.
- ``like_count`` is omitted when the owner hid like counts: that is unknown (None), not 0.
- ``impressions``/``plays`` were retired in favour of ``views`` (served for FEED, REELS and STORY
  media since v22.0); impressions are reported as None. The Reels watch-time metrics are in
  **milliseconds** (``ig_reels_video_view_total_time`` total, ``ig_reels_avg_watch_time`` per
  view); the parser converts them to seconds. The API gives no video duration, so duration and
  completion rate are None.
- Instagram comment threads are one level deep: a reply to a reply is attached to the top-level
  comment, so ``parent_external_comment_id`` is always the top-level comment's id.
- ``follower_demographics`` answers counts, not shares; the parser turns them into percent.
  Country and city lists are truncated to the top entries, so their shares are taken against the
  gender breakdown total (which covers every follower), not against the truncated list's sum.
- Age buckets: 13-17, 18-24, 25-34, 35-44, 45-54, 55-64, 65+ (the last three become age_45_plus);
  gender keys F, M, U.
- ``thumbnail_url`` is served on VIDEO media only (its ``media_url`` is the .mp4); for IMAGE and
  CAROUSEL_ALBUM the post's thumbnail is the ``media_url`` photo itself (see ``meta_graph.media_thumbnail``).
- Hashtags: Instagram gives no structured tags on media (``hashtags`` stays None, so the
  pipeline reads them from the caption).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from ..base import ParsedPull, ParseError, RawResponse, count, ok_payloads, parse_timestamp
from ..meta_graph import (
    collect_breakdowns, data_list, demographics_from_counts, insights_by_object, media_thumbnail, metric_value,
)
from ..payload import obj, opt_obj, opt_text, text
from ..records import AccountRecord, CommentRecord, PostRecord

ME = "me"
PAGES = "me/accounts"
USER = "ig-user"
MEDIA = "ig-user/media"
MEDIA_NODE = "ig-media"
MEDIA_INSIGHTS = "ig-media/insights"
COMMENTS = "ig-media/comments"
REPLIES = "ig-comment/replies"
USER_INSIGHTS = "ig-user/insights"
USER_DAILY = "ig-user/insights/day"  # the pull day's account insights

# Account insights asked for the pull day, and the name each has in records.DAILY_METRICS.
DAILY_NAMES = {
    "views": "views",
    "reach": "reach",
    "accounts_engaged": "accounts_engaged",
    "total_interactions": "total_interactions",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "saves": "saves",
    "replies": "replies",
    "profile_links_taps": "website_clicks",  # taps on the profile's links: the nearest name
}
DAILY_METRICS = tuple(DAILY_NAMES)

MEDIA_TYPES = {"VIDEO": "video", "IMAGE": "image", "CAROUSEL_ALBUM": "carousel"}


def parse(responses: Iterable[RawResponse]) -> ParsedPull:
    responses = list(responses)
    out = ParsedPull()

    users = ok_payloads(responses, USER)
    if not users:
        raise ParseError("no successful ig-user response to parse")
    user = obj(users[-1], "ig-user")
    user_id = text(user, "id", "ig-user", ids=True)
    username = opt_text(user, "username", "ig-user")
    out.account = AccountRecord(
        external_user_id=user_id,
        display_name=opt_text(user, "name", "ig-user") or username,
        profile_url=f"https://www.instagram.com/{username}/" if username else None,
        followers_count=count(user.get("followers_count")),
        following_count=count(user.get("follows_count")),
        posts_count=count(user.get("media_count")),
    ).as_dict()
    daily = parse_daily(ok_payloads(responses, USER_DAILY))
    out.account["daily_insights"] = daily
    out.account["followers_on_day"] = followers_on_day(responses, out.account["followers_count"])

    insights = insights_by_object(ok_payloads(responses, MEDIA_INSIGHTS), MEDIA_INSIGHTS)

    # Listed pages and by-id lookups in the order fetched: a post seen twice keeps its first
    # position and its most recently fetched fields.
    posts: dict[str, dict[str, Any]] = {}
    for r in sorted((r for r in responses if r.ok and r.endpoint in (MEDIA, MEDIA_NODE)), key=lambda r: r.fetched_at):
        items = data_list(r.payload, MEDIA) if r.endpoint == MEDIA else [r.payload]
        for item in items:
            post = parse_media(item, insights)
            posts[post["external_post_id"]] = post
    out.posts = list(posts.values())

    out.comments = parse_comments(responses)
    out.demographics = parse_demographics(ok_payloads(responses, USER_INSIGHTS))
    return out


def _ms_to_seconds(value: Any) -> float | None:
    ms = count(value)
    return None if ms is None else round(ms / 1000, 3)


def parse_media(item: Any, insights: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ParseError(f"{MEDIA}: a media entry is not an object")
    media_id = text(item, "id", MEDIA, ids=True)
    where = f"{MEDIA} {media_id}"
    if "timestamp" not in item:
        raise ParseError(f"{where}: timestamp is missing")
    media_type = item.get("media_type")
    if media_type not in MEDIA_TYPES:
        raise ParseError(f"{where}: unknown media_type {media_type!r}")
    kind = "video" if item.get("media_product_type") == "REELS" else MEDIA_TYPES[media_type]
    m = insights.get(media_id, {})
    views = count(m.get("views"))
    total_ms = count(m.get("ig_reels_video_view_total_time"))
    if total_ms is not None:
        watch_time = round(total_ms / 1000)  # a BIGINT column: whole seconds
    else:
        avg = _ms_to_seconds(m.get("ig_reels_avg_watch_time"))
        watch_time = round(avg * views) if avg is not None and views is not None else None
    return PostRecord(
        external_post_id=media_id,
        post_url=opt_text(item, "permalink", where),  # canonical /p/{shortcode}/ or /reel/{shortcode}/
        caption=opt_text(item, "caption", where),
        media_type=kind,
        media_url=opt_text(item, "media_url", where),
        thumbnail_url=media_thumbnail(item, where),
        posted_at=parse_timestamp(item["timestamp"]),
        likes_count=count(item.get("like_count")),  # omitted when the owner hides likes
        comments_count=count(item.get("comments_count")),
        views_count=views,
        shares_count=count(m.get("shares")),
        saves_count=count(m.get("saved")),
        watch_time_seconds=watch_time,
        reach=count(m.get("reach")),
        # impressions: retired metric; duration/completion: no video duration in the API
    ).as_dict()


def _comment_record(c: Any, media_id: str, parent: str | None, where: str) -> dict[str, Any]:
    if not isinstance(c, dict):
        raise ParseError(f"{where}: a comment is not an object")
    author = opt_obj(c, "from", where)
    return CommentRecord(
        external_post_id=media_id,
        external_comment_id=text(c, "id", where, ids=True),
        parent_external_comment_id=parent,
        comment_text=opt_text(c, "text", where),
        author_username=opt_text(c, "username", where) or (opt_text(author, "username", where) if author else None),
        author_external_id=opt_text(author, "id", where) if author else None,
        likes_count=count(c.get("like_count")),
        commented_at=parse_timestamp(c.get("timestamp")),
    ).as_dict()


def parse_comments(responses: list[RawResponse]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    post_of: dict[str, str] = {}  # top-level comment id -> media id
    seen: set[str] = set()

    def add(rec: dict[str, Any]) -> None:
        if rec["external_comment_id"] not in seen:
            seen.add(rec["external_comment_id"])
            records.append(rec)

    for payload in ok_payloads(responses, COMMENTS):
        for c in data_list(payload, COMMENTS):
            if not isinstance(c, dict):
                raise ParseError(f"{COMMENTS}: a comment is not an object")
            media = c.get("media")
            if not isinstance(media, dict):
                raise ParseError(f"{COMMENTS}: comment has no media object to tie it to a post")
            media_id = text(media, "id", COMMENTS, ids=True)
            top = _comment_record(c, media_id, None, COMMENTS)
            add(top)
            post_of[top["external_comment_id"]] = media_id
            replies = c.get("replies")
            if replies is None:
                continue
            for r in data_list(replies, f"{COMMENTS} replies"):
                parent = (r.get("parent_id") if isinstance(r, dict) else None) or top["external_comment_id"]
                add(_comment_record(r, media_id, parent, f"{COMMENTS} replies"))

    for payload in ok_payloads(responses, REPLIES):
        for r in data_list(payload, REPLIES):
            if not isinstance(r, dict):
                raise ParseError(f"{REPLIES}: a reply is not an object")
            parent = text(r, "parent_id", REPLIES, ids=True)
            if parent not in post_of:
                raise ParseError(f"{REPLIES}: reply {r.get('id')!r} answers unknown comment {parent!r}")
            add(_comment_record(r, post_of[parent], parent, REPLIES))
    return records


def parse_demographics(payloads: list[Any]) -> dict[str, Any] | None:
    groups: dict[str, dict[str, int]] = {}
    online: dict[int, int] | None = None
    for payload in payloads:
        for entry in data_list(payload, USER_INSIGHTS):
            if not isinstance(entry, dict):
                raise ParseError(f"{USER_INSIGHTS}: an entry is not an object")
            name = entry.get("name")
            if name == "follower_demographics":
                collect_breakdowns(entry, groups, USER_INSIGHTS)
            elif name == "online_followers":
                value = metric_value(entry, USER_INSIGHTS)
                if not isinstance(value, dict):
                    raise ParseError(f"{USER_INSIGHTS}: online_followers value is not an hour map")
                try:
                    online = {int(h): count(v) or 0 for h, v in value.items()}
                except ValueError as exc:
                    raise ParseError(f"{USER_INSIGHTS}: online_followers has a non-hour key") from exc
    return demographics_from_counts(groups, online)


def parse_daily(payloads: list[Any]) -> dict[str, int] | None:
    """The pull day's account insights under records.DAILY_METRICS names; None when Instagram
    served none (refused, or an empty data set: unknown, never 0)."""
    out: dict[str, int] = {}
    for payload in payloads:
        for entry in data_list(payload, USER_DAILY):
            if not isinstance(entry, dict):
                raise ParseError(f"{USER_DAILY}: an entry is not an object")
            name = entry.get("name")
            if name in DAILY_NAMES:
                value = count(metric_value(entry, USER_DAILY))
                if value is not None:
                    out[DAILY_NAMES[name]] = value
    return out or None


def _since_day(response: RawResponse):
    since = (response.request_params or {}).get("since")
    try:
        return datetime.fromtimestamp(int(since), timezone.utc).date()
    except (TypeError, ValueError) as exc:
        raise ParseError(f"{response.endpoint}: the stored request has no since") from exc


def followers_on_day(responses: list[RawResponse], followers_now: int | None) -> int | None:
    """Followers at the end of the pull day: the count read on that day, else None. Instagram's
    follow figures cannot rebuild a past day (see "Daily series" in :mod:`.client`)."""
    if followers_now is None:
        return None
    user = [r for r in responses if r.ok and r.endpoint == USER and r.fetched_at is not None]
    days = [r for r in responses if r.endpoint == USER_DAILY]
    if not user or not days:
        return None
    return followers_now if _since_day(days[0]) >= user[-1].fetched_at.date() else None
