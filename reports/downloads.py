"""Machine-readable downloads: the barometer in long format as CSV and XLSX, overall and per
municipality, with a data dictionary and the indicator metadata."""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from models.graph import Download, downloads
from models.warehouse import row_count
from reports import composite, disclosure, formatting, queries
from reports.xlsx import MAX_DATA_ROWS, sheet_xml, write_xlsx

FORMAT_NOTE = ("CSV-bestanden zijn UTF-8, met een komma als scheidingsteken, een punt als decimaalteken "
               "en zonder scheiding van duizendtallen.")
FLAG_NOTE = "; ".join(f"{code} = {formatting.FLAG_LABELS.get(code, formatting.MISSING)}: {meaning}"
                      for code, meaning in formatting.FLAG_MEANINGS.items())
# The published form of the barometer and the synthesis, from the `download` sections of their schema files
PUBLISHED = {download.model: download for download in downloads()}
BAROMETER, SYNTHESIS, COMPONENTS = PUBLISHED["barometer"], PUBLISHED["synthesis"], PUBLISHED["synthesis_components"]
# a list column is published as text, its items joined by '|'
TYPE_NAMES = {"VARCHAR": "tekst", "VARCHAR[]": "tekst", "DOUBLE": "decimaal getal", "BIGINT": "geheel getal",
              "INTEGER": "geheel getal"}
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
    fills = {"area": area, "region": region, "format_note": FORMAT_NOTE, "flag_note": FLAG_NOTE}
    dictionary = pl.DataFrame([{"kolom": column.name, "type": TYPE_NAMES[column.type],
                                "omschrijving": column.description.format_map(fills), "bestand": download.files}
                               for download in PUBLISHED.values() for column in download.columns])
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


_COLUMN_LIST = ", ".join(f'"{column.name}"' for column in BAROMETER.columns)


def _synthesis_tables(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    synthesis = composite.load(con)
    weights = {part["indicator_id"]: part["weight"] for part in synthesis.taking_part}
    components = synthesis.components.join(synthesis.scores.select("nis_code", "municipality"), on="nis_code")
    components = components.with_columns(weight=pl.col("indicator_id").replace_strict(weights, return_dtype=pl.Float64))
    return _published(synthesis.scores.sort("nis_code"), SYNTHESIS), _published(components, COMPONENTS)


def _published(frame: pl.DataFrame, download: Download, *keep: str) -> pl.DataFrame:
    """`frame` in the columns of `download` (and the columns `keep`): a column of the model itself under its
    model name, a column joined from another model already under its published name."""
    def column(published):
        model, _, name = published.source.partition(".")
        found = pl.col(name if model == download.model else published.name)
        if published.type.endswith("[]"):
            found = found.list.join("|").fill_null("")
        return found.alias(published.name)
    return frame.select(*(column(c) for c in download.columns), *keep)


# figures in the unit of the indicator, published at the number of decimals its metadata declares
ROUNDED = ("value", "area_value", "arrondissement_value", "region_value", "change")


def _rounded(rows: pl.DataFrame, decimals: dict[str, int]) -> pl.DataFrame:
    places = pl.col("indicator_id").replace_strict(decimals, return_dtype=pl.Int64)
    return rows.with_columns(
        pl.coalesce([pl.when(places == d).then(pl.col(c).round(d)) for d in sorted(set(decimals.values()))])
        .alias(c) for c in ROUNDED)


def _barometer_table(con: duckdb.DuckDBPyConnection, indicator_ids: list[str]) -> pl.DataFrame:
    decimals = dict(con.execute("select indicator_id, decimals from indicator_metadata").fetchall())
    return _published(_rounded(disclosure.published_barometer(con, indicator_ids), decimals), BAROMETER, "year")


def _indicator_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    metadata = con.sql("SELECT * FROM indicator_metadata LIMIT 0").columns
    table = queries.indicators(con)
    coverage = [formatting.coverage(n, total)
                for n, total in table.select("n_values", "n_municipalities").iter_rows()]
    return table.select(*metadata, *INDICATOR_COLUMNS).with_columns(
        coverage=pl.Series(coverage, dtype=pl.String))
