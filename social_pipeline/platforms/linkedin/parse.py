"""LinkedIn Community Management API answers -> records.

What the parser relies on (Microsoft Learn reference pages, see ``SPEC.docs``):

- ``organizations/{id}``: ``id``, ``localizedName``, ``vanityName``; ``networkSizes``:
  ``firstDegreeSize`` (the follower count).
- ``posts``: ``elements`` of Post (``id`` a share/ugcPost URN, ``commentary`` in little text,
  ``publishedAt``/``createdAt`` epoch ms, ``content.media`` {``id`` URN, ``title``}). Hashtags are
  the ``{hashtag|#|tag}`` templates of the commentary (the sign may be escaped ``\\#``).
- ``organizationalEntityShareStatistics``: ``totalShareStatistics`` per ``share``/``ugcPost``;
  a statistic LinkedIn leaves out is None, not 0.
- ``socialActions/{urn}/comments``: Comment (``commentUrn`` ``urn:li:comment:(thread,id)``,
  ``object`` -- often the post's activity URN --, ``parentComment``, ``message.text``,
  ``created.time``, ``likesSummary``). A comment is placed on the post whose comments were asked
  (recorded by the client as ``COMMENT_TARGET`` beside the request's params).
- ``organizationalEntityFollowerStatistics``: ``followerCountsByGeoCountry``; for demographic
  facets ``organicFollowerCount`` already includes paid followers.
- ``geo?ids=List(...)`` (Geo API, BATCH_GET): ``results`` maps each geo id to an entity whose
  ``defaultLocalizedName.value`` is its display name; ids it could not resolve are under
  ``errors``. A country geo id in :data:`GEO_COUNTRIES` becomes its ISO code without a call; one
  outside it becomes the name the Geo API gives, and stays its ``urn:li:geo:{id}`` when the Geo API
  failed or did not know it (never dropped).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Iterable

from ..base import ParsedPull, ParseError, RawResponse, count, ok_payloads
from ..payload import field_list, obj
from ..records import AccountRecord, CommentRecord, PostRecord

ORG_LOOKUP = "organizations.vanityName"
ORGANIZATION = "organizations"
NETWORK_SIZES = "networkSizes"
POSTS = "posts"
POST = "posts/{urn}"  # refresh by id
SHARE_STATS = "organizationalEntityShareStatistics"
COMMENTS = "socialActions/comments"
FOLLOWER_STATS = "organizationalEntityFollowerStatistics"
GEO = "geo"  # BATCH_GET geo?ids=List(...): geo id -> display name

# Recorded beside a comments request's params: the URN in its path (socialActions/{urn}/comments).
COMMENT_TARGET = "socialActions_target"
# LinkedIn geo ids of countries (urn:li:geo:{id}) -> ISO 3166 code.
GEO_COUNTRIES = {
    "103644278": "US",
    "101165590": "GB",
    "101174742": "CA",
    "101282230": "DE",
    "106057199": "BR",
    "102713980": "IN",
    "101355337": "JP",
    "105015875": "FR",
    "103323778": "MX",
    "101452733": "AU",
    "105646813": "ES",
    "103350119": "IT",
    "102890719": "NL",
    "105072130": "PL",
    "105117694": "SE",
    "100446943": "AR",
    "105149562": "KR",
    "102478259": "ID",
    "103121230": "PH",
    "102105699": "TR",
    "104305776": "AE",
    "100459316": "SA",
    "104035573": "ZA",
}
TOP_N = 10
_COMMENT_URN = re.compile(r"^urn:li:comment:\((.+),([^,()]+)\)$")


def parse(responses: Iterable[RawResponse]) -> ParsedPull:
    responses = list(responses)
    out = ParsedPull()

    orgs = ok_payloads(responses, ORGANIZATION)
    if orgs:
        org = obj(orgs[-1], "organization")
    else:
        lookups = ok_payloads(responses, ORG_LOOKUP)
        elements = field_list(obj(lookups[-1], "organization lookup"), "elements", "lookup") if lookups else []
        if not elements:
            raise ParseError("linkedin: no successful organization response")
        org = obj(elements[0], "organization")
    org_id = org.get("id")
    if isinstance(org_id, bool) or not isinstance(org_id, (int, str)) or str(org_id) == "":
        raise ParseError("linkedin: organization has no id")
    org_urn = f"urn:li:organization:{org_id}"
    vanity = org.get("vanityName") if isinstance(org.get("vanityName"), str) else None

    followers = None
    sizes = ok_payloads(responses, NETWORK_SIZES)
    if sizes:
        followers = count(obj(sizes[-1], "network size").get("firstDegreeSize"))
    out.account = AccountRecord(
        external_user_id=str(org_id),
        display_name=org.get("localizedName") if isinstance(org.get("localizedName"), str) else vanity,
        profile_url=f"https://www.linkedin.com/company/{vanity}/" if vanity else None,
        followers_count=followers,
    ).as_dict()

    stats: dict[str, dict[str, Any]] = {}
    for payload in ok_payloads(responses, SHARE_STATS):
        for raw in field_list(obj(payload, "share statistics"), "elements", "share statistics"):
            row = obj(raw, "share statistics element")
            urn = row.get("share") or row.get("ugcPost")
            if not isinstance(urn, str):
                raise ParseError("linkedin: share statistics element names no share/ugcPost")
            stats[urn] = obj(row.get("totalShareStatistics"), "totalShareStatistics")

    # Listed posts, then posts refreshed by id; a post fetched twice keeps its newest data.
    latest: dict[str, dict[str, Any]] = {}
    for r in responses:
        if not r.ok or r.endpoint not in (POSTS, POST):
            continue
        items = field_list(obj(r.payload, "posts page"), "elements", "posts page") if r.endpoint == POSTS else [r.payload]
        for raw in items:
            post = obj(raw, "post")
            urn = post.get("id")
            if not isinstance(urn, str) or not urn.startswith("urn:li:"):
                raise ParseError("linkedin: post has no urn id")
            latest[urn] = post
    seen = set(latest)
    for urn, post in latest.items():
        out.posts.append(_parse_post(post, urn, stats.get(urn)))

    seen_comments: set[str] = set()
    post_of: dict[str, str] = {}  # comment URN -> the pulled post it belongs to
    for r in responses:
        if not r.ok or r.endpoint != COMMENTS:
            continue
        target = r.request_params.get(COMMENT_TARGET) if isinstance(r.request_params, dict) else None
        asked_post = post_of.get(target) if isinstance(target, str) and target.startswith("urn:li:comment:") else target
        for raw in field_list(obj(r.payload, "comments page"), "elements", "comments page"):
            comment = obj(raw, "comment")
            row = _parse_comment(comment, org_urn, vanity)
            if row["external_post_id"] not in seen and asked_post in seen:
                row["external_post_id"] = asked_post  # ``object`` named the post's activity
            urn = comment.get("commentUrn") or comment.get("$URN")
            if isinstance(urn, str):
                post_of[urn] = row["external_post_id"]
            if row["external_comment_id"] in seen_comments:
                continue
            seen_comments.add(row["external_comment_id"])
            if row["external_post_id"] not in seen:
                raise ParseError(f"linkedin: comment {row['external_comment_id']} is on no pulled post")
            out.comments.append(row)

    follower_stats = ok_payloads(responses, FOLLOWER_STATS)
    if follower_stats:
        names: dict[str, str] = {}
        for payload in ok_payloads(responses, GEO):
            names.update(geo_names(payload))
        out.demographics = _demographics(follower_stats[-1], names)
    return out


def geo_ids(payload: Any) -> list[str]:
    """The ids of the ``urn:li:geo:{id}`` countries in a follower-statistics answer that
    :data:`GEO_COUNTRIES` does not map (the ones to ask the Geo API about), in order, once each."""
    if not isinstance(payload, dict) or not isinstance(payload.get("elements"), list) or not payload["elements"]:
        return []
    element = payload["elements"][0]
    rows = element.get("followerCountsByGeoCountry") if isinstance(element, dict) else None
    found: list[str] = []
    for row in rows if isinstance(rows, list) else []:
        geo = row.get("geo") if isinstance(row, dict) else None
        if isinstance(geo, str) and geo.startswith("urn:li:geo:"):
            geo_id = geo.rsplit(":", 1)[-1]
            if geo_id.isdigit() and geo_id not in GEO_COUNTRIES:
                found.append(geo_id)
    return list(dict.fromkeys(found))


def geo_names(payload: Any) -> dict[str, str]:
    """Geo id -> display name from a Geo API BATCH_GET answer (``results``) or a single GET
    (the entity itself); entities without a name are left out."""
    body = obj(payload, "geo answer")
    results = body.get("results")
    if results is None and "id" in body:
        results = {str(body.get("id")): body}
    if results is None:
        return {}
    results = obj(results, "geo results")
    names: dict[str, str] = {}
    for key, raw in results.items():
        entity = obj(raw, "geo entity")
        label = entity.get("defaultLocalizedName")
        value = label.get("value") if isinstance(label, dict) else None
        if isinstance(value, str) and value.strip():
            names[str(entity.get("id", key))] = value.strip()
    return names


# -- parse helpers ---------------------------------------------------------------------------
def _ms(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ParseError(f"linkedin: {what} is not an epoch-millisecond timestamp")
    try:
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ParseError(f"linkedin: {what} {value!r} is out of range") from None


def _media_type(post: dict[str, Any]) -> str:
    content = post.get("content")
    if content is None:
        return "text"
    content = obj(content, "post content")
    if "multiImage" in content or "carousel" in content:
        return "carousel"
    media = content.get("media")
    if isinstance(media, dict):
        media_id = str(media.get("id") or "")
        if media_id.startswith("urn:li:video:"):
            return "video"
        if media_id.startswith("urn:li:document:"):
            return "carousel"  # a document post pages through slides
        return "image"
    return "text"  # article / poll / reshare without own media


# little text (LinkedIn's commentary markup): a hashtag is ``{hashtag|\#|tag}``, the ``#``
# escaped with a backslash (https://learn.microsoft.com/linkedin/marketing/community-management/shares/little-text-format;
# the page's own example writes the sign unescaped, ``{hashtag|#|Technology}``: both are read).
_HASHTAG_MARKUP = re.compile(r"\{hashtag\|\\?[#\uff03]\|([^{}|]+)\}")


def hashtags(commentary: str | None) -> list[str] | None:
    """The hashtags of a post as LinkedIn marks them up in ``commentary`` (without '#', in order,
    once each); None without commentary (nothing to read), [] when it carries no hashtag markup."""
    if commentary is None:
        return None
    return list(dict.fromkeys(m.group(1).strip() for m in _HASHTAG_MARKUP.finditer(commentary) if m.group(1).strip()))


def _parse_post(post: dict[str, Any], urn: str, stats: dict[str, Any] | None) -> dict[str, Any]:
    posted_at = _ms(post.get("publishedAt"), "publishedAt") or _ms(post.get("createdAt"), "createdAt")
    if posted_at is None:
        raise ParseError(f"linkedin: post {urn} has no publishedAt/createdAt")
    text = post.get("commentary")
    if text is not None and not isinstance(text, str):
        raise ParseError(f"linkedin: post {urn} commentary is not text")
    content = post.get("content") if isinstance(post.get("content"), dict) else {}
    media = content.get("media") if isinstance(content.get("media"), dict) else {}
    s = stats or {}
    return PostRecord(
        external_post_id=urn,
        post_url=f"https://www.linkedin.com/feed/update/{urn}/",
        caption=text,
        hashtags=hashtags(text),
        title=media.get("title") if isinstance(media.get("title"), str) else None,
        media_type=_media_type(post),
        # media_url: media are URNs; download URLs need the Images/Videos APIs.
        posted_at=posted_at,
        likes_count=count(s.get("likeCount")),
        comments_count=count(s.get("commentCount")),
        # views_count: LinkedIn reports impressions, not views.
        shares_count=count(s.get("shareCount")),
        impressions=count(s.get("impressionCount")),
        reach=count(s.get("uniqueImpressionsCount")),
    ).as_dict()


def _comment_parts(urn: str, what: str) -> tuple[str, str]:
    """(thread urn, comment id) of ``urn:li:comment:({thread urn},{id})``."""
    match = _COMMENT_URN.match(urn)
    if not match:
        raise ParseError(f"linkedin: {what} {urn[:80]!r} is not a comment URN")
    return match.group(1), match.group(2)


def _parse_comment(comment: dict[str, Any], org_urn: str, vanity: str | None) -> dict[str, Any]:
    urn = comment.get("commentUrn") or comment.get("$URN")
    if not isinstance(urn, str):
        raise ParseError("linkedin: comment has no commentUrn")
    _, comment_id = _comment_parts(urn, "commentUrn")
    target = comment.get("object")
    if not isinstance(target, str):
        raise ParseError(f"linkedin: comment {comment_id} has no object (post) urn")
    parent = comment.get("parentComment")
    if parent is not None and not isinstance(parent, str):
        raise ParseError(f"linkedin: comment {comment_id} parentComment is not a URN")
    parent_id = _comment_parts(parent, "parentComment")[1] if parent is not None else None
    message = comment.get("message")
    if message is not None:
        message = obj(message, "comment message").get("text")
        if message is not None and not isinstance(message, str):
            raise ParseError(f"linkedin: comment {comment_id} text is not text")
    actor = comment.get("actor")
    if actor is not None and not isinstance(actor, str):
        raise ParseError(f"linkedin: comment {comment_id} actor is not a URN")
    created = comment.get("created")
    created = obj(created, "comment created") if created is not None else {}
    likes = comment.get("likesSummary")
    likes = obj(likes, "likesSummary") if likes is not None else {}
    return CommentRecord(
        external_post_id=target,
        external_comment_id=comment_id,
        parent_external_comment_id=parent_id,
        comment_text=message,
        author_username=vanity if actor == org_urn else None,
        author_external_id=actor,
        likes_count=count(likes.get("totalLikes")),
        commented_at=_ms(created.get("time"), "comment created.time"),
    ).as_dict()


def _demographics(payload: Any, names: dict[str, str] | None = None) -> dict[str, Any] | None:
    elements = field_list(obj(payload, "follower statistics"), "elements", "follower statistics")
    if not elements:
        return None
    stats = obj(elements[0], "follower statistics element")
    rows = stats.get("followerCountsByGeoCountry")
    if rows is None:
        return None
    if not isinstance(rows, list):
        raise ParseError("linkedin: followerCountsByGeoCountry is not a list")
    counts: dict[str, int] = {}
    for raw in rows:
        row = obj(raw, "geo country count")
        geo = row.get("geo")
        if not isinstance(geo, str):
            raise ParseError("linkedin: geo country count has no geo urn")
        fc = obj(row.get("followerCounts"), "followerCounts")
        # LinkedIn rolls organic and paid followers up into organicFollowerCount for demographic
        # facets and says not to read paidFollowerCount there (follower-statistics page).
        n = count(fc.get("organicFollowerCount")) or 0
        key = geo
        if geo.startswith("urn:li:geo:"):
            geo_id = geo.rsplit(":", 1)[-1]
            # ISO code from the table, else the Geo API's name, else the URN itself.
            key = GEO_COUNTRIES.get(geo_id) or (names or {}).get(geo_id) or geo
        counts[key] = counts.get(key, 0) + n
    total = sum(counts.values())
    top = None
    if total > 0:
        ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)[:TOP_N]
        top = {k: round(v / total * 100, 2) for k, v in ranked}
    return {
        "age_13_17": None,  # LinkedIn reports no age or gender
        "age_18_24": None,
        "age_25_34": None,
        "age_35_44": None,
        "age_45_plus": None,
        "gender_male": None,
        "gender_female": None,
        "top_countries": top,
        "top_cities": None,
        "top_languages": None,
        "peak_hours": None,
        "peak_days": None,
    }
