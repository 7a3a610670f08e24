"""Harmonisation and indicator SQL on a real register with small synthetic observations (named as such)."""
from __future__ import annotations

import duckdb
import polars as pl
import pytest

from models import build
from models.warehouse import replace_table, run_sql
from sources.catalog import load_catalog
from tests.conftest import build_layers

CATALOG = load_catalog()


@pytest.fixture
def con(reference_warehouse):
    """The real register and reference tables, with the catalogue's measure and source tables; the tests add
    synthetic observations and run the SQL models of a layer."""
    con = duckdb.connect(str(reference_warehouse.settings.warehouse))
    run_sql(con, "macros")
    for name in ("measure_spec", "source_spec", "council_terms", "count_units"):
        build.build_model(con, reference_warehouse.model(name), reference_warehouse.inputs)
    yield con
    con.close()


def synthetic_observations(con, rows):
    """rows: (measure, nis_code, period, value)."""
    frame = pl.DataFrame(rows, schema=["measure", "nis_code", "period", "value"], orient="row").with_columns(
        pl.col("measure").replace(CATALOG.measure_source()).alias("source_id"), pl.col("value").cast(pl.Float64))
    con.register("synthetic_rows", frame)
    con.execute("""create or replace table observations as
        select source_id, measure, nis_code, 'municipality' as level, period_label(period) as period,
               period_year(period) as year, period_date(period) as period_date, period_date(period) as code_date,
               value, []::varchar[] as flags, period as source_period,
               '' as source_note, 'synthetic.csv' as source_file, 0::bigint as source_row
        from synthetic_rows""")
    build_layers(con, "harmonised")


def harmonised(con, measure, nis_code, period):
    return con.execute("select value, flags, harmonised_from from harmonised_observations "
                       "where measure = ? and nis_code = ? and period = ?", [measure, nis_code, period]).fetchone()


def test_register_resolves_old_codes_to_todays_municipalities(con):
    current = dict(con.execute("select nis_code, current_nis_code from municipalities").fetchall())
    assert current["71022"] == current["73040"] == "71072"        # Hasselt + Kortessem, 2025
    assert current["71047"] == current["72040"] == "72042"        # Oudsbergen, 2019
    assert current["72025"] == current["72029"] == "72043"        # Pelt, 2019
    assert current["71016"] == "71016"
    assert con.execute("select count(*) from municipalities where is_current").fetchone()[0] == 38


def test_counts_of_merged_municipalities_are_added(con):
    synthetic_observations(con, [("population", "71022", "2020-01-01", 100), ("population", "73040", "2020-01-01", 50),
                                 ("population", "71047", "2018-01-01", 10), ("population", "72040", "2018-01-01", 20)])
    value, flags, parts = harmonised(con, "population", "71072", "2020-01-01")
    assert (value, flags, parts) == (150.0, [], ["71022", "73040"])
    assert harmonised(con, "population", "72042", "2018-01-01")[0] == 30.0


def test_a_merged_value_with_a_missing_part_is_missing(con):
    synthetic_observations(con, [("population", "72025", "2017-01-01", 40)])
    assert harmonised(con, "population", "72043", "2017-01-01")[0] is None


def test_rates_are_combined_with_population_weights_and_flagged_estimated(con):
    synthetic_observations(con, [
        ("kansarmoede_index", "71057", "2020", 10), ("kansarmoede_index", "71069", "2020", 20),
        ("population", "71057", "2020-01-01", 100), ("population", "71069", "2020-01-01", 300)])
    value, flags, parts = harmonised(con, "kansarmoede_index", "71071", "2020")
    assert value == pytest.approx(17.5)
    assert flags == ["estimated"] and parts == ["71057", "71069"]


def test_a_value_published_for_the_new_code_wins_over_the_sum_of_its_parts(con):
    synthetic_observations(con, [("population", "71022", "2020-01-01", 100), ("population", "73040", "2020-01-01", 50),
                                 ("population", "71072", "2020-01-01", 151)])
    assert con.execute("select count(*) from harmonised_observations where nis_code = '71072'").fetchone()[0] == 1
    assert harmonised(con, "population", "71072", "2020-01-01")[0] == 151.0


def test_ratio_indicator_and_its_area_value_come_from_numerators_and_denominators(con):
    synthetic_observations(con, [("census2021_unemployed_15_64", "71016", "2021-01-01", 10),
                                 ("census2021_labour_force_15_64", "71016", "2021-01-01", 100),
                                 ("census2021_unemployed_15_64", "71002", "2021-01-01", 30),
                                 ("census2021_labour_force_15_64", "71002", "2021-01-01", 900)])
    replace_table(con, "indicator_spec", pl.DataFrame([{
        "indicator_id": "synthetic_rate", "value_measure": None, "numerator_measure": "census2021_unemployed_15_64",
        "denominator_measure": "census2021_labour_force_15_64", "scale": 100.0, "aggregate": "ratio",
        "polarity": -1}], schema_overrides={"value_measure": pl.String}))
    con.execute("update area_spec set min_coverage = 0")
    build_layers(con, "indicators", "barometer")
    values = dict(con.execute("select nis_code, value from barometer where value is not null").fetchall())
    assert values == {"71016": pytest.approx(10.0), "71002": pytest.approx(30 / 900 * 100)}
    area, flags = con.execute("select distinct area_value, area_flags from barometer").fetchone()
    assert area == pytest.approx(40 / 1000 * 100)             # not the mean of 10 % and 3.3 %
    assert flags == ["estimated"]                             # 2 of 38 municipalities
    ranks = dict(con.execute("select nis_code, rank from barometer where value is not null").fetchall())
    assert ranks == {"71016": 1, "71002": 2}
    missing = con.execute("select count(*) from barometer where value is null and list_contains(flags, 'missing')")
    assert missing.fetchone()[0] == 36
