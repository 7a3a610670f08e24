"""Machine-readable downloads: the barometer in long format as CSV and XLSX, overall and per
municipality, with a data dictionary and the indicator metadata."""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from models.graph import Download, downloads, schema_columns
from models.warehouse import row_count
from reports import composite, datapackage, disclosure, formatting, queries, targets as council_targets
from reports.profile_template import write_templates
from reports.xlsx import MAX_DATA_ROWS, number_format, sheet_xml, write_xlsx

FORMAT_NOTE = ("CSV-bestanden zijn UTF-8, met een komma als scheidingsteken, een punt als decimaalteken "
               "en zonder scheiding van duizendtallen.")
FLAG_NOTE = "; ".join(f"{code} = {formatting.FLAG_LABELS.get(code, formatting.MISSING)}: {meaning}"
                      for code, meaning in formatting.FLAG_MEANINGS.items())
# The published form of the barometer and the synthesis, from the `download` sections of their schema files
PUBLISHED = {download.model: download for download in downloads()}
BAROMETER, SYNTHESIS, COMPONENTS = PUBLISHED["barometer"], PUBLISHED["synthesis"], PUBLISHED["synthesis_components"]
TARGETS = PUBLISHED["target_progress"]
# a list column is published as text, its items joined by '|'
TYPE_NAMES = {"VARCHAR": "tekst", "VARCHAR[]": "tekst", "DOUBLE": "decimaal getal", "BIGINT": "geheel getal",
              "INTEGER": "geheel getal", "BOOLEAN": "true of false"}
DICTIONARY_FIELDS = {"kolom": "Naam van de kolom in de CSV- en Parquet-bestanden",
                     "kop": "Kop van de kolom in de Excel-bestanden", "type": "Type van de waarden",
                     "omschrijving": "Wat de kolom bevat", "bestand": "De bestanden met deze kolom"}
INDICATOR_COLUMNS = ("latest_period", "latest_year", "n_values", "n_municipalities", "n_periods")
# Every rule of the small-numbers protection stays within one indicator, so the barometer is protected a
# batch of indicators at a time: the memory stays bounded at any number of municipalities and indicators.
INDICATORS_PER_BATCH = 32
# Written instead of barometer.xlsx when the barometer has more rows than a worksheet holds.
NO_NATIONAL_XLSX = "LEESMIJ.txt"


def write_downloads(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Write downloads/: barometer, gemeenten/<nis>, armoedesynthese(_componenten), indicators and the data
    dictionary, each as CSV and Parquet, the workbooks for people, and datapackage.json describing them; above
    the rows of a worksheet LEESMIJ.txt instead of barometer.xlsx."""
    target = folder / "downloads"
    (target / "gemeenten").mkdir(parents=True, exist_ok=True)
    fills = _fills(con)
    headers = {d.model: {c.name: c.header.format_map(fills) for c in d.columns} for d in PUBLISHED.values()}
    dictionary = _dictionary(fills)
    indicators = _indicator_table(con)
    _write_frame(dictionary, target / "data_dictionary")
    _write_frame(indicators, target / "indicators")
    # the same two sheets go into every workbook: their XML is made once
    explanation = sheet_xml(_explanation(dictionary, indicators)).kept()
    extra_sheets = [("Toelichting", explanation), ("Indicatoren", sheet_xml(indicators).kept())]
    barometer_sheet = {"headers": headers["barometer"], "formats": {**dict.fromkeys(ROUNDED, FORMAT), **COUNT_FORMATS}}
    try:
        _store_published_rows(con)
        _copy(con, "true", target / "barometer")
        n_rows = row_count(con, "download_rows")
        if national_xlsx_fits(n_rows):
            write_xlsx(target / "barometer.xlsx",
                       [("Barometer", sheet_xml(_rows(con, "true"), **barometer_sheet)), *extra_sheets])
        else:
            (target / NO_NATIONAL_XLSX).write_text(_no_xlsx_note(n_rows), encoding="utf-8")
        codes = [code for (code,) in con.execute("select distinct nis_code from download_rows order by 1").fetchall()]
        goals = _targets_table(con)
        targets_sheet = {"headers": headers["target_progress"], "formats": dict.fromkeys(TARGET_ROUNDED, FORMAT)}
        _write_frame(goals.drop(FORMAT), target / "doelstellingen")
        write_xlsx(target / "doelstellingen.xlsx",
                   [("Doelstellingen", sheet_xml(goals, **targets_sheet)), *extra_sheets])
        for code in codes:
            chosen = f"nis_code = '{code}'"  # a code from the table itself, never outside input
            _copy(con, chosen, target / "gemeenten" / code)
            own = goals.filter(pl.col("nis_code") == code)
            sheets = [("Barometer", sheet_xml(_rows(con, chosen), **barometer_sheet))]
            if own.height:
                (target / "doelstellingen").mkdir(exist_ok=True)
                _write_frame(own.drop(FORMAT), target / "doelstellingen" / code)
                sheets.append(("Doelstellingen", sheet_xml(own, **targets_sheet)))
            write_xlsx(target / "gemeenten" / f"{code}.xlsx", [*sheets, *extra_sheets])
        write_templates(target, queries.indicators(con).to_dicts(), _latest_published(con), queries.municipalities(con),
                        council_targets.profiles(con), council_targets.stated(con))
    finally:
        con.execute("drop table if exists download_batches")
        con.execute("drop table if exists download_rows")
    scores, components = _synthesis_tables(con)
    _write_frame(scores.drop(FORMAT), target / "armoedesynthese")
    _write_frame(components.drop(FORMAT), target / "armoedesynthese_componenten")
    write_xlsx(target / "armoedesynthese.xlsx", [
        ("Armoedesynthese", sheet_xml(scores, headers["synthesis"], {"score": FORMAT})),
        ("Componenten", sheet_xml(components, headers["synthesis_components"],
                                  {"value": FORMAT, "standard_score": FORMAT})),
        ("Toelichting", explanation)])
    datapackage.write(target, PUBLISHED.values(), fills, _descriptions(), _sources(con))


def _fills(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """What the schema files' texts name: the area, its region and the notes on format and flags."""
    region = queries.region_name(con) or "het gewest (leeg: het gebied ligt niet binnen één gewest)"
    return {"area": queries.area_name(con), "region": region, "format_note": FORMAT_NOTE, "flag_note": FLAG_NOTE}


def _dictionary(fills: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame([{"kolom": column.name, "kop": column.header.format_map(fills),
                          "type": TYPE_NAMES[column.type], "omschrijving": column.description.format_map(fills),
                          "bestand": download.files}
                         for download in PUBLISHED.values() for column in download.columns])


def _explanation(dictionary: pl.DataFrame, indicators: pl.DataFrame) -> pl.DataFrame:
    """The Toelichting sheet: what each column, flag, indicator and source means, in three columns."""
    rows = [("Kolom", r["kop"], f"{r['omschrijving']} (kolom {r['kolom']} in {r['bestand']}, {r['type']})")
            for r in dictionary.iter_rows(named=True)]
    rows += [("Vlag", formatting.FLAG_LABELS.get(code, formatting.MISSING), f"{meaning} (code {code} in de CSV)")
             for code, meaning in formatting.FLAG_MEANINGS.items()]
    for r in indicators.iter_rows(named=True):
        rows.append(("Indicator", r["title"], f"{r['definition']} Eenheid: {r['unit']}, gepubliceerd met "
                                              f"{r['decimals']} decimalen. Dekking: {r['coverage']}."))
        rows.append(("Bron", r["title"], f"{r['source']} ({r['publisher']}; licentie: {r['licence']}) "
                                         f"{r['source_urls']}".strip()))
    return pl.DataFrame(rows, schema=["Onderdeel", "Naam", "Omschrijving"], orient="row")


def _sources(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The sources with figures in the barometer, as the catalogue describes them."""
    return con.sql("select title, publisher, licence, url from source_spec "
                   "where source_id in (select source_id from observations) order by source_id").pl().to_dicts()


def _write_frame(frame: pl.DataFrame, stem: Path) -> None:
    frame.write_csv(stem.with_suffix(".csv"))
    frame.write_parquet(stem.with_suffix(".parquet"))


def _descriptions() -> dict[str, dict[str, str]]:
    """Descriptions of the metadata files' columns, for the data package: from the schemas of their models."""
    indicators = {name: column["description"] for model in ("indicator_metadata", "indicator_coverage")
                  for name, column in schema_columns(model).items()}
    return {"indicators": indicators | {"coverage": "Dekking in de laatste periode, in woorden"},
            "data_dictionary": DICTIONARY_FIELDS}


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
    formats = ", ".join((FORMAT, *COUNT_FORMATS.values()))
    return con.sql(f"select {_COLUMN_LIST}, {formats} from download_rows where {where} order by rowid").pl()


def _copy(con: duckdb.DuckDBPyConnection, where: str, stem: Path) -> None:
    """The chosen published rows as CSV and as Parquet."""
    for suffix, options in ((".csv", "format csv, header"), (".parquet", "format parquet")):
        con.execute(f"copy (select {_COLUMN_LIST} from download_rows where {where} order by rowid) "
                    f"to {_sql_text(str(stem.with_suffix(suffix)))} ({options})")


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_COLUMN_LIST = ", ".join(f'"{column.name}"' for column in BAROMETER.columns)


def _synthesis_tables(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The synthesis and its components as published, scores at the synthesis's decimals, each values at its
    indicator's, with the number format of each row for the workbook (column FORMAT)."""
    synthesis = composite.load(con)
    weights = {part["indicator_id"]: part["weight"] for part in synthesis.taking_part}
    scores = synthesis.scores.sort("nis_code").with_columns(
        pl.col("value").round(composite.DECIMALS), pl.lit(number_format("number", composite.DECIMALS)).alias(FORMAT))
    decimals, formats = _indicator_formats(con)
    components = synthesis.components.join(synthesis.scores.select("nis_code", "municipality"), on="nis_code")
    components = _rounded(components, decimals, ("value",)).with_columns(
        pl.col("score").round(composite.DECIMALS),
        weight=pl.col("indicator_id").replace_strict(weights, return_dtype=pl.Float64),
        **{FORMAT: pl.col("indicator_id").replace_strict(formats, return_dtype=pl.String)})
    return _published(scores, SYNTHESIS, FORMAT), _published(components, COMPONENTS, FORMAT)


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


# figures in the unit of the indicator, published at the number of decimals its metadata declares; change
# is the difference of two published values
VALUES = ("value", "area_value", "arrondissement_value", "region_value")
ROUNDED = (*VALUES, "change")
# the column of a frame that holds each row's number format for the workbook (reports/xlsx.py)
FORMAT = "_number_format"
# Numerators and denominators have no declared precision: they are the source's figures or sums of them.
# 15 significant digits are what a double holds exactly, so the sums lose their binary tails
# (378038327.96000004 is published as 378038327.96) and keep every digit a publisher gave.
SIGNIFICANT_DIGITS = 15
# in the workbook they show as whole numbers, or with two decimals where they have decimals (euro sums)
COUNT_FORMATS = {"numerator": "_numerator_format", "denominator": "_denominator_format"}


def _indicator_formats(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], dict[str, str]]:
    """Per indicator its decimals and the workbook's number format of its values."""
    rows = con.execute("select indicator_id, decimals, unit from indicator_metadata").fetchall()
    return ({i: d for i, d, _ in rows}, {i: number_format(_number_kind(unit), d) for i, d, unit in rows})


def _number_kind(unit: str) -> str:
    return "percent" if unit == "%" else "euro" if unit.startswith("euro") else "number"


def _rounded(rows: pl.DataFrame, decimals: dict[str, int], columns: tuple[str, ...]) -> pl.DataFrame:
    places = pl.col("indicator_id").replace_strict(decimals, return_dtype=pl.Int64)
    return rows.with_columns(
        pl.coalesce([pl.when(places == d).then(pl.col(c).round(d)) for d in sorted(set(decimals.values()))])
        .alias(c) for c in columns)


def _barometer_table(con: duckdb.DuckDBPyConnection, indicator_ids: list[str]) -> pl.DataFrame:
    """The published rows of some indicators: values at their decimals, the change between the published
    values (the previous value is value - change), numerators and denominators without binary tails."""
    decimals, formats = _indicator_formats(con)
    rows = disclosure.published_barometer(con, indicator_ids)
    rows = _rounded(rows.with_columns(previous_value=pl.col("value") - pl.col("change")), decimals,
                    (*VALUES, "previous_value"))
    rows = _rounded(rows.with_columns(change=pl.col("value") - pl.col("previous_value")), decimals, ("change",))
    rows = rows.with_columns(pl.col("numerator", "denominator").round_sig_figs(SIGNIFICANT_DIGITS),
                             **{FORMAT: pl.col("indicator_id").replace_strict(formats, return_dtype=pl.String)})
    rows = rows.with_columns(**{shown: pl.when(pl.col(column) == pl.col(column).round(0))
                                .then(pl.lit(number_format("number", 0))).otherwise(pl.lit(number_format("number", 2)))
                                for column, shown in COUNT_FORMATS.items()})
    return _published(rows, BAROMETER, "year", FORMAT, *COUNT_FORMATS.values())


# the goal and the values of a target at the indicator's decimals, its changes per year with one more
TARGET_VALUES = ("target_value", "goal", "baseline_value", "latest_value", "noise_margin")
TARGET_PER_YEAR = ("needed_per_year", "observed_per_year")
TARGET_ROUNDED = (*TARGET_VALUES, "minimum_change", *TARGET_PER_YEAR)


def _latest_published(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per municipality and indicator its latest dated value as published (download_rows)."""
    return con.sql("""
        select nis_code, indicator_id, arg_max(period, year) as period, max(year) as year,
               arg_max(value, year) as value
        from download_rows where value is not null and year is not null group by nis_code, indicator_id""").pl()


def _targets_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The councils' targets and their progress as published, with the workbook's number format per row."""
    ids = [i for (i,) in con.execute("select distinct indicator_id from target_progress").fetchall()]
    progress = council_targets.progress(con, disclosure.published_barometer(con, ids))
    decimals, formats = _indicator_formats(con)
    more = {i: d + council_targets.EXTRA_DECIMALS for i, d in decimals.items()}
    names = con.sql("select nis_code, name_nl as municipality from municipalities where is_current").pl()
    titles = con.sql("select indicator_id, title as indicator, unit from indicator_metadata").pl()
    rows = _rounded(_rounded(progress, decimals, (*TARGET_VALUES, "minimum_change")), more, TARGET_PER_YEAR)
    rows = rows.join(names, on="nis_code", how="left").join(titles, on="indicator_id", how="left").with_columns(
        **{FORMAT: pl.col("indicator_id").replace_strict(formats, default=number_format("number", 2),
                                                         return_dtype=pl.String)})
    return _published(rows, TARGETS, FORMAT)


def _indicator_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    metadata = con.sql("SELECT * FROM indicator_metadata LIMIT 0").columns
    table = queries.indicators(con)
    coverage = [formatting.coverage(n, total)
                for n, total in table.select("n_values", "n_municipalities").iter_rows()]
    return table.select(*metadata, *INDICATOR_COLUMNS).with_columns(
        coverage=pl.Series(coverage, dtype=pl.String))
