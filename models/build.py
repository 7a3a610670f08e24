"""The model steps, in pipeline order. Each takes an open DuckDB connection and writes tables."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

from models import metadata, quarantine, specs
from models import synthesis as composite
from models.warehouse import first_row, replace_table, run_sql
from sources import register
from sources.catalog import Area, Catalog, Source
from sources.errors import SourceFileError


def load_register(con: duckdb.DuckDBPyConnection, catalog: Catalog, roots: Sequence[Path]) -> int:
    """Build the register of Belgium from the newest snapshots of its parts into its raw table, record
    which snapshots they were, and (re)create the macros, which its validation already uses."""
    frame, origins = register.from_snapshots(catalog, roots)
    written = load_raw(con, catalog.source("municipality_register"), frame, None)
    for part, origin in origins.items():
        _record_snapshot(con, catalog.source(part), origin)
    run_sql(con, "macros")
    return written


def municipalities(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    replace_table(con, "area_spec", specs.area_spec(catalog))
    replace_table(con, "unit_names", specs.unit_names(catalog))
    run_sql(con, "macros")
    run_sql(con, "municipalities")


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
             years: list[int] | None = None, all_years: range | None = None) -> int:
    """Load a parsed snapshot into the source's raw table and record which snapshot it came from.

    With `years`, only the rows of those reference years are replaced (a partition run): re-running
    a year leaves exactly the rows of the snapshot for that year, other years stay as they were.
    A row whose year lies outside `all_years` (before the first partition, or in the future) would
    never be loaded by any partition, so it is an error rather than a silent loss.
    Returns the number of rows written.
    """
    if years is None:
        replace_table(con, source.raw_table, frame)
        written = frame.height
    else:
        _check_years(con, frame, all_years or range(min(years), max(years) + 1))
        written = _replace_years(con, source, frame, years)
    if origin is not None:
        _record_snapshot(con, source, origin)
    return written


def _check_years(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, allowed: range) -> None:
    con.register("_checking", frame)
    try:
        outside = first_row(
            con, "select _source_file, _source_row, period from _checking "
                 "where coalesce(period_year(period) not between ? and ?, true) order by _source_row limit 1",
            [allowed.start, allowed.stop - 1])
    finally:
        con.unregister("_checking")
    if outside:
        file, row, period = outside
        raise SourceFileError(file, "year-in-range", f"period {period!r} has no reference year between "
                              f"{allowed.start} and {allowed.stop - 1}", row=row, column="period")


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


def _record_snapshot(con: duckdb.DuckDBPyConnection, source: Source, origin: dict) -> None:
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


def synthesis(con: duckdb.DuckDBPyConnection) -> None:
    composite.build(con, composite.load_method())
