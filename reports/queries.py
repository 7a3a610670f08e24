"""Read the warehouse tables that the pages and downloads show, in display order."""
from __future__ import annotations

import duckdb
import polars as pl

# Periods without a year ('onbekend', 'laatst beschikbaar (...)') sort after dated ones.
_PERIOD_ORDER = "year NULLS LAST, period NULLS LAST"


def indicators(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Indicator metadata with coverage and the area value of the latest period, by position."""
    return con.sql("""
        SELECT m.*, c.latest_period, c.latest_year, coalesce(c.n_values, 0) AS n_values,
               coalesce(c.n_municipalities,
                        (SELECT count(*) FROM municipalities WHERE is_current)) AS n_municipalities,
               coalesce(c.n_periods, 0) AS n_periods,
               a.value AS area_value, coalesce(a.flags, []) AS area_flags
        FROM indicator_metadata m
        LEFT JOIN indicator_coverage c USING (indicator_id)
        LEFT JOIN area_values a ON a.indicator_id = m.indicator_id AND a.period = c.latest_period
        ORDER BY m.position
    """).pl()


def barometer(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every barometer row with the indicator's title, unit and source."""
    return con.sql(f"""
        SELECT b.*, m.title AS indicator, m.unit, m.source
        FROM barometer b JOIN indicator_metadata m USING (indicator_id)
        ORDER BY b.nis_code, m.position, {_PERIOD_ORDER}
    """).pl()


def area_values(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(f"SELECT * FROM area_values ORDER BY indicator_id, {_PERIOD_ORDER}").pl()


def municipalities(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The current municipalities, alphabetically."""
    return con.sql("""
        SELECT nis_code, name_nl, arrondissement FROM municipalities
        WHERE is_current ORDER BY name_nl
    """).pl().to_dicts()
