"""One run at a time per output folder: the run lock, as a Dagster resource held for the whole run.

DuckDB allows one writer, and two runs publishing at once would interleave their tables. The lock is an OS
file lock, so a run that is killed releases it at once. A second run waits up to the settings'
`lock_timeout` (BAROMETER_LOCK_TIMEOUT, default 15 minutes) and then fails with a clear message.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from dagster import InitResourceContext, ResourceDefinition, resource
from filelock import FileLock, Timeout

from pipelines.settings import Settings


@cache
def _output_lock(folder: Path) -> FileLock:
    # one lock object per folder in a process: a FileLock object can be taken again by its holder, so the
    # runner (which decides what to run) and then the run's resource do not wait for each other
    return FileLock(folder / ".run.lock")


def hold_output_lock(folder: Path, timeout: float) -> FileLock:
    """Take the output folder's run lock, waiting up to `timeout` seconds; the caller releases it."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = _output_lock(folder)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise RuntimeError(f"another barometer run is still writing to {folder} (lock {lock.lock_file} held "
                           f"for more than {timeout:.0f} s); this run changed nothing, start it again later") \
            from None
    return lock


def run_lock(settings: Settings) -> ResourceDefinition:
    @resource(description=f"The run lock of {settings.output}, held from the start to the end of a run.")
    def _run_lock(context: InitResourceContext):
        lock = hold_output_lock(settings.output, settings.lock_timeout)
        try:
            yield lock
        finally:
            lock.release()

    return _run_lock
