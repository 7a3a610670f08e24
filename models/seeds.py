"""The tables made in Python rather than SQL: the catalogue, the indicator metadata and the synthesis method
as small tables the SQL models join on, and the view that stacks the raw observation tables. Each has its
schema file under models/sql/<layer>/ like any model; SEEDS says what each reads and how it is made."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from models import metadata, specs
from models.metadata import Indicator
from models.synthesis import METHOD_FILE, SHARES, Method
from models.terms import TERMS, terms_frame
from sources.catalog import Catalog
from sources.profiles import IndicatorFacts, Profile, load_profile, profile_files


GSM = "gsm_indicator_catalogue"


@dataclass(frozen=True)
class ModelInputs:
    """What the models are made from besides the raw tables: the catalogue, the indicators, the method and the
    folder of the municipalities' profiles (None: no municipality has one)."""
    catalog: Catalog
    indicators: tuple[Indicator, ...]
    method: Method
    # not in the repr that fingerprints every model: only the tables read from the profiles depend on them,
    # through the checksums of the files (pipelines/core.py)
    profiles: Path | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Seed:
    deps: tuple[str, ...]
    # a frame to store as the table, or the SELECT of a view
    make: Callable[[duckdb.DuckDBPyConnection, ModelInputs], pl.DataFrame | str]


def _raw_observations(con: duckdb.DuckDBPyConnection, inputs: ModelInputs) -> str:
    return "\nunion all by name\n".join(f"select '{s.id}' as source_id, * from {s.raw_table}"
                                        for s in inputs.catalog.observation_sources())


def _indicator_metadata(con: duckdb.DuckDBPyConnection, inputs: ModelInputs) -> pl.DataFrame:
    from models.build import snapshot_origins

    # a catalogue without the Stadsmonitor's (the scale benchmark's synthetic one) quotes no definitions from it
    gsm = con.sql("select * from raw_gsm_indicator_catalogue").pl() if GSM in inputs.catalog.sources \
        else pl.DataFrame(schema={"code": pl.String})
    return metadata.metadata_frame(inputs.indicators, inputs.catalog, gsm, snapshot_origins(con))


def _synthesis_spec(con: duckdb.DuckDBPyConnection, inputs: ModelInputs) -> pl.DataFrame:
    weights = inputs.method.weights
    known = {row[0] for row in con.execute("select indicator_id from indicator_spec").fetchall()}
    unknown = sorted(set(weights) - known)
    if unknown:
        raise ValueError(f"{METHOD_FILE.name}: no indicator metadata for {unknown}")
    return pl.DataFrame({"indicator_id": list(weights), "weight": list(weights.values())},
                        schema={"indicator_id": pl.String, "weight": pl.Float64})


def _profiles(con: duckdb.DuckDBPyConnection, inputs: ModelInputs) -> list[Profile]:
    facts = {i.id: IndicatorFacts(i.unit, i.polarity) for i in inputs.indicators}
    municipalities = dict(con.execute("select nis_code, name_nl from municipalities where is_current").fetchall())
    terms = [(t.first_year, t.last_year) for t in TERMS]
    return [load_profile(path, facts, terms, municipalities) for path in profile_files(inputs.profiles)]


def _profile_indicators(con: duckdb.DuckDBPyConnection, inputs: ModelInputs) -> pl.DataFrame:
    rows = [{"nis_code": p.nis_code, "indicator_id": indicator, "position": position, "profile_file": p.file,
             "example": p.example}
            for p in _profiles(con, inputs) for position, indicator in enumerate(p.indicators, start=1)]
    return pl.DataFrame(rows, schema={"nis_code": pl.String, "indicator_id": pl.String, "position": pl.Int64,
                                      "profile_file": pl.String, "example": pl.Boolean})


# the tables made from the files in the profiles folder
PROFILE_TABLES = ("profile_indicators", "targets")
TARGET_SCHEMA = {"nis_code": pl.String, "indicator_id": pl.String, "term_start": pl.Int64, "term_end": pl.Int64,
                 "direction": pl.String, "baseline_year": pl.Int64, "deadline_year": pl.Int64,
                 "target_value": pl.Float64, "minimum_change": pl.Float64, "measure": pl.String,
                 "against_polarity": pl.Boolean, "profile_file": pl.String, "example": pl.Boolean}


def _targets(con: duckdb.DuckDBPyConnection, inputs: ModelInputs) -> pl.DataFrame:
    rows = [{"nis_code": p.nis_code, "indicator_id": t.indicator_id, "term_start": t.term_start,
             "term_end": t.term_end, "direction": t.direction, "baseline_year": t.baseline_year,
             "deadline_year": t.deadline_year, "target_value": t.value, "minimum_change": t.minimum_change,
             "measure": t.measure, "against_polarity": t.against_polarity, "profile_file": p.file,
             "example": p.example}
            for p in _profiles(con, inputs) for t in p.targets]
    return pl.DataFrame(rows, schema=TARGET_SCHEMA)


def seeds(catalog: Catalog) -> dict[str, Seed]:
    raw_observation_tables = tuple(s.raw_table for s in catalog.observation_sources())
    return {
        "area_spec": Seed((), lambda con, i: specs.area_spec(i.catalog)),
        "unit_names": Seed((), lambda con, i: specs.unit_names(i.catalog)),
        "source_spec": Seed((), lambda con, i: specs.source_spec(i.catalog)),
        "measure_spec": Seed((), lambda con, i: specs.measure_spec(i.catalog)),
        "raw_observations": Seed(raw_observation_tables, _raw_observations),
        "indicator_spec": Seed((), lambda con, i: metadata.spec_frame(i.indicators, i.catalog)),
        "indicator_metadata": Seed(("raw_gsm_indicator_catalogue",) if GSM in catalog.sources else (),
                                   _indicator_metadata),
        "synthesis_spec": Seed(("indicator_spec",), _synthesis_spec),
        "council_terms": Seed((), lambda con, i: terms_frame()),
        "count_units": Seed((), lambda con, i: pl.DataFrame({"unit": list(specs.COUNT_UNITS)})),
        "profile_indicators": Seed(("municipalities",), _profile_indicators),
        "targets": Seed(("municipalities",), _targets),
        "synthesis_parameters": Seed((), lambda con, i: pl.DataFrame([{n: getattr(i.method, n) for n in SHARES}])),
    }
