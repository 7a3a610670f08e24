"""The landing-folder sensor and the schedules, evaluated by Dagster itself."""
from __future__ import annotations

import os

from dagster import RunRequest, SkipReason, build_sensor_context

from pipelines.automation import SCHEDULES, landing_folder_sensor
from pipelines.definitions import defs
from pipelines.resources import BarometerResource


def evaluate(landing, cursor=None):
    context = build_sensor_context(cursor=cursor, resources={"barometer": BarometerResource(landing_dir=str(landing))})
    return landing_folder_sensor(context), context.cursor


def test_a_new_file_in_the_landing_folder_starts_one_run(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    result, cursor = evaluate(landing)
    assert isinstance(result, SkipReason)

    dropped = landing / "GSM_Extract_AR_03.xlsx"
    dropped.write_bytes(b"publisher file")
    os.utime(dropped, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    result, cursor = evaluate(landing, cursor)
    assert [type(r) for r in result] == [RunRequest]
    assert result[0].tags["barometer/landing_file"] == "GSM_Extract_AR_03.xlsx"
    assert result[0].run_key == cursor

    again, same_cursor = evaluate(landing, cursor)
    assert isinstance(again, SkipReason) and same_cursor == cursor


def test_schedules_follow_the_source_cadences():
    by_name = {s.name: s for s in SCHEDULES}
    assert by_name["refresh_monthly_schedule"].cron_schedule == "0 6 3 * *"
    monthly = defs.resolve_job_def("refresh_monthly")
    selected = {key.to_user_string() for key in monthly.asset_layer.selected_asset_keys}
    assert {"raw_werkzoekendengraad", "raw_onem_unemployed", "raw_onem_unemployment_rate", "release"} <= selected
    assert "raw_census2021_labour" not in selected
