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


@asset(group_name="reference", deps=[AssetKey(REGISTER.raw_table)], kinds={"duckdb"})
def municipalities(context: AssetExecutionContext, barometer: BarometerResource) -> None:
    """The municipality register with, for every old code, the code it belongs to today."""
    with barometer.connect() as con:
        build.municipalities(con, CATALOG)
        context.add_output_metadata(table_metadata(con, "municipalities"))


@asset(group_name="staging", deps=RAW_OBSERVATION_KEYS, kinds={"duckdb"})
def observations(context: AssetExecutionContext, barometer: BarometerResource) -> None:
    """All validated observation sources in one long table, with periods read and source flags attached."""
    with barometer.connect() as con:
        build.observations(con, CATALOG)
        context.add_output_metadata(table_metadata(con, "observations"))


@asset(group_name="harmonised", deps=[observations], kinds={"duckdb"})
def harmonised_observations(context: AssetExecutionContext, barometer: BarometerResource) -> None:
    """Observations on today's municipalities: merged codes combined from their predecessors."""
    with barometer.connect() as con:
        build.harmonised(con)
        context.add_output_metadata(table_metadata(con, "harmonised_observations"))


@asset(group_name="indicators", deps=[harmonised_observations, AssetKey("raw_gsm_indicator_catalogue")],
       kinds={"duckdb"})
def indicator_values(context: AssetExecutionContext, barometer: BarometerResource) -> None:
    """Indicator values per municipality and period, computed as the indicator metadata prescribes."""
    with barometer.connect() as con:
        build.indicators(con, CATALOG)
        context.add_output_metadata(table_metadata(con, "indicator_values"))


@asset(group_name="barometer", deps=[indicator_values], kinds={"duckdb"})
def barometer_table(context: AssetExecutionContext, barometer: BarometerResource) -> None:
    """Municipality x indicator x period with the Limburg value, rank, change and flags."""
    with barometer.connect() as con:
        build.barometer(con)
        context.add_output_metadata(table_metadata(con, "barometer"))


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
