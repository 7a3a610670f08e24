"""The landing folder as a shared folder: only files of their own are read, once they stopped changing; links,
FIFOs, sockets and hard links are refused without being opened or followed; lock and temporary files of office
software and browsers are left alone; a look takes at most its cap. Through the real sensor and `barometer ingest`."""
from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pytest
from dagster import RunRequest, SkipReason

from pipelines.cli import main as barometer
from pipelines.intake import NotARegularFile, scan, taken
from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot
from tests.conftest import sense

SECRET = b"password=hunter2\n"
LOCK_AND_TEMPORARY = ["~$nieuwkomers.xlsx", ".~lock.nieuwkomers.xlsx#", "export.csv.part", "export.csv.crdownload",
                      "export.tmp"]


def a_real_export(folder: Path, name: str = "nieuwkomers - gemeenten.csv") -> Path:
    """The embedded CSV export of Provincies in Cijfers, with Genk's 2024 figure revised (493 -> 500), so that
    it is a new snapshot."""
    text = latest_snapshot([EMBEDDED_SNAPSHOTS], "pic_nieuwkomers").path.read_text(encoding="utf-8")
    target = folder / name
    target.write_text(text.replace('"Genk";', '"Genk";', 1).replace(";493\n", ";500\n", 1), encoding="utf-8")
    return target


def aged(path: Path, seconds: float = 120) -> Path:
    """As if the copy had finished `seconds` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)
    return path


def secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "elsewhere" / "secrets.csv"
    secret.parent.mkdir()
    secret.write_bytes(SECRET)
    return secret


def contents_under(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]


# --- the look at the folder -------------------------------------------------------------------------------

@pytest.mark.reliability("landing", "symbolic link, hard link, FIFO, socket; office lock and partial files", "refused without opening; lock files left alone")
def test_a_look_sorts_files_links_special_files_and_lock_files(tmp_path):
    landing = tmp_path / "landing"
    (landing / "rejected").mkdir(parents=True)
    secret = secret_file(tmp_path)
    aged(a_real_export(landing))
    (landing / "link.csv").symlink_to(secret)
    os.link(secret, landing / "hardlink.csv")
    os.mkfifo(landing / "pipe.csv")
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(landing / "socket.csv"))
        for name in LOCK_AND_TEMPORARY:
            (landing / name).write_bytes(b"lock")
        found = scan(landing, {}, time.time_ns(), stable_seconds=30, cap=10)
    assert [p.name for p in found.ready] == ["nieuwkomers - gemeenten.csv"]
    refused = {p.name: reason for p, reason in found.refused}
    assert set(refused) == {"link.csv", "hardlink.csv", "pipe.csv", "socket.csv"}
    assert "symbolic link" in refused["link.csv"] and "hard link (2 names" in refused["hardlink.csv"]
    assert "FIFO" in refused["pipe.csv"] and "socket" in refused["socket.csv"]
    assert sorted(found.ignored) == sorted(LOCK_AND_TEMPORARY)


@pytest.mark.reliability("landing", "a file still being copied", "left until unchanged")
def test_a_file_is_taken_only_once_it_stopped_changing(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    export = a_real_export(landing)
    first = scan(landing, {}, time.time_ns(), stable_seconds=30, cap=10)
    assert first.ready == [] and first.changing == [export.name]  # written just now
    aged(export)
    # its time changed since the previous look: still being written, however old the time now is
    second = scan(landing, first.seen, time.time_ns(), 30, 10)
    assert second.changing == [export.name]
    third = scan(landing, second.seen, time.time_ns(), 30, 10)
    assert [p.name for p in third.ready] == [export.name]
    # grown since the previous look with the same old time (a copy that keeps the source's time)
    grown = {export.name: [third.seen[export.name][0] - 10, third.seen[export.name][1]]}
    assert scan(landing, grown, time.time_ns(), 30, 10).changing == [export.name]


@pytest.mark.reliability("landing", "more files than one look takes", "the rest left for the next look")
def test_a_look_takes_at_most_its_cap_and_leaves_the_rest_for_the_next(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    for name in ("a.csv", "b.csv", "c.csv"):
        aged(a_real_export(landing, name))
    found = scan(landing, {}, time.time_ns(), 0, cap=2)
    assert ([p.name for p in found.ready], found.later) == (["a.csv", "b.csv"], ["c.csv"])


@pytest.mark.reliability("landing", "a file swapped for a link or FIFO after the look", "not opened")
def test_a_name_that_became_a_link_after_the_look_is_not_opened(tmp_path):
    secret = secret_file(tmp_path)
    swapped = tmp_path / "export.csv"
    swapped.symlink_to(secret)
    with pytest.raises(NotARegularFile, match="symbolic link"):
        with taken(swapped):
            pass
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(NotARegularFile, match="FIFO"):  # opened without waiting for a writer, then refused
        with taken(tmp_path / "pipe.csv"):
            pass


# --- the sensor and the command line ---------------------------------------------------------------------

@pytest.mark.reliability("landing", "the sensor given a link to a file elsewhere", "the link moved to rejected/, its target never read")
def test_the_sensor_moves_a_link_itself_to_rejected_and_never_reads_its_target(office, tmp_path):
    secret = secret_file(tmp_path)
    (office.landing / "nieuwkomers - gemeenten.csv").symlink_to(secret)
    os.mkfifo(office.landing / "pipe.csv")
    for name in LOCK_AND_TEMPORARY:
        (office.landing / name).write_bytes(b"lock")
    result = sense(office)
    assert isinstance(result, SkipReason) and "symbolic link" in result.skip_message
    rejected = office.landing / "rejected"
    [link] = rejected.glob("*-nieuwkomers - gemeenten.csv")  # with the time it arrived
    assert link.is_symlink() and link.resolve() == secret and secret.read_bytes() == SECRET
    [pipe] = rejected.glob("*-pipe.csv")
    assert pipe.is_fifo()
    assert SECRET not in contents_under(rejected) and not office.snapshots.exists()
    assert "symbolic link" in link.with_name(link.name + ".reason.txt").read_text(encoding="utf-8")
    assert sorted(p.name for p in office.landing.iterdir() if p.name != "rejected") == sorted(LOCK_AND_TEMPORARY)


@pytest.mark.reliability("landing", "the sensor during a copy in progress", "waits, then takes it")
def test_the_sensor_waits_for_a_copy_in_progress_and_takes_it_once_it_is_done(office):
    waiting = office.but(landing_stable_seconds=30)
    export = a_real_export(office.landing)
    result = sense(waiting)
    assert isinstance(result, SkipReason) and "still being written" in result.skip_message
    assert export.exists() and not (office.landing / "rejected").exists()
    aged(export)
    [request] = sense(waiting)
    assert isinstance(request, RunRequest) and request.run_key.startswith("pic_nieuwkomers:")
    assert not export.exists() and len(list((office.landing / "accepted").iterdir())) == 1


@pytest.mark.reliability("landing", "the sensor with more files than its cap", "takes its cap")
def test_the_sensor_takes_its_cap_per_look(office, tmp_path):
    capped = office.but(landing_files_per_tick=1)
    aged(a_real_export(office.landing))
    aged(shutil.copy(latest_snapshot([EMBEDDED_SNAPSHOTS], "pic_nieuwkomers").path, office.landing / "copy.csv"))
    first = sense(capped)
    assert len(first) == 1 and len(list(office.landing.glob("*.csv"))) == 1


@pytest.mark.reliability("landing", "barometer ingest of a link", "refused (exit 3), nothing copied")
def test_barometer_ingest_of_a_link_refuses_it_and_copies_nothing(office, tmp_path, capsys):
    secret = secret_file(tmp_path)
    link = tmp_path / "nieuwkomers - gemeenten.csv"
    link.symlink_to(secret)
    assert barometer(["ingest", str(link)]) == 3
    error = capsys.readouterr().err
    assert "symbolic link" in error and "Traceback" not in error
    assert link.is_symlink() and secret.read_bytes() == SECRET
    rejected = office.landing / "rejected"
    assert [p.name.endswith(".reason.txt") for p in rejected.iterdir()] == [True]
    assert SECRET not in contents_under(rejected) and not office.snapshots.exists()
