"""A seeded synthetic Belgium for the scale benchmarks.

Everything here is synthetic: the register has the shape of Belgium's (589 municipalities until 2018,
581 from 2019 and 565 from 2025, with merger chains across both years) but made-up codes and names,
and every figure comes from a seeded random generator. The files are in a publisher's format: the
`|`-separated text inside a zip archive of Statbel's open data, one row per municipality and year on
the codes valid in that year, one MS_ column per measure, read by the project's own Statbel parser.

A synthetic theme is one such file: a numerator and a denominator count for each breakdown (total,
sex, age group), feeding one ratio indicator per breakdown. A size is a number of themes.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import replace
from itertools import cycle
from pathlib import Path

import numpy as np
import polars as pl

from models.metadata import FAMILIES, Indicator
from models.synthesis import Method, load_method
from sources.catalog import Area, Catalog, Source, load_catalog
from sources.parsers import parse
from sources.snapshots import sha256_of

SEED = 20261127
YEARS = range(1996, 2026)
BREAKDOWNS = {"total": 1.0, "men": 0.49, "women": 0.51, "age_18_24": 0.09, "age_25_49": 0.33,
              "age_50_64": 0.20, "age_65_plus": 0.19}
# themes per size: each theme holds about 246,000 values (17,598 municipality-years x 14 measures)
SIZES = {"1M": 4, "4M": 16, "16M": 64}
# Belgium's shape: 9 synthetic provinces with 43 arrondissements, and the municipality sets the area
# configuration checks; the mergers of 2019 (15 into 7) and 2025 (31 into 15) give exactly these sizes
ARRONDISSEMENTS_PER_PROVINCE = (4, 5, 5, 6, 7, 4, 3, 5, 4)
SET_SIZES = {"2018": 589, "2019": 581, "2025": 565}
MERGERS = {2019: (2, 2, 2, 2, 2, 2, 3), 2025: (2,) * 14 + (3,)}
# a merged municipality gets a new code in the arrondissement of its first part: <prefix>9xx
FIRST_NEW_CODE = {2019: 900, 2025: 950}
OPEN_END = dt.date(9999, 12, 31)
AREA_NAME = "België (synthetisch)"
KINGDOM = "01000"


def _register(rng: np.random.Generator) -> pl.DataFrame:
    # the area is the kingdom: its municipalities are those below it by parent_nis
    rows = [("country", KINGDOM, AREA_NAME, None, dt.date(1970, 1, 1), OPEN_END)]
    arrondissements = []
    for p, count in enumerate(ARRONDISSEMENTS_PER_PROVINCE, start=1):
        province = "20001" if p == 2 else f"{p}0000"
        rows.append(("province", province, f"Synthetische provincie {p}", KINGDOM, dt.date(1970, 1, 1), OPEN_END))
        for a in range(1, count + 1):
            arrondissements.append(f"{p}{a}")
            rows.append(("arrondissement", f"{p}{a}000", f"Synthetisch arrondissement {p}{a}", province,
                         dt.date(1970, 1, 1), OPEN_END))
    per_arrondissement, extra = divmod(SET_SIZES["2018"], len(arrondissements))
    municipalities = {}
    for i, prefix in enumerate(arrondissements):
        for n in range(1, per_arrondissement + (i < extra) + 1):
            municipalities[f"{prefix}{n:03d}"] = {"parent": f"{prefix}000", "from": dt.date(1970, 1, 1),
                                                  "to": OPEN_END, "successor": None}
    for year, groups in MERGERS.items():
        start = dt.date(year, 1, 1)
        for k, size in enumerate(groups):
            valid = [c for c, m in municipalities.items() if m["from"] < start <= m["to"]]
            prefix = valid[int(rng.integers(len(valid)))][:2]
            parts = [c for c in valid if c.startswith(prefix)][:size]
            new = f"{prefix}{FIRST_NEW_CODE[year] + k:03d}"
            municipalities[new] = {"parent": f"{prefix}000", "from": start, "to": OPEN_END, "successor": None}
            for part in parts:
                municipalities[part] |= {"to": start - dt.timedelta(days=1), "successor": new}
    frame = pl.DataFrame(rows, schema=["level", "nis_code", "name_nl", "parent_nis", "valid_from", "valid_to"],
                         orient="row").with_columns(successor_nis_code=pl.lit(None, pl.String))
    towns = pl.DataFrame([{"level": "municipality", "nis_code": c, "name_nl": f"Synthetische gemeente {c}",
                           "parent_nis": m["parent"], "valid_from": m["from"], "valid_to": m["to"],
                           "successor_nis_code": m["successor"]} for c, m in municipalities.items()])
    register = pl.concat([frame, towns], how="vertical_relaxed").with_columns(
        name_fr=pl.col("name_nl").str.replace("Synthetische gemeente", "Commune synthétique"))
    for year, size in SET_SIZES.items():
        valid = register.filter(pl.col("level") == "municipality",
                                pl.lit(dt.date(int(year), 1, 1)).is_between(pl.col("valid_from"), pl.col("valid_to")))
        assert valid.height == size, f"synthetic register: {valid.height} municipalities in {year}, not {size}"
    return register.select("level", "nis_code", "name_nl", "name_fr", "parent_nis", "valid_from", "valid_to",
                           "successor_nis_code")


def _municipality_years(register: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """One row per year and code valid on 1 January of it, with a population that merged codes inherit."""
    towns = register.filter(level="municipality")
    base = dict(zip(towns["nis_code"], np.exp(rng.normal(9.3, 0.9, towns.height))))
    # a merged municipality is as large as its parts (the 2019 mergers first: they are parts in 2025),
    # so that harmonised series stay smooth
    merged = towns.filter(pl.col("successor_nis_code").is_not_null()).sort("valid_to", "nis_code")
    base |= dict.fromkeys(merged["successor_nis_code"], 0.0)
    for code, successor in merged.select("nis_code", "successor_nis_code").iter_rows():
        base[successor] += base[code]
    years = pl.DataFrame({"year": list(YEARS)}).with_columns(start=pl.date(pl.col("year"), 1, 1))
    cells = years.join(towns.select("nis_code", "valid_from", "valid_to"), how="cross").filter(
        pl.col("start").is_between(pl.col("valid_from"), pl.col("valid_to")))
    growth = dict(zip(towns["nis_code"], rng.normal(0.004, 0.004, towns.height)))
    return cells.select("year", "nis_code").sort("year", "nis_code").with_columns(
        population=(pl.col("nis_code").replace_strict(base, return_dtype=pl.Float64)
                    * (1 + pl.col("nis_code").replace_strict(growth, return_dtype=pl.Float64))
                    ** (pl.col("year") - YEARS.start)).round(0))


def _zip_text(frame: pl.DataFrame, path: Path, member: str) -> None:
    buffer = io.BytesIO()
    frame.write_csv(buffer, separator="|")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, buffer.getvalue())


def _statbel_frame(cells: pl.DataFrame) -> pl.DataFrame:
    return cells.select(pl.col("year").cast(pl.String).alias("CD_YEAR"), pl.col("nis_code").alias("CD_MUNTY_REFNIS"),
                        pl.format("Synthetische gemeente {}", "nis_code").alias("TX_MUNTY_DESCR_NL"))


def _theme_frame(cells: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Counts per breakdown: a denominator (people in the group) and a numerator (those with the trait)."""
    frame = _statbel_frame(cells)
    population = cells["population"].to_numpy()
    years = cells["year"].to_numpy() - YEARS.start
    level = rng.uniform(0.03, 0.25)
    columns = {}
    for breakdown, share in BREAKDOWNS.items():
        denominator = np.round(population * share * rng.uniform(0.95, 1.05, population.size))
        rate = np.clip(level * rng.lognormal(0, 0.3, population.size) * (1 + 0.01 * years), 0.001, 0.95)
        columns[f"MS_{breakdown.upper()}_NUM"] = np.round(denominator * rate)
        columns[f"MS_{breakdown.upper()}_DEN"] = denominator
    return pl.concat([frame, pl.DataFrame(columns).cast(pl.Int64)], how="horizontal")


def _geojson(register: pl.DataFrame) -> dict:
    """A square per current municipality on a grid over Belgium's extent (no real boundaries)."""
    current = register.filter(level="municipality", valid_to=OPEN_END)["nis_code"].to_list()
    width = int(np.ceil(np.sqrt(len(current))))
    features = []
    for i, code in enumerate(current):
        x, y = 2.6 + (i % width) * 0.14, 49.5 + (i // width) * 0.075
        ring = [[x, y], [x + 0.13, y], [x + 0.13, y + 0.07], [x, y + 0.07], [x, y]]
        properties = {"nis_code": code, "name_nl": f"Synthetische gemeente {code}"}
        features.append({"type": "Feature", "properties": properties,
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": features}


def theme_id(theme: int) -> str:
    return f"synthetic_theme_{theme:02d}"


def write_dataset(folder: Path, themes: int, seed: int = SEED) -> dict:
    """Write the register, the boundaries, a population file and `themes` theme files; returns what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    register = _register(rng)
    register.write_csv(folder / "synthetic_register.csv")
    (folder / "synthetic_boundaries_2025.geojson").write_text(json.dumps(_geojson(register)), encoding="utf-8")
    cells = _municipality_years(register, rng)
    _zip_text(pl.concat([_statbel_frame(cells), cells.select(MS_POPULATION=pl.col("population").cast(pl.Int64))],
                        how="horizontal"), folder / "synthetic_population.zip", "TF_SYNTHETIC_POPULATION.txt")
    for theme in range(1, themes + 1):
        _zip_text(_theme_frame(cells, rng), folder / f"{theme_id(theme)}.zip", f"TF_SYNTHETIC_THEME_{theme:02d}.txt")
    manifest = {"seed": seed, "themes": themes, "municipality_years": cells.height,
                "values": cells.height * (1 + themes * 2 * len(BREAKDOWNS)),
                "bytes": sum(p.stat().st_size for p in folder.iterdir() if p.name != "manifest.json")}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def _measure(theme: int, breakdown: str, part: str) -> str:
    return f"synthetic_t{theme:02d}_{breakdown}_{part}"


def catalog(themes: int) -> Catalog:
    """The project's catalogue with a synthetic Belgian area and only the synthetic sources."""
    real = load_catalog()
    statbel = dict(publisher="synthetisch (seeded generator, bench/synthetic.py)", cadence="yearly",
                   parser="statbel_fiscal_income", format="zip", geography="as_of_period", complete=True,
                   partitioned=True, scope="belgium", licence="synthetisch")
    sources = [
        # the SQL models read the register from raw_municipality_register, hence its id
        replace(real.source("municipality_register"), title="Synthetisch gemeenteregister",
                file="synthetic_register.csv", publisher=statbel["publisher"], parts=()),
        Source(id="synthetic_population", title="Synthetische bevolking", file="synthetic_population.zip",
               measure_map={"MS_POPULATION": "population"}, measures={"population": "persons"}, **statbel),
    ]
    for theme in range(1, themes + 1):
        parts = {f"MS_{b.upper()}_{p.upper()}": _measure(theme, b, p) for b in BREAKDOWNS for p in ("num", "den")}
        sources.append(Source(id=theme_id(theme), title=f"Synthetisch thema {theme:02d}", file=f"{theme_id(theme)}.zip",
                              measure_map=parts, measures={m: "persons" for m in parts.values()}, **statbel))
    area = Area(nis_code=KINGDOM, name=AREA_NAME, municipality_sets=dict(SET_SIZES), current_set="2025",
                min_coverage_for_area_value=real.area.min_coverage_for_area_value)
    return Catalog(area=area, units=real.units, sources={s.id: s for s in sources}, register_sets=dict(SET_SIZES))


def read(folder: Path, source: Source) -> pl.DataFrame:
    """A synthetic file as its raw table: the register as written (the real one is built from REFNIS
    and the merger lists), every other file through the project's parser."""
    if source.id != "municipality_register":
        return parse(folder / source.file, source)
    return pl.read_csv(folder / source.file, try_parse_dates=True, schema_overrides={
        "nis_code": pl.String, "parent_nis": pl.String, "successor_nis_code": pl.String}).with_columns(
        _source_file=pl.lit(source.file), _source_row=pl.int_range(2, pl.len() + 2))


def indicators(themes: int) -> tuple[Indicator, ...]:
    """One share (percent) per theme and breakdown: numerator over denominator, Belgium as the ratio of sums."""
    families = cycle(f for f in FAMILIES if f != "bevolking")
    found = []
    for theme in range(1, themes + 1):
        family = next(families)
        for order, breakdown in enumerate(BREAKDOWNS):
            found.append(Indicator(
                id=f"synthetic_t{theme:02d}_{breakdown}", title=f"Synthetisch aandeel {theme:02d} ({breakdown})",
                family=family, order=order, unit="%", decimals=1, polarity="hoger is ongunstiger",
                compute={"numerator": _measure(theme, breakdown, "num"),
                         "denominator": _measure(theme, breakdown, "den"), "scale": 100},
                aggregate="ratio", definition="Synthetische indicator (seeded generator).",
                numerator="synthetische teller", denominator="synthetische noemer"))
    return tuple(found)


def method(found: tuple[Indicator, ...]) -> Method:
    """The composite over the first eight totals, with the parameters of models/synthesis.yaml."""
    real = load_method()
    totals = [i.id for i in found if i.id.endswith("_total")][:8]
    return Method(min_indicator_coverage=real.min_indicator_coverage,
                  min_municipality_share=real.min_municipality_share, weights={i: 1.0 for i in totals})


def origin(folder: Path, source: Source) -> dict:
    """The origin record of a synthetic file, as a snapshot's origin.json would hold it."""
    path = folder / source.file
    return {"source_id": source.id, "file": source.file, "sha256": sha256_of(path), "bytes": path.stat().st_size,
            "date_obtained": "2026-01-01", "reference_period": f"{YEARS.start} - {YEARS.stop - 1} (synthetisch)",
            "urls": []}
