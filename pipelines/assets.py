"""Assets, one per stage: raw source tables, the register, staging, harmonisation, indicators, barometer, release."""

import warnings
from datetime import timedelta

import polars as pl
from dagster import (AssetExecutionContext, AssetKey, AssetsDefinition, DataVersion, FreshnessPolicy,
                     MetadataValue, SourceAsset, asset, observable_source_asset)
from dagster._utils.warnings import BetaWarning

from models import build
from models.boundaries import load_topology
from models.warehouse import preview, row_count
from pipelines.partitions import YEARS, all_years
# every asset takes `run_lock`: the resource holds the output folder's lock from the start to the end of a run
from pipelines.resources import BarometerResource, RunLock
from pipelines.versions import code_version, observe_snapshot, snapshot_key, snapshot_version
from reports.downloads import write_downloads
from reports.html import area_boundaries, write_pages
from reports.release import publish
from reports.validation import write_validation_report
from sources.catalog import Source, load_catalog
from sources.download import catalogue_hosts, fetch
from sources.parsers import ParsedFile, empty_observations, parse_file
from sources.snapshots import EMBEDDED_SNAPSHOTS, find_latest, latest_snapshot

CATALOG = load_catalog()
REGISTER = CATALOG.source("municipality_register")
BOUNDARIES = CATALOG.source("boundaries_2019")


def markdown(frame: pl.DataFrame) -> str:
    with pl.Config(tbl_formatting="MARKDOWN", tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True,
                   tbl_cols=-1, fmt_str_lengths=40, tbl_rows=20):
        return str(frame)


def table_metadata(con, table: str) -> dict:
    return {"table": table, "dagster/row_count": MetadataValue.int(row_count(con, table)),
            "preview": MetadataValue.md(markdown(preview(con, table)))}


# what a raw table is made with: the readers and parsers, the loader, and the rules of its blocking check
RAW_CODE = ["sources/*.py", "models/build.py", "models/validation.py"]
MODEL_CODE = ["models/build.py", "models/warehouse.py", "models/sql/macros.sql"]

# a source that has not been refreshed within its cadence (plus a margin) shows as overdue
FRESHNESS = {"monthly": timedelta(days=35), "yearly": timedelta(days=400)}


def raw_asset(source: Source) -> AssetsDefinition:
    """Parse the newest snapshot of a source into its raw table (validation follows as a blocking check).

    A source partitioned by year loads only the years of the run, so a backfill over some years or a
    re-run of one year replaces exactly those rows. A source without any snapshot yet yields an empty
    table, and its indicators show as missing.
    """
    deps = [snapshot_key(s.id) for s in CATALOG.snapshot_sources(source)] \
        + ([] if source is REGISTER else [AssetKey("municipalities")])
    freshness = FRESHNESS.get(source.cadence)

    @asset(name=source.raw_table, group_name="raw", deps=deps, kinds={"duckdb"},
           code_version=code_version(RAW_CODE, source, CATALOG.area, CATALOG.units),
           partitions_def=YEARS if source.partitioned else None,
           freshness_policy=FreshnessPolicy.time_window(fail_window=freshness) if freshness else None,
           description=f"{source.title}. Publisher: {source.publisher}.")
    def _raw(context: AssetExecutionContext, barometer: BarometerResource, run_lock: RunLock) -> None:
        if source is REGISTER:
            _load_register(context, barometer)
            return
        if barometer.downloads_enabled and source.url:
            _refresh(context, barometer, source)
        snapshot = find_latest(barometer.snapshot_roots, source.id)
        context.log.info(f"loading {source.raw_table} from snapshot {snapshot.version if snapshot else 'none'}")
        if snapshot is None and source.embedded:
            raise FileNotFoundError(f"the embedded snapshot of {source.id} is missing from {EMBEDDED_SNAPSHOTS}")
        years = [int(key) for key in context.partition_keys] if source.partitioned else None
        with barometer.connect() as con:
            parsed = parse_file(snapshot.path, source, build.register_frame(con)) if snapshot \
                else ParsedFile(empty_observations())
            frame = build.within_area(con, parsed.frame, source, CATALOG.area)
            written = build.load_raw(con, source, frame, snapshot.origin if snapshot else None, years, all_years())
            build.record_notes(con, source, snapshot.origin["file"] if snapshot else "", parsed.notes)
            meta = table_metadata(con, source.raw_table)
        if snapshot is None:
            context.log.warning(f"no file of {source.id} obtained yet: its indicators stay missing")
            context.add_output_metadata({**meta, "snapshot": "none"})
            return
        notes = {key: MetadataValue.json(value) for key, value in parsed.notes.items() if value}
        if parsed.notes.get("ignored_measures"):
            context.log.warning(f"{snapshot.origin['file']}: measures the catalogue does not know, not read: "
                                f"{parsed.notes['ignored_measures']}")
        context.add_output_metadata({**meta, **notes, "rows_written": MetadataValue.int(written),
                                     "snapshot": snapshot.version, "file": snapshot.origin["file"],
                                     "sha256": snapshot.origin["sha256"],
                                     "origin": MetadataValue.url(snapshot.origin["urls"][0])})

    return _raw


def _load_register(context: AssetExecutionContext, barometer: BarometerResource) -> None:
    """The register of Belgium, built from the newest snapshots of REFNIS and the merger lists."""
    with barometer.connect() as con:
        written = build.load_register(con, CATALOG, barometer.snapshot_roots)
        meta = table_metadata(con, REGISTER.raw_table)
        parts = con.sql("select source_id, version, file from source_snapshots where source_id in "
                        "(select unnest(?))", params=[list(REGISTER.parts)]).fetchall()
    context.add_output_metadata({**meta, "rows_written": MetadataValue.int(written),
                                 "built_from": ", ".join(f"{s} {v} ({f})" for s, v, f in parts)})


def _refresh(context: AssetExecutionContext, barometer: BarometerResource, source: Source) -> None:
    """Ask the publisher for a newer file (a conditional request); a new file becomes the newest snapshot."""
    previous = find_latest(barometer.snapshot_roots, source.id)
    context.log.info(f"fetching {source.id} from {source.url}")
    result = fetch(source, barometer.snapshots, previous=previous.origin if previous else None,
                   allowed_hosts=catalogue_hosts(CATALOG))
    context.log.info(f"{source.id}: publisher file {result.status}")
    observe_snapshot(context.instance, source.id, find_latest(barometer.snapshot_roots, source.id))


RAW_SOURCES = CATALOG.raw_sources()
# the sources whose files are snapshots: a raw table's own, or the parts it is built from
SNAPSHOT_SOURCES = [part for s in RAW_SOURCES for part in CATALOG.snapshot_sources(s)]


def snapshot_asset(source: Source) -> SourceAsset:
    """The newest snapshot of a source, as an observable source asset: its data version is the file's
    sha256, so a new file makes the raw table stale. `barometer run` records it before it decides what
    to run; in the UI, "Observe sources" does the same."""

    def _snapshot(barometer: BarometerResource) -> DataVersion:
        return snapshot_version(find_latest(barometer.snapshot_roots, source.id))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)  # observable source assets are the documented way
        return observable_source_asset(key=snapshot_key(source.id), group_name="snapshots",
                                       description=f"The newest file of {source.id}.")(_snapshot)


SNAPSHOT_ASSETS = [snapshot_asset(s) for s in SNAPSHOT_SOURCES]
RAW_ASSETS = [raw_asset(s) for s in RAW_SOURCES]
RAW_OBSERVATION_KEYS = [AssetKey(s.raw_table) for s in CATALOG.observation_sources()]


def model_asset(name: str, group: str, deps: list, step, description: str, table: str | None = None,
                code: tuple[str, ...] = (), settings: tuple = ()) -> AssetsDefinition:
    """An asset that runs one model step in the warehouse and reports the table it wrote; `code` (the SQL
    file and what else the step reads) and `settings` make its code version."""

    @asset(name=name, group_name=group, deps=deps, kinds={"duckdb"}, description=description,
           code_version=code_version([*MODEL_CODE, *code], *settings))
    def _model(context: AssetExecutionContext, barometer: BarometerResource, run_lock: RunLock) -> None:
        context.log.info(f"building {table or name}")
        with barometer.connect() as con:
            step(con)
            context.add_output_metadata(table_metadata(con, table or name))

    return _model


municipalities = model_asset(
    "municipalities", "reference", [AssetKey(REGISTER.raw_table)], lambda con: build.municipalities(con, CATALOG),
    "The municipality register with, for every old code, the code it belongs to today.",
    code=("models/sql/municipalities.sql", "models/specs.py"), settings=(CATALOG.area,))
observations = model_asset(
    "observations", "staging", RAW_OBSERVATION_KEYS, lambda con: build.observations(con, CATALOG),
    "All validated observation sources in one long table, with periods read and source flags attached.",
    code=("models/sql/observations.sql", "models/specs.py"), settings=(CATALOG.units, CATALOG.sources))
harmonised_observations = model_asset(
    "harmonised_observations", "harmonised", [observations], build.harmonised,
    "Observations on today's municipalities: merged codes combined from their predecessors.",
    code=("models/sql/harmonised.sql",))
indicator_values = model_asset(
    "indicator_values", "indicators", [harmonised_observations, AssetKey("raw_gsm_indicator_catalogue")],
    lambda con: build.indicators(con, CATALOG),
    "Indicator values per municipality and period, computed as the indicator metadata prescribes.",
    code=("models/sql/indicators.sql", "models/metadata.py", "models/indicators/*.yaml"), settings=(CATALOG,))
barometer_table = model_asset(
    "barometer_table", "barometer", [indicator_values], build.barometer,
    "Municipality x indicator x period with the area's value, rank, change and flags.", table="barometer",
    code=("models/sql/barometer.sql",))
synthesis = model_asset(
    "synthesis", "barometer", [barometer_table], build.synthesis,
    "The armoedesynthese: a composite score per municipality with its rank range under alternative weightings.",
    code=("models/sql/synthesis.sql", "models/synthesis.py", "models/synthesis.yaml"))


@asset(group_name="publication", deps=[barometer_table, synthesis, AssetKey(BOUNDARIES.raw_table)],
       code_version=code_version(["reports/**/*"], CATALOG.area))
def release(context: AssetExecutionContext, barometer: BarometerResource, run_lock: RunLock) -> None:
    """Downloads and HTML reports, built in a new release folder and then made `output/current` at once."""
    topology = load_topology(latest_snapshot(barometer.snapshot_roots, BOUNDARIES.id).path)
    context.log.info(f"building a new release in {barometer.output / 'releases'}")
    with barometer.connect() as con:
        boundaries = area_boundaries(con, topology)
        folder = publish(barometer.output, lambda target: (
            write_downloads(con, target), write_pages(con, target, boundaries, CATALOG.area.name),
            write_validation_report(con, target / "validatie.html", CATALOG.area.name)))
        write_validation_report(con, barometer.validation_report, CATALOG.area.name)
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    context.add_output_metadata({"release": folder.name, "path": MetadataValue.path(str(folder)),
                                 "files": MetadataValue.int(files)})


MODEL_ASSETS = [municipalities, observations, harmonised_observations, indicator_values, barometer_table, synthesis,
                release]
