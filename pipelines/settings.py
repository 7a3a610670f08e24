"""Where one barometer installation reads and writes, and for which area: read once, then passed on.

`Settings.from_env()` is the only place that reads the environment (BAROMETER_* variables), and only the
command line and the Dagster code location call it, when they start; tests and benchmarks build their own.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import yaml

from models.metadata import INDICATORS_DIR, Indicator, load_indicators
from models.synthesis import METHOD_FILE, Method, load_method
from reports.alerts import MailServer
from sources.catalog import CATALOG_PATH, Catalog, load_catalog
from sources.snapshots import EMBEDDED_SNAPSHOTS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# the example profile (Genk, not a council decision) that `make run` publishes while the office has none
EXAMPLE_PROFILES = PROJECT_ROOT / "examples" / "profiles"
TRUE = {"1", "true", "yes", "on"}


class ConfigurationError(ValueError):
    """The settings, the catalogue, an indicator file or the method cannot be used as they are."""


@dataclass(frozen=True)
class Settings:
    output: Path
    # where fetched and dropped files become snapshots; read together with the embedded ones
    snapshots: Path
    landing: Path
    embedded: Path = EMBEDDED_SNAPSHOTS
    # a REFNIS code or a name from the catalogue's `areas`; None is the catalogue's default area
    area: str | None = None
    # runs fetch from the publishers first
    downloads: bool = False
    # a dropped file is taken once unchanged for this long (a copy in progress is left alone) ...
    landing_stable_seconds: float = 30.0
    # ... and at most this many in one look of the sensor; the rest wait for the next
    landing_files_per_tick: int = 10
    # seconds between two looks of the landing-folder sensor (the failed-run sensors look at least every 30 s)
    landing_look_seconds: int = 60
    # seconds a run waits for another run on the same output folder
    lock_timeout: float = 900.0
    catalog_path: Path = CATALOG_PATH
    indicators_dir: Path = INDICATORS_DIR
    synthesis_file: Path = METHOD_FILE
    # the municipalities' profiles (profiles/<nis_code>.yaml or .xlsx): their indicator sets and targets
    profiles: Path | None = None
    # where failed runs and overdue sources are e-mailed; None: no e-mail
    mail: MailServer | None = None
    # the Dagster UI's address as the office reaches it, for the links in the e-mails
    ui_url: str | None = None
    # a catalogue and indicators given as objects (the scale benchmark's synthetic Belgium) instead of files
    given_catalog: Catalog | None = field(default=None, compare=False, repr=False)
    given_indicators: tuple[Indicator, ...] | None = field(default=None, compare=False, repr=False)
    given_method: Method | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, root: Path = PROJECT_ROOT) -> Settings:
        def path(name: str, default: str) -> Path:
            return Path(environ.get(name) or root / default).resolve()

        return cls(output=path("BAROMETER_OUTPUT", "output"), snapshots=path("BAROMETER_SNAPSHOTS", "snapshots"),
                   landing=path("BAROMETER_LANDING", "landing"), profiles=path("BAROMETER_PROFILES", "profiles"),
                   area=environ.get("BAROMETER_AREA") or None,
                   downloads=environ.get("BAROMETER_DOWNLOADS", "").lower() in TRUE,
                   lock_timeout=_seconds(environ, "BAROMETER_LOCK_TIMEOUT", 900), mail=_mail_server(environ),
                   landing_stable_seconds=_seconds(environ, "BAROMETER_LANDING_STABLE_SECONDS", 30),
                   landing_files_per_tick=_count(environ, "BAROMETER_LANDING_FILES_PER_TICK", 10),
                   landing_look_seconds=_count(environ, "BAROMETER_LANDING_LOOK_SECONDS", 60),
                   ui_url=environ.get("BAROMETER_UI_URL") or None)

    @classmethod
    def under(cls, folder: Path, **changes) -> Settings:
        """An installation whose output, snapshots, landing and profiles folders all lie in `folder` (tests,
        benchmarks)."""
        folder = Path(folder).resolve()
        changes.setdefault("profiles", folder / "profiles")
        return cls(output=folder / "output", snapshots=folder / "snapshots", landing=folder / "landing", **changes)

    def but(self, **changes) -> Settings:
        return replace(self, **changes)

    def checked(self) -> Settings:
        """These settings once the catalogue, the indicator files and the method have loaded; raises
        ConfigurationError naming the file and the field that is wrong."""
        try:
            self.catalog, self.indicators, self.method  # noqa: B018 - loaded to be checked
        except (ValueError, FileNotFoundError, yaml.YAMLError) as wrong:
            raise ConfigurationError(str(wrong)) from wrong
        return self

    @cached_property
    def catalog(self) -> Catalog:
        return self.given_catalog or load_catalog(self.catalog_path, self.area)

    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        return self.given_indicators or load_indicators(self.catalog, self.indicators_dir)

    @cached_property
    def method(self) -> Method:
        return self.given_method or load_method(self.synthesis_file)

    @property
    def failure_look_seconds(self) -> int:
        """A failed run is answered (its file rejected or tried again, the e-mail sent) within half a minute,
        or sooner where the landing folder is looked at more often."""
        return min(self.landing_look_seconds, 30)

    @property
    def snapshot_roots(self) -> list[Path]:
        """Local snapshots first, then the ones shipped with the project; the newest version wins."""
        return [self.snapshots, self.embedded]

    @property
    def warehouse(self) -> Path:
        return self.output / "warehouse.duckdb"

    @property
    def current(self) -> Path:
        return self.output / "current"

    @property
    def validation_report(self) -> Path:
        """The latest validation of every source, kept outside the releases: a blocked run publishes nothing."""
        return self.output / "validation" / "index.html"


def cannot_write(folder: Path) -> str | None:
    """Why no file can be made in `folder` (the system's words, such as "Read-only file system"); None when one
    can. Checked before a run or a look at the landing folder, so that nothing is begun that cannot be finished."""
    try:
        tempfile.NamedTemporaryFile(dir=folder, prefix=".write-probe-").close()
    except OSError as err:
        return err.strerror or type(err).__name__
    return None


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name) or str(default)
    try:
        return float(text)
    except ValueError:
        raise ConfigurationError(f"{name}={text!r} is not a number of seconds") from None


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name) or str(default)
    if not text.isdigit() or int(text) < 1:
        raise ConfigurationError(f"{name}={text!r} is not a whole number of at least 1")
    return int(text)


def _mail_server(environ: Mapping[str, str]) -> MailServer | None:
    """BAROMETER_SMTP_HOST, _PORT (25), _SENDER, _RECIPIENTS (comma-separated), optional _USER, _PASSWORD
    and _STARTTLS; no host means no e-mail, a host without sender or recipients is a configuration error."""
    host = environ.get("BAROMETER_SMTP_HOST")
    if not host:
        return None
    sender = environ.get("BAROMETER_SMTP_SENDER", "").strip()
    recipients = tuple(r.strip() for r in environ.get("BAROMETER_SMTP_RECIPIENTS", "").split(",") if r.strip())
    if not sender or not recipients:
        raise ConfigurationError("BAROMETER_SMTP_HOST is set but BAROMETER_SMTP_SENDER or BAROMETER_SMTP_RECIPIENTS "
                                 "is not: set both for e-mail alerts, or unset the host to turn them off")
    port = environ.get("BAROMETER_SMTP_PORT") or "25"
    if not port.isdigit():
        raise ConfigurationError(f"BAROMETER_SMTP_PORT={port!r} is not a port number")
    return MailServer(host=host, port=int(port), sender=sender, recipients=recipients,
                      user=environ.get("BAROMETER_SMTP_USER") or None,
                      password=environ.get("BAROMETER_SMTP_PASSWORD") or None,
                      starttls=environ.get("BAROMETER_SMTP_STARTTLS", "").lower() in TRUE)
