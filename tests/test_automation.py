"""The schedules: one per source cadence, each refreshing its sources and what depends on them."""
from __future__ import annotations

from datetime import timedelta

from dagster import AssetKey, build_schedule_context
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_START_TAG

from pipelines.automation import SCHEDULES
from pipelines.definitions import defs
from pipelines.partitions import year_range_tags


def by_name():
    return {s.name: s for s in SCHEDULES}


def test_schedules_follow_the_source_cadences():
    assert by_name()["refresh_monthly_schedule"].cron_schedule == "0 6 3 * *"
    monthly = defs.resolve_job_def("refresh_monthly")
    selected = {key.to_user_string() for key in monthly.asset_layer.selected_asset_keys}
    assert {"raw_werkzoekendengraad", "raw_onem_unemployed", "raw_onem_unemployment_rate", "release"} <= selected
    assert "raw_census2021_labour" not in selected


def test_a_scheduled_run_covers_every_reference_year():
    request = by_name()["refresh_yearly_schedule"](build_schedule_context())
    assert request.tags == year_range_tags() and request.tags[ASSET_PARTITION_RANGE_START_TAG] == "2000"


def test_each_source_has_a_freshness_policy_of_its_cadence():
    graph = defs.resolve_asset_graph()
    policy = graph.get(AssetKey("raw_onem_unemployed")).freshness_policy
    assert policy.fail_window.to_timedelta() == timedelta(days=35)
    assert graph.get(AssetKey("raw_population")).freshness_policy.fail_window.to_timedelta() == timedelta(days=400)
    assert graph.get(AssetKey("raw_census2021_labour")).freshness_policy is None   # published once
