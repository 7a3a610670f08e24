"""Sources partitioned by reference year: a backfill over a range of years, then a re-run of one year."""
from __future__ import annotations

import duckdb

from pipelines.partitions import year_range_tags
from sources.catalog import load_catalog
from tests.conftest import run_pipeline

PARTITIONED = [s.raw_table for s in load_catalog().sources.values() if s.partitioned]


def raw_years_and_duplicates(warehouse) -> tuple[dict, dict, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        years, rows, duplicates = {}, {}, 0
        for table in PARTITIONED:
            years[table] = {y for (y,) in con.execute(f"select distinct period_year(period) from {table}").fetchall()}
            rows[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
            duplicates += con.execute(f"select count(*) from (select nis_code, measure, period from {table} "
                                      "group by all having count(*) > 1)").fetchone()[0]
        return years, rows, duplicates
    finally:
        con.close()


def test_backfill_then_rerun_of_one_year_leaves_exactly_one_row_per_key(tmp_path, monkeypatch):
    output = tmp_path / "output"
    backfill = run_pipeline(monkeypatch, output, tags=year_range_tags("2017", "2020"))
    assert backfill.success, backfill.problems
    years, rows, duplicates = raw_years_and_duplicates(output / "warehouse.duckdb")
    assert years["raw_population"] == {2017, 2018, 2019, 2020}
    assert years["raw_onem_unemployed"] == {2017, 2018, 2019, 2020}
    assert years["raw_var_unemployment_rate"] == set()          # its only year, 2024, was not asked for
    assert rows["raw_onem_unemployed"] == 38 * 4 and duplicates == 0

    rerun = run_pipeline(monkeypatch, output, tags=year_range_tags("2019", "2019"))
    assert rerun.success, rerun.problems
    assert raw_years_and_duplicates(output / "warehouse.duckdb") == (years, rows, 0)

    more = run_pipeline(monkeypatch, output, tags=year_range_tags("2024", "2024"))
    assert more.success, more.problems
    years_after, rows_after, duplicates_after = raw_years_and_duplicates(output / "warehouse.duckdb")
    assert years_after["raw_var_unemployment_rate"] == {2024} and duplicates_after == 0
    assert rows_after["raw_onem_unemployed"] == 38 * 5
