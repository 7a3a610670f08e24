"""Faults: real runs killed with SIGKILL at several points, and runs started at the same moment.

Each run is a separate `barometer run` process, as the office starts it. After every kill the
published release must be complete and unchanged (its manifest checksums match) and the warehouse
usable; the next run must go through without any manual step.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
import duckdb
from filelock import FileLock, Timeout
from dagster import DagsterInstance

from reports.release import verify_manifest
from tests.reliability import record

# full pipeline runs of their own: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow

def release_half_written(output: Path) -> bool:
    """A new release folder exists and holds files, but is not yet `current`."""
    return any(any(f.is_file() for f in folder.rglob("*")) for folder in (output / "releases").glob(".building-*"))


# (stage, a line the run logs when it gets there, seconds to wait after it before the kill, and for a stage
# too short to hit by time, the state of the output folder that says the kill lands inside it)
KILL_POINTS = [
    ("fetch", "fetching ", 0.5, None),
    ("load", "loading raw_population", 0.0, None),
    ("validation", "validating limburg_population.csv", 0.3, None),
    ("models", "building harmonised_observations", 0.0, None),
    ("publication", "building a new release", 0.0, release_half_written),
]


def start_run(output: Path, home: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", "--all"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "BAROMETER_OUTPUT": str(output), "BAROMETER_SNAPSHOTS": str(output / "no-snapshots"),
             "DAGSTER_HOME": str(home), **env})


def kill_when(run: subprocess.Popen, marker: str, delay: float, inside: Callable[[], bool] | None = None,
              limit: float = 240) -> bool:
    """SIGKILL the run once it logs `marker` (plus `delay`) and, if given, once `inside()` holds; False if it
    ended before getting there."""
    deadline = time.monotonic() + limit
    for line in run.stdout:
        if marker in line:
            time.sleep(delay)
            while inside is not None and not inside():
                if run.poll() is not None or time.monotonic() > deadline:
                    run.wait()
                    return False
                time.sleep(0.01)
            run.send_signal(signal.SIGKILL)
            run.wait()
            return True
        if time.monotonic() > deadline:
            break
    run.kill()
    run.wait()
    return False


def wait_until_locked(path: Path, limit: float = 120) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        probe = FileLock(path)
        try:
            probe.acquire(timeout=0)
        except Timeout:
            return True
        probe.release()
        time.sleep(0.05)
    return False


def intact(output: Path, release: Path) -> bool:
    current = output / "current"
    return current.resolve() == release and verify_manifest(current) == []


def warehouse_usable(output: Path) -> bool:
    con = duckdb.connect(str(output / "warehouse.duckdb"))
    try:
        return con.execute("select count(*) from barometer").fetchall()[0][0] > 0
    finally:
        con.close()


def test_killed_runs_leave_the_release_intact_and_the_next_run_recovers(published_copy, tmp_path):
    release = (published_copy / "current").resolve()
    for stage, marker, delay, state in KILL_POINTS:
        extra = {"BAROMETER_DOWNLOADS": "1"} if stage == "fetch" else {}
        inside = (lambda: state(published_copy)) if state else None
        killed = kill_when(start_run(published_copy, tmp_path, **extra), marker, delay, inside)
        ok = killed and intact(published_copy, release) and warehouse_usable(published_copy)
        record("kill", stage, "release intact, warehouse usable" if ok else "NOT intact", ok)
        assert killed, f"the run never reached {marker!r}"
        assert intact(published_copy, release), f"killed during {stage}: output/current changed or broke"
        assert warehouse_usable(published_copy), f"killed during {stage}: the warehouse does not open"

    recovery = start_run(published_copy, tmp_path)
    output, _ = recovery.communicate(timeout=300)
    record("kill", "next run after the kills", "succeeded" if recovery.returncode == 0 else "failed",
           recovery.returncode == 0)
    assert recovery.returncode == 0, output[-3000:]
    new_release = (published_copy / "current").resolve()
    assert new_release != release and verify_manifest(published_copy / "current") == []
    assert not list((published_copy / "releases").glob(".building-*"))


def test_runs_started_together_wait_for_each_other_or_fail_clearly(published_copy, tmp_path):
    # an office's Dagster instance exists before its runs; creating its sqlite storage is not what is tested
    DagsterInstance.from_config(str(tmp_path)).dispose()
    first, second = start_run(published_copy, tmp_path), start_run(published_copy, tmp_path)
    # the third run starts once one of the two holds the output folder's lock, so that it has to wait
    assert wait_until_locked(published_copy / ".run.lock"), "neither run took the lock"
    impatient = start_run(published_copy, tmp_path, BAROMETER_LOCK_TIMEOUT="1")
    impatient_output, _ = impatient.communicate(timeout=300)
    outputs = [run.communicate(timeout=600)[0] for run in (first, second)]

    waited = all(run.returncode == 0 for run in (first, second))
    refused = (impatient.returncode == 5 and "another barometer run is still writing" in impatient_output
               and "Traceback" not in impatient_output)
    record("concurrent", "two runs started together", "both succeeded, one after the other" if waited
           else "a run failed", waited)
    record("concurrent", "a third run with a 1 s lock timeout", "refused with a clear message" if refused
           else "not refused clearly", refused)
    assert waited, outputs[0][-2000:] + outputs[1][-2000:]
    assert refused, impatient_output[-2000:]
    assert verify_manifest(published_copy / "current") == []
    assert warehouse_usable(published_copy)
