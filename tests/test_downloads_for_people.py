"""The downloads as people and machines open them: published precision, each source once, workbooks with
Dutch headers and number formats, Parquet beside every CSV, and a data package that validates."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import frictionless
import openpyxl
import polars as pl
import pytest

from models.graph import downloads
from sources.catalog import load_catalog


@pytest.fixture(scope="module")
def folder(published) -> Path:
    return (published / "current" / "downloads").resolve()


@pytest.fixture(scope="module")
def barometer(folder) -> list[dict]:
    with (folder / "barometer.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def decimals(folder) -> dict[str, int]:
    with (folder / "indicators.csv").open(encoding="utf-8", newline="") as fh:
        return {r["indicator_id"]: int(r["decimals"]) for r in csv.DictReader(fh)}


def places(text: str) -> int:
    return len(text.partition(".")[2])


def test_values_carry_the_declared_decimals_and_change_is_the_difference_of_published_values(barometer, decimals):
    previous = {(r["nis_code"], r["indicator_id"], r["period"]): r["value"] for r in barometer}
    checked = 0
    for row in barometer:
        allowed = decimals[row["indicator_id"]]
        for column in ("value", "area_value", "arrondissement_value", "region_value", "change"):
            # a value like 31026.0 is written with one decimal; more than declared is a tail
            assert row[column] == "" or places(row[column]) <= max(allowed, 1), (column, row)
        if row["change"]:
            before = previous[(row["nis_code"], row["indicator_id"], row["previous_period"])]
            assert float(row["change"]) == round(float(row["value"]) - float(before), allowed)
            checked += 1
    assert checked > 1000
    # a sum of euro amounts of merged municipalities keeps its cents and loses its binary tail
    tessenderlo = next(r for r in barometer if r["nis_code"] == "71071" and r["period"] == "2005"
                       and r["indicator_id"] == "inkomen_per_aangifte_niet_nul")
    assert tessenderlo["numerator"] == "378038327.96"


def test_the_source_column_names_each_source_of_the_row_once(barometer):
    parts = [r["source"].split("; ") for r in barometer]
    assert all(len(p) == len(set(p)) for p in parts)
    catalog = load_catalog()
    titles = {s: catalog.source(s).title for s in ("population", "statbel_population", "onem_unemployed")}
    row = {(r["nis_code"], r["indicator_id"], r["period"]): r["source"] for r in barometer}
    # the population of 2020 comes from Statbel's own file, which replaces the republished series that year
    assert row[("71016", "bevolking", "2020-01-01")] == titles["statbel_population"]
    assert row[("71016", "bevolking", "2017-01-01")] == titles["population"]
    # a ratio names its numerator's source, then its denominator's
    assert row[("71002", "werkzoekenden_rva_per_1000", "2017")] == f"{titles['onem_unemployed']}; {titles['population']}"
    assert row[("71002", "werkzoekenden_rva_per_1000", "2020")] == (f"{titles['onem_unemployed']}; "
                                                                   f"{titles['statbel_population']}")


def test_the_workbook_has_dutch_headers_number_formats_a_frozen_filtered_header_and_a_toelichting(folder):
    book = openpyxl.load_workbook(folder / "gemeenten" / "71016.xlsx")
    # Genk has the targets of its example profile; a municipality without a profile has no such sheet
    assert book.sheetnames == ["Barometer", "Doelstellingen", "Toelichting", "Indicatoren"]
    assert openpyxl.load_workbook(folder / "gemeenten" / "71053.xlsx").sheetnames == ["Barometer", "Toelichting",
                                                                                      "Indicatoren"]
    sheet = book["Barometer"]
    published = next(d for d in downloads() if d.model == "barometer")
    header = [c.value for c in sheet[1]]
    assert header == [c.header.replace("{area}", "Limburg") for c in published.columns]
    assert "Waarde Limburg" in header and "value" not in header
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:V{sheet.max_row}"
    assert sheet.column_dimensions["D"].width > 30  # the indicator's title is readable
    column = {name: i for i, name in enumerate(header)}
    formats = {}
    for row in sheet.iter_rows(min_row=2):
        if row[column["Waarde"]].value is None:
            continue
        formats.setdefault(row[column["Eenheid"]].value, set()).add(row[column["Waarde"]].number_format)
    assert formats["%"] >= {'#,##0.0" %"'} and all(f.endswith('" %"') for f in formats["%"])
    assert formats["euro"] == {'#,##0" €"'}
    assert formats["personen"] == {"#,##0"} and formats["per 1.000 inwoners"] == {"#,##0.0"}
    # numerators: counts as whole numbers, euro sums with their cents (767744947.55 for Genk in 2005)
    numerators = {(row[column["Indicatorcode"]].value, row[column["Periode"]].value): row[column["Teller"]]
                  for row in sheet.iter_rows(min_row=2) if row[column["Teller"]].value is not None}
    income = numerators[("inkomen_per_aangifte_niet_nul", "2005")]
    assert (income.value, income.number_format) == (767744947.55, "#,##0.00")
    assert numerators[("aangiften_onder_10000_euro", "2022")].number_format == "#,##0"
    notes = list(book["Toelichting"].iter_rows(values_only=True))
    assert notes[0] == ("Onderdeel", "Naam", "Omschrijving")
    kinds = {row[0] for row in notes[1:]}
    assert kinds == {"Kolom", "Vlag", "Indicator", "Bron"}
    assert any(row[0] == "Vlag" and row[1] == "vertrouwelijk/afgeschermd" for row in notes)


def test_every_csv_has_a_typed_parquet_file_with_the_same_rows(folder):
    csv_files = sorted(folder.rglob("*.csv"))
    # the overall files, the 38 municipalities and the targets of Genk's example profile
    assert len(csv_files) == 6 + 38 + 1
    for path in csv_files:
        parquet = pl.read_parquet(path.with_suffix(".parquet"))
        text = pl.read_csv(path, infer_schema=False)
        assert parquet.columns == text.columns and parquet.height == text.height, path.name
    typed = pl.read_parquet_schema(folder / "barometer.parquet")
    assert (typed["value"], typed["rank"], typed["nis_code"]) == (pl.Float64, pl.Int64, pl.String)


def test_the_data_package_describes_every_csv_and_validates(folder):
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} == {p.relative_to(folder).as_posix() for p in folder.rglob("*.csv")}
    barometer = next(r for r in package["resources"] if r["path"] == "barometer.csv")
    assert barometer["schema"]["primaryKey"] == ["nis_code", "indicator_id", "period"]
    value = next(f for f in barometer["schema"]["fields"] if f["name"] == "value")
    assert (value["type"], value["title"]) == ("number", "Waarde") and "decimalen" in value["description"]
    assert any(s.get("licence", "").startswith("CC BY 4.0") for s in package["sources"])
    assert {"CC-BY-4.0"} <= {lic["name"] for lic in package["licenses"]}
    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])[:10]


def test_a_broken_download_fails_the_data_package_validation(folder, tmp_path):
    copy = tmp_path / "downloads"
    copy.mkdir()
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"] = [r for r in package["resources"] if r["path"] == "armoedesynthese.csv"]
    (copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    text = (folder / "armoedesynthese.csv").read_text(encoding="utf-8")
    # a rank that is not a number, as a hand-edited file might have
    (copy / "armoedesynthese.csv").write_text(re.sub(r"^(7\d{4},[^,]+,[^,]*,)\d+", r"\1tien", text, count=1,
                                                      flags=re.M), encoding="utf-8")
    report = frictionless.validate(copy / "datapackage.json")
    assert not report.valid
    assert [e[2:] for e in report.flatten(["rowNumber", "fieldNumber", "fieldName", "type"])] == [["rank", "type-error"]]
