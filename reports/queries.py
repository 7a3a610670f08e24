"""Read the warehouse tables that the pages and downloads show, in display order."""
from __future__ import annotations

import duckdb
import polars as pl

# Periods without a year ('onbekend', 'laatst beschikbaar (...)') sort after dated ones.
PERIOD_ORDER = "year NULLS LAST, period NULLS LAST"


def indicators(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Indicator metadata with coverage and the area value of the latest period, by position."""
    return con.sql("""
        SELECT m.*, c.latest_period, c.latest_year, coalesce(c.n_values, 0) AS n_values,
               coalesce(c.n_municipalities,
                        (SELECT count(*) FROM municipalities WHERE is_current)) AS n_municipalities,
               coalesce(c.n_periods, 0) AS n_periods,
               a.value AS area_value, coalesce(a.flags, []) AS area_flags,
               g.unit_name AS region_name, g.value AS region_value, coalesce(g.flags, []) AS region_flags
        FROM indicator_metadata m
        LEFT JOIN indicator_coverage c USING (indicator_id)
        LEFT JOIN area_values a ON a.indicator_id = m.indicator_id AND a.period = c.latest_period
        LEFT JOIN reference_values g ON g.level = 'region' AND g.indicator_id = m.indicator_id
                                    AND g.period = c.latest_period
        ORDER BY m.position
    """).pl()


def barometer(con: duckdb.DuckDBPyConnection, indicator_ids: list[str] | None = None) -> pl.DataFrame:
    """Every barometer row with the indicator's title and unit; only of `indicator_ids` if given."""
    chosen = "true" if indicator_ids is None else "list_contains(?, b.indicator_id)"
    return con.sql(f"""
        SELECT b.*, m.title AS indicator, m.unit
        FROM barometer b JOIN indicator_metadata m USING (indicator_id)
        WHERE {chosen}
        ORDER BY b.nis_code, m.position, {PERIOD_ORDER}
    """, params=None if indicator_ids is None else [indicator_ids]).pl()


def area_values(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(f"SELECT * FROM area_values ORDER BY indicator_id, {PERIOD_ORDER}").pl()


def region_name(con: duckdb.DuckDBPyConnection) -> str | None:
    """The name of the region the area is compared with (Vlaanderen for a Flemish province), if any."""
    found = con.sql("SELECT unit_name FROM reference_units WHERE level = 'region'").fetchall()
    return found[0][0] if found else None


def municipalities(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The current municipalities, alphabetically."""
    return con.sql("""
        SELECT nis_code, name_nl, arrondissement FROM municipalities
        WHERE is_current ORDER BY name_nl
    """).pl().to_dicts()


def boundary_codes(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str], dict[str, str]]:
    """The area's municipality codes of 2019 with their code of today, and the name of each code of today:
    what models.boundaries needs to draw today's municipalities from the boundaries of 2019."""
    codes = con.sql("""
        SELECT nis_code, current_nis_code FROM municipalities
        WHERE valid_from <= DATE '2019-01-01' AND DATE '2019-01-01' <= valid_to""").fetchall()
    names = con.sql("SELECT nis_code, name_nl FROM municipalities WHERE is_current").fetchall()
    return dict(codes), dict(names)


def counts(con: duckdb.DuckDBPyConnection, count_units: tuple[str, ...]) -> pl.DataFrame:
    """Per indicator: whether its value and its numerator are counts (a measure in one of `count_units`)
    and whether its area value is the sum of the municipalities' values."""
    return con.sql("""
        WITH units AS (SELECT measure, any_value(unit) AS unit FROM measure_spec GROUP BY measure)
        SELECT s.indicator_id,
               coalesce(list_contains(?, v.unit), false) AS value_is_count,
               coalesce(list_contains(?, n.unit), false) AS numerator_is_count,
               s.aggregate = 'sum' AS total_is_sum
        FROM indicator_spec s
        LEFT JOIN units v ON v.measure = s.value_measure
        LEFT JOIN units n ON n.measure = s.numerator_measure
    """, params=[list(count_units), list(count_units)]).pl()


def term_changes(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("SELECT * FROM term_changes ORDER BY nis_code, indicator_id, term_start").pl()


def synthesis(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The composite per municipality, best-ranked first, municipalities without a score last."""
    return con.sql("SELECT * FROM synthesis ORDER BY rank NULLS LAST, municipality").pl()


def synthesis_indicators(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The candidate indicators of the composite with their title and unit, in display order."""
    return con.sql("""
        SELECT s.*, m.title, m.unit, m.decimals, m.polarity AS polarity_text, m.family_label
        FROM synthesis_indicators s JOIN indicator_metadata m USING (indicator_id)
        ORDER BY s.position
    """).pl().to_dicts()


def synthesis_components(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("""
        SELECT c.*, m.title AS indicator
        FROM synthesis_components c JOIN indicator_metadata m USING (indicator_id)
        ORDER BY c.nis_code, m.position
    """).pl()


def synthesis_weights(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("SELECT * FROM synthesis_weights").pl()


def synthesis_parameters(con: duckdb.DuckDBPyConnection) -> dict:
    return con.sql("SELECT * FROM synthesis_parameters").pl().row(0, named=True)


def council_terms(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return con.sql("SELECT * FROM council_terms ORDER BY term_start").pl().to_dicts()


def area_name(con: duckdb.DuckDBPyConnection) -> str:
    return con.sql("SELECT area_name FROM area_spec").fetchall()[0][0]


def area_coverage_rule(con: duckdb.DuckDBPyConnection) -> float:
    """The share of municipalities with a value an area value needs."""
    return con.sql("SELECT min_coverage FROM area_spec").fetchall()[0][0]
