"""The councils' targets on the pages: per municipality the "Doelstellingen" section (a chart with the
baseline, the line to the goal and the observed values, the status in words and the measure), and the
province's page of every municipality's targets (doelstellingen.html)."""
from __future__ import annotations

import duckdb
import polars as pl

from reports import charts, disclosure, formatting

STATUS_WORDS = {
    "bereikt": "Bereikt: de laatste waarde haalt het doel.",
    "op koers": "Op koers: de laatste waarde ligt op of voorbij de rechte lijn van het basisjaar naar het doel.",
    "niet op koers": "Niet op koers: de laatste waarde ligt achter op de rechte lijn van het basisjaar naar het doel.",
    "binnen de ruis": "Binnen de ruis: de verandering sinds het basisjaar is kleiner dan de toevallige schommeling "
                      "bij deze aantallen, dus nog geen oordeel.",
    "onvoldoende gegevens": "Onvoldoende gegevens: er is nog geen cijfer na het basisjaar.",
}
# the order the province page lists them in: where support is needed first
STATUS_ORDER = ("niet op koers", "binnen de ruis", "onvoldoende gegevens", "op koers", "bereikt")
# the CSS class of each status (reports/static/barometer.css)
STATUS_CLASS = {"bereikt": "good", "op koers": "good", "niet op koers": "bad", "binnen de ruis": "neutral",
                "onvoldoende gegevens": "neutral"}
# a change per year is shown with one decimal more than the indicator's values
EXTRA_DECIMALS = 1


def progress(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> pl.DataFrame:
    """target_progress as it may be published: values that the small-numbers rule removed from the
    barometer `rows` are removed here too, with what they would give back."""
    found = con.sql("SELECT * FROM target_progress ORDER BY nis_code, indicator_id").pl()
    return disclosure.protect_targets(found, rows)


def stated(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The targets as the profiles state them."""
    return con.sql("SELECT * FROM targets ORDER BY nis_code, indicator_id").pl()


def profiles(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Per municipality with a profile: its indicators in its order, its file and whether it is an example."""
    found = con.sql("""
        SELECT nis_code, list(indicator_id ORDER BY position) AS indicators, any_value(profile_file) AS file,
               bool_or(example) AS example
        FROM (SELECT nis_code, indicator_id, position, profile_file, example FROM profile_indicators
              UNION ALL BY NAME SELECT nis_code, profile_file, example FROM targets)
        GROUP BY nis_code""").pl()
    return {row["nis_code"]: row | {"indicators": [i for i in row["indicators"] if i is not None]}
            for row in found.to_dicts()}


def target_items(targets: list[dict], indicators: dict[str, dict], series: dict[tuple[str, str], pl.DataFrame],
                 municipality: str) -> list[dict]:
    """The texts and the chart of each target of one municipality, in the order of its profile."""
    return [_item(t, indicators[t["indicator_id"]], series.get((t["nis_code"], t["indicator_id"])), municipality)
            for t in targets]


def _item(target: dict, indicator: dict, own: pl.DataFrame | None, municipality: str) -> dict:
    decimals, unit = indicator["decimals"], indicator["unit"]

    def value(v: float | None) -> str:
        return formatting.quantity(v, decimals, unit)

    def per_year(v: float | None) -> str:
        return "" if v is None else formatting.change(v, decimals + EXTRA_DECIMALS, unit) + " per jaar"

    status = target["status"]
    goal = (f"{value(target['target_value'])} in {target['deadline_year']}" if target["target_value"] is not None
            else f"minstens {formatting.number(target['minimum_change'], decimals)} {_difference_unit(unit)} "
                 f"{target['direction']} dan in {target['baseline_year']}, tegen {target['deadline_year']} "
                 f"(dus {value(target['goal'])})")
    noise = ("" if target["noise_margin"] is None else
             f"Een verandering kleiner dan {formatting.number(target['noise_margin'], decimals)} "
             f"{_difference_unit(unit)} valt binnen de toevallige schommeling van deze aantallen.")
    if target["noise_margin"] is None and status not in ("onvoldoende gegevens",):
        noise = "Zonder ruistoets: de bron geeft geen aantallen waarop de schommeling te schatten is."
    item = {
        "id": target["indicator_id"], "title": indicator["title"], "status": status,
        "status_class": STATUS_CLASS[status], "status_text": STATUS_WORDS[status],
        "goal": goal, "direction": target["direction"], "deadline": target["deadline_year"],
        "baseline": f"{value(target['baseline_value'])} ({formatting.period(target['baseline_period'])})",
        "latest": (f"{value(target['latest_value'])} ({formatting.period(target['latest_period'])})"
                   if target["latest_value"] is not None else "nog geen cijfer na het basisjaar"),
        "flag_words": formatting.flags(target["flags"]),
        "needed": per_year(target["needed_per_year"]), "observed": per_year(target["observed_per_year"]),
        "noise": noise, "measure": target["measure"], "against_polarity": target["against_polarity"],
        "polarity": indicator["polarity"], "chart": None,
    }
    if target["baseline_value"] is not None:
        observed = own.filter(pl.col("year") >= target["baseline_year"], pl.col("value").is_not_null()).sort("year") \
            if own is not None else None
        line = charts.Line(name=municipality, years=observed["year"].to_list() if observed is not None else [],
                           values=observed["value"].to_list() if observed is not None else [],
                           labels=[value(v) for v in observed["value"]] if observed is not None else [])
        figure = charts.target_path(line, (target["baseline_year"], target["baseline_value"]),
                                    (target["deadline_year"], target["goal"]), value(target["goal"]))
        item["chart"] = charts.snippet(figure, f"doelgrafiek-{target['indicator_id']}",
                                       f"{indicator['title']} in {municipality}: de waarden sinds het basisjaar "
                                       f"naast de lijn naar het doel")
    return item


def _difference_unit(unit: str) -> str:
    return "procentpunt" if unit == "%" else unit


def province_context(targets: pl.DataFrame, indicators: dict[str, dict], municipalities: list[dict]) -> dict:
    """Which municipalities set targets, on which indicators, and their status; where support is needed first."""
    names = {m["nis_code"]: m["name_nl"] for m in municipalities}
    rows = [{"nis_code": t["nis_code"], "municipality": names[t["nis_code"]],
             "indicator": indicators[t["indicator_id"]]["title"], "indicator_id": t["indicator_id"],
             "status": t["status"], "status_class": STATUS_CLASS[t["status"]],
             "baseline": formatting.quantity(t["baseline_value"], indicators[t["indicator_id"]]["decimals"],
                                             indicators[t["indicator_id"]]["unit"]),
             "latest": formatting.quantity(t["latest_value"], indicators[t["indicator_id"]]["decimals"],
                                           indicators[t["indicator_id"]]["unit"]),
             "goal": formatting.quantity(t["goal"], indicators[t["indicator_id"]]["decimals"],
                                         indicators[t["indicator_id"]]["unit"]),
             "deadline": t["deadline_year"], "example": t["example"], "measure": t["measure"] or ""}
            for t in targets.to_dicts()]
    rows.sort(key=lambda r: (STATUS_ORDER.index(r["status"]), r["municipality"], r["indicator"]))
    with_targets = sorted({r["nis_code"] for r in rows}, key=lambda code: names[code])
    by_indicator = {}
    for r in rows:
        by_indicator.setdefault(r["indicator"], {s: 0 for s in STATUS_ORDER})[r["status"]] += 1
    return {"target_rows": rows, "statuses": STATUS_ORDER,
            "with_targets": [{"nis_code": c, "name": names[c]} for c in with_targets],
            "coverage": formatting.coverage(len(with_targets), len(municipalities)),
            "by_indicator": [{"indicator": k, "counts": [v[s] for s in STATUS_ORDER]}
                             for k, v in sorted(by_indicator.items())],
            "any_example": any(r["example"] for r in rows)}
