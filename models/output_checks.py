"""Checks on the models' outputs, generated from their schema files: the columns and types the schema lists,
one row per key, allowed values (of every item of a list column), ranges, and the extra row queries a schema
states. They run in DuckDB right after a model is built; a failure blocks what reads the model."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import yaml

from models.graph import SQL_DIR, Check, Column, Model

ROW_SAMPLE = 5
SCHEMA_CHECK = "schema"


@dataclass
class OutputCheckResult:
    name: str
    description: str
    problems: list[str] = field(default_factory=list)
    n_failing: int = 0

    @property
    def passed(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        return f"'{self.name}' ({self.description}): " + ("passed" if self.passed else "; ".join(self.problems))


@cache
def vocabularies(path: Path = SQL_DIR / "vocabularies.yml") -> dict[str, tuple[str, ...]]:
    return {name: tuple(values) for name, values in yaml.safe_load(path.read_text(encoding="utf-8")).items()}


def allowed(column: Column) -> tuple[str, ...] | None:
    if isinstance(column.values, str):
        return vocabularies()[column.values]
    return column.values


def schema_rules(model: Model) -> list[tuple[str, str]]:
    """(what, query returning the offending rows) for the key, the allowed values and the ranges."""
    table = f'"{model.name}"'
    rules = []
    if model.key:
        key = ", ".join(f'"{k}"' for k in model.key)
        rules.append((f"one row per ({', '.join(model.key)})",
                      f"select {key}, count(*) as n from {table} group by all having count(*) > 1"))
    for column in model.columns:
        name = f'"{column.name}"'
        values = allowed(column)
        if values:
            listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
            is_list = column.type.endswith("[]")
            condition = (f"len(list_filter({name}, lambda v: v not in ({listed}))) > 0" if is_list
                         else f"{name} not in ({listed})")
            rules.append((f"{column.name} only takes {', '.join(values)}",
                          f"select {name} from {table} where {condition}"))
        for bound, op in ((column.min, "<"), (column.max, ">")):
            if bound is not None:
                rules.append((f"{column.name} {'>=' if op == '<' else '<='} {bound}",
                              f"select * from {table} where {name} {op} {bound}"))
    return rules


def _failing(con: duckdb.DuckDBPyConnection, query: str) -> tuple[int, list[tuple]]:
    rows = con.execute(f"select * from ({query}) limit {ROW_SAMPLE + 1}").fetchall()
    n = len(rows) if len(rows) <= ROW_SAMPLE else con.execute(f"select count(*) from ({query})").fetchone()[0]
    return n, rows[:ROW_SAMPLE]


def check_schema(con: duckdb.DuckDBPyConnection, model: Model) -> OutputCheckResult:
    result = OutputCheckResult(SCHEMA_CHECK, "the columns and types of the schema file, one row per key, allowed "
                                             "values and ranges")
    found = dict(con.execute("select column_name, data_type from duckdb_columns() where table_name = ? "
                             "order by column_index", [model.name]).fetchall())
    expected = {c.name: c.type for c in model.columns}
    if list(found) != list(expected):
        result.problems.append(f"columns are {list(found)}, the schema lists {list(expected)}")
    wrong = [f"{n} is {found[n]}, not {t}" for n, t in expected.items() if n in found and found[n] != t]
    result.problems += wrong
    if result.problems or model.materialized == "view":
        # a view's rows are checked where they land: running its query again only for its checks would cost
        # what building it saves
        return result
    for what, query in schema_rules(model):
        n, rows = _failing(con, query)
        if n:
            result.n_failing += n
            result.problems.append(f"{what}: {n} row(s) fail, e.g. {rows}")
    return result


def check_rows(con: duckdb.DuckDBPyConnection, check: Check) -> OutputCheckResult:
    result = OutputCheckResult(check.name, check.description)
    n, rows = _failing(con, check.query)
    if n:
        result.n_failing = n
        result.problems.append(f"{n} row(s) fail, e.g. {rows}")
    return result


def check_model(con: duckdb.DuckDBPyConnection, model: Model) -> list[OutputCheckResult]:
    return [check_schema(con, model), *(check_rows(con, c) for c in model.checks)]
