"""IO manager write rate against a bare COPY of the same frame, on a real PostgreSQL.

    python -m benchmarks.io_manager_bench --rows 1000000 --repeat 3   (part of `make bench`)

Frame: ROWS post-metric rows for one day (the shape of ``social_post_metrics``, nullable integer
columns included). Each measurement starts from an empty table and ends with a commit; the
median of REPEAT runs is printed. Baselines, all in this run:

- bare COPY, rows pre-built: psycopg ``COPY ... FROM STDIN`` of tuples converted before the
  clock starts: the database's own speed, the strictest baseline;
- bare COPY of the frame: the same COPY, converting the DataFrame as it goes;
- IO manager: ``PostgresIOManager.handle_output`` through Dagster's output context, i.e. column
  checks, partition delete, COPY, metadata, in one transaction; once into an empty partition and
  once replacing a partition that already holds ROWS rows;
- bare DELETE + COPY: what that replace does, by hand with psycopg (delete the day's rows, COPY
  the frame, commit): the fair baseline of the replace;
- the peer: pandas ``DataFrame.to_sql`` (SQLAlchemy + psycopg2, default method, 10,000-row chunks)
  into the empty table.

This is a benchmark, not a test: it asserts nothing about speed.
"""

import argparse
import statistics
import time
from datetime import date

import numpy as np
import pandas as pd
import psycopg
from dagster import AssetKey, DailyPartitionsDefinition, build_output_context
from psycopg import sql

from social_pipeline.storage.copy import copy_frame, frame_rows, table_columns
from social_pipeline.storage.database import Database, with_driver
from social_pipeline.storage.io_manager import PostgresIOManager, table_metadata

from . import report
from .scratch import scratch_database

DAY = date(2026, 1, 15)
TABLE = "social_post_metrics"


def make_frame(post_ids: list[int], seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(post_ids)
    views = rng.integers(0, 5_000_000, n)

    def nullable(values, null_share):
        arr = pd.array(values, dtype="Int64")
        arr[rng.random(n) < null_share] = pd.NA
        return arr

    return pd.DataFrame(
        {
            "post_id": pd.array(post_ids, dtype="Int64"),
            "snapshot_date": [DAY] * n,
            "snapshot_hour": pd.array([None] * n, dtype="Int64"),
            "likes_count": nullable(views // 20, 0.01),
            "comments_count": nullable(views // 400, 0.02),
            "views_count": nullable(views, 0.05),
            "shares_count": nullable(views // 300, 0.2),
            "saves_count": nullable(views // 250, 0.4),
            "watch_time_seconds": nullable(views * 12, 0.5),
            "completion_rate": np.where(rng.random(n) < 0.5, np.nan, rng.uniform(0, 100, n).round(2)),
            "impressions": nullable(views * 13 // 10, 0.3),
            "reach": nullable(views * 8 // 10, 0.3),
            "engagement_rate": rng.uniform(0, 30, n).round(2),
        }
    )


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    section = run(rows=args.rows, repeat=args.repeat)
    print(report.console(section.figures))
    print(section.details)


def run(rows: int = 1_000_000, repeat: int = 1, url: str | None = None) -> report.Section:
    """The write-path figures (section 1), measured in a throwaway database."""
    if url is not None:
        return measure(url, rows, repeat)
    with scratch_database("sp_bench_write") as scratch:
        return measure(scratch, rows, repeat)


def measure(url: str, rows: int, repeat: int) -> report.Section:
    with psycopg.connect(url) as conn:
        account = conn.execute(
            "INSERT INTO social_accounts (platform, handle) VALUES ('tiktok', 'bench') RETURNING id"
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO social_posts_analytics (social_account_id, external_post_id, platform) "
            "SELECT %s, 'p' || g, 'tiktok' FROM generate_series(1, %s) g",
            (account, rows),
        )
        post_ids = [r[0] for r in conn.execute("SELECT id FROM social_posts_analytics ORDER BY id")]
        conn.commit()
    df = make_frame(post_ids)
    database = Database(url=url)
    manager = PostgresIOManager(database=database)
    parts = DailyPartitionsDefinition(start_date="2026-01-01")
    meta = table_metadata(TABLE, partition_column="snapshot_date", where="snapshot_hour IS NULL")

    def empty_table():
        with psycopg.connect(url) as conn:
            conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(TABLE)))

    def bare_prebuilt(prebuilt, columns):
        with psycopg.connect(url) as conn:
            stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(TABLE), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with conn.cursor() as cur, cur.copy(stmt) as copy:
                for row in prebuilt:
                    copy.write_row(row)

    def bare_frame():
        with psycopg.connect(url) as conn:
            copy_frame(conn, TABLE, df, table_columns(conn, TABLE))

    def bare_replace():
        """What a replace does, by hand: delete the day's rows, then COPY the frame, one transaction."""
        with psycopg.connect(url) as conn:
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE snapshot_date = %s AND snapshot_hour IS NULL").format(sql.Identifier(TABLE)),
                (DAY,),
            )
            copy_frame(conn, TABLE, df, table_columns(conn, TABLE))

    def io_manager():
        context = build_output_context(
            asset_key=AssetKey(TABLE), partition_key=DAY.isoformat(), asset_partitions_def=parts,
            definition_metadata=meta, resources={"database": database},
        )
        manager.handle_output(context, df)

    with psycopg.connect(url) as conn:
        types = table_columns(conn, TABLE)
    prebuilt = list(frame_rows(df, types))
    results: dict[str, list[float]] = {k: [] for k in ("prebuilt", "frame", "io_fresh", "io_replace", "bare_replace")}
    for _ in range(repeat):
        empty_table()
        results["prebuilt"].append(timed(lambda: bare_prebuilt(prebuilt, list(df.columns))))
        empty_table()
        results["frame"].append(timed(bare_frame))
        empty_table()
        results["io_fresh"].append(timed(io_manager))
        results["io_replace"].append(timed(io_manager))  # the partition now holds `rows` rows
        results["bare_replace"].append(timed(bare_replace))  # same work as the replace, by hand
    with psycopg.connect(url) as conn:
        stored = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(TABLE))).fetchone()[0]
    assert stored == rows, f"expected {rows} rows after a replace, found {stored}"

    empty_table()
    to_sql_seconds = timed(lambda: to_sql(url, df))
    rate = {k: rows / statistics.median(v) for k, v in results.items()}
    rate["to_sql"] = rows / to_sql_seconds
    section = "1. write path"
    figures = [
        report.Figure(section, "IO manager, empty partition", rate["io_fresh"], "rows/s", "bare COPY of the frame", rate["frame"], 0.85),
        report.Figure(section, f"IO manager, replacing {rows:,} rows", rate["io_replace"], "rows/s", "bare DELETE of the day + COPY of the frame", rate["bare_replace"], 0.85),
        report.Figure(section, f"IO manager, replacing {rows:,} rows", rate["io_replace"], "rows/s", "bare COPY of the frame into an empty table", rate["frame"], None),
        report.Figure(section, "IO manager, empty partition", rate["io_fresh"], "rows/s", "bare COPY, rows pre-built", rate["prebuilt"], None),
        report.Figure(section, "DataFrame.to_sql (peer)", rate["to_sql"], "rows/s", "IO manager, empty partition", rate["io_fresh"], None),
    ]
    details = (
        f"{rows:,} rows of `{TABLE}` per write (one day; the table has a foreign key to posts and "
        f"5 indexes), median of {repeat} run(s). Rates: bare COPY of tuples converted before the clock "
        f"{rate['prebuilt']:,.0f} rows/s; bare COPY converting the frame {rate['frame']:,.0f}; IO manager "
        f"{rate['io_fresh']:,.0f} (empty partition) and {rate['io_replace']:,.0f} (replacing); bare DELETE of the "
        f"day's rows + COPY (what a replace does, written by hand) {rate['bare_replace']:,.0f}; "
        f"`DataFrame.to_sql` {rate['to_sql']:,.0f}."
    )
    return report.Section("1. write path", figures, details)


def to_sql(url: str, df: pd.DataFrame) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(with_driver(url))
    try:
        with engine.begin() as conn:
            df.to_sql(TABLE, conn, if_exists="append", index=False, chunksize=10_000)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
