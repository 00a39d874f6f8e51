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

``parent_link`` (upsert only) names a column holding the row's parent's ``id`` in the same table
and the column holding the parent's natural key (its last key column; the other keys are shared
with the child). Ids are assigned in the stage table, existing rows keeping theirs, so the parent
of every row is set by the one INSERT, without a second pass that would update every child again.

An asset may return :class:`~social_pipeline.storage.batches.RowBatches` instead of a DataFrame;
its batches are written one after the other in the same single transaction.

``after_write`` is a static statement of ours run in the same transaction (partition bounds are
bound as ``%(start)s``/``%(end)s``). Identifiers are always quoted; values are always bound.
"""


import time
from itertools import chain
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta, timezone
from typing import Any, Iterable, Iterator, Mapping, Sequence

import pandas as pd
import psycopg
from dagster import (
    AssetKey,
    ConfigurableIOManager,
    InputContext,
    MetadataValue,
    OutputContext,
    ResourceDependency,
    TableColumn,
    TableColumnDep,
    TableColumnLineage,
    TableSchema,
)
from psycopg import sql

from .batches import RowBatches
from .schema import declared_columns, table_schema
from .copy import copy_rows, frame_rows, table_columns
from .database import Database

META_KEY = "social_pipeline/table"
# Input metadata: the columns an asset reads of an upstream table (the rest are not loaded).
INPUT_COLUMNS_KEY = "social_pipeline/columns"
# Output metadata: the account ids a run was scoped to (see TableSpec.account_scope).
SCOPE_KEY = "accounts_in_scope"


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
    parent_link: Sequence[str] = ()  # (column of the parent's id, column of the parent's last key)
    skip_on_load: Sequence[str] = ()  # heavy columns downstream assets read on demand, not as input
    # A predicate (on %(accounts)s, a list of account ids) selecting the rows of some accounts: a
    # run scoped to those accounts (its output carries SCOPE_KEY) replaces only their rows.
    account_scope: str | None = None

    def __post_init__(self):
        if self.mode not in ("replace", "upsert", "replace_keys"):
            raise ValueError(f"unknown write mode {self.mode!r}")
        if self.mode in ("upsert", "replace_keys") and not self.keys:
            raise ValueError(f"{self.mode} needs keys")
        if any(v not in ("least", "greatest") for v in self.merge.values()):
            raise ValueError("merge values must be 'least' or 'greatest'")
        if self.parent_link and (self.mode != "upsert" or len(self.parent_link) != 2):
            raise ValueError("parent_link is (id column, parent key column) of an upsert")


# Column lineage declared on an asset (column -> [(upstream asset key, upstream column)]), emitted by
# the IO manager with each materialization. Storage only carries it: it names no asset itself.
LINEAGE_KEY = "social_pipeline/column_lineage"


def table_metadata(
    table: str,
    *,
    lineage: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Definition metadata of a table asset: what the UI shows (``dagster/table_name`` and
    ``dagster/column_schema``, the table's Postgres types and column comments read from the
    migrations) and, under private keys, how the IO manager stores it and its column lineage."""
    spec = TableSpec(table=table, **kwargs)
    meta: dict[str, Any] = {
        "dagster/table_name": table,
        "dagster/column_schema": table_schema(table),
        META_KEY: {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(spec).items()},
    }
    if lineage:
        meta[LINEAGE_KEY] = {column: [list(dep) for dep in deps] for column, deps in lineage.items()}
    return meta


def table_info(table: str) -> dict[str, Any]:
    """The user-visible table metadata alone, for a table asset that writes its table itself."""
    return {"dagster/table_name": table, "dagster/column_schema": table_schema(table)}


def _lineage_from(metadata: Mapping[str, Any]) -> TableColumnLineage | None:
    raw = metadata.get(LINEAGE_KEY)
    if raw is None:
        return None
    value = getattr(raw, "value", raw)
    value = getattr(value, "data", value)
    return TableColumnLineage(
        deps_by_column={
            column: [TableColumnDep(asset_key=AssetKey(a.split("/")), column_name=c) for a, c in deps]
            for column, deps in dict(value).items()
        }
    )


def spec_from(metadata: Mapping[str, Any]) -> TableSpec:
    raw = metadata.get(META_KEY)
    if raw is None:
        raise KeyError(f"asset has no {META_KEY!r} metadata: declare it with table_metadata()")
    value = getattr(raw, "value", raw)  # Dagster may wrap it as JsonMetadataValue
    value = getattr(value, "data", value)
    return TableSpec(**{k: (tuple(v) if k in ("keys", "skip_on_load", "parent_link") else v) for k, v in dict(value).items()})


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
    def handle_output(self, context: OutputContext, obj: pd.DataFrame | RowBatches | None) -> None:
        if obj is None:
            return
        if not isinstance(obj, (pd.DataFrame, RowBatches)):
            raise TypeError(
                f"{context.asset_key.to_user_string()} returned {type(obj).__name__}, not a DataFrame or RowBatches"
            )
        spec = spec_from(context.definition_metadata)
        window = _window(context, spec)
        scope = (context.output_metadata or {}).get(SCOPE_KEY)
        scope = getattr(scope, "value", scope)
        accounts = [str(a) for a in getattr(scope, "data", scope)] if scope is not None else None
        started = time.perf_counter()
        with self.database.connect() as conn:
            stats = write_frame(conn, spec, obj, window, accounts=accounts)
            types = table_columns(conn, spec.table) if isinstance(obj, RowBatches) else None
        elapsed = time.perf_counter() - started
        lineage = _lineage_from(context.definition_metadata or {})
        if lineage is not None:
            context.add_output_metadata({"dagster/column_lineage": lineage})
        if isinstance(obj, RowBatches):
            rows = obj.written
            declared = declared_columns(spec.table)
            schema = [TableColumn(name=c, type=types[c], description=getattr(declared.get(c), "description", None)) for c in obj.columns]
            preview = markdown_preview(pd.DataFrame(obj.head, columns=list(obj.columns)))
            context.add_output_metadata(dict(obj.metadata))
        else:
            rows = len(obj)
            # The written columns with the table's Postgres types and comments, not pandas dtypes.
            declared = declared_columns(spec.table)
            schema = [declared.get(str(c)) or TableColumn(name=str(c), type=str(t)) for c, t in obj.dtypes.items()]
            preview = markdown_preview(obj)
        context.add_output_metadata(
            {
                "table": spec.table,
                "write_mode": spec.mode,
                "dagster/row_count": rows,
                "rows_replaced": stats["deleted"],
                "write_seconds": round(elapsed, 3),
                "rows_per_second": round(rows / elapsed) if elapsed > 0 else None,
                "dagster/column_schema": TableSchema(columns=schema),
                "preview": MetadataValue.md(preview),
            }
        )

    # -- reading ----------------------------------------------------------------------------
    def load_input(self, context: InputContext) -> pd.DataFrame:
        upstream = context.upstream_output
        if upstream is None:
            raise ValueError("the Postgres IO manager only loads upstream assets")
        spec = spec_from(upstream.definition_metadata)
        window = _window(context, spec)
        columns = (context.definition_metadata or {}).get(INPUT_COLUMNS_KEY)
        columns = getattr(columns, "value", columns)  # Dagster may wrap it as a metadata value
        with self.database.connect() as conn:
            return read_frame(conn, spec, window, columns=list(columns) if columns else None)


def write_frame(
    conn, spec: TableSpec, data: pd.DataFrame | RowBatches, window: tuple[date, date] | None,
    accounts: Sequence[str] | None = None,
) -> dict[str, int]:
    """Write ``data`` as ``spec`` says, in one transaction on ``conn``. Returns counts.
    ``accounts``: a replace touches only these accounts' rows (``spec.account_scope``)."""
    if accounts is not None and spec.mode == "replace" and not spec.account_scope:
        raise ValueError(f"{spec.table}: a write scoped to accounts needs the spec's account_scope")
    types = table_columns(conn, spec.table)
    columns = [str(c) for c in data.columns]
    unknown = [c for c in columns if c not in types]
    if unknown:
        raise ValueError(f"{spec.table} has no column(s) {unknown}; its columns are {sorted(types)}")
    if isinstance(data, RowBatches):
        groups = data.groups()
        key_values = None
    else:
        if spec.mode == "upsert" and len(data):
            data = data.drop_duplicates(subset=list(spec.keys), keep="last")
        groups = iter([frame_rows(data, types)])
        key_values = data[spec.keys[0]] if spec.mode == "replace_keys" else None
    rows = chain.from_iterable(groups)  # replace modes take the rows whole; upserts, group by group
    table = sql.Identifier(spec.table)
    deleted = 0
    with conn.transaction():
        # Two runs writing the same slice at once (a backfill overlapping a schedule) take turns:
        # without this, each would delete only the rows it saw and both inserts would survive.
        for key in _lock_keys(spec, window):  # sorted: two writers never wait on each other in a cycle
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))
        if spec.mode == "replace":
            where, params = _partition_filter(spec, window)
            if accounts is not None:
                where = where + sql.SQL(" AND (") + sql.SQL(spec.account_scope) + sql.SQL(")")
                params["accounts"] = list(accounts)
            deleted = conn.execute(sql.SQL("DELETE FROM {} WHERE ").format(table) + where, params).rowcount
            copy_rows(conn, spec.table, columns, rows)
        elif spec.mode == "replace_keys":
            deleted = _replace_keys(conn, spec, columns, rows, key_values)
        else:
            _upsert(conn, spec, columns, groups, types)
        if spec.after_write:
            bounds = {"start": window[0], "end": window[1]} if window else {"start": None, "end": None}
            conn.execute(sql.SQL(spec.after_write), bounds)
    return {"deleted": max(deleted, 0)}


def _replace_keys(conn, spec: TableSpec, columns: list[str], rows, key_values: pd.Series | None) -> int:
    """Delete the rows whose first key appears in the new rows, then COPY them."""
    key = spec.keys[0]
    if key_values is None:  # batches: the keys are known once every row has been seen
        rows = list(rows)
        position = columns.index(key)
        values = list(dict.fromkeys(r[position] for r in rows if r[position] is not None))
    else:
        values = [v for v in pd.unique(key_values).tolist() if v is not None] if len(key_values) else []
    deleted = 0
    if values:
        deleted = conn.execute(
            sql.SQL("DELETE FROM {} WHERE {} = ANY(%s)").format(sql.Identifier(spec.table), sql.Identifier(key)),
            (values,),
        ).rowcount
    copy_rows(conn, spec.table, columns, rows)
    return deleted


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


def _upsert(conn, spec: TableSpec, cols: list[str], groups: Iterator[Iterable[tuple]], types: dict[str, str]) -> None:
    """Each group of rows through a stage table: COPY, then one INSERT ... ON CONFLICT."""
    stage = f"stage_{spec.table}"[:63]
    ident = sql.Identifier
    col_list = sql.SQL(", ").join(map(ident, cols))
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            ident(stage), col_list, ident(spec.table)
        )
    )
    # The stage's joins and the conflict checks hash a batch at a time; the default 4 MB spills.
    conn.execute("SET LOCAL work_mem = '128MB'")
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
    if spec.parent_link:
        link, via = spec.parent_link
        # The parent is the row's own (resolved now) unless its parent key is gone (the row
        # became top-level); unresolved, it keeps what an earlier write found.
        value = sql.SQL("CASE WHEN EXCLUDED.{v} IS NULL THEN NULL ELSE COALESCE(EXCLUDED.{l}, {t}.{l}) END").format(
            v=ident(via), l=ident(link), t=target
        )
        if newer is not None:
            value = sql.SQL("CASE WHEN {n} THEN {v} ELSE {t}.{l} END").format(n=newer, v=value, t=target, l=ident(link))
        assignments.append(sql.SQL("{} = ").format(ident(link)) + value)
    if "updated_at" in types and "updated_at" not in cols:
        assignments.append(sql.SQL("updated_at = now()"))
    action = (
        sql.SQL("DO UPDATE SET ") + sql.SQL(", ").join(assignments) if assignments else sql.SQL("DO NOTHING")
    )
    conflict = sql.SQL(" ON CONFLICT ({}) ").format(sql.SQL(", ").join(map(ident, spec.keys))) + action
    params: dict[str, Any] = {}
    if spec.parent_link:
        insert, params = _linked_insert(conn, spec, stage, cols)
    else:
        insert = sql.SQL("INSERT INTO {t} ({cols}) SELECT {cols} FROM {s}").format(
            t=target, cols=col_list, s=ident(stage)
        )
    for group in groups:
        if not copy_rows(conn, stage, cols, group):
            continue
        try:
            conn.execute(insert + conflict, params or None)
        except psycopg.errors.CardinalityViolation as exc:
            raise ValueError(
                f"the rows for {spec.table} repeat a key {tuple(spec.keys)} within one batch: a key may appear once"
            ) from exc
        if spec.parent_link:
            conn.execute(_adopt_orphans(spec, stage))
        conn.execute(sql.SQL("TRUNCATE {}").format(ident(stage)))
    conn.execute(sql.SQL("DROP TABLE {}").format(ident(stage)))


def _adopt_orphans(spec: TableSpec, stage: str) -> sql.Composable:
    """Stored rows whose parent arrives only now (an earlier day loaded after a later one) get
    their link: the link is the same whatever order the rows were written in."""
    ident = sql.Identifier
    link, via = spec.parent_link
    *scope, last = spec.keys
    return sql.SQL(
        "UPDATE {t} AS child SET {link} = parent.id FROM {s} AS s JOIN {t} AS parent ON parent.{last} = s.{last}{scope} "
        "WHERE child.{link} IS NULL AND child.{via} = s.{last}{child_scope}"
    ).format(
        t=ident(spec.table), link=ident(link), s=ident(stage), last=ident(last), via=ident(via),
        scope=sql.SQL("").join(sql.SQL(" AND ") + sql.SQL("parent.{c} = s.{c}").format(c=ident(c)) for c in scope),
        child_scope=sql.SQL("").join(sql.SQL(" AND ") + sql.SQL("child.{c} = s.{c}").format(c=ident(c)) for c in scope),
    )


def _linked_insert(conn, spec: TableSpec, stage: str, cols: list[str]) -> tuple[sql.Composable, dict[str, Any]]:
    """INSERT ... SELECT from the stage with ``id`` and the parent link filled in.

    A staged row keeps the id of the stored row with its key, or draws a new one from the id
    sequence; its parent is the staged row whose last key equals its parent key (same other
    keys), else the stored one. Stored rows are found by one probe of the key's unique index per
    staged row, never by a join the planner could turn into a scan of the whole history. The
    foreign key of the link is checked at the end of the statement, when every parent of the
    batch exists.
    """
    ident = sql.Identifier
    link, via = spec.parent_link
    *scope, last = spec.keys
    sequence = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", (ident(spec.table).as_string(conn),)).fetchone()[0]
    if sequence is None:
        raise ValueError(f"parent_link needs {spec.table}.id to draw from a sequence")
    same = lambda a, b, cols_: sql.SQL(" AND ").join(  # noqa: E731
        sql.SQL("{}.{} = {}.{}").format(ident(a), ident(c), ident(b), ident(c)) for c in cols_
    )
    scope_match = lambda a, b: (same(a, b, scope) + sql.SQL(" AND ")) if scope else sql.SQL("")  # noqa: E731
    return sql.SQL(
        "WITH staged AS MATERIALIZED ("
        " SELECT s.*, COALESCE((SELECT o.id FROM {t} AS o WHERE {keys_match}), nextval(%(seq)s::regclass))"
        " AS staged_id FROM {stage} AS s)"
        " INSERT INTO {t} (id, {cols}, {link})"
        " SELECT n.staged_id, {n_cols}, CASE WHEN n.{via} IS NULL THEN NULL ELSE COALESCE(p.staged_id,"
        " (SELECT o.id FROM {t} AS o WHERE {o_scope}o.{last} = n.{via})) END"
        " FROM staged AS n LEFT JOIN staged AS p ON {p_scope}p.{last} = n.{via}"
    ).format(
        stage=ident(stage),
        t=ident(spec.table),
        keys_match=same("o", "s", spec.keys),
        cols=sql.SQL(", ").join(map(ident, cols)),
        link=ident(link),
        n_cols=sql.SQL(", ").join(sql.SQL("n.{}").format(ident(c)) for c in cols),
        via=ident(via),
        o_scope=scope_match("o", "n"),
        p_scope=scope_match("p", "n"),
        last=ident(last),
    ), {"seq": sequence}


def read_frame(
    conn, spec: TableSpec, window: tuple[date, date] | None, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """The partition's rows: every column but ``skip_on_load``, ordered by id; or only
    ``columns`` (what an input declared it reads; uuid values as text), in no order."""
    types = table_columns(conn, spec.table)
    where, params = _partition_filter(spec, window)
    if columns:
        unknown = [c for c in columns if c not in types]
        if unknown:
            raise ValueError(f"an input asks {spec.table} for column(s) {unknown} it does not have")
        selected = [
            sql.SQL("{c}::text AS {c}").format(c=sql.Identifier(c)) if types[c] == "uuid" else sql.Identifier(c)
            for c in columns
        ]
        order = sql.SQL("")
    else:
        columns = [c for c in types if c not in spec.skip_on_load]
        selected = [sql.Identifier(c) for c in columns]
        order = sql.SQL(" ORDER BY {}").format(sql.Identifier("id")) if "id" in columns else sql.SQL("")
    query = sql.SQL("SELECT {} FROM {} WHERE ").format(sql.SQL(", ").join(selected), sql.Identifier(spec.table)) + where + order
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


