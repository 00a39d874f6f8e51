"""Comments and replies, threaded through the platforms' own ids."""

from typing import Iterator

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, asset

from ..analytics.sentiment import score_comments
from ..analytics.threads import rebuild_threads
from ..ingest.normalize import TEXT_LIMITS, clean_text, comments_as_known, naive_utc
from ..ingest.parsed_pulls import parsed_pulls
from ..lineage import lineage_of
from ..partitions import daily_partitions
from ..storage.batches import RowBatches
from ..storage.copy import as_int
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import BACKFILL_POLICY, CRITICAL_PATH_PRIORITY, DAILY_FRESHNESS, LEDGER_INS, OWNERS, parsed_days, post_ids, priority, dashboard_link
from .posts import POSTS

COMMENT_COLUMNS = [
    "post_id", "external_comment_id", "comment_text", "author_username", "parent_external_comment_id",
    "is_reply", "likes_count", "is_creator_reply", "author_external_id", "commented_at",
    "first_seen_date", "last_seen_date", "thread_depth", "sentiment", "sentiment_score", "language",
    "sentiment_note",
]
_KEY = slice(0, 2)  # (post_id, external_comment_id)
_FIRST_SEEN = COMMENT_COLUMNS.index("first_seen_date")
_IS_REPLY = COMMENT_COLUMNS.index("is_reply")
_SENTIMENT = COMMENT_COLUMNS.index("sentiment")

# Accounts whose comments make one batch: about 1,900 comments each at the benchmark's scale, so
# a batch is some 50,000 rows (tens of MiB), however many accounts the day holds.
BATCH_ACCOUNTS = 25


def _comments_of(day, acct, database: Database) -> list[dict]:
    """One account's comments, loaded only now (a day's comments together would not need to fit),
    as known on ``day`` (``comments_as_known``: the day's posts, written by its end)."""
    if acct.parsed.comments or not acct.comment_count:
        return acct.parsed.comments
    loaded = parsed_pulls([(acct.pull_id, acct.platform, acct.provider_name)], database)[acct.pull_id]
    return comments_as_known(day, acct, loaded.parsed.comments) if loaded.parsed is not None else []


def _account_rows(day, acct, ids: dict, own_handle: str, database: Database) -> Iterator[tuple]:
    """One account's comment rows of one day, in COMMENT_COLUMNS order."""
    own_id = acct.parsed.account.get("external_user_id")
    by_post: dict[str, list[dict]] = {}
    for c in _comments_of(day, acct, database):
        by_post.setdefault(c["external_post_id"], []).append(c)
    for external_post_id, comments in by_post.items():
        post_id = ids.get((acct.account_id, acct.platform, external_post_id))
        if post_id is None:
            continue
        # Threads are rebuilt per post: replies may come before their parents, nest at any
        # depth, lose their parent (deleted), or, in corrupt data, loop (the loop is cut).
        threaded = rebuild_threads(comments, creator_handles={own_handle} if own_handle else set())
        scores = score_comments(c.get("comment_text") for c in threaded)
        for c, sentiment in zip(threaded, scores):
            author_id = c.get("author_external_id")
            by_id = own_id is not None and author_id is not None and str(author_id) == str(own_id)
            yield (
                post_id,
                c["external_comment_id"],
                clean_text(c.get("comment_text")),
                clean_text(c.get("author_username"), TEXT_LIMITS["author_username"]),
                None if c.get("cycle_broken") and c["depth"] == 0 else c.get("parent_external_comment_id"),
                c["is_reply"],
                None if c.get("likes_count") is None else as_int(c["likes_count"]),
                bool(c["is_creator_reply"] or (by_id and c["is_reply"])),
                None if author_id is None else str(author_id)[:255],
                naive_utc(c.get("commented_at")),
                day,
                day,
                c["depth"],
                sentiment.label,
                sentiment.score,
                sentiment.language,
                (sentiment.reason or "")[:255] or None,
            )


def _latest_sightings(rows: list[tuple]) -> list[tuple]:
    """One row per comment over a range of days: the last day's, first seen on the earliest."""
    latest: dict[tuple, tuple] = {}
    first: dict[tuple, object] = {}
    for row in rows:  # days in order
        key = row[_KEY]
        first.setdefault(key, row[_FIRST_SEEN])
        latest[key] = row
    return [(*row[:_FIRST_SEEN], first[key], *row[_FIRST_SEEN + 1 :]) for key, row in latest.items()]


def comment_batches(days: dict, database: Database, metadata: dict) -> Iterator[list[tuple]]:
    """The comment rows of ``days`` (day -> DayRecords), a batch per BATCH_ACCOUNTS accounts.

    An account's comments over every day of the range are in one batch, so no comment repeats
    across batches. ``metadata`` receives the counts as the batches go.
    """
    metadata.update(comments=0, replies=0, sentiment_scored=0, sentiment_unscored=0)
    accounts = {day: {a.account_id: a for a in records.accounts} for day, records in days.items()}
    order = list(dict.fromkeys(a for per_day in accounts.values() for a in per_day))
    for start in range(0, len(order), BATCH_ACCOUNTS):
        chunk = [(day, per_day[a]) for day, per_day in accounts.items() for a in order[start : start + BATCH_ACCOUNTS] if a in per_day]
        with database.connect() as conn:
            ids = post_ids(conn, ((a.account_id, a.platform, p["external_post_id"]) for _, a in chunk for p in a.parsed.posts))
            handles = dict(
                conn.execute(
                    "SELECT id::text, lower(handle) FROM social_accounts WHERE id = ANY(%s::uuid[])",
                    (list({a.account_id for _, a in chunk}),),
                ).fetchall()
            )
        rows = [
            row for day, acct in chunk
            for row in _account_rows(day, acct, ids, handles.get(acct.account_id, "").lstrip("@"), database)
        ]
        if len(days) > 1:
            rows = _latest_sightings(rows)
        replies = sum(1 for r in rows if r[_IS_REPLY])
        scored = sum(1 for r in rows if r[_SENTIMENT] is not None)
        metadata["comments"] += len(rows)
        metadata["replies"] += replies
        metadata["sentiment_scored"] += scored
        metadata["sentiment_unscored"] += len(rows) - scored
        yield rows


@asset(
    key=AssetKey("social_comments"),
    ins=LEDGER_INS,
    op_tags=priority(CRITICAL_PATH_PRIORITY),
    deps=[POSTS],
    group_name="normalized",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata(
        "social_comments", lineage=lineage_of("social_comments"),
        mode="upsert",
        keys=("post_id", "external_comment_id"),
        merge={"first_seen_date": "least", "last_seen_date": "greatest"},
        newer_column="last_seen_date",
        parent_link=("parent_comment_id", "parent_external_comment_id"),
    ),
    kinds={"python", "postgres"},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="Comments and replies (replies to replies included), threads rebuilt from the "
    "platforms' ids, the creator's own replies flagged, and VADER sentiment for English text "
    "(other languages left unscored with the reason); upserted on (post_id, external_comment_id) "
    "in batches of accounts, with each reply's parent_comment_id set by the same insert." + dashboard_link("audience"),
)
def social_comments(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    days = {
        day: records for day, records in parsed_days(context, raw, database)
    }
    batches = RowBatches(COMMENT_COLUMNS, [])
    batches.batches = comment_batches(days, database, batches.metadata)
    return batches
