"""A table's rows as a stream of batches, for outputs too large to hold in memory at once.

An asset returns ``RowBatches`` instead of a DataFrame when its rows would not fit (a day of
comments at agency scale is millions of rows). The IO manager writes the batches one after the
other inside the asset's single transaction, so a failure half-way still leaves the previous
version intact. The next batch is produced in a thread while the current one is written (the
database works while Python builds rows), so at most two batches are in memory at a time.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence


@dataclass
class RowBatches:
    """Batches of row tuples in ``columns`` order.

    Values are what psycopg adapts as they are: ``None`` for NULL, ``int`` for integer columns,
    ``datetime``/``date``, ``str``, ``bool``, ``float``. For an upsert no key may repeat, within a
    batch or across batches. ``metadata`` may be filled by the producer while it yields; the IO
    manager adds it to the materialization once every batch is written.
    """

    columns: Sequence[str]
    batches: Iterable[list[tuple]]
    metadata: dict[str, Any] = field(default_factory=dict)
    written: int = 0
    head: list[tuple] = field(default_factory=list)  # the first rows, for the preview

    def groups(self, keep: int = 5) -> Iterator[Iterator[tuple]]:
        """The rows batch by batch, counted in ``written``, the first ``keep`` kept in ``head``."""
        width = len(self.columns)

        def checked(batch: list[tuple]) -> Iterator[tuple]:
            for row in batch:
                if len(row) != width:
                    raise ValueError(f"a row has {len(row)} values for {width} columns {list(self.columns)}")
                if len(self.head) < keep:
                    self.head.append(tuple(row))
                self.written += 1
                yield row

        for batch in produced_ahead(self.batches):
            yield checked(batch)


_END = object()


def produced_ahead(batches: Iterable[list[tuple]]) -> Iterator[list[tuple]]:
    """The batches in order, the next one produced in a worker thread while the caller handles
    the current one. An error of the producer is raised here, at the batch it would have been."""
    source = iter(batches)
    with ThreadPoolExecutor(1, thread_name_prefix="row-batches") as pool:
        pending = pool.submit(next, source, _END)
        while True:
            batch = pending.result()
            if batch is _END:
                return
            pending = pool.submit(next, source, _END)
            yield batch
