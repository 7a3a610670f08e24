"""Chosen reference years: a run over some years, then a re-run of one year (`barometer run --years`), replaces
exactly the rows of those years of the sources that give a year per row; a plain run afterwards loads all."""
from __future__ import annotations

import pytest
import duckdb

from sources.catalog import load_catalog
from tests.conftest import installation, run_pipeline

# full pipeline runs of their own: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow

BY_YEAR = [s.raw_table for s in load_catalog().sources.values() if s.partitioned]


def raw_years_and_duplicates(warehouse) -> tuple[dict, dict, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        years, rows, duplicates = {}, {}, 0
        for table in BY_YEAR:
            years[table] = {y for (y,) in con.execute(f"select distinct period_year(period) from {table}").fetchall()}
            rows[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
            duplicates += con.execute(f"select count(*) from (select nis_code, measure, period from {table} "
                                      "group by all having count(*) > 1)").fetchone()[0]
        return years, rows, duplicates
    finally:
        con.close()


def test_chosen_years_then_a_rerun_of_one_year_leave_exactly_one_row_per_key(tmp_path):
    settings = installation(tmp_path)
    backfill = run_pipeline(settings, years=[2017, 2018, 2019, 2020])
    assert backfill.success, backfill.problems
    years, rows, duplicates = raw_years_and_duplicates(settings.warehouse)
    assert years["raw_population"] == {2017, 2018, 2019, 2020}
    assert years["raw_onem_unemployed"] == {2017, 2018, 2019, 2020}
    assert years["raw_var_unemployment_rate"] == set()          # its only year, 2024, was not asked for
    assert rows["raw_onem_unemployed"] == 38 * 4 and duplicates == 0

    rerun = run_pipeline(settings, years=[2019])
    assert rerun.success, rerun.problems
    assert raw_years_and_duplicates(settings.warehouse) == (years, rows, 0)

    more = run_pipeline(settings, years=[2024])
    assert more.success, more.problems
    years_after, rows_after, duplicates_after = raw_years_and_duplicates(settings.warehouse)
    assert years_after["raw_var_unemployment_rate"] == {2024} and duplicates_after == 0
    assert rows_after["raw_onem_unemployed"] == 38 * 5

    # a table loaded for some years only is never taken for a load of its snapshot: the next plain run loads all
    full = run_pipeline(settings, only_stale=True)
    assert full.success, full.problems
    years_full, _, _ = raw_years_and_duplicates(settings.warehouse)
    assert years_full["raw_onem_unemployed"] == set(range(2017, 2026))
