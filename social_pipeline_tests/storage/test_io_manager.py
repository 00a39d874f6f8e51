"""The Postgres IO manager: partition replace, slices, upserts that keep ids, rollback on a
failure mid-write, loading upstream partitions, metadata."""

from datetime import date

import pandas as pd
import psycopg
import pytest
from dagster import AssetIn, DailyPartitionsDefinition, asset, materialize

from social_pipeline.storage.database import Database
from social_pipeline.storage.io_manager import PostgresIOManager, TableSpec, table_metadata, write_frame

DAY = date(2026, 3, 1)
WINDOW = (DAY, date(2026, 3, 2))
parts = DailyPartitionsDefinition(start_date="2026-03-01")


@pytest.fixture
def account_id(conn):
    return conn.execute(
        "INSERT INTO social_accounts (platform, handle) VALUES ('tiktok', 'io_test') RETURNING id::text"
    ).fetchone()[0]


def _usage(n, platform="tiktok", day=DAY, success=True):
    return pd.DataFrame(
        {
            "provider_name": ["official"] * n,
            "platform": [platform] * n,
            "endpoint": [f"e{i}" for i in range(n)],
            "request_count": pd.array(range(n), dtype="Int64"),
            "success": [success] * n,
            "latency_ms": pd.array(([None] + list(range(1, n)))[:n], dtype="Int64"),
            "date": [day] * n,
        }
    )


def _count(conn, table, where="TRUE", params=()):
    return conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]


def test_replace_partition_never_duplicates(db_url, conn):
    spec = TableSpec("social_api_usage", partition_column="date")
    with psycopg.connect(db_url) as c:
        write_frame(c, spec, _usage(5), WINDOW)
        write_frame(c, spec, _usage(5), WINDOW)
    assert _count(conn, "social_api_usage") == 5
    # Another day is untouched by a rewrite of this one.
    with psycopg.connect(db_url) as c:
        write_frame(c, spec, _usage(2, day=date(2026, 3, 2)), (date(2026, 3, 2), date(2026, 3, 3)))
        write_frame(c, spec, _usage(3), WINDOW)
    assert _count(conn, "social_api_usage", "date = %s", (DAY,)) == 3
    assert _count(conn, "social_api_usage", "date = %s", (date(2026, 3, 2),)) == 2
    assert conn.execute("SELECT latency_ms FROM social_api_usage WHERE endpoint = 'e0' AND date = %s", (DAY,)).fetchone() == (None,)


def test_slice_replaces_only_its_platform(db_url, conn):
    with psycopg.connect(db_url) as c:
        write_frame(c, TableSpec("social_api_usage", partition_column="date", slice={"platform": "tiktok"}), _usage(4), WINDOW)
        write_frame(c, TableSpec("social_api_usage", partition_column="date", slice={"platform": "youtube"}), _usage(2, "youtube"), WINDOW)
        # tiktok now returns nothing: its slice empties, youtube's stays.
        write_frame(c, TableSpec("social_api_usage", partition_column="date", slice={"platform": "tiktok"}), _usage(0), WINDOW)
    assert _count(conn, "social_api_usage", "platform = 'tiktok'") == 0
    assert _count(conn, "social_api_usage", "platform = 'youtube'") == 2


def test_failure_mid_write_keeps_previous_version(db_url, conn):
    spec = TableSpec("social_api_usage", partition_column="date")
    with psycopg.connect(db_url) as c:
        write_frame(c, spec, _usage(5), WINDOW)
    bad = _usage(6)
    bad["request_count"] = pd.array([1, 2, 3, 4, 5, -1], dtype="Int64")  # the last row violates a CHECK
    with psycopg.connect(db_url) as c:
        with pytest.raises(psycopg.errors.CheckViolation):
            write_frame(c, spec, bad, WINDOW)
    assert _count(conn, "social_api_usage") == 5
    assert conn.execute("SELECT sum(request_count) FROM social_api_usage").fetchone()[0] == sum(range(5))


def test_unknown_column_is_a_clear_error(db_url):
    df = _usage(1).assign(not_a_column=1)
    with psycopg.connect(db_url) as c, pytest.raises(ValueError, match="no column.*not_a_column"):
        write_frame(c, TableSpec("social_api_usage", partition_column="date"), df, WINDOW)


def test_upsert_keeps_ids_merges_dates_and_ignores_older_replays(db_url, conn, account_id):
    spec = TableSpec(
        "social_posts_analytics", mode="upsert", keys=("social_account_id", "platform", "external_post_id"),
        merge={"first_seen_date": "least", "last_seen_date": "greatest"}, newer_column="last_seen_date",
    )

    def post(caption, seen):
        return pd.DataFrame([{
            "social_account_id": account_id, "external_post_id": "7574994077389786382", "platform": "tiktok",
            "caption": caption, "first_seen_date": seen, "last_seen_date": seen,
        }])

    with psycopg.connect(db_url) as c:
        write_frame(c, spec, post("v1 #a", date(2026, 3, 2)), None)
    first_id = conn.execute("SELECT id FROM social_posts_analytics").fetchone()[0]
    conn.execute("INSERT INTO videos (id, title) VALUES ('11111111-1111-1111-1111-111111111111', 'v')")
    conn.execute("UPDATE social_posts_analytics SET video_id = '11111111-1111-1111-1111-111111111111'")
    with psycopg.connect(db_url) as c:
        write_frame(c, spec, post("v2 #b", date(2026, 3, 5)), None)   # newer: updates
        write_frame(c, spec, post("v0", date(2026, 3, 1)), None)      # older replay: no regression
        write_frame(c, spec, pd.concat([post("dup1", date(2026, 3, 5)), post("dup2", date(2026, 3, 5))]), None)
    row = conn.execute(
        "SELECT id, caption, first_seen_date, last_seen_date, video_id::text FROM social_posts_analytics"
    ).fetchall()
    assert row == [(first_id, "dup2", date(2026, 3, 1), date(2026, 3, 5), "11111111-1111-1111-1111-111111111111")]


def test_replace_keys_replaces_only_listed_keys(db_url, conn, account_id):
    post_ids = [conn.execute(
        "INSERT INTO social_posts_analytics (social_account_id, external_post_id, platform) VALUES (%s, %s, 'tiktok') RETURNING id",
        (account_id, f"p{i}"),
    ).fetchone()[0] for i in range(2)]
    tags = [conn.execute("INSERT INTO social_hashtags (hashtag) VALUES (%s) RETURNING id", (t,)).fetchone()[0] for t in "xyz"]
    spec = TableSpec("social_post_hashtags", mode="replace_keys", keys=("post_id",))
    frame = lambda pid, hs: pd.DataFrame({"post_id": [pid] * len(hs), "hashtag_id": hs, "position": list(range(len(hs)))})
    with psycopg.connect(db_url) as c:
        write_frame(c, spec, pd.concat([frame(post_ids[0], tags), frame(post_ids[1], tags[:1])]), None)
        write_frame(c, spec, frame(post_ids[0], tags[1:]), None)
    assert _count(conn, "social_post_hashtags", "post_id = %s", (post_ids[0],)) == 2
    assert _count(conn, "social_post_hashtags", "post_id = %s", (post_ids[1],)) == 1


def test_through_dagster_writes_loads_upstream_and_records_metadata(db_url, conn):
    @asset(partitions_def=parts, metadata=table_metadata("social_api_usage", partition_column="date"))
    def usage(context) -> pd.DataFrame:
        day = context.partition_time_window.start.date()
        return _usage(3, day=day)

    seen = {}

    @asset(partitions_def=parts, ins={"upstream": AssetIn("usage")})
    def consumer(upstream: pd.DataFrame) -> None:
        seen["frame"] = upstream

    database = Database(url=db_url)
    resources = {"database": database, "io_manager": PostgresIOManager(database=database)}
    for _ in range(2):
        result = materialize([usage], partition_key="2026-03-01", resources=resources)
        assert result.success
    result = materialize([usage], partition_key="2026-03-02", resources=resources)
    mats = result.asset_materializations_for_node("usage")
    meta = mats[0].metadata
    assert meta["dagster/row_count"].value == 3
    assert meta["table"].value == "social_api_usage"
    assert [c.name for c in meta["dagster/column_schema"].schema.columns][:2] == ["provider_name", "platform"]
    assert "e1" in meta["preview"].value

    result = materialize([usage, consumer], partition_key="2026-03-01", resources=resources, selection=[consumer])
    assert result.success
    loaded = seen["frame"]
    assert len(loaded) == 3 and set(loaded["date"]) == {date(2026, 3, 1)}
    assert _count(conn, "social_api_usage") == 6


def test_an_input_loads_only_the_columns_it_declares(db_url, conn, account_id):
    from social_pipeline.storage.io_manager import INPUT_COLUMNS_KEY

    @asset(partitions_def=parts, metadata=table_metadata("social_posts_analytics", partition_column="last_seen_date"))
    def posts(context) -> pd.DataFrame:
        day = context.partition_time_window.start.date()
        return pd.DataFrame([{"social_account_id": account_id, "external_post_id": f"p{i}", "platform": "tiktok",
                              "caption": "long " * 100, "first_seen_date": day, "last_seen_date": day} for i in range(4)])

    seen = {}

    @asset(partitions_def=parts, ins={"upstream": AssetIn("posts", metadata={INPUT_COLUMNS_KEY: ["social_account_id", "external_post_id"]})})
    def narrow(upstream: pd.DataFrame) -> None:
        seen["frame"] = upstream

    @asset(partitions_def=parts, ins={"upstream": AssetIn("posts", metadata={INPUT_COLUMNS_KEY: ["no_such_column"]})})
    def wrong(upstream: pd.DataFrame) -> None:
        pass

    database = Database(url=db_url)
    resources = {"database": database, "io_manager": PostgresIOManager(database=database)}
    assert materialize([posts, narrow], partition_key="2026-03-01", resources=resources).success
    loaded = seen["frame"]
    assert list(loaded.columns) == ["social_account_id", "external_post_id"]
    assert set(loaded["external_post_id"]) == {"p0", "p1", "p2", "p3"}
    assert set(loaded["social_account_id"]) == {str(account_id)}  # uuid read as text
    with pytest.raises(ValueError, match="no_such_column"):
        materialize([posts, wrong], partition_key="2026-03-01", resources=resources, selection=[wrong])
