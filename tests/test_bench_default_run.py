"""The benchmark's `barometer run` (bench/default_run.py) in a process of its own, as `make bench` starts it:
it runs the job on the embedded data and writes its timings and Dagster's event counts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def test_the_default_run_benchmark_runs_the_job_and_counts_its_events(tmp_path):
    result = tmp_path / "result.json"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "BAROMETER_OUTPUT": str(tmp_path / "output"),
           "BAROMETER_SNAPSHOTS": str(tmp_path / "snapshots"), "BAROMETER_LANDING": str(tmp_path / "landing")}
    done = subprocess.run([sys.executable, "-m", "bench.default_run", "--result", str(result)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    timings = json.loads(result.read_text(encoding="utf-8"))
    assert timings["success"] is True and timings["problems"] == []
    assert timings["materialisations"] > 50 and timings["events"] > timings["materialisations"]
    assert {"ingest", "validation", "models", "reports", "orchestration"} <= set(timings["stages"])
    assert (tmp_path / "output" / "current" / "index.html").is_file()
