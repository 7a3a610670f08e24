"""The profile-and-targets workbook each municipality page offers (downloads/sjablonen/<nis_code>.xlsx): every
indicator with the municipality's latest published value, so that a council drafts its targets from the real
baseline; filled in, it is the municipality's profile (sources/profiles.py reads it back)."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from models.terms import TERMS
from reports import formatting
from reports.xlsx import sheet_xml, write_xlsx
from sources.profiles import PROFILE_SHEET, TARGET_COLUMNS, TARGET_SHEET

GUIDE = (
    ("Volgorde", "Een getal bij elke indicator die de gemeente kiest voor haar eigen barometer (1 = eerst). Leeg: "
                 "niet gekozen; de pagina toont ze dan na de gekozen indicatoren."),
    ("Richting", "lager of hoger: de kant die de indicator op moet. Een doel tegen de polariteit in (bv. hoger bij "
                 "'hoger is ongunstiger') kan alleen met 'ja' in Bewust tegen polariteit."),
    ("Doelwaarde of Minimale verandering", "Vul er één in: de waarde die tegen de deadline bereikt moet zijn, of hoeveel "
                                           "de waarde minstens moet veranderen in de richting."),
    ("Basisjaar", "Het jaar waarvan het doel vertrekt; het moet een cijfer hebben. Ingevuld: het jaar van de laatste "
                  "waarde hieronder."),
    ("Deadline", "Het jaar waarin het doel bereikt moet zijn, binnen de bestuursperiode op het blad Profiel."),
    ("Maatregel", "Facultatief: de beleidsactie die de indicator moet doen bewegen."),
    ("Indienen", "Sla het bestand op als <NIS-code>.xlsx en zet het in de landingsmap van de barometer (of in de map "
                 "profiles). Een fout wordt gemeld met blad, rij en kolom; er verandert dan niets."),
)


def write_templates(folder: Path, indicators: list[dict], latest: pl.DataFrame, municipalities: list[dict],
                    profiles: dict[str, dict], targets: pl.DataFrame) -> None:
    """One workbook per municipality in folder/sjablonen, pre-filled with its `latest` published values (per
    municipality and indicator: period, year, value) and, where it has a profile, its choices and targets."""
    target = folder / "sjablonen"
    target.mkdir(parents=True, exist_ok=True)
    latest_of = {(r["nis_code"], r["indicator_id"]): r for r in latest.to_dicts()}
    own_targets = {(t["nis_code"], t["indicator_id"]): t for t in targets.to_dicts()}
    guide = sheet_xml(pl.DataFrame(GUIDE, schema=["Kolom", "Hoe invullen"], orient="row")).kept()
    for municipality in municipalities:
        code = municipality["nis_code"]
        profile = profiles.get(code, {})
        order = {indicator: n for n, indicator in enumerate(profile.get("indicators", []), start=1)}
        lines = [_line(i, latest_of.get((code, i["indicator_id"])), order.get(i["indicator_id"]),
                       own_targets.get((code, i["indicator_id"]))) for i in indicators]
        lines.sort(key=lambda line: (line["Volgorde"] is None, line["Volgorde"] or 0))
        term = next((f"{t['term_start']}-{t['term_end']}" for key, t in own_targets.items() if key[0] == code),
                    TERMS[-1].label)  # the term a council drafts for now
        header = pl.DataFrame([{"Veld": label, "Waarde": value} for label, value in (
            ("NIS-code", code), ("Gemeente", municipality["name_nl"]), ("Bestuursperiode", term),
            ("Voorbeeld", "ja" if profile.get("example") else "nee"))], schema={"Veld": pl.String, "Waarde": pl.String})
        write_xlsx(target / f"{code}.xlsx", [
            (PROFILE_SHEET, sheet_xml(header)),
            (TARGET_SHEET, sheet_xml(pl.DataFrame(lines, schema=TEMPLATE_SCHEMA, orient="row"))),
            ("Toelichting", guide)])


TEMPLATE_SCHEMA = {name: (pl.Int64 if name in ("Volgorde", "Basisjaar", "Deadline")
                          else pl.Float64 if name in ("Laatste waarde", "Doelwaarde", "Minimale verandering")
                          else pl.String) for name in TARGET_COLUMNS}


def _line(indicator: dict, latest: dict | None, order: int | None, target: dict | None) -> dict:
    """One indicator's row: what it is, its latest published value, and the municipality's choice and target."""
    return {
        "Volgorde": order, "Indicatorcode": indicator["indicator_id"], "Indicator": indicator["title"],
        "Eenheid": indicator["unit"], "Polariteit": indicator["polarity"],
        "Laatste periode": formatting.period(latest["period"]) if latest else None, "Laatste waarde": latest["value"] if latest else None,
        "Richting": target["direction"] if target else None,
        "Doelwaarde": target["target_value"] if target else None,
        "Minimale verandering": target["minimum_change"] if target else None,
        "Basisjaar": target["baseline_year"] if target else (latest["year"] if latest else None),
        "Deadline": target["deadline_year"] if target else None,
        "Maatregel": target["measure"] if target else None,
        "Bewust tegen polariteit": ("ja" if target["against_polarity"] else None) if target else None,
    }
