"""The source catalogue (catalog.yaml) as typed objects."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CATALOG_PATH = Path(__file__).with_name("catalog.yaml")
OBSERVATION_PARSERS = {"reference_long", "reference_wide"}


@dataclass(frozen=True)
class Unit:
    id: str
    label: str
    additive: bool
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    cadence: str
    parser: str | None = None
    file: str | None = None
    geography: str | None = None
    complete: bool = False
    backcast: bool = False
    licence: str = ""
    snapshot: bool = True
    url: str | None = None
    measure: str | None = None
    measure_map: dict[str, str] = field(default_factory=dict)
    ignore_measures: tuple[str, ...] = ()
    measures: dict[str, str] = field(default_factory=dict)
    period_column: str | None = None
    status: dict = field(default_factory=dict)

    @property
    def has_observations(self) -> bool:
        return self.snapshot and self.parser in OBSERVATION_PARSERS

    @property
    def raw_table(self) -> str:
        return f"raw_{self.id}"


@dataclass(frozen=True)
class Area:
    name: str
    province_nis: str
    municipality_sets: dict[str, int]
    current_set: str
    min_coverage_for_area_value: float

    @property
    def current_size(self) -> int:
        return self.municipality_sets[self.current_set]


@dataclass(frozen=True)
class Catalog:
    area: Area
    units: dict[str, Unit]
    sources: dict[str, Source]

    def source(self, source_id: str) -> Source:
        return self.sources[source_id]

    def observation_sources(self) -> list[Source]:
        return [s for s in self.sources.values() if s.has_observations]

    def unit_of(self, measure: str) -> Unit:
        for s in self.sources.values():
            if measure in s.measures:
                return self.units[s.measures[measure]]
        raise KeyError(f"measure {measure!r} is declared by no source in the catalogue")

    def measure_source(self) -> dict[str, str]:
        return {m: s.id for s in self.sources.values() for m in s.measures}


def _check(catalog: Catalog) -> Catalog:
    seen: dict[str, str] = {}
    for s in catalog.sources.values():
        for measure, unit in s.measures.items():
            if unit not in catalog.units:
                raise ValueError(f"catalogue: source {s.id} measure {measure} has unknown unit {unit!r}")
            if measure in seen:
                raise ValueError(f"catalogue: measure {measure} declared by both {seen[measure]} and {s.id}")
            seen[measure] = s.id
        if s.has_observations and s.geography is None:
            raise ValueError(f"catalogue: source {s.id} must declare its geography")
    return catalog


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    units = {k: Unit(id=k, **v) for k, v in data["units"].items()}
    sources = {}
    for entry in data["sources"]:
        entry = dict(entry)
        entry["ignore_measures"] = tuple(entry.get("ignore_measures", ()))
        sources[entry["id"]] = Source(**entry)
    return _check(Catalog(area=Area(**data["area"]), units=units, sources=sources))
