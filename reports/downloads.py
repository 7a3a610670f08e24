"""Machine-readable downloads: the barometer in long format as CSV and XLSX, overall and per
municipality, with a data dictionary and the indicator metadata."""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from models.warehouse import row_count
from reports import composite, disclosure, formatting, queries
from reports.xlsx import MAX_DATA_ROWS, sheet_xml, write_xlsx

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
    ("value", "decimaal getal", "Waarde in de eenheid van kolom unit, afgerond op het aantal decimalen van de "
                                "indicator (decimals in indicators.csv), net als area_value, arrondissement_value, "
                                "region_value en change. Leeg = ontbreekt (nooit 0). " + FORMAT_NOTE),
    ("unit", "tekst", "Eenheid van value (numerator en denominator zijn de onderliggende aantallen); bij '%' is "
                      "value een percentage (6,1 betekent 6,1 %), nooit een fractie."),
    ("numerator", "decimaal getal", "Teller van de verhouding, als de bron die levert; anders leeg."),
    ("denominator", "decimaal getal", "Noemer van de verhouding, als de bron die levert; anders leeg."),
    # {area}: the name of the configured area, filled in when the dictionary is written
    ("area_value", "decimaal getal", "Waarde voor het hele gebied ({area}) in dezelfde periode: het cijfer van de "
                                     "bron zelf als die er een geeft, anders berekend uit de gemeenten (zie "
                                     "methode.html); leeg als die niet te geven is (zie area_flag)."),
    ("area_flag", "tekst", "Vlaggen bij area_value, met dezelfde codes als kolom flag."),
    ("arrondissement", "tekst", "Het arrondissement van de gemeente, op de grenzen van 2025 (leeg als het gebied zelf "
                                "een arrondissement is)."),
    ("arrondissement_value", "decimaal getal", "Waarde voor dat arrondissement in dezelfde periode; leeg als die niet "
                                               "te geven is (zie arrondissement_flag)."),
    ("arrondissement_flag", "tekst", "Vlaggen bij arrondissement_value."),
    # {region}: the name of the region the area is compared with
    ("region_value", "decimaal getal", "Waarde voor {region} in dezelfde periode; leeg als die niet te geven is."),
    ("region_flag", "tekst", "Vlaggen bij region_value."),
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
# Every rule of the small-numbers protection stays within one indicator, so the barometer is protected a
# batch of indicators at a time: the memory stays bounded at any number of municipalities and indicators.
INDICATORS_PER_BATCH = 32
# Written instead of barometer.xlsx when the barometer has more rows than a worksheet holds.
NO_NATIONAL_XLSX = "LEESMIJ.txt"


def write_downloads(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Write downloads/ with barometer.csv|xlsx, gemeenten/<nis>.csv|xlsx and the metadata files; above the
    rows of a worksheet LEESMIJ.txt instead of barometer.xlsx."""
    target = folder / "downloads"
    (target / "gemeenten").mkdir(parents=True, exist_ok=True)
    area = queries.area_name(con)
    region = queries.region_name(con) or "het gewest (leeg: het gebied ligt niet binnen één gewest)"
    dictionary = pl.DataFrame([{"kolom": name, "type": kind,
                                "omschrijving": text.replace("{area}", area).replace("{region}", region), "bestand": file}
                               for file, columns in DICTIONARY for name, kind, text in columns])
    indicators = _indicator_table(con)
    dictionary.write_csv(target / "data_dictionary.csv")
    indicators.write_csv(target / "indicators.csv")
    # the same two sheets go into every workbook: their XML is made once
    explanation = list(sheet_xml(dictionary))
    extra_sheets = [("toelichting", explanation), ("indicatoren", list(sheet_xml(indicators)))]
    try:
        _store_published_rows(con)
        _copy_csv(con, "true", target / "barometer.csv")
        n_rows = row_count(con, "download_rows")
        if national_xlsx_fits(n_rows):
            write_xlsx(target / "barometer.xlsx", [("barometer", sheet_xml(_rows(con, "true"))), *extra_sheets])
        else:
            (target / NO_NATIONAL_XLSX).write_text(_no_xlsx_note(n_rows), encoding="utf-8")
        codes = [code for (code,) in con.execute("select distinct nis_code from download_rows order by 1").fetchall()]
        for code in codes:
            chosen = f"nis_code = '{code}'"  # a code from the table itself, never outside input
            _copy_csv(con, chosen, target / "gemeenten" / f"{code}.csv")
            write_xlsx(target / "gemeenten" / f"{code}.xlsx",
                       [("barometer", sheet_xml(_rows(con, chosen))), *extra_sheets])
    finally:
        con.execute("drop table if exists download_batches")
        con.execute("drop table if exists download_rows")
    scores, components = _synthesis_tables(con)
    scores.write_csv(target / "armoedesynthese.csv")
    components.write_csv(target / "armoedesynthese_componenten.csv")
    write_xlsx(target / "armoedesynthese.xlsx",
               [("armoedesynthese", sheet_xml(scores)), ("componenten", sheet_xml(components)),
                ("toelichting", explanation)])


def national_xlsx_fits(rows: int) -> bool:
    return rows <= MAX_DATA_ROWS


def _no_xlsx_note(rows: int) -> str:
    return (f"barometer.xlsx ontbreekt in deze release: de barometer telt {rows:,} rijen, meer dan een "
            f"Excel-werkblad bevat ({MAX_DATA_ROWS:,} rijen onder de kopregel).\n"
            "Alle rijen staan in barometer.csv; per gemeente staan ze ook in gemeenten/<nis_code>.xlsx.\n")


def _store_published_rows(con: duckdb.DuckDBPyConnection) -> None:
    """The temporary table download_rows: the barometer as published, in the columns of the downloads and in
    their order (and the year, to sort by)."""
    ids = [i for (i,) in con.execute("select indicator_id from indicator_metadata order by position").fetchall()]
    for start in range(0, len(ids), INDICATORS_PER_BATCH):
        batch = _barometer_table(con, ids[start:start + INDICATORS_PER_BATCH])
        con.register("_batch", batch)
        try:
            con.execute("create or replace temp table download_batches as select * from _batch" if start == 0
                        else "insert into download_batches select * from _batch")
        finally:
            con.unregister("_batch")
    # sorted once, in the order of the downloads; a municipality's file keeps it (order by rowid)
    con.execute(f"""
        create or replace temp table download_rows as
        select r.* from download_batches r join indicator_metadata m using (indicator_id)
        order by r.nis_code, m.position, {queries.PERIOD_ORDER}""")
    con.execute("drop table download_batches")


def _rows(con: duckdb.DuckDBPyConnection, where: str) -> pl.DataFrame:
    return con.sql(f"select {_COLUMN_LIST} from download_rows where {where} order by rowid").pl()


def _copy_csv(con: duckdb.DuckDBPyConnection, where: str, path: Path) -> None:
    con.execute(f"copy (select {_COLUMN_LIST} from download_rows where {where} order by rowid) "
                f"to {_sql_text(str(path))} (format csv, header)")


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_COLUMN_LIST = ", ".join(f'"{name}"' for name, _, _ in COLUMNS)


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


# figures in the unit of the indicator, published at the number of decimals its metadata declares
ROUNDED = ("value", "area_value", "arrondissement_value", "region_value", "change")


def _rounded(rows: pl.DataFrame, decimals: dict[str, int]) -> pl.DataFrame:
    places = pl.col("indicator_id").replace_strict(decimals, return_dtype=pl.Int64)
    return rows.with_columns(
        pl.coalesce([pl.when(places == d).then(pl.col(c).round(d)) for d in sorted(set(decimals.values()))])
        .alias(c) for c in ROUNDED)


def _barometer_table(con: duckdb.DuckDBPyConnection, indicator_ids: list[str]) -> pl.DataFrame:
    decimals = dict(con.execute("select indicator_id, decimals from indicator_metadata").fetchall())
    return _rounded(disclosure.published_barometer(con, indicator_ids), decimals).with_columns(
        area_flag=pl.col("area_flags").list.join("|").fill_null(""),
        arrondissement_flag=pl.col("arrondissement_flags").list.join("|").fill_null(""),
        region_flag=pl.col("region_flags").list.join("|").fill_null(""),
        flag=pl.col("flags").list.join("|").fill_null(""),
    ).select(*(name for name, _, _ in COLUMNS), "year")


def _indicator_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    metadata = con.sql("SELECT * FROM indicator_metadata LIMIT 0").columns
    table = queries.indicators(con)
    coverage = [formatting.coverage(n, total)
                for n, total in table.select("n_values", "n_municipalities").iter_rows()]
    return table.select(*metadata, *INDICATOR_COLUMNS).with_columns(
        coverage=pl.Series(coverage, dtype=pl.String))
