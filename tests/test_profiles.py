"""The rules of a profile, one by one, on the example profile of Genk with one thing changed: each breach names
the file, the place (YAML path, or sheet, row and column in the workbook) and the rule."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from models.terms import TERMS
from pipelines.settings import EXAMPLE_PROFILES, Settings
from sources.errors import SourceFileError
from sources.profiles import IndicatorFacts, load_profile, profile_files

EXAMPLE = yaml.safe_load((EXAMPLE_PROFILES / "71016.yaml").read_text(encoding="utf-8"))
FACTS = {i.id: IndicatorFacts(i.unit, i.polarity) for i in Settings.from_env({}).indicators}
TERM_YEARS = [(t.first_year, t.last_year) for t in TERMS]
MUNICIPALITIES = {"71016": "Genk", "71022": "Hasselt"}


def written(folder: Path, change=None, name: str = "71016.yaml") -> Path:
    profile = copy.deepcopy(EXAMPLE)
    if change is not None:
        change(profile)
    path = folder / name
    path.write_text(yaml.safe_dump(profile, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def target(**fields):
    def change(profile):
        profile["targets"][0].update(fields)
        for field, value in fields.items():
            if value is None:
                del profile["targets"][0][field]
    return change


def read(path: Path, named: bool = True):
    return load_profile(path, FACTS, TERM_YEARS, MUNICIPALITIES, named=named)


def test_the_example_reads_as_genks_profile_in_its_order(tmp_path):
    profile = read(written(tmp_path))
    assert profile.nis_code == "71016" and profile.example
    assert profile.indicators[:2] == ("werkzoekenden_rva_per_1000", "werkloosheidsgraad_rva")
    first = profile.targets[0]
    assert (first.indicator_id, first.direction, first.minimum_change, first.baseline_year, first.deadline_year,
            first.term_start, first.term_end) == ("werkzoekenden_rva_per_1000", "lager", 3, 2024, 2030, 2025, 2030)
    assert profile.targets[1].value == 4.5 and profile.warnings == ()


BREACHES = [
    (lambda p: p.update(nis_code="71099"), "known-municipality", "nis_code"),
    (lambda p: p.update(term="2025-2031"), "known-term", "term"),
    (lambda p: p["indicators"].append("werkloosheidsgraad_rva"), "indicator-chosen-once", "indicators[5]"),
    (lambda p: p["targets"].append(dict(p["targets"][0])), "one-target-per-indicator", "targets[3].indicator"),
    (target(indicator="armoede_naar_gevoel"), "known-indicator", "targets[0].indicator"),
    (target(baseline=2030), "baseline-before-deadline", "targets[0].baseline"),
    (target(deadline=2031), "deadline-in-term", "targets[0].deadline"),
    (target(direction="omlaag"), "known-direction", "targets[0].direction"),
    (target(minimum_change=None), "value-or-direction", "targets[0]"),
    (target(minimum_change=-3), "positive-minimum-change", "targets[0].minimum_change"),
    (target(minimum_change="veel"), "number", "targets[0].minimum_change"),
    (target(baseline="vorig jaar"), "year", "targets[0].baseline"),
    (target(direction="hoger"), "direction-follows-polarity", "targets[0].direction"),
]


@pytest.mark.parametrize("change, rule, place", BREACHES, ids=[rule for _, rule, _ in BREACHES])
def test_each_rule_names_file_place_and_rule(tmp_path, change, rule, place):
    with pytest.raises(SourceFileError) as refused:
        read(written(tmp_path, change))
    assert refused.value.rule == rule, str(refused.value)
    assert "71016.yaml" in str(refused.value) and place in str(refused.value), str(refused.value)


def test_a_target_against_polarity_stated_on_purpose_is_a_warning(tmp_path):
    profile = read(written(tmp_path, target(direction="hoger", against_polarity="ja")))
    assert profile.targets[0].direction == "hoger" and profile.targets[0].against_polarity
    [warning] = profile.warnings
    assert "werkzoekenden_rva_per_1000" in warning


def test_a_profile_in_the_profiles_folder_is_named_by_its_municipality(tmp_path):
    path = written(tmp_path, name="genk.yaml")
    with pytest.raises(SourceFileError, match="profile-named-by-nis-code"):
        read(path)
    # dropped in the landing folder, what it holds says whose profile it is
    assert read(path, named=False).nis_code == "71016"


def test_a_file_that_is_not_a_profile_is_refused_by_shape(tmp_path):
    broken = tmp_path / "71016.yaml"
    broken.write_text("nis_code: [71016\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="readable-yaml"):
        read(broken)
    broken.write_text("- 71016\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="profile-shape"):
        read(broken)


def test_two_profiles_of_one_municipality_are_refused(tmp_path):
    written(tmp_path)
    (tmp_path / "71016.xlsx").write_bytes(b"")
    (tmp_path / "~$71016.xlsx").write_bytes(b"")  # an office lock file beside it is no profile
    with pytest.raises(SourceFileError, match="one-profile-per-municipality"):
        profile_files(tmp_path)
    (tmp_path / "71016.xlsx").unlink()
    assert [p.name for p in profile_files(tmp_path)] == ["71016.yaml"]
