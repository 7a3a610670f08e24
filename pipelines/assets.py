"""The pipeline's steps as Dagster assets: one asset per table, in three steps that run the core.

- `ingest`: the register, the reference tables and every raw source table, each raw table with its
  blocking validation check (one Great Expectations run for all of them);
- `models`: every model of models/sql/, each with the checks its schema file generates;
- `release`: the downloads and HTML reports.

Both multi-assets can run a subset, so a run after a new file touches only what it changed.
"""

from collections.abc import Iterator

from dagster import (AssetCheckResult, AssetCheckSpec, AssetExecutionContext, AssetSpec, Config, FreshnessPolicy,
                     MaterializeResult, MetadataValue, TableColumn, TableSchema, asset, multi_asset)

from models.graph import Model
from models.output_checks import SCHEMA_CHECK, OutputCheckResult
from models.validation import RuleResult
from pipelines.core import RELEASE, Pipeline, Validation
from sources.catalog import Source
from sources.freshness import OVERDUE_AFTER

VALID = "valid"


class LoadConfig(Config):
    """Reference years to (re)load: only their rows of the sources that give a year per row are replaced.
    Empty: everything the snapshots hold."""
    years: list[int] = []


def _column_schema(model: Model) -> TableSchema:
    return TableSchema(columns=[TableColumn(c.name, c.type, description=c.description) for c in model.columns])


def _model_spec(model: Model) -> AssetSpec:
    return AssetSpec(model.name, group_name=model.layer, deps=model.deps, skippable=True, kinds={"duckdb"},
                     description=model.description,
                     metadata={"dagster/column_schema": _column_schema(model),
                               "materialized": model.materialized, "key": ", ".join(model.key) or "-"})


def _raw_spec(pipeline: Pipeline, source: Source) -> AssetSpec:
    # in the UI, a source not refreshed within its cadence (plus a margin) shows as overdue
    window = OVERDUE_AFTER.get(source.cadence)
    return AssetSpec(source.raw_table, group_name="raw", deps=pipeline.raw_deps(source), skippable=True,
                     kinds={"duckdb"}, description=f"{source.title}. Publisher: {source.publisher}.",
                     freshness_policy=FreshnessPolicy.time_window(fail_window=window) if window else None)


def _model_check_specs(model: Model) -> list[AssetCheckSpec]:
    if model.sql is None:
        return []  # made from the catalogue and the indicator files, which are checked when they are read
    return [AssetCheckSpec(SCHEMA_CHECK, asset=model.name, blocking=True,
                           description="columns and types of the schema file, one row per key, allowed values, "
                                       "ranges"),
            *(AssetCheckSpec(c.name, asset=model.name, blocking=True, description=c.description) for c in model.checks)]


def _validation_check_result(table: str, outcome: Validation) -> AssetCheckResult:
    results: list[RuleResult] = outcome.results[table]
    rules = "\n".join(f"| {r.rule.name} | {'ok' if r.success else 'FAILED' if r.rule.blocking else 'WARNING'} "
                      f"| {r.n_failing} | {r.rule.description} |" for r in results)
    failures, warnings = outcome.failures.get(table, ""), outcome.warnings.get(table, "")
    return AssetCheckResult(
        asset_key=table, check_name=VALID, passed=not failures,
        description="\n".join(filter(None, [failures, warnings])) or f"{len(results)} rules passed for "
                                                                       f"{outcome.files[table]}",
        metadata={"rules": MetadataValue.md("| rule | result | rows | meaning |\n|---|---|---|---|\n" + rules),
                  "source_file": outcome.files[table], "quarantined_rows": outcome.quarantined[table]})


def _output_check_results(model: str, results: list[OutputCheckResult]) -> Iterator[AssetCheckResult]:
    for r in results:
        yield AssetCheckResult(asset_key=model, check_name=r.name, passed=r.passed, description=r.describe(),
                               metadata={"failing_rows": r.n_failing})


def _loaded_metadata(done: dict) -> dict:
    origin = next(iter(done["origins"].values()), None)
    meta = {"dagster/row_count": MetadataValue.int(done["rows"]), "rows_written": done["rows_written"],
            "file": done["file"] or "no file yet"}
    if done["years"] is not None:
        meta["years"] = ", ".join(map(str, done["years"]))
    if origin:
        meta |= {"snapshot": origin["date_obtained"], "sha256": origin["sha256"],
                 "origin": MetadataValue.url(origin["urls"][0])}
    meta |= {key: MetadataValue.json(value) for key, value in done["notes"].items() if value}
    return meta


def ingest_assets(pipeline: Pipeline):
    register, reference, sources = pipeline.register, pipeline.reference, pipeline.sources
    specs = [_raw_spec(pipeline, register), *(_model_spec(m) for m in reference),
             *(_raw_spec(pipeline, s) for s in sources)]
    check_specs = [AssetCheckSpec(VALID, asset=s.raw_table, blocking=True,
                                  description=f"The catalogue's rules for {s.id}") for s in [register, *sources]]
    check_specs += [spec for m in reference for spec in _model_check_specs(m)]

    @multi_asset(name="ingest", specs=specs, check_specs=check_specs, can_subset=True,
                 required_resource_keys={"run_lock"},
                 description="Load the newest snapshot of every source into its raw table and validate it.")
    def ingest(context: AssetExecutionContext, config: LoadConfig):
        selected = {key.to_user_string() for key in context.selected_asset_keys}
        years = config.years or None
        if register.raw_table in selected and not (yield from _load_validated(pipeline, [register], years)):
            return  # the blocking check stops the step: nothing is built on a register that failed
        yield from _built(pipeline, [m for m in reference if m.name in selected])
        chosen = [s for s in sources if s.raw_table in selected]
        if chosen:
            yield from _load_validated(pipeline, chosen, years)

    return ingest


def _load_validated(pipeline: Pipeline, sources: list[Source], years: list[int] | None) -> Iterator:
    """Load and validate the sources; the generator's value says whether every blocking rule passed."""
    loaded = pipeline.load(sources, years)
    outcome = pipeline.validate(sources)
    for table, done in loaded.items():
        yield MaterializeResult(asset_key=table, metadata=_loaded_metadata(done))
        yield _validation_check_result(table, outcome)
    return not outcome.failures


def _built(pipeline: Pipeline, models: list[Model]) -> Iterator:
    checked = pipeline.build(models)
    with pipeline.connect() as con:
        counts = {name: con.execute(f'select count(*) from "{name}"').fetchone()[0] for name in checked}
    for name, results in checked.items():
        yield MaterializeResult(asset_key=name, metadata={"dagster/row_count": MetadataValue.int(counts[name])})
        yield from _output_check_results(name, results)


def model_assets(pipeline: Pipeline):
    models = [m for m in pipeline.models if m.layer != "reference"]

    @multi_asset(name="models", specs=[_model_spec(m) for m in models],
                 check_specs=[spec for m in models for spec in _model_check_specs(m)], can_subset=True,
                 required_resource_keys={"run_lock"},
                 description="Build the SQL models in DuckDB, each checked against its schema file.")
    def build_models(context: AssetExecutionContext):
        selected = {key.to_user_string() for key in context.selected_asset_keys}
        yield from _built(pipeline, [m for m in models if m.name in selected])

    return build_models


def release_asset(pipeline: Pipeline):
    @asset(name=RELEASE, group_name="publication", deps=pipeline.release_deps, required_resource_keys={"run_lock"},
           description="Downloads and HTML reports, built in a new release folder and then made output/current "
                       "at once.")
    def release() -> MaterializeResult:
        folder = pipeline.publish()
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        return MaterializeResult(metadata={"release": folder.name, "path": MetadataValue.path(str(folder)),
                                           "files": MetadataValue.int(files)})

    return release
