"""The source catalogue (catalog.yaml) as typed objects."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CATALOG_PATH = Path(__file__).with_name("catalog.yaml")
OBSERVATION_PARSERS = {"reference_long", "reference_wide", "gsm_extract", "statbel_population",
                       "statbel_fiscal_income", "vdab_jobseekers", "wonen_caravan_sites", "provincies_incijfers",
                       "statbel_publication", "pinc_upload"}


@dataclass(frozen=True)
class Unit:
    id: str
    label: str
    additive: bool
    min: float | None = None
    max: float | None = None
    # a rate or mean of merged municipalities may be estimated with population weights; a median or an
    # index cannot be formed from the values of its parts at all
    mergeable: bool = True


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
    # the rows carry reference years: the raw asset is partitioned by year (backfills, re-runs per year)
    partitioned: bool = False
    backcast: bool = False
    licence: str = ""
    dataset: str = ""
    url: str | None = None
    page: str | None = None
    format: str | None = None
    # a publisher file supersedes the republished reference copy of the same measures
    replaces: str | None = None
    # a snapshot ships with the project in data/snapshots (otherwise only fetched or dropped files exist)
    embedded: bool = False
    # "area" when the file covers the area only; a wider file (e.g. "belgium") is cut to the area on load
    scope: str = "area"
    measure: str | None = None
    measure_map: dict[str, str] = field(default_factory=dict)
    ignore_measures: tuple[str, ...] = ()
    measures: dict[str, str] = field(default_factory=dict)
    period_column: str | None = None
    status: dict = field(default_factory=dict)
    # the REFNIS unit the file covers (the embedded files of the default area); for another area it holds no rows
    covers: str | None = None
    # a table built from the newest snapshots of other sources (the register: REFNIS and the merger lists)
    parts: tuple[str, ...] = ()
    # rows that are neither a municipality nor a REFNIS unit ("Niet te lokaliseren", the German-speaking
    # Community 03001): left out of the table and counted, by name or by code
    skip_rows: tuple[str, ...] = ()
    # the sheet of a workbook that holds the table (a publication workbook has several)
    sheet: str | None = None
    # a pattern whose first group is the reference period, read from the title rows of a publication
    period_from_title: str | None = None
    # an upload file's level column: its values and the REFNIS level each one stands for
    geolevels: dict[str, str] = field(default_factory=dict)

    @property
    def has_observations(self) -> bool:
        return self.parser in OBSERVATION_PARSERS

    @property
    def raw_table(self) -> str:
        return f"raw_{self.id}"

    def covers_area(self, area: Area) -> bool:
        return self.covers is None or self.covers == area.nis_code


@dataclass(frozen=True)
class Area:
    """One REFNIS unit (a province, a region or the kingdom): its municipalities are those whose
    municipality of today lies in it."""
    nis_code: str
    name: str
    # expected size of each municipality set, configured for the default area; for another area they
    # follow from the register, which is itself checked against `register_sets`
    municipality_sets: dict[str, int] | None
    current_set: str
    min_coverage_for_area_value: float


def select_area(configured: dict, names: dict[str, str], choice: str | None) -> Area:
    """The configured default area, or the one BAROMETER_AREA names by REFNIS code or by name."""
    default = Area(**configured)
    if not choice or choice.strip() in (default.nis_code, default.name):
        return default
    by_name = {name.casefold(): code for code, name in names.items()}
    code = choice.strip() if choice.strip() in names else by_name.get(choice.strip().casefold())
    if code is None:
        raise ValueError(f"BAROMETER_AREA={choice!r} is not an area of the catalogue; choose a REFNIS code or a "
                         "name: " + ", ".join(f"{c} {n}" for c, n in names.items()))
    return Area(nis_code=code, name=names[code], municipality_sets=None, current_set=default.current_set,
                min_coverage_for_area_value=default.min_coverage_for_area_value)


@dataclass(frozen=True)
class Catalog:
    area: Area
    units: dict[str, Unit]
    sources: dict[str, Source]
    # sizes of Belgium's municipality sets, which the register must give
    register_sets: dict[str, int] = field(default_factory=dict)
    # the names the reports give to the REFNIS units an area can be
    area_names: dict[str, str] = field(default_factory=dict)

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
        """The source that defines each measure (a replacing publisher file defines it second)."""
        found: dict[str, str] = {}
        for s in self.sources.values():
            for m in s.measures:
                found.setdefault(m, s.id)
        return found

    def measure_sources(self) -> dict[str, list[str]]:
        """Every source that gives each measure, in catalogue order: the parts of a series (older years from
        another edition) and the publisher files that replace a republished copy."""
        found: dict[str, list[str]] = {}
        for s in self.sources.values():
            for m in s.measures:
                found.setdefault(m, []).append(s.id)
        return found

    def measure_unit(self, measure: str) -> str:
        """The unit of a measure (one per measure across sources, as _check ensures)."""
        return next(s.measures[measure] for s in self.sources.values() if measure in s.measures)

    def replacements(self, source_id: str) -> list[Source]:
        return [s for s in self.sources.values() if s.replaces == source_id]

    def snapshot_sources(self, source: Source) -> list[Source]:
        """The sources whose newest snapshots make the raw table of `source`."""
        return [self.sources[part] for part in source.parts] if source.parts else [source]

    def raw_sources(self) -> list[Source]:
        """The sources with a raw table: embedded files, observations and the register, which is built
        from its parts (they have no table of their own)."""
        parts = {part for s in self.sources.values() for part in s.parts}
        return [s for s in self.sources.values() if (s.embedded or s.has_observations or s.parts) and s.id not in parts]


def _check(catalog: Catalog) -> Catalog:
    seen: dict[str, Source] = {}
    for s in catalog.sources.values():
        if s.replaces and s.replaces not in catalog.sources:
            raise ValueError(f"catalogue: source {s.id} replaces unknown source {s.replaces!r}")
        for measure, unit in s.measures.items():
            if unit not in catalog.units:
                raise ValueError(f"catalogue: source {s.id} measure {measure} has unknown unit {unit!r}")
            # several sources may give one measure (other years, or a publisher file replacing a copy), but a
            # measure has one unit: its values are combined, compared and validated as one series
            first = seen.setdefault(measure, s)
            if first.measures[measure] != unit:
                raise ValueError(f"catalogue: measure {measure} is in {first.measures[measure]} in {first.id} but in "
                                 f"{unit} in {s.id}")
        if any(part not in catalog.sources for part in s.parts):
            raise ValueError(f"catalogue: source {s.id} is built from unknown sources {list(s.parts)}")
        if s.has_observations and s.geography is None:
            raise ValueError(f"catalogue: source {s.id} must declare its geography")
    return catalog


@cache
def load_catalog(path: Path = CATALOG_PATH, area: str | None = None) -> Catalog:
    """The catalogue for `area` (a REFNIS code or a name of `areas`; None: the catalogue's default area)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    units = {k: Unit(id=k, **v) for k, v in data["units"].items()}
    sources = {}
    for entry in data["sources"]:
        entry = dict(entry)
        for key in ("ignore_measures", "parts", "skip_rows"):
            entry[key] = tuple(entry.get(key, ()))
        sources[entry["id"]] = Source(**entry)
    area = select_area(data["area"], data["areas"], area)
    return _check(Catalog(area=area, units=units, sources=sources, register_sets=data["register_sets"],
                          area_names=data["areas"]))
