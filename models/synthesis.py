"""The armoedesynthese's method as data: synthesis.yaml becomes two small tables (models/seeds.py) that
the synthesis models read, so the method page can show exactly the parameters that were used."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


METHOD_FILE = Path(__file__).with_name("synthesis.yaml")
SHARES = ("min_indicator_coverage", "min_municipality_share")


@dataclass(frozen=True)
class Method:
    min_indicator_coverage: float
    min_municipality_share: float
    weights: dict[str, float]


def load_method(path: Path = METHOD_FILE) -> Method:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(data) - {*SHARES, "weights"}
    problems = [f"unknown field(s) {sorted(unknown)}"] if unknown else []
    problems += [f"{name} must be a share above 0 and at most 1" for name in SHARES
                 if not isinstance(data.get(name), int | float) or not 0 < data[name] <= 1]
    weights = data.get("weights") or {}
    problems += [f"weight of {i} must be a positive number" for i, w in weights.items()
                 if not isinstance(w, int | float) or w <= 0]
    if not weights:
        problems.append("weights names no indicator")
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return Method(**{name: float(data[name]) for name in SHARES},
                  weights={i: float(w) for i, w in weights.items()})
