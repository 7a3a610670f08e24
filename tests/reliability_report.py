"""Turn the outcomes recorded by the reliability tests into the README's Reliability table.

Usage: python -m tests.reliability_report RESULTS.jsonl README.md
Prints the table and replaces the part of README.md between the reliability markers.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"
KINDS = {"bad input": "Bad input", "kill": "Run killed (SIGKILL)", "concurrent": "Runs started together",
         "browser": "Hostile data in a real browser", "landing": "The landing folder as a shared folder",
         "server": "Faults of a real server", "fuzz": "Every reader fuzzed (Hypothesis: random bytes, mutated real files)"}


def table(entries: list[dict]) -> str:
    lines = []
    for kind, title in KINDS.items():
        rows = [e for e in entries if e["kind"] == kind]
        if not rows:
            continue
        passed = sum(e["ok"] for e in rows)
        lines += [f"**{title}**: {len(rows)} tried, {passed} ended as expected.", "",
                  "| case | outcome | as expected |", "|---|---|---|"]
        lines += [f"| {e['case']} | {e['outcome']} | {'yes' if e['ok'] else '**no**'} |" for e in rows]
        lines.append("")
    outcomes = Counter(e["ok"] for e in entries)
    lines.append(f"In all: {len(entries)} cases, {outcomes[True]} as expected, {outcomes[False]} not.")
    return "\n".join(lines)


def main(results: str, readme: str) -> int:
    entries = [json.loads(line) for line in Path(results).read_text(encoding="utf-8").splitlines() if line]
    text = table(entries)
    print(text)
    page = Path(readme).read_text(encoding="utf-8")
    before, _, rest = page.partition(START)
    _, _, after = rest.partition(END)
    Path(readme).write_text(f"{before}{START}\n{text}\n{END}{after}", encoding="utf-8")
    return 0 if all(e["ok"] for e in entries) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
