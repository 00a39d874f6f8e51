"""YouTube responses -> records (the HTTP side is :mod:`.client`).

What the parser reads, and how (schemas of the Data API v3 discovery document
``youtube.v3.json`` and of ``youtubeAnalytics.v2.json``):

- ``ChannelListResponse.items[0]`` (``Channel``): ``id``, ``snippet.title``, ``snippet.customUrl``,
  ``statistics`` (``ChannelStatistics``: ``subscriberCount``, ``videoCount``, ``viewCount`` are
  ``uint64`` *strings*; ``hiddenSubscriberCount`` a boolean: when true the subscriber count is NULL,
  not 0). YouTube rounds ``subscriberCount`` to three significant figures.
- ``PlaylistItemListResponse.items[].contentDetails.videoId``: the uploads playlist, newest first
  (the post order).
- ``VideoListResponse.items[]`` (``Video``): ``snippet`` (``VideoSnippet``: ``publishedAt``
  date-time, ``title``, ``description``, ``thumbnails``, ``tags``), ``contentDetails.duration``
  (ISO-8601, ``PT1M5S``, ``P0D`` for live streams; stored as seconds), ``statistics``
  (``VideoStatistics``: ``viewCount``, ``likeCount``, ``commentCount`` ``uint64`` strings;
  ``likeCount`` is absent when the owner hides likes and ``commentCount`` when comments are off:
  NULL, never 0; ``favoriteCount`` is always "0" and ``dislikeCount`` is private: both ignored).
- ``CommentThreadListResponse`` / ``CommentListResponse``: ``Comment.snippet`` (``textOriginal``,
  ``authorDisplayName``, ``authorChannelId.value``, ``likeCount`` uint32, ``publishedAt``,
  ``parentId``); replies are one level deep.
- Analytics ``reports.query`` (``QueryResponse``): ``columnHeaders[].name`` + ``rows``.

Payload quirks:
- Every count in ``statistics`` is a *string* ("12345"). ``likeCount`` is absent when the owner
  hides likes, ``commentCount`` when comments are disabled (commentThreads then answers 403
  ``commentsDisabled``, which the client does not treat as an error).
- ``contentDetails.duration`` is ISO-8601 (``PT1M5S``, ``PT2H``, ``P1DT3M``, ``P0D`` for live
  streams); we store seconds. Shorts (up to three minutes) are plain videos here.
- Channel ids are ``UC`` + 22 base64url chars; the uploads playlist id is the same with ``UU``.
  Video ids are 11 base64url chars. Reply ids are ``<thread id>.<suffix>``.
- Replies are one level deep on YouTube: a reply to a reply is filed under the top-level
  comment, so ``parentId`` always names the thread's top-level comment.
- Analytics: ``estimatedMinutesWatched`` is minutes (stored as seconds per post, minutes for the
  account), ``averageViewPercentage`` is already a percentage (can exceed 100 for looping Shorts),
  ``viewerPercentage`` rows are shares of the ageGroup x gender cells, summed here per age
  bucket and per gender. Age buckets 45-54/55-64/65- are folded into 45_plus.

Tags: YouTube links the hashtags written in a video's **title and description** (hashtags in
the title take precedence over those in the description), so ``hashtags`` holds the ``#tags`` of
the title then the description, without '#', lowercased, each once, in order. ``snippet.tags``
are the creator's search keywords (never shown as hashtags): they go to ``keywords``.

Views: YouTube changed how ``viewCount`` counts a view -- Shorts from 2025-03-31 (every start or
replay), every format from 2026-08-27 (a view counts when playback starts). The Analytics metric
``engagedViews`` keeps the previous method; it is read per video where the Analytics API is
authorised (``engaged_views``). Every post observation carries ``views_method``, the method in
force on the pull day for that video (see :func:`views_method`), so a change of method is not
read as views going down.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any, Iterable

from ..base import ParsedPull, ParseError, RawResponse, ok_payloads, parse_timestamp
from ..payload import counter, field_obj, objects, opt_obj, opt_text, text
from ..records import AccountRecord, CommentRecord, PostRecord

EP_CHANNELS = "channels.list"
EP_PLAYLIST_ITEMS = "playlistItems.list"
EP_VIDEOS = "videos.list"
EP_COMMENT_THREADS = "commentThreads.list"
EP_COMMENTS = "comments.list"
EP_REPORT_CHANNEL = "reports.query#channel"
EP_REPORT_VIDEOS = "reports.query#videos"
EP_REPORT_DEMOGRAPHICS = "reports.query#demographics"
EP_REPORT_DAILY = "reports.query#daily"
# The channel's own series by day (Analytics API channel reports, dimension ``day``).
DAILY_REPORT_METRICS = "views,estimatedMinutesWatched,likes,comments,shares,subscribersGained,subscribersLost"
_DAILY_NAMES = {
    "views": "views",
    "estimatedMinutesWatched": "watch_time_minutes",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "subscribersGained": "subscribers_gained",
    "subscribersLost": "subscribers_lost",
}
# YouTube Analytics data for a day arrives up to about 72 hours later ("Data is available with a
# delay"): rows for the last three days may still be missing without a gap in the series.
REPORT_DELAY_DAYS = 3

AGE_BUCKETS = {
    "age13-17": "age_13_17",
    "age18-24": "age_18_24",
    "age25-34": "age_25_34",
    "age35-44": "age_35_44",
    "age45-54": "age_45_plus",
    "age55-64": "age_45_plus",
    "age65-": "age_45_plus",
}

# View counting methods (YouTube Analytics revision history, 2025-03-26 announcement and
# 2026-08-27 entry): the marker names the date the method in force began.
SHORTS_METHOD_FROM = date(2025, 3, 31)
ALL_FORMATS_METHOD_FROM = date(2026, 8, 27)
METHOD_LEGACY = "youtube-legacy"
METHOD_SHORTS_2025 = "youtube-2025-03-31"
METHOD_2026 = "youtube-2026-08-27"
SHORTS_MAX_SECONDS = 180  # Shorts may last up to three minutes (since 2024-10-15)

_DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
# '#' then letters/digits/underscore (and the combining marks of letters), not preceded by a word
# character, '&' or '/' (so "C#", "&#39;" and URL fragments are not tags); all-digit tags are not tags.
_HASHTAG = re.compile(r"(?<![\w&/#])[#＃]((?:[^\W]|[\u0300-\u036f\u0900-\u097f\u200c\u200d])+)")


def parse(responses: Iterable[RawResponse]) -> ParsedPull:
    responses = list(responses)
    out = ParsedPull()

    channels = ok_payloads(responses, EP_CHANNELS)
    if not channels:
        raise ParseError("youtube: no successful channels.list response")
    pull_day = _pull_day(responses)
    channel = _first_item(channels[0], EP_CHANNELS)
    snippet = field_obj(channel, "snippet", EP_CHANNELS)
    stats = field_obj(channel, "statistics", EP_CHANNELS)
    hidden = stats.get("hiddenSubscriberCount")
    if hidden is not None and not isinstance(hidden, bool):
        raise ParseError("channels.list: hiddenSubscriberCount is not a boolean")
    subscribers = None if hidden else counter(stats, "subscriberCount", EP_CHANNELS)
    channel_id = text(channel, "id", EP_CHANNELS)
    custom = opt_text(snippet, "customUrl", EP_CHANNELS)
    account = AccountRecord(
        external_user_id=channel_id,
        display_name=opt_text(snippet, "title", EP_CHANNELS),
        profile_url=f"https://www.youtube.com/{custom}" if custom else f"https://www.youtube.com/channel/{channel_id}",
        followers_count=subscribers,
        subscribers_count=subscribers,
        posts_count=counter(stats, "videoCount", EP_CHANNELS),
        total_views=counter(stats, "viewCount", EP_CHANNELS),
    )

    # Channel analytics (OAuth only): lifetime totals.
    for payload in ok_payloads(responses, EP_REPORT_CHANNEL):
        rows = _report_rows(payload, EP_REPORT_CHANNEL)
        if rows:
            row = rows[0]
            account.watch_time_minutes = counter(row, "estimatedMinutesWatched", EP_REPORT_CHANNEL)
            account.total_likes = counter(row, "likes", EP_REPORT_CHANNEL)
            account.total_comments = counter(row, "comments", EP_REPORT_CHANNEL)
            account.total_shares = counter(row, "shares", EP_REPORT_CHANNEL)
    for response in responses:
        if response.endpoint == EP_REPORT_DAILY and response.ok:
            account.daily_insights, account.followers_on_day = _daily(response, subscribers)
    out.account = account.as_dict()

    per_video: dict[str, dict[str, Any]] = {}
    for payload in ok_payloads(responses, EP_REPORT_VIDEOS):
        for row in _report_rows(payload, EP_REPORT_VIDEOS):
            vid = row.get("video")
            if not isinstance(vid, str):
                raise ParseError("reports.query: video dimension is not a string")
            per_video[vid] = row

    # Playlist order = newest first; videos.list answers in the order of the ids asked.
    order: list[str] = []
    for payload in ok_payloads(responses, EP_PLAYLIST_ITEMS):
        for item in objects(payload, "items", EP_PLAYLIST_ITEMS, missing_ok=True):
            vid = text(field_obj(item, "contentDetails", EP_PLAYLIST_ITEMS), "videoId", EP_PLAYLIST_ITEMS)
            if vid not in order:
                order.append(vid)
    videos: dict[str, dict[str, Any]] = {}
    for payload in ok_payloads(responses, EP_VIDEOS):
        for item in objects(payload, "items", EP_VIDEOS, missing_ok=True):
            videos[text(item, "id", EP_VIDEOS)] = item
    ordered = [v for v in order if v in videos] + [v for v in videos if v not in order]

    for vid in ordered:
        item = videos[vid]
        vsnip = field_obj(item, "snippet", EP_VIDEOS)
        vstats = field_obj(item, "statistics", EP_VIDEOS)
        details = field_obj(item, "contentDetails", EP_VIDEOS)
        title = opt_text(vsnip, "title", EP_VIDEOS)
        description = opt_text(vsnip, "description", EP_VIDEOS)
        duration = parse_duration(details.get("duration"))
        analytics = per_video.get(vid) or {}
        minutes = counter(analytics, "estimatedMinutesWatched", EP_REPORT_VIDEOS)
        post = PostRecord(
            external_post_id=vid,
            post_url=f"https://www.youtube.com/watch?v={vid}",
            caption=description,
            title=title,
            media_type="video",  # Shorts included: the Data API has no other media kind
            media_url=_thumbnail(vsnip),
            thumbnail_url=_thumbnail(vsnip),
            duration=duration,
            posted_at=parse_timestamp(text(vsnip, "publishedAt", EP_VIDEOS)),
            hashtags=video_hashtags(title, description),
            keywords=_keywords(vsnip),
            likes_count=counter(vstats, "likeCount", EP_VIDEOS),  # absent when hidden
            comments_count=counter(vstats, "commentCount", EP_VIDEOS),  # absent when disabled
            views_count=counter(vstats, "viewCount", EP_VIDEOS),
            shares_count=counter(analytics, "shares", EP_REPORT_VIDEOS),
            watch_time_seconds=None if minutes is None else minutes * 60,
            completion_rate=_percent(analytics, "averageViewPercentage", EP_REPORT_VIDEOS),
        )
        row = post.as_dict()
        # Not fields of PostRecord (yet): the observation's columns in social_post_metrics.
        row["engaged_views"] = counter(analytics, "engagedViews", EP_REPORT_VIDEOS)
        row["views_method"] = views_method(pull_day, duration)
        out.posts.append(row)

    seen: set[str] = set()
    for payload in ok_payloads(responses, EP_COMMENT_THREADS):
        for thread in objects(payload, "items", EP_COMMENT_THREADS, missing_ok=True):
            tsnip = field_obj(thread, "snippet", EP_COMMENT_THREADS)
            video_id = text(tsnip, "videoId", EP_COMMENT_THREADS)
            top = field_obj(tsnip, "topLevelComment", EP_COMMENT_THREADS)
            _add_comment(out, seen, top, video_id, None)
            replies = opt_obj(thread, "replies", EP_COMMENT_THREADS)
            if replies is not None:
                if not isinstance(replies.get("comments", []), list):
                    raise ParseError("commentThreads.list: replies.comments is not a list")
                for reply in replies.get("comments", []):
                    _add_comment(out, seen, reply, video_id, top.get("id"))
    for payload in ok_payloads(responses, EP_COMMENTS):
        for reply in objects(payload, "items", EP_COMMENTS, missing_ok=True):
            rsnip = field_obj(reply, "snippet", EP_COMMENTS)
            _add_comment(out, seen, reply, rsnip.get("videoId"), rsnip.get("parentId"))

    demo_payloads = ok_payloads(responses, EP_REPORT_DEMOGRAPHICS)
    if demo_payloads:
        out.demographics = _demographics(demo_payloads[-1])
    return out


# -- tags and view methods ------------------------------------------------------------------
def hashtags_of(value: str | None) -> list[str]:
    """The ``#tags`` of one text, lowercased and NFC-normalized, without '#', in order."""
    if not value:
        return []
    found: list[str] = []
    for match in _HASHTAG.finditer(value):
        token_start = match.start()
        while token_start > 0 and not value[token_start - 1].isspace():
            token_start -= 1
        if "://" in value[token_start : match.start()] or value[token_start:].lower().startswith("www."):
            continue  # a URL fragment, not a tag
        tag = unicodedata.normalize("NFC", match.group(1)).casefold()
        if not tag.isdigit():
            found.append(tag)
    return found


def video_hashtags(title: str | None, description: str | None) -> list[str]:
    """Hashtags of the title, then of the description, each once (case-insensitively)."""
    return list(dict.fromkeys([*hashtags_of(title), *hashtags_of(description)]))


def _keywords(snippet: dict[str, Any]) -> list[str] | None:
    """``snippet.tags`` (the creator's keywords): None when absent (the video has none or the
    caller may not see them), the list otherwise."""
    tags = snippet.get("tags")
    if tags is None:
        return None
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ParseError("videos.list: snippet.tags is not a list of strings")
    return list(dict.fromkeys(tags))


def views_method(day: date | None, duration_seconds: int | None) -> str | None:
    """How YouTube counted ``viewCount`` on ``day`` for a video of this length: from 2026-08-27
    one method for every format; from 2025-03-31 until then Shorts (up to 180 s) had it already;
    before, the legacy method. None when the pull day is unknown."""
    if day is None:
        return None
    if day >= ALL_FORMATS_METHOD_FROM:
        return METHOD_2026
    if day >= SHORTS_METHOD_FROM and duration_seconds is not None and 0 < duration_seconds <= SHORTS_MAX_SECONDS:
        return METHOD_SHORTS_2025
    return METHOD_LEGACY


def _pull_day(responses: list[RawResponse]) -> date | None:
    """The UTC day the channel was read (the pull day of these observations)."""
    for response in responses:
        if response.endpoint == EP_CHANNELS and response.fetched_at is not None:
            return response.fetched_at.date()
    return None


# -- parse helpers --------------------------------------------------------------------------
def parse_duration(value: Any) -> int | None:
    """Seconds from an ISO-8601 duration such as ``PT1H2M5S``; None when absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ParseError(f"videos.list: duration is not a string: {type(value).__name__}")
    match = _DURATION.match(value.strip())
    if not match or value.strip() in ("P", "PT"):
        raise ParseError(f"videos.list: not an ISO-8601 duration: {value[:40]!r}")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    seconds = parts["w"] * 604800 + parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]
    return int(round(seconds))


def _percent(container: dict[str, Any], key: str, where: str) -> float | None:
    value = container.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ParseError(f"{where}: {key} is not a non-negative number")
    return round(float(value), 2)


def _first_item(payload: Any, where: str) -> dict[str, Any]:
    items = objects(payload, "items", where, missing_ok=True)
    if not items:
        raise ParseError(f"{where}: 'items' is empty")
    return items[0]


def _thumbnail(snippet: dict[str, Any]) -> str | None:
    thumbs = snippet.get("thumbnails")
    if not isinstance(thumbs, dict):
        return None
    for size in ("maxres", "standard", "high", "medium", "default"):
        url = (thumbs.get(size) or {}).get("url") if isinstance(thumbs.get(size), dict) else None
        if isinstance(url, str):
            return url
    return None


def _add_comment(out: ParsedPull, seen: set[str], comment: Any, video_id: Any, parent_id: Any) -> None:
    where = "comment"
    cid = text(comment, "id", where)
    if cid in seen:
        return
    seen.add(cid)
    snip = field_obj(comment, "snippet", where)
    vid = snip.get("videoId") or video_id
    if not isinstance(vid, str):
        raise ParseError(f"{where} {cid}: videoId is missing")
    parent = snip.get("parentId") or parent_id
    if parent is not None and not isinstance(parent, str):
        raise ParseError(f"{where} {cid}: parentId is not a string")
    body = snip.get("textOriginal")
    if body is None:
        body = snip.get("textDisplay")
    if body is not None and not isinstance(body, str):
        raise ParseError(f"{where} {cid}: text is not a string")
    author_channel = snip.get("authorChannelId")
    author_id = author_channel.get("value") if isinstance(author_channel, dict) else None
    author = snip.get("authorDisplayName")
    if isinstance(author, str):
        author = author.lstrip("@")
    out.comments.append(
        CommentRecord(
            external_post_id=vid,
            external_comment_id=cid,
            parent_external_comment_id=parent,
            comment_text=body,
            author_username=author,
            author_external_id=author_id,
            likes_count=counter(snip, "likeCount", where),
            commented_at=parse_timestamp(snip.get("publishedAt")),
        ).as_dict()
    )


def _report_rows(payload: Any, where: str) -> list[dict[str, Any]]:
    """Analytics rows as dicts keyed by column name (columnHeaders give the order)."""
    headers = objects(payload, "columnHeaders", where)
    names = []
    for header in headers:
        if not isinstance(header.get("name"), str):
            raise ParseError(f"{where}: a column header has no name")
        names.append(header["name"])
    rows = payload.get("rows", [])  # absent when the report is empty
    if not isinstance(rows, list):
        raise ParseError(f"{where}: 'rows' is not a list")
    out = []
    for row in rows:
        if not isinstance(row, list) or len(row) != len(names):
            raise ParseError(f"{where}: a row does not match the column headers")
        out.append(dict(zip(names, row)))
    return out


def _daily(response: RawResponse, subscribers_now: int | None) -> tuple[dict[str, Any] | None, int | None]:
    """The requested day's row of the daily channel report, and the day's subscriber count: the
    count now less the net gains (gained - lost) of every later day the report holds. The count is
    rebuilt only when the later rows run without a gap to within REPORT_DELAY_DAYS of the report's
    end date."""
    params = response.request_params or {}
    try:
        first = date.fromisoformat(str(params.get("startDate")))
        last = date.fromisoformat(str(params.get("endDate")))
    except ValueError as exc:
        raise ParseError(f"{EP_REPORT_DAILY}: the stored request has no startDate/endDate") from exc
    by_day: dict[date, dict[str, Any]] = {}
    for row in _report_rows(response.payload, EP_REPORT_DAILY):
        try:
            by_day[date.fromisoformat(str(row.get("day")))] = row
        except ValueError as exc:
            raise ParseError(f"{EP_REPORT_DAILY}: a row's day is not a date: {str(row.get('day'))[:20]!r}") from exc
    row = by_day.get(first)
    daily = None
    if row is not None:
        daily = {ours: counter(row, theirs, EP_REPORT_DAILY) for theirs, ours in _DAILY_NAMES.items() if theirs in row}
        daily = {k: v for k, v in daily.items() if v is not None} or None
    if subscribers_now is None:
        return daily, None
    later = sorted(d for d in by_day if d > first)
    expected = [first + timedelta(days=n) for n in range(1, len(later) + 1)]
    if later != expected or (later[-1] if later else first) < last - timedelta(days=REPORT_DELAY_DAYS):
        return daily, None
    net = 0
    for d in later:
        gained = counter(by_day[d], "subscribersGained", EP_REPORT_DAILY)
        lost = counter(by_day[d], "subscribersLost", EP_REPORT_DAILY)
        if gained is None or lost is None:
            return daily, None
        net += gained - lost
    return daily, max(subscribers_now - net, 0)


def _demographics(payload: Any) -> dict[str, Any] | None:
    rows = _report_rows(payload, EP_REPORT_DEMOGRAPHICS)
    if not rows:
        return None
    ages = {bucket: 0.0 for bucket in ("age_13_17", "age_18_24", "age_25_34", "age_35_44", "age_45_plus")}
    genders = {"male": 0.0, "female": 0.0}
    for row in rows:
        share = row.get("viewerPercentage")
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 100:
            raise ParseError("reports.query: viewerPercentage is not a percentage")
        age, gender = row.get("ageGroup"), row.get("gender")
        if age is not None:
            if not isinstance(age, str) or age not in AGE_BUCKETS:
                raise ParseError(f"reports.query: unknown ageGroup {str(age)[:20]!r}")
            ages[AGE_BUCKETS[age]] += float(share)
        if isinstance(gender, str) and gender in genders:
            genders[gender] += float(share)  # "user_specified" has no column of its own
    if any(v > 100.5 for v in (*ages.values(), *genders.values())):
        raise ParseError("reports.query: viewer percentages add up to more than 100")
    result: dict[str, Any] = {k: round(v, 2) for k, v in ages.items()}
    result["gender_male"] = round(genders["male"], 2)
    result["gender_female"] = round(genders["female"], 2)
    # The demographics report does not give these (geography would need a views report).
    result.update({"top_countries": None, "top_cities": None, "top_languages": None, "peak_hours": None, "peak_days": None})
    return result
