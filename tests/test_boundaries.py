"""Boundaries of today derived from the embedded TopoJSON of 2019 and the real register (data/snapshots)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
import shapely
from shapely.geometry import shape

from models.boundaries import current_boundaries, load_topology
from sources.catalog import load_catalog
from sources.register import from_snapshots
from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot

FLANDERS = "02000"


@pytest.fixture(scope="module")
def register() -> pl.DataFrame:
    frame, _ = from_snapshots(load_catalog(), [EMBEDDED_SNAPSHOTS])
    return frame


@pytest.fixture(scope="module")
def topology() -> dict:
    # latest_snapshot checks the file against the sha256 of its origin.json
    return load_topology(latest_snapshot([EMBEDDED_SNAPSHOTS], "boundaries_2019").path)


def codes_on(register: pl.DataFrame, day: dt.date) -> list[str]:
    return register.filter((pl.col("level") == "municipality")
                           & pl.lit(day).is_between("valid_from", "valid_to"))["nis_code"].to_list()


@pytest.fixture(scope="module")
def current_of(register) -> dict[str, str]:
    """Each 2019 municipality code with its code of today, following the successors."""
    successor = dict(zip(register["nis_code"], register["successor_nis_code"]))

    def today(code: str) -> str:
        while successor.get(code):
            code = successor[code]
        return code

    return {code: today(code) for code in codes_on(register, dt.date(2019, 1, 1))}


@pytest.fixture(scope="module")
def names(register) -> dict[str, str]:
    return dict(zip(register["nis_code"], register["name_nl"]))


@pytest.fixture(scope="module")
def region_of(register):
    parent = dict(zip(register["nis_code"], register["parent_nis"]))

    def region(code: str) -> str:
        # municipality -> arrondissement -> province (none in Brussels) -> region -> 01000
        while parent.get(code) not in (None, "01000"):
            code = parent[code]
        return code

    return region


def features_by_code(collection: dict) -> dict[str, dict]:
    return {f["properties"]["nis_code"]: f for f in collection["features"]}


def area_of(feature: dict) -> float:
    return shape(feature["geometry"]).area


def test_limburg_has_the_38_municipalities_of_today(topology, current_of, names, register):
    limburg = {old: new for old, new in current_of.items() if new.startswith("7")}
    assert len(limburg) == 42
    collection = current_boundaries(topology, limburg, names)
    features = features_by_code(collection)
    expected = {c for c in codes_on(register, dt.date(2025, 1, 1)) if c.startswith("7")}
    assert len(collection["features"]) == 38 and set(features) == expected
    assert [f["properties"]["nis_code"] for f in collection["features"]] == sorted(expected)
    assert not {"71022", "73040", "71057", "71069", "73006", "73032", "73083", "73009"} & set(features)
    assert features["71072"]["properties"] == {"nis_code": "71072", "name_nl": "Hasselt"}
    assert features["73111"]["properties"]["name_nl"] == "Tongeren-Borgloon"
    # a merger of neighbours is dissolved into one polygon, not kept as two parts
    for merged in ("71071", "71072", "73110", "73111"):
        assert features[merged]["geometry"]["type"] == "Polygon"
        assert len(features[merged]["geometry"]["coordinates"]) == 1


def test_hasselt_of_2025_is_hasselt_and_kortessem_of_2019(topology, names):
    merged = features_by_code(current_boundaries(topology, {"71022": "71072", "73040": "71072"}, names))["71072"]
    parts = features_by_code(current_boundaries(topology, {"71022": "71022", "73040": "73040"}, names))
    assert set(parts) == {"71022", "73040"}
    total = area_of(parts["71022"]) + area_of(parts["73040"])
    assert area_of(merged) == pytest.approx(total, rel=0.01)
    assert area_of(merged) > 1.2 * area_of(parts["71022"])


# the Limburg boundaries of 2025 the reference set derived once by hand (shapely unions of the same 2019 polygons),
# shipped as the pipeline's map until the boundaries were derived at run time
HAND_MADE = Path(__file__).parent / "fixtures" / "reference" / "limburg_municipalities_2025.geojson"


def test_limburg_matches_the_hand_made_boundaries_of_2025(topology, current_of, names):
    limburg = {old: new for old, new in current_of.items() if new.startswith("7")}
    derived = features_by_code(current_boundaries(topology, limburg, names))
    hand_made = json.loads(HAND_MADE.read_text(encoding="utf-8"))
    expected = features_by_code(hand_made)
    assert set(derived) == set(expected)
    for code, feature in expected.items():
        theirs, ours = shape(feature["geometry"]), shape(derived[code]["geometry"])
        assert ours.symmetric_difference(theirs).area / theirs.area < 0.02, code


def test_voeren_stays_a_detached_municipality_of_limburg(topology, current_of, names):
    limburg = {old: new for old, new in current_of.items() if new.startswith("7")}
    features = features_by_code(current_boundaries(topology, limburg, names))
    voeren = shape(features["73109"]["geometry"])
    rest = shapely.unary_union([shape(f["geometry"]) for code, f in features.items() if code != "73109"])
    assert voeren.geom_type == "Polygon" and voeren.distance(rest) > 0.01


def test_flanders_300_municipalities_of_2019_become_285_of_today(topology, current_of, names, register, region_of):
    flanders = {old: new for old, new in current_of.items() if region_of(new) == FLANDERS}
    assert len(flanders) == 300
    collection = current_boundaries(topology, flanders, names)
    features = features_by_code(collection)
    expected = {c for c in codes_on(register, dt.date(2025, 1, 1)) if region_of(c) == FLANDERS}
    assert len(collection["features"]) == 285 and set(features) == expected
    # Baarle-Hertog keeps its exclave in the Netherlands as a second polygon
    assert features["13002"]["geometry"]["type"] == "MultiPolygon"
    # the JSON stays small enough to embed in a report page without further simplification
    assert len(json.dumps(collection, separators=(",", ":"))) < 1_500_000


def test_belgium_has_every_code_of_2025_and_covers_what_2019_covered(topology, current_of, names, register):
    assert len(current_of) == 581
    collection = current_boundaries(topology, current_of, names)
    features = features_by_code(collection)
    assert len(collection["features"]) == 565 and set(features) == set(codes_on(register, dt.date(2025, 1, 1)))
    assert all(f["properties"]["name_nl"] for f in collection["features"])
    geometries = [shape(f["geometry"]) for f in collection["features"]]
    assert all(g.is_valid and not g.is_empty for g in geometries)
    of_2019 = current_boundaries(topology, {code: code for code in current_of}, names)
    assert sum(g.area for g in geometries) == pytest.approx(sum(map(area_of, of_2019["features"])), rel=1e-4)
    # neighbours share their rounded border: no two municipalities overlap by more than rounding noise
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    overlap = sum(geometries[i].intersection(geometries[j]).area for i, j in zip(left, right) if i < j)
    assert overlap < 1e-6 * sum(g.area for g in geometries)


def test_coordinates_are_rounded_and_rings_clean(topology, current_of, names):
    limburg = {old: new for old, new in current_of.items() if new.startswith("7")}
    for decimals in (4, 5):
        for feature in current_boundaries(topology, limburg, names, decimals)["features"]:
            geometry = feature["geometry"]
            polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
            for ring in (ring for polygon in polygons for ring in polygon):
                assert len(ring) >= 4 and ring[0] == ring[-1]
                assert all(a != b for a, b in zip(ring, ring[1:]))
                assert all(round(x, decimals) == x and round(y, decimals) == y for x, y in ring)
            # exterior rings counter-clockwise, as RFC 7946 asks
            assert all(shapely.LinearRing(polygon[0]).is_ccw for polygon in polygons)


def test_a_code_without_a_shape_is_named(topology, names):
    # Opglabbeek 71047 ended in 2018: the boundaries of 2019 have no shape for it
    with pytest.raises(ValueError, match="71047"):
        current_boundaries(topology, {"71002": "71002", "71047": "72042"}, names)
