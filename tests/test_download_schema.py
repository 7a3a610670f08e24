"""The downloads and their data dictionary are made from the `download` sections of the model schemas."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from models.graph import SQL_DIR, downloads
from reports.downloads import TYPE_NAMES

FILES = {"barometer": "barometer.csv", "synthesis": "armoedesynthese.csv",
         "synthesis_components": "armoedesynthese_componenten.csv", "target_progress": "doelstellingen.csv"}


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def test_every_download_has_the_columns_its_schema_publishes_and_the_dictionary_lists_them(published):
    folder = (published / "current" / "downloads").resolve()
    with (folder / "data_dictionary.csv").open(encoding="utf-8", newline="") as fh:
        dictionary = list(csv.DictReader(fh))
    for download in downloads():
        names = [c.name for c in download.columns]
        assert header(folder / FILES[download.model]) == names
        listed = [r for r in dictionary if r["bestand"] == download.files]
        assert [r["kolom"] for r in listed] == names
        assert [r["type"] for r in listed] == [TYPE_NAMES[c.type] for c in download.columns]
    assert {tuple(header(p)) for p in (folder / "gemeenten").glob("*.csv")} == {tuple(header(folder / "barometer.csv"))}
    flag = next(r for r in dictionary if r["kolom"] == "flag" and r["bestand"].startswith("barometer"))
    assert "confidential = " in flag["omschrijving"] and "{" not in flag["omschrijving"]
    area = next(r for r in dictionary if r["kolom"] == "area_value")
    assert "(Limburg)" in area["omschrijving"]


def test_a_list_column_is_published_as_text_and_a_renamed_column_keeps_its_model_type():
    barometer = {c.name: c for c in next(d for d in downloads() if d.model == "barometer").columns}
    assert (barometer["flag"].source, barometer["flag"].type) == ("barometer.flags", "VARCHAR[]")
    assert (barometer["indicator"].source, barometer["indicator"].type) == ("indicator_metadata.title", "VARCHAR")
    synthesis = {c.name: c for c in next(d for d in downloads() if d.model == "synthesis").columns}
    assert (synthesis["n_indicators"].source, synthesis["n_indicators"].type) == ("synthesis.n_values", "BIGINT")


def test_a_download_column_that_names_no_schema_column_is_refused_with_the_file(tmp_path):
    folder = tmp_path / "sql"
    shutil.copytree(SQL_DIR, folder)
    schema = folder / "synthesis" / "synthesis.yml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("from: n_values", "from: n_counted"),
                      encoding="utf-8")
    with pytest.raises(ValueError, match=r"synthesis\.yml: download column n_indicators: .*synthesis\.n_counted"):
        downloads(folder)


def test_a_download_that_leaves_out_a_key_column_is_refused_with_the_file(tmp_path):
    folder = tmp_path / "sql"
    shutil.copytree(SQL_DIR, folder)
    schema = folder / "synthesis" / "synthesis_components.yml"
    published = yaml.safe_load(schema.read_text(encoding="utf-8"))
    del published["download"]["columns"]["indicator_id"]
    schema.write_text(yaml.safe_dump(published, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"synthesis_components\.yml: a download publishes every column of the "
                                         r"model's key \['nis_code', 'indicator_id'\]"):
        downloads(folder)


def test_each_download_file_is_matched_to_the_model_it_publishes():
    published = {d.model: d for d in downloads()}
    assert published["barometer"].describes("gemeenten/71016.csv")
    assert published["barometer"].describes("barometer.csv")
    assert not published["barometer"].describes("doelstellingen/71016.csv")
    assert not published["barometer"].describes("gemeenten/oud/71016.csv")
    assert published["target_progress"].describes("doelstellingen/71016.csv")
    assert not published["synthesis"].describes("armoedesynthese_componenten.csv")
    assert published["barometer"].key == ("nis_code", "indicator_id", "period")
