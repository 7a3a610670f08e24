"""The corpus of bad inputs (tests/bad_inputs/cases.yaml): each file takes the way a real file would and
ends as its case says, blocked with a message naming file, rule and place, or accepted with its warning.

Most cases are decided before any run (`barometer ingest` refuses the file, or the landing folder takes
it); validation cases are loaded as a run loads them and checked by the source's rules; two real runs,
started by the landing folder's sensor, decide the cases that only a run can: a file blocked by
validation, and files published with a warning or with markup in their text.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import markupsafe
import polars as pl
import pytest
import yaml
from dagster import DagsterEventType

from models.validation import RuleResult, describe_failures
from pipelines.cli import main as barometer
from pipelines.landing import admit
from pipelines.core import Loaded, Pipeline
from pipelines.settings import Settings
from sources.catalog import Source, load_catalog
from sources.errors import SourceFileError
from sources.identify import load_signatures
from sources.parsers import parse
from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot, take_snapshot
from tests.conftest import installation, run_landed
from tests.test_bad_input import tree_bytes

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = {case["id"]: case for case in yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))}
CATALOG = load_catalog()
RULE_NAMED = re.compile(r"rule '([a-z0-9-]+)'")
# the cases only a run decides, one run for the blocked case and one for the accepted ones
BLOCKED_IN_A_RUN, ACCEPTED_IN_A_RUN = "pre_2019_code_in_2020", ("percent_as_fraction", "script_in_name")


def expected(case: dict) -> str:
    """The outcome a case must have, in words."""
    if case["outcome"] == "blocked":
        rules = case.get("rules") or RULE_NAMED.findall(" ".join(case["message"]))
        return "blocked: " + ", ".join(f"rule '{rule}'" for rule in rules)
    return "accepted" + "".join(f", warning '{rule}'" for rule in case.get("warnings", []))


def reliability(*decided: dict) -> pytest.MarkDecorator:
    """The mark that reports what happened to these cases to `make reliability`."""
    return pytest.mark.reliability("bad input", " + ".join(case["kind"] for case in decided),
                                   "; ".join(expected(case) for case in decided))


def cases(way: str) -> list:
    return [pytest.param(case, id=case["id"], marks=reliability(case)) for case in CASES.values() if case["way"] == way]


def dropped(case: dict, folder: Path) -> Path:
    """The case's file as the sender has it: under the name it is dropped as, grown to its size."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / case.get("drop_as", case["file"])
    shutil.copyfile(CORPUS / case["file"], path)
    if "grow_to" in case:
        os.truncate(path, case["grow_to"])
    return path


def assert_names(message: str, fragments: list[str]) -> None:
    missing = [fragment for fragment in fragments if fragment not in message]
    assert not missing, f"{missing} not in:\n{message}"


def test_the_corpus_has_a_case_for_every_file_and_thirty_kinds_of_bad_input():
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".csv", ".xlsx", ".zip")}
    used = {case[key] for case in CASES.values() for key in ("file", "same_rows_as") if key in case}
    assert used == files
    assert len({case["kind"] for case in CASES.values()}) >= 30
    for case in CASES.values():
        assert case["source"] in CATALOG.sources and case["outcome"] in ("blocked", "accepted"), case["id"]
        assert case["outcome"] == "accepted" or case["message"], case["id"]
    assert {case["way"] for case in CASES.values()} == {"ingest", "admit", "parse", "validate", "run"}
    assert [case["id"] for case in CASES.values() if case["way"] == "run"] == [BLOCKED_IN_A_RUN, *ACCEPTED_IN_A_RUN]


@pytest.mark.parametrize("case", cases("ingest"))
def test_refused_before_a_run_with_file_rule_and_place(case, office, tmp_path, capsys):
    before = tree_bytes(office.output / "current")

    assert barometer(["ingest", str(dropped(case, tmp_path / "sent"))]) == 3

    [reason] = (office.landing / "rejected").glob("*.reason.txt")
    assert_names(capsys.readouterr().err, case["message"])
    assert_names(reason.read_text(encoding="utf-8"), case["message"])
    assert not office.snapshots.exists()
    assert tree_bytes(office.output / "current") == before


def rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop("_source_file")


@pytest.mark.parametrize("case", cases("admit"))
def test_accepted_by_the_landing_folder_as_the_same_rows(case, tmp_path):
    admission = admit(dropped(case, tmp_path / "sent"), Settings.under(tmp_path))

    assert admission.source.id == case["source"] and admission.new
    expected = parse(CORPUS / case["same_rows_as"], admission.source)
    assert rows(parse(admission.snapshot.path, admission.source)).equals(rows(expected))


@pytest.mark.parametrize("case", cases("parse"))
def test_refused_by_the_parser_of_its_source(case):
    with pytest.raises(SourceFileError) as refused:
        parse(CORPUS / case["file"], CATALOG.source(case["source"]))
    assert_names(str(refused.value), case["message"])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Settings:
    """An installation whose warehouse holds the municipality register, as a run has it when it loads the
    other sources."""
    settings = installation(tmp_path_factory.mktemp("corpus"))
    pipeline = Pipeline(settings)
    pipeline.load([pipeline.register])
    pipeline.build(pipeline.reference)
    return settings


def snapshot_path(case: dict, source: Source, tmp_path: Path) -> Path:
    """The snapshot a run would read: a publisher file comes in through the landing folder."""
    if source.id not in load_signatures():
        return CORPUS / case["file"]
    admission = admit(dropped(case, tmp_path / "sent"), Settings.under(tmp_path))
    assert admission.source.id == source.id
    return admission.snapshot.path


def load_and_validate(settings: Settings, source: Source, path: Path) -> list[RuleResult]:
    """What a run does with the file: parse, cut to the area, load, validate."""
    pipeline = Pipeline(settings, reader=lambda p, con, s: Loaded(parse(path, s), {}, path.name))
    pipeline.load([source])
    return pipeline.validate([source]).results[source.raw_table]


@pytest.mark.parametrize("case", cases("validate"))
def test_decided_by_the_validation_rules_of_its_source(case, warehouse, tmp_path):
    source = CATALOG.source(case["source"])

    results = load_and_validate(warehouse, source, snapshot_path(case, source, tmp_path))

    assert not [r.error for r in results if r.error]
    assert {r.rule.name for r in results if not r.success and r.rule.blocking} == set(case.get("rules", []))
    assert {r.rule.name for r in results if not r.success and not r.rule.blocking} == set(case.get("warnings", []))
    described = describe_failures(case["file"], results, blocking=case["outcome"] == "blocked")
    assert_names(described, case.get("message", []))
    if "kept" in case:
        with duckdb.connect(str(warehouse.warehouse), read_only=True) as con:
            notes = {note for (note,) in con.execute(f'select note from "{source.raw_table}"').fetchall()}
        assert case["kept"] in notes


@pytest.mark.slow
@reliability(CASES[BLOCKED_IN_A_RUN])
def test_blocked_in_a_run_publishes_nothing_and_withdraws_the_file(office):
    case = CASES[BLOCKED_IN_A_RUN]
    current = office.output / "current"
    before, release = tree_bytes(current), current.resolve()
    dropped(case, office.landing)

    request, outcome, _ = run_landed(office)

    assert not outcome.success
    [reason] = (office.landing / "rejected").glob("*.reason.txt")
    assert_names(reason.read_text(encoding="utf-8"), case["message"])
    assert set(RULE_NAMED.findall("\n".join(outcome.problems))) == set(case["rules"])
    assert current.resolve() == release and tree_bytes(current) == before
    assert not Path(request.tags["barometer/snapshot"]).exists()


def check_evaluation(instance, run_id: str, table: str):
    """The validation check's evaluation of `table` in a run, as the Dagster UI shows it."""
    evaluations = [entry.dagster_event.event_specific_data
                   for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)]
    [evaluation] = [e for e in evaluations if e.asset_key.to_user_string() == table]
    return evaluation


@pytest.mark.slow
@reliability(*(CASES[case_id] for case_id in ACCEPTED_IN_A_RUN))
def test_accepted_in_a_run_is_published_with_its_warning_and_its_text_escaped(office):
    fraction, script = (CASES[case_id] for case_id in ACCEPTED_IN_A_RUN)
    current = office.output / "current"
    previous = current.resolve()
    # REFNIS is embedded: a corrected file of it arrives as a newer snapshot, read by the same run
    register = latest_snapshot([EMBEDDED_SNAPSHOTS], script["source"])
    take_snapshot(office.snapshots, script["source"], CORPUS / script["file"],
                  {k: v for k, v in register.origin.items() if k not in ("sha256", "bytes")})
    dropped(fraction, office.landing)

    _, outcome, instance = run_landed(office)

    assert outcome.success, outcome.problems
    assert current.resolve() != previous
    evaluation = check_evaluation(instance, outcome.run_id, CATALOG.source(fraction["source"]).raw_table)
    assert evaluation.passed
    assert_names(evaluation.description, fraction["message"])
    assert set(RULE_NAMED.findall(evaluation.description)) == set(fraction["warnings"])
    pages = {p.relative_to(current).as_posix(): p.read_text(encoding="utf-8") for p in current.rglob("*.html")}
    escaped = str(markupsafe.escape(script["escaped"]))
    # the arrondissement stands beside every municipality of it: As (71002) lies in arrondissement Hasselt
    assert escaped in pages["gemeenten/71002.html"]
    assert not [name for name, html in pages.items() if "<script>alert(" in html]
    assert script["escaped"] in (current / "downloads" / "barometer.csv").read_text(encoding="utf-8")
