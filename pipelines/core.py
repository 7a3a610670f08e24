"""The pipeline as plain Python: load each source → validate → models → publish.

Dagster's assets (pipelines/definitions.py), the `barometer` command, the floor and scale benchmarks and
the tests all run these steps; nothing here knows Dagster. Every step writes to one DuckDB warehouse and
records a fingerprint of what it was made from (its code, the catalogue entries it reads, the files or
upstream fingerprints it depends on) in `step_versions`, so a second run can tell what a new file or new
code made stale, without asking Dagster's event log.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import duckdb
import polars as pl
from filelock import FileLock, Timeout

from models import build
from models.boundaries import load_topology
from models.graph import Model, dependencies, downstream
from models.output_checks import OutputCheckResult, check_model
from models.quarantine import record
from models.seeds import PROFILE_TABLES, ModelInputs
from models.validation import RuleResult, describe_failures, rules_for, validate
from models.warehouse import connection_config, row_count, run_sql
from pipelines.settings import PROJECT_ROOT, ConfigurationError, Settings, cannot_write
from reports.downloads import write_downloads
from reports.html import area_boundaries, write_pages
from reports.release import publish
from reports.validation import write_validation_report
from sources import register
from sources.catalog import Source
from sources.download import catalogue_hosts, fetch
from sources.parsers import empty_observations, parse_file
from sources.profiles import profile_digest
from sources.snapshots import find_latest, latest_snapshot

RELEASE = "release"
# the shapes the maps are drawn from (the 2025 boundaries are derived from them and the merger list)
BOUNDARIES = "boundaries_2019"
# what a raw table is made with: the readers and parsers, the loader and the rules of its validation
RAW_CODE = ("sources/*.py", "sources/*.yaml", "models/build.py", "models/validation.py")
MODEL_CODE = ("models/build.py", "models/seeds.py", "models/specs.py", "models/metadata.py",
              "models/output_checks.py", "models/sql/macros.sql", "models/sql/vocabularies.yml")
RELEASE_CODE = ("reports/**/*",)
VERSIONS = "create table if not exists step_versions (name varchar primary key, fingerprint varchar)"


class ValidationFailed(Exception):
    """Blocking rules failed: the message names the file, rule and rows; nothing downstream may run."""


@dataclass
class Loaded:
    """A source's rows as read, with the origin record of each snapshot they came from."""
    frame: pl.DataFrame
    origins: dict[str, dict]
    file: str
    notes: dict = field(default_factory=dict)


@dataclass
class Validation:
    results: dict[str, list[RuleResult]]  # per raw table
    files: dict[str, str]
    failures: dict[str, str]  # per raw table: what blocks it
    warnings: dict[str, str]
    quarantined: dict[str, int]


@cache
def _output_lock(folder: Path) -> FileLock:
    # one lock object per folder in a process: a FileLock object can be taken again by its holder, so the
    # runner (which decides what to run) and then the run's resource do not wait for each other
    return FileLock(folder / ".run.lock")


class RunBusy(RuntimeError):
    """Another run holds the output folder's lock for longer than this run waits."""


def hold_output_lock(folder: Path, timeout: float) -> FileLock:
    """Take the output folder's run lock, waiting up to `timeout` seconds; the caller releases it. Raises
    ConfigurationError when the folder cannot be written (a run could publish nothing there)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # cannot_write says why
    refused = cannot_write(folder)
    if refused:
        raise ConfigurationError(f"the output folder {folder} is not writable ({refused}); give the barometer's "
                                 "account write access to it (BAROMETER_OUTPUT); nothing was changed")
    lock = _output_lock(folder)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise RunBusy(f"another barometer run is still writing to {folder} (lock {lock.lock_file} held "
                           f"for more than {timeout:.0f} s); this run changed nothing, start it again later") \
            from None
    return lock


def say(message: str) -> None:
    """Progress lines go to the terminal (and the UI's captured logs), not into Dagster's event log."""
    print(message, file=sys.stderr, flush=True)


def code_version(patterns: Sequence[str], *settings: object) -> str:
    """A short hash of the project files matching `patterns` and of `settings` (as their repr)."""
    digest = hashlib.sha256()
    files = sorted({p for pattern in patterns for p in PROJECT_ROOT.glob(pattern)
                    if p.is_file() and "__pycache__" not in p.parts})
    if not files:
        raise FileNotFoundError(f"no file matches {list(patterns)} under {PROJECT_ROOT}")
    for path in files:
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    for setting in settings:
        digest.update(repr(setting).encode())
    return digest.hexdigest()[:16]


def _hash(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


class Pipeline:
    """One installation's pipeline (its Settings): the step graph and the steps."""

    def __init__(self, settings: Settings, reader: Callable[[Pipeline, duckdb.DuckDBPyConnection, Source],
                                                             Loaded | None] | None = None):
        self.settings = settings
        self.catalog = settings.catalog
        self.inputs = ModelInputs(settings.catalog, settings.indicators, settings.method, settings.profiles)
        self.register = self.catalog.source("municipality_register")
        self.sources = [s for s in self.catalog.raw_sources() if s is not self.register]
        self.models = build.model_graph(self.catalog)
        # the register's tables that the raw loads and their validation need (municipalities, codes)
        self.reference = [m for m in self.models if m.layer == "reference"]
        self.reader = reader or read_snapshot
        # raw tables loaded for chosen years only: not a load of their snapshot, so never recorded as one
        self.partial: set[str] = set()

    # --- the graph -------------------------------------------------------------------------------------

    def source(self, raw_table: str) -> Source:
        return next(s for s in [self.register, *self.sources] if s.raw_table == raw_table)

    def model(self, name: str) -> Model:
        return next(m for m in self.models if m.name == name)

    @cached_property
    def release_deps(self) -> tuple[str, ...]:
        """What the publication reads: the models named in the code of reports/, and the shapes."""
        text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((PROJECT_ROOT / "reports").glob("*.py")))
        shapes = [BOUNDARIES] if BOUNDARIES in self.catalog.sources else []
        return (*sorted(dependencies(text, {m.name for m in self.models})),
                *(self.catalog.source(s).raw_table for s in shapes))

    def raw_deps(self, source: Source) -> tuple[str, ...]:
        return () if source is self.register else ("municipalities",)

    def step_names(self) -> list[str]:
        return [self.register.raw_table, *(m.name for m in self.reference), *(s.raw_table for s in self.sources),
                *(m.name for m in self.models if m.layer != "reference"), RELEASE]

    def downstream(self, names: set[str]) -> set[str]:
        found = downstream(self.models, names)
        raw = {s.raw_table for s in self.sources}
        if found & {m.name for m in self.reference}:
            found |= raw  # a raw load cuts its file to the area's municipalities
            found = downstream(self.models, found)
        return found | ({RELEASE} if found else set())

    # --- fingerprints ----------------------------------------------------------------------------------

    def fingerprints(self) -> dict[str, str]:
        """What every step would be made from now."""
        settings = (self.catalog.area, self.catalog.units)
        found: dict[str, str] = {}
        raw_code = code_version(RAW_CODE, *settings, self.inputs.indicators)
        for source in [self.register, *self.sources]:
            files = [(part.id, snapshot.origin["sha256"] if snapshot else None)
                     for part in self.catalog.snapshot_sources(source)
                     for snapshot in [find_latest(self.settings.snapshot_roots, part.id)]]
            found[source.raw_table] = _hash(raw_code, source, files)
        model_code = code_version(MODEL_CODE, *settings, self.inputs)
        # the tables read from the profiles are made from the files in the profiles folder
        profiles = profile_digest(self.settings.profiles)
        for model in self.models:
            found[model.name] = _hash(model_code, [p.read_bytes() for p in model.files],
                                      [found[d] for d in model.deps], profiles if model.name in PROFILE_TABLES else None)
        found[RELEASE] = _hash(code_version(RELEASE_CODE, self.catalog.area),
                               [found[d] for d in self.release_deps])
        return found

    def recorded(self) -> dict[str, str]:
        if not self.settings.warehouse.exists():
            return {}
        with self.connect() as con:
            con.execute(VERSIONS)
            return dict(con.execute("select name, fingerprint from step_versions").fetchall())

    def stale(self) -> set[str]:
        """The steps whose inputs or code changed since they last succeeded, or that never did, with
        everything downstream; every step when the published release is gone."""
        if not self.settings.current.exists():
            return set(self.step_names())
        now, then = self.fingerprints(), self.recorded()
        changed = {name for name in self.step_names() if now[name] != then.get(name)}
        return self.downstream(changed) if changed else set()

    def stale_now(self) -> set[str]:
        """`stale()` under the output folder's run lock, so not while another run is changing the warehouse.
        Raises RuntimeError when another run holds the lock longer than the settings' timeout."""
        with self.holding_the_run():
            return self.stale()

    @contextmanager
    def holding_the_run(self) -> Iterator[FileLock]:
        """What every run starts with: the output folder's run lock, and a warehouse that can be read whole
        (a damaged one set aside, to be rebuilt by this run)."""
        lock = hold_output_lock(self.settings.output, self.settings.lock_timeout)
        try:
            self.set_aside_a_damaged_warehouse()
            yield lock
        finally:
            lock.release()

    def set_aside_a_damaged_warehouse(self) -> None:
        """The warehouse is derived data: one that cannot be read whole (a disk fault, a truncated copy) is
        moved aside, so that the run rebuilds it from the snapshots and never publishes from it. Every table
        is read row by row (a hash of each row), since a damaged block shows only when it is read."""
        path = self.settings.warehouse
        if not path.exists():
            return
        try:
            con = duckdb.connect(str(path), read_only=True)
            try:
                tables = con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()
                for (table,) in tables:
                    con.execute(f'select min(hash(t)) from "{table}" t').fetchall()
            finally:
                con.close()
        except duckdb.Error as damage:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
            path.rename(aside)
            path.with_name(path.name + ".wal").unlink(missing_ok=True)
            say(f"the warehouse {path} cannot be read ({type(damage).__name__}: {str(damage).splitlines()[0]}); it "
                f"was moved to {aside.name} and is rebuilt from the snapshots in this run")

    def _forget(self, con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> None:
        """Before a step writes: a step that fails half-way must not look done to the next run."""
        con.execute(VERSIONS)
        con.execute("delete from step_versions where name in (select unnest(?))", [list(names)])

    def _remember(self, con: duckdb.DuckDBPyConnection, names: Sequence[str],
                  now: dict[str, str] | None = None) -> None:
        if not names:
            return
        now = now or self.fingerprints()
        con.execute(VERSIONS)
        con.executemany("insert or replace into step_versions values (?, ?)", [(n, now[n]) for n in names])

    # --- the steps -------------------------------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection for one step; closed before validation opens the file read-only."""
        self.settings.output.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.settings.warehouse), config=connection_config(self.settings.warehouse))
        try:
            yield con
        finally:
            con.close()

    def refresh(self, source: Source) -> None:
        """Ask the publisher for a newer file (a conditional request); a new file becomes the newest snapshot."""
        previous = find_latest(self.settings.snapshot_roots, source.id)
        say(f"fetching {source.id} from {source.url}")
        result = fetch(source, self.settings.snapshots, previous=previous.origin if previous else None,
                       allowed_hosts=catalogue_hosts(self.catalog))
        say(f"{source.id}: publisher file {result.status}")

    def load(self, sources: Sequence[Source], years: Sequence[int] | None = None) -> dict[str, dict]:
        """Load each source's newest snapshot into its raw table (only the rows of `years`, for a source whose
        rows all have a year, when years are given); returns what each load read, for the run's metadata."""
        if self.settings.downloads:
            for source in sources:
                for part in self.catalog.snapshot_sources(source):
                    if part.url:
                        self.refresh(part)
        done = {}
        with self.connect() as con:
            self._forget(con, [s.raw_table for s in sources])
            for source in sources:
                say(f"loading {source.raw_table}")
                loaded = self.reader(self, con, source)
                if loaded is None:
                    say(f"no file of {source.id} obtained yet: its indicators stay missing")
                    loaded = Loaded(empty_observations(), {}, "")
                frame = loaded.frame if source is self.register else \
                    build.within_area(con, loaded.frame, source, self.catalog.area)
                chosen = list(years) if years is not None and source.partitioned else None
                (self.partial.add if chosen is not None else self.partial.discard)(source.raw_table)
                written = build.load_raw(con, source, frame, loaded.origins.get(source.id), chosen)
                for part, origin in loaded.origins.items():
                    if part != source.id:
                        build.record_snapshot(con, self.catalog.source(part), origin)
                if source is self.register:
                    run_sql(con, "macros")
                build.record_notes(con, source, loaded.file, loaded.notes)
                done[source.raw_table] = {"rows": row_count(con, source.raw_table), "rows_written": written,
                                          "file": loaded.file, "notes": loaded.notes,
                                          "origins": loaded.origins, "years": chosen}
        return done

    def validate(self, sources: Sequence[Source]) -> Validation:
        """The catalogue's rules for every source in one Great Expectations run inside DuckDB; the outcome
        and the failing rows are recorded (quarantine, validation report). Raises nothing: see `failures`."""
        files = {s.raw_table: self.file_name(s) for s in sources}
        with self.connect() as con:
            empty = {s.raw_table for s in sources if s.has_observations and row_count(con, s.raw_table) == 0}
        rules = {s.raw_table: rules_for(s, self.catalog, self.inputs.indicators) for s in sources}
        for table in sorted(files):
            say(f"validating {files[table]}")
        # an empty table passes every rule (each names offending rows): no need to ask GX
        results = validate(self.settings.warehouse, {t: r for t, r in rules.items() if t not in empty})
        results |= {t: [RuleResult(rule, True) for rule in rules[t]] for t in empty}
        failures = {t: text for t, r in results.items() if (text := describe_failures(files[t], r))}
        warnings = {t: text for t, r in results.items() if (text := describe_failures(files[t], r, blocking=False))}
        with self.connect() as con:
            quarantined = {s.raw_table: record(con, s.id, files[s.raw_table], s.raw_table, results[s.raw_table])
                           for s in sources}
            if failures or warnings:
                # a blocked run publishes nothing, so the report outside the releases is where its reasons are read
                write_validation_report(con, self.settings.validation_report, self.catalog.area.name)
            passed = [t for t in files if t not in failures and t not in self.partial]
            self._remember(con, passed)
        for text in [*failures.values(), *warnings.values()]:
            say(text)
        return Validation(results, files, failures, warnings, quarantined)

    def file_name(self, source: Source) -> str:
        """The file a message names: the source's newest snapshot, or the files a built table comes from."""
        if source.parts:
            return " + ".join(self.file_name(self.catalog.source(part)) for part in source.parts)
        snapshot = find_latest(self.settings.snapshot_roots, source.id)
        return snapshot.origin["file"] if snapshot else f"{source.id} (no file yet)"

    def build(self, models: Sequence[Model]) -> dict[str, list[OutputCheckResult]]:
        """Build the models in graph order, each followed by the checks of its schema; a model whose checks
        fail is not recorded as done, and what reads it is not built."""
        checked: dict[str, list[OutputCheckResult]] = {}
        failed: set[str] = set()
        now = self.fingerprints()  # what the models are made from does not change while they are built
        with self.connect() as con:
            run_sql(con, "macros")
            self._forget(con, [m.name for m in models])
            for model in models:
                if failed & set(model.deps):
                    continue
                say(f"building {model.name}")
                build.build_model(con, model, self.inputs)
                checked[model.name] = check_model(con, model) if model.sql is not None else []
                if all(r.passed for r in checked[model.name]):
                    self._remember(con, [model.name], now)
                else:
                    failed.add(model.name)
        return checked

    def publish(self) -> Path:
        """Downloads and HTML reports, built in a new release folder and then made `output/current` at once."""
        topology = load_topology(latest_snapshot(self.settings.snapshot_roots, BOUNDARIES).path)
        area = self.catalog.area.name
        say(f"building a new release in {self.settings.output / 'releases'}")
        with self.connect() as con:
            self._forget(con, [RELEASE])
            boundaries = area_boundaries(con, topology)
            folder = publish(self.settings.output, lambda target: (
                write_downloads(con, target), write_pages(con, target, boundaries, area),
                write_validation_report(con, target / "validatie.html", area)))
            write_validation_report(con, self.settings.validation_report, area)
            self._remember(con, [RELEASE])
        return folder

    def run(self, names: set[str] | None = None, years: Sequence[int] | None = None,
            validation: bool = True) -> Path | None:
        """The whole pipeline (or the chosen steps) in this process, without Dagster: used by the floor and
        the benchmarks. Raises ValidationFailed when a blocking rule fails."""
        self.set_aside_a_damaged_warehouse()
        chosen = set(self.step_names()) if names is None else names
        for group in ([self.register], self.sources):
            picked = [s for s in group if s.raw_table in chosen]
            if picked:
                self.load(picked, years)
                if validation:
                    outcome = self.validate(picked)
                    if outcome.failures:
                        raise ValidationFailed("\n".join(outcome.failures.values()))
            if group == [self.register]:
                self.build([m for m in self.reference if m.name in chosen])
        checks = self.build([m for m in self.models if m.layer != "reference" and m.name in chosen])
        failed = [f"{name}: {r.describe()}" for name, rs in checks.items() for r in rs if not r.passed]
        if failed:
            raise ValidationFailed("checks on the models failed:\n" + "\n".join(failed))
        return self.publish() if RELEASE in chosen else None


def read_snapshot(pipeline: Pipeline, con: duckdb.DuckDBPyConnection, source: Source) -> Loaded | None:
    """The newest snapshot of a source, parsed; the register is built from the newest snapshots of its parts."""
    roots = pipeline.settings.snapshot_roots
    if source.parts:
        frame, origins = register.from_snapshots(pipeline.catalog, roots)
        return Loaded(frame, origins, pipeline.file_name(source))
    snapshot = find_latest(roots, source.id)
    if snapshot is None:
        if source.embedded:
            raise FileNotFoundError(f"the embedded snapshot of {source.id} is missing from {pipeline.settings.embedded}")
        return None
    parsed = parse_file(snapshot.path, source, build.register_frame(con))
    return Loaded(parsed.frame, {source.id: snapshot.origin}, snapshot.origin["file"], parsed.notes)
