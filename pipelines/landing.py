"""The landing folder: a file an analyst drops is identified, snapshotted and run, or rejected with a reason.

Used by the landing-folder sensor and by `barometer ingest FILE`, so both treat a file the same way.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from sources.catalog import Catalog, Source
from sources.errors import SourceFileError
from sources.download import SAFE_NAME
from sources.identify import identify, named_sources
from sources import register
from sources.parsers import parse_file
from sources.readers import check_file
from sources.snapshots import Snapshot, find_latest, open_snapshot, retract, sha256_of, take_snapshot

ACCEPTED, REJECTED = "accepted", "rejected"


class Rejected(Exception):
    """A dropped file that cannot be used; the message is the reason written beside it."""


@dataclass(frozen=True)
class Admission:
    source: Source
    snapshot: Snapshot
    new: bool  # False when the same bytes are already the newest snapshot of that source


def admit(path: Path, catalog: Catalog, snapshot_roots: list[Path]) -> Admission:
    """Check the file's name and size, identify it by its content, check that it parses, and make it the
    newest snapshot of its source."""
    try:
        _check_name(path)
        check_file(path)
    except SourceFileError as err:
        raise Rejected(str(err)) from err
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


def withdraw(snapshot_folder: Path, filed: Path | None, landing: Path, reason: str) -> None:
    """After a failed run: retract the snapshot so the last good one serves again, and reject the file."""
    if snapshot_folder.is_dir():
        retract(open_snapshot(snapshot_folder), reason)
    if filed is not None and filed.is_file():
        file_away(filed, landing, REJECTED, reason)
