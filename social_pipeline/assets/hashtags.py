"""Hashtag aggregates over the whole post history, kept up to date incrementally, and each post's
links to its hashtags.

``social_hashtags`` holds, per hashtag, the sum over every post known by ``stats_date``: uses,
summed latest views, mean engagement rate, first/last use and uses per platform. Recomputing
that from all posts every day would make a day's run grow with the history, so each post
remembers what it last added (``social_posts_analytics.hashtag_stats``: its hashtags, latest
views and rate, date of use) and each hashtag keeps the exact sum behind its mean
(``engagement_rate_sum`` over ``rated_posts``). A run re-counts only the posts that can have
changed since the aggregates were last written, i.e. those seen or measured since that day (the
posts the day's pulls refreshed), and moves each hashtag by the difference. The work follows the
day's activity, not the length of the history.

Everything is recounted from all posts instead when there is nothing to continue from: the first
run, hashtags whose sums are unknown (written by hand, from before incremental counting, or
whose posts were deleted: a trigger clears their sums), a post leaving the first or last use of a
hashtag that others still use, or when asked (config ``rebuild``).

The aggregates only move forward: materializing an older day updates them as of the newest day
already counted (a replay never regresses newer stats), re-counting the posts that older day
touched.

Means are exact (a sum of DECIMAL(5,2) rates over a count) rounded half away from zero to two
decimals, as PostgreSQL's round() does, whichever way a hashtag's sums were reached.
"""


import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Config, MaterializeResult, MetadataValue, Output, asset
from pydantic import Field

from ..analytics.hashtags import extract_hashtags
from ..lineage import column_lineage
from ..lineage import lineage_of
from ..partitions import daily_partitions
from ..storage.database import Database
from ..storage.io_manager import TableSpec, table_info, table_metadata, write_frame
from .common import BACKFILL_POLICY, DAILY_FRESHNESS, OWNERS, partition_days, dashboard_link
from .posts import POSTS

HASHTAGS = AssetKey("social_hashtags")
CENT = Decimal("0.01")
# The advisory-lock keys the IO manager takes to write these tables: holding both serializes a
# recount with concurrent post upserts and with another recount.
_LOCKS = ("social_pipeline:social_hashtags", "social_pipeline:social_posts_analytics")
AGGREGATE_COLUMNS = [
    "hashtag", "total_uses", "total_views", "avg_engagement_rate", "first_seen_date", "last_seen_date",
    "stats_date", "platform_breakdown", "rated_posts", "engagement_rate_sum",
]
_AGGREGATES = TableSpec("social_hashtags", mode="upsert", keys=("hashtag",))

# The text a post's hashtags are read from: the platform's own tags where it defines them
# (social_posts_analytics.hashtags: Bluesky facets, X entities, YouTube title and description),
# written as '#tag #tag'; else the caption. An empty list means the platform said: no tags.
TAG_TEXT = (
    "CASE WHEN p.hashtags IS NULL THEN p.caption WHEN cardinality(p.hashtags) = 0 THEN '' "
    "ELSE '#' || array_to_string(p.hashtags, ' #') END"
)

# Posts with their latest daily metrics up to a day; {posts} yields the posts as ``p``, {where}
# may narrow them.
_POSTS = """
SELECT p.id, {tag_text} AS caption, p.first_seen_date, p.posted_at::date, p.platform, p.hashtag_stats,
       m.views_count, m.engagement_rate
FROM {posts}
LEFT JOIN LATERAL (
    SELECT views_count, engagement_rate FROM social_post_metrics m
    WHERE m.post_id = p.id AND m.snapshot_date <= %(as_of)s AND m.snapshot_hour IS NULL
    ORDER BY m.snapshot_date DESC LIMIT 1
) m ON TRUE
{where}
""".replace("{tag_text}", TAG_TEXT)
# A recount: every post that counts or counted.
_ALL = {
    "posts": "social_posts_analytics p",
    "where": "WHERE (p.first_seen_date <= %(as_of)s AND (p.caption LIKE '%%#%%' OR cardinality(p.hashtags) > 0)) "
    "OR p.hashtag_stats IS NOT NULL",
}
# The posts whose contribution can differ from what they last added: seen (caption, date of use)
# or measured (latest metrics) since ``since``, found through the last_seen_date and
# snapshot_date indexes and then looked up one by one (OFFSET 0 keeps the planner from
# merging with a scan of every post): the work follows the days' activity, not the history.
_CHANGED = {
    "posts": """(
        SELECT id FROM social_posts_analytics WHERE last_seen_date >= %(since)s
        UNION
        SELECT post_id FROM social_post_metrics
        WHERE snapshot_date >= %(since)s AND snapshot_date <= %(as_of)s AND snapshot_hour IS NULL
    ) AS changed (id)
    CROSS JOIN LATERAL (
        SELECT p.id, p.caption, p.hashtags, p.first_seen_date, p.posted_at, p.platform, p.hashtag_stats
        FROM social_posts_analytics p WHERE p.id = changed.id OFFSET 0
    ) AS p""",
    "where": "",
}


@dataclass(frozen=True)
class Contribution:
    """What one post adds to each of its hashtags."""

    tags: tuple[str, ...]
    views: int | None
    rate: Decimal | None
    seen: date | None  # date of use: published, else first seen
    platform: str

    def ledger(self) -> str:
        return json.dumps(
            {
                "tags": list(self.tags),
                "views": self.views,
                "rate": None if self.rate is None else float(self.rate),
                "seen": None if self.seen is None else self.seen.isoformat(),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_ledger(cls, stored, platform: str) -> "Contribution | None":
        if stored is None:
            return None
        if isinstance(stored, str):
            stored = json.loads(stored)
        rate, seen = stored.get("rate"), stored.get("seen")
        return cls(
            tags=tuple(stored.get("tags") or ()),
            views=stored.get("views"),
            rate=None if rate is None else Decimal(str(rate)),
            seen=None if seen is None else date.fromisoformat(seen),
            platform=platform,
        )


def contribution(caption, first_seen, posted, views, rate, platform, as_of: date | None = None) -> Contribution | None:
    """A post's contribution, or None when it has no hashtag or was not known by ``as_of``."""
    if as_of is not None and (first_seen is None or first_seen > as_of):
        return None
    tags = extract_hashtags(caption)
    if not tags:
        return None
    return Contribution(
        tags=tuple(tags),
        views=None if views is None else int(views),
        rate=None if rate is None else Decimal(str(rate)),
        seen=posted or first_seen,
        platform=platform,
    )


class Recount(Exception):
    """The running sums cannot absorb a change (a first or last use left a hashtag)."""


@dataclass
class Tally:
    """One hashtag's running sums."""

    uses: int = 0
    views: int = 0
    rated: int = 0
    rate_sum: Decimal = Decimal(0)
    first: date | None = None
    last: date | None = None
    platforms: Counter = field(default_factory=Counter)

    def add(self, c: Contribution) -> None:
        self.uses += 1
        self.views += c.views or 0
        if c.rate is not None:
            self.rated += 1
            self.rate_sum += c.rate
        self.platforms[c.platform] += 1
        if c.seen is not None:
            self.first = c.seen if self.first is None else min(self.first, c.seen)
            self.last = c.seen if self.last is None else max(self.last, c.seen)

    def remove(self, c: Contribution) -> None:
        if self.uses <= 0:
            raise Recount  # the post's record and the sums disagree: count again
        self.uses -= 1
        self.views -= c.views or 0
        if c.rate is not None:
            self.rated -= 1
            self.rate_sum -= c.rate
        self.platforms[c.platform] -= 1
        if self.platforms[c.platform] <= 0:
            del self.platforms[c.platform]
        if self.uses == 0:
            self.first = self.last = None
        elif c.seen is not None and c.seen in (self.first, self.last):
            raise Recount  # the remaining posts' first/last use is not known without them

    def swap(self, old: Contribution, new: Contribution) -> None:
        """The same post, same hashtag and date of use: only its numbers moved."""
        self.views += (new.views or 0) - (old.views or 0)
        self.rated += (new.rate is not None) - (old.rate is not None)
        self.rate_sum += (new.rate or 0) - (old.rate or 0)

    def row(self, tag: str, day: date) -> dict:
        mean = (self.rate_sum / self.rated).quantize(CENT, ROUND_HALF_UP) if self.rated else None
        return {
            "hashtag": tag,
            "total_uses": self.uses,
            "total_views": self.views,
            "avg_engagement_rate": mean,
            "first_seen_date": self.first,
            "last_seen_date": self.last,
            "stats_date": day,
            "platform_breakdown": dict(sorted(self.platforms.items())),
            "rated_posts": self.rated,
            "engagement_rate_sum": self.rate_sum,
        }

    @classmethod
    def from_row(cls, uses, views, rated, rate_sum, first, last, platforms) -> "Tally":
        return cls(int(uses or 0), int(views or 0), int(rated or 0), Decimal(rate_sum or 0), first, last,
                   Counter(platforms or {}))


def _move(tallies: dict[str, Tally], old: Contribution | None, new: Contribution | None) -> set[str]:
    """Replace what a post added (``old``) by what it adds now (``new``). Returns the hashtags
    touched."""
    old_tags = set(old.tags) if old is not None else set()
    new_tags = set(new.tags) if new is not None else set()
    for tag in old_tags | new_tags:
        tally = tallies.setdefault(tag, Tally())
        if tag in old_tags and tag in new_tags and old.seen == new.seen and old.platform == new.platform:
            tally.swap(old, new)
            continue
        if tag in new_tags:
            tally.add(new)  # first: an earlier or later date of use can stand in for the old one
        if tag in old_tags:
            tally.remove(old)
    return old_tags | new_tags


def aggregate(rows: Iterable[tuple], day: date) -> pd.DataFrame:
    """Per hashtag, from (id, caption, first_seen, posted, views, rate, platform) rows: posts using
    it, their summed latest views, mean engagement rate, first/last use and uses per platform."""
    tallies: dict[str, Tally] = {}
    for _, caption, first_seen, posted, views, rate, platform in rows:
        c = contribution(caption, first_seen, posted, views, rate, platform)
        if c is not None:
            for tag in c.tags:
                tallies.setdefault(tag, Tally()).add(c)
    return _frame([t.row(tag, day) for tag, t in tallies.items()])


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=AGGREGATE_COLUMNS)
    return df.astype({"total_uses": "Int64", "total_views": "Int64", "rated_posts": "Int64"})


def refresh_hashtags(conn, days: list[date], rebuild: bool = False) -> dict:
    """Bring ``social_hashtags`` (and the posts' ``hashtag_stats``) up to the last of ``days`` (or
    the newest day already counted, if later), in one transaction. Returns counts for metadata."""
    started = time.perf_counter()
    with conn.transaction():
        for key in sorted(_LOCKS):
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))
        counted, unknown = conn.execute(
            "SELECT max(stats_date), bool_or(rated_posts IS NULL OR engagement_rate_sum IS NULL) FROM social_hashtags"
        ).fetchone()
        as_of = max(days[-1], counted) if counted else days[-1]
        mode = "recount" if rebuild or counted is None or unknown else "incremental"
        if mode == "incremental":
            try:
                with conn.transaction():  # a savepoint: a Recount falls back cleanly
                    stats = _apply(conn, as_of, since=min(counted, days[0]))
            except Recount:
                mode = "recount"
        if mode == "recount":
            stats = _apply(conn, as_of, since=None)
    return {**stats, "mode": mode, "as_of": as_of.isoformat(), "seconds": round(time.perf_counter() - started, 3)}


def _apply(conn, as_of: date, since: date | None) -> dict:
    """Re-count the changed posts (all posts when ``since`` is None) and write the difference."""
    source = _ALL if since is None else _CHANGED
    posts = conn.execute(_POSTS.format(**source), {"as_of": as_of, "since": since}).fetchall()
    tallies: dict[str, Tally] = {}
    if since is not None:
        for tag, *values in conn.execute(
            "SELECT hashtag, total_uses, total_views, rated_posts, engagement_rate_sum, first_seen_date, "
            "last_seen_date, platform_breakdown FROM social_hashtags WHERE total_uses > 0"
        ):
            tallies[tag] = Tally.from_row(*values)
    touched: set[str] = set()
    ledger_ids, ledger_values = [], []
    for post_id, caption, first_seen, posted, platform, stored, views, rate in posts:
        new = contribution(caption, first_seen, posted, views, rate, platform, as_of)
        old = Contribution.from_ledger(stored, platform)
        if since is None:
            touched |= _move(tallies, None, new)  # counting from zero
        elif new != old:
            touched |= _move(tallies, old, new)
        if new != old:
            ledger_ids.append(post_id)
            ledger_values.append(None if new is None else new.ledger())
    rows = [t.row(tag, as_of) for tag, t in tallies.items() if t.uses > 0 or tag in touched]
    if since is None:
        # Hashtags no post uses any more keep their row, at zero.
        counted = {r["hashtag"] for r in rows}
        stale = [tag for (tag,) in conn.execute(
            "SELECT hashtag FROM social_hashtags WHERE total_uses IS DISTINCT FROM 0 OR rated_posts IS NULL")
            if tag not in counted]
        rows += [Tally().row(tag, as_of) for tag in stale]
    if ledger_ids:
        # By primary key, in id order (the planner would rather hash-join a scan of every post).
        ledger_ids, ledger_values = map(list, zip(*sorted(zip(ledger_ids, ledger_values))))
        conn.execute(
            "UPDATE social_posts_analytics p SET hashtag_stats = u.stats::jsonb "
            "FROM unnest(%s::int[], %s::text[]) AS u(id, stats) WHERE p.id = u.id AND p.id = ANY(%s::int[])",
            (ledger_ids, ledger_values, ledger_ids),
        )
    write_frame(conn, _AGGREGATES, _frame(rows), None)
    return {"hashtags_written": len(rows), "posts_recounted": len(posts), "posts_changed": len(ledger_ids)}


class HashtagConfig(Config):
    rebuild: bool = Field(default=False, description="Recount every hashtag from all posts instead of incrementally.")


@asset(
    key=HASHTAGS,
    deps=[AssetKey("social_post_metrics")],
    group_name="analytics",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_info("social_hashtags"),  # written by refresh_hashtags, not the IO manager
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="Every hashtag's uses, summed views, mean engagement rate, first/last use and uses per "
    "platform over all posts known by the end of the day, kept incrementally: only the posts seen or "
    "measured since the last count are re-counted (a replay of an older day does not regress newer stats)." + dashboard_link("hashtags"),
)
def social_hashtags(context: AssetExecutionContext, config: HashtagConfig, database: Database) -> MaterializeResult:
    with database.connect() as conn:
        stats = refresh_hashtags(conn, partition_days(context), rebuild=config.rebuild)
    context.log.info(f"social_hashtags: {stats}")
    lineage = column_lineage("social_hashtags")
    return MaterializeResult(
        metadata={
            **{k: (MetadataValue.int(v) if isinstance(v, int) else MetadataValue.text(str(v))) for k, v in stats.items()},
            "dagster/row_count": stats["hashtags_written"],
            **({"dagster/column_lineage": lineage} if lineage is not None else {}),
        }
    )


@asset(
    key=AssetKey("social_post_hashtags"),
    deps=[HASHTAGS, POSTS],
    group_name="analytics",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata("social_post_hashtags", lineage=lineage_of("social_post_hashtags"), mode="replace_keys", keys=("post_id",)),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="Links from the posts seen that day to their hashtags, with the position of first use." + dashboard_link("hashtags"),
)
def social_post_hashtags(context: AssetExecutionContext, database: Database):
    days = partition_days(context)
    with database.connect() as conn:
        # The posts seen in the range, through the last_seen_date index (first_seen <= last_seen).
        posts = conn.execute(
            f"SELECT p.id, {TAG_TEXT} FROM social_posts_analytics p WHERE p.last_seen_date >= %s AND p.first_seen_date <= %s",
            (days[0], days[-1]),
        ).fetchall()
        tagged = [(pid, extract_hashtags(caption)) for pid, caption in posts]
        names = sorted({t for _, tags in tagged for t in tags})
        ids = dict(conn.execute("SELECT hashtag, id FROM social_hashtags WHERE hashtag = ANY(%s)", (names,)).fetchall())
    rows = [
        {"post_id": pid, "hashtag_id": ids[tag], "position": pos}
        for pid, tags in tagged
        for pos, tag in enumerate(tags)
        if tag in ids
    ]
    df = pd.DataFrame(rows, columns=["post_id", "hashtag_id", "position"]).astype("Int64")
    return Output(df, metadata={"links": len(df), "posts": len(posts)})
