"""The publisher files the planning office holds, dropped in the landing folder as they are: recognised by their
content, snapshotted with what they say of themselves, published, or refused with sheet, row and column."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from dagster import RunRequest, SkipReason

from pipelines.cli import main as barometer
from sources.catalog import load_catalog
from sources.identify import identify
from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot
from tests.conftest import run_pipeline, sense
from tests.test_bad_input import tree_bytes
from tests.test_landing import published_value, revised_newcomers_export
from tests.test_incijfers import (FOOTER_ROW, GENK_ROW, _drop_footer, _rename_measure, _unknown_name, _unknown_special_value,
                                  mutated)

# full pipeline runs of their own: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow

CATALOG = load_catalog()
# the embedded snapshots are byte-for-byte copies of ../shared/reference/publisher_files
PUBLISHER_FILES = ("pic_vdab_werkloosheid", "pic_nieuwkomers", "statbel_fiscal_c1",
                   "statbel_fiscal_income_2005_2013", "nbb_credit_register")


def embedded(source_id: str) -> Path:
    return latest_snapshot([EMBEDDED_SNAPSHOTS], source_id).path


@pytest.mark.parametrize("source_id", PUBLISHER_FILES)
def test_each_publisher_file_is_recognised_by_its_content_under_any_name(tmp_path, source_id):
    original = embedded(source_id)
    renamed = tmp_path / f"download{''.join(original.suffixes[-1:])}"
    shutil.copyfile(original, renamed)
    assert identify(renamed, CATALOG).id == source_id


@pytest.mark.parametrize("source_id", PUBLISHER_FILES)
def test_a_publisher_file_already_published_starts_no_run(office, source_id):
    shutil.copyfile(embedded(source_id), office.landing / embedded(source_id).name)
    result = sense(office)
    assert isinstance(result, SkipReason)
    assert f"already the newest snapshot of {source_id}" in result.skip_message


def test_a_revised_export_dropped_in_landing_is_snapshotted_and_published(office):
    """A later export of the same report (here the real one with Genk's 2024 figure revised and one measure
    added that the catalogue does not know): the sensor takes it, the run publishes its figures."""
    def revise(sheet):
        sheet[f"BZ{GENK_ROW}"] = 2680
        sheet["CK2"] = "WZW nieuw in de export [aantal]"

    revised = mutated(office.landing.parent, revise)
    shutil.move(revised, office.landing / "export.xlsx")
    [request] = sense(office)
    assert isinstance(request, RunRequest) and request.run_key.startswith("pic_vdab_werkloosheid:")
    origin = json.loads((Path(request.tags["barometer/snapshot"]) / "origin.json").read_text(encoding="utf-8"))
    assert origin["date_exported"] == "2026-05-21"
    assert origin["publisher_sources"][0] == "VDAB | provincies.incijfers.be"

    outcome = run_pipeline(office, tags=request.tags)

    assert outcome.success, outcome.problems
    assert published_value(office.output, "71016", "vdab_werkzoekenden_zonder_werk", "2024") == "2680.0"
    assert published_value(office.output, "71016", "vdab_werkzoekenden_zonder_werk", "2023") == "2677.0"
    report = (office.output / "current" / "validatie.html").read_text(encoding="utf-8")
    assert "WZW nieuw in de export [aantal]" in report and "1 maten in een bestand" in report


def test_a_revised_csv_export_is_published_by_the_ingest_command(office, capsys, tmp_path):
    assert barometer(["ingest", str(revised_newcomers_export(tmp_path))]) == 0

    assert "is the newest snapshot of pic_nieuwkomers" in capsys.readouterr().out
    assert published_value(office.output, "71016", "nieuwkomers", "2024") == "500.0"


@pytest.mark.parametrize(("change", "rule", "row", "column"), [
    (_rename_measure, "expected-measures", 2, "B"),
    (_drop_footer, "export-footer", FOOTER_ROW - 1, "A"),
    (_unknown_name, "municipality-name", GENK_ROW, "A"),
    (_unknown_special_value, "special-value", GENK_ROW, "BZ"),
])
def test_a_broken_export_is_rejected_with_sheet_row_and_column(office, change, rule, row, column):
    before = tree_bytes(office.output / "current")
    broken = mutated(office.landing.parent, change)
    shutil.move(broken, office.landing / broken.name)

    result = sense(office)

    assert isinstance(result, SkipReason)
    [reason] = (office.landing / "rejected").glob("*.reason.txt")
    text = reason.read_text(encoding="utf-8")
    # a renamed measure hides the mark the export is recognised by; its name then says which reader to ask
    assert "pic_vdab_werkloosheid" in text
    assert f"file {broken.name}, sheet 'Werkloosheid gemeenten', row {row}, column '{column}': rule '{rule}'" in text
    assert tree_bytes(office.output / "current") == before
    assert latest_snapshot([office.snapshots, EMBEDDED_SNAPSHOTS], "pic_vdab_werkloosheid").path == \
        embedded("pic_vdab_werkloosheid")
