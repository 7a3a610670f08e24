"""Targets: the example profile of Genk published with the default run, its statuses computed from the real data,
the downloads and the template, and the status rule on synthetic series."""
from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from models.build import build_model, model_graph
from models.terms import TERMS
from pipelines.settings import EXAMPLE_PROFILES, Settings
from sources.catalog import load_catalog
from sources.profiles import IndicatorFacts, load_profile

SETTINGS = Settings.from_env()
FACTS = {i.id: IndicatorFacts(i.unit, i.polarity) for i in SETTINGS.indicators}
TERM_YEARS = [(t.first_year, t.last_year) for t in TERMS]
GENK = EXAMPLE_PROFILES / "71016.yaml"


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def progress(published) -> dict[str, dict]:
    con = duckdb.connect(str(published / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.sql("select * from target_progress where nis_code = '71016'").pl().to_dicts()
        series = con.sql("select indicator_id, year, value, numerator from barometer where nis_code = '71016' "
                         "and value is not null and year is not null").pl()
    finally:
        con.close()
    return {r["indicator_id"]: r | {"series": series.filter(pl.col("indicator_id") == r["indicator_id"])}
            for r in rows}


def value_in(series: pl.DataFrame, year: int, column: str = "value") -> float:
    return series.filter(pl.col("year") == year)[column].item()


# --- the example, end to end -----------------------------------------------------------------------------

def test_the_example_of_genk_is_published_with_statuses_that_follow_from_the_data(progress):
    assert set(progress) == {"werkzoekenden_rva_per_1000", "werkloosheidsgraad_rva", "vdab_werkzoekendengraad"}

    # a rate on counts of people: RVA job seekers per 1,000 inhabitants, 2024 -> 2025
    rva = progress["werkzoekenden_rva_per_1000"]
    base, last = round(value_in(rva["series"], 2024), 1), round(value_in(rva["series"], 2025), 1)
    n_base, n_last = value_in(rva["series"], 2024, "numerator"), value_in(rva["series"], 2025, "numerator")
    noise = 1.96 * math.sqrt(base ** 2 / n_base + last ** 2 / n_last)
    assert (rva["baseline_value"], rva["latest_value"], rva["latest_period"]) == (base, last, "2025")
    assert rva["goal"] == pytest.approx(base - 3.0)
    assert rva["needed_per_year"] == pytest.approx(-3.0 / 6)
    assert rva["noise_margin"] == pytest.approx(noise)
    assert abs(last - base) < noise and rva["status"] == "binnen de ruis"

    # a percentage without counts: judged without a noise test; it rose while it should fall
    unemployment = progress["werkloosheidsgraad_rva"]
    assert unemployment["noise_margin"] is None
    assert value_in(unemployment["series"], 2025) > value_in(unemployment["series"], 2024)
    assert (unemployment["goal"], unemployment["status"]) == (4.5, "niet op koers")

    # no figure after the baseline year yet
    vdab = progress["vdab_werkzoekendengraad"]
    assert vdab["series"]["year"].max() == 2024
    assert (vdab["latest_value"], vdab["status"]) == (None, "onvoldoende gegevens")


def test_the_targets_are_downloads_overall_per_municipality_and_in_genks_workbook(published):
    downloads = published / "current" / "downloads"
    overall = read_csv(downloads / "doelstellingen.csv")
    assert [(r["nis_code"], r["indicator_id"], r["status"]) for r in overall] == [
        ("71016", "vdab_werkzoekendengraad", "onvoldoende gegevens"),
        ("71016", "werkloosheidsgraad_rva", "niet op koers"),
        ("71016", "werkzoekenden_rva_per_1000", "binnen de ruis")]
    rva = next(r for r in overall if r["indicator_id"] == "werkzoekenden_rva_per_1000")
    # at the indicator's decimals (1), the changes per year with one more
    assert (rva["baseline_value"], rva["latest_value"], rva["goal"], rva["needed_per_year"]) == (
        "20.2", "18.8", "17.2", "-0.5")
    assert rva["example"] == "true" and rva["municipality"] == "Genk"
    assert read_csv(downloads / "doelstellingen" / "71016.csv") == overall
    assert sorted(p.name for p in (downloads / "doelstellingen").iterdir()) == ["71016.csv", "71016.parquet"]

    sheet = openpyxl.load_workbook(downloads / "gemeenten" / "71016.xlsx")["Doelstellingen"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["NIS-code", "Gemeente", "Indicatorcode", "Indicator"] and "Status" in header
    statuses = [row[header.index("Status")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert statuses == ["onvoldoende gegevens", "niet op koers", "binnen de ruis"]


def test_each_municipality_has_a_template_prefilled_with_its_latest_values_that_reads_back_as_a_profile(published):
    templates = published / "current" / "downloads" / "sjablonen"
    assert len(list(templates.glob("*.xlsx"))) == 38
    genk = load_profile(templates / "71016.xlsx", FACTS, TERM_YEARS, {"71016": "Genk"})
    example = load_profile(GENK, FACTS, TERM_YEARS, {"71016": "Genk"})
    assert (genk.indicators, genk.targets, genk.example) == (example.indicators, example.targets, True)

    # Sint-Truiden has no profile: nothing chosen, and each row carries its latest published value and year
    sint_truiden = load_profile(templates / "71053.xlsx", FACTS, TERM_YEARS, {"71053": "Sint-Truiden"})
    assert (sint_truiden.indicators, sint_truiden.targets, sint_truiden.example) == ((), (), False)
    rows = {r["Indicatorcode"]: r for r in _sheet_rows(templates / "71053.xlsx", "Doelstellingen")}
    barometer = read_csv(published / "current" / "downloads" / "gemeenten" / "71053.csv")
    latest = max((r for r in barometer if r["indicator_id"] == "vdab_werkzoekendengraad" and r["value"]),
                 key=lambda r: r["period"])
    assert rows["vdab_werkzoekendengraad"]["Laatste waarde"] == float(latest["value"])
    assert rows["vdab_werkzoekendengraad"]["Basisjaar"] == int(latest["period"])
    assert rows["kansarmoede_index"]["Basisjaar"] is None  # its period has no year, so no baseline to offer


def _sheet_rows(path: Path, sheet: str) -> list[dict]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_genks_page_puts_its_targets_and_chosen_indicators_first_and_other_pages_do_not(published):
    page = (published / "current" / "gemeenten" / "71016.html").read_text(encoding="utf-8")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "an id twice on the page: a chart would be drawn in the wrong element"
    assert page.index('id="doelstellingen"') < page.index('id="eigen-barometer"') < page.index('id="kerncijfers"')
    assert "geen beslissing van de gemeenteraad" in page
    summary = page[page.index('id="alle-indicatoren"'):]
    first = re.findall(r'<tr class="chosen"><td><a href="#([a-z0-9_]+)"', summary)
    assert first == ["werkzoekenden_rva_per_1000", "werkloosheidsgraad_rva", "vdab_werkzoekendengraad",
                     "aangiften_onder_10000_euro", "kansarmoede_index"]
    sint_truiden = (published / "current" / "gemeenten" / "71053.html").read_text(encoding="utf-8")
    assert 'id="doelstellingen"' not in sint_truiden and 'class="chosen"' not in sint_truiden
    assert "sjablonen/71053.xlsx" in sint_truiden
    method = (published / "current" / "methode.html").read_text(encoding="utf-8")
    assert "binnen de ruis" in method and "1,96" in method


# --- the status rule on synthetic series ------------------------------------------------------------------

SYNTHETIC_TARGET = {"nis_code": "71016", "term_start": 2025, "term_end": 2030, "baseline_year": 2024,
                    "deadline_year": 2030, "target_value": None, "minimum_change": None, "measure": None,
                    "against_polarity": False, "profile_file": "synthetic.yaml", "example": False}


def synthetic_progress(series: dict[str, list[tuple[int, float, float | None]]], targets: list[dict],
                       counted: set[str] = frozenset()) -> dict[str, dict]:
    """target_progress on a synthetic barometer: per indicator its (year, value, numerator) rows; `counted`
    indicators have a numerator that counts persons."""
    con = duckdb.connect()
    rows = [{"nis_code": "71016", "indicator_id": i, "period": str(y), "year": y, "value": v, "numerator": n,
             "flags": []} for i, points in series.items() for y, v, n in points]
    con.register("b", pl.DataFrame(rows, schema={"nis_code": pl.String, "indicator_id": pl.String,
                                                 "period": pl.String, "year": pl.Int32, "value": pl.Float64,
                                                 "numerator": pl.Float64, "flags": pl.List(pl.String)}))
    con.execute("create table barometer as select * from b")
    con.execute("create table indicator_metadata as select unnest(?) as indicator_id, 1 as decimals", [list(series)])
    con.execute("create table indicator_spec as select indicator_id, case when indicator_id in (select unnest(?)) "
                "then 'synthetic_persons' end as numerator_measure, null::varchar as value_measure "
                "from indicator_metadata", [list(counted)])
    con.execute("create table measure_spec as select 'synthetic_persons' as measure, 'persons' as unit")
    con.execute("create table count_units as select 'persons' as unit")
    con.register("t", pl.DataFrame([SYNTHETIC_TARGET | t for t in targets]))
    con.execute("create table targets as select * from t")
    [model] = [m for m in model_graph(load_catalog()) if m.name == "target_progress"]
    build_model(con, model, None)
    return {r["indicator_id"]: r for r in con.sql("select * from target_progress").pl().to_dicts()}


def test_synthetic_series_get_each_status_by_the_written_rule():
    lower = {"direction": "lager", "minimum_change": 3.0}  # from 20 to 17 by 2030: -0.5 a year
    found = synthetic_progress(
        {"synthetic_reached": [(2024, 20.0, None), (2026, 16.9, None)],
         "synthetic_on_course": [(2024, 20.0, None), (2026, 19.0, None)],       # the line is at 19.0 in 2026
         "synthetic_off_course": [(2024, 20.0, None), (2026, 19.1, None)],
         "synthetic_no_later_value": [(2023, 21.0, None), (2024, 20.0, None)],
         "synthetic_small_counts": [(2024, 20.0, 8.0), (2026, 10.0, 4.0)],      # halved, but on 8 and 4 persons
         "synthetic_large_counts": [(2024, 20.0, 8000.0), (2026, 18.0, 7200.0)]},
        [SYNTHETIC_TARGET | lower | {"indicator_id": i} for i in (
            "synthetic_reached", "synthetic_on_course", "synthetic_off_course", "synthetic_no_later_value",
            "synthetic_small_counts", "synthetic_large_counts")],
        counted={"synthetic_small_counts", "synthetic_large_counts"})
    assert {i: r["status"] for i, r in found.items()} == {
        "synthetic_reached": "bereikt", "synthetic_on_course": "op koers", "synthetic_off_course": "niet op koers",
        "synthetic_no_later_value": "onvoldoende gegevens", "synthetic_small_counts": "binnen de ruis",
        "synthetic_large_counts": "op koers"}
    small = found["synthetic_small_counts"]
    assert small["noise_margin"] == pytest.approx(1.96 * math.sqrt(20.0 ** 2 / 8 + 10.0 ** 2 / 4))
    assert found["synthetic_on_course"]["observed_per_year"] == pytest.approx(-0.5)
    assert found["synthetic_off_course"]["on_course_value"] == pytest.approx(19.0)


def test_synthetic_target_value_upwards_is_measured_against_its_own_goal():
    found = synthetic_progress({"synthetic_share": [(2024, 40.0, None), (2025, 41.0, None), (2027, 43.5, None)]},
                               [SYNTHETIC_TARGET | {"indicator_id": "synthetic_share", "direction": "hoger",
                                                    "target_value": 46.0}])
    share = found["synthetic_share"]
    # needed +1 a year; in 2027 the line is at 43.0 and the value at 43.5
    assert (share["goal"], share["needed_per_year"], share["latest_period"]) == (46.0, 1.0, "2027")
    assert share["status"] == "op koers"
