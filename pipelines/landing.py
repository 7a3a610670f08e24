"""The landing folder: a file an analyst drops is identified, snapshotted and run, or rejected with a reason.

Used by the landing-folder sensor and by `barometer ingest FILE`, so both treat a file the same way; what
counts as a file to take at all is pipelines/intake.py.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from models.terms import TERMS
from pipelines.intake import NotARegularFile, scan, taken, unwritable
from pipelines.settings import Settings
from sources.catalog import Catalog, Source
from sources.errors import SourceFileError
from sources.download import SAFE_NAME
from sources.identify import identify, named_sources
from sources import register
from sources.parsers import parse_file
from sources.profiles import IndicatorFacts, is_profile_workbook, load_profile
from sources.readers import check_file
from sources.snapshots import Snapshot, find_latest, open_snapshot, retract, sha256_of, take_snapshot

ACCEPTED, REJECTED = "accepted", "rejected"
# what a landing run's tags say it installed, so that the failure sensor can take it back
SNAPSHOT_TAG, LANDING_TAG = "barometer/snapshot", "barometer/landing_file"
PROFILE_TAG, PREVIOUS_PROFILE_TAG = "barometer/profile", "barometer/previous_profile"


class Rejected(Exception):
    """A dropped file that cannot be used; the message is the reason written beside it."""


@dataclass(frozen=True)
class Admission:
    source: Source
    snapshot: Snapshot
    new: bool  # False when the same bytes are already the newest snapshot of that source

    @property
    def what(self) -> str:
        return f"the newest snapshot of {self.source.id} ({self.snapshot.folder})"

    @property
    def run_key(self) -> str:
        return f"{self.source.id}:{self.snapshot.origin['sha256']}"

    @property
    def tags(self) -> dict[str, str]:
        return {SNAPSHOT_TAG: str(self.snapshot.folder)}


@dataclass(frozen=True)
class ProfileAdmission:
    """A municipality's profile workbook, installed in the profiles folder."""
    nis_code: str
    installed: Path
    previous: Path | None  # the profile it replaced, put back if the run fails
    sha256: str
    new: bool

    @property
    def what(self) -> str:
        return f"the profile of {self.nis_code} ({self.installed})"

    @property
    def run_key(self) -> str:
        return f"profile-{self.nis_code}:{self.sha256}"

    @property
    def tags(self) -> dict[str, str]:
        return {PROFILE_TAG: str(self.installed), PREVIOUS_PROFILE_TAG: str(self.previous or "")}


REPLACED = ".replaced"


def admit(path: Path, settings: Settings) -> Admission | ProfileAdmission:
    """Check the file's name and size; a municipality's profile workbook is checked and installed in the profiles
    folder; any other file is identified by its content, checked to parse and made the newest snapshot of its
    source."""
    catalog, snapshot_roots = settings.catalog, settings.snapshot_roots
    try:
        _check_name(path)
        check_file(path)
    except SourceFileError as err:
        raise Rejected(str(err)) from err
    if is_profile_workbook(path):
        return _admit_profile(path, settings)
    source = identify(path, catalog)
    if source is None:
        raise Rejected(_unidentified(path, catalog, snapshot_roots))
    try:
        parsed = parse_file(path, source, register.from_snapshots(catalog, snapshot_roots)[0])
    except SourceFileError as err:
        raise Rejected(f"{path.name} looks like {source.id} but cannot be read: {err}") from err
    latest = find_latest(snapshot_roots, source.id)
    if latest is not None and latest.origin["sha256"] == sha256_of(path):
        return Admission(source, latest, new=False)
    # what the file says of itself (an export's source lines and date) is kept with it
    origin = {"title": source.title, "publisher": source.publisher, "dataset": source.dataset,
              "licence": source.licence, "urls": [u for u in (source.url, source.page) if u],
              "reference_period": f"zoals aangeleverd op {dt.date.today().isoformat()}",
              "obtained_from": f"landing folder (file {path.name})", **parsed.facts}
    return Admission(source, take_snapshot(snapshot_roots[0], source.id, path, origin), new=True)


def _admit_profile(path: Path, settings: Settings) -> ProfileAdmission:
    """Check the workbook by the rules of a profile and make it `<profiles>/<nis_code>.xlsx`; whether the
    municipality lies in the area and its baselines have data, the run checks."""
    if settings.profiles is None:
        raise Rejected(f"{path.name} is a profile workbook, but this installation has no profiles folder "
                       "(BAROMETER_PROFILES)")
    frame = register.from_snapshots(settings.catalog, settings.snapshot_roots)[0]
    today = frame.filter(pl.col("level") == "municipality", pl.col("successor_nis_code").is_null())
    municipalities = dict(zip(today["nis_code"], today["name_nl"]))
    facts = {i.id: IndicatorFacts(i.unit, i.polarity) for i in settings.indicators}
    try:
        # the workbook keeps the name it was saved under; what it holds says whose profile it is
        code = str(load_profile(path, facts, [(t.first_year, t.last_year) for t in TERMS], municipalities,
                                named=False).nis_code)
    except SourceFileError as err:
        raise Rejected(f"{path.name} is a profile workbook but breaks a rule: {err}") from err
    folder = settings.profiles
    other = [p for p in folder.glob(f"{code}.*") if p.suffix.lower() in (".yaml", ".yml")]
    if other:
        raise Rejected(f"{path.name} is the profile of {code}, which already has {other[0]} in {folder}; remove that "
                       "file first (one profile per municipality)")
    installed, checksum = folder / f"{code}.xlsx", sha256_of(path)
    if installed.is_file() and sha256_of(installed) == checksum:
        return ProfileAdmission(code, installed, None, checksum, new=False)
    previous = None
    if installed.is_file():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        previous = folder / REPLACED / f"{stamp}-{installed.name}"
        previous.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(installed, previous)
    folder.mkdir(parents=True, exist_ok=True)
    # written beside it first, so that a run never reads half a workbook
    partial = folder / f".{code}.xlsx.part"
    shutil.copyfile(path, partial)
    partial.replace(installed)
    return ProfileAdmission(code, installed, previous, checksum, new=True)


@dataclass
class Intake:
    """What one look at the landing folder did."""
    admitted: list[tuple[Admission | ProfileAdmission, Path]]  # new snapshots or profiles, with the filed file
    notes: list[str]
    seen: dict[str, list[int]]  # for the next look (the sensor's cursor)


def take_in(settings: Settings, seen: dict[str, list[int]], now_ns: int) -> Intake:
    """Refuse what is not a file of its own, leave lock files and files still being written, and admit up to
    the settings' cap of the stable files (the rest wait for the next look)."""
    landing = settings.landing
    blocked = unwritable(landing)
    if blocked:
        return Intake([], [blocked], seen)
    found = scan(landing, seen, now_ns, settings.landing_stable_seconds, settings.landing_files_per_tick)
    admitted, notes = [], []
    for entry, reason in found.refused:
        file_away(entry, landing, REJECTED, reason)
        notes.append(f"refused {reason}")
    for path in found.ready:
        try:
            with taken(path) as copy:
                admission = admit(copy, settings)
        except (Rejected, NotARegularFile) as rejection:
            file_away(path, landing, REJECTED, str(rejection))
            notes.append(f"rejected {path.name}: {rejection}")
            continue
        filed = file_away(path, landing, ACCEPTED)
        if admission.new:
            admitted.append((admission, filed))
        else:
            notes.append(f"{path.name} is already {admission.what}; no new run")
    if found.changing:
        notes.append(f"still being written, left for a later look: {', '.join(found.changing)}")
    if found.later:
        notes.append(f"over the {settings.landing_files_per_tick} files of one look, left for the next: "
                     f"{', '.join(found.later)}")
    if found.ignored:
        notes.append(f"lock or temporary files, left alone: {', '.join(found.ignored)}")
    return Intake(admitted, notes, found.seen)


def _check_name(path: Path) -> None:
    # the name becomes part of the snapshot's path and appears in messages and scripts
    if not SAFE_NAME.fullmatch(path.name) or path.name.startswith((".", "-")):
        raise SourceFileError(path, "safe-file-name", f"the name {path.name!r} may hold only letters, digits, spaces "
                              "and - _ . ( ), and may not start with '.' or '-' (no path or shell characters such as "
                              "/ \\ .. $ ; | & `); rename the file")


def _unidentified(path: Path, catalog: Catalog, snapshot_roots: list[Path]) -> str:
    """Why no source fits, with what the reader of a source the name points to finds wrong in the file."""
    reason = f"{path.name}: the content matches no dataset of the source catalogue"
    for source in named_sources(path, catalog):
        try:
            parse_file(path, source, register.from_snapshots(catalog, snapshot_roots)[0])
        except SourceFileError as err:
            reason += f"; read as {source.id}, as its name suggests: {err}"
    return reason


def file_away(path: Path, landing: Path, outcome: str, reason: str | None = None, copy: bool = False) -> Path:
    """Move (or copy) a handled file out of the landing folder; a rejected one gets `<name>.reason.txt`."""
    folder = landing / outcome
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    # a file moves from accepted to rejected when its run fails; it keeps the stamp of its arrival
    target = folder / (path.name if path.parent.parent == landing else f"{stamp}-{path.name}")
    (shutil.copyfile if copy else shutil.move)(path, target)
    if reason is not None:
        target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
    return target


def refuse_entry(name: str, landing: Path, reason: str) -> Path:
    """The reason for an entry outside the landing folder that is not taken (`barometer ingest` of a link):
    only the reason is written, nothing is read or copied."""
    folder = landing / REJECTED
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    note = folder / f"{stamp}-{name}.reason.txt"
    note.write_text(reason + "\n", encoding="utf-8")
    return note


def withdraw(tags: dict[str, str], filed: Path | None, landing: Path, reason: str) -> None:
    """After a failed run: take back what its file installed (`tags` of the admission) so that the last good
    snapshot or profile serves again, and reject the file."""
    snapshot_folder = Path(tags[SNAPSHOT_TAG]) if tags.get(SNAPSHOT_TAG) else None
    if snapshot_folder is not None and snapshot_folder.is_dir():
        retract(open_snapshot(snapshot_folder), reason)
    if tags.get(PROFILE_TAG):
        installed, previous = Path(tags[PROFILE_TAG]), tags.get(PREVIOUS_PROFILE_TAG)
        if previous and Path(previous).is_file():
            Path(previous).replace(installed)
        else:
            installed.unlink(missing_ok=True)
    if filed is not None and filed.is_file():
        file_away(filed, landing, REJECTED, reason)
