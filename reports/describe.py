"""Texts that describe an indicator identically on the overview and on the municipality pages."""
from __future__ import annotations

from urllib.parse import urlsplit

from reports import formatting


def describe(indicator: dict) -> dict:
    """Display texts of one indicator row from `queries.indicators`."""
    return {
        "id": indicator["indicator_id"],
        "title": indicator["title"],
        "definition": indicator["definition"],
        "numerator": indicator["numerator"],
        "denominator": indicator["denominator"],
        "unit": indicator["unit"],
        "polarity": indicator["polarity"],
        "reference_period": indicator["reference_period"],
        "period": formatting.period(indicator["latest_period"]),
        "coverage": formatting.coverage(indicator["n_values"], indicator["n_municipalities"]),
        "has_data": indicator["n_values"] > 0,
        "area_value": describe_reference(indicator["area_value"], indicator["area_flags"], indicator),
        # the region the area lies in (Vlaanderen beside Limburg), where the barometer compares with one
        "region_name": indicator.get("region_name"),
        "region_value": describe_reference(indicator.get("region_value"), indicator.get("region_flags"), indicator),
        "source": indicator["source"],
        "publisher": indicator["publisher"],
        "licence": indicator["licence"],
        "links": _links(indicator["source_urls"]),
        "caveat": indicator["caveat"],
    }


def describe_reference(value: float | None, flags: list[str] | None, indicator: dict) -> str:
    """The value of a whole area as shown: with its flags, or why there is none ('geen cijfer (onvolledig)')."""
    if value is None:
        words = formatting.flags(flags)
        return f"geen cijfer ({words})" if words else "geen cijfer"
    return formatting.annotated(value, indicator["decimals"], indicator["unit"], flags)


def by_family(indicators: list[dict], items: list[dict]) -> list[dict]:
    """Group page items (parallel to `indicators`) by family, families in order of first position."""
    families: dict[str, dict] = {}
    for indicator, item in zip(indicators, items, strict=True):
        family = families.setdefault(indicator["family"], {"id": indicator["family"],
                                                           "label": indicator["family_label"], "items": []})
        family["items"].append(item)
    return list(families.values())


def _links(source_urls: str | None) -> list[dict]:
    # Only web links: the field also holds remarks, and a 'javascript:' URL must never become a link.
    return [{"url": token, "host": urlsplit(token).netloc} for token in (source_urls or "").split()
            if token.startswith(("https://", "http://"))]
