"""Template context of the method page (methode.html), generated from the metadata: the armoedesynthese
as it was computed, the small-numbers rule, the council terms, the flags, and every indicator."""
from __future__ import annotations

import polars as pl

from reports import composite, disclosure, formatting
from reports.describe import by_family, describe

# How the area value of an indicator is formed, per `aggregate` of its metadata.
AREA_VALUE = {
    "ratio": "de som van de tellers gedeeld door de som van de noemers van de gemeenten met een cijfer "
             "(geen gemiddelde van percentages); geschat als niet elke gemeente een cijfer heeft",
    "sum": "de som van de gemeenten, alleen als elke gemeente een cijfer heeft",
    "population_weighted": "het gemiddelde van de gemeenten gewogen met hun bevolking; een schatting, omdat "
                           "de tellers en noemers ontbreken",
    "none": "geen: de bron levert geen tellers en noemers om het te vormen",
}


def method_context(indicators: list[dict], synthesis: composite.Synthesis, counts: pl.DataFrame,
                   terms: list[dict], area_rule: float, n_municipalities: int) -> dict:
    items = [describe(indicator) | {"area_rule": AREA_VALUE[indicator["aggregate"]]} for indicator in indicators]
    titles = {indicator["indicator_id"]: indicator["title"] for indicator in indicators}
    return {
        "synthesis": synthesis.summary(n_municipalities) | composite.method(synthesis),
        "threshold": disclosure.THRESHOLD,
        "count_values": _titles(titles, counts.filter("value_is_count")),
        "count_numerators": _titles(titles, counts.filter("numerator_is_count")),
        "terms": [{"label": formatting.term(t["term_start"].year, t["term_end"].year),
                   "start": formatting.period(t["term_start"].isoformat())} for t in terms],
        "area_rule": formatting.number(area_rule * 100, 0),
        "flags": [{"code": code, "label": formatting.FLAG_LABELS.get(code, formatting.MISSING), "meaning": meaning}
                  for code, meaning in formatting.FLAG_MEANINGS.items()],
        "families": by_family(indicators, items),
    }


def _titles(titles: dict[str, str], selected: pl.DataFrame) -> list[str]:
    """The titles of the selected indicators, in display order."""
    chosen = set(selected["indicator_id"])
    return [title for indicator_id, title in titles.items() if indicator_id in chosen]
