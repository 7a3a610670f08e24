"""The floor at the default size: the pipeline's own work as one plain DuckDB script, without Dagster and
without validation.

It reads the newest snapshot of every source the pipeline reads with the project's parsers, loads the
raw tables, runs the same SQL models through `models.build`, and publishes the same release (downloads,
pages, manifest) through `reports.release`; only the validation report is missing, because only
validation makes it. BAROMETER_OUTPUT and BAROMETER_SNAPSHOTS are read as by the pipeline.

    python -m bench.floor --result FILE
"""
from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from bench.probe import Probe
from models import build
from pipelines.resources import BarometerResource
from reports.downloads import write_downloads
from models.boundaries import load_topology
from reports.html import area_boundaries, write_pages
from reports.release import publish
from sources.catalog import load_catalog
from sources.parsers import empty_observations, parse
from sources.snapshots import find_latest, latest_snapshot


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--result", type=Path, required=True, help="where to write the timings (JSON)")
    args = parser.parse_args(argv)
    probe = Probe()
    catalog, paths = load_catalog(), BarometerResource()
    paths.output.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(paths.warehouse))
    with probe.stage("ingest"):
        # the register first (the others' models need it), then the sources the pipeline has raw assets for
        build.load_register(con, catalog, paths.snapshot_roots)
        build.municipalities(con, catalog)
        for source in catalog.raw_sources():
            if source.parts:
                continue
            snapshot = find_latest(paths.snapshot_roots, source.id)
            frame = parse(snapshot.path, source, build.register_frame(con)) if snapshot else empty_observations()
            build.load_raw(con, source, build.within_area(con, frame, source, catalog.area),
                           snapshot.origin if snapshot else None)
    with probe.stage("models"):
        build.observations(con, catalog)
        build.harmonised(con)
        build.indicators(con, catalog)
        build.barometer(con)
        build.synthesis(con)
    boundaries = area_boundaries(con, load_topology(latest_snapshot(paths.snapshot_roots, "boundaries_2019").path))

    def release(target: Path) -> None:
        write_downloads(con, target)
        with probe.stage("reports"):
            write_pages(con, target, boundaries, catalog.area.name)

    with probe.stage("publication"):
        publish(paths.output, release)
    con.close()
    probe.write(args.result)


if __name__ == "__main__":
    main()
