"""Blocking validation checks on every raw table: a failure stops everything downstream."""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetChecksDefinition, MetadataValue, asset_check

from models.quarantine import record
from models.validation import RuleResult, describe_failures, rules_for, validate
from models.warehouse import row_count
from pipelines.assets import CATALOG, RAW_SOURCES, markdown
from reports.validation import write_validation_report
from pipelines.resources import BarometerResource
from sources.catalog import Source
from sources.snapshots import find_latest


def validation_check(source: Source) -> AssetChecksDefinition:
    rules = rules_for(source, CATALOG)

    @asset_check(asset=source.raw_table, name="valid", blocking=True,
                 description=f"Rules derived from the catalogue for {source.id}: "
                             + "; ".join(r.name for r in rules))
    def _check(context: AssetCheckExecutionContext, barometer: BarometerResource) -> AssetCheckResult:
        file = _file_name(barometer, source)
        with barometer.connect() as con:
            empty = source.has_observations and row_count(con, source.raw_table) == 0
        if empty:
            # every observation rule names offending rows of the table (or rows expected from its periods),
            # so an empty table passes them all; Great Expectations is not even imported
            context.log.info(f"{file}: no rows, nothing to validate")
            results = [RuleResult(rule, True) for rule in rules]
        else:
            context.log.info(f"validating {file} ({len(rules)} rules)")
            results = validate(barometer.warehouse, source.raw_table, rules)
        failures = describe_failures(file, results)
        warnings = describe_failures(file, results, blocking=False)
        with barometer.connect() as con:
            quarantined = record(con, source.id, file, source.raw_table, results)
            if failures or warnings:
                # a blocked run publishes nothing, so the report outside the releases is where its reasons
                # are read; after a run that passes, the release writes it
                write_validation_report(con, barometer.validation_report, CATALOG.area.name)
            held = con.sql("select source_row, rule, nis_code, period, measure, value from quarantine "
                           "where source_id = ? order by source_row limit 20", params=[source.id]).pl()
        if failures:
            context.log.error(failures)
        if warnings:
            context.log.warning(warnings)
        summary = "\n".join(
            f"| {r.rule.name} | {'ok' if r.success else 'FAILED' if r.rule.blocking else 'WARNING'} | {r.n_failing} "
            f"| {r.rule.description} |" for r in results)
        return AssetCheckResult(
            passed=not failures,
            description="\n".join(filter(None, [failures, warnings])) or f"{len(results)} rules passed for {file}",
            metadata={"rules": MetadataValue.md("| rule | result | rows | meaning |\n|---|---|---|---|\n" + summary),
                      "source_file": file, "warnings": warnings, "quarantined_rows": MetadataValue.int(quarantined),
                      "quarantine": MetadataValue.md(markdown(held)),
                      "validation_report": MetadataValue.path(str(barometer.validation_report))})

    return _check


def _file_name(barometer: BarometerResource, source: Source) -> str:
    """The file a message names: the source's newest snapshot, or the files a built table comes from."""
    if source.parts:
        return " + ".join(_file_name(barometer, CATALOG.source(part)) for part in source.parts)
    snapshot = find_latest(barometer.snapshot_roots, source.id)
    return snapshot.origin["file"] if snapshot else f"{source.id} (no file yet)"


VALIDATION_CHECKS = [validation_check(s) for s in RAW_SOURCES]
