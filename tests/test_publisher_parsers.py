"""Publisher parsers on files in each publisher's layout, and on broken variants of them.

Fixtures are in tests/fixtures/publishers (see build_fixtures.py there for where each value comes from).
"""
from __future__ import annotations

import dataclasses
import shutil
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from sources.catalog import load_catalog
from sources.errors import SourceFileError
from sources.parsers import OBSERVATION_SCHEMA, PARSERS, parse
from sources import readers
from sources.readers import belgian_number

FIXTURES = Path(__file__).parent / "fixtures" / "publishers"
CATALOG = load_catalog()
POPULATION_CSV = FIXTURES / "statbel_bevolking_per_gemeente_2020-01-01_municipalities_only.csv"
# the codes of Limburg's arrondissements Hasselt, Maaseik and Tongeren begin with 71, 72 and 73
LIMBURG = pl.col("nis_code").str.slice(0, 2).is_in(["71", "72", "73"])


def parsed(source_id: str, name: str | Path, **changes) -> pl.DataFrame:
    source = dataclasses.replace(CATALOG.source(source_id), **changes)
    return parse(FIXTURES / name, source)


def refused(source_id: str, path: Path, **changes) -> SourceFileError:
    with pytest.raises(SourceFileError) as caught:
        parse(path, dataclasses.replace(CATALOG.source(source_id), **changes))
    return caught.value


def workbook(path: Path, rows: list[list], sheet: str = "AR_03", percent_column: int | None = None) -> Path:
    """A one-sheet workbook with `rows` from A1 (synthetic values)."""
    book = xlsxwriter.Workbook(path)
    cells = book.add_worksheet(sheet)
    percent = book.add_format({"num_format": "0.0%"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cells.write(r, c, value, percent if c == percent_column and r else None)
    book.close()
    return path


def test_every_publisher_parser_is_registered_and_returns_the_observation_layout():
    # a table built from other sources' files (the register) has no parser of its own
    publisher_sources = [s for s in CATALOG.sources.values() if not s.embedded and not s.parts]
    assert {s.parser for s in publisher_sources} <= set(PARSERS)
    frame = parsed("gsm_ar_03", "synthetic_GSM_Extract_AR_03.xlsx")
    assert frame.schema == pl.Schema(OBSERVATION_SCHEMA)


def test_gsm_extract_skips_titles_combines_the_merged_header_and_stops_before_the_notes():
    frame = parsed("gsm_ar_03", "synthetic_GSM_Extract_AR_03.xlsx")
    # the "Vlaams Gewest" row has no code and is left out; Herstappe has no value
    assert frame.select("nis_code", "period", "value", "_source_row").rows() == [
        ("71002", "2024", 8.79, 7), ("71004", "2024", 15.29, 8), ("71011", "2024", 4.03, 9),
        ("71016", "2024", 20.28, 10), ("73028", "2024", None, 11)]
    assert set(frame["measure"]) == {"kansarmoede_index"}


def test_gsm_numerator_and_denominator_are_measures_only_when_declared(tmp_path):
    path = workbook(tmp_path / "GSM_Extract_AR_13.xlsx", [
        ["Gemeente", "NIS-code", "Jaar", "Teller", "Noemer", "Procent (%)"],
        ["Synthetisch", 71002, 2022, 25, 1000, 2.5]], sheet="AR_13")
    assert parse(path, CATALOG.source("gsm_ar_13"))["measure"].to_list() == ["leefloon_share"]
    frame = parse(path, dataclasses.replace(CATALOG.source("gsm_ar_13"), measures={
        "leefloon_share": "percent", "leefloon_share_numerator": "persons", "leefloon_share_denominator": "persons"}))
    assert dict(frame.select("measure", "value").rows()) == {
        "leefloon_share": 2.5, "leefloon_share_numerator": 25, "leefloon_share_denominator": 1000}


def test_a_percent_formatted_cell_is_read_as_the_percentage_shown(tmp_path):
    path = workbook(tmp_path / "x.xlsx", [["NIS-code", "Jaar", "Procent (%)"], [71016, 2024, 0.2028]],
                    percent_column=2)
    assert parse(path, CATALOG.source("gsm_ar_03"))["value"].to_list() == [20.28]


def test_gsm_extract_of_another_indicator_is_refused():
    error = refused("gsm_ar_03", FIXTURES / "synthetic_GSM_Extract_WE_36.xlsx")
    assert error.rule == "indicator-code" and "WE_36" in error.detail


@pytest.mark.parametrize(("name", "message"), [
    ("synthetic_GSM_Extract_AR_03_missing_year.xlsx",
     "file synthetic_GSM_Extract_AR_03_missing_year.xlsx, sheet 'AR_03', row 4, column 'Jaar': "
     "rule 'expected-columns'"),
    ("synthetic_GSM_Extract_AR_03_nvt.xlsx",
     "file synthetic_GSM_Extract_AR_03_nvt.xlsx, sheet 'AR_03', row 8, column 'Kansarmoede-index / Procent (%)': "
     "rule 'numeric-value' violated: 'n.v.t.' is not a number (1 such cell(s))"),
    ("synthetic_GSM_Extract_AR_03_truncated.xlsx",
     "file synthetic_GSM_Extract_AR_03_truncated.xlsx: rule 'content-type' violated: not a valid xlsx file"),
    ("synthetic_GSM_Extract_AR_03_garbled.xlsx",
     "file synthetic_GSM_Extract_AR_03_garbled.xlsx: rule 'readable-xlsx' violated: the workbook cannot be read"),
    ("synthetic_GSM_Extract_AR_03_html.xlsx",
     "file synthetic_GSM_Extract_AR_03_html.xlsx: rule 'content-type' violated: this is an HTML page"),
])
def test_broken_workbooks_are_refused_with_their_place(name, message):
    assert str(refused("gsm_ar_03", FIXTURES / name)).startswith(message)


def test_data_after_a_gap_in_the_table_is_an_error_not_dropped(tmp_path):
    path = workbook(tmp_path / "x.xlsx", [["NIS-code", "Jaar", "Procent (%)"], [71002, 2024, 8.79], [],
                                          [71016, 2024, 20.28]])
    assert str(refused("gsm_ar_03", path)).startswith("file x.xlsx, sheet 'AR_03', row 4: rule 'table-end'")


def test_statbel_population_reads_the_real_export_and_keeps_municipalities():
    frame = parsed("statbel_population", POPULATION_CSV.name)
    assert frame.height == 581 and set(frame["period"]) == {"2020-01-01"}
    limburg = frame.filter(LIMBURG)
    # the check the reference README gives: the 42 municipalities of 2020 sum to 877,370
    assert limburg.height == 42 and limburg["value"].sum() == 877_370
    assert frame.filter(nis_code="73109").select("value", "_source_row").row(0) == (4175, 500)


def test_statbel_population_workbook_takes_the_year_from_each_sheet_and_skips_aggregates():
    frame = parsed("statbel_population", "statbel_Bevolking_per_gemeente_2020_extract.xlsx")
    assert frame.select("nis_code", "period", "value", "_source_row").rows() == [
        ("71002", "2020-01-01", 8236, 5), ("71016", "2020-01-01", 66447, 6),
        ("72042", "2020-01-01", 23615, 7), ("73028", "2020-01-01", 79, 8)]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_population_export_in_either_encoding_reads_the_same(tmp_path, encoding):
    copy = tmp_path / POPULATION_CSV.name
    copy.write_bytes(POPULATION_CSV.read_text(encoding="utf-8").encode(encoding))
    assert parse(copy, CATALOG.source("statbel_population")).equals(parsed("statbel_population", POPULATION_CSV.name))


def test_population_export_with_the_wrong_separator_is_refused(tmp_path):
    copy = tmp_path / POPULATION_CSV.name
    copy.write_text(POPULATION_CSV.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    assert str(refused("statbel_population", copy)).startswith(
        f"file {copy.name}, row 1: rule 'separator' violated: expected fields separated by ','")


def test_population_export_without_a_date_in_its_name_is_refused(tmp_path):
    copy = tmp_path / "bevolking_per_gemeente.csv"
    shutil.copyfile(POPULATION_CSV, copy)
    assert refused("statbel_population", copy).rule == "reference-date"


def test_statbel_fiscal_income_reads_the_zipped_pipe_file_with_byte_order_mark():
    frame = parsed("statbel_fiscal_income", "statbel_TF_PSNL_INC_TAX_MUNTY_extract.zip")
    assert frame.height == 6 * 4 and set(frame["period"]) == {"2022", "2023"}
    genk = frame.filter(nis_code="71016", period="2023")
    assert dict(genk.select("measure", "value").rows()) == {
        "declarations_nonzero_income": 40005, "total_net_taxable_income_eur": 1455640247.86,
        "total_tax_assessed_eur": 289600481.51, "municipal_surcharge_collected_eur": 20678616.71}
    assert genk["_source_row"].to_list() == [6] * 4


def statbel_zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_statbel_zip_needs_one_text_member_with_pipes_or_tabs(tmp_path):
    two = statbel_zip(tmp_path / "two.zip", {"a.txt": "CD_YEAR|CD_MUNTY_REFNIS\n", "b.txt": "x\n"})
    assert refused("statbel_fiscal_income", two).rule == "one-data-member"
    commas = statbel_zip(tmp_path / "commas.zip", {"TF.txt": "CD_YEAR,CD_MUNTY_REFNIS\n2023,71002\n"})
    assert str(refused("statbel_fiscal_income", commas)).startswith(
        "file commas.zip!TF.txt, row 1: rule 'separator' violated")


def test_statbel_zip_missing_a_mapped_column_names_it(tmp_path):
    text = "CD_YEAR\tCD_MUNTY_REFNIS\tMS_NBR_NON_ZERO_INC\n2023\t71002\t4873\n"
    path = statbel_zip(tmp_path / "TF_PSNL_INC_TAX_MUNTY.zip", {"TF_PSNL_INC_TAX_MUNTY.txt": text})
    assert str(refused("statbel_fiscal_income", path)).startswith(
        "file TF_PSNL_INC_TAX_MUNTY.zip!TF_PSNL_INC_TAX_MUNTY.txt, row 1, column 'MS_TOT_NET_TAXABLE_INC': "
        "rule 'expected-columns'")


STATBEL_HEADER = ("CD_YEAR|CD_MUNTY_REFNIS|TX_MUNTY_DESCR_NL|MS_NBR_NON_ZERO_INC|MS_NBR_ZERO_INC|"
                  "MS_TOT_NET_TAXABLE_INC|MS_TOT_TAXES|MS_TOT_MUNICIP_TAXES|MS_TOT_RESIDENTS\n")
STATBEL_ROWS = ["2023|71002|As|4873|1|1|1|1|1\n", "2023|71004|Beringen|20000|1|1|1|1|1\n",
                "2023|71011|Diepenbeek|9000|1|1|1|1|1\n"]


def test_statbel_zip_read_by_polars_equals_the_row_by_row_reading(tmp_path, monkeypatch):
    path = statbel_zip(tmp_path / "TF.zip", {"TF.txt": STATBEL_HEADER + "".join(STATBEL_ROWS)})
    fast = parsed("statbel_fiscal_income", path)
    monkeypatch.setattr(readers, "_regular_text_table", lambda *args: None)
    assert fast.equals(parsed("statbel_fiscal_income", path)) and fast["_source_row"].unique().to_list() == [2, 3, 4]


@pytest.mark.parametrize(("row", "rule", "detail"), [
    ("Bron: Statbel\n", "table-end", "row 4: rule 'table-end' violated"),
    ("2023|71011|Diepenbeek|9000|1|1|1|1|1|extra\n", "field-count", "row 3, column 'column_J': rule 'field-count'"),
])
def test_statbel_zip_irregular_row_is_named_as_before(tmp_path, row, rule, detail):
    """A note inside the table or a row wider than the header is not read by Polars: the row-by-row reader
    names it."""
    path = statbel_zip(tmp_path / "TF.zip", {"TF.txt": STATBEL_HEADER + STATBEL_ROWS[0] + row + "".join(STATBEL_ROWS[1:])})
    error = refused("statbel_fiscal_income", path)
    assert error.rule == rule and detail in str(error)


def test_vdab_export_in_windows_1252_with_a_title_line_and_thousands_dots():
    frame = parsed("vdab_jobseekers", "synthetic_vdab_werkzoekenden_per_gemeente.csv")
    # the Flemish total (02000) is left out; Antwerp stays until the load cuts the file to Limburg
    assert frame.select("nis_code", "period", "value", "_source_row").rows() == [
        ("11002", "2024-01-31", 20500, 4), ("71016", "2024-01-31", 3100, 5),
        ("73028", "2024-01-31", 2, 6), ("71016", "2024-02-29", 3050, 7)]


def vdab_variant(tmp_path: Path, old: str, new: str) -> Path:
    source = FIXTURES / "synthetic_vdab_werkzoekenden_per_gemeente.csv"
    copy = tmp_path / f"{len(list(tmp_path.iterdir()))}_{source.name}"
    copy.write_bytes(source.read_bytes().replace(old.encode("cp1252"), new.encode("cp1252")))
    return copy


def test_vdab_suppressed_cells_are_errors_unless_the_catalogue_names_the_marker(tmp_path):
    copy = vdab_variant(tmp_path, ";2\r\n", ";<5\r\n")
    assert str(refused("vdab_jobseekers", copy)).startswith(
        f"file {copy.name}, row 6, column 'Werkzoekenden zonder werk': rule 'numeric-value' violated: '<5'")
    dash = vdab_variant(tmp_path, ";3.050\r\n", ";-\r\n")
    assert refused("vdab_jobseekers", dash).rule == "numeric-value"
    marked = dataclasses.replace(CATALOG.source("vdab_jobseekers"), status={"markers": {"<5": "confidential"}})
    frame = parse(copy, marked)
    assert frame.filter(nis_code="73028").select("value", "status").row(0) == (None, "confidential")


def test_vdab_row_with_an_extra_field_and_unknown_month_are_refused(tmp_path):
    extra = vdab_variant(tmp_path, "januari 2024;3.100", "januari 2024;3;100")
    assert str(refused("vdab_jobseekers", extra)).startswith(
        f"file {extra.name}, row 5, column 'column_E': rule 'field-count'")
    month = vdab_variant(tmp_path, "februari 2024", "Q1 2024")
    assert str(refused("vdab_jobseekers", month)).startswith(
        f"file {month.name}, row 7, column 'Periode': rule 'period-format' violated: 'Q1 2024' is not a month")


def test_caravan_sites_sum_residential_pitches_per_municipality_and_year():
    frame = parsed("wonen_caravan_sites", "synthetic_woonwagenterreinen.xlsx")
    assert frame.select("nis_code", "period", "value", "_source_row").rows() == [
        ("71016", "2024", 55, 4), ("72021", "2024", 26, 6)]
    assert frame["note"][0] == "sum of 2 residential site(s), rows 4, 5"
    assert frame.schema == pl.Schema(OBSERVATION_SCHEMA)


def test_caravan_site_of_unknown_type_is_refused(tmp_path):
    path = workbook(tmp_path / "woonwagenterreinen.xlsx", [
        ["NIS-code", "Jaar", "Type", "Aantal standplaatsen"], [71016, 2024, "Pleisterplaats", 3]], sheet="Lijst")
    assert str(refused("wonen_caravan_sites", path)).startswith(
        "file woonwagenterreinen.xlsx, sheet 'Lijst', row 2, column 'Type': rule 'known-value'")


def test_statbel_refnis_reads_the_real_list_as_published():
    frame = parsed("statbel_refnis", "statbel_REFNIS_2019.csv")
    assert frame.height == 638 and frame["nis_code"].n_unique() == 638
    assert dict(frame["level"].value_counts().rows()) == {
        "country": 1, "region": 3, "province": 10, "arrondissement": 43, "municipality": 581}
    assert frame.filter(nis_code="73109").select("level", "name_nl", "name_fr", "_source_row").row(0) == (
        "municipality", "Voeren", "Fourons", 341)
    assert frame.filter(LIMBURG & (pl.col("level") == "municipality")).height == 42


def test_refnis_in_windows_1252_as_statbel_publishes_it(tmp_path):
    original = FIXTURES / "statbel_REFNIS_2019.csv"
    copy = tmp_path / original.name
    copy.write_bytes(original.read_text(encoding="utf-8").encode("cp1252"))
    frame = parse(copy, CATALOG.source("statbel_refnis"))
    assert frame.filter(nis_code="04000")["name_fr"][0] == "RÉGION DE BRUXELLES-CAPITALE"


@pytest.mark.parametrize(("text", "decimal", "expected"), [
    ("1.234", ",", 1234), ("1.234.567,89", ",", 1234567.89), ("20,28", ",", 20.28), ("20.28", ",", 20.28),
    ("1 234", ",", 1234), ("-3", ",", -3), ("n.v.t.", ",", None), ("-", ",", None), ("<5", ",", None),
    ("1,234.5", ",", None), ("12.34.5", ",", None), ("1.234", ".", 1.234), ("20,28", ".", None),
])
def test_belgian_number(text, decimal, expected):
    assert pl.select(belgian_number(pl.lit(text), decimal)).item() == expected
