"""Atomic releases: build into a hidden folder, checksum it, then switch `current` in one step.

Readers of `output/current` see either the previous release or the new one, never a half-written
folder: the new release only becomes visible through `os.replace` of a symlink, which is atomic
on POSIX file systems.
"""
from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sources.snapshots import sha256_of

MANIFEST = "manifest.json"


class DiskFull(OSError):
    """The disk filled up while a release was written; nothing of it was published."""


def publish(output_dir: Path, build: Callable[[Path], None], keep: int = 5) -> Path:
    """Build a release with `build(folder)`, make it `output_dir/current` and prune old ones."""
    releases = output_dir / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(output_dir)
    now = datetime.now(UTC)
    release_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    building = releases / f".building-{release_id}"
    building.mkdir()
    try:
        build(building)
        _write_manifest(building, release_id, now)
        final = releases / release_id
        building.rename(final)
    except BaseException as failure:
        shutil.rmtree(building, ignore_errors=True)
        if isinstance(failure, OSError) and failure.errno == errno.ENOSPC:
            raise DiskFull(f"the disk holding {output_dir} filled up while release {release_id} was written "
                           f"({failure.filename or 'a file'}): the half-written release was removed and "
                           f"{output_dir / 'current'} still serves the previous release; free some space and run "
                           "again") from None  # the innermost error is what the run's report shows
        raise
    current = output_dir / "current"
    _switch(current, Path("releases") / release_id)
    _prune(releases, keep, current.resolve())
    return final


def _clear_leftovers(output_dir: Path) -> None:
    # runs are serialised by a lock, so a half-built release or link here is what a killed run left behind
    for folder in (output_dir / "releases").glob(".building-*"):
        shutil.rmtree(folder, ignore_errors=True)
    for link in output_dir.glob("current.tmp-*"):
        link.unlink(missing_ok=True)


def verify_manifest(folder: Path) -> list[str]:
    """Problems with a release folder: listed files that are missing, altered or unlisted."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return [f"missing file: {MANIFEST}"]
    listed = {entry["path"]: entry["sha256"] for entry in json.loads(manifest.read_text())["files"]}
    problems = []
    for path, sha256 in listed.items():
        file = folder / path
        if not file.is_file():
            problems.append(f"missing file: {path}")
        elif sha256_of(file) != sha256:
            problems.append(f"checksum mismatch: {path}")
    problems += [f"not in manifest: {path}" for path in sorted(set(_files(folder)) - set(listed))]
    return problems


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.relative_to(folder).as_posix() != MANIFEST)


def _write_manifest(folder: Path, release_id: str, created: datetime) -> None:
    files = [{"path": path, "sha256": sha256_of(folder / path), "bytes": (folder / path).stat().st_size}
             for path in _files(folder)]
    manifest = {"release": release_id, "created": created.isoformat(timespec="seconds"), "files": files}
    text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def _switch(current: Path, target: Path) -> None:
    # A relative link keeps the output folder relocatable (copied, mounted elsewhere, served).
    link = current.with_name(f"{current.name}.tmp-{secrets.token_hex(4)}")
    link.symlink_to(target, target_is_directory=True)
    try:
        os.replace(link, current)
    except BaseException:
        link.unlink()
        raise


def _prune(releases: Path, keep: int, current: Path) -> None:
    # Age order: the id's UTC timestamp (whole seconds), then when the manifest was written for
    # releases made within the same second. `current` is where the link points now, which is
    # another release if a concurrent publish switched after this one.
    finished = sorted((p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: (p.name.split("-")[0], _mtime(p / MANIFEST)))
    for old in finished[:-keep] if keep > 0 else finished:
        if old.resolve() != current:
            shutil.rmtree(old)


def _mtime(file: Path) -> int:
    return file.stat().st_mtime_ns if file.exists() else 0
