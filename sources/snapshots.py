"""Immutable source snapshots: `<root>/<source_id>/<date obtained>[.<n>]/<file>` plus `origin.json`.

A snapshot is never changed after it is written; a newer file becomes a new snapshot folder.
The pipeline always reads the newest snapshot of each source and verifies its checksum first.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sources.errors import SourceFileError

EMBEDDED_SNAPSHOTS = Path(__file__).resolve().parent.parent / "data" / "snapshots"


@dataclass(frozen=True)
class Snapshot:
    source_id: str
    folder: Path
    origin: dict

    @property
    def path(self) -> Path:
        return self.folder / self.origin["file"]

    @property
    def version(self) -> str:
        return self.folder.name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version_key(name: str) -> tuple[str, int]:
    day, _, n = name.partition(".")
    return day, int(n or 1)


def versions(root: Path, source_id: str) -> list[Path]:
    """Snapshot folders of a source, oldest first; folders being assembled or rejected start with '.'."""
    folder = root / source_id
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir()
             if p.is_dir() and not p.name.startswith(".") and (p / "origin.json").is_file()]
    return sorted(found, key=lambda p: _version_key(p.name))


def find_latest(roots: Sequence[Path], source_id: str) -> Snapshot | None:
    """The newest snapshot over several roots (the first root wins a tie), checked against its origin record."""
    candidates = [(_version_key(folder.name), -rank, folder)
                  for rank, root in enumerate(roots) for folder in versions(root, source_id)]
    if not candidates:
        return None
    return open_snapshot(max(candidates)[2])


def latest_snapshot(roots: Sequence[Path], source_id: str) -> Snapshot:
    found = find_latest(roots, source_id)
    if found is None:
        raise FileNotFoundError(f"no snapshot of source {source_id!r} under {', '.join(map(str, roots))}")
    return found


def open_snapshot(folder: Path) -> Snapshot:
    """The snapshot in `folder`, after checking that its file still matches its origin record."""
    origin = json.loads((folder / "origin.json").read_text(encoding="utf-8"))
    snap = Snapshot(origin["source_id"], folder, origin)
    if not snap.path.is_file():
        raise SourceFileError(snap.path, "snapshot-complete", "the file named in origin.json is missing")
    actual = sha256_of(snap.path)
    if actual != origin["sha256"]:
        raise SourceFileError(snap.path, "snapshot-checksum",
                              f"sha256 {actual} differs from {origin['sha256']} in origin.json; "
                              "snapshots are immutable, take a new snapshot instead of editing one")
    return snap


def take_snapshot(root: Path, source_id: str, file: Path, origin: dict,
                  obtained: dt.date | None = None) -> Snapshot:
    """Store `file` as the newest snapshot of `source_id`, with its origin record.

    The folder is assembled under a temporary name and renamed into place, so a reader never
    sees a snapshot without its file or its checksum.
    """
    obtained = obtained or dt.date.today()
    base = root / source_id
    base.mkdir(parents=True, exist_ok=True)
    day = obtained.isoformat()
    taken = [_version_key(p.name)[1] for p in versions(root, source_id) if p.name.partition(".")[0] == day]
    name = day if not taken else f"{day}.{max(taken) + 1}"
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=base))
    target = staging / file.name
    shutil.copyfile(file, target)
    record = {**origin, "source_id": source_id, "date_obtained": day, "file": file.name,
              "bytes": target.stat().st_size, "sha256": sha256_of(target)}
    (staging / "origin.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    os.rename(staging, base / name)
    return Snapshot(source_id, base / name, record)


def retract(snapshot: Snapshot, reason: str) -> Path:
    """Withdraw a snapshot that failed validation: it moves aside with the reason and is never read again."""
    rejected = snapshot.folder.parent / ".rejected"
    rejected.mkdir(exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix=f"{snapshot.version}-", dir=rejected))
    os.replace(snapshot.folder, target)
    (target / "reason.txt").write_text(reason + "\n", encoding="utf-8")
    return target
