"""The daily job's executor: every step in the run's process, so a run launched from the UI or the
daemon costs what `social-pipeline materialize` costs (no process start per step)."""

import tempfile
from datetime import date

import pytest
from dagster import DagsterInstance, execute_job, reconstructable

from social_pipeline_tests.pipeline.helpers import counts, seed

DAY = date(2026, 11, 20)


def _daily_job():
    from social_pipeline.definitions import defs

    return defs.resolve_job_def("daily_pipeline")


def test_daily_job_runs_its_steps_in_the_run_process():
    executor = _daily_job().executor_def
    assert executor.apply_config_mapping({"config": {}}).value["config"] == {"in_process": {"retries": {"enabled": {}}}}
    # With many accounts a run (or SOCIAL_PIPELINE_PARALLEL_STEPS=1) forks steps from a preloaded server.
    parallel = executor.apply_config_mapping({"config": {"parallel_steps": True}}).value["config"]
    assert parallel["multiprocess"]["start_method"] == {"forkserver": {"preload_modules": ["social_pipeline.definitions"]}}
    # The hourly job keeps its steps forked from a server that has preloaded the project.
    from social_pipeline.definitions import defs

    hourly = defs.resolve_job_def("hourly_young_posts").executor_def.apply_config_mapping({})
    assert hourly.value["config"]["start_method"] == {"forkserver": {"preload_modules": ["social_pipeline.definitions"]}}


@pytest.mark.db
def test_a_run_through_the_daily_executor_completes_a_demo_day(db_url, conn):
    seed(conn)
    conn.commit()
    with tempfile.TemporaryDirectory() as home:
        instance = DagsterInstance.local_temp(home)
        result = execute_job(
            reconstructable(_daily_job), instance=instance, tags={"dagster/partition": DAY.isoformat()},
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}}, raise_on_error=False,
        )
        assert result.success
        # Every step ran in the run's process: no step worker was started.
        events = instance.all_logs(result.run_id)
        assert not any(e.dagster_event and e.dagster_event.event_type_value == "STEP_WORKER_STARTING" for e in events)
    got = counts(conn)
    assert all(n > 0 for n in got.values()), got
