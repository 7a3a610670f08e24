"""Municipality boundaries of today, derived from the Belgian boundaries of 2019 and the merger list.

The only embedded boundary file is a TopoJSON of the 581 municipalities after the mergers of 2019
(data/snapshots/boundaries_2019). A municipality of today is the union of the 2019 municipalities that
continue in it, so every area (a province, Flanders, Belgium) gets its map without a boundary file of
its own. Pure Python and shapely, no pipeline code.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon

# the object of the TopoJSON that holds the 581 municipalities; its `nis` property is the 2019 code
MUNICIPALITIES = "municipalities"


def load_topology(path: Path | str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def current_boundaries(topology: dict, current_of: Mapping[str, str], names: Mapping[str, str],
                       decimals: int = 4) -> dict:
    """GeoJSON FeatureCollection with one feature per code of today, sorted by code.

    `current_of` maps each 2019 municipality code to take to its code of today; a 2019 municipality
    that is not a key is left out. The feature of a code of today is the union of its 2019
    municipalities, with properties `nis_code` and `name_nl` (from `names`, "" when absent).
    """
    shapes = _municipalities(topology)
    missing = sorted(code for code in current_of if code not in shapes)
    if missing:
        raise ValueError(f"the TopoJSON has no shape for municipality code(s) {', '.join(missing)}")
    parts: dict[str, list] = defaultdict(list)
    for code, current in current_of.items():
        parts[current].append(shapes[code])
    features = []
    for current in sorted(parts):
        geometry = _geojson(shapely.unary_union(parts[current]), decimals)
        if geometry is None:
            raise ValueError(f"the shape of municipality {current} vanishes when rounded to {decimals} decimals")
        features.append({"type": "Feature", "properties": {"nis_code": current, "name_nl": names.get(current, "")},
                         "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def _municipalities(topology: dict) -> dict[str, Polygon | MultiPolygon]:
    """The shapes of the 2019 municipalities by code, decoded from the TopoJSON."""
    try:
        collection = topology["objects"][MUNICIPALITIES]
    except KeyError:
        raise ValueError(f"the TopoJSON has no object {MUNICIPALITIES!r}") from None
    arcs = _arcs(topology)

    def ring(indices: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indices:
            # a negative index ~i walks arc i backwards: that is how two neighbours share one border
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            # each arc starts where the previous one ended; keep that point once
            points.extend(arc[1:] if points else arc)
        return points

    def polygon(rings: list[list[int]]) -> Polygon:
        exterior, *holes = (ring(r) for r in rings)
        return Polygon(exterior, holes)

    shapes = {}
    for geometry in collection["geometries"]:
        code = geometry["properties"]["nis"]
        if geometry.get("type") == "Polygon":
            shape = polygon(geometry["arcs"])
        elif geometry.get("type") == "MultiPolygon":
            shape = MultiPolygon([polygon(p) for p in geometry["arcs"]])
        else:
            continue  # a null geometry (TopoJSON allows it) is a municipality without a shape
        # the simplified source has a few self-touching rings (Stabroek 11044, Asse 23002 and
        # Koksijde 38014 in the file of 2019); repaired, they keep their area and unite cleanly
        shapes[code] = shape if shape.is_valid else shapely.make_valid(shape, method="structure")
    return shapes


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs in longitude/latitude."""
    transform = topology.get("transform")
    if transform is None:
        return [[(x, y) for x, y, *_ in arc] for arc in topology["arcs"]]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    decoded = []
    for arc in topology["arcs"]:
        # a quantized arc stores its first point, then each point as the step from the one before
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _geojson(geometry, decimals: int) -> dict | None:
    """A GeoJSON Polygon or MultiPolygon with rounded coordinates, or None when nothing is left.

    Rounding every point by itself keeps shared borders shared: both neighbours hold the same points.
    Exterior rings run counter-clockwise and holes clockwise, as RFC 7946 asks.
    """
    polygons = []
    for part in shapely.get_parts(shapely.orient_polygons(geometry)):
        if part.geom_type != "Polygon":
            continue  # a union of touching polygons can leave a stray line or point; it has no area
        exterior = _ring(part.exterior.coords, decimals)
        if exterior is None:
            continue
        holes = [hole for hole in (_ring(h.coords, decimals) for h in part.interiors) if hole is not None]
        polygons.append([exterior, *holes])
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _ring(coords, decimals: int) -> list[list[float]] | None:
    points: list[list[float]] = []
    for x, y, *_ in coords:
        point = [round(x, decimals), round(y, decimals)]
        if not points or point != points[-1]:
            points.append(point)
    # a closed ring needs three distinct points and the first again
    return points if len(points) >= 4 else None
