"""Parsers on the real embedded files and on broken copies of them."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from sources.catalog import load_catalog
from sources.errors import SourceFileError
from sources.parsers import parse
from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot, take_snapshot

CATALOG = load_catalog()


def real(source_id):
    source = CATALOG.source(source_id)
    return source, latest_snapshot([EMBEDDED_SNAPSHOTS], source_id).path


def test_long_file_becomes_measures_with_row_numbers_and_flags():
    source, path = real("onem_unemployed")
    frame = parse(path, source)
    assert frame.height == 342
    herstappe = frame.filter(nis_code="73028", period="2020").row(0, named=True)
    assert herstappe["value"] is None and herstappe["status"] == "confidential"
    first = frame.row(0, named=True)
    assert (first["nis_code"], first["period"], first["value"], first["_source_row"]) == ("71002", "2017", 222.16666667, 2)


def test_wide_file_is_unpivoted_and_keeps_the_reconstructed_status():
    source, path = real("fiscal_income")
    frame = parse(path, source)
    assert frame.height == 38 * 7 * 4
    hasselt = frame.filter(nis_code="71072", period="2017", measure="declarations_nonzero_income").row(0, named=True)
    assert hasselt["status"] == "estimated"
    assert frame.filter(nis_code="71002", period="2017", measure="declarations_nonzero_income")["value"][0] == 4599.0


def test_non_numeric_value_names_file_row_and_column(tmp_path):
    source, path = real("kansarmoede_index")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",15.29,", ",n.v.t.,")
    broken = tmp_path / path.name
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceFileError) as err:
        parse(broken, source)
    assert str(err.value) == (f"file {path.name}, row 3, column 'value': rule 'numeric-value' violated: "
                              "'n.v.t.' is not a number (1 such cell(s))")


def test_missing_column_is_named(tmp_path):
    source, path = real("kansarmoede_index")
    text = path.read_text(encoding="utf-8").replace("nis_code,", "code,", 1)
    broken = tmp_path / path.name
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"row 1, column 'nis_code': rule 'expected-columns'"):
        parse(broken, source)


def test_merger_lists_and_boundaries_parse():
    source, path = real("refnis_changes_2019")
    changes = parse(path, source)
    assert (changes.height, changes["new_nis_code"].n_unique()) == (26, 18)
    source, path = real("mergers_2025")
    mergers = parse(path, source)
    assert (mergers.height, mergers["new_nis_code"].n_unique()) == (30, 14)
    assert mergers.filter(old_nis_code="11056").select("old_name_nl", "new_nis_code", "_source_row").row(0) == (
        "Zwijndrecht", "46030", 10)
    source, path = real("boundaries_2019")
    shapes = parse(path, source)
    assert shapes["nis_code"].n_unique() == shapes.height == 581
    assert shapes.filter(nis_code="71022")["name_nl"].item() == "Hasselt"


def test_edited_snapshot_is_refused_and_a_new_snapshot_is_taken(tmp_path):
    root = tmp_path / "snapshots"
    shutil.copytree(EMBEDDED_SNAPSHOTS / "caravan_sites", root / "caravan_sites")
    snapshot = latest_snapshot([root], "caravan_sites")
    changed = tmp_path / snapshot.origin["file"]
    changed.write_bytes(snapshot.path.read_bytes() + b"\r\n")
    newer = take_snapshot(root, "caravan_sites", changed, {"urls": snapshot.origin["urls"]},
                          obtained=dt.date(2026, 11, 27))
    assert newer.version == "2026-11-27.2"
    assert latest_snapshot([root], "caravan_sites").folder == newer.folder
    snapshot.path.write_bytes(b"edited")
    shutil.rmtree(newer.folder)
    with pytest.raises(SourceFileError, match="rule 'snapshot-checksum'"):
        latest_snapshot([root], "caravan_sites")
