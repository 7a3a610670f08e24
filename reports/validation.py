"""The validation report for analysts: every rule of every source, and the rows in quarantine (offline HTML)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import jinja2

from models.quarantine import SCHEMA

TEMPLATES = Path(__file__).with_name("templates")
# the rules' own descriptions are English (they also appear in run logs); the report reads in Dutch
RULE_LABELS = {
    "nis-code-present": "elke rij heeft een NIS-code",
    "period-present": "elke rij heeft een periode",
    "nis-code-format": "een NIS-code heeft vijf cijfers",
    "nis-code-in-code-set": "de NIS-code hoort bij de gemeenten van de indeling die de bron gebruikt",
    "unique-key": "één rij per gemeente, maat en periode",
    "value-in-unit-range": "de waarde ligt binnen wat de eenheid toelaat (procent 0-100, aantallen niet negatief, ...)",
    "complete-coverage": "de bron belooft een rij voor elke gemeente in elke periode",
    "validity-order": "begindatum niet na einddatum",
    "successor-known": "een opvolgcode staat zelf in het register",
    "code-set-sizes": "elke gemeente-indeling heeft het verwachte aantal gemeenten",
    "period-not-in-future": "de periode ligt niet in de toekomst",
    "numerator-within-denominator": "de teller is niet groter dan de noemer",
    "change-within-factor-100": "de waarde verandert niet met een factor 100 of meer tegenover het jaar ervoor",
}


def write_validation_report(con: duckdb.DuckDBPyConnection, target: Path, area_name: str) -> None:
    """Render the report from `validation_results` and `quarantine`; the file is replaced in one step."""
    con.execute(SCHEMA)
    results = con.sql("select * from validation_results order by source_id, rule").pl()
    quarantine = con.sql("select * from quarantine order by source_id, rule, source_row nulls last").pl()
    notes = con.sql("select * from source_notes order by source_id, kind, detail").pl()
    sources = [{"source_id": source_id, "source_file": rules["source_file"][0],
                "rules": [{**rule, "label": RULE_LABELS.get(rule["rule"], rule["description"])}
                          for rule in rules.to_dicts()],
                "quarantine": quarantine.filter(source_id=source_id).to_dicts(),
                "ignored_measures": notes.filter(source_id=source_id, kind="ignored_measure")["detail"].to_list(),
                "left_out_rows": notes.filter(source_id=source_id, kind="left_out_row").to_dicts()}
               for (source_id,), rules in results.group_by("source_id", maintain_order=True)]
    # sources with a broken rule first: that is what an analyst opens the report for
    sources.sort(key=lambda s: all(r["passed"] or not r["blocking"] for r in s["rules"]))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    html = env.get_template("validatie.html.j2").render(
        area_name=area_name, sources=sources, n_quarantined=quarantine.height,
        n_ignored_measures=notes.filter(kind="ignored_measure").height,
        n_failed_sources=sum(1 for s in sources if any(not r["passed"] and r["blocking"] for r in s["rules"])),
        checked_at=str(results["checked_at"].max()) if results.height else "nog geen")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(html)
    os.replace(temporary, target)
