"""Inside a benchmarked process: wall time and peak resident memory per stage.

A thread samples the resident set every few milliseconds; stages are labelled time intervals, either
timed around a block (`stage`) or added afterwards (`mark`, e.g. from Dagster's event log). Intervals
may nest: time and samples belong to the innermost interval, so a release step with the page writing
inside it splits into publication and reports.
"""
from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.005


def page_sizes(folder: Path) -> dict:
    """Sizes of the municipality pages (gemeenten/*.html) of a release or sample; plotly.js is shared apart."""
    sizes = [p.stat().st_size for p in (folder / "gemeenten").glob("*.html")]
    return {"pages": len(sizes), "page_kb_mean": round(sum(sizes) / len(sizes) / 1024, 1),
            "page_kb_max": round(max(sizes) / 1024, 1),
            "index_kb": round((folder / "index.html").stat().st_size / 1024, 1)}


def rss_bytes() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES


def peak_rss_bytes() -> int:
    """The kernel's high-water mark of this process (exact, unlike the samples)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


class Probe:
    def __init__(self) -> None:
        # the parent's clock just before it started this process, so that interpreter start-up counts
        self.started = float(os.environ.get("BENCH_T0") or time.time())
        self.samples: list[tuple[float, int]] = []
        self.intervals: list[tuple[str, float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        # a probe is made first thing in main(): everything before it is interpreter start-up and imports
        now = time.time()
        self.samples.append((now, rss_bytes()))
        self.mark("imports", self.started, now)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.samples.append((time.time(), rss_bytes()))

    def mark(self, label: str, start: float, end: float) -> None:
        self.intervals.append((label, start, end))

    def time_calls(self, module, names: tuple[str, ...], label: str) -> None:
        """Count the time of the functions `names`, where `module` looks them up, as stage `label` (the HTML
        writers inside a publication count as reports)."""
        for name in names:
            function = getattr(module, name)

            @functools.wraps(function)
            def timed(*args, _function=function, **kwargs):
                start = time.time()
                try:
                    return _function(*args, **kwargs)
                finally:
                    self.mark(label, start, time.time())

            setattr(module, name, timed)

    @contextmanager
    def stage(self, label: str) -> Iterator[None]:
        start = time.time()
        self.samples.append((start, rss_bytes()))
        try:
            yield
        finally:
            end = time.time()
            self.samples.append((end, rss_bytes()))
            self.mark(label, start, end)
            print(f"{label}: {end - start:.1f} s", file=sys.stderr, flush=True)

    def stages(self) -> dict[str, dict]:
        """Seconds and sampled peak RSS per label, each instant counted once for its innermost interval."""
        points = sorted({t for _, start, end in self.intervals for t in (start, end)})
        seconds: dict[str, float] = {}
        segments = []
        for left, right in zip(points, points[1:]):
            covering = [(end - start, label) for label, start, end in self.intervals if start <= left and right <= end]
            if covering:
                label = min(covering)[1]
                seconds[label] = seconds.get(label, 0.0) + right - left
                segments.append((left, right, label))
        peaks: dict[str, int] = {}
        for t, rss in sorted(self.samples):
            label = next((label for left, right, label in segments if left <= t <= right), None)
            if label is not None:
                peaks[label] = max(peaks.get(label, 0), rss)
        order = list(dict.fromkeys(label for label, _, _ in sorted(self.intervals, key=lambda i: i[1])))
        return {label: {"seconds": round(seconds.get(label, 0.0), 3), "peak_rss_mb": round(peaks.get(label, 0) / 2**20)}
                for label in order}

    def write(self, path: Path, **extra) -> None:
        self._stop.set()
        self._thread.join()
        result = {"stages": self.stages(), "peak_rss_mb": round(peak_rss_bytes() / 2**20),
                  "seconds": round(time.time() - self.started, 3), **extra}
        path.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
