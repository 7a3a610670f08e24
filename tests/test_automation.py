"""The schedules: one per source cadence, each refreshing its sources and what depends on them."""
from __future__ import annotations

from datetime import timedelta

from dagster import AssetKey, build_schedule_context

from pipelines.definitions import build_defs
from tests.conftest import installation


def test_schedules_follow_the_source_cadences(tmp_path):
    defs = build_defs(installation(tmp_path))
    schedule = defs.resolve_schedule_def("refresh_monthly_schedule")
    assert schedule.cron_schedule == "0 6 3 * *" and schedule.execution_timezone == "Europe/Brussels"
    monthly = defs.resolve_job_def("refresh_monthly")
    selected = {key.to_user_string() for key in monthly.asset_layer.selected_asset_keys}
    assert {"raw_werkzoekendengraad", "raw_onem_unemployed", "raw_onem_unemployment_rate", "barometer",
            "release"} <= selected
    assert "raw_census2021_labour" not in selected


def test_a_scheduled_run_loads_everything_its_snapshots_hold(tmp_path):
    request = build_defs(installation(tmp_path)).resolve_schedule_def("refresh_yearly_schedule")(build_schedule_context())
    assert request.run_config == {} and request.tags == {}    # no years chosen: every year of every file


def test_each_source_has_a_freshness_policy_of_its_cadence(tmp_path):
    graph = build_defs(installation(tmp_path)).resolve_asset_graph()
    policy = graph.get(AssetKey("raw_onem_unemployed")).freshness_policy
    assert policy.fail_window.to_timedelta() == timedelta(days=35)
    assert graph.get(AssetKey("raw_population")).freshness_policy.fail_window.to_timedelta() == timedelta(days=400)
    assert graph.get(AssetKey("raw_census2021_labour")).freshness_policy is None   # published once
