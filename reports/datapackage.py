"""datapackage.json: a Frictionless data package describing every CSV download — its fields with type,
Dutch title and description, its primary key — with the sources and licences of the figures.

Every CSV has a Parquet file beside it with the same columns, typed; the workbooks (XLSX) hold the same rows
for people. The descriptions of the published columns come from the `download` sections of the model
schemas (models/graph.py), those of the metadata files from their models' schemas.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from models.graph import Download

# how a schema's SQL type is described in a Table Schema; a list column is published as text
FIELD_TYPES = {"VARCHAR": "string", "VARCHAR[]": "string", "DOUBLE": "number", "BIGINT": "integer",
               "INTEGER": "integer", "BOOLEAN": "boolean"}
POLARS_TYPES = {"String": "string", "Float64": "number", "Int64": "integer", "Int32": "integer",
                "Boolean": "boolean"}
# the metadata files beside the published models, with their keys
METADATA_KEYS = {"indicators.csv": ["indicator_id"], "data_dictionary.csv": ["bestand", "kolom"]}
# the licences the catalogue names, with their deed where it is a standard one
KNOWN_LICENCES = {"CC BY 4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
                  "CC0 1.0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/")}
NOTE = ("Elk CSV-bestand heeft een Parquet-bestand met dezelfde kolommen (getypeerd) en, voor mensen, een "
        "Excel-bestand met Nederlandse koppen.")


def write(target: Path, downloads: Iterable[Download], fills: dict[str, str],
          descriptions: dict[str, dict[str, str]], sources: list[dict]) -> None:
    """Write target/datapackage.json for the CSV files in `target` (the downloads folder); `fills` are the
    names the schema texts leave open, `descriptions` those of the metadata files' columns, `sources` the
    title, publisher, licence and url of each source with figures in the downloads."""
    downloads = tuple(downloads)
    resources = []
    for path in sorted(target.rglob("*.csv")):
        relative = path.relative_to(target).as_posix()
        download = next((d for d in downloads if d.describes(relative)), None)
        if download is not None:
            fields = [{"name": c.name, "title": c.header.format_map(fills), "type": FIELD_TYPES[c.type],
                       "description": c.description.format_map(fills)} for c in download.columns]
            key = list(download.key)
        else:
            fields, key = _fields_of_header(path, descriptions[path.stem]), METADATA_KEYS[relative]
        resources.append({
            "name": relative.removesuffix(".csv").replace("/", "-").replace("_", "-").lower(),
            "profile": "tabular-data-resource", "path": relative, "format": "csv", "encoding": "utf-8",
            "mediatype": "text/csv",
            "schema": {"fields": fields, "primaryKey": key},
        })
    package = {
        "profile": "tabular-data-package", "name": "armoedebarometer", "title": "Armoedebarometer",
        "description": NOTE, "licenses": _licences(sources), "sources": _sources(sources),
        "resources": resources,
    }
    (target / "datapackage.json").write_text(json.dumps(package, indent=1, ensure_ascii=False) + "\n",
                                             encoding="utf-8")


def _fields_of_header(path: Path, descriptions: dict[str, str]) -> list[dict]:
    """The fields of a metadata file, typed from its Parquet sibling."""
    schema = pl.read_parquet_schema(path.with_suffix(".parquet"))
    return [{"name": name, "type": POLARS_TYPES.get(str(dtype), "string"), "description": descriptions[name]}
            for name, dtype in schema.items()]


def _licences(sources: list[dict]) -> list[dict]:
    """The standard licences among the sources' (the others are named with each source)."""
    found = {}
    for source in sources:
        known = next((v for k, v in KNOWN_LICENCES.items() if (source["licence"] or "").startswith(k)), None)
        if known:
            found[known[0]] = {"name": known[0], "path": known[1], "title": source["licence"]}
    return list(found.values())


def _sources(sources: list[dict]) -> list[dict]:
    return [{"title": s["title"], **({"path": s["url"]} if s["url"] else {}), "publisher": s["publisher"],
             "licence": s["licence"] or "onbekend"} for s in sources]
