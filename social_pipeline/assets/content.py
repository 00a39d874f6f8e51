"""Links content mappings (post URL -> internal video/clip) to the posts we track.

A mapping row is written by whoever publishes a video: the post's public URL and the video or clip
it carries. This asset resolves every mapping whose ``post_id`` is still NULL:

1. its ``post_url`` is parsed with :func:`social_pipeline.analytics.urls.parse_post_url` (a
   ``platform``/``external_post_id`` already on the row is tried as well);
2. it is matched against ``social_posts_analytics`` of the same platform. A post answers to its
   ``external_post_id``, to the id its own ``post_url`` carries, and on Facebook to the object id
   after ``_`` of ``{page}_{object}``, on Bluesky to the rkey ending its at-uri. So TikTok, YouTube,
   X, Pinterest and LinkedIn ids match ``external_post_id`` itself, Facebook object ids and Bluesky
   rkeys its suffix, and Instagram/Threads shortcodes (which are not their API media ids) the
   shortcode in the post's permalink. Several candidates are narrowed by the handle the URL names;
   a match must be unique, else the mapping stays unmatched (and is retried next run);
3. a match fills the mapping's ``post_id``, ``platform`` and ``external_post_id`` (the post's own
   values). An unmatched but recognized URL gets ``platform`` filled when empty, and
   ``external_post_id`` when empty and the URL's id is the API's id (TikTok, YouTube, X, Pinterest,
   LinkedIn), so ``social_content_posts`` picks it up by (platform, external_post_id) as soon as
   the post arrives;
4. every linked post that has neither ``video_id`` nor ``clip_id`` gets its mapping's (the lowest
   mapping id when several map the same post). A post's own link is never overwritten.

Short links (vm.tiktok.com, fb.watch, pin.it, lnkd.in, ...) need the platform's redirect, which
this asset does not follow: they stay unmatched and are counted as such. LinkedIn browser URLs name
``urn:li:activity:`` ids, which differ from the share/ugcPost URNs the API gives posts: they match
only when the mapping URL uses the share/ugcPost URN.

Everything runs in one transaction under an advisory lock, so concurrent runs serialize and a
failure leaves the tables as they were. The work does not depend on the partition: any day's run
links every pending mapping (the partition only schedules it after that day's posts); running it
again changes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from ..analytics.urls import PostRef, parse_post_url
from ..partitions import daily_partitions
from .common import BACKFILL_POLICY, DAILY_FRESHNESS, OWNERS, dashboard_link
from ..platforms import SPECS, UnknownPlatform, canonical
from ..storage.database import Database
from ..storage.io_manager import table_info

CONTENT_MAPPINGS = AssetKey("social_content_mappings")
POSTS = AssetKey("social_posts_analytics")

# An arbitrary constant naming this asset's transaction-scoped advisory lock.
LOCK_KEY = 7_402_211_905_331_501
# Platforms whose post URL carries the very id the API gives the post (each spec says).
URL_ID_IS_API_ID = frozenset(name for name, s in SPECS.items() if s.url_id_is_api_id)
BATCH = 500


@dataclass(frozen=True)
class Pending:
    id: int
    post_url: str
    platform: str | None  # canonical platform name, if the row or its URL says
    given_external_id: str | None
    ref: PostRef | None


@dataclass(frozen=True)
class Candidate:
    id: int
    platform: str
    external_post_id: str
    keys: frozenset[str]
    handles: frozenset[str]


def _canonical_platform(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return canonical(name)
    except UnknownPlatform:
        return None


def derived_keys(platform: str, external_post_id: str) -> set[str]:
    """The ids a URL may show for a post whose API id is ``external_post_id``."""
    keys = {external_post_id}
    rule = SPECS[platform].url_keys if platform in SPECS else None
    if rule is not None:
        keys |= rule(external_post_id)  # e.g. {page id}_{object id}, at://{did}/.../{rkey}
    return keys


def candidate(post_id: int, platform: str, external_post_id: str, post_url: str | None, account_handle: str | None) -> Candidate:
    keys = derived_keys(platform, external_post_id)
    handles = {h.lower() for h in (account_handle,) if h}
    ref = parse_post_url(post_url) if post_url else None
    if ref is not None and ref.platform == platform:
        if ref.external_id:
            keys.add(ref.external_id)
        if ref.handle:
            handles.add(ref.handle.lower())
    author = SPECS[platform].url_author if platform in SPECS else None
    if author is not None and author(external_post_id):
        handles.add(author(external_post_id).lower())  # e.g. the author's DID on Bluesky
    return Candidate(post_id, platform, external_post_id, frozenset(keys), frozenset(handles))


def wanted_keys(m: Pending) -> set[tuple[str, str]]:
    """(platform, id) pairs a post must answer to for ``m``."""
    out: set[tuple[str, str]] = set()
    if m.ref is not None and m.ref.external_id:
        out.add((m.ref.platform, m.ref.external_id))
    if m.platform and m.given_external_id:
        out |= {(m.platform, k) for k in derived_keys(m.platform, m.given_external_id)}
    return out


def choose(m: Pending, found: list[Candidate]) -> Candidate | None:
    """The one post ``m`` maps to, or None when there is none or it stays ambiguous."""
    if len(found) == 1:
        return found[0]
    if len(found) > 1 and m.ref is not None and m.ref.handle:
        narrowed = [c for c in found if m.ref.handle.lower() in c.handles]
        if len(narrowed) == 1:
            return narrowed[0]
    return None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_CANDIDATES = """
SELECT p.id, p.platform, p.external_post_id, p.post_url, a.handle
FROM social_posts_analytics p
JOIN social_accounts a ON a.id = p.social_account_id
WHERE p.platform = ANY(%(platforms)s)
  AND (p.external_post_id = ANY(%(ids)s)
       OR p.external_post_id LIKE ANY(%(patterns)s)
       OR p.post_url LIKE ANY(%(patterns)s))
"""


def _load_candidates(conn, batch: list[Pending]) -> dict[tuple[str, str], list[Candidate]]:
    """Index of the posts that may match ``batch``: (platform, key) -> posts. The SQL filter is
    deliberately loose (a substring); the keys computed in Python decide."""
    wanted = set().union(*(wanted_keys(m) for m in batch)) if batch else set()
    if not wanted:
        return {}
    ids = sorted({k for _, k in wanted})
    rows = conn.execute(
        _CANDIDATES,
        {"platforms": sorted({p for p, _ in wanted}), "ids": ids, "patterns": [_like(k) for k in ids]},
    ).fetchall()
    index: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for post_id, platform, external_post_id, post_url, handle in rows:
        c = candidate(post_id, platform, external_post_id, post_url, handle)
        for key in c.keys:
            if (platform, key) in wanted:
                index[(platform, key)].append(c)
    return index


def resolve(conn, pending: list[Pending]) -> tuple[list[tuple[Pending, Candidate]], dict[str, int]]:
    """Match ``pending`` mappings to posts. Returns the matches and counts of why others did not."""
    matches: list[tuple[Pending, Candidate]] = []
    why: dict[str, int] = defaultdict(int)
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        index = _load_candidates(conn, batch)
        for m in batch:
            keys = wanted_keys(m)
            if not keys:
                why["short_links" if m.ref is not None else "unrecognized_urls"] += 1
                continue
            found = list({c.id: c for k in keys for c in index.get(k, [])}.values())
            chosen = choose(m, found)
            if chosen is not None:
                matches.append((m, chosen))
            else:
                why["ambiguous" if found else "no_post_yet"] += 1
    return matches, dict(why)


_LINK = """
UPDATE social_content_mappings m
SET post_id = u.post_id, platform = u.platform, external_post_id = u.external_post_id
FROM unnest(%s::bigint[], %s::integer[], %s::text[], %s::text[]) AS u(id, post_id, platform, external_post_id)
WHERE m.id = u.id AND m.post_id IS NULL
"""

_FILL = """
UPDATE social_content_mappings m
SET platform = COALESCE(m.platform, u.platform),
    external_post_id = COALESCE(m.external_post_id, u.external_post_id)
FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS u(id, platform, external_post_id)
WHERE m.id = u.id AND m.post_id IS NULL
  AND ((m.platform IS NULL AND u.platform IS NOT NULL)
       OR (m.external_post_id IS NULL AND u.external_post_id IS NOT NULL))
"""

# Only posts with no link of their own; the lowest mapping id wins among several.
_TAG_POSTS = """
UPDATE social_posts_analytics p
SET video_id = m.video_id, clip_id = m.clip_id, updated_at = now()
FROM (
    SELECT DISTINCT ON (post_id) post_id, video_id, clip_id
    FROM social_content_mappings
    WHERE post_id IS NOT NULL
    ORDER BY post_id, id
) m
WHERE p.id = m.post_id AND p.video_id IS NULL AND p.clip_id IS NULL
"""


def link_mappings(conn) -> dict[str, int]:
    """Do the whole job on ``conn`` in one transaction. Returns counts for metadata."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        rows = conn.execute(
            "SELECT id, post_url, platform, external_post_id FROM social_content_mappings "
            "WHERE post_id IS NULL ORDER BY id"
        ).fetchall()
        pending = []
        for mid, url, platform, external_post_id in rows:
            ref = parse_post_url(url)
            pending.append(Pending(mid, url, _canonical_platform(platform) or (ref and ref.platform), external_post_id, ref))
        matches, why = resolve(conn, pending)
        if matches:
            conn.execute(
                _LINK,
                (
                    [m.id for m, _ in matches],
                    [c.id for _, c in matches],
                    [c.platform for _, c in matches],
                    [c.external_post_id for _, c in matches],
                ),
            )
        matched = {m.id for m, _ in matches}
        fills = [
            (m.id, m.ref.platform, m.ref.external_id if m.ref.platform in URL_ID_IS_API_ID else None)
            for m in pending
            if m.id not in matched and m.ref is not None
        ]
        filled = 0
        if fills:
            filled = conn.execute(_FILL, ([f[0] for f in fills], [f[1] for f in fills], [f[2] for f in fills])).rowcount
        tagged = conn.execute(_TAG_POSTS).rowcount
        unmatched = conn.execute("SELECT count(*) FROM social_content_mappings WHERE post_id IS NULL").fetchone()[0]
    return {
        "pending_before": len(pending),
        "mappings_linked": len(matches),
        "still_unmatched": int(unmatched),
        "posts_tagged": max(tagged, 0),
        "unmatched_filled": max(filled, 0),
        "no_post_yet": why.get("no_post_yet", 0),
        "ambiguous": why.get("ambiguous", 0),
        "short_links": why.get("short_links", 0),
        "unrecognized_urls": why.get("unrecognized_urls", 0),
    }


@asset(
    key=CONTENT_MAPPINGS,
    deps=[POSTS],
    group_name="analytics",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_info("social_content_mappings"),  # updated in place by the asset, not the IO manager
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="Links each content mapping (post URL -> video/clip) to its tracked post by parsing "
    "the URL, and copies the video/clip onto posts that have no link of their own. Idempotent; "
    "unmatched mappings (post not pulled yet, short links) are retried on the next run." + dashboard_link("hashtags"),
)
def social_content_mappings(context: AssetExecutionContext, database: Database) -> MaterializeResult:
    with database.connect() as conn:
        stats = link_mappings(conn)
    if stats["still_unmatched"]:
        context.log.info(
            f"{stats['still_unmatched']} mapping(s) still unmatched: {stats['no_post_yet']} without a "
            f"tracked post yet, {stats['ambiguous']} ambiguous, {stats['short_links']} short links, "
            f"{stats['unrecognized_urls']} unrecognized URLs"
        )
    return MaterializeResult(
        metadata={**{k: MetadataValue.int(v) for k, v in stats.items()}, "table": "social_content_mappings"}
    )
