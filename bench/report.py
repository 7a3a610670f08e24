"""The results as markdown tables: the targets of the performance issue, then the time and peak memory
of every stage, each next to its baseline measured in the same run."""
from __future__ import annotations

from statistics import median

DEFAULT_STAGES = ("imports", "ingest", "validation", "models", "publication", "reports", "orchestration")
SCALE_STAGES = ("imports", "ingest", "validation", "models", "downloads", "pages")
# the stages the pandas peer also does: the transformations, not the publication
TRANSFORM_STAGES = ("ingest", "validation", "models")


def _ok(runs: list[dict]) -> list[dict]:
    return [r for r in runs if r["error"] is None]


def _median(runs: list[dict], key: str = "seconds") -> float | None:
    ok = _ok(runs)
    return median(r[key] for r in ok) if ok else None


def _stage(runs: list[dict], stage: str, key: str) -> float | None:
    values = [r["result"]["stages"][stage][key] for r in _ok(runs) if stage in r["result"].get("stages", {})]
    if not values:
        return None
    return median(values) if key == "seconds" else max(values)


def _s(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.1f} s" if seconds < 100 else f"{seconds:.0f} s"


def _mb(mb: float | None) -> str:
    return "–" if mb is None else f"{mb:,.0f} MB"


def _ratio(value: float | None, baseline: float | None) -> float | None:
    return None if value is None or not baseline else value / baseline


def _x(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio:.2f}"


def _verdict(value: float | None, limit: float, at_least: bool = False) -> str:
    if value is None:
        return "not measured"
    return "met" if (value >= limit if at_least else value <= limit) else "**missed**"


def _errors(runs: list[dict]) -> str:
    return "; ".join(sorted({r["error"] for r in runs if r["error"]}))


def _transform_seconds(run: dict) -> float | None:
    stages = run["result"].get("stages", {}) if run["error"] is None else {}
    return sum(stages[s]["seconds"] for s in TRANSFORM_STAGES) if all(s in stages for s in TRANSFORM_STAGES) else None


def _growth(run: dict, first: dict) -> tuple[float | None, float | None, bool]:
    """Seconds of the stages after start-up that both runs completed, for `run` and `first`; False when the
    downloads had to be left out because they failed at one of the two sizes."""
    if run["error"] or first["error"]:
        return None, None, True
    failed = bool(run["result"].get("downloads_error") or first["result"].get("downloads_error"))
    left_out = {"imports", "downloads"} if failed else {"imports"}

    def seconds(r: dict) -> float:
        return sum(v["seconds"] for k, v in r["result"]["stages"].items() if k not in left_out)

    return seconds(run), seconds(first), not failed


def targets(results: dict) -> list[list[str]]:
    default, n = results["default"], results["repeat"]
    runs = default["runs"]
    cold, warm, floor = _median(runs["cold"]), _median(runs["warm"]), _median(runs["floor"])
    cold_rss, floor_rss = _median(runs["cold"], "peak_rss_mb"), _median(runs["floor"], "peak_rss_mb")
    of = f"median of {n}"
    counted = [r["result"]["events"] for r in _ok(runs["cold"]) if "events" in r["result"]]
    events = median(counted) if counted else None
    rows = [
        ["Default run: cold `barometer run`, wall", f"{_s(cold)} ({of})", f"floor {_s(floor)}", _x(_ratio(cold, floor)),
         "≤ 10 s", _verdict(cold, 10), _errors(runs["cold"])],
        ["Default run: peak RSS", _mb(cold_rss), f"floor {_mb(floor_rss)}", _x(_ratio(cold_rss, floor_rss)),
         "≤ 1 GB", _verdict(cold_rss, 1024), ""],
        ["Default run: pipeline / floor", _x(_ratio(cold, floor)), f"floor {_s(floor)}", _x(_ratio(cold, floor)),
         "≤ 2", _verdict(_ratio(cold, floor), 2), _errors(runs["floor"])],
        ["Default run: Dagster events in the cold run", f"{events} ({of})", "–", "–", "< 300",
         _verdict(events, 299), ""],
        ["Incremental: second run, no new input", f"{_s(warm)} ({of})", f"cold run {_s(cold)}",
         _x(_ratio(warm, cold)), "≤ 0.1 of cold", _verdict(_ratio(warm, cold), 0.1), _errors(runs["warm"])],
    ]
    changed = default["changed"]
    ran = changed["result"].get("materialisations")
    rows.append([f"Incremental: one source changed ({default['changed_source']})",
                 f"{ran} of {default['all_steps']} assets rebuilt, {_s(changed['seconds'])}",
                 f"{default['dependent_steps']} assets depend on it", _x(_ratio(ran, default["dependent_steps"])),
                 "only those", "met" if ran == default["dependent_steps"] else "**missed**", changed["error"] or ""])
    pages, floor_pages = _stage(runs["cold"], "reports", "seconds"), _stage(runs["floor"], "reports", "seconds")
    sizes = default["pages"]
    rows += [
        [f"Reports: render {sizes['pages']} municipality pages + overview, method and validation pages",
         f"{_s(pages)} ({of})", f"floor (same writers, no Dagster) {_s(floor_pages)}", _x(_ratio(pages, floor_pages)),
         "–", "–", ""],
        ["Reports: bytes per municipality page, without plotly.js", f"{sizes['page_kb_mean']} KB mean, "
         f"{sizes['page_kb_max']} KB max", "–", "–", "≤ 150 KB", _verdict(sizes["page_kb_max"], 150), ""],
    ]
    scale = results["scale"]
    sizes = list(scale)
    for size, found in scale.items():
        chain, peer, floor_run = found["chain"], found["peer"], found.get("floor")
        largest = size == sizes[-1]
        t, t_first, same_work = _growth(chain, scale[sizes[0]]["chain"])
        growth = _ratio(t, t_first)
        stages = "after start-up" if same_work else "after start-up, without the downloads, which failed at one size"
        rows.append([f"Scale {size} ({found['manifest']['values'] / 1e6:.1f}M values): full chain, 1 run",
                     f"{_s(chain['seconds'])} wall; {_s(t)} in the stages {stages}",
                     f"t({sizes[0]}) in the same stages {_s(t_first)}" if size != sizes[0] else "–",
                     _x(growth) if size != sizes[0] else "–", "t(16M) / t(1M) ≤ 12" if size == "16M" else "–",
                     _verdict(growth, 12) if size == "16M" and sizes[0] == "1M" else "–",
                     "; ".join(filter(None, [_errors([chain]), chain["result"].get("downloads_error")]))])
        rows.append([f"Scale {size}: peak RSS", _mb(chain["peak_rss_mb"]),
                     f"floor {_mb(floor_run['peak_rss_mb'])}" if floor_run else "–",
                     _x(_ratio(chain["peak_rss_mb"], floor_run["peak_rss_mb"])) if floor_run else "–",
                     "≤ 4 GB", _verdict(chain["peak_rss_mb"], 4096), ""])
        if floor_run:
            ratio = _ratio(chain["seconds"], floor_run["seconds"])
            rows.append([f"Scale {size}: chain / floor", _s(chain["seconds"]), f"floor {_s(floor_run['seconds'])}",
                         _x(ratio), "≤ 1.5" if largest else "–", _verdict(ratio, 1.5) if largest else "–",
                         _errors([floor_run])])
        pipeline_t, peer_t = _transform_seconds(chain), _transform_seconds(peer)
        rows.append([f"Peer {size}: pandas / pipeline (ingest + validation + models)",
                     f"pipeline {_s(pipeline_t)}", f"pandas {_s(peer_t)}, {_mb(peer['peak_rss_mb'])}",
                     _x(_ratio(peer_t, pipeline_t)), "≥ 3" if size in ("4M", "16M") else "–",
                     _verdict(_ratio(peer_t, pipeline_t), 3, at_least=True) if size in ("4M", "16M") else "–",
                     _errors([peer])])
    return rows


def stage_rows(results: dict) -> list[list[str]]:
    runs = results["default"]["runs"]
    rows = []
    for stage in DEFAULT_STAGES:
        seconds, floor = _stage(runs["cold"], stage, "seconds"), _stage(runs["floor"], stage, "seconds")
        rows.append([stage, _s(seconds), _mb(_stage(runs["cold"], stage, "peak_rss_mb")), _s(floor),
                     _mb(_stage(runs["floor"], stage, "peak_rss_mb")), _x(_ratio(seconds, floor)),
                     _s(_stage(runs["warm"], stage, "seconds"))])
    return rows


def scale_rows(results: dict) -> list[list[str]]:
    rows = []
    for size, found in results["scale"].items():
        for stage in SCALE_STAGES:
            cells = [size, stage]
            for name in ("chain", "floor", "peer"):
                run = found.get(name)
                st = run["result"].get("stages", {}).get(stage) if run and run["error"] is None else None
                cells += [_s(st["seconds"]) if st else "–", _mb(st["peak_rss_mb"]) if st else "–"]
            rows.append(cells)
    return rows


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(results: dict) -> str:
    m = results["machine"]
    head = (f"Measured {m['date']} on {m['cpus']} CPUs / {m['memory_gb']} GB, Python {m['python']}, commit "
            f"{m['commit']}; load average {m['load_average'][0]} at the start, {m['load_average_after'][0]} at the "
            f"end. Default size: median of {results['repeat']} cold processes each; scale: one run per size.")
    return "\n\n".join([
        head,
        _table(["benchmark", "measured", "baseline (same run)", "ratio", "target", "result", "note"], targets(results)),
        "Default run by stage (medians; peak RSS is the highest sample in the stage):",
        _table(["stage", "pipeline", "peak RSS", "floor", "floor peak RSS", "pipeline / floor", "second run"],
               stage_rows(results)),
        "Scale by stage (one run each; the floor at the largest size only; the pandas peer publishes nothing):",
        _table(["size", "stage", "chain", "peak RSS", "floor", "peak RSS", "pandas peer", "peak RSS"],
               scale_rows(results)),
    ]) + "\n"
