"""`make bench`: every benchmark, each timing the median of several cold processes next to its baseline
measured in the same run (these machines are noisy); writes output/bench/results.json and results.md
and prints the table.

    python -m bench.run [--repeat 3] [--sizes 1M,4M,16M] [--out output/bench] [--readme README.md]

Default size (the embedded data), per repetition: the floor, a cold `barometer run` in fresh folders,
then a second run on the same folders with no new input; after the last, a run with one source
changed. Scale, per size: the synthetic files, the chain and the pandas peer, once each (a 16M chain takes
minutes), and at the largest size the chain's floor.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

import polars as pl

from bench import report, synthetic
from bench.launch import MEMORY_CAP_MB, PROJECT, Outcome, launch
from bench.probe import page_sizes
from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot, take_snapshot

README_MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")
# a source whose change reaches an indicator of the composite, the barometer and the release
CHANGED_SOURCE = "onem_unemployment_rate"
# the pandas peer may use more than the chain's 4 GB budget, so that it can be timed at every size
PEER_CAP_MB = 12288


def installation(folder: Path) -> dict[str, str]:
    """Environment of a fresh installation in `folder`: output, local snapshots, Dagster instance (the repo's
    dagster.yaml, as `make run` uses), downloads off."""
    home = folder / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(PROJECT / "dagster.yaml", home / "dagster.yaml")
    return {"BAROMETER_OUTPUT": str(folder / "output"), "BAROMETER_SNAPSHOTS": str(folder / "snapshots"),
            "DAGSTER_HOME": str(home), "BAROMETER_DOWNLOADS": "0"}


def change_one_source(snapshots: Path) -> None:
    """A newer snapshot of CHANGED_SOURCE with one value changed, as a publisher's revision would bring."""
    current = latest_snapshot([EMBEDDED_SNAPSHOTS], CHANGED_SOURCE)
    frame = pl.read_csv(current.path, infer_schema=False)
    revised = Path(tempfile.mkdtemp()) / current.origin["file"]
    first_row = pl.int_range(pl.len()) == 0
    frame.with_columns(value=pl.when(first_row).then(pl.lit("9.99")).otherwise("value")).write_csv(revised)
    origin = {k: v for k, v in current.origin.items() if k not in ("date_obtained", "file", "bytes", "sha256")}
    take_snapshot(snapshots, CHANGED_SOURCE, revised, origin,
                  obtained=dt.date.fromisoformat(current.origin["date_obtained"]) + dt.timedelta(days=1))
    shutil.rmtree(revised.parent)


def dependent_steps(source_id: str) -> tuple[int, int]:
    """(assets that depend on a source: its raw table and everything downstream; all assets)."""
    from dagster import AssetKey, AssetSelection

    from pipelines.definitions import build_defs
    from pipelines.settings import Settings

    graph = build_defs(Settings.from_env()).resolve_asset_graph()
    downstream = AssetSelection.assets(AssetKey(f"raw_{source_id}")).downstream().resolve(graph)
    return len(downstream), len(graph.materializable_asset_keys)


def say(what: str, outcome: Outcome) -> Outcome:
    state = "ok" if outcome.ok else outcome.error
    print(f"  {what}: {outcome.seconds:.1f} s, {outcome.peak_rss_mb} MB ({state})", flush=True)
    return outcome


def default_size(repeat: int, work: Path, logs: Path) -> dict:
    runs: dict[str, list] = {"floor": [], "cold": [], "warm": []}
    for i in range(1, repeat + 1):
        print(f"default size, repetition {i} of {repeat}", flush=True)
        runs["floor"].append(say("floor", launch("bench.floor", [], logs / f"floor-{i}.log",
                                                 installation(work / f"floor-{i}"))))
        env = installation(work / f"pipeline-{i}")
        runs["cold"].append(say("cold run", launch("bench.default_run", [], logs / f"cold-{i}.log", env)))
        runs["warm"].append(say("second run", launch("bench.default_run", [], logs / f"warm-{i}.log", env)))
    change_one_source(Path(env["BAROMETER_SNAPSHOTS"]))
    changed = say(f"run after a change in {CHANGED_SOURCE}",
                  launch("bench.default_run", [], logs / "changed.log", env))
    dependent, total = dependent_steps(CHANGED_SOURCE)
    return {"runs": {k: [o.__dict__ for o in v] for k, v in runs.items()}, "changed": changed.__dict__,
            "changed_source": CHANGED_SOURCE, "dependent_steps": dependent, "all_steps": total,
            "pages": page_sizes(Path(env["BAROMETER_OUTPUT"]) / "current")}


def scale(sizes: list[str], work: Path, logs: Path) -> dict:
    found = {}
    for size in sizes:
        print(f"scale {size}", flush=True)
        data = work / f"synthetic-{size}"
        manifest = synthetic.write_dataset(data, synthetic.SIZES[size])
        print(f"  synthetic files: {manifest['values']:,} values", flush=True)
        found[size] = {"manifest": manifest}
        runs = [("chain", "bench.scale", ["--out", str(work / f"chain-{size}")], MEMORY_CAP_MB),
                ("peer", "bench.peer_pandas", [], PEER_CAP_MB)]
        if size == sizes[-1]:
            # the floor's target is at the largest size; the smaller ones compare with the first size instead
            runs.insert(1, ("floor", "bench.scale", ["--out", str(work / f"floor-{size}"), "--floor"],
                            MEMORY_CAP_MB))
        for name, module, args, cap in runs:
            outcome = launch(module, ["--data", str(data), *args], logs / f"{name}-{size}.log", cap_mb=cap)
            found[size][name] = say(name, outcome).__dict__
            shutil.rmtree(work / f"{name}-{size}", ignore_errors=True)
        shutil.rmtree(data)
    return found


def machine() -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT, capture_output=True, text=True)
    with open("/proc/meminfo") as meminfo:
        memory_kb = int(meminfo.readline().split()[1])
    return {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
            "cpus": len(os.sched_getaffinity(0)), "memory_gb": round(memory_kb / 2**20, 1),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "commit": commit.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")}


def write_readme(readme: Path, table: str) -> None:
    """Replace the part of the README between the bench markers by the table."""
    start, end = README_MARKERS
    page = readme.read_text(encoding="utf-8")
    if start not in page or end not in page:
        raise SystemExit(f"{readme} has no {start} ... {end} markers for the table")
    before, _, rest = page.partition(start)
    _, _, after = rest.partition(end)
    readme.write_text(f"{before}{start}\n{table}{end}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions at the default size (default 3)")
    parser.add_argument("--sizes", default=",".join(synthetic.SIZES), help="synthetic sizes (default 1M,4M,16M)")
    parser.add_argument("--out", type=Path, default=PROJECT / "output" / "bench", help="where results go")
    parser.add_argument("--readme", type=Path, help="also put the table in this README, between the bench markers")
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = set(sizes) - set(synthetic.SIZES)
    if unknown:
        parser.error(f"unknown size(s) {sorted(unknown)}; choose from {list(synthetic.SIZES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="barometer-bench-"))
    try:
        results = {"machine": machine(), "repeat": args.repeat,
                   "default": default_size(args.repeat, work, args.out / "logs"),
                   "scale": scale(sizes, work, args.out / "logs")}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    (args.out / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    table = report.markdown(results)
    (args.out / "results.md").write_text(table, encoding="utf-8")
    if args.readme:
        write_readme(args.readme, table)
    print("\n" + table)


if __name__ == "__main__":
    main()
