"""Pruning Dagster's run history.

Dagster keeps every run and its event log (in schema ``dagster`` of the project's database) for
ever. A daily schedule, an hourly one and backfills add up: :func:`prune_run_history` deletes the
runs that *finished* (succeeded, failed or were canceled) before a cut-off, together with their
event logs, through Dagster's own ``DagsterInstance.delete_run``. Runs still queued, starting or
in progress are never touched, whatever their age.

It only talks to the Dagster instance: the analytics tables (``social_*``) are never read or
written, so pruning history loses no data, only the UI's record of old runs (asset materialization
events of pruned runs go with them; the rows those runs wrote stay).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

FINISHED = (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)
PAGE = 500


def prune_run_history(instance: DagsterInstance, older_than: timedelta, dry_run: bool = False) -> int:
    """Delete the runs of ``instance`` that finished more than ``older_than`` ago.

    A run counts as finished at its ``end_time`` (or, when Dagster recorded none, its last
    update). Each run is deleted with its event log via ``instance.delete_run``. With
    ``dry_run=True`` nothing is deleted. Returns the number of runs deleted (or that would be).
    """
    if older_than < timedelta(0):
        raise ValueError("older_than must not be negative")
    cutoff = datetime.now(timezone.utc) - older_than
    cutoff_ts = cutoff.timestamp()
    doomed: list[str] = []
    cursor = None
    while True:
        # updated_before narrows the scan: a run that ended before the cut-off was last updated
        # no later than it ended (give or take the final event), so nothing eligible is missed.
        records = instance.get_run_records(
            filters=RunsFilter(statuses=list(FINISHED), updated_before=cutoff + timedelta(minutes=5)),
            limit=PAGE,
            cursor=cursor,
        )
        if not records:
            break
        for record in records:
            finished_at = record.end_time if record.end_time is not None else record.update_timestamp.timestamp()
            if finished_at < cutoff_ts:
                doomed.append(record.dagster_run.run_id)
        if len(records) < PAGE:
            break
        cursor = records[-1].dagster_run.run_id
    if not dry_run:
        for run_id in doomed:
            instance.delete_run(run_id)
    return len(doomed)
