"""Where the pipeline reads and writes, resolved from the environment when a run starts."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource

from sources.snapshots import EMBEDDED_SNAPSHOTS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
        return Path(self.output_dir or os.environ.get("BAROMETER_OUTPUT") or PROJECT_ROOT / "output").resolve()

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
    def warehouse(self) -> Path:
        return self.output / "warehouse.duckdb"

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived read-write connection; DuckDBResource retries while another process holds the lock."""
        self.output.mkdir(parents=True, exist_ok=True)
        with DuckDBResource(database=str(self.warehouse)).get_connection() as con:
            yield con
