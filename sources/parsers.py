"""Parsers: one function per file layout, each returning a Polars frame that keeps the row number.

Observation parsers return the common long layout
    nis_code, period, measure, value, status, note, _source_file, _source_row
where `_source_row` is the spreadsheet-style row number (the header is row 1), so that every
validation message can point at the row an analyst has to open.
"""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from sources import publishers
from sources.catalog import Source
from sources.errors import SourceFileError
from sources.publishers import ParsedFile


OBSERVATION_SCHEMA = {"nis_code": pl.String, "period": pl.String, "measure": pl.String, "value": pl.Float64,
                      "status": pl.String, "note": pl.String, "_source_file": pl.String, "_source_row": pl.Int64}


def empty_observations() -> pl.DataFrame:
    """The raw table of an observation source of which no file has been obtained yet."""
    return pl.DataFrame(schema=OBSERVATION_SCHEMA)


def _read_csv(path: Path, separator: str = ",") -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, separator=separator, infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, UnicodeDecodeError) as exc:
        raise SourceFileError(path, "readable-csv", str(exc).splitlines()[0]) from exc
    return frame.with_row_index("_source_row", offset=2).with_columns(
        pl.col("_source_row").cast(pl.Int64), pl.lit(path.name).alias("_source_file"))


def _require(frame: pl.DataFrame, path: Path, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceFileError(path, "expected-columns", f"missing column(s) {missing}; found {frame.columns}",
                              row=1, column=missing[0])


def _numeric(frame: pl.DataFrame, path: Path, column: str) -> pl.DataFrame:
    """Cast a text column to Float64; a non-empty cell that is not a number is an error."""
    text = pl.col(column).str.strip_chars()
    cast = frame.with_columns(text.replace("", None).cast(pl.Float64, strict=False).alias("_num"))
    bad = cast.filter(pl.col("_num").is_null() & text.replace("", None).is_not_null())
    if bad.height:
        first = bad.row(0, named=True)
        raise SourceFileError(path, "numeric-value", f"{first[column]!r} is not a number "
                              f"({bad.height} such cell(s))", row=first["_source_row"], column=column)
    return cast.drop(column).rename({"_num": column})


def _status(frame: pl.DataFrame, path: Path, source: Source) -> pl.DataFrame:
    rules = source.status
    status = pl.lit("")
    if "column" in rules:
        column, mapping = rules["column"], rules["values"]
        _require(frame, path, [column])
        unknown = frame.filter(~pl.col(column).is_in(list(mapping)))
        if unknown.height:
            first = unknown.row(0, named=True)
            raise SourceFileError(path, "known-status", f"status {first[column]!r} is not one of {list(mapping)}",
                                  row=first["_source_row"], column=column)
        status = pl.col(column).replace_strict(mapping, return_dtype=pl.String)
    for fragment, flag in rules.get("notes", {}).items():
        status = pl.when(pl.col("note").str.contains(fragment, literal=True)).then(pl.lit(flag)).otherwise(status)
    return frame.with_columns(status.alias("status"))


def _finish(frame: pl.DataFrame, path: Path, source: Source) -> pl.DataFrame:
    unknown = frame.filter(~pl.col("measure").is_in(list(source.measures)))
    if unknown.height:
        first = unknown.row(0, named=True)
        raise SourceFileError(path, "known-measure", f"measure {first['measure']!r} is not declared for source "
                              f"{source.id} (declared: {sorted(source.measures)})", row=first["_source_row"])
    frame = frame.with_columns(pl.col("nis_code").str.strip_chars(), pl.col("period").str.strip_chars())
    return _numeric(frame, path, "value").select(list(OBSERVATION_SCHEMA)).sort("_source_row")


def reference_long(path: Path, source: Source) -> pl.DataFrame:
    """Long CSV: one row per municipality, measure and period (`nis_code,...,period,value,...,notes`)."""
    frame = _read_csv(path)
    _require(frame, path, ["nis_code", "period", "value"] + ([] if source.measure else ["indicator"]))
    if source.measure:
        frame = frame.with_columns(pl.lit(source.measure).alias("measure"))
    else:
        frame = frame.filter(~pl.col("indicator").is_in(list(source.ignore_measures)))
        frame = frame.with_columns(pl.col("indicator").replace(source.measure_map).alias("measure"))
    frame = frame.with_columns(pl.col("notes").fill_null("").alias("note") if "notes" in frame.columns
                               else pl.lit("").alias("note"))
    return _finish(_status(frame, path, source), path, source)


def reference_wide(path: Path, source: Source) -> pl.DataFrame:
    """Wide CSV: one row per municipality and period, one column per measure."""
    frame = _read_csv(path)
    measures = list(source.measures)
    _require(frame, path, ["nis_code", source.period_column, *measures])
    frame = frame.with_columns(pl.col("notes").fill_null("").alias("note") if "notes" in frame.columns
                               else pl.lit("").alias("note"))
    frame = _status(frame, path, source).rename({source.period_column: "period"})
    long = frame.unpivot(on=measures, index=["nis_code", "period", "status", "note", "_source_file", "_source_row"],
                         variable_name="measure", value_name="value")
    return _finish(long, path, source)


def refnis_changes(path: Path, source: Source) -> pl.DataFrame:
    """The REFNIS changes of 1 January 2019: one row per old code with its new code, the French name of the
    new municipality and a note ("Ancienne commune de X fusionnée en 2019" or "Renumérotation REFNIS")."""
    frame = _read_csv(path)
    _require(frame, path, ["old_nis_code", "new_nis_code", "name_fr", "note"])
    for column in ("old_nis_code", "new_nis_code"):
        _first_bad_code(frame, path, column)
    return frame.select("old_nis_code", "new_nis_code", "name_fr", "note", "_source_file", "_source_row")


MERGED_PART = r"^\s*(.+?) \((\d{5})\)\s*$"


def mergers_2025(path: Path, source: Source) -> pl.DataFrame:
    """The mergers of 1 January 2025 as listed in fusies-2025.csv: `Old (code) + Old (code),<tab>New (code)`.
    One row per old code, with the new code and the names as the list writes them."""
    # the list separates its two columns by a comma and a tab
    frame = _read_csv(path).rename(str.strip)
    old, new = "Fuserende gemeenten", "Nieuwe gemeenten"
    _require(frame, path, [old, new])
    new_part = pl.col(new).str.strip_chars()
    frame = frame.with_columns(new_part.str.extract(MERGED_PART, 1).alias("new_name_nl"),
                               new_part.str.extract(MERGED_PART, 2).alias("new_nis_code"),
                               pl.col(old).str.split(" + ").alias("_parts"))
    bad = frame.filter(pl.col("new_nis_code").is_null())
    if bad.height:
        first = bad.row(0, named=True)
        raise SourceFileError(path, "name-and-code", f"{first[new]!r} is not 'Name (five-digit code)'",
                              row=first["_source_row"], column=new)
    parts = frame.explode("_parts").with_columns(
        pl.col("_parts").str.extract(MERGED_PART, 1).alias("old_name_nl"),
        pl.col("_parts").str.extract(MERGED_PART, 2).alias("old_nis_code"))
    bad = parts.filter(pl.col("old_nis_code").is_null())
    if bad.height:
        first = bad.row(0, named=True)
        raise SourceFileError(path, "name-and-code", f"{first['_parts']!r} is not 'Name (five-digit code)'",
                              row=first["_source_row"], column=old)
    return parts.select("old_nis_code", "old_name_nl", "new_nis_code", "new_name_nl", "_source_file", "_source_row")


def _first_bad_code(frame: pl.DataFrame, path: Path, column: str) -> None:
    bad = frame.filter(~pl.col(column).fill_null("").str.contains(r"^\d{5}$"))
    if bad.height:
        first = bad.row(0, named=True)
        raise SourceFileError(path, "nis-code-format", f"{first[column]!r} is not a NIS code (five digits)",
                              row=first["_source_row"], column=column)


def topojson(path: Path, source: Source) -> pl.DataFrame:
    """Municipality boundaries as TopoJSON: one row per municipality of its `municipalities` object, with the
    code in `nis` (the geometry stays in the file; models/boundaries.py reads it)."""
    try:
        geometries = json.loads(path.read_text(encoding="utf-8"))["objects"]["municipalities"]["geometries"]
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise SourceFileError(path, "topojson-municipalities", f"not a TopoJSON with an object 'municipalities': "
                              f"{type(exc).__name__}: {exc}") from exc
    rows = []
    for number, geometry in enumerate(geometries, start=1):
        props = geometry.get("properties") or {}
        if "nis" not in props or not geometry.get("arcs"):
            raise SourceFileError(path, "topojson-geometry", "a municipality without its code (nis) or its arcs",
                                  row=number)
        rows.append({"nis_code": str(props["nis"]).zfill(5), "name_nl": props.get("name_nl", ""),
                     "_source_file": path.name, "_source_row": number})
    return pl.DataFrame(rows, schema={"nis_code": pl.String, "name_nl": pl.String, "_source_file": pl.String,
                                      "_source_row": pl.Int64})


GSM_COLUMNS = {"Basisthema": "theme", "Definitie": "definition", "Eenheid": "unit", "Ratio": "ratio",
               "Teller": "numerator", "Noemer": "denominator", "Bron": "publisher",
               "Laatste jaar beschikbaar": "latest_year", "Aanlevering volgende update": "next_update",
               "Title": "title", "Download URL": "download_url"}


def gsm_catalogue(path: Path, source: Source) -> pl.DataFrame:
    """The Gemeente-Stadsmonitor indicator catalogue (`;`-separated); the code is taken from the URL."""
    frame = _read_csv(path, separator=";")
    _require(frame, path, list(GSM_COLUMNS))
    return frame.rename(GSM_COLUMNS).with_columns(
        pl.col("download_url").str.extract(r"GSM_Extract_([A-Z]+_\d+)\.xlsx$").alias("code")
    ).select("code", *GSM_COLUMNS.values(), "_source_file", "_source_row")


PARSERS = {"reference_long": reference_long, "reference_wide": reference_wide, "refnis_changes": refnis_changes,
           "mergers_2025": mergers_2025,
           "topojson": topojson, "gsm_catalogue": gsm_catalogue,
           "gsm_extract": publishers.gsm_extract, "statbel_population": publishers.statbel_population,
           "statbel_fiscal_income": publishers.statbel_fiscal_income, "vdab_jobseekers": publishers.vdab_jobseekers,
           "wonen_caravan_sites": publishers.wonen_caravan_sites, "statbel_refnis": publishers.statbel_refnis,
           "provincies_incijfers": publishers.provincies_incijfers,
           "statbel_publication": publishers.statbel_publication, "pinc_upload": publishers.pinc_upload}
# parsers that match the names in a file to codes, through the register of the file's municipality set
NEEDS_REGISTER = {"provincies_incijfers"}


def parse_file(path: Path, source: Source, register: pl.DataFrame | None = None) -> ParsedFile:
    """The rows of `path` in the layout of the source's parser, with what the file says about itself; a file
    without any row is refused, because loading it would empty the source's table. A parser that matches names
    needs the `register`."""
    parser = PARSERS[source.parser]
    if source.parser in NEEDS_REGISTER:
        if register is None:
            raise ValueError(f"parser {source.parser} of source {source.id} needs the municipality register")
        parsed = parser(path, source, register)
    else:
        parsed = parser(path, source)
    parsed = parsed if isinstance(parsed, ParsedFile) else ParsedFile(parsed)
    if parsed.frame.is_empty():
        raise SourceFileError(path, "has-rows", "the file holds no data rows (a header only, or no row of a "
                              "municipality)")
    return parsed


def parse(path: Path, source: Source, register: pl.DataFrame | None = None) -> pl.DataFrame:
    """The rows of `path` (see `parse_file`)."""
    return parse_file(path, source, register).frame
