"""Template context of a municipality page: key figures first (the armoedesynthese and the indicators it is
made of), then every indicator's latest value against the area, its rank, trend, change since the start
of each council term, and a sentence that reads it."""
from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from reports import charts, composite, formatting, reading, targets as council_targets
from reports.describe import by_family, describe, describe_reference


# An indicator in full (reading, facts, definition) takes some 2 to 3 KB of a page, and up to 9 KB with the
# chart and table of a 30-year series. A page shows every indicator in full only up to these limits, which keep
# it under 150 KB (without plotly.js); above them it lists every indicator's latest figures in its table only,
# at any number of indicators. The series are in the municipality's downloads and on the overview.
DETAIL_LIMIT = 30
SERIES_LIMIT = 20  # indicators with values in two periods or more, each with a chart


def municipality_contexts(indicators: list[dict], rows: pl.DataFrame, area: pl.DataFrame, terms: pl.DataFrame,
                          municipalities: list[dict], area_name: str, synthesis: composite.Synthesis,
                          targets: pl.DataFrame, chosen: dict[str, dict]) -> Iterator[tuple[dict, dict]]:
    """Yield (municipality, context) for every current municipality. A municipality with a profile (`chosen`)
    has its own indicators first, in its order, and its `targets` at the top."""
    series = rows.partition_by("nis_code", "indicator_id", as_dict=True)
    by_id = {i["indicator_id"]: i for i in indicators}
    own_targets = {code: frame.to_dicts() for (code,), frame in targets.partition_by("nis_code", as_dict=True).items()}
    term_rows = {key: frame.to_dicts() for key, frame in terms.partition_by("nis_code", "indicator_id",
                                                                             as_dict=True).items()}
    area_series = area.partition_by("indicator_id", as_dict=True)
    empty = rows.clear()
    area_lines = {i["indicator_id"]: _line(area_name, area_series.get((i["indicator_id"],), area.clear()), i)
                  for i in indicators}
    scores = {row["nis_code"]: row for row in synthesis.scores.to_dicts()}
    components = synthesis.components.partition_by("nis_code", as_dict=True)
    about = synthesis.summary(len(municipalities))
    key_ids = [part["indicator_id"] for part in synthesis.taking_part]
    with_series = sum(indicator["n_periods"] >= 2 for indicator in indicators)
    detailed = len(indicators) <= DETAIL_LIMIT and with_series <= SERIES_LIMIT
    for municipality in municipalities:
        code = municipality["nis_code"]
        own = components.get((code,), synthesis.components.clear())
        own_set = chosen[code]["indicators"] if code in chosen else []
        ordered = [by_id[i] for i in own_set] + [i for i in indicators if i["indicator_id"] not in own_set]
        items = [_item(i, series.get((code, i["indicator_id"]), empty), municipality, area_lines[i["indicator_id"]],
                       term_rows.get((code, i["indicator_id"]), []), area_name, detailed)
                 | {"chosen": i["indicator_id"] in own_set}
                 for i in ordered]
        order = {i: n for n, i in enumerate(own_set)}
        targets_here = sorted(own_targets.get(code, []), key=lambda t: order.get(t["indicator_id"], len(order)))
        standard_scores = dict(zip(own["indicator_id"], own["score"]))
        key_figures = [item | {"score": formatting.number(standard_scores[item["id"]], composite.DECIMALS)
                                        if item["id"] in standard_scores else ""}
                       for item in items if item["id"] in key_ids]
        yield municipality, {
            "municipality": municipality, "items": items, "detailed": detailed,
            "arrondissement_name": next((item["arrondissement_name"] for item in items if item["arrondissement_name"]),
                                        None),
            "families": by_family(indicators, items) if detailed else [],
            "own_set": [item for item in items if item["chosen"]],
            "targets": council_targets.target_items(targets_here, by_id, series, municipality["name_nl"]),
            "profile": chosen.get(code),
            "synthesis": about | composite.municipality_block(scores[code]) if about["has_data"] else None,
            "key_figures": sorted(key_figures, key=lambda item: key_ids.index(item["id"]))}


def _item(indicator: dict, own: pl.DataFrame, municipality: dict, area_line: charts.Line,
          terms: list[dict], area_name: str, detailed: bool) -> dict:
    """The texts of one indicator on the page; its terms, trend chart and table only when `detailed`."""
    item = describe(indicator)
    decimals, unit = indicator["decimals"], indicator["unit"]
    latest = own.filter(pl.col("period").eq_missing(indicator["latest_period"])).to_dicts()
    row = latest[0] if latest else None
    item["missing"] = row is None or row["value"] is None
    # A missing value keeps its flags, so 'ontbreekt (vertrouwelijk/afgeschermd)' tells why.
    item["value"] = (formatting.annotated(row["value"], decimals, unit, row["flags"]) if row
                     else formatting.MISSING)
    # the key figures show the number large and its flags beside the period
    item["quantity"] = formatting.quantity(row["value"], decimals, unit) if row else formatting.MISSING
    item["flag_words"] = formatting.flags(row["flags"]) if row else ""
    item["rank"] = formatting.rank(row["rank"], row["rank_count"]) if row else ""
    item["change"] = (f"{formatting.change(row['change'], decimals, unit)} t.o.v. "
                      f"{formatting.period(row['previous_period'])}"
                      if row and row["change"] is not None else "")
    item["reading"] = reading.reading(row, indicator, area_name)
    # the arrondissement (on today's boundaries) is the municipality's own comparison, so it comes from its row
    item["arrondissement_name"] = row["arrondissement"] if row else None
    item["arrondissement_value"] = describe_reference(row["arrondissement_value"], row["arrondissement_flags"],
                                                      indicator) if row else formatting.MISSING
    # without its own section on the page, an indicator links to its panel on the overview
    item["anchor"] = f"#{item['id']}" if detailed else f"../index.html#{item['id']}"
    item["chart"] = None
    item["trend_table"] = []
    if not detailed:
        return item
    item["terms"] = [_term(term, decimals, unit, area_name) for term in terms]
    line = _line(municipality["name_nl"], own, indicator)
    if sum(value is not None for value in line.values) >= 2:
        has_area = any(value is not None for value in area_line.values)
        figure = charts.trend([line, area_line] if has_area else [line])
        item["chart"] = charts.snippet(figure, f"verloop-{indicator['indicator_id']}",
                                       f"Verloop van {indicator['title']} in {municipality['name_nl']}")
        area_labels = dict(zip(area_line.years, area_line.labels))
        item["trend_table"] = [{"year": year, "value": label, "area": area_labels.get(year, formatting.MISSING)}
                               for year, label in zip(line.years, line.labels)]
    return item


def _term(term: dict, decimals: int, unit: str, area_name: str) -> dict:
    """'-1,2 procentpunt van 2019 tot 2025' since the start of a council term, with the area beside it."""
    start, latest = formatting.period(term["start_period"]), formatting.period(term["latest_period"])
    label = f"Sinds begin {formatting.term(term['term_start'].year, term['term_end'].year)}"
    if term["change"] is None:
        return {"label": label, "text": f"nog maar één meting ({start})", "area": ""}
    words = formatting.flags(term["flags"])
    area = (f"{area_name}: {formatting.change(term['area_change'], decimals, unit)}"
            if term["area_change"] is not None else "")
    return {"label": label, "area": area,
            "text": f"{formatting.change(term['change'], decimals, unit)} van {start} tot {latest}"
                    + (f" ({words})" if words else "")}


def _line(name: str, table: pl.DataFrame, indicator: dict) -> charts.Line:
    """The dated periods of one series. Undated ones ('onbekend') have no place on a time axis;
    missing values stay in as None so the line breaks there instead of bridging the gap."""
    points = table.filter(pl.col("year").is_not_null()).sort("year")
    return charts.Line(name=name, years=points["year"].to_list(), values=points["value"].to_list(),
                       labels=[formatting.annotated(value, indicator["decimals"], indicator["unit"], codes)
                               for value, codes in points.select("value", "flags").iter_rows()])
