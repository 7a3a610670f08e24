"""Validation of raw tables in DuckDB with Great Expectations.

Rules are derived from the source catalogue (code set, completeness promise, units of each measure,
key columns) and the indicator metadata (which measures are a part and its whole), not written per
file. A rule that is not blocking reports a warning: the data is used, and the rows are named.
`rules_for` is plain Python; `validate` imports Great Expectations only when it runs, because
importing it takes seconds (in a background thread it only competed with the loads for the interpreter).
"""
from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from collections.abc import Mapping
from pathlib import Path

from models.metadata import SHARE_SCALES, Indicator
from models.warehouse import connection_config
from sources.catalog import Catalog, Source

ROW_SAMPLE = 10
# a value this many times larger or smaller than the year before is most likely a unit or decimal slip
# (a percentage given as a fraction, euros as cents), but could be real: it is shown, not blocked
SUSPICIOUS_FACTOR = 100


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    # an SQL query returning the offending rows ({batch} is the table checked); without one, the rule is
    # that `column` is filled in every row
    query: str | None = None
    column: str | None = None
    # a failing rule that is not blocking is a warning: reported with its rows, the data still passes
    blocking: bool = True


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
    return Rule("nis-code-format", "a NIS code is five digits",
                query="with b as (select * from {batch}) select b.* from b "
                      "where not regexp_full_match(nis_code, '[0-9][0-9][0-9][0-9][0-9]')")


def _set_condition(source: Source, period_expr: str) -> str:
    """SQL condition on `m` (municipalities) selecting the code set a row of this source must use."""
    if source.geography == "as_of_period":
        return f"period_date({period_expr}) between m.valid_from and m.valid_to"
    return f"date '{int(source.geography)}-01-01' between m.valid_from and m.valid_to"


def _observation_rules(source: Source, catalog: Catalog, indicators: tuple[Indicator, ...]) -> list[Rule]:
    ranges = []
    for measure, unit_id in source.measures.items():
        unit = catalog.units[unit_id]
        bounds = [f"value < {unit.min}" if unit.min is not None else None,
                  f"value > {unit.max}" if unit.max is not None else None]
        bounds = " or ".join(b for b in bounds if b)
        if bounds:
            ranges.append(f"(measure = '{measure}' and ({bounds}))")
    rules = [
        Rule("nis-code-present", "every row has a NIS code", column="nis_code"),
        Rule("period-present", "every row has a period", column="period"),
        _format_rule(),
        Rule("nis-code-in-code-set",
             f"the NIS code belongs to the municipality set of the source ({source.geography})"
             + (" and to the area" if source.scope == "area" else ", or is a unit of the REFNIS hierarchy"),              query="with b as (select * from {batch}) select b.* from b where not exists ("
                   f"select 1 from municipality_codes m where m.nis_code = b.nis_code and "
                   f"{_set_condition(source, 'b.period')}{' and m.in_area' if source.scope == 'area' else ''})"
                   + ("" if source.scope == "area" else
                      " and not exists (select 1 from raw_municipality_register u where u.nis_code = b.nis_code "
                      "and u.level <> 'municipality')")),
        Rule("unique-key", "one row per (nis_code, measure, period)",
             query="with b as (select * from {batch}) select b.* from b "
                   "qualify count(*) over (partition by nis_code, measure, period) > 1"),
    ]
    if ranges:
        rules.append(Rule("value-in-unit-range", "the value lies in the range its unit allows "
                          "(percent 0-100, counts and amounts not negative, ...)",
                          query="with b as (select * from {batch}) select b.* from b where " + " or ".join(ranges)))
    if source.complete:
        rules.append(Rule(
            "complete-coverage", "the source promises a row for every municipality of its set in every period",
            query="with b as (select * from {batch}), "
                  "expected as (select m.nis_code, p.measure, p.period from (select distinct measure, period from b) p "
                  f"join municipalities m on {_set_condition(source, 'p.period')}) "
                  "select e.* from expected e where not exists (select 1 from b where b.nis_code = e.nis_code "
                  "and b.measure = e.measure and b.period = e.period)"))
    rules += [_future_rule(), *_share_rules(source, indicators), _change_rule()]
    return rules


def _future_rule() -> Rule:
    # any period text names a year first ("2024", "2021-01-01", "latest_available_2026-03",
    # "unknown (article c. 2015)"); a dated period may not lie after today either
    return Rule("period-not-in-future", "the period does not lie after today (no year after the current one)",
                query="with b as (select * from {batch}) select b.* from b where "
                              "coalesce(try_cast(regexp_extract(period, '([0-9][0-9][0-9][0-9])', 1) as integer) "
                              "> year(current_date), false) or coalesce(period_date(period) > current_date, false)")


def _share_pairs(source: Source, indicators: tuple[Indicator, ...]) -> list[tuple[str, str]]:
    """(numerator, denominator) of each indicator that is a share (percent, per 1,000) of two measures
    of this source: the part cannot be larger than the whole it is a share of."""
    pairs = []
    for indicator in indicators:
        parts = (indicator.compute.get("numerator"), indicator.compute.get("denominator"))
        if float(indicator.compute.get("scale", 1)) in SHARE_SCALES and set(parts) <= source.measures.keys():
            pairs.append(parts)
    return pairs


def _share_rules(source: Source, indicators: tuple[Indicator, ...]) -> list[Rule]:
    pairs = _share_pairs(source, indicators)
    if not pairs:
        return []
    which = " or ".join(f"(n.measure = '{n}' and d.measure = '{d}')" for n, d in pairs)
    return [Rule("numerator-within-denominator", "a numerator is not larger than its denominator ("
                 + ", ".join(f"{n} <= {d}" for n, d in pairs) + ")",
                 query="with b as (select * from {batch}) select n.*, d.value as denominator_value from b n "
                       f"join b d on d.nis_code = n.nis_code and d.period = n.period where ({which}) "
                       "and n.value > d.value")]


def _change_rule() -> Rule:
    # the previous year is the same measure and municipality one year earlier, in the same month for
    # monthly figures; zero has no factor
    return Rule(
        "change-within-factor-100", f"a value is less than {SUSPICIOUS_FACTOR} times larger or smaller than the "
        "year before (a warning: a unit or decimal slip is likely, but the value is used)",
        query="with b as (select * from {batch}), s as (select *, period_year(period) as _year, "
              "coalesce(month(period_date(period)), 0) as _month from b where value <> 0) "
              "select c.* exclude (_year, _month), p.period as previous_period, p.value as previous_value "
              "from s c join s p on p.nis_code = c.nis_code and p.measure = c.measure and p._month = c._month "
              "and p._year = c._year - 1 "
              f"where round(greatest(abs(c.value / p.value), abs(p.value / c.value)), 6) >= {SUSPICIOUS_FACTOR}",
        blocking=False)


def _set_sizes(expected: dict[str, int], condition: str = "true") -> str:
    """Per municipality set: its expected size and the number of register codes valid on its first day."""
    return " union all ".join(
        f"select '{year}' as code_set, {size} as expected, count(*) filter (where level = 'municipality' "
        f"and date '{int(year)}-01-01' between valid_from and valid_to and {condition}) as found from b"
        for year, size in expected.items())


def _register_rules(catalog: Catalog) -> list[Rule]:
    area = catalog.area
    in_area = f"nis_code in (select nis_code from area_municipalities('{area.nis_code}'))"
    if area.municipality_sets:
        area_rule = Rule("code-set-sizes", f"each municipality set of {area.name} has the size the area "
                         "configuration expects",
                         query=f"with b as (select * from {{batch}}), sizes as ({_set_sizes(area.municipality_sets, in_area)}) "
                               "select * from sizes where found <> expected")
    else:
        area_rule = Rule("area-has-municipalities", f"{area.name} has municipalities in every set",
                         query=f"with b as (select * from {{batch}}), sizes as "
                               f"({_set_sizes(catalog.register_sets, in_area)}) select * from sizes where found = 0")
    return [
        Rule("nis-code-present", "every row has a NIS code", column="nis_code"),
        _format_rule(),
        Rule("unique-key", "one row per NIS code",
             query="with b as (select * from {batch}) select b.* from b qualify count(*) over (partition by nis_code) > 1"),
        Rule("validity-order", "valid_from is not after valid_to",
             query="with b as (select * from {batch}) select b.* from b where valid_from > valid_to"),
        Rule("successor-known", "a successor code is itself in the register",
             query="with b as (select * from {batch}) select b.* from b where successor_nis_code is not null "
                   "and successor_nis_code not in (select nis_code from b)"),
        Rule("register-set-sizes", "each of Belgium's municipality sets has its known size",
             query=f"with b as (select * from {{batch}}), sizes as ({_set_sizes(catalog.register_sets)}) "
                   "select * from sizes where found <> expected"),
        area_rule,
    ]


def _boundary_rules(source: Source, catalog: Catalog) -> list[Rule]:
    current = _set_condition(source, "null")
    rules = [
        Rule("nis-code-in-code-set", f"every shape belongs to the municipality set {source.geography}",
             query="with b as (select * from {batch}) select b.* from b where not exists (select 1 from "
                   f"municipality_codes m where m.nis_code = b.nis_code and {current})"),
        Rule("unique-key", "one shape per NIS code",
             query="with b as (select * from {batch}) select b.* from b qualify count(*) over (partition by nis_code) > 1"),
    ]
    if source.covers_area(catalog.area):  # a file of another area has no shapes for this one
        rules.append(Rule(
            "complete-coverage", "a shape for every municipality of the set",
            query=f"with b as (select * from {{batch}}) select m.nis_code, m.name_nl from municipalities m where {current} "
                  "and m.nis_code not in (select nis_code from b)"))
    return rules


def rules_for(source: Source, catalog: Catalog, indicators: tuple[Indicator, ...]) -> list[Rule]:
    if source.has_observations:
        return _observation_rules(source, catalog, indicators)
    if source.parser == "register":
        return _register_rules(catalog)
    if source.parser == "topojson":
        return _boundary_rules(source, catalog)
    if source.parser == "gsm_catalogue":
        return [Rule("unique-key", "one entry per indicator code",
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


def _failing_rows(result) -> tuple[int, list[dict]]:
    info = result.result or {}
    rows = (info.get("details") or {}).get("unexpected_rows") or []
    return int(info.get("observed_value") or len(rows)), [dict(r) for r in rows[:ROW_SAMPLE]]


def validate(database: Path, rules_by_table: Mapping[str, list[Rule]]) -> dict[str, list[RuleResult]]:
    """Run the rules of every table in one Great Expectations run inside DuckDB (a read-only connection):
    one suite of row queries, each naming its own table, so a run of many sources pays GX's start-up
    once and no table is copied into Python. Returns the results per table, one per rule."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    tables = [table for table, rules in rules_by_table.items() if rules]
    if not tables:
        return {table: [] for table in rules_by_table}
    _persist_duckdb_connections()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_sql(
        name="warehouse", connection_string=f"duckdb:///{database}",
        kwargs={"connect_args": {"read_only": True, "config": connection_config(database)}})
    try:
        # the batch only anchors the suite: every query names the table it checks
        batch = datasource.add_table_asset(tables[0], table_name=tables[0]).add_batch_definition_whole_table(
            "whole").get_batch()
        keyed = {f"{table}/{rule.name}": (table, rule) for table in tables for rule in rules_by_table[table]}
        # GX prints a reminder for every query without {batch} whenever it builds one: here each query names
        # its table on purpose
        with contextlib.redirect_stdout(io.StringIO()):
            suite = gx.ExpectationSuite(name="barometer_rules", expectations=[
                gx.expectations.UnexpectedRowsExpectation(unexpected_rows_query=rule_query(rule, table),
                                                          description=rule.description, meta={"key": key})
                for key, (table, rule) in keyed.items()])
            outcome = batch.validate(suite, result_format={"result_format": "COMPLETE"})
        results: dict[str, list[RuleResult]] = {table: [] for table in rules_by_table}
        for item in outcome.results:
            table, rule = keyed[item.expectation_config.meta["key"]]
            error = _exception_message(item.exception_info)
            n, rows = _failing_rows(item)
            results[table].append(RuleResult(rule, bool(item.success) and error is None, n, rows, error))
        return results
    finally:
        # release the file: the datasource and its execution engine each hold an engine on it
        execution_engine = datasource.get_execution_engine()
        if execution_engine._connection is not None:
            execution_engine._connection.close()
        execution_engine.engine.dispose()
        datasource.get_engine().dispose()


def rule_query(rule: Rule, table: str) -> str:
    """The rule as a plain DuckDB query over the whole table, returning every failing row."""
    if rule.query is None:  # a column that must be filled
        return f'select * from "{table}" where "{rule.column}" is null'
    return rule.query.replace("{batch}", f'"{table}"')


def _exception_message(info: dict) -> str | None:
    # GX reports either one exception or one per metric, keyed by metric id
    candidates = [info, *(v for v in info.values() if isinstance(v, dict))]
    messages = [c.get("exception_message") for c in candidates if c.get("raised_exception")]
    return "; ".join(str(m) for m in messages) or None


def describe_failures(source_file: str, results: list[RuleResult], *, blocking: bool = True) -> str:
    """One readable paragraph per failed blocking rule (with `blocking=False`: per warning): file, rule
    and the offending rows."""
    lines = []
    for r in results:
        if r.success or r.rule.blocking != blocking:
            continue
        if r.error:
            lines.append(f"{source_file}: rule '{r.rule.name}' could not be evaluated: {r.error}")
            continue
        shown = "; ".join(_row_text(row) for row in r.rows)
        more = f" (first {len(r.rows)} shown)" if r.n_failing > len(r.rows) else ""
        verdict = "failed for" if blocking else "flagged"
        lines.append(f"{source_file}: rule '{r.rule.name}' ({r.rule.description}) {verdict} "
                     f"{r.n_failing} row(s){more}: {shown}")
    return "\n".join(lines)


def _row_text(row: dict) -> str:
    where = f"row {row['_source_row']}" if row.get("_source_row") is not None else "expected"
    fields = ", ".join(f"{k}={v}" for k, v in row.items()
                       if k in ("nis_code", "measure", "period", "value", "name_nl", "code_set", "expected", "found",
                                "successor_nis_code", "code", "denominator_value", "previous_period",
                                "previous_value"))
    return f"{where} ({fields})"
