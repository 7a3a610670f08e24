"""The barometer of all of Flanders (BAROMETER_AREA=02000) from the embedded real files: the Provincies in Cijfers
export covers every Flemish municipality and Statbel's files all of Belgium. One `barometer run` in a process of
its own, because the area is read when the catalogue is loaded."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

# full pipeline runs of their own: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# the municipalities of Flanders since 1 January 2025
FLANDERS_2025 = 285


@pytest.fixture(scope="module")
def flanders(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("flanders")
    (work / "home").mkdir()
    shutil.copy(ROOT / "dagster.yaml", work / "home")
    env = {**os.environ, "BAROMETER_AREA": "02000", "DAGSTER_HOME": str(work / "home"),
           "BAROMETER_OUTPUT": str(work / "output"), "BAROMETER_SNAPSHOTS": str(work / "snapshots"),
           "BAROMETER_LANDING": str(work / "landing")}
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return work / "output"


def coverage(output: Path) -> dict[str, tuple[str, int, int]]:
    con = duckdb.connect(str(output / "warehouse.duckdb"), read_only=True)
    try:
        return {indicator: (period, n, total) for indicator, period, n, total in con.execute(
            "select indicator_id, latest_period, n_values, n_municipalities from indicator_coverage").fetchall()}
    finally:
        con.close()


def test_every_flemish_municipality_has_real_job_seeker_and_income_values(flanders):
    found = coverage(flanders)
    # Herstappe's count is hidden by the publisher; every rate is published
    assert found["vdab_werkzoekenden_zonder_werk"] == ("2024", FLANDERS_2025 - 1, FLANDERS_2025)
    assert found["vdab_werkzoekendengraad"] == ("2024", FLANDERS_2025, FLANDERS_2025)
    # Statbel's Tabel C.1 of 2022: Herstappe and Voeren are confidential
    assert found["aangiften_onder_10000_euro"] == ("2022", FLANDERS_2025 - 2, FLANDERS_2025)
    # the 2005-2013 open-data table, harmonised from the 308 codes of 2018 to the 285 of today
    assert found["inkomen_per_aangifte_niet_nul"] == ("2013", FLANDERS_2025, FLANDERS_2025)
    # the Limburg-only files give nothing here, and say so
    assert found["kansarmoede_index"][1:] == (0, FLANDERS_2025)


def test_each_municipality_has_its_page_its_downloads_and_a_place_on_the_map(flanders):
    current = flanders / "current"
    assert len(list((current / "gemeenten").glob("*.html"))) == FLANDERS_2025
    assert len(list((current / "downloads" / "gemeenten").glob("*.csv"))) == FLANDERS_2025
    overview = (current / "index.html").read_text(encoding="utf-8")
    assert 'class="map-missing"' not in overview
    # one filled outline per municipality of today (the 2025 mergers drawn from the boundaries of 2019); the
    # overview refuses boundaries whose codes are not exactly today's municipalities
    assert overview.count('"fill":"toself"') == FLANDERS_2025
