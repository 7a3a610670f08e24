"""The landing folder end to end: a dropped publisher file is identified, snapshotted, run and published,
or rejected with its reason beside it while output/current stays as it was."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from dagster import DagsterInstance, RunRequest, SkipReason

from pipelines.cli import main as barometer
from pipelines.resources import BarometerResource
from pipelines.runner import run_job
from tests.conftest import run_landed, sense
from tests.test_bad_input import tree_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "publishers"
# a real Statbel file: population on 1 January 2020 for all 581 municipalities
STATBEL_POPULATION = FIXTURES / "statbel_bevolking_per_gemeente_2020-01-01_municipalities_only.csv"
# a synthetic Stadsmonitor extract with 5 municipalities: the source promises all of them, so it fails validation
INCOMPLETE_AR_03 = FIXTURES / "synthetic_GSM_Extract_AR_03.xlsx"


def drop(barometer: BarometerResource, fixture: Path) -> Path:
    target = barometer.landing / fixture.name
    shutil.copyfile(fixture, target)
    return target


def test_valid_file_is_published_and_the_same_file_again_runs_nothing(office):
    drop(office, STATBEL_POPULATION)
    [request] = sense(office)
    assert isinstance(request, RunRequest) and request.run_key.startswith("statbel_population:")
    assert not any(office.landing.glob("*.csv"))
    assert len(list((office.landing / "accepted").glob("*.csv"))) == 1
    previous_release = (office.output / "current").resolve()

    outcome = run_job(instance=DagsterInstance.ephemeral(), tags=request.tags)

    assert outcome.success, outcome.problems
    assert (office.output / "current").resolve() != previous_release
    con = duckdb.connect(str(office.warehouse), read_only=True)
    try:
        used = con.execute("select count(*), sum(value) from observations where source_id = 'statbel_population'"
                           ).fetchone()
    finally:
        con.close()
    assert used == (42, 877370.0)   # Limburg's 42 municipalities of 2020, cut from the Belgian file

    drop(office, STATBEL_POPULATION)
    again = sense(office)
    assert isinstance(again, SkipReason) and "already the newest snapshot" in again.skip_message


def test_file_failing_validation_is_rejected_with_its_reason_and_nothing_is_published(office):
    before = tree_bytes(office.output / "current")
    drop(office, INCOMPLETE_AR_03)

    request, outcome, _ = run_landed(office)

    assert not outcome.success
    assert tree_bytes(office.output / "current") == before
    assert not Path(request.tags["barometer/snapshot"]).exists()
    [rejected] = (office.landing / "rejected").glob("*.xlsx")
    reason = rejected.with_name(rejected.name + ".reason.txt").read_text()
    assert "raw_gsm_ar_03" in reason and "rule 'complete-coverage'" in reason


def test_file_matching_no_dataset_is_rejected_at_once(office):
    (office.landing / "notities.txt").write_text("geen publicatiebestand\n", encoding="utf-8")
    result = sense(office)
    assert isinstance(result, SkipReason) and "matches no dataset" in result.skip_message
    reason = next((office.landing / "rejected").glob("*notities.txt.reason.txt")).read_text()
    assert "notities.txt: the content matches no dataset of the source catalogue" in reason


def test_ingest_command_rejects_an_invalid_file_with_a_non_zero_exit(office, capsys):
    before = tree_bytes(office.output / "current")
    assert barometer(["ingest", str(INCOMPLETE_AR_03)]) == 1
    assert "rule 'complete-coverage'" in capsys.readouterr().err
    assert tree_bytes(office.output / "current") == before
    assert INCOMPLETE_AR_03.is_file()      # the user's own file stays where it was
    assert len(list((office.landing / "rejected").glob("*.reason.txt"))) == 1


def test_sources_command_lists_each_source_with_its_newest_snapshot(office, capsys):
    assert barometer(["sources"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "2026-11-27 (limburg_population.csv)" in lines["population"]
    assert "no file yet" in lines["gsm_ar_13"]


def test_fetch_command_explains_a_source_without_a_direct_download(office, capsys):
    assert barometer(["fetch", "vdab_jobseekers"]) == 1
    assert "no direct download URL" in capsys.readouterr().err
