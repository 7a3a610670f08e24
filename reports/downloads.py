"""Machine-readable downloads: the barometer in long format as CSV and XLSX, overall and per
municipality, with a data dictionary and the indicator metadata."""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import xlsxwriter

from reports import composite, disclosure, formatting, queries

FORMAT_NOTE = ("CSV-bestanden zijn UTF-8, met een komma als scheidingsteken, een punt als decimaalteken "
               "en zonder scheiding van duizendtallen.")
FLAG_NOTE = "; ".join(f"{code} = {formatting.FLAG_LABELS.get(code, formatting.MISSING)}: {meaning}"
                      for code, meaning in formatting.FLAG_MEANINGS.items())
# Download columns in their fixed order: (name, type, Dutch description).
COLUMNS = (
    ("nis_code", "tekst", "NIS-code van de gemeente (gemeentegrenzen van 2025)."),
    ("municipality", "tekst", "Naam van de gemeente."),
    ("indicator_id", "tekst", "Vaste sleutel van de indicator; de metadata staan in indicators.csv."),
    ("indicator", "tekst", "Titel van de indicator."),
    ("period", "tekst", "Periode van de waarde: een jaar ('2023'), een datum ('2025-01-01' = toestand op "
                        "1 januari 2025), 'onbekend', of 'laatst beschikbaar (jjjj-mm)' als de bron het "
                        "jaar niet vermeldt. Leeg als er voor de indicator geen enkel cijfer is."),
    ("value", "decimaal getal", "Waarde in de eenheid van kolom unit. Leeg = ontbreekt (nooit 0). "
                                + FORMAT_NOTE),
    ("unit", "tekst", "Eenheid van value (numerator en denominator zijn de onderliggende aantallen)."),
    ("numerator", "decimaal getal", "Teller van de verhouding, als de bron die levert; anders leeg."),
    ("denominator", "decimaal getal", "Noemer van de verhouding, als de bron die levert; anders leeg."),
    # {area}: the name of the configured area, filled in when the dictionary is written
    ("area_value", "decimaal getal", "Waarde voor het hele gebied ({area}) in dezelfde periode; leeg als "
                                     "die niet te berekenen is."),
    ("area_flag", "tekst", "Vlaggen bij area_value, met dezelfde codes als kolom flag."),
    ("rank", "geheel getal", "Rang van de gemeente in deze periode: 1 = hoogste waarde (niet noodzakelijk de "
                             "gunstigste, zie polarity in indicators.csv). Leeg als de waarde ontbreekt."),
    ("rank_count", "geheel getal", "Aantal gemeenten met een waarde in deze periode."),
    ("previous_period", "tekst", "Voorgaande periode in de reeks van deze gemeente, waarmee change "
                                 "berekend is."),
    ("change", "decimaal getal", "value min de waarde in previous_period."),
    ("flag", "tekst", f"Vlaggen bij value, gescheiden door '|'; leeg = geen vlag. {FLAG_NOTE}."),
    ("source", "tekst", "Bron van de indicator; uitgever, licentie en links staan in indicators.csv."),
)
SYNTHESIS_COLUMNS = (
    ("nis_code", "tekst", "NIS-code van de gemeente (gemeentegrenzen van 2025)."),
    ("municipality", "tekst", "Naam van de gemeente."),
    ("score", "decimaal getal", "Armoedesynthese: het gewogen gemiddelde van de standaardscores van de "
                                "deelnemende indicatoren (zie methode.html); 0 = het gemiddelde van de gemeenten, "
                                "hoger = meer armoedesignalen. Leeg = geen score. " + FORMAT_NOTE),
    ("rank", "geheel getal", "Rang op de score: 1 = hoogste score (de meeste armoedesignalen)."),
    ("rank_count", "geheel getal", "Aantal gemeenten met een score."),
    ("rank_min", "geheel getal", "Kleinste rangnummer van de gemeente over alle wegingen (standaard, elk thema "
                                 "even zwaar, telkens één indicator weggelaten)."),
    ("rank_max", "geheel getal", "Grootste rangnummer van de gemeente over dezelfde wegingen."),
    ("n_indicators", "geheel getal", "Aantal deelnemende indicatoren met een cijfer voor deze gemeente."),
    ("n_participating", "geheel getal", "Aantal indicatoren dat aan de synthese deelneemt."),
    ("n_required", "geheel getal", "Minimum aantal indicatoren met een cijfer voor een score; ontbrekende "
                                   "cijfers worden niet ingevuld."),
    ("flag", "tekst", "missing = geen score."),
)
COMPONENT_COLUMNS = (
    ("nis_code", "tekst", "NIS-code van de gemeente."),
    ("municipality", "tekst", "Naam van de gemeente."),
    ("indicator_id", "tekst", "Deelnemende indicator; de metadata staan in indicators.csv."),
    ("indicator", "tekst", "Titel van de indicator."),
    ("period", "tekst", "Periode van de waarde: de laatste periode van de indicator."),
    ("value", "decimaal getal", "Waarde van de indicator, zoals in barometer.csv."),
    ("standard_score", "decimaal getal", "(waarde - gemiddelde van de gemeenten) / standaardafwijking, met het "
                                         "teken zo dat hoger altijd ongunstiger is."),
    ("weight", "decimaal getal", "Gewicht van de indicator in de standaardweging."),
)
# Which files each set of columns describes, for the data dictionary.
DICTIONARY = (("barometer.csv en gemeenten/<nis_code>.csv", COLUMNS),
              ("armoedesynthese.csv", SYNTHESIS_COLUMNS),
              ("armoedesynthese_componenten.csv", COMPONENT_COLUMNS))
INDICATOR_COLUMNS = ("latest_period", "latest_year", "n_values", "n_municipalities", "n_periods")
# Excel shows numbers as stored: the polars defaults round floats to 3 decimals and group the
# thousands of integers (a year would read 2.023 in a Dutch Excel).
NUMBER_FORMATS = {(pl.Float32, pl.Float64): "General",
                  (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64): "0"}


def write_downloads(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Write downloads/ with barometer.csv|xlsx, gemeenten/<nis>.csv|xlsx and the metadata files."""
    target = folder / "downloads"
    (target / "gemeenten").mkdir(parents=True, exist_ok=True)
    table = _barometer_table(con)
    area = queries.area_name(con)
    dictionary = pl.DataFrame([{"kolom": name, "type": kind, "omschrijving": text.replace("{area}", area),
                                "bestand": file}
                               for file, columns in DICTIONARY for name, kind, text in columns])
    indicators = _indicator_table(con)
    dictionary.write_csv(target / "data_dictionary.csv")
    indicators.write_csv(target / "indicators.csv")
    extra_sheets = {"toelichting": dictionary, "indicatoren": indicators}
    _write_both(table, target / "barometer", extra_sheets)
    for (nis_code,), rows in table.group_by("nis_code", maintain_order=True):
        _write_both(rows, target / "gemeenten" / nis_code, extra_sheets)
    scores, components = _synthesis_tables(con)
    components.write_csv(target / "armoedesynthese_componenten.csv")
    _write_both(scores, target / "armoedesynthese", {"componenten": components, "toelichting": dictionary},
                sheet="armoedesynthese")


def _synthesis_tables(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    synthesis = composite.load(con)
    scores = synthesis.scores.rename({"value": "score", "n_values": "n_indicators"}).with_columns(
        flag=pl.col("flags").list.join("|"))
    weights = {part["indicator_id"]: part["weight"] for part in synthesis.taking_part}
    names = scores.select("nis_code", "municipality")
    components = synthesis.components.join(names, on="nis_code").with_columns(
        standard_score=pl.col("score"), weight=pl.col("indicator_id").replace_strict(weights, return_dtype=pl.Float64))
    return (scores.sort("nis_code").select(name for name, _, _ in SYNTHESIS_COLUMNS),
            components.select(name for name, _, _ in COMPONENT_COLUMNS))


def _barometer_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return disclosure.published_barometer(con).with_columns(
        area_flag=pl.col("area_flags").list.join("|").fill_null(""),
        flag=pl.col("flags").list.join("|").fill_null(""),
    ).select(name for name, _, _ in COLUMNS)


def _indicator_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    metadata = con.sql("SELECT * FROM indicator_metadata LIMIT 0").columns
    table = queries.indicators(con)
    coverage = [formatting.coverage(n, total)
                for n, total in table.select("n_values", "n_municipalities").iter_rows()]
    return table.select(*metadata, *INDICATOR_COLUMNS).with_columns(
        coverage=pl.Series(coverage, dtype=pl.String))


def _write_both(table: pl.DataFrame, stem: Path, extra_sheets: dict[str, pl.DataFrame],
                sheet: str = "barometer") -> None:
    table.write_csv(stem.with_suffix(".csv"))
    # in_memory: xlsxwriter otherwise writes and deletes a temp file per part, which dominates the time.
    with xlsxwriter.Workbook(stem.with_suffix(".xlsx"), {"in_memory": True}) as workbook:
        table.write_excel(workbook, sheet, dtype_formats=NUMBER_FORMATS, freeze_panes="A2")
        for name, frame in extra_sheets.items():
            frame.write_excel(workbook, name, dtype_formats=NUMBER_FORMATS)
