"""Check an XRPC payload against the atproto lexicon definitions the Bluesky client relies on.

``DEFS`` condenses, per definition, what the lexicon files in github.com/bluesky-social/atproto
(``lexicons/app/bsky/feed/defs.json``, ``actor/defs.json``, ``feed/post.json``,
``richtext/facet.json``, ``embed/{record,images,video,recordWithMedia,external}.json``,
``com/atproto/repo/strongRef.json`` and the output schemas of ``feed/getAuthorFeed.json``,
``feed/getPostThread.json``, ``feed/getPosts.json``, ``actor/getProfile.json``) say: required
properties, property types, string formats, refs and unions. Definitions outside this table (labels,
viewer state...) are only checked for being objects. ``check(payload, "<nsid>#output")`` returns the
list of problems (empty when the payload conforms).
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Any

DEFS = {'app.bsky.feed.defs#feedViewPost': {'required': ['post'],
                                     'properties': {'post': {'ref': 'app.bsky.feed.defs#postView'},
                                                    'reply': {'ref': 'app.bsky.feed.defs#replyRef'},
                                                    'reason': {'union': ['app.bsky.feed.defs#reasonRepost',
                                                                         'app.bsky.feed.defs#reasonPin']},
                                                    'feedContext': {'type': 'string'},
                                                    'reqId': {'type': 'string'}}},
 'app.bsky.feed.defs#postView': {'required': ['uri', 'cid', 'author', 'record', 'indexedAt'],
                                 'properties': {'uri': {'type': 'string', 'format': 'at-uri'},
                                                'cid': {'type': 'string', 'format': 'cid'},
                                                'author': {'ref': 'app.bsky.actor.defs#profileViewBasic'},
                                                'record': {'type': 'unknown'},
                                                'embed': {'union': ['app.bsky.embed.images#view',
                                                                    'app.bsky.embed.video#view',
                                                                    'app.bsky.embed.gallery#view',
                                                                    'app.bsky.embed.external#view',
                                                                    'app.bsky.embed.record#view',
                                                                    'app.bsky.embed.recordWithMedia#view']},
                                                'bookmarkCount': {'type': 'integer'},
                                                'replyCount': {'type': 'integer'},
                                                'repostCount': {'type': 'integer'},
                                                'likeCount': {'type': 'integer'},
                                                'quoteCount': {'type': 'integer'},
                                                'indexedAt': {'type': 'string', 'format': 'datetime'},
                                                'viewer': {'ref': 'app.bsky.feed.defs#viewerState'},
                                                'labels': {'array': {'ref': 'com.atproto.label.defs#label'}},
                                                'threadgate': {'ref': 'app.bsky.feed.defs#threadgateView'},
                                                'debug': {'type': 'unknown'}}},
 'app.bsky.feed.defs#replyRef': {'required': ['root', 'parent'],
                                 'properties': {'root': {'union': ['app.bsky.feed.defs#postView',
                                                                   'app.bsky.feed.defs#notFoundPost',
                                                                   'app.bsky.feed.defs#blockedPost']},
                                                'parent': {'union': ['app.bsky.feed.defs#postView',
                                                                     'app.bsky.feed.defs#notFoundPost',
                                                                     'app.bsky.feed.defs#blockedPost']},
                                                'grandparentAuthor': {'ref': 'app.bsky.actor.defs#profileViewBasic'}}},
 'app.bsky.feed.defs#reasonRepost': {'required': ['by', 'indexedAt'],
                                     'properties': {'by': {'ref': 'app.bsky.actor.defs#profileViewBasic'},
                                                    'uri': {'type': 'string', 'format': 'at-uri'},
                                                    'cid': {'type': 'string', 'format': 'cid'},
                                                    'indexedAt': {'type': 'string', 'format': 'datetime'}}},
 'app.bsky.feed.defs#reasonPin': {'required': [], 'properties': {}},
 'app.bsky.feed.defs#threadViewPost': {'required': ['post'],
                                       'properties': {'post': {'ref': 'app.bsky.feed.defs#postView'},
                                                      'parent': {'union': ['app.bsky.feed.defs#threadViewPost',
                                                                           'app.bsky.feed.defs#notFoundPost',
                                                                           'app.bsky.feed.defs#blockedPost']},
                                                      'replies': {'array': {'union': ['app.bsky.feed.defs#threadViewPost',
                                                                                      'app.bsky.feed.defs#notFoundPost',
                                                                                      'app.bsky.feed.defs#blockedPost']}},
                                                      'threadContext': {'ref': 'app.bsky.feed.defs#threadContext'}}},
 'app.bsky.feed.defs#notFoundPost': {'required': ['uri', 'notFound'],
                                     'properties': {'uri': {'type': 'string', 'format': 'at-uri'},
                                                    'notFound': {'type': 'boolean', 'const': True}}},
 'app.bsky.feed.defs#blockedPost': {'required': ['uri', 'blocked', 'author'],
                                    'properties': {'uri': {'type': 'string', 'format': 'at-uri'},
                                                   'blocked': {'type': 'boolean', 'const': True},
                                                   'author': {'ref': 'app.bsky.feed.defs#blockedAuthor'}}},
 'app.bsky.feed.defs#blockedAuthor': {'required': ['did'],
                                      'properties': {'did': {'type': 'string', 'format': 'did'},
                                                     'viewer': {'ref': 'app.bsky.actor.defs#viewerState'}}},
 'app.bsky.actor.defs#profileViewBasic': {'required': ['did', 'handle'],
                                          'properties': {'did': {'type': 'string', 'format': 'did'},
                                                         'handle': {'type': 'string', 'format': 'handle'},
                                                         'displayName': {'type': 'string'},
                                                         'pronouns': {'type': 'string'},
                                                         'avatar': {'type': 'string', 'format': 'uri'},
                                                         'associated': {'ref': 'app.bsky.actor.defs#profileAssociated'},
                                                         'viewer': {'ref': 'app.bsky.actor.defs#viewerState'},
                                                         'labels': {'array': {'ref': 'com.atproto.label.defs#label'}},
                                                         'createdAt': {'type': 'string',
                                                                       'format': 'datetime'},
                                                         'verification': {'ref': 'app.bsky.actor.defs#verificationState'},
                                                         'status': {'ref': 'app.bsky.actor.defs#statusView'},
                                                         'debug': {'type': 'unknown'}}},
 'app.bsky.actor.defs#profileViewDetailed': {'required': ['did', 'handle'],
                                             'properties': {'did': {'type': 'string', 'format': 'did'},
                                                            'handle': {'type': 'string', 'format': 'handle'},
                                                            'displayName': {'type': 'string'},
                                                            'description': {'type': 'string'},
                                                            'pronouns': {'type': 'string'},
                                                            'website': {'type': 'string', 'format': 'uri'},
                                                            'avatar': {'type': 'string', 'format': 'uri'},
                                                            'banner': {'type': 'string', 'format': 'uri'},
                                                            'followersCount': {'type': 'integer'},
                                                            'followsCount': {'type': 'integer'},
                                                            'postsCount': {'type': 'integer'},
                                                            'associated': {'ref': 'app.bsky.actor.defs#profileAssociated'},
                                                            'joinedViaStarterPack': {'ref': 'app.bsky.graph.defs#starterPackViewBasic'},
                                                            'indexedAt': {'type': 'string',
                                                                          'format': 'datetime'},
                                                            'createdAt': {'type': 'string',
                                                                          'format': 'datetime'},
                                                            'viewer': {'ref': 'app.bsky.actor.defs#viewerState'},
                                                            'labels': {'array': {'ref': 'com.atproto.label.defs#label'}},
                                                            'pinnedPost': {'ref': 'com.atproto.repo.strongRef#main'},
                                                            'verification': {'ref': 'app.bsky.actor.defs#verificationState'},
                                                            'status': {'ref': 'app.bsky.actor.defs#statusView'},
                                                            'debug': {'type': 'unknown'}}},
 'app.bsky.feed.post#main': {'required': ['text', 'createdAt'],
                             'properties': {'text': {'type': 'string'},
                                            'entities': {'array': {'ref': 'app.bsky.feed.post#entity'}},
                                            'facets': {'array': {'ref': 'app.bsky.richtext.facet#main'}},
                                            'reply': {'ref': 'app.bsky.feed.post#replyRef'},
                                            'embed': {'union': ['app.bsky.embed.images#main',
                                                                'app.bsky.embed.video#main',
                                                                'app.bsky.embed.gallery#main',
                                                                'app.bsky.embed.external#main',
                                                                'app.bsky.embed.record#main',
                                                                'app.bsky.embed.recordWithMedia#main']},
                                            'langs': {'array': {'type': 'string', 'format': 'language'},
                                                      'maxLength': 3},
                                            'labels': {'union': ['com.atproto.label.defs#selfLabels']},
                                            'tags': {'array': {'type': 'string'}, 'maxLength': 8},
                                            'createdAt': {'type': 'string', 'format': 'datetime'}}},
 'app.bsky.feed.post#replyRef': {'required': ['root', 'parent'],
                                 'properties': {'root': {'ref': 'com.atproto.repo.strongRef#main'},
                                                'parent': {'ref': 'com.atproto.repo.strongRef#main'}}},
 'app.bsky.richtext.facet#main': {'required': ['index', 'features'],
                                  'properties': {'index': {'ref': 'app.bsky.richtext.facet#byteSlice'},
                                                 'features': {'array': {'union': ['app.bsky.richtext.facet#mention',
                                                                                  'app.bsky.richtext.facet#link',
                                                                                  'app.bsky.richtext.facet#tag']}}}},
 'app.bsky.richtext.facet#mention': {'required': ['did'],
                                     'properties': {'did': {'type': 'string', 'format': 'did'}}},
 'app.bsky.richtext.facet#link': {'required': ['uri'],
                                  'properties': {'uri': {'type': 'string', 'format': 'uri'}}},
 'app.bsky.richtext.facet#tag': {'required': ['tag'], 'properties': {'tag': {'type': 'string'}}},
 'app.bsky.richtext.facet#byteSlice': {'required': ['byteStart', 'byteEnd'],
                                       'properties': {'byteStart': {'type': 'integer'},
                                                      'byteEnd': {'type': 'integer'}}},
 'com.atproto.repo.strongRef#main': {'required': ['uri', 'cid'],
                                     'properties': {'uri': {'type': 'string', 'format': 'at-uri'},
                                                    'cid': {'type': 'string', 'format': 'cid'}}},
 'app.bsky.embed.record#main': {'required': ['record'],
                                'properties': {'record': {'ref': 'com.atproto.repo.strongRef#main'}}},
 'app.bsky.embed.record#view': {'required': ['record'],
                                'properties': {'record': {'union': ['app.bsky.embed.record#viewRecord',
                                                                    'app.bsky.embed.record#viewNotFound',
                                                                    'app.bsky.embed.record#viewBlocked',
                                                                    'app.bsky.embed.record#viewDetached',
                                                                    'app.bsky.feed.defs#generatorView',
                                                                    'app.bsky.graph.defs#listView',
                                                                    'app.bsky.labeler.defs#labelerView',
                                                                    'app.bsky.graph.defs#starterPackViewBasic']}}},
 'app.bsky.embed.record#viewRecord': {'required': ['uri', 'cid', 'author', 'value', 'indexedAt'],
                                      'properties': {'uri': {'type': 'string', 'format': 'at-uri'},
                                                     'cid': {'type': 'string', 'format': 'cid'},
                                                     'author': {'ref': 'app.bsky.actor.defs#profileViewBasic'},
                                                     'value': {'type': 'unknown'},
                                                     'labels': {'array': {'ref': 'com.atproto.label.defs#label'}},
                                                     'replyCount': {'type': 'integer'},
                                                     'repostCount': {'type': 'integer'},
                                                     'likeCount': {'type': 'integer'},
                                                     'quoteCount': {'type': 'integer'},
                                                     'embeds': {'array': {'union': ['app.bsky.embed.images#view',
                                                                                    'app.bsky.embed.video#view',
                                                                                    'app.bsky.embed.gallery#view',
                                                                                    'app.bsky.embed.external#view',
                                                                                    'app.bsky.embed.record#view',
                                                                                    'app.bsky.embed.recordWithMedia#view']}},
                                                     'indexedAt': {'type': 'string', 'format': 'datetime'}}},
 'app.bsky.embed.record#viewNotFound': {'required': ['uri', 'notFound'],
                                        'properties': {'uri': {'type': 'string', 'format': 'at-uri'},
                                                       'notFound': {'type': 'boolean', 'const': True}}},
 'app.bsky.embed.record#viewBlocked': {'required': ['uri', 'blocked', 'author'],
                                       'properties': {'uri': {'type': 'string', 'format': 'at-uri'},
                                                      'blocked': {'type': 'boolean', 'const': True},
                                                      'author': {'ref': 'app.bsky.feed.defs#blockedAuthor'}}},
 'app.bsky.embed.record#viewDetached': {'required': ['uri', 'detached'],
                                        'properties': {'uri': {'type': 'string', 'format': 'at-uri'},
                                                       'detached': {'type': 'boolean', 'const': True}}},
 'app.bsky.embed.images#main': {'required': ['images'],
                                'properties': {'images': {'array': {'ref': 'app.bsky.embed.images#image'},
                                                          'maxLength': 4}}},
 'app.bsky.embed.images#image': {'required': ['image', 'alt'],
                                 'properties': {'image': {'type': 'blob'},
                                                'alt': {'type': 'string'},
                                                'aspectRatio': {'ref': 'app.bsky.embed.defs#aspectRatio'}}},
 'app.bsky.embed.images#view': {'required': ['images'],
                                'properties': {'images': {'array': {'ref': 'app.bsky.embed.images#viewImage'},
                                                          'maxLength': 4}}},
 'app.bsky.embed.images#viewImage': {'required': ['thumb', 'fullsize', 'alt'],
                                     'properties': {'thumb': {'type': 'string', 'format': 'uri'},
                                                    'fullsize': {'type': 'string', 'format': 'uri'},
                                                    'alt': {'type': 'string'},
                                                    'aspectRatio': {'ref': 'app.bsky.embed.defs#aspectRatio'}}},
 'app.bsky.embed.video#main': {'required': ['video'],
                               'properties': {'video': {'type': 'blob'},
                                              'captions': {'array': {'ref': 'app.bsky.embed.video#caption'},
                                                           'maxLength': 20},
                                              'alt': {'type': 'string'},
                                              'aspectRatio': {'ref': 'app.bsky.embed.defs#aspectRatio'},
                                              'presentation': {'type': 'string'}}},
 'app.bsky.embed.video#view': {'required': ['cid', 'playlist'],
                               'properties': {'cid': {'type': 'string', 'format': 'cid'},
                                              'playlist': {'type': 'string', 'format': 'uri'},
                                              'thumbnail': {'type': 'string', 'format': 'uri'},
                                              'alt': {'type': 'string'},
                                              'aspectRatio': {'ref': 'app.bsky.embed.defs#aspectRatio'},
                                              'presentation': {'type': 'string'}}},
 'app.bsky.embed.recordWithMedia#main': {'required': ['record', 'media'],
                                         'properties': {'record': {'ref': 'app.bsky.embed.record#main'},
                                                        'media': {'union': ['app.bsky.embed.images#main',
                                                                            'app.bsky.embed.video#main',
                                                                            'app.bsky.embed.gallery#main',
                                                                            'app.bsky.embed.external#main']}}},
 'app.bsky.embed.recordWithMedia#view': {'required': ['record', 'media'],
                                         'properties': {'record': {'ref': 'app.bsky.embed.record#view'},
                                                        'media': {'union': ['app.bsky.embed.images#view',
                                                                            'app.bsky.embed.video#view',
                                                                            'app.bsky.embed.gallery#view',
                                                                            'app.bsky.embed.external#view']}}},
 'app.bsky.embed.external#main': {'required': ['external'],
                                  'properties': {'external': {'ref': 'app.bsky.embed.external#external'}}},
 'app.bsky.embed.external#external': {'required': ['uri', 'title', 'description'],
                                      'properties': {'uri': {'type': 'string', 'format': 'uri'},
                                                     'title': {'type': 'string'},
                                                     'description': {'type': 'string'},
                                                     'thumb': {'type': 'blob'},
                                                     'associatedRefs': {'array': {'ref': 'com.atproto.repo.strongRef#main'}}}},
 'app.bsky.embed.external#view': {'required': ['external'],
                                  'properties': {'external': {'ref': 'app.bsky.embed.external#viewExternal'}}},
 'app.bsky.embed.external#viewExternal': {'required': ['uri', 'title', 'description'],
                                          'properties': {'uri': {'type': 'string', 'format': 'uri'},
                                                         'title': {'type': 'string'},
                                                         'description': {'type': 'string'},
                                                         'thumb': {'type': 'string', 'format': 'uri'},
                                                         'createdAt': {'type': 'string',
                                                                       'format': 'datetime'},
                                                         'updatedAt': {'type': 'string',
                                                                       'format': 'datetime'},
                                                         'readingTime': {'type': 'integer'},
                                                         'labels': {'array': {'ref': 'com.atproto.label.defs#label'}},
                                                         'source': {'ref': 'app.bsky.embed.external#viewExternalSource'},
                                                         'associatedRefs': {'array': {'ref': 'com.atproto.repo.strongRef#main'}},
                                                         'associatedProfiles': {'array': {'ref': 'app.bsky.actor.defs#profileViewBasic'}}}},
 'app.bsky.feed.getAuthorFeed#output': {'required': ['feed'],
                                        'properties': {'cursor': {'type': 'string'},
                                                       'feed': {'array': {'ref': 'app.bsky.feed.defs#feedViewPost'}}}},
 'app.bsky.feed.getPostThread#output': {'required': ['thread'],
                                        'properties': {'thread': {'union': ['app.bsky.feed.defs#threadViewPost',
                                                                            'app.bsky.feed.defs#notFoundPost',
                                                                            'app.bsky.feed.defs#blockedPost']},
                                                       'threadgate': {'ref': 'app.bsky.feed.defs#threadgateView'}}},
 'app.bsky.feed.getPosts#output': {'required': ['posts'],
                                   'properties': {'posts': {'array': {'ref': 'app.bsky.feed.defs#postView'}}}},
 'app.bsky.actor.getProfile#output': {'ref': 'app.bsky.actor.defs#profileViewDetailed'}}

_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")
_HANDLE = re.compile(r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")
_NSID = re.compile(r"^[a-zA-Z]([a-zA-Z0-9-]*)(\.[a-zA-Z0-9-]+)+$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def decode_cid(value: str) -> tuple[int, int, int, bytes]:
    """(version, codec, multihash code, digest) of a base32 CIDv1 string; ValueError if it is not
    one. Only the form atproto uses is accepted: multibase 'b', single-byte varints."""
    if not value.startswith("b"):
        raise ValueError("not multibase base32 ('b' prefix)")
    body = value[1:].upper()
    raw = base64.b32decode(body + "=" * (-len(body) % 8))
    if len(raw) < 4:
        raise ValueError("too short")
    version, codec, code, size = raw[0], raw[1], raw[2], raw[3]
    digest = raw[4:]
    if version != 1 or codec not in (0x71, 0x55) or code != 0x12 or size != 32 or len(digest) != 32:
        raise ValueError(f"not a CIDv1 dag-cbor/raw sha2-256: {raw[:4].hex()} + {len(digest)} bytes")
    return version, codec, code, digest


def _format_ok(fmt: str, value: str) -> bool:
    if fmt == "cid":
        try:
            decode_cid(value)
        except (ValueError, base64.binascii.Error):
            return False
        return True
    if fmt == "did":
        return bool(_DID.match(value))
    if fmt == "handle":
        return bool(_HANDLE.match(value))
    if fmt == "at-uri":
        rest = value[len("at://"):] if value.startswith("at://") else None
        if not rest:
            return False
        parts = rest.split("/")
        authority = parts[0]
        if not (_DID.match(authority) or _HANDLE.match(authority)):
            return False
        return len(parts) == 1 or (bool(_NSID.match(parts[1])) and len(parts) <= 3)
    if fmt == "datetime":
        if not _DATETIME.match(value):
            return False
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    if fmt == "uri":
        return bool(re.match(r"^[a-z][a-z0-9+.-]*:\S+$", value))
    return True  # language, tid...: not checked here


def check(payload: Any, definition: str) -> list[str]:
    problems: list[str] = []
    _check_def(payload, definition, "$", problems)
    return problems


def _check_def(value: Any, definition: str, path: str, problems: list[str]) -> None:
    spec = DEFS.get(definition)
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object ({definition})")
        return
    if spec is None:
        return  # outside the table: an object is all we check
    if "ref" in spec:
        _check_def(value, spec["ref"], path, problems)
        return
    for name in spec["required"]:
        if name not in value:
            problems.append(f"{path}: required {name!r} missing ({definition})")
    for name, prop in spec["properties"].items():
        if name in value:
            _check_value(value[name], prop, f"{path}.{name}", problems)


def _check_value(value: Any, prop: dict[str, Any], path: str, problems: list[str]) -> None:
    if "ref" in prop:
        _check_def(value, prop["ref"], path, problems)
    elif "union" in prop:
        kind = value.get("$type") if isinstance(value, dict) else None
        if not isinstance(kind, str):
            problems.append(f"{path}: union member without '$type'")
        elif kind in prop["union"] or kind + "#main" in prop["union"]:
            _check_def(value, kind if "#" in kind else kind + "#main", path, problems)
        # an unknown $type is allowed: lexicon unions are open unless marked closed
    elif "array" in prop:
        if not isinstance(value, list):
            problems.append(f"{path}: expected an array")
            return
        if "maxLength" in prop and len(value) > prop["maxLength"]:
            problems.append(f"{path}: more than {prop['maxLength']} items")
        for index, item in enumerate(value):
            _check_value(item, prop["array"], f"{path}[{index}]", problems)
    else:
        kind = prop["type"]
        if kind == "string":
            if not isinstance(value, str):
                problems.append(f"{path}: expected a string")
            elif "format" in prop and not _format_ok(prop["format"], value):
                problems.append(f"{path}: {value[:80]!r} is not a valid {prop['format']}")
        elif kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(f"{path}: expected an integer")
        elif kind == "boolean":
            if not isinstance(value, bool):
                problems.append(f"{path}: expected a boolean")
            elif "const" in prop and value is not prop["const"]:
                problems.append(f"{path}: must be {prop['const']}")
        elif kind == "unknown":
            # records travel as 'unknown' with their own $type; check the ones in the table
            record_type = value.get("$type") if isinstance(value, dict) else None
            if isinstance(record_type, str) and record_type + "#main" in DEFS:
                _check_def(value, record_type + "#main", path, problems)
        elif kind == "blob":
            if not isinstance(value, dict) or value.get("$type") != "blob":
                problems.append(f"{path}: expected a blob")
            else:
                ref = value.get("ref")
                link = ref.get("$link") if isinstance(ref, dict) else None
                if not isinstance(link, str) or not _format_ok("cid", link):
                    problems.append(f"{path}.ref: blob ref is not a CID link")
