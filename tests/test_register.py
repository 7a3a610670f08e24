"""The register of Belgium built from the real REFNIS list of 2019 and the lists of the changes of 2019 and
the mergers of 2025 (data/snapshots), and the area's municipalities drawn from it."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from pipelines.core import Pipeline
from pipelines.settings import Settings
from sources.catalog import CATALOG_PATH, load_catalog, select_area
from sources.register import from_snapshots
from sources.snapshots import EMBEDDED_SNAPSHOTS
from tests.conftest import installation

CATALOG = load_catalog()
# the Limburg register the project shipped before the register was built from the lists (see its README row)
LIMBURG_REGISTER = Path(__file__).parent / "fixtures" / "reference" / "limburg_municipalities_register.csv"


def in_set(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    first_day = pl.lit(f"{year}-01-01").str.to_date()
    return frame.filter((pl.col("level") == "municipality") & first_day.is_between("valid_from", "valid_to"))


@pytest.fixture(scope="module")
def register_installation(tmp_path_factory) -> Settings:
    """An installation whose warehouse holds the register of Belgium."""
    settings = installation(tmp_path_factory.mktemp("register"))
    pipeline = Pipeline(settings)
    pipeline.load([pipeline.register])
    return settings


@pytest.fixture(scope="module")
def con(register_installation):
    con = duckdb.connect(str(register_installation.warehouse), read_only=True)
    yield con
    con.close()


def members(settings: Settings, area: str | None = None) -> pl.DataFrame:
    """The municipalities of `area` (default: the catalogue's), as its reference models build them."""
    pipeline = Pipeline(settings.but(area=area))
    pipeline.build(pipeline.reference)
    with pipeline.connect() as con:
        return con.sql("select *, 'municipality' as level from municipalities").pl()


def test_belgium_has_589_then_581_then_565_municipalities():
    register, origins = from_snapshots(CATALOG, [EMBEDDED_SNAPSHOTS])
    sizes = {str(year): in_set(register, year).height for year in (2018, 2019, 2025)}
    assert sizes == CATALOG.register_sets == {"2018": 589, "2019": 581, "2025": 565}
    assert set(origins) == {"statbel_refnis", "refnis_changes_2019", "mergers_2025"}
    assert register["nis_code"].n_unique() == register.height


def test_codes_that_end_name_their_successor_and_new_codes_take_the_lists_names():
    register, _ = from_snapshots(CATALOG, [EMBEDDED_SNAPSHOTS])
    row = {r["nis_code"]: r for r in register.iter_rows(named=True)}
    assert (row["71047"]["name_nl"], str(row["71047"]["valid_to"]), row["71047"]["successor_nis_code"]) == (
        "Opglabbeek", "2018-12-31", "72042")
    # a renumbered code keeps the name of its new code; Knesselare merged into the renumbered Aalter
    assert (row["44001"]["name_nl"], row["44001"]["successor_nis_code"]) == ("Aalter", "44084")
    assert (row["44029"]["name_nl"], row["44029"]["successor_nis_code"]) == ("Knesselare", "44084")
    assert (row["55010"]["name_nl"], row["55010"]["name_fr"]) == ("Edingen", "Enghien")
    assert (str(row["73040"]["valid_to"]), row["73040"]["successor_nis_code"]) == ("2024-12-31", "71072")
    assert (row["71072"]["name_nl"], str(row["71072"]["valid_from"]), row["71072"]["name_fr"]) == (
        "Hasselt", "2025-01-01", None)
    # the list gives this name as provisional, and so does the register
    assert row["46030"]["name_nl"] == "Beveren-Kruibeke-Zwijndrecht (voorlopige naam)"
    # Antwerpen took in Borsbeek and kept its code
    assert row["11002"]["successor_nis_code"] is None and row["11007"]["successor_nis_code"] == "11002"
    assert (row["72042"]["parent_nis"], row["70000"]["parent_nis"], row["21000"]["parent_nis"]) == (
        "72000", "02000", "04000")


def test_limburg_is_exactly_the_register_the_project_shipped(register_installation):
    shipped = pl.read_csv(LIMBURG_REGISTER, infer_schema=False).filter(level="municipality")
    built = members(register_installation)
    columns = ["nis_code", "name_nl", "successor_nis_code"]
    assert built.select(columns).sort("nis_code").to_dicts() == \
        shipped.select(pl.col(columns).replace("", None)).sort("nis_code").to_dicts()
    assert built["arrondissement_nis"].to_list() == shipped.sort("nis_code")["parent_nis"].to_list()
    for year, flag in ((2018, "in_set_2018_44"), (2019, "in_set_2019_42"), (2025, "in_set_2025_38")):
        assert set(in_set(built, year)["nis_code"]) == set(shipped.filter(pl.col(flag) == "1")["nis_code"])


@pytest.mark.parametrize(("area", "sizes"), [
    ("01000", [589, 581, 565]), ("02000", [308, 300, 285]), ("04000", [19, 19, 19]),
    # Zwijndrecht (11056) and Moerbeke (44045) belong to Oost-Vlaanderen by their municipality of today
    ("10000", [69, 68, 67]), ("40000", [66, 61, 55])])
def test_an_area_holds_every_code_whose_municipality_of_today_lies_in_it(register_installation, area, sizes):
    built = members(register_installation, area)
    assert [in_set(built, year).height for year in (2018, 2019, 2025)] == sizes
    current = dict(built.select("nis_code", "current_nis_code").iter_rows())
    if area == "40000":
        assert current["11056"] == "46030" and current["44045"] == "46029"
    if area == "10000":
        assert "11056" not in current and current["11007"] == "11002"


def test_the_areas_of_the_catalogue_are_refnis_provinces_regions_or_the_kingdom(con):
    names = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))["areas"]
    levels = dict(con.execute("select nis_code, level from raw_municipality_register").fetchall())
    assert {levels[code] for code in names} == {"country", "region", "province"}
    assert len(names) == sum(1 for level in levels.values() if level in {"country", "region", "province"})


def test_an_unknown_area_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="BAROMETER_AREA='Atlantis'.*70000 Limburg"):
        select_area(dataclasses.asdict(CATALOG.area), {"70000": "Limburg"}, "Atlantis")
    chosen = select_area(dataclasses.asdict(CATALOG.area), {"10000": "Antwerpen"}, "antwerpen")
    assert (chosen.nis_code, chosen.name, chosen.municipality_sets) == ("10000", "Antwerpen", None)


def test_another_area_runs_the_models_and_limburg_files_give_missing_values(tmp_path):
    """Province Antwerpen on the embedded data: the register gives its 67 municipalities of today; the files that
    cover Limburg only load no rows, so their indicators are missing with their coverage, while the files of
    Flanders and Belgium give Antwerpen its values and Flanders its comparison."""
    pipeline = Pipeline(installation(tmp_path, area="10000"))
    pipeline.run(names=set(pipeline.step_names()) - {"release"})
    con = duckdb.connect(str(pipeline.settings.warehouse))
    assert con.execute("select count(*) from raw_population").fetchall()[0][0] == 0
    today = con.execute("select count(*) from municipalities where is_current").fetchall()[0][0]
    n_indicators = con.execute("select count(*) from indicator_metadata").fetchall()[0][0]
    assert today == 67
    assert con.execute("select count(distinct nis_code), count(distinct indicator_id) from barometer").fetchall()[0] == (
        67, n_indicators)
    # Limburg's own files: nothing for Antwerpen
    assert con.execute("select count(value) from barometer where indicator_id = 'kansarmoede_index'").fetchall()[0][0] == 0
    # the Provincies in Cijfers export of all of Flanders: every municipality of Antwerpen, and the province's
    # and Flanders' job seekers as the sum of their municipalities
    latest = con.execute("select count(value), any_value(area_value), any_value(region_value) from barometer "
                         "where indicator_id = 'vdab_werkzoekenden_zonder_werk' and period = '2020'").fetchall()[0]
    assert latest[0] == 67 and latest[1] > 0 and latest[2] > latest[1]
    # Statbel's table C.1 of 2022: a median does not add up, so only the publisher's own row can give the value
    # of an area, and only where the area then held what it holds today: Flanders did, the province of Antwerpen
    # of 2019 still held Zwijndrecht (Oost-Vlaanderen since 2025), so Antwerpen has no value
    assert con.execute("select distinct area_value, region_value from barometer "
                       "where indicator_id = 'mediaan_inkomen_per_aangifte' and period = '2022'").fetchall() == [
        (None, 30106.0)]
    con.close()
