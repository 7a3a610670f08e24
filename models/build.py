"""The model steps, in pipeline order. Each takes an open DuckDB connection and writes tables."""
from __future__ import annotations

import json

import duckdb
import polars as pl

from models import metadata, specs
from models.warehouse import replace_table, run_sql
from sources.catalog import Catalog, Source


def municipalities(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    replace_table(con, "area_spec", specs.area_spec(catalog))
    run_sql(con, "macros")
    run_sql(con, "municipalities")


def load_raw(con: duckdb.DuckDBPyConnection, source: Source, frame: pl.DataFrame, origin: dict) -> None:
    """Replace the source's raw table and record which snapshot it came from."""
    replace_table(con, source.raw_table, frame)
    con.execute("create table if not exists source_snapshots (source_id varchar primary key, version varchar, "
                "file varchar, sha256 varchar, origin json)")
    con.execute("insert or replace into source_snapshots values (?, ?, ?, ?, ?)",
                [source.id, origin["date_obtained"], origin["file"], origin["sha256"], json.dumps(origin)])


def snapshot_origins(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    return {source_id: json.loads(origin)
            for source_id, origin in con.execute("select source_id, origin from source_snapshots").fetchall()}


def observations(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    replace_table(con, "source_spec", specs.source_spec(catalog))
    replace_table(con, "measure_spec", specs.measure_spec(catalog))
    union = "\nunion all by name\n".join(f"select '{s.id}' as source_id, * from {s.raw_table}"
                                         for s in catalog.observation_sources())
    con.execute(f"create or replace view raw_observations as {union}")
    run_sql(con, "observations")


def harmonised(con: duckdb.DuckDBPyConnection) -> None:
    run_sql(con, "harmonised")


def indicators(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    found = metadata.load_indicators(catalog)
    gsm = con.sql("select * from raw_gsm_indicator_catalogue").pl()
    replace_table(con, "indicator_spec", metadata.spec_frame(found))
    replace_table(con, "indicator_metadata", metadata.metadata_frame(found, catalog, gsm, snapshot_origins(con)))
    run_sql(con, "indicators")


def barometer(con: duckdb.DuckDBPyConnection) -> None:
    run_sql(con, "barometer")
