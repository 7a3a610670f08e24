"""Faults of a real server, each ending with output/current intact and a clear message: the disk filling up
during publication and folders that cannot be written (on small or read-only tmpfs file systems the test
mounts), and a damaged warehouse, which the next run rebuilds from the snapshots."""
from __future__ import annotations

import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, RunRequest, SkipReason

from pipelines.automation import ATTEMPT_TAG
from pipelines.core import Pipeline
from pipelines.landing import LANDING_TAG, SNAPSHOT_TAG
from pipelines.settings import EXAMPLE_PROFILES, Settings
from reports.release import verify_manifest
from tests.conftest import after_failure, run_pipeline, sense
from tests.reliability import record
from tests.test_landing import revised_newcomers_export

pytestmark = pytest.mark.slow
MB = 1024 * 1024


@contextmanager
def tmpfs(where: Path, size: int) -> Path:
    """A tmpfs of `size` bytes mounted at `where`; the test skips, saying why, where the machine does not
    allow mounting (no root, or a container without CAP_SYS_ADMIN)."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here ({mounted.stderr.strip() or 'mount failed'}); "
                    "this fault needs root with CAP_SYS_ADMIN")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def used(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def office_on(output: Path, tmp_path: Path, **changes) -> Settings:
    return Settings(output=output, snapshots=tmp_path / "snapshots", landing=tmp_path / "landing",
                    profiles=EXAMPLE_PROFILES, landing_stable_seconds=0, **changes)


@contextmanager
def published_on_a_small_disk(published: Path, tmp_path: Path, room: int):
    """The published output copied onto a tmpfs with `room` bytes to spare: (the disk, settings, release)."""
    disk = tmp_path / "disk"
    with tmpfs(disk, used(published) + room):
        shutil.copytree(published, disk / "output", symlinks=True)
        settings = office_on(disk / "output", tmp_path)
        yield disk, settings, settings.current.resolve()


def intact(settings: Settings, release: Path) -> bool:
    return settings.current.resolve() == release and verify_manifest(settings.current) == []


def only_the_release_stale(settings: Settings) -> None:
    """What a publication that failed half-way leaves: every step done but the release."""
    con = duckdb.connect(str(settings.warehouse))
    con.execute("delete from step_versions where name = 'release'")
    con.close()


def test_a_disk_that_fills_up_during_publication_leaves_the_release_and_the_next_run_recovers(published, tmp_path):
    # room for the warehouse and the current release, not a second one
    with published_on_a_small_disk(published, tmp_path, 6 * MB) as (disk, settings, release):
        only_the_release_stale(settings)
        outcome = run_pipeline(settings, only_stale=True)
        message = "\n".join(outcome.problems)
        ok = not outcome.success and "filled up" in message and intact(settings, release)
        record("server", "disk full during publication", "release intact, clear message" if ok else "NOT so", ok)
        assert not outcome.success and "filled up while release" in message and "free some space" in message, message
        assert intact(settings, release)
        assert not list((settings.output / "releases").glob(".building-*"))
        remount(disk, f"size={used(published) + 40 * MB}")
        again = run_pipeline(settings, only_stale=True)
        assert again.success, again.problems
        assert settings.current.resolve() != release and verify_manifest(settings.current) == []


def test_a_landing_run_that_fails_outside_its_file_is_tried_once_more_then_rejected_unjudged(published, tmp_path):
    with published_on_a_small_disk(published, tmp_path, 6 * MB) as (disk, settings, release):
        settings.landing.mkdir()
        revised = revised_newcomers_export(tmp_path)
        shutil.move(revised, settings.landing / revised.name)
        [request] = sense(settings)
        instance = DagsterInstance.ephemeral()
        first = run_pipeline(settings, instance, tags=request.tags)
        # DuckDB's write of the warehouse or the release's files, whichever meets the full disk first
        full = ("No space left on device", "filled up")
        assert not first.success and any(words in "\n".join(first.problems) for words in full), first.problems

        # the disk, not the file, failed the run: the same snapshot is run once more, nothing rejected yet
        again = after_failure(settings, instance, first.run_id)["landing_run_failure_sensor"]
        assert isinstance(again, RunRequest), again
        assert again.tags[ATTEMPT_TAG] == "2" and again.tags[SNAPSHOT_TAG] == request.tags[SNAPSHOT_TAG]
        assert again.tags[LANDING_TAG] == request.tags[LANDING_TAG] and Path(again.tags[LANDING_TAG]).is_file()
        assert Path(again.tags[SNAPSHOT_TAG]).is_dir() and not (settings.landing / "rejected").exists()

        # the disk still full: the second attempt is the last, the file goes to rejected/ unjudged
        second = run_pipeline(settings, instance, tags=again.tags)
        assert not second.success
        assert after_failure(settings, instance, second.run_id)["landing_run_failure_sensor"] is None
        [reason] = (settings.landing / "rejected").glob("*.reason.txt")
        text = reason.read_text(encoding="utf-8")
        ok = "failed 2 times for a reason outside this file" in text and any(words in text for words in full) and \
            not Path(again.tags[SNAPSHOT_TAG]).is_dir() and intact(settings, release)
        record("server", "a landing run failing outside its file", "tried once more, then rejected unjudged"
               if ok else "NOT so", ok)
        assert "failed 2 times for a reason outside this file" in text and "drop it again" in text, text
        assert not Path(again.tags[SNAPSHOT_TAG]).is_dir()
        assert intact(settings, release)


def test_an_output_folder_that_cannot_be_written_ends_in_one_line_and_changes_nothing(published, tmp_path):
    with published_on_a_small_disk(published, tmp_path, 40 * MB) as (disk, settings, release):
        only_the_release_stale(settings)
        remount(disk, "ro")
        run = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], capture_output=True, text=True,
                             env={"PATH": "/usr/bin:/bin", "BAROMETER_OUTPUT": str(settings.output),
                                  "BAROMETER_SNAPSHOTS": str(settings.snapshots), "DAGSTER_HOME": str(tmp_path),
                                  "BAROMETER_PROFILES": str(EXAMPLE_PROFILES)}, timeout=300)
        ok = run.returncode == 4 and "not writable" in run.stderr and "Traceback" not in run.stderr
        record("server", "output folder not writable", "exit 4 with one clear line" if ok else "NOT so", ok)
        assert run.returncode == 4, run.stderr
        assert "output folder" in run.stderr and "not writable" in run.stderr and "Traceback" not in run.stderr
        assert intact(settings, release)


def test_a_landing_folder_that_cannot_be_written_takes_nothing_and_says_why(office, tmp_path):
    landing = tmp_path / "ro-landing"
    with tmpfs(landing, 4 * MB):
        export = landing / "nieuwkomers - gemeenten.csv"
        export.write_bytes(b"a file someone dropped before the share became read-only\n")
        remount(landing, "ro")
        result = sense(office.but(landing=landing))
        ok = isinstance(result, SkipReason) and "not writable" in result.skip_message and export.exists()
        record("server", "landing folder not writable", "nothing taken, reason given" if ok else "NOT so", ok)
        assert ok, result
        assert not office.snapshots.exists()


@pytest.mark.parametrize("only_stale", [True, False], ids=["changed steps", "whole job as the daemon runs it"])
@pytest.mark.parametrize("damage", ["overwritten", "truncated"])
def test_a_damaged_warehouse_is_set_aside_and_rebuilt_from_the_snapshots(published_copy, tmp_path, damage,
                                                                         only_stale):
    settings = office_on(published_copy, tmp_path)
    release = settings.current.resolve()
    warehouse = settings.warehouse
    size = warehouse.stat().st_size
    with warehouse.open("r+b") as fh:
        if damage == "truncated":
            fh.truncate(size // 2)
        else:
            fh.seek(size // 3)
            fh.write(b"\xde\xad\xbe\xef" * 64 * 1024)
    outcome = run_pipeline(settings, only_stale=only_stale)
    ok = outcome.success and settings.current.resolve() != release
    record("server", f"warehouse {damage}" + ("" if only_stale else ", then a scheduled run of the whole job"),
           "set aside, rebuilt, published" if ok else "NOT so", ok)
    assert outcome.success, outcome.problems
    [aside] = published_copy.glob("warehouse.damaged-*.duckdb")
    assert aside.stat().st_size in (size // 2, size)
    # everything was rebuilt: the new warehouse has every step and the release is whole
    assert Pipeline(settings).stale() == set()
    assert settings.current.resolve() != release and verify_manifest(settings.current) == []
