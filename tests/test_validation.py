"""Validation runs inside DuckDB through Great Expectations; these tests guard that it really evaluates."""
from __future__ import annotations

import duckdb
import pytest

from models import build
from models.validation import describe_failures, rules_for, validate
from sources.catalog import load_catalog
from sources.parsers import parse
from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot

CATALOG = load_catalog()


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    build.load_register(con, CATALOG, [EMBEDDED_SNAPSHOTS])
    build.municipalities(con, CATALOG)
    source = CATALOG.source("census2021_labour")
    snapshot = latest_snapshot([EMBEDDED_SNAPSHOTS], source.id)
    build.load_raw(con, source, parse(snapshot.path, source), snapshot.origin)
    con.close()
    return path


def test_real_source_passes_every_rule(warehouse):
    source = CATALOG.source("census2021_labour")
    results = validate(warehouse, source.raw_table, rules_for(source, CATALOG))
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
    results = validate(warehouse, source.raw_table, rules_for(source, CATALOG))
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
    validate(warehouse, source.raw_table, rules_for(source, CATALOG))
    duckdb.connect(str(warehouse)).close()  # read-write again in the same process
