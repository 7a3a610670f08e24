"""The armoedesynthese on the pages: its panel and map layer on the overview, its block on a municipality
page, and its method on methode.html. Every number comes from the synthesis tables of the warehouse."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from reports import charts, formatting, queries, reading

KEY = "armoedesynthese"
TITLE = "Armoedesynthese"
UNIT = "standaardscore"
DECIMALS = 2
# A higher score means more signs of poverty, so a high rank reads as unfavourable.
POLARITY = "hoger is ongunstiger"


@dataclass(frozen=True)
class Synthesis:
    """The synthesis tables of the warehouse."""
    scores: pl.DataFrame
    components: pl.DataFrame
    parts: list[dict]
    weights: pl.DataFrame
    parameters: dict

    @property
    def taking_part(self) -> list[dict]:
        return [part for part in self.parts if part["takes_part"]]

    def summary(self, n_municipalities: int) -> dict:
        """Texts shared by the overview, the municipality pages and the method page."""
        first = self.scores.row(0, named=True)
        return {
            "id": KEY, "title": TITLE, "unit": UNIT,
            "coverage": formatting.coverage(self.scores["value"].count(), n_municipalities),
            "has_data": self.scores["value"].count() > 0,
            "n_participating": first["n_participating"], "n_required": first["n_required"],
            "indicators": [{"id": p["indicator_id"], "title": p["title"], "period": formatting.period(p["period"])}
                           for p in self.taking_part],
        }


def load(con: duckdb.DuckDBPyConnection) -> Synthesis:
    return Synthesis(scores=queries.synthesis(con), components=queries.synthesis_components(con),
                     parts=queries.synthesis_indicators(con), weights=queries.synthesis_weights(con),
                     parameters=queries.synthesis_parameters(con))


def overview_panel(scores: pl.DataFrame, about: dict) -> dict:
    """The composite's panel (for a synthesis with scores): the spread of the scores, the ranks with their
    ranges under the other weightings, and the table of both."""
    rows = scores.filter(pl.col("value").is_not_null()).to_dicts()
    names = [row["municipality"] for row in rows]
    labels = [_score(row["value"]) for row in rows]
    return about | {
        "table": [{"rank": row["rank"], "name": row["municipality"], "nis_code": row["nis_code"],
                   "value": _score(row["value"]), "range": rank_range(row), "values": _values(row)}
                  for row in scores.to_dicts()],
        "chart": charts.snippet(charts.rank_ranges(
            names, [r["rank"] for r in rows], [r["rank_min"] for r in rows], [r["rank_max"] for r in rows],
            [f"score {label}, {rank_range(row)}" for label, row in zip(labels, rows)],
            "Rang en rangen bij andere wegingen"), f"rangschikking-{KEY}",
            "Rang van elke gemeente op de armoedesynthese, met de rangen bij andere wegingen", later=True),
        "distribution": charts.snippet(charts.distribution(
            names, [r["value"] for r in rows], labels, None, "", "Spreiding van de scores"), f"spreiding-{KEY}",
            "Spreiding van de scores op de armoedesynthese", later=True),
    }


def map_layer(scores: pl.DataFrame, municipalities: list[dict]) -> charts.MapLayer:
    rows = {row["nis_code"]: row for row in scores.to_dicts()}
    values = {code: row["value"] for code, row in rows.items() if row["value"] is not None}
    texts = {code: f"score {_score(values[code])}, {formatting.rank(rows[code]['rank'], rows[code]['rank_count'])}"
             if code in values else "geen score" for code in (m["nis_code"] for m in municipalities)}
    return charts.MapLayer(key=KEY, label=TITLE, unit=UNIT, period="laatste periode van elke indicator",
                           values=values, texts=texts, higher_is_darker=True)


def municipality_block(row: dict) -> dict:
    """The composite for one municipality: its score, rank and rank range, read in a sentence."""
    scored = row["value"] is not None
    return {"value": _score(row["value"]), "rank": formatting.rank(row["rank"], row["rank_count"]),
            "range": rank_range(row), "missing": not scored,
            "reading": reading.by_rank(row["rank"], row["rank_count"], POLARITY) if scored
            else f"Een cijfer voor {row['n_values']} van de {row['n_participating']} indicatoren; voor een score "
                 f"zijn er minstens {row['n_required']} nodig."}


def method(synthesis: Synthesis) -> dict:
    """The method as it was applied: parameters, who takes part and why not, and the weightings."""
    taking_part, parameters = synthesis.taking_part, synthesis.parameters
    titles = {p["indicator_id"]: p["title"] for p in synthesis.parts}
    scenarios = []
    groups = synthesis.weights.group_by("scenario")
    # the standard weighting first, then the alternatives
    for (scenario,), rows in sorted(groups, key=lambda group: (group[0][0] != "standard", group[0][0])):
        weight = dict(zip(rows["indicator_id"], rows["weight"]))
        scenarios.append({"label": _scenario_label(scenario, rows["left_out"][0], titles),
                          "weights": [formatting.number(weight[p["indicator_id"]], 2)
                                      if p["indicator_id"] in weight else "–" for p in taking_part]})
    return {
        "min_indicator_coverage": formatting.number(parameters["min_indicator_coverage"] * 100, 0),
        "min_municipality_share": formatting.number(parameters["min_municipality_share"] * 100, 0),
        "taking_part": [p | {"mean": formatting.number(p["mean"], p["decimals"] + 1),
                             "sd": formatting.number(p["sd"], p["decimals"] + 1),
                             "weight": formatting.number(p["weight"], 2), "period_text": formatting.period(p["period"]),
                             "coverage": formatting.coverage(p["n_values"], p["n_municipalities"])}
                        for p in taking_part],
        "left_aside": [{"id": p["indicator_id"], "title": p["title"], "reason": _reason(p)}
                       for p in synthesis.parts if not p["takes_part"]],
        "scenarios": scenarios,
    }


def rank_range(row: dict) -> str:
    if row["rank_min"] is None:
        return ""
    if row["rank_min"] == row["rank_max"]:
        return f"bij elke weging rang {row['rank_min']}"
    return f"bij andere wegingen rang {row['rank_min']} tot {row['rank_max']}"


def _score(value: float | None) -> str:
    return formatting.number(value, DECIMALS) if value is not None else "geen score"


def _values(row: dict) -> str:
    return f"{row['n_values']} van {row['n_participating']}"


def _scenario_label(scenario: str, left_out: str | None, titles: dict[str, str]) -> str:
    if scenario == "standard":
        return "standaard"
    if scenario == "families":
        return "elk thema even zwaar"
    return f"zonder {titles[left_out]}"


def _reason(part: dict) -> str:
    if part["polarity"] == 0:
        return "neutrale indicator: hoger is niet gunstiger of ongunstiger"
    if part["n_values"] < part["min_values"]:
        return (f"te weinig gemeenten met een cijfer ({formatting.coverage(part['n_values'], part['n_municipalities'])}"
                f" in de laatste periode; minstens {part['min_values']} nodig)")
    return "geen spreiding tussen de gemeenten"
