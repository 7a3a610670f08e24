"""Outcomes of the reliability tests, written where `make reliability` collects them for the README."""
from __future__ import annotations

import json
import os


def record(kind: str, case: str, outcome: str, ok: bool) -> None:
    """Append one outcome when BAROMETER_RELIABILITY_LOG names a file (make reliability sets it)."""
    target = os.environ.get("BAROMETER_RELIABILITY_LOG")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps({"kind": kind, "case": case, "outcome": outcome, "ok": ok}) + "\n")
