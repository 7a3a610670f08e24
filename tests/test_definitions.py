"""The Dagster graph, snapshotted: a change to assets, checks, jobs, schedules or sensors shows up in review."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipelines.definitions import build_defs
from pipelines.settings import Settings
from sources.catalog import load_catalog

SNAPSHOT = Path(__file__).with_name("asset_graph.json")


def current_graph() -> dict:
    defs = build_defs(Settings.under(Path("/nonexistent/installation")))
    repo = defs.get_repository_def()
    graph = defs.resolve_asset_graph()
    return {
        "assets": {key.to_user_string(): {
            "group": graph.get(key).group_name,
            "deps": sorted(k.to_user_string() for k in graph.get(key).parent_keys)}
            for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())},
        "checks": sorted(f"{key.asset_key.to_user_string()}:{key.name}:blocking={graph.get_check_spec(key).blocking}"
                         for key in graph.asset_check_keys),
        "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        "schedules": sorted(f"{s.name}:{s.cron_schedule}:{s.job_name}" for s in repo.schedule_defs),
        "sensors": sorted(s.name for s in repo.sensor_defs),
    }


def test_asset_graph_matches_snapshot():
    graph = current_graph()
    if os.environ.get("UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(graph, indent=2) + "\n")
    assert graph == json.loads(SNAPSHOT.read_text()), "graph changed: review, then rerun with UPDATE_SNAPSHOT=1"


def test_every_raw_source_has_a_blocking_validation_check():
    graph = current_graph()
    raw = {k for k, a in graph["assets"].items() if a["group"] == "raw"}
    checked = {c.split(":")[0] for c in graph["checks"] if ":valid:blocking=True" in c}
    catalog = load_catalog()
    assert raw == checked
    assert {s.raw_table for s in catalog.raw_sources()} == raw


def test_every_sql_model_is_an_asset_with_its_columns_and_checks():
    from models.build import model_graph

    graph = current_graph()
    models = model_graph(load_catalog())
    assert {m.name for m in models} <= set(graph["assets"])
    for model in models:
        assert graph["assets"][model.name]["group"] == model.layer
        if model.sql is not None:
            assert f"{model.name}:schema:blocking=True" in graph["checks"]
    assert "barometer:rank_within_count:blocking=True" in graph["checks"]
    assert "reference_values:area_value_only_where_allowed:blocking=True" in graph["checks"]


def test_dagster_cli_validates_the_code_location():
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "DAGSTER_HOME": str(root)}
    result = subprocess.run([str(Path(sys.executable).with_name("dagster")), "definitions", "validate"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All code locations passed validation" in result.stdout + result.stderr
