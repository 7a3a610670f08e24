"""Every reader, fed random bytes and random mutations of the real publisher files (the embedded snapshots, as
the publishers and the Provincies in Cijfers databank export them): each input parses or is refused with the
project's file error naming the file and the rule — never another exception, never a hang, and through the
landing folder never a partial snapshot. Property-based (Hypothesis); the mutated files are synthetic."""
from __future__ import annotations

import signal
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipelines.landing import Admission, Rejected, admit
from pipelines.settings import Settings
from sources import register
from sources.catalog import load_catalog
from sources.errors import SourceFileError
from sources.parsers import PARSERS, parse_file
from sources.readers import check_file
from sources.snapshots import EMBEDDED_SNAPSHOTS, find_latest, open_snapshot

CATALOG = load_catalog()
REGISTER = register.from_snapshots(CATALOG, [EMBEDDED_SNAPSHOTS])[0]
# every source with a reader and a real file to start from
SOURCES = [source for source in CATALOG.sources.values()
           if source.parser in PARSERS and find_latest([EMBEDDED_SNAPSHOTS], source.id) is not None]
SECONDS_PER_INPUT = 30


@contextmanager
def time_limit(seconds: int):
    """A reader that hangs fails the test instead of stalling it."""
    def expired(signum, frame):
        raise TimeoutError(f"the reader took more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def read_as_landing_does(path: Path, source) -> None:
    """Parses, or raises SourceFileError naming the file and a rule; any other exception fails the property."""
    with time_limit(SECONDS_PER_INPUT):
        try:
            check_file(path)
            parse_file(path, source, REGISTER)
        except SourceFileError as refused:
            assert refused.rule and path.name in str(refused), str(refused)


def original(source) -> bytes:
    return find_latest([EMBEDDED_SNAPSHOTS], source.id).path.read_bytes()


def file_name(source) -> str:
    return find_latest([EMBEDDED_SNAPSHOTS], source.id).path.name


# a mutation: (position as a share of the file, what happens there, bytes)
MUTATIONS = st.lists(st.tuples(st.floats(0, 1, allow_nan=False), st.sampled_from(["flip", "cut", "insert", "drop"]),
                               st.binary(min_size=1, max_size=16)), min_size=1, max_size=4)


def mutated(data: bytes, mutations) -> bytes:
    for share, kind, chunk in mutations:
        at = int(share * max(len(data) - 1, 0))
        if kind == "flip":
            data = data[:at] + bytes(b ^ c for b, c in zip(data[at:at + len(chunk)], chunk)) + data[at + len(chunk):]
        elif kind == "cut":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + chunk + data[at:]
        else:
            data = data[:at] + data[at + len(chunk):]
    return data


def inner_mutated(data: bytes, mutations, folder: Path) -> bytes:
    """A workbook or zip whose members are mutated but whose archive is intact: what reaches the XML and CSV
    readers inside rather than the zip reader."""
    source, target = folder / "in.zip", folder / "out.zip"
    source.write_bytes(data)
    with zipfile.ZipFile(source) as inside, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for number, member in enumerate(inside.infolist()):
            content = inside.read(member)
            out.writestr(member, mutated(content, mutations) if number % 2 == len(mutations) % 2 else content)
    return target.read_bytes()


FUZZ = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow,
                                                                                        HealthCheck.data_too_large])


def fuzzed(what: str) -> list:
    return [pytest.param(source, id=source.id, marks=pytest.mark.reliability(
        "fuzz", f"{source.id}: {what}", "parsed or refused with a file error, never another exception or a hang"))
        for source in SOURCES]


@pytest.mark.parametrize("source", fuzzed("random bytes"))
@FUZZ
@given(noise=st.binary(max_size=4096))
def test_random_bytes_are_refused_with_a_file_error(source, noise, tmp_path_factory):
    path = tmp_path_factory.mktemp("random") / file_name(source)
    path.write_bytes(noise)
    read_as_landing_does(path, source)


@pytest.mark.slow
@pytest.mark.parametrize("source", fuzzed("mutations of the real file"))
@FUZZ
@given(mutations=MUTATIONS)
def test_mutations_of_the_real_file_parse_or_are_refused_with_a_file_error(source, mutations, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mutated")
    data = original(source)
    if data[:2] == b"PK":  # a workbook or a zipped table
        data = inner_mutated(data, mutations, folder)
    else:
        data = mutated(data, mutations)
    path = folder / file_name(source)
    path.write_bytes(data)
    read_as_landing_does(path, source)


@pytest.mark.slow
@pytest.mark.reliability("fuzz", "mutated exports dropped in the landing folder", "a whole snapshot or none")
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=MUTATIONS, source=st.sampled_from([s for s in SOURCES if s.id in (
    "pic_nieuwkomers", "pic_vdab_werkloosheid", "statbel_fiscal_c1", "nbb_credit_register")]))
def test_a_mutated_file_dropped_in_landing_is_a_whole_snapshot_or_none(mutations, source, tmp_path_factory):
    folder = tmp_path_factory.mktemp("landing")
    path = folder / "sent" / file_name(source)
    path.parent.mkdir()
    path.write_bytes(mutated(original(source), mutations))
    office = Settings.under(folder)
    with time_limit(SECONDS_PER_INPUT):
        try:
            admission = admit(path, office)
        except Rejected:
            admission = None
    snapshots = office.snapshots
    folders = [f for f in snapshots.glob("*/*") if f.is_dir()] if snapshots.exists() else []
    if admission is None or not admission.new:
        assert folders == []
    else:
        assert isinstance(admission, Admission) and folders == [admission.snapshot.folder]
        assert open_snapshot(admission.snapshot.folder).origin["sha256"]  # opens: its checksum matches
