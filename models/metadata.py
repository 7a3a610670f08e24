"""Indicator metadata: one YAML file per indicator in models/indicators/.

Reports and downloads take every text they show from here. Fields that a publisher already
defines (definition, numerator, denominator of a Gemeente-Stadsmonitor indicator) are filled
from the Stadsmonitor catalogue, so they are quoted rather than retyped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

from sources.catalog import Catalog

INDICATORS_DIR = Path(__file__).with_name("indicators")
FAMILIES = {"inkomen": "Inkomen", "werk": "Werk", "onderwijs": "Onderwijs", "wonen": "Wonen",
            "kinderen": "Kinderen", "bevolking": "Bevolking (context)"}
# indicator scales that make a ratio a share of its denominator (percent, per 1,000): at most the scale
SHARE_SCALES = (100, 1000)
POLARITIES = {"hoger is ongunstiger": -1, "hoger is gunstiger": 1, "neutraal": 0}
# how the value of an area is formed when the publisher gives none (models/sql/barometer.sql, reference_values)
AGGREGATES = {"ratio", "sum", "none"}
REQUIRED = ("title", "family", "order", "unit", "decimals", "polarity", "compute", "aggregate")
FROM_GSM = ("definition", "numerator", "denominator")


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    family: str
    order: int
    unit: str
    decimals: int
    polarity: str
    compute: dict
    aggregate: str
    definition: str = ""
    numerator: str = ""
    denominator: str = ""
    caveat: str = ""
    gsm_code: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def measures(self) -> list[str]:
        return [m for m in (self.compute.get(k) for k in ("value", "numerator", "denominator")) if m]


def _check(ind: Indicator, path: Path, catalog: Catalog) -> None:
    problems = []
    if ind.family not in FAMILIES:
        problems.append(f"family {ind.family!r} not in {list(FAMILIES)}")
    if ind.polarity not in POLARITIES:
        problems.append(f"polarity {ind.polarity!r} not in {list(POLARITIES)}")
    if ind.aggregate not in AGGREGATES:
        problems.append(f"aggregate {ind.aggregate!r} not in {sorted(AGGREGATES)}")
    ratio = {"numerator", "denominator"} <= ind.compute.keys()
    if ratio == ("value" in ind.compute):
        problems.append("compute needs either `value` or `numerator` + `denominator`")
    if ind.aggregate == "ratio" and not ratio:
        problems.append("aggregate `ratio` needs a numerator and a denominator")
    known = catalog.measure_sources()
    problems += [f"measure {m!r} is declared by no source in sources/catalog.yaml" for m in ind.measures if m not in known]
    if not ind.gsm_code:
        problems += [f"{f} is required (no gsm_code to take it from)" for f in FROM_GSM if not getattr(ind, f)]
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))


def load_indicators(catalog: Catalog, folder: Path = INDICATORS_DIR) -> tuple[Indicator, ...]:
    found = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        missing = [k for k in REQUIRED if k not in data]
        if missing:
            raise ValueError(f"{path}: missing field(s) {missing}")
        known = {f for f in Indicator.__dataclass_fields__ if f not in ("id", "extra")}
        ind = Indicator(id=path.stem, **{k: v for k, v in data.items() if k in known},
                        extra={k: v for k, v in data.items() if k not in known})
        if ind.extra:
            raise ValueError(f"{path}: unknown field(s) {sorted(ind.extra)}")
        _check(ind, path, catalog)
        found.append(ind)
    order = list(FAMILIES)
    return tuple(sorted(found, key=lambda i: (order.index(i.family), i.order, i.id)))


def spec_frame(indicators: tuple[Indicator, ...], catalog: Catalog) -> pl.DataFrame:
    """What the indicator SQL needs: which measures make each indicator, how to aggregate it, and the range
    its values must lie in (the unit's range of a published value; 0 up to the scale for a share)."""
    return pl.DataFrame([{
        "indicator_id": i.id, "value_measure": i.compute.get("value"),
        "numerator_measure": i.compute.get("numerator"), "denominator_measure": i.compute.get("denominator"),
        "scale": float(i.compute.get("scale", 1)), "aggregate": i.aggregate,
        "polarity": POLARITIES[i.polarity], **_value_range(i, catalog),
    } for i in indicators], schema_overrides={"value_measure": pl.String, "numerator_measure": pl.String,
                                               "denominator_measure": pl.String, "min_value": pl.Float64,
                                               "max_value": pl.Float64})


def _value_range(indicator: Indicator, catalog: Catalog) -> dict[str, float | None]:
    if "value" in indicator.compute:
        unit = catalog.units[catalog.measure_unit(indicator.compute["value"])]
        return {"min_value": unit.min, "max_value": unit.max}
    scale = float(indicator.compute.get("scale", 1))
    return {"min_value": 0.0, "max_value": scale if scale in SHARE_SCALES else None}


def metadata_frame(indicators: tuple[Indicator, ...], catalog: Catalog, gsm: pl.DataFrame,
                   origins: dict[str, dict]) -> pl.DataFrame:
    """Full metadata per indicator, with source, publisher, licence, cadence and period from the catalogue."""
    gsm_by_code = {r["code"]: r for r in gsm.iter_rows(named=True) if r["code"]}
    measure_sources = catalog.measure_sources()
    rows = []
    for position, ind in enumerate(indicators):
        quoted = gsm_by_code.get(ind.gsm_code, {}) if ind.gsm_code else {}
        if ind.gsm_code and not quoted:
            raise ValueError(f"indicator {ind.id}: gsm_code {ind.gsm_code} is not in the Stadsmonitor catalogue")
        sources = [catalog.source(s) for s in dict.fromkeys(s for m in ind.measures for s in measure_sources[m])]
        held = [s for s in sources if s.id in origins]
        rows.append({
            "indicator_id": ind.id, "position": position, "title": ind.title, "family": ind.family,
            "family_label": FAMILIES[ind.family],
            "definition": ind.definition or quoted.get("definition", "").strip(),
            "numerator": ind.numerator or quoted.get("numerator", "").strip(),
            "denominator": ind.denominator or quoted.get("denominator", "").strip(),
            "unit": ind.unit, "decimals": ind.decimals, "polarity": ind.polarity, "aggregate": ind.aggregate,
            "caveat": (ind.caveat or "").strip(), "gsm_code": ind.gsm_code,
            # the sources the figures come from (all the indicator's sources while none holds data), each once
            "source": "; ".join(dict.fromkeys(s.title for s in held or sources)),
            "publisher": "; ".join(dict.fromkeys(s.publisher for s in sources)),
            "licence": "; ".join(dict.fromkeys(s.licence for s in sources if s.licence)) or "onbekend",
            "cadence": "; ".join(dict.fromkeys(s.cadence for s in sources)),
            "reference_period": "; ".join(origins[s.id]["reference_period"] for s in held) or "geen gegevens",
            "source_urls": " ".join(dict.fromkeys(u for s in held for u in origins[s.id]["urls"]))
                           or " ".join(s.url for s in sources if s.url),
            "data_available": bool(held),
        })
    return pl.DataFrame(rows)
