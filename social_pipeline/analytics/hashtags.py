"""Hashtag extraction from captions.

A hashtag is ``#`` followed by word characters (Unicode letters, digits, underscore, and the
combining marks that belong to letters), not preceded by a word character, ``&`` or ``/`` (so
HTML entities like ``&#39;`` and ``C#`` are not tags), not inside a URL (``https://x.y/#frag``),
and not all digits. Emoji around a tag are boundaries: ``🔥#fire🔥`` is the tag ``fire``.
Tags are case-folded (``#Café`` and ``#CAFÉ`` are one tag) and kept in order of first use.
"""

from __future__ import annotations

import re
import unicodedata

_TAG = re.compile(r"(?<![\w&/#])[#＃]((?:[^\W]|[\u0300-\u036f\u0900-\u097f\u200c\u200d])+)", re.UNICODE)
MAX_LENGTH = 255


def _inside_url(text: str, at: int) -> bool:
    """Whether position ``at`` lies in a whitespace-delimited token that is a URL."""
    start = at
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    token = text[start:at].lower()
    return "://" in token or token.startswith("www.")


def extract_hashtags(text: str | None) -> list[str]:
    """Distinct hashtags of ``text``, case-folded and NFC-normalized, in order of first use."""
    if not text:
        return []
    found: dict[str, None] = {}
    for match in _TAG.finditer(text):
        if _inside_url(text, match.start()):
            continue
        tag = unicodedata.normalize("NFC", match.group(1)).casefold()
        if tag.isdigit() or len(tag) > MAX_LENGTH:
            continue
        found.setdefault(tag, None)
    return list(found)
