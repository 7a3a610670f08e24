"""Template context of the overview page: the map and a ranking per indicator."""
from __future__ import annotations

import polars as pl

from reports import charts, formatting
from reports.describe import by_family, describe


def overview_context(indicators: list[dict], rows: pl.DataFrame, municipalities: list[dict],
                     geojson: dict, area_name: str) -> dict:
    latest = {indicator["indicator_id"]: _latest_rows(rows, indicator) for indicator in indicators}
    sections = [_section(indicator, latest[indicator["indicator_id"]], area_name) for indicator in indicators]
    return {"families": by_family(indicators, sections), "municipalities": municipalities,
            "map": _map(indicators, latest, municipalities, geojson)}


def _latest_rows(rows: pl.DataFrame, indicator: dict) -> list[dict]:
    """Every municipality's row of the indicator's latest period: ranked ones first, by rank."""
    return rows.filter(pl.col("indicator_id") == indicator["indicator_id"],
                       pl.col("period").eq_missing(indicator["latest_period"])
                       ).sort("rank", "municipality", nulls_last=True).to_dicts()


def _section(indicator: dict, latest: list[dict], area_name: str) -> dict:
    section = describe(indicator)
    decimals, unit = indicator["decimals"], indicator["unit"]
    # The table lists the municipalities without a value too, with the reason when the source gave one.
    section["table"] = [{"rank": row["rank"], "name": row["municipality"], "nis_code": row["nis_code"],
                         "value": formatting.quantity(row["value"], decimals, unit),
                         "flags": formatting.flags(row["flags"])} for row in latest]
    section["chart"] = None
    valued = [row for row in latest if row["value"] is not None]
    if valued:
        area_label = f"{area_name}: {formatting.quantity(indicator['area_value'], decimals, unit)}"
        figure = charts.ranking([row["municipality"] for row in valued], [row["value"] for row in valued],
                                [formatting.number(row["value"], decimals) for row in valued],
                                indicator["area_value"], area_label)
        section["chart"] = charts.snippet(figure, f"rangschikking-{indicator['indicator_id']}")
    return section


def _map(indicators: list[dict], latest: dict[str, list[dict]], municipalities: list[dict],
         geojson: dict) -> str | None:
    codes = {feature["properties"]["nis_code"] for feature in geojson["features"]}
    if codes != {m["nis_code"] for m in municipalities}:
        raise ValueError(f"boundaries and current municipalities differ: "
                         f"{sorted(codes ^ {m['nis_code'] for m in municipalities})}")
    mapped = [indicator for indicator in indicators
              if any(row["value"] is not None for row in latest[indicator["indicator_id"]])]
    if not mapped:
        return None
    layers = [_layer(indicator, latest[indicator["indicator_id"]], municipalities) for indicator in mapped]
    # Open on the best-covered indicator; among equals the first in display order.
    active = max(range(len(mapped)), key=lambda i: mapped[i]["n_values"])
    return charts.snippet(charts.municipality_map(geojson, layers, active), "kaart-figuur")


def _layer(indicator: dict, latest: list[dict], municipalities: list[dict]) -> charts.MapLayer:
    decimals, unit = indicator["decimals"], indicator["unit"]
    texts = {m["nis_code"]: formatting.MISSING for m in municipalities} | {
        row["nis_code"]: formatting.annotated(row["value"], decimals, unit, row["flags"]) for row in latest}
    values = {row["nis_code"]: row["value"] for row in latest if row["value"] is not None}
    return charts.MapLayer(label=indicator["title"], unit=unit, texts=texts, values=values,
                           period=formatting.period(indicator["latest_period"]),
                           higher_is_darker=indicator["polarity"] != "hoger is gunstiger")
