"""The XLSX writer of the downloads, read back with openpyxl (synthetic frames), and the national workbook
left out above the worksheet limit (the published default data)."""
from __future__ import annotations

import math
import zipfile

import duckdb
import openpyxl
import polars as pl
import pytest

from reports import downloads, xlsx
from reports.xlsx import sheet_xml, write_xlsx


def test_synthetic_frames_come_back_as_written(tmp_path):
    table = pl.DataFrame({"nis_code": ["71002", "71004", None], "text": ["a & b <c>", "", " spaced "],
                          "value": [1.5, math.nan, None], "rank": [1, None, 3], "ok": [True, False, None]})
    other = pl.DataFrame({"kolom": ["x"]})
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [("barometer", sheet_xml(table)), ("toelichting", sheet_xml(other).kept())])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["barometer", "toelichting"]
    sheet = book["barometer"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    # empty text, a missing value and NaN (which Excel has not) are empty cells
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["nis_code", "text", "value", "rank", "ok"],
        ["71002", "a & b <c>", 1.5, 1, True],
        ["71004", None, None, None, False],
        [None, " spaced ", None, 3, None]]
    assert [row for row in book["toelichting"].iter_rows(values_only=True)] == [("kolom",), ("x",)]
    assert sheet.auto_filter.ref == "A1:E4"


def test_each_autofilter_is_also_a_hidden_workbook_name_as_libreoffice_needs(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [("Barometer", sheet_xml(pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}))),
                      ("Gemeente's", sheet_xml(pl.DataFrame({"c": [3]})))])
    workbook = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    assert ('<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            "'Barometer'!$A$1:$B$3</definedName>") in workbook
    assert ('<definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">'
            "'Gemeente''s'!$A$1:$A$2</definedName>") in workbook
    assert openpyxl.load_workbook(path)["Gemeente's"].auto_filter.ref == "A1:A2"


def test_control_characters_that_xml_forbids_show_as_replacement_characters(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [("barometer", sheet_xml(pl.DataFrame({"name": ["As\x01\x1fBree", "tab\tand\nline"]})))])
    rows = list(openpyxl.load_workbook(path)["barometer"].iter_rows(values_only=True))
    assert rows == [("name",), ("As\ufffd\ufffdBree",), ("tab\tand\nline",)]


def test_a_frame_longer_than_a_worksheet_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_DATA_ROWS", 2)
    with pytest.raises(ValueError, match="more than a worksheet holds"):
        sheet_xml(pl.DataFrame({"a": [1, 2, 3]}))


def test_above_the_worksheet_limit_the_national_xlsx_is_left_out_with_a_note(published, tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "MAX_DATA_ROWS", 100)
    with duckdb.connect(str(published / "warehouse.duckdb"), read_only=True) as con:
        downloads.write_downloads(con, tmp_path)
    folder = tmp_path / "downloads"
    assert not (folder / "barometer.xlsx").exists() and (folder / "barometer.csv").exists()
    assert "meer dan een Excel-werkblad bevat" in (folder / downloads.NO_NATIONAL_XLSX).read_text(encoding="utf-8")
    # per municipality there is always a workbook, with all of its rows
    genk = openpyxl.load_workbook(folder / "gemeenten" / "71016.xlsx", read_only=True)["Barometer"]
    with (folder / "gemeenten" / "71016.csv").open(encoding="utf-8") as csv_file:
        assert sum(1 for _ in genk.iter_rows()) == sum(1 for _ in csv_file)
