"""The Provincies in Cijfers export reader, on the real exports as published (the embedded snapshots) and on
mutations of them, one for each way an export can go wrong."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from openpyxl.styles import Font

from sources.catalog import load_catalog
from sources.errors import SourceFileError
from sources.incijfers import read_export
from sources.parsers import parse_file
from sources.register import from_snapshots
from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot

CATALOG = load_catalog()
VDAB = CATALOG.source("pic_vdab_werkloosheid")
NEWCOMERS = CATALOG.source("pic_nieuwkomers")
XLSX = latest_snapshot([EMBEDDED_SNAPSHOTS], VDAB.id).path
CSV = latest_snapshot([EMBEDDED_SNAPSHOTS], NEWCOMERS.id).path
# rows and columns of the real export: row 2 holds the labels (above each block's last year), row 3 the years;
# the blocks run B:L (werkzoekendengraad), ..., BP:BZ (job seekers without work); Genk is row 74; an empty row
# (293) separates the table from the footer
GENK_ROW, FOOTER_ROW = 74, 294


@pytest.fixture(scope="module")
def register() -> pl.DataFrame:
    return from_snapshots(CATALOG, [EMBEDDED_SNAPSHOTS])[0]


@pytest.fixture(scope="module")
def vdab(register):
    return parse_file(XLSX, VDAB, register)


def value(frame: pl.DataFrame, nis_code: str, measure: str, period: str) -> tuple:
    return frame.filter(nis_code=nis_code, measure=measure, period=period).select("value", "status").row(0)


def mutated(tmp_path: Path, change) -> Path:
    """A copy of the real XLSX export with one change made through openpyxl."""
    workbook = openpyxl.load_workbook(XLSX)
    change(workbook.worksheets[0])
    target = tmp_path / XLSX.name
    workbook.save(target)
    return target


def refusal(path: Path, register, source=VDAB) -> SourceFileError:
    with pytest.raises(SourceFileError) as caught:
        parse_file(path, source, register)
    return caught.value


def test_the_real_export_gives_its_figures_by_nis_code(vdab):
    frame = vdab.frame
    assert value(frame, "71016", "vdab_nwwz_annual_average", "2024") == (2675.0, "")
    # 285 municipalities of Flanders on the boundaries of 2025, eleven years, five measures
    assert frame["nis_code"].n_unique() == 285
    assert frame.height == 285 * 11 * 5
    # the merged municipalities of 2025 by their new names
    assert {"71071", "71072", "73110", "73111", "46030"} <= set(frame["nis_code"])


def test_a_proportion_in_a_percent_measure_is_published_as_a_percentage(vdab):
    sheet = openpyxl.load_workbook(XLSX).worksheets[0]
    cell = sheet[f"L{GENK_ROW}"]  # Genk, werkzoekendengraad 2024
    assert (sheet["L2"].value, sheet["L3"].value, cell.value) == ("werkzoekendengraad (jaargemiddelde) [%]", "2024",
                                                                  0.092)
    assert value(vdab.frame, "71016", "vdab_werkzoekendengraad", "2024") == (9.2, "")
    shares = vdab.frame.filter(pl.col("measure").str.starts_with("vdab_werkzoekendengraad"), pl.col("value") > 0)
    assert shares["value"].min() > 1  # no proportion left: the lowest rate in Flanders is well above 1 %


def test_special_values_are_flags_never_numbers(vdab):
    frame = vdab.frame
    assert value(frame, "73028", "vdab_nwwz_annual_average", "2024") == (None, "confidential")  # x
    assert value(frame, "73028", "vdab_nwwz_annual_average", "2021") == (None, "")  # -, no value
    assert value(frame, "73028", "vdab_nwwz_annual_average", "2020") == (4.0, "")
    assert frame.filter(pl.col("value").is_null())["status"].is_in(["", "confidential"]).all()
    # "nvt" occurs only in measures the barometer does not read: ten cells in all
    every_cell = read_export(XLSX).cells
    assert every_cell.filter(status="not_applicable").select(pl.col("value").is_null().all(), pl.len()).row(0) == (
        True, 10)


def test_footer_goes_into_the_facts_and_left_out_rows_are_counted(vdab):
    assert vdab.facts["date_exported"] == "2026-05-21"
    assert vdab.facts["publisher_sources"] == ["VDAB | provincies.incijfers.be",
                                               "VDAB en Rijksregister | provincies.incijfers.be"]
    assert vdab.facts["title_in_file"] == "Werkloosheid - gemeenten"
    assert vdab.notes == {"ignored_measures": [], "left_out_rows": {
        "Buiten Vlaanderen en Brussel": 1, "Niet te lokaliseren": 1, "Niet te lokaliseren - Brussel": 1,
        "Niet te lokaliseren - Vlaanderen": 1}}


def test_a_measure_the_catalogue_does_not_know_is_listed_not_fatal(tmp_path, register):
    path = mutated(tmp_path, lambda sheet: setattr(sheet["CK2"], "value", "WZW nieuw in de export [aantal]"))
    parsed = parse_file(path, VDAB, register)
    assert parsed.notes["ignored_measures"] == ["WZW nieuw in de export [aantal]"]
    assert value(parsed.frame, "71016", "vdab_nwwz_annual_average", "2024") == (2675.0, "")


def test_a_marker_colour_of_the_legend_flags_the_figure(tmp_path, register):
    def mark(sheet):
        voorlopig = next(row[1] for row in sheet.iter_rows() if row[1].value == "Voorlopig")
        sheet[f"BZ{GENK_ROW}"].font = Font(color=voorlopig.font.color.rgb)

    parsed = parse_file(mutated(tmp_path, mark), VDAB, register)
    assert value(parsed.frame, "71016", "vdab_nwwz_annual_average", "2024") == (2675.0, "provisional")
    assert value(parsed.frame, "71016", "vdab_nwwz_annual_average", "2023") == (2677.0, "")


def _rename_measure(sheet):
    sheet["BZ2"] = "werkzoekenden zonder werk [aantal]"


def _swap_years(sheet):
    sheet["C3"], sheet["D3"] = "2016", "2015"


def _swap_labels(sheet):  # the label of a % measure over a block of counts and the other way round
    sheet["L2"], sheet["BZ2"] = sheet["BZ2"].value, sheet["L2"].value


def _drop_footer(sheet):
    sheet.delete_rows(FOOTER_ROW, 30)


def _unknown_name(sheet):
    sheet[f"A{GENK_ROW}"] = "Gennk"


def _unknown_special_value(sheet):
    sheet[f"BZ{GENK_ROW}"] = "n.b."


@pytest.mark.parametrize(("change", "rule", "row", "column"), [
    (_rename_measure, "expected-measures", 2, "B"),
    (_swap_years, "export-header", 2, "B"),
    (_swap_labels, "percent-format", GENK_ROW - 70, "B"),
    (_drop_footer, "export-footer", FOOTER_ROW - 1, "A"),
    (_unknown_name, "municipality-name", GENK_ROW, "A"),
    (_unknown_special_value, "special-value", GENK_ROW, "BZ"),
])
def test_a_broken_export_is_refused_naming_sheet_row_and_column(tmp_path, register, change, rule, row, column):
    error = refusal(mutated(tmp_path, change), register)
    assert (error.rule, error.sheet, error.row, error.column) == (rule, "Werkloosheid gemeenten", row, column)


def test_the_csv_form_reads_the_same_way(register):
    parsed = parse_file(CSV, NEWCOMERS, register)
    assert value(parsed.frame, "71016", "newcomers", "2024") == (493.0, "")
    assert value(parsed.frame, "21001", "newcomers", "2024") == (None, "")  # Anderlecht: "-"
    assert parsed.frame["nis_code"].n_unique() == 285 + 19
    assert parsed.notes["left_out_rows"]["Niet te lokaliseren"] == 1
    assert parsed.facts == {}  # the CSV form has no footer


@pytest.mark.parametrize(("old", "new", "rule", "row", "column"), [
    ('"nieuwkomers|2016"', '"nieuwkomers 2016"', "export-header", 1, "D"),
    ('"Genk";', '"Gennk";', "municipality-name", None, "A"),
    (";493\n", ";?!\n", "special-value", None, "L"),
])
def test_a_broken_csv_export_is_refused(tmp_path, register, old, new, rule, row, column):
    text = CSV.read_bytes().decode("utf-8")
    assert old in text
    path = tmp_path / CSV.name
    path.write_bytes(text.replace(old, new, 1).encode("utf-8"))
    error = refusal(path, register, NEWCOMERS)
    genk_row = next(i for i, line in enumerate(text.splitlines(), start=1) if line.startswith('"Genk"'))
    assert (error.rule, error.row, error.column) == (rule, row or genk_row, column)


def test_a_percent_measure_in_csv_is_read_as_a_proportion(tmp_path, register):
    """The CSV form is read as the XLSX: a [%] measure holds proportions. Were they percentages, the values would
    come out a hundred times too large, which validation blocks (percent 0-100)."""
    path = tmp_path / "export.csv"
    path.write_text('"gemeenten";"werkzoekendengraad (jaargemiddelde) [%]|2024"\r\n"Genk";"0,092"\r\n',
                    encoding="utf-8")
    export = read_export(path)
    assert export.cells.select("name", "year", "value").row(0) == ("Genk", 2024, 9.2)


def test_reading_an_export_does_not_change_it(tmp_path):
    copy = tmp_path / XLSX.name
    shutil.copyfile(XLSX, copy)
    read_export(copy)
    assert copy.read_bytes() == XLSX.read_bytes()
