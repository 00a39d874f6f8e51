"""Comments and replies, threaded through the platforms' own ids."""


import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from ..normalize import TEXT_LIMITS, clean_text, naive_utc, parse_day
from ..partitions import daily_partitions
from ..storage.database import Database
from ..storage.io_manager import table_metadata
from .common import RAW_INS, concat_raw, partition_day, post_ids
from .posts import POSTS

# parent_comment_id refers to social_comments.id, which exists only once the parent row is
# stored; resolve it from the platform's parent id after each write, in the same transaction.
RESOLVE_PARENTS = """
UPDATE social_comments AS c
SET parent_comment_id = p.id
FROM social_comments AS p
WHERE c.parent_external_comment_id IS NOT NULL
  AND c.last_seen_date >= %(start)s AND c.last_seen_date < %(end)s
  AND p.post_id = c.post_id
  AND p.external_comment_id = c.parent_external_comment_id
  AND c.parent_comment_id IS DISTINCT FROM p.id
"""

COMMENT_COLUMNS = [
    "post_id", "external_comment_id", "comment_text", "author_username", "parent_external_comment_id",
    "is_reply", "likes_count", "is_creator_reply", "author_external_id", "commented_at",
    "first_seen_date", "last_seen_date",
]


@asset(
    key=AssetKey("social_comments"),
    ins=RAW_INS,
    deps=[POSTS],
    group_name="normalized",
    partitions_def=daily_partitions,
    metadata=table_metadata(
        "social_comments",
        mode="upsert",
        keys=("post_id", "external_comment_id"),
        merge={"first_seen_date": "least", "last_seen_date": "greatest"},
        newer_column="last_seen_date",
        after_write=RESOLVE_PARENTS,
    ),
    kinds={"python", "postgres"},
    description="Comments and replies (replies to replies included) with the creator's own replies "
    "flagged; upserted on (post_id, external_comment_id).",
)
def social_comments(context: AssetExecutionContext, database: Database, **raw: pd.DataFrame):
    day = partition_day(context)
    records = parse_day(concat_raw(raw))
    with database.connect() as conn:
        ids = post_ids(conn, ((a.platform, p["external_post_id"]) for a in records.accounts for p in a.parsed.posts))
        handles = dict(
            conn.execute(
                "SELECT id::text, lower(handle) FROM social_accounts WHERE id = ANY(%s::uuid[])",
                ([a.account_id for a in records.accounts],),
            ).fetchall()
        )
    rows = []
    for acct in records.accounts:
        own_handle = handles.get(acct.account_id, "").lstrip("@")
        own_id = acct.parsed.account.get("external_user_id")
        for c in acct.parsed.comments:
            post_id = ids.get((acct.platform, c["external_post_id"]))
            if post_id is None:
                continue
            author = clean_text(c.get("author_username"), TEXT_LIMITS["author_username"])
            author_id = c.get("author_external_id")
            is_creator = bool(
                (author and author.lstrip("@").lower() == own_handle)
                or (own_id is not None and author_id is not None and str(author_id) == str(own_id))
            )
            parent = c.get("parent_external_comment_id")
            rows.append(
                {
                    "post_id": post_id,
                    "external_comment_id": c["external_comment_id"],
                    "comment_text": clean_text(c.get("comment_text")),
                    "author_username": author,
                    "parent_external_comment_id": parent,
                    "is_reply": parent is not None,
                    "likes_count": c.get("likes_count"),
                    "is_creator_reply": is_creator and parent is not None,
                    "author_external_id": None if author_id is None else str(author_id)[:255],
                    "commented_at": naive_utc(c.get("commented_at")),
                    "first_seen_date": day,
                    "last_seen_date": day,
                }
            )
    df = pd.DataFrame(rows, columns=COMMENT_COLUMNS)
    df["post_id"] = df["post_id"].astype("Int64")
    df["likes_count"] = df["likes_count"].astype("Int64")
    return Output(df, metadata={"comments": len(df), "replies": int(df["is_reply"].sum()) if len(df) else 0})
