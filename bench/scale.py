"""The full chain on a synthetic Belgium, in one process, without Dagster: ingest → validate → models →
downloads → HTML pages for a sample of municipalities. With --floor, the same without validation.

It calls what the Dagster assets call (the Statbel parser, `models.build`, the SQL files, the GX
validation of `models.validation`, `reports.downloads`, `reports.html`) with a synthetic catalogue,
because the Dagster definitions are built from the real catalogue. Differences from a Dagster run,
stated in the README: no event storage; the validation report is written once instead of after
every source; the indicators come from `bench.synthetic` instead of models/indicators/.

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
import polars as pl

from bench import synthetic
from bench.probe import Probe, page_sizes
from models import build, metadata, validation
from models import synthesis as composite
from models.quarantine import record
from models.validation import describe_failures, rules_for
from models.validation import validate as run_rules
from models.warehouse import connection_config, replace_table, run_sql
from reports.downloads import write_downloads
from reports.html import write_pages
from reports.release import publish
from reports.validation import write_validation_report

SAMPLE_PAGES = 10


@contextmanager
def connect(database: Path) -> Iterator:
    con = duckdb.connect(str(database), config=connection_config(database))
    try:
        yield con
    finally:
        con.close()


def ingest(database: Path, data: Path, catalog) -> None:
    with connect(database) as con:
        # the register first: cutting the others to the area needs the municipalities
        for source in catalog.sources.values():
            frame = build.within_area(con, synthetic.read(data, source), source, catalog.area) \
                if source.parser != "register" else synthetic.read(data, source)
            build.load_raw(con, source, frame, synthetic.origin(data, source))
            if source.parser == "register":
                build.municipalities(con, catalog)


@contextmanager
def synthetic_indicators(found) -> Iterator[None]:
    """Rules that pair measures (a numerator within its denominator) read the indicator files of
    models/indicators/; here the synthetic indicators stand in for them, the rest of the code is as is."""
    real = validation.load_indicators
    validation.load_indicators = lambda catalog, folder=None: found
    try:
        yield
    finally:
        validation.load_indicators = real


def validate(database: Path, output: Path, catalog, found) -> int:
    """Validate every raw table as the blocking checks do; returns the number of rules run."""
    n_rules = 0
    with synthetic_indicators(found):
        for source in catalog.sources.values():
            results = run_rules(database, source.raw_table, rules_for(source, catalog))
            n_rules += len(results)
            failures = describe_failures(source.file, results)
            if failures:
                raise SystemExit(f"synthetic data failed validation:\n{failures}")
            with connect(database) as con:
                record(con, source.id, source.file, source.raw_table, results)
    with connect(database) as con:
        write_validation_report(con, output / "validation" / "index.html", catalog.area.name)
    return n_rules


def models(database: Path, catalog, found) -> None:
    with connect(database) as con:
        build.observations(con, catalog)
        build.harmonised(con)
        # build.indicators reads models/indicators/: the synthetic indicators take the same frames and SQL
        gsm = pl.DataFrame(schema={"code": pl.String})
        replace_table(con, "indicator_spec", metadata.spec_frame(found))
        replace_table(con, "indicator_metadata",
                      metadata.metadata_frame(found, catalog, gsm, build.snapshot_origins(con)))
        run_sql(con, "indicators")
        build.barometer(con)
        composite.build(con, synthetic.method(found))


def downloads(database: Path, output: Path) -> Path:
    with connect(database) as con:
        return publish(output, lambda target: write_downloads(con, target))


def sample_warehouse(database: Path, sample_database: Path, codes: list[str]) -> None:
    """A copy of the warehouse cut to `codes`: every table with a nis_code keeps only their rows, and only
    they are current municipalities; tables without one (Belgium's values, metadata) stay whole."""
    with connect(sample_database) as con:
        con.execute(f"attach '{database}' as w (read_only)")
        con.execute("create temp table sample_codes as select unnest(?::varchar[]) as nis_code", [codes])
        chosen = "nis_code in (select nis_code from sample_codes)"
        for table, columns in con.execute(
                "select c.table_name, list(c.column_name) from duckdb_columns() c join duckdb_tables() t "
                "using (database_name, schema_name, table_name) where database_name = 'w' group by all").fetchall():
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
    catalog, found = synthetic.catalog(manifest["themes"]), synthetic.indicators(manifest["themes"])
    args.out.mkdir(parents=True, exist_ok=True)
    database = args.out / "warehouse.duckdb"
    extra = {"values": manifest["values"], "indicators": len(found)}
    with probe.stage("ingest"):
        ingest(database, args.data, catalog)
    if not args.floor:
        with probe.stage("validation"):
            extra["rules"] = validate(database, args.out, catalog, found)
    with probe.stage("models"):
        models(database, catalog, found)
    with probe.stage("downloads"):
        try:
            downloads(database, args.out)
        except Exception as failure:  # noqa: BLE001 - a chain that cannot publish is a result: record it, go on
            extra["downloads_error"] = f"{type(failure).__name__}: {str(failure).splitlines()[0]}"
    with probe.stage("pages"):
        extra |= pages(database, args.out, args.data, catalog)
    with connect(database) as con:
        extra["barometer_rows"] = con.execute("select count(*) from barometer").fetchone()[0]
    probe.write(args.result, **extra)


if __name__ == "__main__":
    main()
