"""The Dagster code location, built from settings by `build_defs`; nothing is read at import time.

`dg dev`, `dg check defs` and `dagster definitions validate` load `defs`, which reads the settings from
the environment (BAROMETER_*) only when Dagster asks for the definitions. Tests, benchmarks and other
areas call `build_defs` with their own Settings.
"""
from __future__ import annotations

from functools import cache

import dagster as dg

from pipelines.assets import ingest_assets, model_assets, release_asset
from pipelines.automation import alert_sensors, barometer_all, cadence_schedules, landing_sensors
from pipelines.core import Pipeline
from pipelines.resources import run_lock
from pipelines.settings import Settings


@cache
def pipeline_for(settings: Settings) -> Pipeline:
    return Pipeline(settings)


@cache
def build_defs(settings: Settings) -> dg.Definitions:
    pipeline = pipeline_for(settings)
    jobs, schedules = cadence_schedules(pipeline)
    # one process per run: DuckDB allows one writer, and the steps share the warehouse file
    return dg.Definitions(
        assets=[ingest_assets(pipeline), model_assets(pipeline), release_asset(pipeline)],
        jobs=[barometer_all, *jobs], schedules=schedules,
        sensors=[*landing_sensors(pipeline), *alert_sensors(pipeline)],
        resources={"run_lock": run_lock(pipeline)}, executor=dg.in_process_executor)


@dg.definitions
def defs() -> dg.Definitions:
    return build_defs(Settings.from_env())
