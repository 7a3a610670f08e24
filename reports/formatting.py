"""Dutch display texts: numbers with a decimal comma, dates, flags and coverage."""
from __future__ import annotations

import re
from collections.abc import Iterable

from reports.disclosure import THRESHOLD

MISSING = "ontbreekt"
FLAG_LABELS = {
    "estimated": "geschat",
    "provisional": "voorlopig",
    "confidential": "vertrouwelijk/afgeschermd",
    "period_uncertain": "periode onzeker",
    "unreliable": "onbetrouwbaar (klein aantal)",
    "not_applicable": "niet van toepassing",
    "forecast": "prognose",
    "incomplete": "onvolledig",
}
# What each flag means, for the method page and the data dictionary.
FLAG_MEANINGS = {
    "estimated": "berekend uit de delen van een fusiegemeente (gewogen met de bevolking), of voor een gebied uit de "
                 "gemeenten met een cijfer; niet zo gepubliceerd door de bron",
    "provisional": "de bron noemt het cijfer voorlopig",
    "confidential": "niet gepubliceerd: afgeschermd door de bron, of weggelaten volgens de regel voor kleine aantallen",
    "missing": "de bron levert geen cijfer (nooit als nul te lezen)",
    "period_uncertain": "de bron vermeldt het referentiejaar niet precies",
    "unreliable": f"de teller is kleiner dan {THRESHOLD}: een toevallige schommeling weegt dan zwaar; teller en "
                  "noemer zijn weggelaten",
    "not_applicable": "de bron meldt dat het cijfer niet van toepassing is",
    "forecast": "de bron noemt het cijfer een prognose",
    "incomplete": "een totaal voor een gebied is weggelaten omdat het cijfer van minstens één gemeente ontbreekt "
                  "of afgeschermd is (nooit een te laag totaal)",
}
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DUTCH_SEPARATORS = str.maketrans(",.", ".,")


def number(value: float | None, decimals: int) -> str:
    """877370 -> '877.370', 20.28 -> '20,3' (1 decimal); None -> 'ontbreekt'."""
    if value is None:
        return MISSING
    # `or 0.0` turns a rounded -0.0 into 0.0, so tiny negative changes do not show as '-0,0'.
    return f"{round(value, decimals) or 0.0:,.{decimals}f}".translate(_DUTCH_SEPARATORS)


def quantity(value: float | None, decimals: int, unit: str) -> str:
    return MISSING if value is None else f"{number(value, decimals)} {unit}".rstrip()


def annotated(value: float | None, decimals: int, unit: str, codes: Iterable[str] | None) -> str:
    """'12,7 % (geschat)': the value with its flags in words."""
    words = flags(codes)
    return quantity(value, decimals, unit) + (f" ({words})" if words else "")


def change(value: float, decimals: int, unit: str) -> str:
    """'+0,2 procentpunt': a difference between two periods, signed, in the unit of a difference."""
    text = number(value, decimals)
    sign = "+" if round(value, decimals) > 0 else ""
    return f"{sign}{text} {'procentpunt' if unit == '%' else unit}".rstrip()


def period(label: str | None) -> str:
    """'2025-01-01' -> '1 januari 2025'; other labels ('2023', 'onbekend') as they are."""
    if label is None:
        return "geen periode"
    match = _ISO_DATE.fullmatch(label)
    if not match:
        return label
    year, month, day = (int(part) for part in match.groups())
    return f"{day} {MONTHS[month - 1]} {year}"


def flags(codes: Iterable[str] | None) -> str:
    """Plain-Dutch flag list, leaving out 'missing' because the value itself reads 'ontbreekt'."""
    return ", ".join(FLAG_LABELS.get(code, code) for code in codes or () if code != "missing")


def coverage(n_values: int, n_municipalities: int) -> str:
    return f"{n_values} van {n_municipalities} gemeenten"


def rank(position: int | None, count: int | None) -> str:
    return "" if position is None else f"rang {position} van {count}"


def term(start_year: int, end_year: int) -> str:
    return f"bestuursperiode {start_year}–{end_year}"
