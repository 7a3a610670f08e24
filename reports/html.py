"""Static HTML pages: the overview (index.html) and one page per municipality (gemeenten/<nis>.html).

Every page loads the one shared copy of plotly.js in assets/ by a relative path, so the site
works offline from file:// and never contacts another host.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import jinja2
from plotly.offline import get_plotlyjs

from reports import queries
from reports.municipality import municipality_contexts
from reports.overview import overview_context

TEMPLATES = Path(__file__).with_name("templates")
STYLESHEET = Path(__file__).with_name("static") / "barometer.css"


def write_pages(con: duckdb.DuckDBPyConnection, folder: Path, geojson_path: Path, area_name: str) -> None:
    """Write index.html, gemeenten/<nis_code>.html and assets/ into `folder`."""
    indicators = queries.indicators(con).to_dicts()
    rows = queries.barometer(con)
    municipalities = queries.municipalities(con)
    geojson = json.loads(geojson_path.read_text(encoding="utf-8"))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    common = {"area_name": area_name, "n_municipalities": len(municipalities)}

    (folder / "assets").mkdir(parents=True, exist_ok=True)
    (folder / "assets" / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    shutil.copyfile(STYLESHEET, folder / "assets" / "barometer.css")

    index = overview_context(indicators, rows, municipalities, geojson, area_name)
    _render(env, "index.html.j2", folder / "index.html", root="", **common, **index)
    (folder / "gemeenten").mkdir(exist_ok=True)
    for municipality, page in municipality_contexts(indicators, rows, queries.area_values(con),
                                                    municipalities, area_name):
        _render(env, "gemeente.html.j2", folder / "gemeenten" / f"{municipality['nis_code']}.html",
                root="../", **common, **page)


def _render(env: jinja2.Environment, template: str, target: Path, **context) -> None:
    target.write_text(env.get_template(template).render(**context), encoding="utf-8")
