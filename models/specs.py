"""The catalogue and the area configuration as small DuckDB tables that the SQL models join on."""
from __future__ import annotations

import datetime as dt

import polars as pl

from sources.catalog import Catalog

# The catalogue units that count people or households (an amount in euro is additive but counts no one): the
# small-numbers rule of the release and the noise of a target's change are about these.
COUNT_UNITS = ("persons", "count_annual_average", "pitches")


def area_spec(catalog: Catalog) -> pl.DataFrame:
    area = catalog.area
    return pl.DataFrame({"area_nis": [area.nis_code], "area_name": [area.name],
                         "current_date": [dt.date(int(area.current_set), 1, 1)],
                         "min_coverage": [area.min_coverage_for_area_value]})


def unit_names(catalog: Catalog) -> pl.DataFrame:
    """The names the reports give to REFNIS units (Vlaanderen rather than the register's Vlaams Gewest)."""
    return pl.DataFrame({"nis_code": list(catalog.area_names), "name": list(catalog.area_names.values())},
                        schema={"nis_code": pl.String, "name": pl.String})


def source_spec(catalog: Catalog) -> pl.DataFrame:
    return pl.DataFrame([{"source_id": s.id, "geography": s.geography, "complete": s.complete,
                          "backcast": s.backcast, "replaces": s.replaces, "title": s.title,
                          "publisher": s.publisher, "licence": s.licence, "url": s.url or s.page}
                         for s in catalog.observation_sources()],
                        schema_overrides={"replaces": pl.String, "licence": pl.String, "url": pl.String})


def measure_spec(catalog: Catalog) -> pl.DataFrame:
    return pl.DataFrame([{"measure": m, "source_id": s.id, "unit": u, "additive": catalog.units[u].additive,
                          "mergeable": catalog.units[u].mergeable,
                          "min_value": catalog.units[u].min, "max_value": catalog.units[u].max}
                         for s in catalog.sources.values() for m, u in s.measures.items()],
                        schema_overrides={"min_value": pl.Float64, "max_value": pl.Float64})
