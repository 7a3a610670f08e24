"""Template context of the overview page: one panel per indicator with data (facts, distribution,
ranking, table, definition and source), the armoedesynthese first, and one map; a single selector
switches the panel and the map layer together."""
from __future__ import annotations

import polars as pl

from reports import charts, composite, formatting
from reports.describe import by_family, describe


def overview_context(indicators: list[dict], rows: pl.DataFrame, municipalities: list[dict],
                     geojson: dict | None, area_name: str, synthesis: composite.Synthesis) -> dict:
    latest = {indicator["indicator_id"]: _latest_rows(rows, indicator) for indicator in indicators}
    # after the small-numbers rule, not from the coverage: a panel needs a value it may show
    with_data = [indicator for indicator in indicators
                 if any(row["value"] is not None for row in latest[indicator["indicator_id"]])]
    panels = [_panel(indicator, latest[indicator["indicator_id"]], area_name) for indicator in with_data]
    about = synthesis.summary(len(municipalities))
    synthesis_panel = composite.overview_panel(synthesis.scores, about) if about["has_data"] else None
    layers = [_layer(indicator, latest[indicator["indicator_id"]], municipalities) for indicator in with_data]
    if synthesis_panel:
        layers.insert(0, composite.map_layer(synthesis.scores, municipalities))
    # Open on the composite; without it, on the best-covered indicator (among equals the first).
    selected = None
    if synthesis_panel:
        selected = composite.KEY
    elif with_data:
        selected = max(with_data, key=lambda i: i["n_values"])["indicator_id"]
    return {"synthesis": synthesis_panel, "families": by_family(with_data, panels), "selected": selected,
            "all_indicators": [describe(indicator) | {"shown": indicator in with_data} for indicator in indicators],
            "municipalities": municipalities, "map": _map(geojson, layers, selected, municipalities)}


def _latest_rows(rows: pl.DataFrame, indicator: dict) -> list[dict]:
    """Every municipality's row of the indicator's latest period: ranked ones first, by rank."""
    return rows.filter(pl.col("indicator_id") == indicator["indicator_id"],
                       pl.col("period").eq_missing(indicator["latest_period"])
                       ).sort("rank", "municipality", nulls_last=True).to_dicts()


def _panel(indicator: dict, latest: list[dict], area_name: str) -> dict:
    panel = describe(indicator)
    decimals, unit = indicator["decimals"], indicator["unit"]
    # The table lists the municipalities without a value too, with the reason when the source gave one.
    panel["table"] = [{"rank": row["rank"], "name": row["municipality"], "nis_code": row["nis_code"],
                       "value": formatting.quantity(row["value"], decimals, unit),
                       "flags": formatting.flags(row["flags"])} for row in latest]
    valued = [row for row in latest if row["value"] is not None]
    names = [row["municipality"] for row in valued]
    values = [row["value"] for row in valued]
    labels = [formatting.number(value, decimals) for value in values]
    area_label = f"{area_name}: {formatting.quantity(indicator['area_value'], decimals, unit)}"
    period = panel["period"]
    panel["chart"] = charts.snippet(
        charts.ranking(names, values, labels, indicator["area_value"], area_label, f"Rangschikking, {period}"),
        f"rangschikking-{indicator['indicator_id']}", f"Rangschikking van de gemeenten: {indicator['title']}, {period}",
        later=True)
    panel["distribution"] = charts.snippet(
        charts.distribution(names, values, labels, indicator["area_value"], area_label, f"Spreiding, {period}"),
        f"spreiding-{indicator['indicator_id']}", f"Spreiding over de gemeenten: {indicator['title']}, {period}",
        later=True)
    return panel


def _map(geojson: dict | None, layers: list[charts.MapLayer], selected: str | None,
         municipalities: list[dict]) -> str | None:
    if geojson is None:
        return None
    codes = {feature["properties"]["nis_code"] for feature in geojson["features"]}
    if codes != {m["nis_code"] for m in municipalities}:
        raise ValueError(f"boundaries and current municipalities differ: "
                         f"{sorted(codes ^ {m['nis_code'] for m in municipalities})}")
    if not layers:
        return None
    active = next(i for i, layer in enumerate(layers) if layer.key == selected)
    return charts.snippet(charts.municipality_map(geojson, layers, active), "kaart-figuur",
                          "Kaart van de gemeenten voor de gekozen indicator")


def _layer(indicator: dict, latest: list[dict], municipalities: list[dict]) -> charts.MapLayer:
    decimals, unit = indicator["decimals"], indicator["unit"]
    texts = {m["nis_code"]: formatting.MISSING for m in municipalities} | {
        row["nis_code"]: formatting.annotated(row["value"], decimals, unit, row["flags"]) for row in latest}
    values = {row["nis_code"]: row["value"] for row in latest if row["value"] is not None}
    return charts.MapLayer(key=indicator["indicator_id"], label=indicator["title"], unit=unit, texts=texts,
                           values=values, period=formatting.period(indicator["latest_period"]),
                           higher_is_darker=indicator["polarity"] != "hoger is gunstiger")
