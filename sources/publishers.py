"""Parsers for publisher files: each documents the layout it expects and refuses anything else.

Observation parsers return the layout of `sources.parsers` (nis_code, period, measure, value, status,
note, _source_file, _source_row) for the municipality rows of a file: rows of the country, regions,
provinces and arrondissements, and rows without a code (totals such as "Vlaams Gewest"), are left
out; a file that covers more than the area is cut to it on load (`scope` in the catalogue).
A cell that is not a number is an error unless the catalogue entry lists it under `status.markers`
(e.g. {"<5": confidential, "-": ""}): the parsers assume no such convention of their own.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from sources import incijfers
from sources.catalog import Source
from sources.errors import SourceFileError
from sources.readers import (Column, Table, check_file, is_xls, read_belgian_csv, read_xlsx_table, read_xlsx_tables,
                             read_zipped_text)

NIS = ("NIS-code", "NIS code", "Niscode", "NIS", "Refnis", "REFNIS-code")
GSM_VALUE = ("Procent (%)", "Procent", "Percentage", "Aandeel (%)", "Waarde")
GSM_PARTS = {"_numerator": ("Teller",), "_denominator": ("Noemer",)}
# an indicator code of the Gemeente-Stadsmonitor, e.g. AR_03 (also inside GSM_Extract_AR_03)
GSM_CODE = r"(?<![A-Za-z0-9])[A-Z]{2}_\d{2}(?!\d)"
MONTHS = {name: number for number, name in enumerate(
    ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
     "november", "december"], start=1)}


@dataclass(frozen=True)
class ParsedFile:
    """The observation rows of a file, and what the file says about itself: `facts` go into the snapshot's
    origin record (the publisher's source lines, the export date, the title), `notes` into the run's metadata
    and the validation report (measures the catalogue does not know, rows left out)."""
    frame: pl.DataFrame
    facts: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Layout:
    """What a parser reads: the formats it accepts and the columns its header must name."""
    formats: tuple[str, ...]  # "xlsx", "csv" (Belgian CSV) or "zip" (zipped text); the first is the default
    header: tuple[Column, ...]
    separator: str = ";"
    # in a workbook, every sheet named like this holds a table (one per year); otherwise the first sheet that has one
    sheets: str | None = None
    # a publication wraps long names onto a row of their own (readers._Grid.joined_names)
    wrapped_names: bool = False


LAYOUTS = {
    "gsm_extract": Layout(("xlsx",), (NIS, ("Jaar", "Periode"))),
    "statbel_population": Layout(("xlsx", "csv"), (("NIS code", "NIS-code"), ("Woonplaats",), ("Mannen",),
                                                    ("Vrouwen",), ("Totaal",)),
                                 separator=",", sheets=r"Bevolking in \d{4}"),
    "statbel_fiscal_income": Layout(("zip", "xlsx"), (("CD_YEAR",), ("CD_MUNTY_REFNIS",))),
    "vdab_jobseekers": Layout(("csv",), (NIS, ("Periode", "Maand"), ("Werkzoekenden zonder werk", "WZW",
                                                                      "Niet-werkende werkzoekenden", "NWWZ"))),
    "wonen_caravan_sites": Layout(("xlsx", "csv"), (NIS, ("Jaar",), ("Type", "Type terrein"),
                                                    ("Aantal standplaatsen", "Standplaatsen"))),
    "statbel_refnis": Layout(("csv",), (("Code NIS",), ("Administratieve eenheden",), ("Code INS",),
                                        ("Entités administratives",))),
    # a Statbel publication workbook: the unit's code, and the measure columns the catalogue maps
    "statbel_publication": Layout(("xls", "xlsx"), (("NIS code", "NIS-code", "Code NIS"),), wrapped_names=True),
    "pinc_upload": Layout(("xlsx", "csv"), (("period",), ("geoitem",), ("geolevel",)), separator=";"),
}


def _kind(path: Path) -> str:
    if is_xls(path):
        return "xls"
    try:
        with zipfile.ZipFile(path) as archive:
            return "xlsx" if "[Content_Types].xml" in archive.namelist() else "zip"
    except (zipfile.BadZipFile, OSError):
        return "csv"


def read(path: Path, parser: str, sheet: str | None = None) -> list[Table]:
    """The tables of `path` in the layout of `parser` (in a workbook, of `sheet` if given), read by the reader its
    content calls for."""
    layout = LAYOUTS[parser]
    check_file(path)
    kind = _kind(path)
    # a format the layout does not take is read as its default, whose reader says what is wrong
    kind = kind if kind in layout.formats else layout.formats[0]
    if kind in ("xlsx", "xls"):
        return read_xlsx_tables(path, layout.header, layout.sheets) if layout.sheets \
            else [read_xlsx_table(path, layout.header, sheet, layout.wrapped_names)]
    if kind == "zip":
        return [read_zipped_text(path, layout.header)]
    return [read_belgian_csv(path, layout.header, layout.separator)]


def refnis_level(code: pl.Expr) -> pl.Expr:
    """The level of a REFNIS code, which its pattern tells."""
    return (pl.when(code == "01000").then(pl.lit("country"))
            .when(code.str.contains(r"^0[2-4]000$")).then(pl.lit("region"))
            .when(code.str.contains(r"^([1-9]0000|2000[12])$")).then(pl.lit("province"))
            .when(code.str.ends_with("000")).then(pl.lit("arrondissement"))
            .otherwise(pl.lit("municipality")))


def _municipalities(table: Table, column: str) -> Table:
    """The rows of municipalities, with `nis_code` (a workbook may hold 2000 for 02000)."""
    code = pl.col(column).str.strip_chars()
    table = replace(table, frame=table.frame.with_columns(
        pl.when(code.str.contains(r"^\d{1,5}$")).then(code.str.zfill(5)).otherwise(code).alias("nis_code")))
    table.first_bad((pl.col("nis_code") != "") & ~pl.col("nis_code").str.contains(r"^\d{5}$"), column,
                    "nis-code-format", "{value!r} is not a NIS code (five digits)")
    return table.where_rows((pl.col("nis_code") != "") & (refnis_level(pl.col("nis_code")) == "municipality"))


def _period(table: Table, column: str, read_period: Callable[[str], str | None], expected: str) -> pl.Expr:
    mapping = {text: read_period(text.strip()) for text in table.frame[column].unique()}
    periods = pl.col(column).replace_strict(mapping, return_dtype=pl.String)
    table.first_bad(periods.is_null(), column, "period-format", f"{{value!r}} is not {expected}")
    return periods


def _year(text: str) -> str | None:
    return text if re.fullmatch(r"\d{4}", text) else None


def _year_or_school_year(text: str) -> str | None:
    return text if re.fullmatch(r"\d{4}(-\d{4})?", text) else None


def _month_end(text: str) -> str | None:
    match = (re.fullmatch(r"(?P<y>\d{4})-(?P<m>\d{1,2})", text) or re.fullmatch(r"(?P<m>\d{1,2})/(?P<y>\d{4})", text)
             or re.fullmatch(r"(?P<m>[a-z]+) (?P<y>\d{4})", text.lower()))
    month = None if not match else int(match["m"]) if match["m"].isdigit() else MONTHS.get(match["m"])
    if month is None or not 1 <= month <= 12:
        return None
    year = int(match["y"])
    return dt.date(year, month, calendar.monthrange(year, month)[1]).isoformat()


def _long(table: Table, period: pl.Expr, measures: Mapping[str, str], source: Source) -> pl.DataFrame:
    """Observation rows: one per row of `table` and measure (measure id -> column)."""
    parts = []
    for measure, column in measures.items():
        keys = table.frame.select("nis_code", period.alias("period"), pl.lit(measure).alias("measure"))
        rest = table.frame.select(pl.lit("").alias("note"), "_source_file", "_source_row")
        parts.append(pl.concat([keys, table.numbers(column, source.status.get("markers")), rest], how="horizontal"))
    return pl.concat(parts).sort("_source_row", maintain_order=True)


def _value_measure(source: Source) -> str:
    values = [m for m in source.measures if not m.endswith(tuple(GSM_PARTS))]
    if len(values) != 1:
        raise ValueError(f"catalogue: source {source.id} must declare exactly one value measure, not {values}")
    return values[0]


def gsm_extract(path: Path, source: Source) -> pl.DataFrame:
    """Gemeente-Stadsmonitor indicator extract GSM_Extract_<CODE>.xlsx (layout assumed: no file was seen).

    The first sheet with a header naming a NIS code column (NIS-code, NIS code, Niscode, NIS) and a
    year column (Jaar or Periode: YYYY, or a school year YYYY-YYYY), below any title rows; the header
    may span up to three rows with merged group cells, and notes may follow the table. The value is
    in "Procent (%)" (or Procent, Percentage, Aandeel (%), Waarde); "Teller" and "Noemer" become
    `<measure>_numerator` and `<measure>_denominator` when the entry declares those measures.
    Gemeente, Indicator and other columns are not used. A file whose sheet names or title rows name
    an indicator code other than the one in the entry's `dataset` is refused.
    """
    table = read(path, "gsm_extract")[0]
    expected = re.search(GSM_CODE, source.dataset)
    named = set(re.findall(GSM_CODE, "\n".join(table.context)))
    if expected and named and expected.group() not in named:
        raise table.error("indicator-code", f"the file is about {sorted(named)}, source {source.id} about "
                                            f"{expected.group()}")
    nis, year = table.columns(LAYOUTS["gsm_extract"].header)
    value = _value_measure(source)
    measures = {value: table.column(GSM_VALUE)}
    measures |= {value + suffix: table.column(names) for suffix, names in GSM_PARTS.items()
                 if value + suffix in source.measures}
    rows = _municipalities(table, nis)
    return _long(rows, _period(rows, year, _year_or_school_year, "a year (YYYY) or school year (YYYY-YYYY)"),
                 measures, source)


def _reference_date(table: Table, path: Path) -> str:
    """1 January of the year in the sheet name, or the date (or year) in a CSV export's file name."""
    if table.sheet:
        return f"{table.sheet[-4:]}-01-01"
    found = (re.search(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)", path.name)
             or re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", path.name))
    if not found:
        raise table.error("reference-date", "the file name gives no reference date; name the export after it, "
                                            "e.g. bevolking_per_gemeente_2024-01-01.csv")
    return found.group() if "-" in found.group() else f"{found.group()}-01-01"


def statbel_population(path: Path, source: Source) -> pl.DataFrame:
    """Statbel population on 1 January per municipality: NIS code, Woonplaats, Mannen, Vrouwen, Totaal.

    Either the workbook Bevolking_per_gemeente.xlsx, one sheet "Bevolking in <year>" per year with a
    title row above the header, or a comma-separated export of one year (as copied in
    bmesuere/belgium-topojson), whose reference date is taken from the file name (a date, or a year
    read as 1 January). Every level is listed; only municipality rows are kept. `Totaal` feeds the
    entry's measure.
    """
    frames = []
    for table in read(path, "statbel_population"):
        nis, _, _, _, total = table.columns(LAYOUTS["statbel_population"].header)
        rows = _municipalities(table, nis)
        frames.append(_long(rows, pl.lit(_reference_date(table, path)), {_value_measure(source): total}, source))
    return pl.concat(frames)


def statbel_fiscal_income(path: Path, source: Source) -> pl.DataFrame:
    """Statbel TF_PSNL_INC_TAX_MUNTY: fiscal income per municipality and income year.

    The open-data zip archive holds one `|`-separated text file (UTF-8, decimal point) with one row
    per municipality and income year (CD_YEAR) and, among others, CD_MUNTY_REFNIS,
    TX_MUNTY_DESCR_NL, MS_NBR_NON_ZERO_INC, MS_NBR_ZERO_INC, MS_TOT_NET_TAXABLE_INC, MS_TOT_TAXES,
    MS_TOT_MUNICIP_TAXES and MS_TOT_RESIDENTS. Statbel's workbook of the same table is read alike.
    The entry's `measure_map` names the Statbel column of each measure.
    """
    if set(source.measure_map.values()) != set(source.measures):
        raise ValueError(f"catalogue: source {source.id} must map a Statbel column to each of its measures")
    table = read(path, "statbel_fiscal_income")[0]
    year, nis = table.columns(LAYOUTS["statbel_fiscal_income"].header)
    measures = {measure: table.column((column,)) for column, measure in source.measure_map.items()}
    rows = _municipalities(table, nis)
    return _long(rows, _period(rows, year, _year, "an income year (YYYY)"), measures, source)


def vdab_jobseekers(path: Path, source: Source) -> pl.DataFrame:
    """VDAB job seekers without work (werkzoekenden zonder werk) per municipality and month (layout assumed).

    A Belgian CSV export of Arvastat (`;`, UTF-8 or Windows-1252, thousands dot; title lines above
    the header allowed): NIS-code (or NIS code, Niscode, NIS), the month in Periode or Maand
    ("2024-01", "01/2024" or "januari 2024") and the count in "Werkzoekenden zonder werk" (or WZW,
    Niet-werkende werkzoekenden, NWWZ). VDAB counts the job seekers at the end of each month, so
    the period is the month's last day.
    """
    table = read(path, "vdab_jobseekers")[0]
    nis, month, count = table.columns(LAYOUTS["vdab_jobseekers"].header)
    rows = _municipalities(table, nis)
    period = _period(rows, month, _month_end, "a month (YYYY-MM, MM/YYYY or 'januari 2024')")
    return _long(rows, period, {_value_measure(source): count}, source)


def wonen_caravan_sites(path: Path, source: Source) -> pl.DataFrame:
    """Wonen-Vlaanderen's yearly list of caravan sites (woonwagenterreinen) (layout assumed).

    One row per site, in a workbook or a Belgian CSV: NIS-code, Jaar, Type (or Type terrein:
    residentieel or doortrekkers) and Aantal standplaatsen (or Standplaatsen); Gemeente, the site's
    name and its occupancy are not used. The pitches of residential sites are summed per
    municipality and year; transit sites (doortrekkersterreinen) are left out, because the measure
    counts residential pitches. A municipality with a site of unknown size gets no value.
    """
    table = read(path, "wonen_caravan_sites")[0]
    nis, year, kind, pitches = table.columns(LAYOUTS["wonen_caravan_sites"].header)
    rows = _municipalities(table, nis)
    kinds = pl.col(kind).str.to_lowercase()
    rows.first_bad(~kinds.str.contains("resident|doortrek"), kind, "known-value",
                   "{value!r} is neither a residential (residentieel) nor a transit (doortrekkers) site")
    rows = rows.where_rows(kinds.str.contains("resident"))
    sites = _long(rows, _period(rows, year, _year, "a year (YYYY)"), {_value_measure(source): pitches}, source)
    return sites.group_by("nis_code", "period", "measure", maintain_order=True).agg(
        pl.when(pl.col("value").is_null().any()).then(None).otherwise(pl.col("value").sum()).alias("value"),
        pl.col("status").filter(pl.col("status") != "").first().fill_null(""),
        pl.format("sum of {} residential site(s), rows {}", pl.len(),
                  pl.col("_source_row").cast(pl.String).str.join(", ")).alias("note"),
        pl.col("_source_file").first(), pl.col("_source_row").min(),
    ).sort("_source_row")


def statbel_refnis(path: Path, source: Source) -> pl.DataFrame:
    """Statbel's REFNIS list as published (REFNIS_2019.csv): one row per code with names and level.

    `;`-separated, UTF-8 or Windows-1252, with French and Dutch columns `Code INS;Entités
    administratives;Langue;Code NIS;Administratieve eenheden;Taal` and empty trailing fields. The
    level follows from the code: 01000 country, 02000 to 04000 regions, 10000 to 90000 and
    20001/20002 provinces, other codes ending in 000 arrondissements, the rest municipalities.
    """
    table = read(path, "statbel_refnis")[0]
    nis, name_nl, ins, name_fr = table.columns(LAYOUTS["statbel_refnis"].header)
    table.first_bad(~pl.col(nis).str.contains(r"^\d{5}$"), nis, "nis-code-format",
                    "{value!r} is not a NIS code (five digits)")
    table.first_bad(pl.col(nis) != pl.col(ins), nis, "same-code", "Code NIS {value!r} differs from Code INS")
    return table.frame.select(pl.col(nis).alias("nis_code"), refnis_level(pl.col(nis)).alias("level"),
                              pl.col(name_nl).alias("name_nl"), pl.col(name_fr).alias("name_fr"),
                              "_source_file", "_source_row")


# ------------------------------------------------------------------------------ names, levels, publications

def name_key(name: str) -> str:
    """A municipality name as compared: case, spacing and dash forms do not matter, nor the merger list's
    "(voorlopige naam)" (provisional name) behind a name that was still to be confirmed."""
    text = re.sub(r"\(voorlopige naam\)", "", name, flags=re.IGNORECASE)
    return " ".join(text.replace("\u2013", "-").replace("\u2014", "-").split()).casefold()


def codes_by_name(register: pl.DataFrame, on: dt.date) -> dict[str, list[str]]:
    """Dutch name -> codes of the municipalities valid on `on` (Belgian names are unique in Dutch within a set)."""
    valid = register.filter(pl.col("level") == "municipality", pl.col("valid_from") <= on, pl.col("valid_to") >= on)
    found: dict[str, list[str]] = {}
    for code, name in valid.select("nis_code", "name_nl").iter_rows():
        found.setdefault(name_key(name), []).append(code)
    return found


def _geography_date(source: Source) -> dt.date:
    if not (source.geography or "").isdigit():
        raise ValueError(f"catalogue: source {source.id} names its areas, so it needs the year of its municipality "
                         f"set as geography, not {source.geography!r}")
    return dt.date(int(source.geography), 1, 1)


def provincies_incijfers(path: Path, source: Source, register: pl.DataFrame) -> ParsedFile:
    """A report export of Provincies in Cijfers (XLSX or CSV, see sources/incijfers.py).

    The entry's `measure_map` maps exact measure labels to measures; every one of them must be in the file.
    Labels listed under `ignore_measures` are known and not used; any other label is new to the catalogue: it
    is listed in the run's metadata and the validation report, and the file is read without it. Rows named in
    `skip_rows` ("Niet te lokaliseren", ...) are left out and counted. Every other name must be the Dutch name
    of exactly one municipality of the entry's municipality set (`geography`) in the register.
    """
    export = incijfers.read_export(path, set(source.measure_map))
    absent = [label for label in source.measure_map if label not in export.labels]
    if absent:
        raise export.error("expected-measures", f"the header lacks the measure {absent[0]!r} (renamed or removed?); "
                           f"it has {list(export.labels)}", row=export.header_row, column="B")
    ignored = [label for label in export.labels if label not in source.measure_map
               and label not in source.ignore_measures]
    skipped = export.areas.filter(pl.col("name").is_in(list(source.skip_rows)))
    areas = export.areas.filter(~pl.col("name").is_in(list(source.skip_rows)))
    index = codes_by_name(register, _geography_date(source))
    codes = {}
    for name, row in areas.iter_rows():
        found = index.get(name_key(name), [])
        if len(found) != 1:
            why = "matches no municipality" if not found else f"matches {len(found)} municipalities ({found})"
            raise export.error("municipality-name", f"{name!r} {why} of the register of {source.geography}; "
                               "a name that is not a municipality belongs in the catalogue's skip_rows", row=row,
                               column="A")
        codes[name] = found[0]
    cells = export.cells.filter(~pl.col("name").is_in(list(source.skip_rows)))
    frame = cells.select(
        pl.col("name").replace_strict(codes, return_dtype=pl.String).alias("nis_code"),
        pl.col("year").cast(pl.String).alias("period"),
        pl.col("label").replace_strict(source.measure_map, return_dtype=pl.String).alias("measure"),
        "value", "status", pl.lit("").alias("note"), pl.lit(path.name).alias("_source_file"), "_source_row")
    facts = {"title_in_file": export.title, "publisher_sources": list(export.publisher_sources),
             "footnotes": list(export.footnotes), "date_exported": export.exported}
    notes = {"ignored_measures": ignored, "left_out_rows": dict(Counter(skipped["name"].to_list()))}
    return ParsedFile(frame.sort("_source_row", maintain_order=True), {k: v for k, v in facts.items() if v}, notes)


def statbel_publication(path: Path, source: Source) -> ParsedFile:
    """A table of a Statbel publication workbook (.xls or .xlsx), such as "Fiscale inkomens - Tabel C".

    The entry names the sheet (`sheet`), the measure column of each measure (`measure_map`: the header text,
    "group / label" below a merged group cell) and where the title rows give the reference period
    (`period_from_title`). Below title rows and a header of one to three rows come the units in hierarchy order
    (Belgium, regions, provinces, arrondissements, municipalities), each with its NIS code, which alone tells
    its level (the Walloon Limbourg 63046 is printed "Limburg"); a name that wraps onto a row of its own is
    joined back. Every level is kept: the aggregate rows are the publisher's own values for the province, the
    region and the country. Rows coded in `skip_rows` (the German-speaking Community, 3001, which is not a
    REFNIS unit) are left out and counted. Cell markers such as "*" (confidential) come from `status.markers`.
    """
    table = read(path, "statbel_publication", source.sheet)[0]
    period = re.search(source.period_from_title or "(?!)", "\n".join(table.titles))
    if period is None:
        raise table.error("reference-period", f"the title rows give no reference period ({source.period_from_title!r}); "
                                              f"they read {list(table.titles)}", row=1)
    nis = table.column(LAYOUTS["statbel_publication"].header[0])
    measures = {measure: table.column((column,)) for column, measure in source.measure_map.items()}
    code = pl.col(nis).str.strip_chars()
    table = replace(table, frame=table.frame.with_columns(
        pl.when(code.str.contains(r"^\d{1,5}$")).then(code.str.zfill(5)).otherwise(code).alias("nis_code")))
    table.first_bad(~pl.col("nis_code").str.contains(r"^\d{5}$"), nis, "nis-code-format",
                    "{value!r} is not a NIS code (five digits)")
    skipped = table.frame.filter(pl.col("nis_code").is_in(list(source.skip_rows)))
    rows = table.where_rows(~pl.col("nis_code").is_in(list(source.skip_rows)))
    frame = _long(rows, pl.lit(period.group(1)), measures, source)
    return ParsedFile(frame, {"title_in_file": " / ".join(table.titles)},
                      {"left_out_rows": dict(Counter(skipped["nis_code"].to_list()))})


def pinc_upload(path: Path, source: Source) -> ParsedFile:
    """An upload file of Provincies in Cijfers (one variable family per file, e.g. v3122 of the National Bank).

    Columns `period`, `geoitem` (the REFNIS code, without its leading zero), `geolevel` and one column per
    variable (`measure_map`: column -> measure). The entry's `geolevels` lists the levels the file may use and
    the REFNIS level each stands for (gemeente2018 is a municipality on the codes of 2018); any other level is
    refused. A unit listed twice under two levels with the same figures (the Brussels Region, as region and
    as province) is kept once; with different figures the file contradicts itself and is refused. An empty
    cell has no value.
    """
    table = read(path, "pinc_upload")[0]
    period, item, level = table.columns(LAYOUTS["pinc_upload"].header)
    table.first_bad(~pl.col(level).is_in(list(source.geolevels)), level, "known-geolevel",
                    f"{{value!r}} is not one of the levels {list(source.geolevels)}")
    table.first_bad(~pl.col(period).str.contains(r"^\d{4}$"), period, "period-format", "{value!r} is not a year")
    code = pl.col(item).str.strip_chars()
    table = replace(table, frame=table.frame.with_columns(
        pl.when(code.str.contains(r"^\d{1,5}$")).then(code.str.zfill(5)).otherwise(code).alias("nis_code")))
    table.first_bad(~pl.col("nis_code").str.contains(r"^\d{5}$"), item, "nis-code-format",
                    "{value!r} is not a NIS code (five digits)")
    measures = {measure: table.column((column,)) for column, measure in source.measure_map.items()}
    values = list(measures.values())
    repeated = pl.struct("nis_code", period).is_duplicated()
    clash = table.frame.filter(repeated).group_by("nis_code", period).agg(
        pl.struct(values).n_unique().alias("versions"), pl.col("_source_row").max()).filter(pl.col("versions") > 1)
    if clash.height:
        first = clash.sort("_source_row").row(0, named=True)
        raise table.error("unique-key", f"unit {first['nis_code']} is listed twice for {first[period]} with different "
                                        "figures", row=first["_source_row"], column=item)
    rows = table.where_rows(pl.struct("nis_code", period).is_first_distinct())
    return ParsedFile(_long(rows, pl.col(period), measures, source))
