"""Our Postgres IO manager: each asset's DataFrame into its table, in one transaction.

Dagster ships no Postgres IO manager, and its generic ``DbIOManager`` leaves the delete-then-write
transaction to the client. Here both happen in a single transaction, so re-materializing a
partition never duplicates rows and a failure mid-write leaves the previous version intact.

How an asset is stored is declared on the asset with :func:`table_metadata`:

``replace``  delete the partition's rows (``partition_column`` inside the partition's time window,
             narrowed by ``slice`` column values and a static ``where``), then COPY the frame.
``upsert``   COPY into a temporary table, then ``INSERT ... ON CONFLICT (keys) DO UPDATE``, for rows
             that must keep their ids (posts are referenced by metrics). ``merge`` names columns
             combined with LEAST/GREATEST instead of overwritten, and ``newer_column`` keeps a
             replay of an older day from overwriting newer values.
``replace_keys`` delete the rows whose ``keys[0]`` value appears in the frame, then COPY.

``after_write`` is a static statement of ours run in the same transaction (partition bounds are
bound as ``%(start)s``/``%(end)s``). Identifiers are always quoted; values are always bound.
"""


import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta, timezone
from typing import Any, Mapping, Sequence

import pandas as pd
from dagster import (
    ConfigurableIOManager,
    InputContext,
    MetadataValue,
    OutputContext,
    ResourceDependency,
    TableColumn,
    TableSchema,
)
from psycopg import sql

from ..lineage import column_lineage
from .copy import copy_frame, table_columns
from .database import Database

META_KEY = "social_pipeline/table"


@dataclass(frozen=True)
class TableSpec:
    table: str
    mode: str = "replace"  # replace | upsert | replace_keys
    partition_column: str | None = None
    hour_column: str | None = None  # hourly partitions: (date column + hour column) in the window
    slice: Mapping[str, str] = field(default_factory=dict)
    where: str | None = None
    keys: Sequence[str] = ()
    merge: Mapping[str, str] = field(default_factory=dict)  # column -> "least" | "greatest"
    newer_column: str | None = None
    after_write: str | None = None
    skip_on_load: Sequence[str] = ()  # heavy columns downstream assets read on demand, not as input

    def __post_init__(self):
        if self.mode not in ("replace", "upsert", "replace_keys"):
            raise ValueError(f"unknown write mode {self.mode!r}")
        if self.mode in ("upsert", "replace_keys") and not self.keys:
            raise ValueError(f"{self.mode} needs keys")
        if any(v not in ("least", "greatest") for v in self.merge.values()):
            raise ValueError("merge values must be 'least' or 'greatest'")


def table_metadata(table: str, **kwargs: Any) -> dict[str, Any]:
    """Definition metadata telling the IO manager where and how an asset is stored."""
    spec = TableSpec(table=table, **kwargs)
    return {META_KEY: {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(spec).items()}}


def spec_from(metadata: Mapping[str, Any]) -> TableSpec:
    raw = metadata.get(META_KEY)
    if raw is None:
        raise KeyError(f"asset has no {META_KEY!r} metadata: declare it with table_metadata()")
    value = getattr(raw, "value", raw)  # Dagster may wrap it as JsonMetadataValue
    value = getattr(value, "data", value)
    return TableSpec(**{k: (tuple(v) if k in ("keys", "skip_on_load") else v) for k, v in dict(value).items()})


def _window(context: OutputContext | InputContext, spec: "TableSpec"):
    """The partition window: dates, or naive UTC datetimes for hourly specs."""
    if not context.has_asset_partitions:
        return None
    tw = context.asset_partitions_time_window
    if spec.hour_column:
        return tuple(t.astimezone(timezone.utc).replace(tzinfo=None) for t in (tw.start, tw.end))
    return tw.start.date(), tw.end.date()


def _partition_filter(spec: TableSpec, window: tuple[date, date] | None):
    """SQL predicate and bound parameters selecting one partition's slice of the table."""
    clauses: list[sql.Composable] = []
    params: dict[str, Any] = {}
    if spec.partition_column and window and spec.hour_column:
        moment = sql.SQL("({d} + make_interval(hours => {h}))").format(
            d=sql.Identifier(spec.partition_column), h=sql.Identifier(spec.hour_column)
        )
        clauses.append(sql.SQL("{m} >= %(start)s AND {m} < %(end)s").format(m=moment))
        params.update(start=window[0], end=window[1])
    elif spec.partition_column and window:
        clauses.append(
            sql.SQL("{col} >= %(start)s AND {col} < %(end)s").format(col=sql.Identifier(spec.partition_column))
        )
        params.update(start=window[0], end=window[1])
    for i, (col, value) in enumerate(sorted(spec.slice.items())):
        clauses.append(sql.SQL("{} = %(s{})s").format(sql.Identifier(col), sql.SQL(str(i))))
        params[f"s{i}"] = value
    if spec.where:
        clauses.append(sql.SQL("(") + sql.SQL(spec.where) + sql.SQL(")"))
    if not clauses:
        return sql.SQL("TRUE"), params
    return sql.SQL(" AND ").join(clauses), params


class PostgresIOManager(ConfigurableIOManager):
    """Materializes DataFrames into the analytics tables with COPY, transactionally."""

    database: ResourceDependency[Database]

    # -- writing ----------------------------------------------------------------------------
    def handle_output(self, context: OutputContext, obj: pd.DataFrame | None) -> None:
        if obj is None:
            return
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(f"{context.asset_key.to_user_string()} returned {type(obj).__name__}, not a DataFrame")
        spec = spec_from(context.definition_metadata)
        window = _window(context, spec)
        started = time.perf_counter()
        with self.database.connect() as conn:
            stats = write_frame(conn, spec, obj, window)
        elapsed = time.perf_counter() - started
        lineage = column_lineage(context.asset_key.to_user_string())
        if lineage is not None:
            context.add_output_metadata({"dagster/column_lineage": lineage})
        context.add_output_metadata(
            {
                "table": spec.table,
                "write_mode": spec.mode,
                "dagster/row_count": len(obj),
                "rows_replaced": stats["deleted"],
                "write_seconds": round(elapsed, 3),
                "rows_per_second": round(len(obj) / elapsed) if elapsed > 0 else None,
                "dagster/column_schema": TableSchema(
                    columns=[TableColumn(name=str(c), type=str(t)) for c, t in obj.dtypes.items()]
                ),
                "preview": MetadataValue.md(markdown_preview(obj)),
            }
        )

    # -- reading ----------------------------------------------------------------------------
    def load_input(self, context: InputContext) -> pd.DataFrame:
        upstream = context.upstream_output
        if upstream is None:
            raise ValueError("the Postgres IO manager only loads upstream assets")
        spec = spec_from(upstream.definition_metadata)
        window = _window(context, spec)
        with self.database.connect() as conn:
            return read_frame(conn, spec, window)


def write_frame(conn, spec: TableSpec, df: pd.DataFrame, window: tuple[date, date] | None) -> dict[str, int]:
    """Write ``df`` as ``spec`` says, in one transaction on ``conn``. Returns counts."""
    types = table_columns(conn, spec.table)
    unknown = [c for c in df.columns if c not in types]
    if unknown:
        raise ValueError(f"{spec.table} has no column(s) {unknown}; its columns are {sorted(types)}")
    if spec.mode == "upsert" and len(df):
        df = df.drop_duplicates(subset=list(spec.keys), keep="last")
    table = sql.Identifier(spec.table)
    deleted = 0
    with conn.transaction():
        # Two runs writing the same slice at once (a backfill overlapping a schedule) take turns:
        # without this, each would delete only the rows it saw and both inserts would survive.
        for key in _lock_keys(spec, window):  # sorted: two writers never wait on each other in a cycle
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))
        if spec.mode == "replace":
            where, params = _partition_filter(spec, window)
            deleted = conn.execute(sql.SQL("DELETE FROM {} WHERE ").format(table) + where, params).rowcount
            copy_frame(conn, spec.table, df, types)
        elif spec.mode == "replace_keys":
            key = spec.keys[0]
            values = [v for v in pd.unique(df[key]).tolist() if v is not None] if len(df) else []
            if values:
                deleted = conn.execute(
                    sql.SQL("DELETE FROM {} WHERE {} = ANY(%s)").format(table, sql.Identifier(key)), (values,)
                ).rowcount
            copy_frame(conn, spec.table, df, types)
        else:
            _upsert(conn, spec, df, types)
        if spec.after_write:
            bounds = {"start": window[0], "end": window[1]} if window else {"start": None, "end": None}
            conn.execute(sql.SQL(spec.after_write), bounds)
    return {"deleted": max(deleted, 0)}


def _lock_keys(spec: TableSpec, window) -> list[str]:
    """Advisory-lock keys of what a write replaces: one per day (or hour) of a partition replace,
    so overlapping windows of different lengths still exclude each other; the whole table for
    upserts and key replaces, whose rows no window bounds."""
    base = f"social_pipeline:{spec.table}"
    if spec.mode != "replace" or not window:
        return [base]
    step = timedelta(hours=1) if spec.hour_column else timedelta(days=1)
    scope = f"{base}:{sorted(spec.slice.items())}:{spec.where}"
    keys, moment = [], window[0]
    while moment < window[1]:
        keys.append(f"{scope}:{moment.isoformat()}")
        moment += step
    return sorted(keys)


def _upsert(conn, spec: TableSpec, df: pd.DataFrame, types: dict[str, str]) -> None:
    if not len(df):
        return
    stage = f"stage_{spec.table}"[:63]
    cols = list(df.columns)
    ident = sql.Identifier
    col_list = sql.SQL(", ").join(map(ident, cols))
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            ident(stage), col_list, ident(spec.table)
        )
    )
    copy_frame(conn, stage, df, types)
    target = ident(spec.table)
    newer = None
    if spec.newer_column:
        newer = sql.SQL("({t}.{c} IS NULL OR EXCLUDED.{c} >= {t}.{c})").format(t=target, c=ident(spec.newer_column))
    assignments = []
    for c in cols:
        if c in spec.keys:
            continue
        if c in spec.merge:
            fn = sql.SQL("LEAST" if spec.merge[c] == "least" else "GREATEST")
            value = sql.SQL("{fn}({t}.{c}, EXCLUDED.{c})").format(fn=fn, t=target, c=ident(c))
        elif newer is not None:
            value = sql.SQL("CASE WHEN {n} THEN EXCLUDED.{c} ELSE {t}.{c} END").format(n=newer, t=target, c=ident(c))
        else:
            value = sql.SQL("EXCLUDED.{}").format(ident(c))
        assignments.append(sql.SQL("{} = ").format(ident(c)) + value)
    if "updated_at" in types and "updated_at" not in cols:
        assignments.append(sql.SQL("updated_at = now()"))
    action = (
        sql.SQL("DO UPDATE SET ") + sql.SQL(", ").join(assignments) if assignments else sql.SQL("DO NOTHING")
    )
    conn.execute(
        sql.SQL("INSERT INTO {t} ({cols}) SELECT {cols} FROM {s} ON CONFLICT ({keys}) ").format(
            t=target, cols=col_list, s=ident(stage), keys=sql.SQL(", ").join(map(ident, spec.keys))
        )
        + action
    )
    conn.execute(sql.SQL("DROP TABLE {}").format(ident(stage)))


def read_frame(conn, spec: TableSpec, window: tuple[date, date] | None) -> pd.DataFrame:
    where, params = _partition_filter(spec, window)
    columns = [c for c in table_columns(conn, spec.table) if c not in spec.skip_on_load]
    order = sql.SQL(" ORDER BY {}").format(sql.Identifier("id")) if "id" in columns else sql.SQL("")
    query = (
        sql.SQL("SELECT {} FROM {} WHERE ").format(sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(spec.table))
        + where
        + order
    )
    with conn.cursor() as cur:
        cur.execute(query, params)
        names = [d.name for d in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=names)


def markdown_preview(df: pd.DataFrame, rows: int = 5, width: int = 40) -> str:
    """A small Markdown table of the first rows, each cell cut to ``width`` characters."""
    if df.empty:
        return "_no rows_"

    def cell(value: Any) -> str:
        text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
        text = text.replace("|", "\\|").replace("\n", " ")
        return text if len(text) <= width else text[: width - 1] + "…"

    head = df.head(rows)
    lines = ["| " + " | ".join(map(cell, head.columns)) + " |", "|" + "---|" * len(head.columns)]
    for row in head.itertuples(index=False, name=None):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)


