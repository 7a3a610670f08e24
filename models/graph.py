"""The model graph: one model per table, named by the table and filed under its layer.

    models/sql/<layer>/<table>.yml   the schema: description, view or table, key, columns, extra checks
    models/sql/<layer>/<table>.sql   the SELECT that makes it (absent for a table made from the catalogue
                                     or the indicator metadata in Python: models/seeds.py)

A schema may also say how its table is published as a download (`download`: the files, and per column in
the order of the file its Dutch header, the model column it publishes and a Dutch description); the data
dictionary, the workbooks' headers and the data package of the downloads are made from these sections
(`downloads`), so a published column has its type from the schema.

Layers run in the order of LAYERS. A model's dependencies are the tables its SQL names (also through the
macros of models/sql/macros.sql), so the graph the Dagster UI shows is read from the SQL itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path

import yaml

SQL_DIR = Path(__file__).with_name("sql")
# catalogue tables (seeds) sit in the layer that first reads them
LAYERS = ("reference", "staging", "harmonised", "indicators", "barometer", "synthesis", "targets")
SCHEMA_FIELDS = {"description", "materialized", "key", "columns", "checks", "download"}
COLUMN_FIELDS = {"type", "description", "values", "min", "max"}
_NAME = re.compile(r"\b[a-z_][a-z0-9_]*\b")
_COMMENT = re.compile(r"--[^\n]*")
_MACRO = re.compile(r"create or replace macro (\w+)\(.*?\) as(.*?);", re.S | re.I)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    # allowed values: a list, or the name of a vocabulary (models/vocabularies.yml); for a list column, of each item
    values: tuple[str, ...] | str | None = None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    # an SQL query returning the offending rows
    query: str


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    description: str
    materialized: str  # "table" or "view"
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    checks: tuple[Check, ...]
    deps: tuple[str, ...]
    sql: str | None  # None: made in Python (models/seeds.py)
    files: tuple[Path, ...]

    def create_statement(self) -> str:
        return f'create or replace {self.materialized} "{self.name}" as\n{self.sql}'


@dataclass(frozen=True)
class PublishedColumn:
    name: str  # in the CSV and Parquet files
    header: str  # Dutch, in the workbooks; may name {area}
    source: str  # "<model>.<column>" it publishes; a list column is published as its items joined by '|'
    type: str  # the type of that column in its schema
    description: str  # Dutch, for the data dictionary; may name {area}, {region}, {format_note}, {flag_note}


@dataclass(frozen=True)
class Download:
    model: str
    files: str  # the files it describes, as the data dictionary names them: "a.csv en map/<nis_code>.csv"
    columns: tuple[PublishedColumn, ...]
    key: tuple[str, ...]  # the published names of the model's key columns

    def describes(self, relative: str) -> bool:
        """Whether the file at `relative` (a path inside downloads/) is one of `files`."""
        return any(re.fullmatch(r"[^/]+".join(re.escape(part) for part in re.split(r"<\w+>", name)), relative)
                   for name in self.files.split(" en "))


def _schema(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - SCHEMA_FIELDS
    problems = [f"unknown field(s) {sorted(unknown)}"] if unknown else []
    if data.get("materialized", "table") not in ("table", "view"):
        problems.append("materialized must be 'table' or 'view'")
    for name, column in (data.get("columns") or {}).items():
        if set(column) - COLUMN_FIELDS:
            problems.append(f"column {name}: unknown field(s) {sorted(set(column) - COLUMN_FIELDS)}")
        if not column.get("type") or not column.get("description"):
            problems.append(f"column {name}: a type and a description are required")
    if not data.get("description") or not data.get("columns"):
        problems.append("a description and the columns are required")
    problems += [f"check name {c.get('name')!r} must be snake_case" for c in data.get("checks") or ()
                 if not re.fullmatch(r"[a-z][a-z0-9_]*", str(c.get("name")))]
    if any(k not in (data.get("columns") or {}) for k in data.get("key") or ()):
        problems.append(f"key {data.get('key')} names a column the schema does not list")
    download = data.get("download")
    if download is not None and (set(download) != {"files", "columns"} or not download["columns"]):
        problems.append("download needs exactly 'files' and 'columns'")
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return data


@cache
def _schema_files(folder: Path) -> dict[str, tuple[str, Path]]:
    """Each model's layer and schema file, in the order of LAYERS."""
    schemas = {}
    for layer in LAYERS:
        for path in sorted((folder / layer).glob("*.yml")):
            if path.stem in schemas:
                raise ValueError(f"{path}: model {path.stem} is defined twice")
            schemas[path.stem] = (layer, path)
    return schemas


def schema_columns(model: str, folder: Path = SQL_DIR) -> dict[str, dict]:
    """The columns of a model as its schema file lists them (type, description, ...)."""
    return _schema(_schema_files(folder)[model][1])["columns"]


@cache
def downloads(folder: Path = SQL_DIR) -> tuple[Download, ...]:
    """The published form of every model whose schema has a `download` section."""
    schemas = {name: _schema(path) for name, (_, path) in _schema_files(folder).items()}
    found = []
    for model, data in schemas.items():
        if "download" not in data:
            continue
        columns = []
        for name, spec in data["download"]["columns"].items():
            table, _, column = spec.get("from", name).rpartition(".")
            table = table or model
            described = (schemas.get(table) or {}).get("columns", {}).get(column)
            if described is None or not spec.get("description") or not spec.get("header"):
                raise ValueError(f"{_schema_files(folder)[model][1]}: download column {name}: 'from' must name a "
                                 f"column of a model's schema (not {table}.{column}); a header and a description "
                                 "are required")
            columns.append(PublishedColumn(name=name, header=spec["header"], source=f"{table}.{column}",
                                           type=described["type"],
                                           description=" ".join(spec["description"].split())))
        named = {c.source: c.name for c in columns}
        key = tuple(named.get(f"{model}.{column}") for column in data.get("key") or ())
        if not key or None in key:
            raise ValueError(f"{_schema_files(folder)[model][1]}: a download publishes every column of the "
                             f"model's key {data.get('key')}")
        found.append(Download(model=model, files=data["download"]["files"], columns=tuple(columns), key=key))
    return tuple(found)


def _names(sql: str) -> set[str]:
    return set(_NAME.findall(_COMMENT.sub("", sql).lower()))


@cache
def macro_tables(known: frozenset[str], folder: Path = SQL_DIR) -> dict[str, set[str]]:
    """The tables each macro of macros.sql reads."""
    text = _COMMENT.sub("", (folder / "macros.sql").read_text(encoding="utf-8"))
    return {name: _names(body) & known for name, body in _MACRO.findall(text)}


def dependencies(sql: str, known: set[str], folder: Path = SQL_DIR) -> set[str]:
    names = _names(sql)
    found = names & known
    for macro, tables in macro_tables(frozenset(known), folder).items():
        if macro in names:
            found |= tables
    return found


@cache
def load_models(raw_tables: frozenset[str], seed_deps: tuple[tuple[str, tuple[str, ...]], ...],
                folder: Path = SQL_DIR) -> tuple[Model, ...]:
    """Every model under `folder`, in an order in which each comes after what it reads. `raw_tables` are the
    tables the sources load; `seed_deps` what each Python-made table reads."""
    schemas = _schema_files(folder)
    stray = {p.stem for p in folder.glob("*/*.sql")} - set(schemas)
    if stray:
        raise ValueError(f"{folder}: SQL without a schema file: {sorted(stray)}")
    seeds = dict(seed_deps)
    known = set(schemas) | raw_tables
    models = {}
    for name, (layer, path) in schemas.items():
        data = _schema(path)
        sql_path = path.with_suffix(".sql")
        if sql_path.exists():
            sql = sql_path.read_text(encoding="utf-8").strip()
            deps = dependencies(sql, known - {name}, folder)
        elif name in seeds:
            sql, deps = None, set(seeds[name])
        else:
            raise ValueError(f"{path}: no {sql_path.name} and no Python-made table of that name (models/seeds.py)")
        columns = tuple(Column(name=c, type=v["type"], description=v["description"],
                               values=tuple(v["values"]) if isinstance(v.get("values"), list) else v.get("values"),
                               min=v.get("min"), max=v.get("max")) for c, v in data["columns"].items())
        checks = tuple(Check(**c) for c in data.get("checks") or ())
        models[name] = Model(name=name, layer=layer, description=data["description"].strip(),
                             materialized=data.get("materialized", "table"), key=tuple(data.get("key") or ()),
                             columns=columns, checks=checks, deps=tuple(sorted(deps)), sql=sql,
                             files=(path, sql_path) if sql is not None else (path,))
    missing = set(seeds) - set(models)
    if missing:
        raise ValueError(f"{folder}: Python-made tables without a schema file: {sorted(missing)}")
    order = TopologicalSorter({n: [d for d in m.deps if d in models] for n, m in models.items()})
    return tuple(models[name] for name in order.static_order())


def downstream(models: tuple[Model, ...], names: set[str]) -> set[str]:
    """`names` and every model that reads one of them, directly or not."""
    found = set(names)
    for model in models:  # in graph order, so one pass suffices
        if found & set(model.deps):
            found.add(model.name)
    return found
