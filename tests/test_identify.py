"""Identifying the catalogue source of a publisher file by its content, the name only breaking ties."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import xlsxwriter

from sources.catalog import load_catalog
from sources.identify import identify, load_signatures
from sources.publishers import LAYOUTS

FIXTURES = Path(__file__).parent / "fixtures" / "publishers"
CATALOG = load_catalog()


def found(path: Path) -> str | None:
    source = identify(path, CATALOG)
    return source.id if source else None


def test_signatures_name_catalogue_sources_with_a_publisher_layout():
    # a Provincies in Cijfers export has a layout of its own (sources/incijfers.py)
    readable = set(LAYOUTS) | {"provincies_incijfers"}
    signatures = load_signatures()
    assert {CATALOG.source(source_id).parser for source_id in signatures} <= readable
    assert set(signatures) == {s.id for s in CATALOG.sources.values() if s.parser in readable}


@pytest.mark.parametrize(("name", "source_id"), [
    ("synthetic_GSM_Extract_AR_03.xlsx", "gsm_ar_03"),
    ("synthetic_GSM_Extract_WE_36.xlsx", "gsm_we_36"),
    ("statbel_Bevolking_per_gemeente_2020_extract.xlsx", "statbel_population"),
    ("statbel_bevolking_per_gemeente_2020-01-01_municipalities_only.csv", "statbel_population"),
    ("statbel_TF_PSNL_INC_TAX_MUNTY_extract.zip", "statbel_fiscal_income"),
    ("statbel_REFNIS_2019.csv", "statbel_refnis"),
    ("synthetic_vdab_werkzoekenden_per_gemeente.csv", "vdab_jobseekers"),
    ("synthetic_woonwagenterreinen.xlsx", "wonen_caravan_sites"),
])
def test_each_publisher_file_is_identified_under_any_name(tmp_path, name, source_id):
    renamed = tmp_path / ("download" + Path(name).suffix)
    shutil.copyfile(FIXTURES / name, renamed)
    assert found(FIXTURES / name) == found(renamed) == source_id


def test_content_outweighs_a_misleading_name(tmp_path):
    misnamed = tmp_path / "GSM_Extract_AR_10.xlsx"
    shutil.copyfile(FIXTURES / "synthetic_GSM_Extract_AR_03.xlsx", misnamed)
    assert found(misnamed) == "gsm_ar_03"


def two_indicator_workbook(path: Path) -> Path:
    """A workbook whose content names two indicators (synthetic values)."""
    book = xlsxwriter.Workbook(path)
    for code in ("AR_03", "AR_10"):
        sheet = book.add_worksheet(code)
        sheet.write_row(0, 0, ["NIS-code", "Jaar", "Procent (%)"])
        sheet.write_row(1, 0, [71002, 2022, 1.5])
    book.close()
    return path


def test_the_file_name_breaks_a_tie_between_sources_the_content_fits(tmp_path):
    assert found(two_indicator_workbook(tmp_path / "GSM_Extract_AR_10.xlsx")) == "gsm_ar_10"
    assert found(two_indicator_workbook(tmp_path / "stadsmonitor.xlsx")) is None


def test_a_gsm_extract_without_its_code_in_the_content_is_not_guessed_from_its_name(tmp_path):
    book = xlsxwriter.Workbook(tmp_path / "GSM_Extract_AR_03.xlsx")
    book.add_worksheet("Blad1").write_row(0, 0, ["NIS-code", "Jaar", "Procent (%)"])
    book.close()
    assert found(tmp_path / "GSM_Extract_AR_03.xlsx") is None


@pytest.mark.parametrize("name", ["synthetic_GSM_Extract_AR_03_html.xlsx", "synthetic_GSM_Extract_AR_03_truncated.xlsx",
                                  "synthetic_GSM_Extract_AR_03_garbled.xlsx", "build_fixtures.py"])
def test_unreadable_or_unrelated_files_belong_to_no_source(name):
    assert found(FIXTURES / name) is None
