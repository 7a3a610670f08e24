"""Validation runs inside DuckDB through Great Expectations; these tests guard that it really evaluates."""
from __future__ import annotations

import duckdb
import pytest

from models.metadata import load_indicators
from models.validation import describe_failures, rules_for, validate
from sources.catalog import load_catalog

CATALOG = load_catalog()


@pytest.fixture
def warehouse(reference_warehouse):
    reference_warehouse.load([CATALOG.source("census2021_labour")])
    return reference_warehouse.settings.warehouse


def rules(source):
    return {source.raw_table: rules_for(source, CATALOG, load_indicators(CATALOG))}


def test_real_source_passes_every_rule(warehouse):
    source = CATALOG.source("census2021_labour")
    [results] = validate(warehouse, rules(source)).values()
    assert [r.rule.name for r in results if not r.success] == []
    assert {r.rule.name for r in results} >= {"nis-code-in-code-set", "unique-key", "value-in-unit-range",
                                              "complete-coverage"}


def test_failures_name_the_rule_and_the_source_rows(warehouse):
    con = duckdb.connect(str(warehouse))
    con.execute("update raw_census2021_labour set value = -1 where _source_row = 5")
    con.execute("delete from raw_census2021_labour where nis_code = '73028'")
    con.close()
    source = CATALOG.source("census2021_labour")
    # if GX stops keeping the DuckDB connection open (a private name we patch), every rule errors here
    [results] = validate(warehouse, rules(source)).values()
    failed = {r.rule.name: r for r in results if not r.success}
    # a labour force of -1 is also smaller than its unemployed
    assert set(failed) == {"value-in-unit-range", "complete-coverage", "numerator-within-denominator"}
    assert all(r.error is None for r in failed.values())
    assert failed["value-in-unit-range"].n_failing == 1 and failed["complete-coverage"].n_failing == 2
    text = describe_failures(source.file, results)
    assert "limburg_census2021_unemployed.csv: rule 'value-in-unit-range'" in text
    assert "row 5 (nis_code=71004" in text
    assert "expected (nis_code=73028, measure=census2021_labour_force_15_64, period=2021-01-01)" in text


def test_validation_releases_the_database_file(warehouse):
    source = CATALOG.source("census2021_labour")
    validate(warehouse, rules(source))
    duckdb.connect(str(warehouse)).close()  # read-write again in the same process
