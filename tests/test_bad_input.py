"""A new snapshot with an invalid row: the run fails, says file, rule and row, and publishes nothing."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.settings import Settings
from sources.snapshots import latest_snapshot, take_snapshot
from tests.conftest import run_pipeline
from tests.reliability import record

# full pipeline runs of their own: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edited_refnis(snapshots: Path, names_nl: dict[str, str], tmp_path: Path) -> None:
    """Take a new snapshot of the REFNIS list with the Dutch names of some codes changed. Its `;`-separated
    rows have unnamed trailing fields, so they are edited as text."""
    current = latest_snapshot([snapshots], "statbel_refnis")
    lines = current.path.read_bytes().decode("utf-8").split("\r\n")
    for at, line in enumerate(lines):
        fields = line.split(";")
        if fields[0] in names_nl:
            fields[4] = names_nl[fields[0]]
            lines[at] = ";".join(fields)
    changed = tmp_path / current.origin["file"]
    changed.write_bytes("\r\n".join(lines).encode("utf-8"))
    take_snapshot(snapshots, "statbel_refnis", changed, {k: v for k, v in current.origin.items()
                                                         if k not in ("sha256", "bytes")})


def renamed_in_exports(snapshots: Path, old_name: str, new_name: str, tmp_path: Path) -> None:
    """Take new snapshots of the Provincies in Cijfers exports (XLSX and CSV), which name municipalities instead
    of coding them, with one municipality's name changed as `edited_refnis` changes it in the register."""
    xlsx = latest_snapshot([snapshots], "pic_vdab_werkloosheid")
    workbook = openpyxl.load_workbook(xlsx.path)
    [cell] = [row[0] for row in workbook.worksheets[0].iter_rows() if row[0].value == old_name]
    cell.value = new_name
    csv_export = latest_snapshot([snapshots], "pic_nieuwkomers")
    text = csv_export.path.read_bytes().decode("utf-8")
    quoted = '"{}";'.format
    assert text.count(quoted(old_name)) == 1
    for snapshot, write in ((xlsx, workbook.save),
                            (csv_export, lambda path: path.write_bytes(text.replace(
                                quoted(old_name), quoted(new_name.replace('"', '""'))).encode("utf-8")))):
        changed = tmp_path / snapshot.origin["file"]
        write(changed)
        take_snapshot(snapshots, snapshot.origin["source_id"], changed,
                      {k: v for k, v in snapshot.origin.items() if k not in ("sha256", "bytes")})


def edited_snapshot(snapshots: Path, source_id: str, edit, tmp_path: Path) -> None:
    """Take a new snapshot of `source_id` whose rows went through `edit` (real rows, one made invalid)."""
    current = latest_snapshot([snapshots], source_id)
    with current.path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, data = reader.fieldnames, list(reader)
    edit(data)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(data)
    changed = tmp_path / current.origin["file"]
    changed.write_text(out.getvalue(), encoding="utf-8")
    take_snapshot(snapshots, source_id, changed, {k: v for k, v in current.origin.items()
                                                  if k not in ("sha256", "bytes")})


def quarantined(output: Path, rule: str) -> list[tuple]:
    """The quarantined rows of a rule, with the file they came from."""
    con = duckdb.connect(str(output / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select source_file, source_row, nis_code from quarantine where rule = ?", [rule]).fetchall()
    finally:
        con.close()


def set_value(nis_code: str, value: str):
    def edit(data):
        next(r for r in data if r["nis_code"] == nis_code)["value"] = value
    return edit


def set_code(nis_code: str, new_code: str):
    def edit(data):
        next(r for r in data if r["nis_code"] == nis_code)["nis_code"] = new_code
    return edit


def duplicate(nis_code: str):
    def edit(data):
        data.append(dict(next(r for r in data if r["nis_code"] == nis_code)))
    return edit


# (source, edit, file, rule, a fragment naming the offending row)
CASES = {
    "unknown NIS code": ("kansarmoede_index", set_code("71016", "71999"), "limburg_kansarmoede_index.csv",
                         "nis-code-in-code-set", "nis_code=71999"),
    "negative count": ("onem_unemployed", set_value("71016", "-12"), "limburg_onem_unemployed_series.csv",
                       "value-in-unit-range", "value=-12.0"),
    "percentage above 100": ("werkzoekendengraad", set_value("71016", "109.1"), "limburg_werkzoekendengraad.csv",
                             "value-in-unit-range", "value=109.1"),
    "duplicate key": ("var_unemployment_rate", duplicate("71016"), "limburg_unemployment_rate_var_2024.csv",
                      "unique-key", "nis_code=71016"),
    "pre-2025 code in a 2025 source": ("kansarmoede_index", set_code("71072", "71022"),
                                       "limburg_kansarmoede_index.csv", "nis-code-in-code-set", "nis_code=71022"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_invalid_row_blocks_the_run_and_leaves_current_untouched(case, published_copy, snapshot_copy, tmp_path):
    source_id, edit, file, rule, row_fragment = CASES[case]
    before = tree_bytes(published_copy / "current")
    target = (published_copy / "current").resolve()
    edited_snapshot(snapshot_copy, source_id, edit, tmp_path)

    outcome = run_pipeline(Settings(output=published_copy, snapshots=snapshot_copy, landing=tmp_path / "landing"))

    message = "\n".join(outcome.problems)
    named = file in message and f"rule '{rule}'" in message and row_fragment in message and "row " in message
    unchanged = tree_bytes(published_copy / "current") == before
    record("bad input", f"{case} (full run)", f"blocked: rule '{rule}', current unchanged" if
           (not outcome.success and named and unchanged) else f"NOT as expected: {message[:200]}",
           not outcome.success and named and unchanged)
    assert not outcome.success
    assert named, message
    assert quarantined(published_copy, rule) and file in (published_copy / "validation" / "index.html").read_text()
    assert (published_copy / "current").resolve() == target
    assert tree_bytes(published_copy / "current") == before


def test_non_numeric_value_fails_the_run_naming_file_row_and_column(published_copy, snapshot_copy, tmp_path):
    before = tree_bytes(published_copy / "current")
    edited_snapshot(snapshot_copy, "population", set_value("71016", "n.v.t."), tmp_path)

    outcome = run_pipeline(Settings(output=published_copy, snapshots=snapshot_copy, landing=tmp_path / "landing"))

    message = "\n".join(outcome.problems)
    named = all(part in message for part in ("limburg_population.csv", "column 'value'", "rule 'numeric-value'",
                                             "'n.v.t.'"))
    ok = not outcome.success and named and tree_bytes(published_copy / "current") == before
    record("bad input", "non-numeric value (full run)", "blocked: rule 'numeric-value', current unchanged" if ok
           else f"NOT as expected: {message[:200]}", ok)
    assert not outcome.success
    assert named, message
    assert tree_bytes(published_copy / "current") == before
