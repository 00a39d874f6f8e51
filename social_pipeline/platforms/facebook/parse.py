"""Facebook Page responses -> records.

Parse-specific facts (references in ``SPEC.docs``):

- Timestamps look like ``2024-11-20T15:00:00+0000`` (offset without a colon).
- Post ids are ``{page_id}_{post_object_id}``. Comment (and reply) ids are
  ``{post_object_id}_{comment_object_id}``: the prefix is how a stored comment page is tied back to
  its post, since the comments edge does not repeat the post id.
- ``shares`` is *omitted* (not 0) on a post nobody has shared, so a missing ``shares`` on a post
  fetched with that field means 0 shares.
- Post insights (current set, Pages API changelog 2025-11-15): ``post_media_view`` ->
  impressions, ``post_total_media_view_unique`` -> reach (the retired ``post_impressions`` /
  ``post_impressions_unique`` are still read from payloads stored before the change).
  ``post_video_views`` -> views (video posts only), ``post_video_view_time`` is the total watch
  time in **milliseconds**. No saves, completion rate or video duration.
- thumbnail_url: ``attachments{media}``'s ``media.image.src`` (StoryAttachmentMedia ``image``, an
  ImageSource) of the first attachment that has one: the photo, or the still Facebook shows for a
  video (``media.source`` is the video file, kept as media_url). None without such an attachment.
- Reels: numbers from ``/{video-id}/video_insights`` (the video id is the post's
  ``attachments.data[0].target.id``): ``blue_reels_play_count`` -> views,
  ``post_impressions_unique`` -> reach, ``post_video_view_time`` (ms) -> watch time; no
  impressions.
- Page demographics: ``page_follows_country`` / ``page_follows_city`` (``page_fans_*`` in older
  stored payloads) come as ``{key: count}`` and become percent shares of the followers the
  breakdown covers. Age and gender are no longer served for Pages: None.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Iterator

from ..base import ParsedPull, ParseError, RawResponse, count, ok_payloads, parse_timestamp
from ..payload import field_list, obj, opt_text, text
from ..records import AccountRecord, CommentRecord, PostRecord

ME = "me"
PAGE = "page"
PAGE_POSTS = "page/posts"
POST = "post"  # GET /{post-id}: refresh by id
POST_INSIGHTS = "post/insights"
VIDEO_INSIGHTS = "video/video_insights"
POST_COMMENTS = "post/comments"
PAGE_INSIGHTS = "page/insights"
PAGE_DAILY = "page/insights/day"  # the pull day's series (period=day)
PAGE_GAINS = "page/insights/gains"  # follows/unfollows of the days after it
# Graph's daily Page metric -> records.DAILY_METRICS name.
DAILY_MAP = {
    "page_media_view": "views",
    "page_total_media_view_unique": "reach",
    "page_post_engagements": "engagements",
    "page_daily_follows_unique": "follows",
    "page_daily_unfollows_unique": "unfollows",
}
TOP_N = 10

IMPRESSIONS = ("post_media_view", "post_impressions")
REACH = ("post_total_media_view_unique", "post_impressions_unique")
COUNTRY = ("page_follows_country", "page_fans_country")
CITY = ("page_follows_city", "page_fans_city")


def parse(responses: Iterable[RawResponse]) -> ParsedPull:
    responses = list(responses)
    out = ParsedPull()

    pages = ok_payloads(responses, PAGE)
    if not pages:
        raise ParseError("facebook: no successful Page response")
    page = obj(pages[-1], "facebook page")
    page_id = text(page, "id", "facebook page", ids=True)
    followers = count(page.get("followers_count"))
    if followers is None:
        followers = count(page.get("fan_count"))
    link = page.get("link")
    out.account = AccountRecord(
        external_user_id=page_id,
        display_name=page.get("name") if isinstance(page.get("name"), str) else None,
        profile_url=link if isinstance(link, str) else None,
        followers_count=followers,
        # posts_count: the Graph API gives no post total for a Page
    ).as_dict()

    insights = _insights(ok_payloads(responses, POST_INSIGHTS), "insights")
    video_insights = _insights(ok_payloads(responses, VIDEO_INSIGHTS), "video_insights")
    by_object_id: dict[str, str] = {}
    # Listed posts, then posts refreshed by id; a post fetched twice keeps its newest data.
    latest: dict[str, dict[str, Any]] = {}
    for r in responses:
        if not r.ok or r.endpoint not in (PAGE_POSTS, POST):
            continue
        items = field_list(r.payload, "data", "facebook posts page") if r.endpoint == PAGE_POSTS else [r.payload]
        for raw in items:
            post = obj(raw, "facebook post")
            latest[text(post, "id", "facebook post", ids=True)] = post
    for post_id, post in latest.items():
        by_object_id[post_id.split("_", 1)[-1]] = post_id
        video = video_id(post)
        out.posts.append(parse_post(post, post_id, insights.get(post_id, {}), video_insights.get(video or "", {})))

    seen_comments: set[str] = set()
    for payload in ok_payloads(responses, POST_COMMENTS):
        for raw in field_list(payload, "data", "facebook comments page"):
            comment = obj(raw, "facebook comment")
            comment_id = text(comment, "id", "facebook comment", ids=True)
            if comment_id in seen_comments:
                continue
            seen_comments.add(comment_id)
            prefix = comment_id.split("_", 1)[0]
            post_id = by_object_id.get(prefix)
            if post_id is None:
                raise ParseError(f"facebook: comment {comment_id} belongs to no pulled post")
            out.comments.append(parse_comment(comment, comment_id, post_id))

    page_insights = ok_payloads(responses, PAGE_INSIGHTS)
    if page_insights:
        out.demographics = demographics(page_insights)
    daily, on_day = daily_series(responses, followers)
    out.account["daily_insights"] = daily
    out.account["followers_on_day"] = on_day
    return out


def _day_of(end_time: Any) -> date | None:
    """The day a period=day value covers: Graph stamps it with the *next* day's end_time (08:00
    Pacific as UTC), so the covered day is end_time's date minus one."""
    if not isinstance(end_time, str):
        return None
    moment = parse_timestamp(end_time)
    return None if moment is None else moment.date() - timedelta(days=1)


def _by_day(payloads: list[Any]) -> dict[date, dict[str, int]]:
    out: dict[date, dict[str, int]] = {}
    for payload in payloads:
        for entry in field_list(payload, "data", "facebook page insights"):
            entry = obj(entry, "facebook page insight")
            name = entry.get("name")
            if entry.get("period") not in (None, "day") or not isinstance(name, str):
                continue
            for v in entry.get("values") or []:
                if not isinstance(v, dict):
                    continue
                day, value = _day_of(v.get("end_time")), count(v.get("value"))
                if day is not None and value is not None:
                    out.setdefault(day, {})[name] = value
    return out


def _since_day(r: RawResponse) -> date | None:
    try:
        return datetime.fromtimestamp(int(r.request_params["since"]), tz=timezone.utc).date()
    except (KeyError, TypeError, ValueError):
        return None


def daily_series(responses: list[RawResponse], followers: int | None) -> tuple[dict[str, int] | None, int | None]:
    """(daily_insights, followers_on_day) of the pull day. Facebook's follows and unfollows are
    separate daily counts (follows - unfollows = the net gain), so followers at the end of the day
    are followers now minus the net gains of every full day after it; a missing day gives None."""
    asked = [r for r in responses if r.endpoint == PAGE_DAILY]
    day = next((d for d in (_since_day(r) for r in asked) if d is not None), None)
    if day is None:
        return None, None
    series = _by_day([r.payload for r in asked if r.ok]).get(day, {})
    daily = {DAILY_MAP[k]: v for k, v in series.items() if k in DAILY_MAP} or None
    if daily and "follows" in daily and "unfollows" in daily:
        daily["net_follows"] = daily["follows"] - daily["unfollows"]
    if followers is None:
        return daily, None
    pulled_on = max(r.fetched_at for r in asked).astimezone(timezone.utc).date()
    first, last = day + timedelta(days=1), pulled_on - timedelta(days=1)
    if first > last:
        return daily, followers  # nothing after the day is over yet: the count is the day's
    gains = [r for r in responses if r.endpoint == PAGE_GAINS]
    if not gains or not all(r.ok for r in gains):
        return daily, None
    by_day = _by_day([r.payload for r in gains])
    net = 0
    for i in range((last - first).days + 1):
        one = by_day.get(first + timedelta(days=i), {})
        if "page_daily_follows_unique" not in one or "page_daily_unfollows_unique" not in one:
            return daily, None
        net += one["page_daily_follows_unique"] - one["page_daily_unfollows_unique"]
    return daily, followers - net


def _first_attachment(post: dict[str, Any]) -> dict[str, Any] | None:
    attachments = post.get("attachments")
    if isinstance(attachments, dict) and isinstance(attachments.get("data"), list) and attachments["data"]:
        first = attachments["data"][0]
        return first if isinstance(first, dict) else None
    return None


def media_type(post: dict[str, Any]) -> str:
    first = _first_attachment(post) or {}
    kind = str(first.get("media_type") or "").lower()
    sub = str(first.get("type") or "").lower()
    status = str(post.get("status_type") or "").lower()
    if kind == "video" or sub.startswith("video") or status == "added_video":
        return "video"
    if kind == "album" or sub in ("album", "multi_share"):
        return "carousel"
    if kind == "photo" or sub == "photo" or status == "added_photos":
        return "image"
    return "text"


def is_video(post: dict[str, Any]) -> bool:
    return media_type(post) == "video"


def is_reel(post: dict[str, Any]) -> bool:
    """A Reel: a video whose permalink (or attachment link) is a ``/reel/`` URL."""
    if not is_video(post):
        return False
    first = _first_attachment(post) or {}
    target = first.get("target") if isinstance(first.get("target"), dict) else {}
    links = (post.get("permalink_url"), first.get("url"), target.get("url"))
    return any(isinstance(link, str) and "/reel/" in link for link in links)


def video_id(post: dict[str, Any]) -> str | None:
    """The video object's id of a video post (``attachments.data[0].target.id``)."""
    if not is_video(post):
        return None
    first = _first_attachment(post) or {}
    target = first.get("target")
    value = target.get("id") if isinstance(target, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and value else None


def _attachment_media(post: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The ``media`` (StoryAttachmentMedia) of each of the post's attachments, in order."""
    attachments = post.get("attachments")
    if not isinstance(attachments, dict) or not isinstance(attachments.get("data"), list):
        return
    for item in attachments["data"]:
        media = item.get("media") if isinstance(item, dict) else None
        if isinstance(media, dict):
            yield media


def _image_src(media: dict[str, Any]) -> str | None:
    image = media.get("image")
    src = image.get("src") if isinstance(image, dict) else None
    return src if isinstance(src, str) else None


def _media_url(post: dict[str, Any]) -> str | None:
    for media in _attachment_media(post):
        if isinstance(media.get("source"), str):
            return media["source"]
        src = _image_src(media)
        if src is not None:
            return src
    return None


def _thumbnail_url(post: dict[str, Any]) -> str | None:
    """The picture Facebook shows for the post: ``media.image.src`` of the first attachment that
    has one (the photo itself, or a video's still). None for a post without such an attachment."""
    for media in _attachment_media(post):
        src = _image_src(media)
        if src:
            return src
    return None


def _summary_total(post: dict[str, Any], edge: str) -> int | None:
    value = post.get(edge)
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("summary"), dict):
        raise ParseError(f"facebook: post {post.get('id')} has a malformed {edge} summary")
    return count(value["summary"].get("total_count"))


def _first_of(metrics: dict[str, int | None], names: tuple[str, ...]) -> int | None:
    for name in names:
        if metrics.get(name) is not None:
            return metrics[name]
    return None


def parse_post(
    post: dict[str, Any], post_id: str, metrics: dict[str, int | None], reel_metrics: dict[str, int | None] | None = None
) -> dict[str, Any]:
    posted_at = parse_timestamp(post.get("created_time"))
    if posted_at is None:
        raise ParseError(f"facebook: post {post_id} has no created_time")
    shares = post.get("shares")
    if shares is None:
        shares_count = 0  # Graph omits `shares` on posts nobody shared
    elif isinstance(shares, dict):
        shares_count = count(shares.get("count"))
    else:
        raise ParseError(f"facebook: post {post_id} has a malformed shares field")
    message = post.get("message")
    if message is not None and not isinstance(message, str):
        raise ParseError(f"facebook: post {post_id} message is not text")
    kind = media_type(post)
    reel = is_reel(post)
    if reel:
        m = reel_metrics or {}
        views, view_time_ms = m.get("blue_reels_play_count"), m.get("post_video_view_time")
        impressions, reach = None, m.get("post_impressions_unique")
    else:
        views = metrics.get("post_video_views") if kind == "video" else None
        view_time_ms = metrics.get("post_video_view_time") if kind == "video" else None
        impressions, reach = _first_of(metrics, IMPRESSIONS), _first_of(metrics, REACH)
    return PostRecord(
        external_post_id=post_id,
        post_url=opt_text(post, "permalink_url", f"facebook post {post_id}") or f"https://www.facebook.com/{post_id}",
        caption=message,
        media_type=kind,
        media_url=_media_url(post),
        thumbnail_url=_thumbnail_url(post),
        posted_at=posted_at,
        likes_count=_summary_total(post, "reactions"),
        comments_count=_summary_total(post, "comments"),
        views_count=views,
        shares_count=shares_count,
        watch_time_seconds=round(view_time_ms / 1000) if view_time_ms is not None else None,
        impressions=impressions,
        reach=reach,
    ).as_dict()


def _insights(payloads: list[Any], edge: str) -> dict[str, dict[str, int | None]]:
    """object id -> {metric name: lifetime value}. Each insight row's id is
    ``{object-id}/{edge}/{metric}/{period}``."""
    result: dict[str, dict[str, int | None]] = {}
    for payload in payloads:
        for raw in field_list(payload, "data", f"facebook {edge}"):
            row = obj(raw, f"facebook {edge} row")
            name = text(row, "name", f"facebook {edge} row")
            row_id = text(row, "id", f"facebook {edge} row")
            object_id = row_id.split(f"/{edge}", 1)[0]
            values = field_list(row, "values", f"facebook {edge} row")
            value = None
            if values:
                value = count(obj(values[-1], f"facebook {edge} value").get("value"))
            result.setdefault(object_id, {})[name] = value
    return result


def parse_comment(comment: dict[str, Any], comment_id: str, post_id: str) -> dict[str, Any]:
    author = comment.get("from")
    if author is not None and not isinstance(author, dict):
        raise ParseError(f"facebook: comment {comment_id} has a malformed from field")
    parent = comment.get("parent")
    if parent is not None and not (isinstance(parent, dict) and isinstance(parent.get("id"), str)):
        raise ParseError(f"facebook: comment {comment_id} has a malformed parent field")
    message = comment.get("message")
    if message is not None and not isinstance(message, str):
        raise ParseError(f"facebook: comment {comment_id} message is not text")
    return CommentRecord(
        external_post_id=post_id,
        external_comment_id=comment_id,
        parent_external_comment_id=parent["id"] if parent else None,
        comment_text=message,
        # `from` is withheld for people who have not authorised the app; name is all Graph gives.
        author_username=opt_text(author, "name", f"facebook comment {comment_id} from") if author else None,
        author_external_id=str(author["id"]) if author and author.get("id") is not None else None,
        likes_count=count(comment.get("like_count")),
        commented_at=parse_timestamp(comment.get("created_time")),
    ).as_dict()


def _top_shares(counts: dict[str, int], total: int) -> dict[str, float]:
    """The TOP_N largest counts as percent of ``total``, 2 decimals."""
    top = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)[:TOP_N]
    return {k: round(v / total * 100, 2) for k, v in top}


def demographics(payloads: list[Any]) -> dict[str, Any] | None:
    """Country and city shares of the Page's followers. Graph lists only the top cities, so a
    city's share is of all followers (the country breakdown's total), never of the listed cities:
    a city is never larger than its country."""
    by_metric: dict[str, dict[str, int]] = {}
    for payload in payloads:
        for raw in field_list(payload, "data", "facebook page insights"):
            row = obj(raw, "facebook page insight")
            name = text(row, "name", "facebook page insight")
            values = field_list(row, "values", "facebook page insight")
            if not values:
                continue
            latest = obj(values[-1], "facebook page insight value").get("value")
            if latest is None:
                continue
            if not isinstance(latest, dict):
                raise ParseError(f"facebook: {name} value is not a {{key: count}} object")
            counts = {str(k): count(v) or 0 for k, v in latest.items()}
            if sum(counts.values()) > 0:
                by_metric[name] = counts
    country_counts = next((by_metric[n] for n in COUNTRY if n in by_metric), None)
    city_counts = next((by_metric[n] for n in CITY if n in by_metric), None)
    everyone = sum(country_counts.values()) if country_counts else 0
    countries = _top_shares(country_counts, everyone) if country_counts else None
    cities = _top_shares(city_counts, max(everyone, sum(city_counts.values()))) if city_counts else None
    if countries is None and cities is None:
        return None
    return {
        # Meta no longer serves Page followers' age/gender: unknown, not zero.
        "age_13_17": None,
        "age_18_24": None,
        "age_25_34": None,
        "age_35_44": None,
        "age_45_plus": None,
        "gender_male": None,
        "gender_female": None,
        "top_countries": countries,
        "top_cities": cities,
        "top_languages": None,
        "peak_hours": None,
        "peak_days": None,
    }
