"""Plotly figures for the pages, drawn as plain SVG traces so they need no tile server, topojson
download or WebGL and work offline from file://.

Plotly renders trace and axis texts as a small HTML subset, so every text from data goes through
`_text` first.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass

import plotly.io as pio
from markupsafe import Markup
from plotly.colors import get_colorscale, sample_colorscale
from plotly.io.json import to_json_plotly

# Cividis stays ordered for the common colour-vision deficiencies; Okabe-Ito blue/vermilion for lines.
COLORSCALE = "Cividis"
MISSING_FILL = "#d9d9d9"
BAR_COLOUR = "#0072b2"
AREA_COLOUR = "#d55e00"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": "#222"}
# The 'none' template keeps every figure's JSON a few KB smaller than plotly's default template.
BASE_LAYOUT = {"template": pio.templates["none"].to_plotly_json(), "separators": ",.", "font": FONT,
               "plot_bgcolor": "white", "paper_bgcolor": "white", "hoverlabel": {"font": FONT | {"color": "#fff"}}}
# ',' groups thousands; with `separators` that shows as 44.000 rather than plotly's default 44k.
GRID = {"showgrid": True, "gridcolor": "#e5e5e5", "zeroline": False, "tickformat": ","}
CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toImage"]}


Figure = dict  # {"data": [traces], "layout": {...}}: plain dicts, written without plotly's per-property checks


def figure(layout: dict, *traces: dict) -> Figure:
    return {"data": list(traces), "layout": BASE_LAYOUT | layout}


def snippet(fig: Figure, div_id: str, label: str, later: bool = False) -> Markup:
    """The figure as an HTML fragment that expects plotly.js already loaded by the page.

    Markup because this is plotly's own code, not data: plotly escapes <, > and / inside the
    embedded JSON, so texts from data cannot close the script. A fixed div_id keeps the output
    identical between builds of the same data. Screen readers get the chart as one image named
    `label`; the table beside every chart gives them the values.

    With `later`, the figure is only embedded as data and the page's script draws it when it is
    shown: drawing some forty charts of hidden panels would slow down opening the overview.
    """
    if later:
        data = Markup(to_json_plotly({**fig, "config": CONFIG}))
        chart = Markup('<div id="{}" class="chart-later"></div><script type="application/json">{}</script>').format(
            div_id, data)
    else:
        # the figures are built from checked data by this module; plotly's validation of every property was
        # most of the time the pages took
        chart = Markup(pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=CONFIG,
                                   validate=False))
    return Markup('<div class="chart" role="img" aria-label="{}">{}</div>').format(label, chart)


@dataclass(frozen=True)
class MapLayer:
    """One selectable state of the map: values and hover texts keyed by NIS code."""
    key: str
    label: str
    unit: str
    period: str
    values: dict[str, float]
    texts: dict[str, str]
    higher_is_darker: bool


def municipality_map(geojson: dict, layers: list[MapLayer], active: int) -> Figure:
    """Choropleth of the GeoJSON features as filled polygons, one trace per municipality.

    The layers are kept as the buttons of an update menu (fill colours, hover texts and colour bar per
    layer), named by their key. The menu itself stays hidden: the page's own <select>, which works from
    the keyboard, applies a button's arguments. The colour bar comes from an invisible marker trace on
    the layout's coloraxis, as filled polygons have none of their own.
    """
    features = geojson["features"]
    outlines = [_outline(feature["geometry"]) for feature in features]
    states = [_map_state(features, layer) for layer in layers]
    shapes = [{"type": "scatter", "x": lon, "y": lat, "mode": "lines", "fill": "toself", "fillcolor": colour,
               "text": text, "hoveron": "fills", "hoverinfo": "text", "line": {"color": "white", "width": 1},
               "showlegend": False}
              for (lon, lat), colour, text in zip(outlines, states[active]["fillcolor"], states[active]["text"])]
    colour_bar = {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "hoverinfo": "skip",
                  "showlegend": False, "marker": {"coloraxis": "coloraxis", "color": [0]}}
    latitudes = [y for _, lat in outlines for y in lat if y is not None]
    # A degree of longitude is cos(latitude) times shorter than one of latitude; without this
    # correction the map looks stretched east-west.
    aspect = 1 / math.cos(math.radians((min(latitudes) + max(latitudes)) / 2))
    buttons = [{"name": layer.key, "label": _text(layer.label), "method": "update",
                # A container value replaces the whole coloraxis, so it must be complete.
                "args": [{"fillcolor": state["fillcolor"], "text": state["text"]},
                         {"coloraxis": state["coloraxis"]}, list(range(len(features)))]}
               for layer, state in zip(layers, states)]
    return figure({"height": 520, "margin": {"l": 0, "r": 0, "t": 10, "b": 0}, "dragmode": "pan",
                   "xaxis": {"visible": False}, "yaxis": {"visible": False, "scaleanchor": "x", "scaleratio": aspect},
                   "coloraxis": states[active]["coloraxis"],
                   "updatemenus": [{"buttons": buttons, "active": active, "visible": False}]},
                  *shapes, colour_bar)


def ranking(names: list[str], values: list[float], labels: list[str],
            area_value: float | None, area_label: str, title: str) -> Figure:
    """Horizontal bars, first name on top, with a dashed line at the area value."""
    bars = {"type": "bar", "x": values, "y": [_text(n) for n in names], "orientation": "h",
            "marker": {"color": BAR_COLOUR}, "text": [_text(t) for t in labels], "textposition": "outside",
            "cliponaxis": False, "hovertemplate": "%{y}: %{text}<extra></extra>"}
    return figure({"height": max(170, 22 * len(names) + 100), "bargap": 0.25, "title": _title(title),
                   "margin": {"l": 10, "r": 70, "t": 60, "b": 30}, "xaxis": GRID | {"rangemode": "tozero"},
                   "yaxis": {"autorange": "reversed", "automargin": True}, **_area_line(area_value, area_label)},
                  bars)


def distribution(names: list[str], values: list[float], labels: list[str],
                 area_value: float | None, area_label: str, title: str) -> Figure:
    """All values as dots on one axis over a box of their quartiles, with the area value.

    Only the dots answer the pointer: the quartiles are plotly's own arithmetic and are shown as a
    shape only, since every number the page states must come from the warehouse.
    """
    box = {"type": "box", "x": values, "name": "", "orientation": "h", "boxpoints": "all", "jitter": 0.6,
           "pointpos": 0, "hoveron": "points", "text": [f"{_text(n)}: {_text(t)}" for n, t in zip(names, labels)],
           "hovertemplate": "%{text}<extra></extra>", "fillcolor": "rgba(0,0,0,0)",
           "line": {"color": "#777", "width": 1},
           "marker": {"color": BAR_COLOUR, "size": 8, "opacity": 0.75, "line": {"color": "white", "width": 1}}}
    return figure({"height": 190, "title": _title(title), "margin": {"l": 10, "r": 20, "t": 60, "b": 30},
                   "xaxis": GRID, "yaxis": {"visible": False}, "showlegend": False,
                   **_area_line(area_value, area_label)}, box)


def rank_ranges(names: list[str], ranks: list[int], lowest: list[int], highest: list[int],
                labels: list[str], title: str) -> Figure:
    """Each municipality's rank as a dot, with a bar over the ranks it gets under other weightings."""
    dots = {"type": "scatter", "x": ranks, "y": [_text(n) for n in names], "mode": "markers",
            "marker": {"color": BAR_COLOUR, "size": 9},
            "error_x": {"type": "data", "symmetric": False, "color": "#777", "thickness": 2, "width": 0,
                        "array": [h - r for r, h in zip(ranks, highest)],
                        "arrayminus": [r - low for r, low in zip(ranks, lowest)]},
            "text": [_text(t) for t in labels], "hovertemplate": "%{y}: %{text}<extra></extra>"}
    return figure({"height": max(170, 22 * len(names) + 100), "title": _title(title),
                   "margin": {"l": 10, "r": 20, "t": 60, "b": 40},
                   "xaxis": GRID | {"tickformat": "d", "rangemode": "tozero",
                                    "title": {"text": "rang (1 = meeste armoedesignalen)"}},
                   "yaxis": {"autorange": "reversed", "automargin": True}}, dots)


@dataclass(frozen=True)
class Line:
    name: str
    years: list[int]
    values: list[float]
    labels: list[str]


def trend(lines: list[Line]) -> Figure:
    """Small line chart; the first line is the municipality, the second the area."""
    traces = [{"type": "scatter", "x": line.years, "y": line.values, "name": _text(line.name),
               "mode": "lines+markers", "line": {"color": colour, "dash": dash, "width": 2},
               "text": [_text(t) for t in line.labels],
               "hovertemplate": f"%{{x}}: %{{text}}<extra>{_text(line.name)}</extra>"}
              for line, colour, dash in zip(lines, (BAR_COLOUR, AREA_COLOUR), ("solid", "dash"))]
    return figure({"height": 240, "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
                   "legend": {"orientation": "h", "x": 0, "y": -0.2},
                   "xaxis": GRID | {"tickformat": "d", "dtick": 1}, "yaxis": GRID | {"automargin": True}}, *traces)


def target_path(observed: Line, baseline: tuple[int, float], goal: tuple[int, float], goal_label: str) -> Figure:
    """The observed values from the baseline year on, beside the straight line from the baseline to the goal."""
    path = {"type": "scatter", "x": [baseline[0], goal[0]], "y": [baseline[1], goal[1]], "name": "Lijn naar het doel",
            "mode": "lines+markers", "line": {"color": AREA_COLOUR, "dash": "dash", "width": 2},
            "marker": {"symbol": ["circle", "star"], "size": [7, 12]},
            "text": ["basiswaarde", _text(f"doel: {goal_label}")],
            "hovertemplate": "%{x}: %{text}<extra></extra>"}
    seen = {"type": "scatter", "x": observed.years, "y": observed.values, "name": _text(observed.name),
            "mode": "lines+markers", "line": {"color": BAR_COLOUR, "width": 2},
            "text": [_text(t) for t in observed.labels],
            "hovertemplate": f"%{{x}}: %{{text}}<extra>{_text(observed.name)}</extra>"}
    return figure({"height": 240, "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
                   "legend": {"orientation": "h", "x": 0, "y": -0.2},
                   "xaxis": GRID | {"tickformat": "d", "dtick": 1}, "yaxis": GRID | {"automargin": True}}, path, seen)


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _title(text: str) -> dict:
    return {"text": _text(text), "x": 0, "xanchor": "left", "font": {"size": 14}}


def _area_line(area_value: float | None, area_label: str) -> dict:
    """Layout entries for a dashed vertical line at the area value, labelled above the plot (what plotly's
    add_vline with annotation_position="top" makes)."""
    if area_value is None:
        return {}
    # Below the data, so it shows in the gaps without crossing the value labels.
    return {"shapes": [{"type": "line", "x0": area_value, "x1": area_value, "xref": "x", "y0": 0, "y1": 1,
                        "yref": "y domain", "layer": "below",
                        "line": {"color": AREA_COLOUR, "dash": "dash", "width": 2}}],
            "annotations": [{"text": _text(area_label), "font": {"color": AREA_COLOUR}, "x": area_value,
                             "xref": "x", "y": 1, "yref": "y domain", "showarrow": False, "xanchor": "center",
                             "yanchor": "bottom"}]}


def _outline(geometry: dict) -> tuple[list, list]:
    """All rings of a (Multi)Polygon as one path; None breaks it into separately filled parts."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    lon, lat = [], []
    for ring in (ring for polygon in polygons for ring in polygon):
        lon += [point[0] for point in ring] + [None]
        lat += [point[1] for point in ring] + [None]
    return lon[:-1], lat[:-1]


def _map_state(features: list[dict], layer: MapLayer) -> dict:
    low, high = min(layer.values.values()), max(layer.values.values())
    span = (high - low) or 1.0
    # plotly.js does not know the '_r' names, so the button carries the scale itself.
    scale = get_colorscale(COLORSCALE + ("_r" if layer.higher_is_darker else ""))
    fill = []
    for feature in features:
        value = layer.values.get(feature["properties"]["nis_code"])
        fill.append(MISSING_FILL if value is None else sample_colorscale(scale, [(value - low) / span])[0])
    text = [f"<b>{_text(feature['properties']['name_nl'])}</b><br>"
            f"{_text(layer.texts[feature['properties']['nis_code']])}<br>{_text(layer.period)}"
            for feature in features]
    colorbar = {"title": {"text": _text(layer.unit)}, "thickness": 14, "len": 0.6, "outlinewidth": 0,
                "tickformat": GRID["tickformat"]}
    return {"fillcolor": fill, "text": text,
            "coloraxis": {"cmin": low, "cmax": low + span, "colorscale": scale, "colorbar": colorbar}}
