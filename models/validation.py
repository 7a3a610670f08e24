"""Validation of raw tables in DuckDB with Great Expectations.

Rules are derived from the source catalogue (code set, completeness promise, units of each measure,
key columns), not written per file. `rules_for` is plain Python; `validate` imports Great
Expectations only when it runs, because importing it takes seconds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sources.catalog import Catalog, Source

ROW_SAMPLE = 10


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    kind: str  # "not_null" or "rows" (an SQL query returning the offending rows)
    column: str | None = None
    query: str | None = None


@dataclass
class RuleResult:
    rule: Rule
    success: bool
    n_failing: int = 0
    rows: list[dict] = field(default_factory=list)
    error: str | None = None


def _format_rule() -> Rule:
    # GX has no regex support for the DuckDB dialect, so the format check is a query too; no braces
    # in the pattern, because GX fills {batch} with str.format
    return Rule("nis-code-format", "a NIS code is five digits", "rows",
                query="with b as (select * from {batch}) select b.* from b "
                      "where not regexp_full_match(nis_code, '[0-9][0-9][0-9][0-9][0-9]')")


def _set_condition(source: Source, period_expr: str) -> str:
    """SQL condition on `m` (municipalities) selecting the code set a row of this source must use."""
    if source.geography == "as_of_period":
        return f"period_date({period_expr}) between m.valid_from and m.valid_to"
    return f"date '{int(source.geography)}-01-01' between m.valid_from and m.valid_to"


def _observation_rules(source: Source, catalog: Catalog) -> list[Rule]:
    ranges = []
    for measure, unit_id in source.measures.items():
        unit = catalog.units[unit_id]
        bounds = [f"value < {unit.min}" if unit.min is not None else None,
                  f"value > {unit.max}" if unit.max is not None else None]
        bounds = " or ".join(b for b in bounds if b)
        if bounds:
            ranges.append(f"(measure = '{measure}' and ({bounds}))")
    rules = [
        Rule("nis-code-present", "every row has a NIS code", "not_null", column="nis_code"),
        Rule("period-present", "every row has a period", "not_null", column="period"),
        _format_rule(),
        Rule("nis-code-in-code-set",
             f"the NIS code belongs to the municipality set of the source ({source.geography})", "rows",
             query="with b as (select * from {batch}) select b.* from b where not exists ("
                   "select 1 from municipalities m where m.nis_code = b.nis_code and "
                   f"{_set_condition(source, 'b.period')})"),
        Rule("unique-key", "one row per (nis_code, measure, period)", "rows",
             query="with b as (select * from {batch}) select b.* from b "
                   "qualify count(*) over (partition by nis_code, measure, period) > 1"),
    ]
    if ranges:
        rules.append(Rule("value-in-unit-range", "the value lies in the range its unit allows "
                          "(percent 0-100, counts and amounts not negative, ...)", "rows",
                          query="with b as (select * from {batch}) select b.* from b where " + " or ".join(ranges)))
    if source.complete:
        rules.append(Rule(
            "complete-coverage", "the source promises a row for every municipality of its set in every period",
            "rows",
            query="with b as (select * from {batch}), "
                  "expected as (select m.nis_code, p.measure, p.period from (select distinct measure, period from b) p "
                  f"join municipalities m on {_set_condition(source, 'p.period')}) "
                  "select e.* from expected e where not exists (select 1 from b where b.nis_code = e.nis_code "
                  "and b.measure = e.measure and b.period = e.period)"))
    return rules


def _register_rules(catalog: Catalog) -> list[Rule]:
    sizes = " union all ".join(
        f"select '{year}' as code_set, {expected} as expected, count(*) filter (where level = 'municipality' "
        f"and date '{int(year)}-01-01' between valid_from and valid_to) as found from b"
        for year, expected in catalog.area.municipality_sets.items())
    return [
        Rule("nis-code-present", "every row has a NIS code", "not_null", column="nis_code"),
        _format_rule(),
        Rule("unique-key", "one row per NIS code", "rows",
             query="with b as (select * from {batch}) select b.* from b qualify count(*) over (partition by nis_code) > 1"),
        Rule("validity-order", "valid_from is not after valid_to", "rows",
             query="with b as (select * from {batch}) select b.* from b where valid_from > valid_to"),
        Rule("successor-known", "a successor code is itself in the register", "rows",
             query="with b as (select * from {batch}) select b.* from b where successor_nis_code is not null "
                   "and successor_nis_code not in (select nis_code from b)"),
        Rule("code-set-sizes", "each municipality set has the size the area configuration expects", "rows",
             query=f"with b as (select * from {{batch}}), sizes as ({sizes}) select * from sizes where found <> expected"),
    ]


def _boundary_rules(source: Source) -> list[Rule]:
    current = _set_condition(source, "null")
    return [
        Rule("nis-code-in-code-set", f"every shape belongs to the municipality set {source.geography}", "rows",
             query="with b as (select * from {batch}) select b.* from b where not exists (select 1 from "
                   f"municipalities m where m.nis_code = b.nis_code and {current})"),
        Rule("unique-key", "one shape per NIS code", "rows",
             query="with b as (select * from {batch}) select b.* from b qualify count(*) over (partition by nis_code) > 1"),
        Rule("complete-coverage", "a shape for every municipality of the set", "rows",
             query=f"with b as (select * from {{batch}}) select m.nis_code, m.name_nl from municipalities m where {current} "
                   "and m.nis_code not in (select nis_code from b)"),
    ]


def rules_for(source: Source, catalog: Catalog) -> list[Rule]:
    if source.has_observations:
        return _observation_rules(source, catalog)
    if source.parser == "register":
        return _register_rules(catalog)
    if source.parser == "geojson":
        return _boundary_rules(source)
    if source.parser == "gsm_catalogue":
        return [Rule("unique-key", "one entry per indicator code", "rows",
                     query="with b as (select * from {batch}) select b.* from b where code is not null "
                           "qualify count(*) over (partition by code) > 1")]
    raise ValueError(f"no validation rules for parser {source.parser!r} of source {source.id}")


def _persist_duckdb_connections() -> None:
    # GX closes SQL connections between metrics unless the dialect is listed here; with DuckDB that
    # loses every result (GX issues #10738, #11579). tests/test_validation.py fails loudly if this
    # private name changes in a GX upgrade.
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    class DuckDBDialect(str):
        value = "duckdb"

    if "duckdb" not in engine_module._PERSISTED_CONNECTION_DIALECTS:
        engine_module._PERSISTED_CONNECTION_DIALECTS = (*engine_module._PERSISTED_CONNECTION_DIALECTS,
                                                        DuckDBDialect("duckdb"))


def _expectation(gx, rule: Rule):
    meta = {"rule": rule.name}
    if rule.kind == "not_null":
        return gx.expectations.ExpectColumnValuesToNotBeNull(column=rule.column, meta=meta)
    return gx.expectations.UnexpectedRowsExpectation(unexpected_rows_query=rule.query, description=rule.description,
                                                     meta=meta)


def _failing_rows(result) -> tuple[int, list[dict]]:
    info = result.result or {}
    if "details" in info:
        rows = info["details"].get("unexpected_rows") or []
        return int(info.get("observed_value") or len(rows)), [dict(r) for r in rows[:ROW_SAMPLE]]
    return int(info.get("unexpected_count") or 0), [dict(r) for r in (info.get("unexpected_index_list") or [])[:ROW_SAMPLE]]


def validate(database: Path, table: str, rules: list[Rule]) -> list[RuleResult]:
    """Run the rules on `table` inside DuckDB (read-only connection) and return one result per rule."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _persist_duckdb_connections()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_sql(
        name="warehouse", connection_string=f"duckdb:///{database}",
        kwargs={"connect_args": {"read_only": True}})
    try:
        batch = datasource.add_table_asset(table, table_name=table).add_batch_definition_whole_table(
            "whole").get_batch()
        suite = gx.ExpectationSuite(name=f"{table}_rules", expectations=[_expectation(gx, r) for r in rules])
        by_rule = {r.name: r for r in rules}
        outcome = batch.validate(suite, result_format={
            "result_format": "COMPLETE", "unexpected_index_column_names": ["_source_row"]})
        results = []
        for item in outcome.results:
            rule = by_rule[item.expectation_config.meta["rule"]]
            error = _exception_message(item.exception_info)
            n, rows = _failing_rows(item)
            results.append(RuleResult(rule, bool(item.success) and error is None, n, rows, error))
        return results
    finally:
        # release the file: the datasource and its execution engine each hold an engine on it
        execution_engine = datasource.get_execution_engine()
        if execution_engine._connection is not None:
            execution_engine._connection.close()
        execution_engine.engine.dispose()
        datasource.get_engine().dispose()


def _exception_message(info: dict) -> str | None:
    # GX reports either one exception or one per metric, keyed by metric id
    candidates = [info, *(v for v in info.values() if isinstance(v, dict))]
    messages = [c.get("exception_message") for c in candidates if c.get("raised_exception")]
    return "; ".join(str(m) for m in messages) or None


def describe_failures(source_file: str, results: list[RuleResult]) -> str:
    """One readable paragraph per failed rule: file, rule and the offending rows."""
    lines = []
    for r in results:
        if r.success:
            continue
        if r.error:
            lines.append(f"{source_file}: rule '{r.rule.name}' could not be evaluated: {r.error}")
            continue
        shown = "; ".join(_row_text(row) for row in r.rows)
        more = f" (first {len(r.rows)} shown)" if r.n_failing > len(r.rows) else ""
        lines.append(f"{source_file}: rule '{r.rule.name}' ({r.rule.description}) failed for "
                     f"{r.n_failing} row(s){more}: {shown}")
    return "\n".join(lines)


def _row_text(row: dict) -> str:
    where = f"row {row['_source_row']}" if row.get("_source_row") is not None else "expected"
    fields = ", ".join(f"{k}={v}" for k, v in row.items()
                       if k in ("nis_code", "measure", "period", "value", "name_nl", "code_set", "expected", "found",
                                "successor_nis_code", "code"))
    return f"{where} ({fields})"
