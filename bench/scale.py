"""The full chain on a synthetic Belgium, in one process, without Dagster: ingest → validate → models →
downloads → HTML pages for a sample of municipalities. With --floor, the same without validation.

It runs the pipeline core (`pipelines.core.Pipeline`), as the Dagster assets do, with a synthetic catalogue,
indicators and method passed in through its Settings and a reader of the synthetic files: the project's
Statbel parser, loads, GX validation, SQL models with their output checks, `reports.downloads` and
`reports.html` for a sample. Differences from a Dagster run, stated in the README: no Dagster events; the
pages are written for a sample of municipalities of a cut copy of the warehouse.

    python -m bench.scale --data DIR --out DIR --result FILE [--floor]
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np

from bench import synthetic
from bench.probe import Probe, page_sizes
from models.warehouse import connection_config
from pipelines.core import Loaded, Pipeline
from pipelines.settings import Settings
from reports.downloads import write_downloads
from reports.html import write_pages
from reports.release import publish

SAMPLE_PAGES = 10


@contextmanager
def connect(database: Path) -> Iterator:
    con = duckdb.connect(str(database), config=connection_config(database))
    try:
        yield con
    finally:
        con.close()


def synthetic_pipeline(data: Path, out: Path, themes: int) -> Pipeline:
    found = synthetic.indicators(themes)
    settings = Settings.under(out, given_catalog=synthetic.catalog(themes), given_indicators=found,
                              given_method=synthetic.method(found))
    return Pipeline(settings, reader=lambda pipeline, con, source: Loaded(
        synthetic.read(data, source), {source.id: synthetic.origin(data, source)}, source.file))


def ingest(pipeline: Pipeline) -> None:
    pipeline.load([pipeline.register])
    pipeline.build(pipeline.reference)
    pipeline.load(pipeline.sources)


def validate(pipeline: Pipeline) -> int:
    """Validate every raw table as the blocking checks do; returns the number of rules run."""
    outcome = pipeline.validate([pipeline.register, *pipeline.sources])
    if outcome.failures:
        raise SystemExit("synthetic data failed validation:\n" + "\n".join(outcome.failures.values()))
    return sum(len(results) for results in outcome.results.values())


def models(pipeline: Pipeline) -> None:
    checks = pipeline.build([m for m in pipeline.models if m.layer != "reference"])
    failed = [f"{name}: {r.describe()}" for name, results in checks.items() for r in results if not r.passed]
    if failed:
        raise SystemExit("checks on the synthetic models failed:\n" + "\n".join(failed))


def downloads(database: Path, output: Path) -> Path:
    with connect(database) as con:
        return publish(output, lambda target: write_downloads(con, target))


def sample_warehouse(database: Path, sample_database: Path, codes: list[str]) -> None:
    """A copy of the warehouse cut to `codes`: every table or view with a nis_code keeps only their rows, and
    only they are current municipalities; tables without one (Belgium's values, metadata) stay whole."""
    with connect(sample_database) as con:
        con.execute(f"attach '{database}' as w (read_only)")
        con.execute("create temp table sample_codes as select unnest(?::varchar[]) as nis_code", [codes])
        chosen = "nis_code in (select nis_code from sample_codes)"
        # the views too (area_values, ...), as tables: the pages read them like the tables
        for table, columns in con.execute(
                "select c.table_name, list(c.column_name) from duckdb_columns() c where database_name = 'w' "
                "and schema_name = 'main' group by all").fetchall():
            whole = f'w.main."{table}"'
            if table == "municipalities":
                query = f"select * replace (is_current and {chosen} as is_current) from {whole}"
            elif "nis_code" in columns:
                query = f"select * from {whole} where {chosen}"
            else:
                query = f"select * from {whole}"
            con.execute(f'create table "{table}" as {query}')
        con.execute("detach w")


def pages(database: Path, output: Path, data: Path, catalog) -> dict:
    with connect(database) as con:
        current = [code for (code,) in con.execute(
            "select nis_code from municipalities where is_current order by nis_code").fetchall()]
    codes = sorted(np.random.default_rng(synthetic.SEED).choice(current, SAMPLE_PAGES, replace=False).tolist())
    sample = output / "sample.duckdb"
    sample_warehouse(database, sample, codes)
    folder = output / "sample_pages"
    # the overview's map needs a shape for exactly the current municipalities
    boundaries = json.loads((data / "synthetic_boundaries_2025.geojson").read_text(encoding="utf-8"))
    boundaries["features"] = [f for f in boundaries["features"] if f["properties"]["nis_code"] in codes]
    with connect(sample) as con:
        write_pages(con, folder, boundaries, catalog.area.name)
    return page_sizes(folder)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a folder written by bench.synthetic")
    parser.add_argument("--out", type=Path, required=True, help="an empty folder for the warehouse and outputs")
    parser.add_argument("--result", type=Path, required=True, help="where to write the timings (JSON)")
    parser.add_argument("--floor", action="store_true", help="skip validation (the floor of the chain)")
    args = parser.parse_args(argv)
    probe = Probe()
    manifest = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))
    pipeline = synthetic_pipeline(args.data, args.out, manifest["themes"])
    database = pipeline.settings.warehouse
    extra = {"values": manifest["values"], "indicators": len(pipeline.inputs.indicators)}
    with probe.stage("ingest"):
        ingest(pipeline)
    if not args.floor:
        with probe.stage("validation"):
            extra["rules"] = validate(pipeline)
    with probe.stage("models"):
        models(pipeline)
    with probe.stage("downloads"):
        try:
            downloads(database, pipeline.settings.output)
        except Exception as failure:  # noqa: BLE001 - a chain that cannot publish is a result: record it, go on
            extra["downloads_error"] = f"{type(failure).__name__}: {str(failure).splitlines()[0]}"
    with probe.stage("pages"):
        extra |= pages(database, pipeline.settings.output, args.data, pipeline.catalog)
    with connect(database) as con:
        extra["barometer_rows"] = con.execute("select count(*) from barometer").fetchone()[0]
    probe.write(args.result, **extra)


if __name__ == "__main__":
    main()
