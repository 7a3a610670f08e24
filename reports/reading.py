"""One plain-Dutch sentence that reads a municipality's figure: above or below the area, and whether that
is favourable, from the indicator's polarity. It only compares numbers that are published beside it."""
from __future__ import annotations

from reports import formatting

# polarity -> the word for a higher value; neutral indicators get no judgement
HIGHER_IS = {"hoger is ongunstiger": "ongunstiger", "hoger is gunstiger": "gunstiger"}
OPPOSITE = {"ongunstiger": "gunstiger", "gunstiger": "ongunstiger"}
SUPERLATIVE = {"ongunstiger": "ongunstigste", "gunstiger": "gunstigste"}
# Ranks need this many values before a quarter of them says something.
MIN_RANKED = 8


def reading(row: dict | None, indicator: dict, area_name: str) -> str:
    """'Hoger dan het gemiddelde van <area> (6,4 %), dus ongunstiger dan gemiddeld.'

    `row` is the municipality's barometer row of the latest period, `indicator` its row from
    `queries.indicators`. Against the area value where that is an average of the same kind (not a total);
    otherwise by the quarter of the ranking the municipality is in. Empty when there is nothing to read.
    """
    if row is None or row["value"] is None:
        return ""
    decimals, unit, polarity = indicator["decimals"], indicator["unit"], indicator["polarity"]
    area = row["area_value"]
    if area is not None and indicator["aggregate"] != "sum":
        shown = formatting.quantity(area, decimals, unit)
        if formatting.number(row["value"], decimals) == formatting.number(area, decimals):
            return f"Gelijk aan het gemiddelde van {area_name} ({shown})."
        higher = row["value"] > area
        judged = _judgement(higher, polarity)
        return (f"{'Hoger' if higher else 'Lager'} dan het gemiddelde van {area_name} ({shown})"
                + (f", dus {judged} dan gemiddeld." if judged else "."))
    return by_rank(row["rank"], row["rank_count"], polarity)


def by_rank(position: int | None, count: int | None, polarity: str) -> str:
    """'Bij het kwart van de gemeenten met de hoogste waarde, dus bij de ongunstigste.'"""
    if position is None or count is None or count < MIN_RANKED:
        return ""
    if position > count / 4 and position <= count * 3 / 4:
        return "In de middengroep van de gemeenten."
    higher = position <= count / 4
    judged = _judgement(higher, polarity)
    return (f"Bij het kwart van de gemeenten met de {'hoogste' if higher else 'laagste'} waarde"
            + (f", dus bij de {SUPERLATIVE[judged]}." if judged else "."))


def _judgement(higher: bool, polarity: str) -> str | None:
    word = HIGHER_IS.get(polarity)
    return word if word is None or higher else OPPOSITE[word]
