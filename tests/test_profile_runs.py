"""A profile that breaks a rule stops the run with the file, the place and the rule, and the last good release
stays as it was; a profile workbook dropped in the landing folder is checked, installed and published, or
rejected with the reason, and taken back when its run fails. Real Dagster runs on a copy of the published output."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from dagster import SkipReason

from pipelines.settings import EXAMPLE_PROFILES, Settings
from reports.release import verify_manifest
from tests.conftest import run_landed, run_pipeline, sense

pytestmark = pytest.mark.slow

GENK = yaml.safe_load((EXAMPLE_PROFILES / "71016.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def council(published_copy, tmp_path) -> Settings:
    """An installation with a published release (made with Genk's example profile) and its own profiles folder."""
    settings = Settings(output=published_copy, snapshots=tmp_path / "snapshots", landing=tmp_path / "landing",
                        profiles=tmp_path / "profiles", landing_stable_seconds=0)
    settings.landing.mkdir()
    settings.profiles.mkdir()
    return settings


def write_profile(settings: Settings, change) -> Path:
    profile = yaml.safe_load(yaml.safe_dump(GENK))
    change(profile)
    path = settings.profiles / "71016.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    return path


def unchanged(settings: Settings, release: Path) -> bool:
    return settings.current.resolve() == release and verify_manifest(settings.current) == []


def first_target(**fields):
    return lambda profile: profile["targets"][0].update(fields)


@pytest.mark.parametrize("change, rule, place", [
    (lambda p: p["indicators"].append("armoede_naar_gevoel"), "known-indicator", "indicators[5]"),
    (first_target(direction="hoger"), "direction-follows-polarity", "targets[0].direction"),
    (first_target(minimum_change=None, value=-2.0), "value-in-unit-range", "targets[0].value"),
    (first_target(deadline=2033), "deadline-in-term", "targets[0].deadline"),
    (first_target(baseline=2012), "baseline_has_value", "71016.yaml"),
], ids=["unknown-indicator", "against-polarity", "outside-unit-range", "deadline-outside-term",
        "baseline-without-data"])
def test_a_profile_that_breaks_a_rule_stops_the_run_and_changes_nothing(council, change, rule, place):
    release = council.current.resolve()
    write_profile(council, change)
    outcome = run_pipeline(council)
    assert not outcome.success
    message = "\n".join(outcome.problems)
    assert rule in message and place in message and "71016.yaml" in message, message
    assert unchanged(council, release)


def test_a_direction_against_polarity_stated_on_purpose_is_published(council):
    release = council.current.resolve()
    write_profile(council, first_target(direction="hoger", against_polarity="ja"))
    assert run_pipeline(council).success
    assert council.current.resolve() != release
    page = (council.current / "gemeenten" / "71016.html").read_text(encoding="utf-8")
    assert "bewust tegen de richting van de indicator in" in page


def _template(settings: Settings, **fields) -> Path:
    """Genk's template from the release, with the first target row changed (by header) and saved to send."""
    book = openpyxl.load_workbook(settings.current / "downloads" / "sjablonen" / "71016.xlsx")
    sheet = book["Doelstellingen"]
    header = [c.value for c in sheet[1]]
    for name, value in fields.items():
        sheet.cell(row=2, column=header.index(name) + 1, value=value)
    book["Profiel"].cell(row=5, column=2, value="nee")  # no longer the example: the council's own
    sent = settings.landing.parent / "sent" / "profiel genk.xlsx"
    sent.parent.mkdir(exist_ok=True)
    book.save(sent)
    return sent


def test_a_profile_workbook_dropped_in_landing_is_installed_and_published(council):
    release = council.current.resolve()
    sent = _template(council, **{"Minimale verandering": 2.0, "Maatregel": "Jobcoaching in de wijken"})
    shutil.copy(sent, council.landing / sent.name)
    request, outcome, _ = run_landed(council)
    assert outcome.success, outcome.problems
    assert (council.profiles / "71016.xlsx").read_bytes() == sent.read_bytes()
    assert council.current.resolve() != release
    page = (council.current / "gemeenten" / "71016.html").read_text(encoding="utf-8")
    assert "Jobcoaching in de wijken" in page and "minstens 2,0 per 1.000 inwoners lager" in page
    assert "geen beslissing van de gemeenteraad" not in page


def test_a_profile_workbook_that_breaks_a_rule_is_rejected_with_sheet_row_and_column(council):
    release = council.current.resolve()
    sent = _template(council, Deadline=2040)
    shutil.copy(sent, council.landing / sent.name)
    assert isinstance(sense(council), SkipReason)
    [reason] = (council.landing / "rejected").glob("*.reason.txt")
    text = reason.read_text(encoding="utf-8")
    assert "sheet 'Doelstellingen', row 2, column 'L'" in text and "deadline-in-term" in text, text
    assert list(council.profiles.iterdir()) == [] and unchanged(council, release)


def test_a_profile_workbook_whose_run_fails_is_taken_back(council):
    release = council.current.resolve()
    sent = _template(council, Basisjaar=2012)  # RVA job seekers start in 2017: no baseline value
    shutil.copy(sent, council.landing / sent.name)
    _, outcome, _ = run_landed(council)
    assert not outcome.success and "baseline_has_value" in "\n".join(outcome.problems)
    assert not (council.profiles / "71016.xlsx").exists()
    assert list((council.landing / "rejected").glob("*profiel genk.xlsx"))
    assert unchanged(council, release)
