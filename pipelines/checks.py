"""Blocking validation checks on every raw table: a failure stops everything downstream."""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetChecksDefinition, MetadataValue, asset_check

from models.validation import describe_failures, rules_for, validate
from pipelines.assets import CATALOG, RAW_SOURCES
from pipelines.resources import BarometerResource
from sources.catalog import Source


def validation_check(source: Source) -> AssetChecksDefinition:
    rules = rules_for(source, CATALOG)

    @asset_check(asset=source.raw_table, name="valid", blocking=True,
                 description=f"Rules derived from the catalogue for {source.file}: "
                             + "; ".join(r.name for r in rules))
    def _check(context: AssetCheckExecutionContext, barometer: BarometerResource) -> AssetCheckResult:
        results = validate(barometer.warehouse, source.raw_table, rules)
        failures = describe_failures(source.file, results)
        if failures:
            context.log.error(failures)
        summary = "\n".join(f"| {r.rule.name} | {'ok' if r.success else 'FAILED'} | {r.n_failing} | {r.rule.description} |"
                            for r in results)
        return AssetCheckResult(
            passed=not failures, description=failures or f"{len(results)} rules passed for {source.file}",
            metadata={"rules": MetadataValue.md("| rule | result | rows | meaning |\n|---|---|---|---|\n" + summary),
                      "source_file": source.file})

    return _check


VALIDATION_CHECKS = [validation_check(s) for s in RAW_SOURCES]
