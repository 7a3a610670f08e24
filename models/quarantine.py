"""Quarantine: the rows that fail a blocking row-level rule, kept with the rule and the source file.

After every validation of a source its quarantined rows are replaced by the rows failing now, and the
outcome of every rule is kept in `validation_results`; both feed the validation report for analysts.
"""
from __future__ import annotations

import duckdb

from models.validation import RuleResult, rule_query
from models.warehouse import first_row

SCHEMA = """
create table if not exists quarantine (
    checked_at timestamp, source_id varchar, source_file varchar, rule varchar, description varchar,
    source_row bigint, nis_code varchar, period varchar, measure varchar, value varchar, row_json json);
create table if not exists validation_results (
    checked_at timestamp, source_id varchar, source_file varchar, rule varchar, description varchar,
    passed boolean, n_failing bigint, error varchar, blocking boolean);
-- warehouses from before warnings existed
alter table validation_results add column if not exists blocking boolean;
-- what a parser read past: measures the catalogue does not know, rows that are not municipalities
create table if not exists source_notes (source_id varchar, source_file varchar, kind varchar, detail varchar,
                                         n bigint);
"""


def record(con: duckdb.DuckDBPyConnection, source_id: str, source_file: str, table: str,
           results: list[RuleResult]) -> int:
    """Replace the source's quarantine and rule outcomes by this validation; returns the rows quarantined."""
    con.execute(SCHEMA)
    con.execute("delete from quarantine where source_id = ?", [source_id])
    con.execute("delete from validation_results where source_id = ?", [source_id])
    for result in results:
        rule = result.rule
        con.execute("insert into validation_results values (now(), ?, ?, ?, ?, ?, ?, ?, ?)",
                    [source_id, source_file, rule.name, rule.description, result.success, result.n_failing,
                     result.error, rule.blocking])
        # a warning (a non-blocking rule) lets its rows through, so they are not held back
        if result.success or result.error or not rule.blocking:
            continue
        con.execute(f"""
            insert into quarantine
            select now(), ?, ?, ?, ?, try_cast(j->>'_source_row' as bigint), j->>'nis_code', j->>'period',
                   j->>'measure', j->>'value', j
            from (select to_json(q) as j from ({rule_query(rule, table)}) q)""",
                    [source_id, source_file, rule.name, rule.description])
    return first_row(con, "select count(*) from quarantine where source_id = ?", [source_id])[0]
