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

    Unset fields fall back to BAROMETER_OUTPUT, BAROMETER_SNAPSHOTS and BAROMETER_LANDING, then to the
    project folders, so the same definitions serve `make run`, the Dagster UI and the tests.
    """

    output_dir: str | None = None
    snapshots_dir: str | None = None
    landing_dir: str | None = None

    @property
    def output(self) -> Path:
        return Path(self.output_dir or os.environ.get("BAROMETER_OUTPUT") or PROJECT_ROOT / "output").resolve()

    @property
    def snapshots(self) -> Path:
        return Path(self.snapshots_dir or os.environ.get("BAROMETER_SNAPSHOTS") or EMBEDDED_SNAPSHOTS).resolve()

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
