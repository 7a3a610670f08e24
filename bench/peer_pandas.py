"""The peer, kept as the baseline: the scale chain's transformations as an analyst commonly writes them,
in pandas, on the same synthetic files.

It reads the Statbel zips with pandas, checks the validation rules as pandas filters, harmonises to the
2025 municipalities (sums over merged parts, published only when every part has a value; the synthetic
measures are all counts, so no population weighting is needed), computes the ratio indicators, the
barometer table (Belgium's value, rank, change), the coverage of each indicator and the change since the
start of each council term. It publishes nothing: it is compared with the pipeline's ingest, validation and
models stages. Unlike the chain it computes no armoedesynthese (a few hundred values per indicator in its
latest period: next to nothing at these sizes).

    python -m bench.peer_pandas --data DIR --result FILE
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from bench import synthetic
from bench.probe import Probe
from sources.catalog import load_catalog

KEYS = ["source_id", "measure", "nis_code", "period"]
# the council terms of models/sql/barometer.sql, by their first and last year
COUNCIL_TERMS = [(2019, 2024), (2025, 2030)]


def read_register(data: Path):
    register = pd.read_csv(data / "synthetic_register.csv", dtype=str)
    register["valid_from"] = pd.to_datetime(register["valid_from"])
    # 9999-12-31 lies beyond pandas' timestamps: an open end becomes the largest one
    register["valid_to"] = pd.to_datetime(register["valid_to"], errors="coerce").fillna(pd.Timestamp.max)
    return register


def municipalities(register):
    towns = register[register["level"] == "municipality"].copy()
    successor = dict(zip(towns["nis_code"], towns["successor_nis_code"]))

    def today(code):
        while isinstance(successor.get(code), str):
            code = successor[code]
        return code

    towns["current_nis_code"] = towns["nis_code"].map(today)
    return towns


def read_observations(data: Path, catalog):
    frames = []
    for source in catalog.sources.values():
        if source.parser == "register":
            continue
        wide = pd.read_csv(data / source.file, sep="|", dtype={"CD_YEAR": str, "CD_MUNTY_REFNIS": str})
        long = wide.drop(columns="TX_MUNTY_DESCR_NL").melt(id_vars=["CD_YEAR", "CD_MUNTY_REFNIS"],
                                                           var_name="column", value_name="value")
        long["measure"] = long["column"].map(source.measure_map)
        long["source_id"] = source.id
        frames.append(long.drop(columns="column").rename(columns={"CD_YEAR": "period", "CD_MUNTY_REFNIS": "nis_code"}))
    observations = pd.concat(frames, ignore_index=True)
    observations["year"] = observations["period"].astype(int)
    observations["period_date"] = pd.to_datetime(observations["period"] + "-01-01")
    return observations


def validate_register(register, set_sizes: dict[str, int]) -> dict[str, int]:
    """The register's rules, as the chain checks its raw table."""
    towns = register[register["level"] == "municipality"]
    sizes = {year: int(towns[(towns["valid_from"] <= pd.Timestamp(f"{year}-01-01"))
                             & (pd.Timestamp(f"{year}-01-01") <= towns["valid_to"])].shape[0])
             for year in set_sizes}
    successors = register["successor_nis_code"].dropna()
    return {"register nis-code-present": int(register["nis_code"].isna().sum()),
            "register nis-code-format": int((~register["nis_code"].str.fullmatch(r"\d{5}")).sum()),
            "register unique-key": int(register.duplicated("nis_code", keep=False).sum()),
            "register validity-order": int((register["valid_from"] > register["valid_to"]).sum()),
            "register successor-known": int((~successors.isin(register["nis_code"])).sum()),
            "register code-set-sizes": sum(sizes[year] != n for year, n in set_sizes.items())}


def validate(obs, towns, found) -> dict[str, int]:
    """The number of rows failing each rule (all must be 0 but the change warning)."""
    failing = {"nis-code-present": int(obs["nis_code"].isna().sum()),
               "period-present": int(obs["period"].isna().sum()),
               "nis-code-format": int((~obs["nis_code"].str.fullmatch(r"\d{5}")).sum())}
    valid = obs[["nis_code", "period_date"]].merge(towns[["nis_code", "valid_from", "valid_to"]], on="nis_code",
                                                   how="left")
    failing["nis-code-in-code-set"] = int((~valid["period_date"].between(valid["valid_from"], valid["valid_to"])).sum())
    failing["unique-key"] = int(obs.duplicated(KEYS, keep=False).sum())
    failing["value-in-unit-range"] = int((obs["value"] < 0).sum())
    expected = obs[["source_id", "measure", "period", "period_date"]].drop_duplicates().merge(
        towns[["nis_code", "valid_from", "valid_to"]], how="cross")
    expected = expected[expected["period_date"].between(expected["valid_from"], expected["valid_to"])]
    present = expected[KEYS].merge(obs[KEYS], on=KEYS, how="left", indicator=True)
    failing["complete-coverage"] = int((present["_merge"] == "left_only").sum())
    failing["period-not-in-future"] = int((obs["year"] > dt.date.today().year).sum())
    pairs = {i.compute["numerator"]: i.compute["denominator"] for i in found}
    numerators = obs[obs["measure"].isin(pairs.keys())].assign(denominator_measure=lambda f: f["measure"].map(pairs))
    denominators = obs[["measure", "nis_code", "period", "value"]].rename(
        columns={"measure": "denominator_measure", "value": "denominator"})
    shares = numerators.merge(denominators, on=["denominator_measure", "nis_code", "period"])
    failing["numerator-within-denominator"] = int((shares["value"] > shares["denominator"]).sum())
    previous = obs[["source_id", "measure", "nis_code", "year", "value"]].assign(year=lambda f: f["year"] + 1)
    change = obs.merge(previous, on=["source_id", "measure", "nis_code", "year"], suffixes=("", "_previous"))
    change = change[(change["value"] != 0) & (change["value_previous"] != 0)]
    factor = (change["value"] / change["value_previous"]).abs()
    failing["change-within-factor-100 (warning)"] = int(((factor >= 100) | (factor <= 0.01)).sum())
    return failing


def harmonise(obs, towns):
    obs = obs.merge(towns[["nis_code", "current_nis_code"]], on="nis_code", how="left")
    direct = obs[obs["nis_code"] == obs["current_nis_code"]]
    parts = obs[obs["nis_code"] != obs["current_nis_code"]]
    combined = parts.groupby(["source_id", "measure", "current_nis_code", "period", "year"], as_index=False).agg(
        value=("value", "sum"), n_parts=("value", "count"))
    # a merged value needs every part that existed on the reference date
    expected = parts[["current_nis_code", "period", "period_date"]].drop_duplicates().merge(
        towns[["nis_code", "current_nis_code", "valid_from", "valid_to"]], on="current_nis_code")
    expected = expected[expected["period_date"].between(expected["valid_from"], expected["valid_to"])]
    expected = expected.groupby(["current_nis_code", "period"]).size().rename("n_expected").reset_index()
    combined = combined.merge(expected, on=["current_nis_code", "period"], how="left")
    combined.loc[combined["n_parts"] != combined["n_expected"], "value"] = np.nan
    combined = combined.rename(columns={"current_nis_code": "nis_code"})
    # a value the publisher gives for the new code itself wins
    combined = combined.merge(direct[KEYS], on=KEYS, how="left", indicator=True)
    combined = combined[combined["_merge"] == "left_only"]
    columns = [*KEYS, "year", "value"]
    return pd.concat([direct[columns], combined[columns]], ignore_index=True)


def indicators(harmonised, found):
    spec = pd.DataFrame([{"indicator_id": i.id, "numerator_measure": i.compute["numerator"],
                          "denominator_measure": i.compute["denominator"], "scale": i.compute["scale"]} for i in found])
    numerators = harmonised.merge(spec, left_on="measure", right_on="numerator_measure")
    denominators = harmonised[["measure", "nis_code", "year", "value"]].rename(
        columns={"measure": "denominator_measure", "value": "denominator"})
    values = numerators.merge(denominators, on=["denominator_measure", "nis_code", "year"], how="left")
    values = values.rename(columns={"value": "numerator"})
    values["value"] = np.where(values["denominator"] > 0, values["numerator"] / values["denominator"] * values["scale"],
                               np.nan)
    return values[["indicator_id", "nis_code", "period", "year", "numerator", "denominator", "value"]]


def barometer(values, towns, min_coverage: float):
    today = pd.Timestamp("2025-01-01")
    current = towns[(towns["valid_from"] <= today) & (today <= towns["valid_to"])][["nis_code"]]
    cells = values[["indicator_id", "period", "year"]].drop_duplicates().merge(current, how="cross").merge(
        values, on=["indicator_id", "period", "year", "nis_code"], how="left")
    with_value = cells[cells["value"].notna()]
    area = with_value.groupby(["indicator_id", "period"], as_index=False).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), n_values=("value", "count"))
    area["area_value"] = (area["numerator"] / area["denominator"] * 100).where(
        area["n_values"] >= len(current) * min_coverage)
    cells["rank"] = cells.groupby(["indicator_id", "period"])["value"].rank(method="min", ascending=False)
    cells["rank_count"] = cells.groupby(["indicator_id", "period"])["value"].transform("count")
    cells = cells.sort_values(["indicator_id", "nis_code", "year"])
    series = cells.groupby(["indicator_id", "nis_code"])
    cells["previous_period"] = series["period"].shift()
    cells["change"] = cells["value"] - series["value"].shift()
    cells["flags"] = cells["value"].isna().map({True: "missing", False: ""})
    return cells.merge(area[["indicator_id", "period", "area_value"]], on=["indicator_id", "period"], how="left")


def coverage(table):
    """Per indicator, its latest period and how many municipalities have a value in it."""
    per_period = table.groupby(["indicator_id", "period", "year"], as_index=False).agg(
        n_values=("value", "count"), n_municipalities=("nis_code", "size"))
    latest = per_period.sort_values(["year", "n_values"]).groupby("indicator_id").tail(1)
    return latest.merge(per_period[per_period["n_values"] > 0].groupby("indicator_id").size().rename("n_periods"),
                        on="indicator_id", how="left")


def term_changes(table, terms: list[tuple[int, int]]):
    """Change since the start of each council term: from the first year of the term with a value to the latest
    year with a value, and the same for the area value."""
    valued = table[table["value"].notna()].sort_values("year")
    series = valued.groupby(["nis_code", "indicator_id"])
    latest = series.tail(1)[["nis_code", "indicator_id", "year", "value"]]
    changes = []
    for first, last in terms:
        start = valued[valued["year"].between(first, last)].groupby(["nis_code", "indicator_id"]).head(1)
        both = start[["nis_code", "indicator_id", "year", "value", "area_value"]].merge(
            latest, on=["nis_code", "indicator_id"], suffixes=("_start", "_latest"))
        area = table[["indicator_id", "year", "area_value"]].drop_duplicates(["indicator_id", "year"])
        both = both.merge(area.rename(columns={"year": "year_latest", "area_value": "area_latest"}),
                          on=["indicator_id", "year_latest"], how="left")
        later = both["year_latest"] > both["year_start"]
        both["change"] = (both["value_latest"] - both["value_start"]).where(later)
        both["area_change"] = (both["area_latest"] - both["area_value"]).where(later)
        changes.append(both.assign(term_start=first))
    return pd.concat(changes, ignore_index=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a folder written by bench.synthetic")
    parser.add_argument("--result", type=Path, required=True, help="where to write the timings (JSON)")
    args = parser.parse_args(argv)
    probe = Probe()
    themes = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))["themes"]
    catalog, found = synthetic.catalog(themes), synthetic.indicators(themes)
    with probe.stage("ingest"):
        register = read_register(args.data)
        towns = municipalities(register)
        obs = read_observations(args.data, catalog)
    with probe.stage("validation"):
        failing = validate_register(register, synthetic.SET_SIZES) | validate(obs, towns, found)
    blocking = {rule: n for rule, n in failing.items() if n and "warning" not in rule}
    if blocking:
        raise SystemExit(f"the peer's validation failed: {blocking}")
    with probe.stage("models"):
        values = indicators(harmonise(obs, towns), found)
        table = barometer(values, towns, load_catalog().area.min_coverage_for_area_value)
        covered, changes = coverage(table), term_changes(table, COUNCIL_TERMS)
    probe.write(args.result, values=len(obs), barometer_rows=len(table), failing=failing,
                coverage_rows=len(covered), term_change_rows=len(changes))


if __name__ == "__main__":
    main()
