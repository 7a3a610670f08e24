"""The municipality register of Belgium, built from Statbel's REFNIS list of 2019 and the lists of the
changes of 1 January 2019 and of the mergers of 1 January 2025. Pure Polars, no pipeline code.

One row per REFNIS unit (kingdom, regions, provinces, arrondissements) and per municipality code of the
sets of 2018, 2019 and 2025, in the layout the models read:
    level, nis_code, name_nl, name_fr, parent_nis, valid_from, valid_to, successor_nis_code
A code that ends on 31 December 2018 or 2024 names the code that continues it. The hierarchy is the
order of the REFNIS list: a municipality follows its arrondissement, an arrondissement its province
(Brussels has none: its arrondissement follows the region), a province its region.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from sources.catalog import Catalog
from sources.errors import SourceFileError
from sources.parsers import parse
from sources.snapshots import latest_snapshot

# the lists give no start date for a code that already existed before 2019: it is open at both ends
# until a list says otherwise, like the end date 9999-12-31 of a code that still exists
START_NOT_GIVEN = dt.date(1, 1, 1)
OPEN_END = dt.date(9999, 12, 31)
COLUMNS = ["level", "nis_code", "name_nl", "name_fr", "parent_nis", "valid_from", "valid_to", "successor_nis_code",
           "_source_file", "_source_row"]
# "Ancienne commune de Kruishoutem fusionnée en 2019": the old municipality's name; a renumbered code
# keeps the name of its new code
OLD_NAME = r"^Ancienne commune de (.+?) fusionnée"


def _arrondissement_of(code: pl.Expr) -> pl.Expr:
    # a municipality code begins with the two digits of its arrondissement (REFNIS convention)
    return code.str.slice(0, 2) + pl.lit("000")


def _hierarchy(refnis: pl.DataFrame) -> pl.DataFrame:
    """The units of the REFNIS list with the parent each one follows in the list."""
    level, code = pl.col("level"), pl.col("nis_code")

    def latest(unit: str, reset: list[str]) -> pl.Expr:
        # the last unit of this level above the row; a higher unit in between starts a new branch
        return (pl.when(level == unit).then(code).when(level.is_in(reset)).then(pl.lit(""))
                .forward_fill().replace("", None))

    country = refnis.filter(level == "country")["nis_code"]
    frame = refnis.sort("_source_row").with_columns(
        latest("region", ["country"]).alias("_region"),
        latest("province", ["country", "region"]).alias("_province"),
        latest("arrondissement", ["country", "region", "province"]).alias("_arrondissement"))
    parent = (pl.when(level == "municipality").then(pl.col("_arrondissement"))
              .when(level == "arrondissement").then(pl.coalesce("_province", "_region"))
              .when(level == "province").then(pl.col("_region"))
              .when(level == "region").then(pl.lit(country.first() if country.len() else None)))
    return frame.with_columns(parent.alias("parent_nis"))


def build(refnis: pl.DataFrame, changes_2019: pl.DataFrame, mergers_2025: pl.DataFrame) -> pl.DataFrame:
    """The register from the parsed REFNIS list (codes after 2019), the 2019 changes and the 2025 mergers."""
    units = _hierarchy(refnis)
    known = set(units["nis_code"])
    _require_codes(changes_2019, "new_nis_code", known, "is not in the REFNIS list")
    _require_codes(changes_2019, "old_nis_code", known, "is still in the REFNIS list of 2019", present=False)
    _require_codes(mergers_2025, "old_nis_code", known, "is not in the REFNIS list of 2019")
    ending = mergers_2025.filter(pl.col("old_nis_code") != pl.col("new_nis_code"))
    new_2019 = set(changes_2019["new_nis_code"])
    code = pl.col("nis_code")

    listed = units.join(ending.select(pl.col("old_nis_code").alias("nis_code"),
                                      pl.col("new_nis_code").alias("successor_nis_code")), on="nis_code", how="left")
    listed = listed.with_columns(
        pl.when(code.is_in(new_2019)).then(pl.lit(dt.date(2019, 1, 1))).otherwise(pl.lit(START_NOT_GIVEN))
        .alias("valid_from"),
        pl.when(pl.col("successor_nis_code").is_not_null()).then(pl.lit(dt.date(2024, 12, 31)))
        .otherwise(pl.lit(OPEN_END)).alias("valid_to"))

    old_name = pl.col("note").str.extract(OLD_NAME, 1)
    before_2019 = changes_2019.join(units.select(pl.col("nis_code").alias("new_nis_code"),
                                                 pl.col("name_nl").alias("_new_name_nl")), on="new_nis_code").select(
        pl.lit("municipality").alias("level"), pl.col("old_nis_code").alias("nis_code"),
        pl.coalesce(old_name, "_new_name_nl").alias("name_nl"), pl.coalesce(old_name, "name_fr").alias("name_fr"),
        _arrondissement_of(pl.col("old_nis_code")).alias("parent_nis"), pl.lit(START_NOT_GIVEN).alias("valid_from"),
        pl.lit(dt.date(2018, 12, 31)).alias("valid_to"), pl.col("new_nis_code").alias("successor_nis_code"),
        "_source_file", "_source_row")

    # the list names a new municipality in Dutch only, as it writes it ("(voorlopige naam)" included); a
    # municipality that took in another keeps its code (Antwerpen 11002 with Borsbeek)
    from_2025 = ending.filter(~pl.col("new_nis_code").is_in(known)).unique(
        "new_nis_code", keep="first", maintain_order=True).select(
        pl.lit("municipality").alias("level"), pl.col("new_nis_code").alias("nis_code"),
        pl.col("new_name_nl").alias("name_nl"), pl.lit(None, pl.String).alias("name_fr"),
        _arrondissement_of(pl.col("new_nis_code")).alias("parent_nis"), pl.lit(dt.date(2025, 1, 1)).alias("valid_from"),
        pl.lit(OPEN_END).alias("valid_to"), pl.lit(None, pl.String).alias("successor_nis_code"),
        "_source_file", "_source_row")
    return pl.concat([listed.select(COLUMNS), before_2019, from_2025], how="vertical_relaxed")


def _require_codes(frame: pl.DataFrame, column: str, known: set[str], problem: str, present: bool = True) -> None:
    """The lists must fit together: a code they name exists in REFNIS (or, for a code that ended in 2019, no
    longer does); otherwise the register would silently lose or duplicate a municipality."""
    bad = frame.filter(pl.col(column).is_in(known) != present)
    if bad.height:
        first = bad.row(0, named=True)
        raise SourceFileError(Path(first["_source_file"]), "register-consistent",
                              f"code {first[column]} {problem}", row=first["_source_row"], column=column)


def from_snapshots(catalog: Catalog, roots: Sequence[Path]) -> tuple[pl.DataFrame, dict[str, dict]]:
    """The register built from the newest snapshot of each of its parts, and each part's origin record."""
    snapshots = {part: latest_snapshot(roots, part) for part in catalog.source("municipality_register").parts}
    frames = {catalog.source(part).parser: parse(snap.path, catalog.source(part)) for part, snap in snapshots.items()}
    register = build(frames["statbel_refnis"], frames["refnis_changes"], frames["mergers_2025"])
    return register, {part: snap.origin for part, snap in snapshots.items()}
