"""The landing folder end to end: a dropped publisher file is identified, snapshotted, run and published,
or rejected with its reason beside it while output/current stays as it was."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import polars as pl
from dagster import RunRequest, SkipReason

from pipelines.cli import main as barometer
from pipelines.settings import Settings
from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot
from tests.conftest import run_landed, run_pipeline, sense
from tests.test_bad_input import tree_bytes

# full pipeline runs of their own: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "publishers"
# a synthetic Stadsmonitor extract with 5 municipalities: the source promises all of them, so it fails validation
INCOMPLETE_AR_03 = FIXTURES / "synthetic_GSM_Extract_AR_03.xlsx"


def drop(barometer: Settings, fixture: Path) -> Path:
    target = barometer.landing / fixture.name
    shutil.copyfile(fixture, target)
    return target


def revised_newcomers_export(folder: Path) -> Path:
    """The real CSV export of Provincies in Cijfers (embedded) as a later export would revise it: Genk's 2024
    figure 493 changed to 500, everything else as published."""
    text = latest_snapshot([EMBEDDED_SNAPSHOTS], "pic_nieuwkomers").path.read_bytes().decode("utf-8")
    [genk] = [line for line in text.splitlines() if line.startswith('"Genk";')]
    assert genk.endswith(";493")
    revised = folder / "nieuwkomers - gemeenten.csv"
    revised.write_bytes(text.replace(genk, genk[:-len("493")] + "500").encode("utf-8"))
    return revised


def published_value(output: Path, nis_code: str, indicator_id: str, period: str) -> str | None:
    frame = pl.read_csv(output / "current" / "downloads" / "gemeenten" / f"{nis_code}.csv", infer_schema=False)
    return frame.filter(indicator_id=indicator_id, period=period)["value"].item()


def test_valid_file_is_published_and_the_same_file_again_runs_nothing(office, tmp_path):
    revised = revised_newcomers_export(tmp_path)
    drop(office, revised)
    [request] = sense(office)
    assert isinstance(request, RunRequest) and request.run_key.startswith("pic_nieuwkomers:")
    assert not any(office.landing.glob("*.csv"))
    assert len(list((office.landing / "accepted").glob("*.csv"))) == 1
    previous_release = (office.output / "current").resolve()
    assert published_value(office.output, "71016", "nieuwkomers", "2024") == "493.0"

    outcome = run_pipeline(office, tags=request.tags)

    assert outcome.success, outcome.problems
    assert (office.output / "current").resolve() != previous_release
    assert published_value(office.output, "71016", "nieuwkomers", "2024") == "500.0"
    assert published_value(office.output, "71016", "nieuwkomers", "2023") is not None

    drop(office, revised)
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
    assert barometer(["ingest", str(INCOMPLETE_AR_03)]) == 3
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
