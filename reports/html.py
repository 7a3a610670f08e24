"""Static HTML pages: the overview (index.html), one page per municipality (gemeenten/<nis>.html), the
councils' targets (doelstellingen.html) and the method page (methode.html).

Every page loads the one shared copy of plotly.js in assets/ by a relative path, so the site works
offline from file:// and never contacts another host.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import jinja2
from plotly.offline import get_plotlyjs

from models.boundaries import current_boundaries
from models.specs import COUNT_UNITS
from reports import composite, disclosure, downloads, queries, targets
from reports.method import method_context
from reports.municipality import municipality_contexts
from reports.overview import overview_context

TEMPLATES = Path(__file__).with_name("templates")
STYLESHEET = Path(__file__).with_name("static") / "barometer.css"


def area_boundaries(con: duckdb.DuckDBPyConnection, topology: dict) -> dict:
    """The boundaries of the area's municipalities of today (GeoJSON), from the TopoJSON of 2019 and the register."""
    current_of, names = queries.boundary_codes(con)
    return current_boundaries(topology, current_of, names)


def write_pages(con: duckdb.DuckDBPyConnection, folder: Path, geojson: dict | None, area_name: str) -> None:
    """Write index.html, methode.html, gemeenten/<nis_code>.html and assets/ into `folder`; without
    boundaries (`geojson` None) the overview has no map and says so."""
    indicators = queries.indicators(con).to_dicts()
    rows = disclosure.published_barometer(con)
    municipalities = queries.municipalities(con)
    synthesis = composite.load(con)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    common = {"area_name": area_name, "n_municipalities": len(municipalities), "region_name": queries.region_name(con)}
    national_xlsx = downloads.national_xlsx_fits(rows.height)

    (folder / "assets").mkdir(parents=True, exist_ok=True)
    (folder / "assets" / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    shutil.copyfile(STYLESHEET, folder / "assets" / "barometer.css")

    index = overview_context(indicators, rows, municipalities, geojson, area_name, synthesis)
    _render(env, "index.html.j2", folder / "index.html", root="", national_xlsx=national_xlsx,
            national_xlsx_note=downloads.NO_NATIONAL_XLSX, **common, **index)
    method = method_context(indicators, synthesis, queries.counts(con, COUNT_UNITS),
                            queries.council_terms(con), queries.area_coverage_rule(con), len(municipalities))
    _render(env, "methode.html.j2", folder / "methode.html", root="", **common, **method)
    (folder / "gemeenten").mkdir(exist_ok=True)
    terms = disclosure.protect_term_changes(queries.term_changes(con), rows)
    progress, profiles = targets.progress(con, rows), targets.profiles(con)
    by_id = {i["indicator_id"]: i for i in indicators}
    _render(env, "doelstellingen.html.j2", folder / "doelstellingen.html", root="", **common,
            **targets.province_context(progress, by_id, municipalities))
    for municipality, page in municipality_contexts(indicators, rows, queries.area_values(con), terms,
                                                    municipalities, area_name, synthesis, progress, profiles):
        _render(env, "gemeente.html.j2", folder / "gemeenten" / f"{municipality['nis_code']}.html",
                root="../", **common, **page)


def _render(env: jinja2.Environment, template: str, target: Path, **context) -> None:
    target.write_text(env.get_template(template).render(**context), encoding="utf-8")
