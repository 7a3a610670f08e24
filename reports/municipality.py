"""Template context of a municipality page: each indicator's latest value against the area."""
from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from reports import charts, formatting
from reports.describe import by_family, describe


def municipality_contexts(indicators: list[dict], rows: pl.DataFrame, area: pl.DataFrame,
                          municipalities: list[dict], area_name: str) -> Iterator[tuple[dict, dict]]:
    """Yield (municipality, context) for every current municipality."""
    series = rows.partition_by("nis_code", "indicator_id", as_dict=True)
    area_series = area.partition_by("indicator_id", as_dict=True)
    empty = rows.clear()
    area_lines = {i["indicator_id"]: _line(area_name, area_series.get((i["indicator_id"],), area.clear()), i)
                  for i in indicators}
    for municipality in municipalities:
        items = [_item(i, series.get((municipality["nis_code"], i["indicator_id"]), empty), municipality,
                       area_lines[i["indicator_id"]])
                 for i in indicators]
        yield municipality, {"municipality": municipality, "items": items,
                             "families": by_family(indicators, items)}


def _item(indicator: dict, own: pl.DataFrame, municipality: dict, area_line: charts.Line) -> dict:
    item = describe(indicator)
    decimals, unit = indicator["decimals"], indicator["unit"]
    latest = own.filter(pl.col("period").eq_missing(indicator["latest_period"])).to_dicts()
    row = latest[0] if latest else None
    item["missing"] = row is None or row["value"] is None
    # A missing value keeps its flags, so 'ontbreekt (vertrouwelijk/afgeschermd)' tells why.
    item["value"] = (formatting.annotated(row["value"], decimals, unit, row["flags"]) if row
                     else formatting.MISSING)
    item["rank"] = f"rang {row['rank']} van {row['rank_count']}" if row and row["rank"] is not None else ""
    item["change"] = (f"{formatting.change(row['change'], decimals, unit)} t.o.v. "
                      f"{formatting.period(row['previous_period'])}"
                      if row and row["change"] is not None else "")
    line = _line(municipality["name_nl"], own, indicator)
    item["chart"] = None
    if sum(value is not None for value in line.values) >= 2:
        has_area = any(value is not None for value in area_line.values)
        figure = charts.trend([line, area_line] if has_area else [line])
        item["chart"] = charts.snippet(figure, f"verloop-{indicator['indicator_id']}")
    return item


def _line(name: str, table: pl.DataFrame, indicator: dict) -> charts.Line:
    """The dated periods of one series. Undated ones ('onbekend') have no place on a time axis;
    missing values stay in as None so the line breaks there instead of bridging the gap."""
    points = table.filter(pl.col("year").is_not_null()).sort("year")
    return charts.Line(name=name, years=points["year"].to_list(), values=points["value"].to_list(),
                       labels=[formatting.annotated(value, indicator["decimals"], indicator["unit"], codes)
                               for value, codes in points.select("value", "flags").iter_rows()])
