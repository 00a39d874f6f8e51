"""Hashtag extraction from captions.

A hashtag is ``#`` followed by word characters (Unicode letters, digits, underscore, and the
combining marks that belong to letters), not preceded by a word character, ``&`` or ``/`` (so
``#`` inside URLs, HTML entities like ``&#39;`` and ``C#`` are not tags), and not all digits.
Tags are case-folded (``#Café`` and ``#CAFÉ`` are one tag) and kept in order of first use.
"""

from __future__ import annotations

import re
import unicodedata

_TAG = re.compile(r"(?<![\w&/#])[#＃]((?:[^\W]|[\u0300-\u036f\u0900-\u097f\u200c\u200d])+)", re.UNICODE)
MAX_LENGTH = 255


def extract_hashtags(text: str | None) -> list[str]:
    """Distinct hashtags of ``text``, case-folded and NFC-normalized, in order of first use."""
    if not text:
        return []
    found: dict[str, None] = {}
    for match in _TAG.finditer(text):
        start = match.start()
        # A '#' that is part of a URL fragment (…/page#section) is not a tag.
        if start > 0 and not text[start - 1].isspace() and text[start - 1] not in "([{\"'.,;:!?":
            continue
        tag = unicodedata.normalize("NFC", match.group(1)).casefold()
        if tag.isdigit() or len(tag) > MAX_LENGTH:
            continue
        found.setdefault(tag, None)
    return list(found)
