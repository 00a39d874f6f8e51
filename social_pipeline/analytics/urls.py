"""Recognize the public URL of a post on one of the nine platforms. Pure: no I/O, no redirects.

:func:`parse_post_url` returns a :class:`PostRef` (platform, author handle when the URL names one,
the post's id as the URL carries it, and a canonical URL rebuilt from those parts), or ``None`` when
the text is not the URL of a single post (profiles, playlists, search pages, other sites, garbage).

Accepted everywhere: a missing scheme (``tiktok.com/@a/video/1``), ``http``, upper-case hosts,
``www.`` and the platforms' mobile hosts (``m.``, ``mobile.``, ``mbasic.``, ...), trailing slashes,
fragments and any tracking parameters (``utm_*``, ``igshid``, ``si``, ``feature``, ``s=20``, ...).
The canonical URL keeps only the parameters that identify the post (``v`` on YouTube and Facebook
watch pages, ``story_fbid``/``id`` on Facebook permalinks), so tracking never reaches it.

What ``external_id`` is, per platform, and how it relates to ``social_posts_analytics``:

==========  ==================================  ============================================
platform    external_id                         vs. the API's ``external_post_id``
==========  ==================================  ============================================
tiktok      numeric video/photo id              equal
youtube     11-character video id               equal
twitter     numeric status id                   equal
pinterest   pin id                              equal
linkedin    the URN, e.g. ``urn:li:share:7``    equal for share/ugcPost URNs; ``activity``
                                                URNs (what browsers show) are different ids
                                                LinkedIn only resolves through its API
facebook    the object id (``123`` of           the Graph post id is ``{page id}_{object
            ``/posts/123``; may be ``pfbid...``) id``: match on the part after ``_``, or on
                                                the post's permalink
bluesky     the record key (rkey)               the at-uri ``at://{did}/app.bsky.feed.post/
                                                {rkey}``: match on its last segment
instagram   the shortcode (``/p/{code}``)       NOT the Graph media id: match on the
                                                shortcode inside the post's ``permalink``
threads     the shortcode                       NOT the media id: match on the permalink
==========  ==================================  ============================================

Short links (``vm.tiktok.com/…``, ``vt.tiktok.com/…``, ``tiktok.com/t/…``, ``fb.watch/…``,
``facebook.com/share/…``, ``pin.it/…``, ``lnkd.in/…``) name a post, but only the platform's redirect
knows which one: they parse to a ``PostRef`` with the platform set and ``external_id`` ``None``
(:attr:`PostRef.is_short_link`), so callers can count them as unresolved instead of invalid.
Following the redirect is deliberately left to the caller (this module never does I/O).

Ids and shortcodes keep their case (Instagram and Threads shortcodes are case-sensitive); hosts and
path keywords (``/P/``, ``/Status/``) are matched case-insensitively; handles keep the case given.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["PostRef", "parse_post_url"]


@dataclass(frozen=True)
class PostRef:
    platform: str
    handle: str | None  # author as the URL names it (without '@'); a DID on Bluesky; None if absent
    external_id: str | None  # None only for short links, whose target needs the redirect
    canonical_url: str

    @property
    def is_short_link(self) -> bool:
        return self.external_id is None


# ---------------------------------------------------------------------------------------------
# Splitting a URL

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass(frozen=True)
class _Url:
    host: str  # lower-case, no port, no trailing dot, no "www."
    segments: tuple[str, ...]  # percent-decoded, empty ones dropped
    keys: tuple[str, ...]  # the same, lower-cased (for matching path keywords)
    query: dict[str, list[str]]
    fragment: str


def _split(url: str) -> _Url | None:
    if not isinstance(url, str):
        return None
    text = url.strip().strip("<>\"'")
    if not text or any(c.isspace() for c in text):
        return None
    if text.startswith("//"):
        text = "https:" + text
    elif not _SCHEME.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or "." not in host:
        return None
    host = host.removeprefix("www.")
    segments = tuple(unquote(s) for s in parts.path.split("/") if s)
    return _Url(
        host=host,
        segments=segments,
        keys=tuple(s.lower() for s in segments),
        query=parse_qs(parts.query, keep_blank_values=False),
        fragment=parts.fragment,
    )


def _param(u: _Url, name: str) -> str | None:
    values = u.query.get(name)
    return values[0].strip() if values and values[0].strip() else None


def _strip_subdomain(host: str, subdomains: tuple[str, ...]) -> str:
    for sub in subdomains:
        if host.startswith(sub + "."):
            return host[len(sub) + 1 :]
    return host


_DIGITS = re.compile(r"^\d{1,25}$")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # Instagram / Threads shortcodes
_HANDLE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def _handle(segment: str) -> str | None:
    """``@name`` -> ``name`` when it looks like a handle."""
    if not segment.startswith("@"):
        return None
    name = segment[1:]
    return name if _HANDLE.match(name) else None


# ---------------------------------------------------------------------------------------------
# TikTok

_TIKTOK_HOSTS = {"tiktok.com", "m.tiktok.com"}
_TIKTOK_SHORT_HOSTS = {"vm.tiktok.com", "vt.tiktok.com"}


def _tiktok(u: _Url) -> PostRef | None:
    if u.host in _TIKTOK_SHORT_HOSTS:
        if len(u.segments) >= 1 and _CODE.match(u.segments[0]):
            return PostRef("tiktok", None, None, f"https://{u.host}/{u.segments[0]}/")
        return None
    if u.host not in _TIKTOK_HOSTS:
        return None
    s, k = u.segments, u.keys
    # /@user/video/ID, /@user/photo/ID (photo-mode posts)
    if len(s) >= 3 and k[1] in ("video", "photo") and _DIGITS.match(s[2]):
        handle = _handle(s[0])
        if handle is None and s[0] != "@":
            return None
        return PostRef("tiktok", handle, s[2], f"https://www.tiktok.com/@{handle or ''}/{k[1]}/{s[2]}")
    # /t/CODE: the share short link on the main host
    if len(s) == 2 and k[0] == "t" and _CODE.match(s[1]):
        return PostRef("tiktok", None, None, f"https://www.tiktok.com/t/{s[1]}/")
    # /v/ID.html (old mobile pages), /embed/ID, /embed/v2/ID, /player/v1/ID
    video_id = None
    if len(s) == 2 and k[0] == "v":
        video_id = s[1].removesuffix(".html")
    elif len(s) == 2 and k[0] == "embed":
        video_id = s[1]
    elif len(s) == 3 and (k[0], k[1]) in (("embed", "v2"), ("player", "v1")):
        video_id = s[2]
    if video_id and _DIGITS.match(video_id):
        return PostRef("tiktok", None, video_id, f"https://www.tiktok.com/@/video/{video_id}")
    return None


# ---------------------------------------------------------------------------------------------
# Instagram

_IG_KINDS = {"p": "p", "reel": "reel", "reels": "reel", "tv": "tv"}


def _instagram(u: _Url) -> PostRef | None:
    host = _strip_subdomain(u.host, ("m",))
    if host not in ("instagram.com", "instagr.am"):
        return None
    s, k = u.segments, u.keys
    handle = None
    if len(s) >= 3 and k[1] in _IG_KINDS and k[0] not in _IG_KINDS and _HANDLE.match(s[0]):
        # /{username}/p/{code}/ and /{username}/reel/{code}/ (share links that name the author)
        handle, s, k = s[0], s[1:], k[1:]
    if len(s) < 2 or k[0] not in _IG_KINDS or not _CODE.match(s[1]):
        return None
    if k[0] == "reels" and k[1] == "audio":
        return None  # /reels/audio/{id}/: a sound's page, not a post
    kind = _IG_KINDS[k[0]]
    return PostRef("instagram", handle, s[1], f"https://www.instagram.com/{kind}/{s[1]}/")


# ---------------------------------------------------------------------------------------------
# YouTube

_YT_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YT_HOSTS = {"youtube.com", "m.youtube.com", "music.youtube.com", "gaming.youtube.com", "youtube-nocookie.com"}


# Path words that happen to be 11 characters long, like an id.
_YT_NOT_IDS = {"videoseries", "live_stream"}


def _youtube_ref(video_id: str | None) -> PostRef | None:
    if not video_id or not _YT_ID.match(video_id) or video_id.lower() in _YT_NOT_IDS:
        return None
    return PostRef("youtube", None, video_id, f"https://www.youtube.com/watch?v={video_id}")


def _youtube(u: _Url) -> PostRef | None:
    if u.host == "youtu.be":
        return _youtube_ref(u.segments[0]) if len(u.segments) >= 1 else None
    if u.host not in _YT_HOSTS:
        return None
    s, k = u.segments, u.keys
    if len(s) == 1 and k[0] == "watch":
        return _youtube_ref(_param(u, "v"))
    # /shorts/ID, /embed/ID, /live/ID, /v/ID, /e/ID
    if len(s) >= 2 and k[0] in ("shorts", "embed", "live", "v", "e"):
        return _youtube_ref(s[1])
    return None


# ---------------------------------------------------------------------------------------------
# Twitter / X

_X_HOSTS = {"x.com", "twitter.com"}
_X_RESERVED = {"i", "home", "search", "explore", "settings", "hashtag", "intent", "share", "messages"}


def _twitter(u: _Url) -> PostRef | None:
    host = _strip_subdomain(u.host, ("mobile", "m"))
    if host not in _X_HOSTS:
        return None
    s, k = u.segments, u.keys
    if not s and u.fragment.startswith("!/"):
        # the old hash-bang form: twitter.com/#!/user/status/ID
        s = tuple(unquote(x) for x in u.fragment[2:].split("?")[0].split("/") if x)
        k = tuple(x.lower() for x in s)
    # /i/web/status/ID, /i/status/ID
    if len(s) >= 4 and k[:3] == ("i", "web", "status") and _DIGITS.match(s[3]):
        return PostRef("twitter", None, s[3], f"https://x.com/i/status/{s[3]}")
    if len(s) >= 3 and k[0] == "i" and k[1] == "status" and _DIGITS.match(s[2]):
        return PostRef("twitter", None, s[2], f"https://x.com/i/status/{s[2]}")
    # /{user}/status/ID, /{user}/statuses/ID (optionally followed by /photo/1, /video/1, ...)
    if len(s) >= 3 and k[1] in ("status", "statuses") and _DIGITS.match(s[2]):
        user = s[0].lstrip("@")
        if k[0] in _X_RESERVED or not re.match(r"^[A-Za-z0-9_]{1,50}$", user):
            return None
        return PostRef("twitter", user, s[2], f"https://x.com/{user}/status/{s[2]}")
    return None


# ---------------------------------------------------------------------------------------------
# Facebook

_FB_SUBDOMAINS = ("m", "mbasic", "mobile", "touch", "web", "business", "free", "d", "lite")
_FB_ID = re.compile(r"^(\d{1,25}|pfbid[A-Za-z0-9]{10,80})$")
_FB_RESERVED = {
    "watch", "reel", "reels", "permalink.php", "story.php", "video.php", "photo.php", "photo",
    "groups", "share", "profile.php", "events", "marketplace", "gaming", "pages",
}


def _fb(handle: str | None, object_id: str, url: str) -> PostRef:
    return PostRef("facebook", handle, object_id, url)


def _facebook(u: _Url) -> PostRef | None:
    if u.host == "fb.watch":
        if len(u.segments) >= 1 and _CODE.match(u.segments[0]):
            return PostRef("facebook", None, None, f"https://fb.watch/{u.segments[0]}/")
        return None
    host = _strip_subdomain(u.host, _FB_SUBDOMAINS)
    if host not in ("facebook.com", "fb.com"):
        return None
    s, k = u.segments, u.keys
    if not s:
        return None
    # /share/p/CODE/, /share/v/CODE/, /share/r/CODE/, /share/CODE/: share short links
    if k[0] == "share" and len(s) >= 2:
        code = s[-1]
        if _CODE.match(code):
            return PostRef("facebook", None, None, "https://www.facebook.com/" + "/".join(s) + "/")
        return None
    # /permalink.php?story_fbid=X&id=PAGE and /story.php?story_fbid=X&id=PAGE
    if k[0] in ("permalink.php", "story.php") and len(s) == 1:
        story, page = _param(u, "story_fbid"), _param(u, "id")
        if not story or not _FB_ID.match(story):
            return None
        if page and _DIGITS.match(page):
            return _fb(page, story, f"https://www.facebook.com/permalink.php?story_fbid={story}&id={page}")
        return _fb(None, story, f"https://www.facebook.com/{story}")
    # /watch/?v=ID, /watch?v=ID, /video.php?v=ID
    if k[0] in ("watch", "video.php") and len(s) == 1:
        vid = _param(u, "v")
        if vid and _DIGITS.match(vid):
            return _fb(None, vid, f"https://www.facebook.com/watch/?v={vid}")
        return None
    # /photo.php?fbid=ID, /photo/?fbid=ID
    if k[0] in ("photo.php", "photo") and len(s) == 1:
        fbid = _param(u, "fbid")
        if fbid and _DIGITS.match(fbid):
            return _fb(None, fbid, f"https://www.facebook.com/photo/?fbid={fbid}")
        return None
    # /reel/ID
    if k[0] in ("reel", "reels") and len(s) >= 2:
        if _DIGITS.match(s[1]):
            return _fb(None, s[1], f"https://www.facebook.com/reel/{s[1]}")
        return None
    # /groups/{group}/posts/ID and /groups/{group}/permalink/ID
    if k[0] == "groups" and len(s) >= 4 and k[2] in ("posts", "permalink") and _FB_ID.match(s[3]):
        return _fb(s[1], s[3], f"https://www.facebook.com/groups/{s[1]}/posts/{s[3]}/")
    # /{page_id}_{object_id}: the Graph post id as a path (our own fallback permalink)
    if len(s) == 1:
        m = re.match(r"^(\d{1,25})_(\d{1,25})$", s[0])
        if m:
            return _fb(m.group(1), m.group(2), f"https://www.facebook.com/{m.group(1)}/posts/{m.group(2)}")
        return None
    if k[0] in _FB_RESERVED or not re.match(r"^[A-Za-z0-9_.-]{1,100}$", s[0]):
        return None
    page = s[0]
    # /{page}/posts/ID (also /posts/{slug}/ID, rare)
    if len(s) >= 3 and k[1] == "posts":
        ident = s[3] if len(s) >= 4 and _FB_ID.match(s[3]) else s[2]
        if _FB_ID.match(ident):
            return _fb(page, ident, f"https://www.facebook.com/{page}/posts/{ident}")
        return None
    # /{page}/videos/ID and the older /{page}/videos/{title-slug}/ID/ and /videos/vb.{page}/ID
    if len(s) >= 3 and k[1] == "videos":
        for ident in (s[3] if len(s) >= 4 else None, s[2]):
            if ident and _DIGITS.match(ident):
                return _fb(page, ident, f"https://www.facebook.com/{page}/videos/{ident}")
        return None
    # /{page}/photos/{album}/ID
    if len(s) >= 4 and k[1] == "photos" and _DIGITS.match(s[3]):
        return _fb(page, s[3], f"https://www.facebook.com/{page}/photos/{s[2]}/{s[3]}")
    return None


# ---------------------------------------------------------------------------------------------
# Pinterest

# pinterest.com, pinterest.co.uk, pinterest.com.au, de.pinterest.com, www.pinterest.fr, ...
_PINTEREST_HOST = re.compile(r"^(?:[a-z]{1,3}\.)?pinterest\.(?:[a-z]{2,3})(?:\.[a-z]{2})?$")


def _pinterest(u: _Url) -> PostRef | None:
    if u.host == "pin.it":
        if len(u.segments) >= 1 and _CODE.match(u.segments[0]):
            return PostRef("pinterest", None, None, f"https://pin.it/{u.segments[0]}")
        return None
    if not _PINTEREST_HOST.match(u.host):
        return None
    s, k = u.segments, u.keys
    if len(s) < 2 or k[0] != "pin":
        return None
    ident = s[1].rsplit("--", 1)[-1]  # /pin/{title-slug}--{id}/
    if not re.match(r"^[A-Za-z0-9_-]{1,64}$", ident):
        return None
    return PostRef("pinterest", None, ident, f"https://www.pinterest.com/pin/{ident}/")


# ---------------------------------------------------------------------------------------------
# LinkedIn

_LI_URN = re.compile(r"^urn:li:(activity|share|ugcpost):(\d{1,25})$", re.IGNORECASE)
_LI_SLUG = re.compile(r"-(activity|share|ugcpost)-(\d{1,25})(?=-|$)", re.IGNORECASE)
_LI_KIND = {"activity": "activity", "share": "share", "ugcpost": "ugcPost"}


def _li_ref(kind: str, number: str, handle: str | None) -> PostRef:
    urn = f"urn:li:{_LI_KIND[kind.lower()]}:{number}"
    return PostRef("linkedin", handle, urn, f"https://www.linkedin.com/feed/update/{urn}/")


def _linkedin(u: _Url) -> PostRef | None:
    if u.host == "lnkd.in":
        if len(u.segments) >= 1 and _CODE.match(u.segments[0]):
            return PostRef("linkedin", None, None, f"https://lnkd.in/{u.segments[0]}")
        return None
    if not re.match(r"^(?:[a-z]{2}\.)?linkedin\.com$", u.host):
        return None
    s, k = u.segments, u.keys
    if k[:1] == ("embed",):
        s, k = s[1:], k[1:]
    # /feed/update/urn:li:activity:ID/ (segments are already percent-decoded)
    if len(s) >= 3 and k[0] == "feed" and k[1] == "update":
        m = _LI_URN.match(s[2])
        return _li_ref(m.group(1), m.group(2), None) if m else None
    # /posts/{vanity}_{text-slug}-activity-{id}-{suffix}/
    if len(s) >= 2 and k[0] == "posts":
        found = list(_LI_SLUG.finditer(s[1]))  # the last one: the text slug may say "-share-2-"
        if not found:
            return None
        m = found[-1]
        vanity = s[1].split("_", 1)[0] if "_" in s[1] else None
        return _li_ref(m.group(1), m.group(2), vanity or None)
    return None


# ---------------------------------------------------------------------------------------------
# Bluesky

_RKEY = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
_DID = re.compile(r"^did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}$")


def _bsky_ref(actor: str, rkey: str) -> PostRef | None:
    if not _RKEY.match(rkey) or rkey in (".", ".."):
        return None
    if _DID.match(actor):
        handle = actor
    elif re.match(r"^[A-Za-z0-9.-]{1,253}$", actor) and "." in actor:
        handle = actor.lower()
    else:
        return None
    return PostRef("bluesky", handle, rkey, f"https://bsky.app/profile/{handle}/post/{rkey}")


def _bluesky(u: _Url) -> PostRef | None:
    if u.host not in ("bsky.app", "staging.bsky.app", "main.bsky.dev"):
        return None
    s, k = u.segments, u.keys
    if len(s) >= 4 and k[0] == "profile" and k[2] == "post":
        return _bsky_ref(s[1], s[3])
    return None


def _at_uri(text: str) -> PostRef | None:
    """``at://{did or handle}/app.bsky.feed.post/{rkey}``: a post's id, accepted as its address."""
    parts = text.strip()[len("at://") :].split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return None
    return _bsky_ref(parts[0], parts[2])


# ---------------------------------------------------------------------------------------------
# Threads


def _threads(u: _Url) -> PostRef | None:
    if u.host not in ("threads.net", "threads.com"):
        return None
    s, k = u.segments, u.keys
    # /@user/post/CODE (optionally /media after it)
    if len(s) >= 3 and k[1] == "post" and _CODE.match(s[2]):
        handle = _handle(s[0])
        if handle is None:
            return None
        return PostRef("threads", handle, s[2], f"https://www.threads.com/@{handle}/post/{s[2]}")
    # /t/CODE: the first year's share form
    if len(s) == 2 and k[0] == "t" and _CODE.match(s[1]):
        return PostRef("threads", None, s[1], f"https://www.threads.com/t/{s[1]}")
    return None


# ---------------------------------------------------------------------------------------------

_PARSERS = (_tiktok, _instagram, _youtube, _twitter, _facebook, _pinterest, _linkedin, _bluesky, _threads)


def parse_post_url(url: str) -> PostRef | None:
    """The post a public URL points to, or ``None`` when ``url`` is not a post URL of ours."""
    if not isinstance(url, str):
        return None
    if url.strip().lower().startswith("at://"):
        return _at_uri(url)
    parts = _split(url)
    if parts is None:
        return None
    for parser in _PARSERS:
        ref = parser(parts)
        if ref is not None:
            return ref
    return None
