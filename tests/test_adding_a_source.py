"""Adding a source in an existing layout touches the catalogue and one indicator file, as the README shows:
a second Provincies in Cijfers export (synthetic: the real newcomers export with its measure renamed, named as
such) becomes a raw table, an asset with its validation check, and an indicator in the published downloads."""
from __future__ import annotations

import shutil

import pytest
import polars as pl

from pipelines.definitions import build_defs
from sources.catalog import CATALOG_PATH
from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot, take_snapshot
from tests.conftest import installation, run_pipeline

# full pipeline runs of their own: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow

ENTRY = """
  - id: synthetic_pic_export
    title: Synthetische export (test)
    publisher: Provincies in Cijfers (synthetisch, alleen voor de test)
    parser: provincies_incijfers
    format: csv
    file: synthetic_pic_export.csv
    geography: "2025"
    complete: true
    partitioned: true
    scope: flanders
    cadence: yearly
    licence: synthetisch
    skip_rows: *pic_not_municipalities
    measure_map: {synthetische nieuwkomers: synthetic_newcomers}
    measures: {synthetic_newcomers: persons}
"""
INDICATOR = """title: Synthetische nieuwkomers
family: bevolking
order: 99
definition: Synthetische indicator van de test tests/test_adding_a_source.py.
unit: personen
decimals: 0
numerator: Nieuwkomers (synthetisch)
denominator: geen (een aantal)
polarity: neutraal
compute: {value: synthetic_newcomers}
aggregate: sum
"""


def test_a_new_export_needs_its_catalogue_entry_and_one_indicator_file(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG_PATH.read_text(encoding="utf-8") + ENTRY, encoding="utf-8")
    indicators = tmp_path / "indicators"
    shutil.copytree(CATALOG_PATH.parent.parent / "models" / "indicators", indicators)
    (indicators / "synthetic_newcomers.yaml").write_text(INDICATOR, encoding="utf-8")
    settings = installation(tmp_path, catalog_path=catalog, indicators_dir=indicators)

    export = latest_snapshot([EMBEDDED_SNAPSHOTS], "pic_nieuwkomers")
    synthetic = tmp_path / "synthetic_pic_export.csv"
    synthetic.write_bytes(export.path.read_bytes().replace(b'"nieuwkomers|', b'"synthetische nieuwkomers|'))
    take_snapshot(settings.snapshots, "synthetic_pic_export", synthetic,
                  {k: v for k, v in export.origin.items() if k not in ("sha256", "bytes", "file")})

    graph = build_defs(settings).resolve_asset_graph()
    assert "raw_observations" in {k.to_user_string() for k in graph.get(
        next(k for k in graph.get_all_asset_keys() if k.to_user_string() == "raw_synthetic_pic_export")).child_keys}
    outcome = run_pipeline(settings)
    assert outcome.success, outcome.problems
    rows = pl.read_csv(settings.current / "downloads" / "gemeenten" / "71016.csv", infer_schema=False)
    genk = rows.filter(indicator_id="synthetic_newcomers", period="2024")
    assert [float(v) for v in genk["value"]] == [493.0]   # the real export's figure for Genk, read again
