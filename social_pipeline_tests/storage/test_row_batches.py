"""Batched writes and parent links: ``RowBatches`` through the IO manager's write path.

Comments are the case: replies point at their parent's ``id``, set by the same INSERT that
writes them (the parent may be later in the batch, in an earlier batch, or stored by an earlier
write), existing rows keep their ids, and a failure anywhere leaves the previous version whole.
"""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest

from social_pipeline.assets.comments import COMMENT_COLUMNS
from social_pipeline.storage.batches import RowBatches
from social_pipeline.storage.io_manager import TableSpec, write_frame

DAY = date(2026, 5, 3)
WINDOW = (DAY, DAY + timedelta(days=1))
COMMENTS = TableSpec(
    "social_comments", mode="upsert", keys=("post_id", "external_comment_id"),
    merge={"first_seen_date": "least", "last_seen_date": "greatest"}, newer_column="last_seen_date",
    parent_link=("parent_comment_id", "parent_external_comment_id"),
)


@pytest.fixture
def posts(conn) -> tuple[int, int]:
    account = conn.execute(
        "INSERT INTO social_accounts (platform, handle) VALUES ('youtube', 'batches') RETURNING id"
    ).fetchone()[0]
    return tuple(
        conn.execute(
            "INSERT INTO social_posts_analytics (social_account_id, external_post_id, platform) "
            "VALUES (%s, %s, 'youtube') RETURNING id", (account, external),
        ).fetchone()[0]
        for external in ("vid-a", "vid-b")
    )


def comment(post_id: int, cid: str, parent: str | None = None, day: date = DAY, text: str = "hi") -> tuple:
    values = {
        "post_id": post_id, "external_comment_id": cid, "comment_text": text, "author_username": "fan",
        "parent_external_comment_id": parent, "is_reply": parent is not None, "likes_count": 1,
        "is_creator_reply": False, "author_external_id": None, "commented_at": None,
        "first_seen_date": day, "last_seen_date": day, "thread_depth": 0 if parent is None else 1,
        "sentiment": None, "sentiment_score": None, "language": None, "sentiment_note": None,
    }
    return tuple(values[c] for c in COMMENT_COLUMNS)


def write(db_url: str, batches: list[list[tuple]], spec: TableSpec = COMMENTS) -> RowBatches:
    data = RowBatches(COMMENT_COLUMNS, iter(batches))
    with psycopg.connect(db_url) as c:
        write_frame(c, spec, data, WINDOW)
    return data


def stored(conn) -> dict[tuple[int, str], tuple[int, int | None, str]]:
    """(post_id, external id) -> (id, parent's external id through parent_comment_id, text)."""
    rows = conn.execute(
        "SELECT c.post_id, c.external_comment_id, c.id, p.external_comment_id, c.comment_text "
        "FROM social_comments c LEFT JOIN social_comments p ON p.id = c.parent_comment_id"
    ).fetchall()
    return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}


def test_parents_are_linked_within_a_batch_across_batches_and_to_stored_rows(db_url, conn, posts):
    a, b = posts
    write(db_url, [[comment(a, "a1")]])  # stored by an earlier write
    data = write(db_url, [
        [comment(a, "a3", parent="a2"), comment(a, "a2", parent="a1"), comment(b, "b1")],  # reply before its parent
        [comment(b, "b2", parent="b1"), comment(a, "a4", parent="gone"), comment(a, "a5", parent="a2")],
    ])
    assert data.written == 6 and len(data.head) == 5
    rows = stored(conn)
    assert {k[1]: v[1] for k, v in rows.items()} == {
        "a1": None, "a2": "a1", "a3": "a2", "b1": None, "b2": "b1", "a4": None, "a5": "a2",
    }
    # parents resolve inside their own post only
    assert conn.execute(
        "SELECT count(*) FROM social_comments c JOIN social_comments p ON p.id = c.parent_comment_id "
        "WHERE p.post_id <> c.post_id"
    ).fetchone()[0] == 0


def test_a_second_write_keeps_ids_and_follows_parent_changes(db_url, conn, posts):
    a, _ = posts
    write(db_url, [[comment(a, "a1"), comment(a, "a2", parent="a1"), comment(a, "a3", parent="a2")]])
    before = stored(conn)
    later = DAY + timedelta(days=1)
    # a3 is now top-level (its parent id gone from the payload); an older replay of a2 changes nothing
    write(db_url, [[comment(a, "a3", day=later, text="edited"), comment(a, "a2", parent="a1", day=DAY - timedelta(days=3), text="old")]])
    after = stored(conn)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    assert after[(a, "a3")][1:] == (None, "edited")
    assert after[(a, "a2")][1:] == ("a1", "hi")
    assert conn.execute(
        "SELECT first_seen_date, last_seen_date FROM social_comments WHERE external_comment_id = 'a2'"
    ).fetchone() == (DAY - timedelta(days=3), DAY)


def test_a_key_repeated_within_a_batch_is_refused_and_nothing_changes(db_url, conn, posts):
    a, _ = posts
    write(db_url, [[comment(a, "a1", text="kept")]])
    with pytest.raises(ValueError, match="repeat a key"):
        write(db_url, [[comment(a, "a2")], [comment(a, "a1", text="x"), comment(a, "a1", text="y")]])
    assert {k[1]: v[2] for k, v in stored(conn).items()} == {"a1": "kept"}


def test_a_producer_failing_mid_stream_leaves_the_previous_version(db_url, conn, posts):
    a, _ = posts
    write(db_url, [[comment(a, "a1", text="kept")]])

    def batches():
        yield [comment(a, "a1", text="new"), comment(a, "a2")]
        raise RuntimeError("payload store went away")

    with pytest.raises(RuntimeError, match="went away"), psycopg.connect(db_url) as c:
        write_frame(c, COMMENTS, RowBatches(COMMENT_COLUMNS, batches()), WINDOW)
    assert {k[1]: v[2] for k, v in stored(conn).items()} == {"a1": "kept"}


def test_rows_of_the_wrong_width_are_refused(db_url, conn, posts):
    a, _ = posts
    with pytest.raises(ValueError, match="values for 17 columns"):
        write(db_url, [[comment(a, "a1")[:-1]]])
    assert stored(conn) == {}


def test_batches_replace_a_partition(db_url, conn):
    spec = TableSpec("social_api_usage", partition_column="date")
    columns = ["provider_name", "platform", "endpoint", "request_count", "success", "latency_ms", "date"]

    def run(prefix: str, batches: int) -> None:
        data = RowBatches(columns, ([("demo", "tiktok", f"{prefix}{b}-{i}", i, True, 3, DAY) for i in range(100)] for b in range(batches)))
        with psycopg.connect(db_url) as c:
            write_frame(c, spec, data, WINDOW)
        assert data.written == 100 * batches

    run("first", 3)
    run("second", 2)
    assert conn.execute("SELECT count(*), min(endpoint) FROM social_api_usage").fetchone() == (200, "second0-0")


def test_parent_link_is_only_for_upserts():
    with pytest.raises(ValueError, match="parent_link"):
        TableSpec("social_comments", parent_link=("parent_comment_id", "parent_external_comment_id"))
