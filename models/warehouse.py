"""Small helpers around a DuckDB connection: run a model's SQL file, replace a table from a frame."""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

SQL_DIR = Path(__file__).with_name("sql")
# DuckDB's default memory limit is 80 % of the machine's memory. A run must stay within 4 GB of resident memory
# with Python's frames beside DuckDB's, so DuckDB gets half of that and spills the rest to disk.
MEMORY_LIMIT = "2GB"


def connection_config(database: Path) -> dict[str, str]:
    """Settings of a warehouse connection: the memory limit, and where DuckDB spills beyond it."""
    return {"memory_limit": MEMORY_LIMIT, "temp_directory": str(database.with_name(f"{database.name}.tmp"))}


def run_sql(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("_incoming", frame)
    try:
        con.execute(f'create or replace table "{table}" as select * from _incoming')
    finally:
        con.unregister("_incoming")


def first_row(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> tuple | None:
    """The first row of a query, with the result drained: DuckDB 2 refuses other work on a connection
    while a result from execute() is only partly fetched."""
    rows = con.execute(query, params or []).fetchall()
    return rows[0] if rows else None


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return first_row(con, f'select count(*) from "{table}"')[0]


def preview(con: duckdb.DuckDBPyConnection, table: str, limit: int = 5) -> pl.DataFrame:
    return con.sql(f'select * from "{table}" limit {int(limit)}').pl()
