"""The model steps, in pipeline order. Each takes an open DuckDB connection and writes tables."""
from __future__ import annotations

import json

import duckdb
import polars as pl

from models import quarantine
from models.graph import Model, load_models
from models.seeds import ModelInputs, seeds
from models.warehouse import first_row, replace_table
from sources.catalog import Area, Catalog, Source


def within_area(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, source: Source, area: Area) -> pl.DataFrame:
    """A file that covers more than the area (Flanders, Belgium) without the rows of units the barometer does
    not use: it keeps the municipalities of the area and of the region the area is compared with (whose value
    may have to be formed from them), and the publisher's own rows for the reference units (the area, its
    arrondissements, its region). An area file stays whole, and so does a row whose code the register does not
    know at all, so that a wrong code is caught by validation instead of being dropped. A file that covers
    another area has no rows for this one."""
    if not source.covers_area(area):
        return frame.clear()
    if source.scope == "area":
        return frame
    elsewhere = con.sql("""
        select nis_code from raw_municipality_register
        except (select nis_code from reference_units join units_above() using (unit_nis)
                union select nis_code from municipalities)""").pl()["nis_code"]
    return frame.filter(~pl.col("nis_code").is_in(elsewhere.implode()))


def load_raw(con: duckdb.DuckDBPyConnection, source: Source, frame: pl.DataFrame, origin: dict | None,
             years: list[int] | None = None) -> int:
    """Load a parsed snapshot into the source's raw table and record which snapshot it came from.

    With `years` (a source whose rows all have a reference year), only the rows of those years are
    replaced: re-running a year leaves exactly the rows of the snapshot for that year, and other years
    stay as they were. Returns the number of rows written.
    """
    if years is None:
        replace_table(con, source.raw_table, frame)
        written = frame.height
    else:
        written = _replace_years(con, source, frame, years)
    if origin is not None:
        record_snapshot(con, source, origin)
    return written


def _replace_years(con: duckdb.DuckDBPyConnection, source: Source, frame: pl.DataFrame, years: list[int]) -> int:
    con.register("_incoming", frame)
    try:
        con.execute(f'create table if not exists "{source.raw_table}" as select * from _incoming limit 0')
        con.execute(f'delete from "{source.raw_table}" where period_year(period) in (select unnest(?))', [years])
        return first_row(con, f'insert into "{source.raw_table}" by name select * from _incoming '
                              "where period_year(period) in (select unnest(?))", [years])[0]
    finally:
        con.unregister("_incoming")


def register_frame(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The register as loaded, for parsers that match the names in a file to codes."""
    return con.sql("select * from raw_municipality_register").pl()


def record_notes(con: duckdb.DuckDBPyConnection, source: Source, file: str, notes: dict) -> None:
    """What the file's parser noted (measures the catalogue does not know, rows left out), for the validation
    report: an analyst sees what was not read."""
    con.execute(quarantine.SCHEMA)
    con.execute("delete from source_notes where source_id = ?", [source.id])
    rows = [(source.id, file, "ignored_measure", label, 1) for label in notes.get("ignored_measures", [])]
    rows += [(source.id, file, "left_out_row", name, n) for name, n in notes.get("left_out_rows", {}).items()]
    if rows:
        con.executemany("insert into source_notes values (?, ?, ?, ?, ?)", rows)


def record_snapshot(con: duckdb.DuckDBPyConnection, source: Source, origin: dict) -> None:
    con.execute("create table if not exists source_snapshots (source_id varchar primary key, version varchar, "
                "file varchar, sha256 varchar, origin json)")
    con.execute("insert or replace into source_snapshots values (?, ?, ?, ?, ?)",
                [source.id, origin["date_obtained"], origin["file"], origin["sha256"], json.dumps(origin)])


def snapshot_origins(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    return {source_id: json.loads(origin)
            for source_id, origin in con.execute("select source_id, origin from source_snapshots").fetchall()}


def model_graph(catalog: Catalog) -> tuple[Model, ...]:
    """The models in the order they are built (models/graph.py)."""
    raw = frozenset(s.raw_table for s in catalog.raw_sources())
    return load_models(raw, tuple((name, seed.deps) for name, seed in sorted(seeds(catalog).items())))


def build_model(con: duckdb.DuckDBPyConnection, model: Model, inputs: ModelInputs) -> None:
    """(Re)create one model's table or view."""
    _drop_other_kind(con, model)
    if model.sql is not None:
        con.execute(model.create_statement())
        return
    made = seeds(inputs.catalog)[model.name].make(con, inputs)
    if isinstance(made, str):
        con.execute(f'create or replace {model.materialized} "{model.name}" as {made}')
    else:
        replace_table(con, model.name, made)


def _drop_other_kind(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """A model that became a view (or a table) since the last run replaces the object of the other kind."""
    other = "table" if model.materialized == "view" else "view"
    listing = "duckdb_tables()" if other == "table" else "duckdb_views()"
    name = "table_name" if other == "table" else "view_name"
    if first_row(con, f"select count(*) from {listing} where {name} = ? and schema_name = 'main'", [model.name])[0]:
        con.execute(f'drop {other} "{model.name}"')
