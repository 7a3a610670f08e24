"""Assets, one per stage: raw source tables, the register, staging, harmonisation, indicators, barometer, release."""

import polars as pl
from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MetadataValue, asset

from models import build
from models.warehouse import preview, row_count
from pipelines.resources import BarometerResource
from reports.downloads import write_downloads
from reports.html import write_pages
from reports.release import publish
from sources.catalog import Source, load_catalog
from sources.parsers import parse
from sources.snapshots import latest_snapshot

CATALOG = load_catalog()
REGISTER = CATALOG.source("municipality_register")


def table_metadata(con, table: str) -> dict:
    with pl.Config(tbl_formatting="MARKDOWN", tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True,
                   tbl_cols=-1, fmt_str_lengths=40):
        shown = str(preview(con, table))
    return {"table": table, "dagster/row_count": MetadataValue.int(row_count(con, table)),
            "preview": MetadataValue.md(shown)}


def raw_asset(source: Source) -> AssetsDefinition:
    """Parse the newest snapshot of a source into its raw table (validation follows as a blocking check)."""
    deps = [] if source is REGISTER else [AssetKey("municipalities")]

    @asset(name=source.raw_table, group_name="raw", deps=deps, kinds={"duckdb"},
           description=f"{source.title}. Publisher: {source.publisher}.")
    def _raw(context: AssetExecutionContext, barometer: BarometerResource) -> None:
        snapshot = latest_snapshot(barometer.snapshots, source.id)
        frame = parse(snapshot.path, source)
        with barometer.connect() as con:
            build.load_raw(con, source, frame, snapshot.origin)
            meta = table_metadata(con, source.raw_table)
        context.add_output_metadata({**meta, "snapshot": snapshot.version, "file": snapshot.origin["file"],
                                     "sha256": snapshot.origin["sha256"],
                                     "origin": MetadataValue.url(snapshot.origin["urls"][0])})

    return _raw


RAW_ASSETS = [raw_asset(s) for s in CATALOG.sources.values() if s.snapshot]
RAW_OBSERVATION_KEYS = [AssetKey(s.raw_table) for s in CATALOG.observation_sources()]


def model_asset(name: str, group: str, deps: list, step, description: str, table: str | None = None) -> AssetsDefinition:
    """An asset that runs one model step in the warehouse and reports the table it wrote."""

    @asset(name=name, group_name=group, deps=deps, kinds={"duckdb"}, description=description)
    def _model(context: AssetExecutionContext, barometer: BarometerResource) -> None:
        with barometer.connect() as con:
            step(con)
            context.add_output_metadata(table_metadata(con, table or name))

    return _model


municipalities = model_asset(
    "municipalities", "reference", [AssetKey(REGISTER.raw_table)], lambda con: build.municipalities(con, CATALOG),
    "The municipality register with, for every old code, the code it belongs to today.")
observations = model_asset(
    "observations", "staging", RAW_OBSERVATION_KEYS, lambda con: build.observations(con, CATALOG),
    "All validated observation sources in one long table, with periods read and source flags attached.")
harmonised_observations = model_asset(
    "harmonised_observations", "harmonised", [observations], build.harmonised,
    "Observations on today's municipalities: merged codes combined from their predecessors.")
indicator_values = model_asset(
    "indicator_values", "indicators", [harmonised_observations, AssetKey("raw_gsm_indicator_catalogue")],
    lambda con: build.indicators(con, CATALOG),
    "Indicator values per municipality and period, computed as the indicator metadata prescribes.")
barometer_table = model_asset(
    "barometer_table", "barometer", [indicator_values], build.barometer,
    "Municipality x indicator x period with the Limburg value, rank, change and flags.", table="barometer")


@asset(group_name="publication", deps=[barometer_table, AssetKey("raw_boundaries_2025")])
def release(context: AssetExecutionContext, barometer: BarometerResource) -> None:
    """Downloads and HTML reports, built in a new release folder and then made `output/current` at once."""
    boundaries = latest_snapshot(barometer.snapshots, "boundaries_2025").path
    with barometer.connect() as con:
        folder = publish(barometer.output, lambda target: (
            write_downloads(con, target), write_pages(con, target, boundaries, CATALOG.area.name)))
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    context.add_output_metadata({"release": folder.name, "path": MetadataValue.path(str(folder)),
                                 "files": MetadataValue.int(files)})


MODEL_ASSETS = [municipalities, observations, harmonised_observations, indicator_values, barometer_table, release]
