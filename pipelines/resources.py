"""Where the pipeline reads and writes, resolved from the environment when a run starts."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from dagster_duckdb import DuckDBResource
from filelock import FileLock, Timeout
from pydantic import PrivateAttr

from models.warehouse import connection_config
from sources.snapshots import EMBEDDED_SNAPSHOTS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def output_folder(configured: str | None = None) -> Path:
    return Path(configured or os.environ.get("BAROMETER_OUTPUT") or PROJECT_ROOT / "output").resolve()


class BarometerResource(ConfigurableResource):
    """Paths of one barometer installation.

    Unset fields fall back to BAROMETER_OUTPUT, BAROMETER_SNAPSHOTS, BAROMETER_LANDING and
    BAROMETER_DOWNLOADS, then to the project folders, so the same definitions serve `make run`, the
    Dagster UI and the tests. Downloads from the publishers are off unless switched on.
    """

    output_dir: str | None = None
    snapshots_dir: str | None = None
    landing_dir: str | None = None
    downloads: bool | None = None

    @property
    def output(self) -> Path:
        return output_folder(self.output_dir)

    @property
    def snapshots(self) -> Path:
        """Where fetched and dropped files become snapshots."""
        return Path(self.snapshots_dir or os.environ.get("BAROMETER_SNAPSHOTS") or PROJECT_ROOT / "snapshots").resolve()

    @property
    def snapshot_roots(self) -> list[Path]:
        """Local snapshots first, then the ones shipped with the project; the newest version wins."""
        return [self.snapshots, EMBEDDED_SNAPSHOTS]

    @property
    def downloads_enabled(self) -> bool:
        if self.downloads is not None:
            return self.downloads
        return os.environ.get("BAROMETER_DOWNLOADS", "").lower() in {"1", "true", "yes", "on"}

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir or os.environ.get("BAROMETER_LANDING") or PROJECT_ROOT / "landing").resolve()

    @property
    def validation_report(self) -> Path:
        """The latest validation of every source, kept outside the releases: a blocked run publishes nothing."""
        return self.output / "validation" / "index.html"

    @property
    def warehouse(self) -> Path:
        return self.output / "warehouse.duckdb"

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived read-write connection; DuckDBResource retries while another process holds the lock."""
        self.output.mkdir(parents=True, exist_ok=True)
        with DuckDBResource(database=str(self.warehouse),
                            connection_config=connection_config(self.warehouse)).get_connection() as con:
            # DuckDBResource closes the connection only when the block ends without an error; left open after a
            # failed step, it would refuse every later connection of the run (GX's among them)
            try:
                yield con
            finally:
                con.close()


@cache
def _output_lock(folder: Path) -> FileLock:
    # one lock object per folder in a process: a FileLock object can be taken again by its holder, so the
    # runner (which decides what to run) and then the run's resource do not wait for each other
    return FileLock(folder / ".run.lock")


def hold_output_lock(folder: Path, timeout: float | None = None) -> FileLock:
    """Take the output folder's run lock, waiting up to `timeout` seconds (BAROMETER_LOCK_TIMEOUT, default
    15 minutes); the caller releases it."""
    folder.mkdir(parents=True, exist_ok=True)
    timeout = timeout if timeout is not None else float(os.environ.get("BAROMETER_LOCK_TIMEOUT", 900))
    lock = _output_lock(folder)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise RuntimeError(f"another barometer run is still writing to {folder} (lock {lock.lock_file} held "
                           f"for more than {timeout:.0f} s); this run changed nothing, start it again later") \
            from None
    return lock


class RunLock(ConfigurableResource):
    """One run at a time per output folder, held for the whole run.

    DuckDB allows one writer, and two runs publishing at once would interleave their tables. The
    lock is an OS file lock, so a run that is killed releases it at once. A second run waits up to
    `timeout_seconds` (BAROMETER_LOCK_TIMEOUT, default 15 minutes) and then fails with a clear message.
    """

    output_dir: str | None = None
    timeout_seconds: float | None = None
    _lock: FileLock | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._lock = hold_output_lock(output_folder(self.output_dir), self.timeout_seconds)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self._lock.release()
