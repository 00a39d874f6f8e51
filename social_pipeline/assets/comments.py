"""Comments and replies, threaded through the platforms' own ids."""


import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from ..analytics.sentiment import score_comments
from ..analytics.threads import rebuild_threads
from ..normalize import TEXT_LIMITS, clean_text, naive_utc, parse_day
from ..parsed_pulls import parsed_pulls
from ..partitions import daily_partitions
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import BACKFILL_POLICY, RAW_INS, concat_raw, partition_days, post_ids, split_days
from .posts import POSTS

# parent_comment_id refers to social_comments.id, which exists only once the parent row is
# stored; resolve it from the platform's parent id after each write, in the same transaction.
# Each reply of the window finds its parent with one probe of the (post_id, external_comment_id)
# key, so the cost follows the day's replies, not every comment ever stored.
RESOLVE_PARENTS = """
WITH resolved AS MATERIALIZED (
    SELECT c.id, p.id AS parent_id
    FROM social_comments AS c
    CROSS JOIN LATERAL (
        SELECT id FROM social_comments
        WHERE post_id = c.post_id AND external_comment_id = c.parent_external_comment_id
    ) AS p
    WHERE c.parent_external_comment_id IS NOT NULL
      AND c.last_seen_date >= %(start)s AND c.last_seen_date < %(end)s
      AND c.parent_comment_id IS DISTINCT FROM p.id
)
UPDATE social_comments AS c SET parent_comment_id = r.parent_id FROM resolved AS r WHERE c.id = r.id
"""

COMMENT_COLUMNS = [
    "post_id", "external_comment_id", "comment_text", "author_username", "parent_external_comment_id",
    "is_reply", "likes_count", "is_creator_reply", "author_external_id", "commented_at",
    "first_seen_date", "last_seen_date", "thread_depth", "sentiment", "sentiment_score", "language",
    "sentiment_note",
]


def _comments_of(acct, database: Database) -> list[dict]:
    """One account's comments, loaded only now (a day's comments together would not need to fit)."""
    if acct.parsed.comments or not acct.comment_count:
        return acct.parsed.comments
    loaded = parsed_pulls([(acct.pull_id, acct.platform, acct.provider_name)], database)[acct.pull_id]
    return loaded.parsed.comments if loaded.parsed is not None else []


def _comment_rows(day, records, database: Database, out: dict[str, list]) -> None:
    """Append the day's comment rows to ``out`` (column -> values), account by account."""
    with database.connect() as conn:
        ids = post_ids(conn, ((a.platform, p["external_post_id"]) for a in records.accounts for p in a.parsed.posts))
        handles = dict(
            conn.execute(
                "SELECT id::text, lower(handle) FROM social_accounts WHERE id = ANY(%s::uuid[])",
                ([a.account_id for a in records.accounts],),
            ).fetchall()
        )
    for acct in records.accounts:
        own_handle = handles.get(acct.account_id, "").lstrip("@")
        own_id = acct.parsed.account.get("external_user_id")
        by_post: dict[str, list[dict]] = {}
        for c in _comments_of(acct, database):
            by_post.setdefault(c["external_post_id"], []).append(c)
        for external_post_id, comments in by_post.items():
            post_id = ids.get((acct.platform, external_post_id))
            if post_id is None:
                continue
            # Threads are rebuilt per post: replies may come before their parents, nest at any
            # depth, lose their parent (deleted), or, in corrupt data, loop (the loop is cut).
            threaded = rebuild_threads(comments, creator_handles={own_handle} if own_handle else set())
            scores = score_comments(c.get("comment_text") for c in threaded)
            for c, sentiment in zip(threaded, scores):
                author = clean_text(c.get("author_username"), TEXT_LIMITS["author_username"])
                author_id = c.get("author_external_id")
                by_id = own_id is not None and author_id is not None and str(author_id) == str(own_id)
                parent = None if c.get("cycle_broken") and c["depth"] == 0 else c.get("parent_external_comment_id")
                row = {
                    "post_id": post_id,
                    "external_comment_id": c["external_comment_id"],
                    "comment_text": clean_text(c.get("comment_text")),
                    "author_username": author,
                    "parent_external_comment_id": parent,
                    "is_reply": c["is_reply"],
                    "likes_count": c.get("likes_count"),
                    "is_creator_reply": bool(c["is_creator_reply"] or (by_id and c["is_reply"])),
                    "author_external_id": None if author_id is None else str(author_id)[:255],
                    "commented_at": naive_utc(c.get("commented_at")),
                    "first_seen_date": day,
                    "last_seen_date": day,
                    "thread_depth": c["depth"],
                    "sentiment": sentiment.label,
                    "sentiment_score": sentiment.score,
                    "language": sentiment.language,
                    "sentiment_note": (sentiment.reason or "")[:255] or None,
                }
                for name, value in row.items():
                    out[name].append(value)


@asset(
    key=AssetKey("social_comments"),
    ins=RAW_INS,
    deps=[POSTS],
    group_name="normalized",
    partitions_def=daily_partitions,
    backfill_policy=BACKFILL_POLICY,
    metadata=table_metadata(
        "social_comments",
        mode="upsert",
        keys=("post_id", "external_comment_id"),
        merge={"first_seen_date": "least", "last_seen_date": "greatest"},
        newer_column="last_seen_date",
        after_write=RESOLVE_PARENTS,
    ),
    kinds={"python", "postgres"},
    owners=["team:data-platform"],
    description="Comments and replies (replies to replies included), threads rebuilt from the "
    "platforms' ids, the creator's own replies flagged, and VADER sentiment for English text "
    "(other languages left unscored with the reason); upserted on (post_id, external_comment_id).",
)
def social_comments(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    columns: dict[str, list] = {c: [] for c in COMMENT_COLUMNS}
    for day, day_raw in split_days(concat_raw(raw), partition_days(context)).items():
        _comment_rows(day, parse_day(day_raw, database, with_comments=False), database, columns)
    df = pd.DataFrame(columns, columns=COMMENT_COLUMNS)
    del columns
    if len(df) and df["first_seen_date"].nunique() > 1:  # a range of days: the earliest sighting
        df["first_seen_date"] = df.groupby(["post_id", "external_comment_id"])["first_seen_date"].transform("min")
    df["post_id"] = df["post_id"].astype("Int64")
    df["likes_count"] = df["likes_count"].astype("Int64")
    df["thread_depth"] = df["thread_depth"].astype("Int64")
    df["sentiment_score"] = pd.to_numeric(df["sentiment_score"], errors="coerce")
    scored = int(df["sentiment"].notna().sum()) if len(df) else 0
    return Output(
        df,
        metadata={
            "comments": len(df),
            "replies": int(df["is_reply"].sum()) if len(df) else 0,
            "sentiment_scored": scored,
            "sentiment_unscored": len(df) - scored,
        },
    )
