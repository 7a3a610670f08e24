"""The Dagster code location: assembles the assets, checks, jobs, schedules and sensor."""
from dagster import Definitions, in_process_executor

from pipelines.assets import MODEL_ASSETS, RAW_ASSETS, SNAPSHOT_ASSETS
from pipelines.automation import (CADENCE_JOBS, SCHEDULES, barometer_all, landing_folder_sensor,
                                  landing_run_failure_sensor)
from pipelines.checks import VALIDATION_CHECKS
from pipelines.resources import BarometerResource, RunLock

# one process per run: DuckDB allows one writer, and the steps are small
defs = Definitions(
    assets=[*SNAPSHOT_ASSETS, *RAW_ASSETS, *MODEL_ASSETS],
    asset_checks=VALIDATION_CHECKS,
    jobs=[barometer_all, *CADENCE_JOBS],
    schedules=SCHEDULES,
    sensors=[landing_folder_sensor, landing_run_failure_sensor],
    resources={"barometer": BarometerResource(), "run_lock": RunLock()},
    executor=in_process_executor,
)
