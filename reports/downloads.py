"""Machine-readable downloads: the barometer in long format as CSV and XLSX, overall and per
municipality, with a data dictionary and the indicator metadata."""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import xlsxwriter

from reports import formatting, queries

FORMAT_NOTE = ("CSV-bestanden zijn UTF-8, met een komma als scheidingsteken, een punt als decimaalteken "
               "en zonder scheiding van duizendtallen.")
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
    ("limburg_value", "decimaal getal", "Waarde voor de hele provincie Limburg in dezelfde periode; leeg als "
                                        "die niet te berekenen is."),
    ("limburg_flag", "tekst", "Vlaggen bij limburg_value, met dezelfde codes als kolom flag."),
    ("rank", "geheel getal", "Rang van de gemeente in deze periode: 1 = hoogste waarde (niet noodzakelijk de "
                             "gunstigste, zie polarity in indicators.csv). Leeg als de waarde ontbreekt."),
    ("rank_count", "geheel getal", "Aantal gemeenten met een waarde in deze periode."),
    ("previous_period", "tekst", "Voorgaande periode in de reeks van deze gemeente, waarmee change "
                                 "berekend is."),
    ("change", "decimaal getal", "value min de waarde in previous_period."),
    ("flag", "tekst", "Vlaggen bij value, gescheiden door '|'; leeg = geen vlag. estimated = geschat, "
                      "provisional = voorlopig, confidential = vertrouwelijk (afgeschermd door de bron), "
                      "missing = ontbrekend, period_uncertain = periode onzeker."),
    ("source", "tekst", "Bron van de indicator; uitgever, licentie en links staan in indicators.csv."),
)
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
    dictionary = pl.DataFrame([dict(zip(("kolom", "type", "omschrijving"), column)) for column in COLUMNS])
    indicators = _indicator_table(con)
    dictionary.write_csv(target / "data_dictionary.csv")
    indicators.write_csv(target / "indicators.csv")
    extra_sheets = {"toelichting": dictionary, "indicatoren": indicators}
    _write_both(table, target / "barometer", extra_sheets)
    for (nis_code,), rows in table.group_by("nis_code", maintain_order=True):
        _write_both(rows, target / "gemeenten" / nis_code, extra_sheets)


def _barometer_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return queries.barometer(con).with_columns(
        limburg_value=pl.col("area_value"),
        limburg_flag=pl.col("area_flags").list.join("|").fill_null(""),
        flag=pl.col("flags").list.join("|").fill_null(""),
    ).select(name for name, _, _ in COLUMNS)


def _indicator_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    metadata = con.sql("SELECT * FROM indicator_metadata LIMIT 0").columns
    table = queries.indicators(con)
    coverage = [formatting.coverage(n, total)
                for n, total in table.select("n_values", "n_municipalities").iter_rows()]
    return table.select(*metadata, *INDICATOR_COLUMNS).with_columns(
        coverage=pl.Series(coverage, dtype=pl.String))


def _write_both(table: pl.DataFrame, stem: Path, extra_sheets: dict[str, pl.DataFrame]) -> None:
    table.write_csv(stem.with_suffix(".csv"))
    # in_memory: xlsxwriter otherwise writes and deletes a temp file per part, which dominates the time.
    with xlsxwriter.Workbook(stem.with_suffix(".xlsx"), {"in_memory": True}) as workbook:
        table.write_excel(workbook, "barometer", dtype_formats=NUMBER_FORMATS, freeze_panes="A2")
        for name, sheet in extra_sheets.items():
            sheet.write_excel(workbook, name, dtype_formats=NUMBER_FORMATS)
