"""Report exports of Provincies in Cijfers (provincies.incijfers.be, limburg.incijfers.be), XLSX and CSV.

The platform exports a report table as it shows it, one row per area by name (no code):

XLSX (one sheet): the report title in A1; a row of measure labels, each written above one column of its
block of year columns (above the block's last year in the exports seen); a row of years; one row per area
(name in column A); an empty row; then the footer, a section name in column A and its lines in column B:
    Speciale waarden   "- Geen waarde", "x Verborgen waarde", "nvt Niet van toepassing", "? Ontbrekende
                       waarde", then "Prognose", "Schatting", "Voorlopig": not codes but the font colours
                       with which the table marks such figures, shown in the colour itself
    Bron               one line per source ("VDAB | provincies.incijfers.be")
    Voetnoot           numbered notes, "(1)" in column A, referred to from measure labels
    Datum export       "donderdag 21 mei 2026"
Cells of a measure whose label names the unit "[%]" hold proportions (0.061 is shown as 6.1 %).

CSV: `;`-separated and quoted, header `"<area level>";"<measure>|<year>";...`, a decimal comma, the same
special values; no title and no footer. A `[%]` measure is read as in the XLSX (a proportion): if the
platform wrote percentages instead, every value would come out a hundred times too large and validation
(percent 0-100) blocks the file, where the opposite mistake would pass unnoticed.

`read_export` returns every cell of the measures asked for as a value and a status, with the row and
column an analyst finds it in; names are matched to codes by the parser (sources/publishers.py).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl
from openpyxl.utils import get_column_letter

from sources.errors import SourceFileError
from sources.readers import belgian_number, check_file, decode_text, open_workbook, split_rows

# special values in cells: the status each gets (a missing value needs no status: it shows as missing)
SPECIAL_VALUES = {"-": "", "?": "", "x": "confidential", "nvt": "not_applicable"}
# the legend lines that name a font colour rather than a code
MARKERS = {"prognose": "forecast", "schatting": "estimated", "voorlopig": "provisional"}
FOOTER_SECTIONS = ("Speciale waarden", "Bron", "Voetnoot", "Datum export")
# without these the file is not a complete export: the legend says what the special values and colours
# mean, and the source lines and export date go into the snapshot's origin record
REQUIRED_FOOTER = ("Speciale waarden", "Bron", "Datum export")
UNIT = re.compile(r"\[([^\]]+)\]")
CSV_MEASURE = re.compile(r"^(?P<label>.+)\|(?P<year>\d{4})$")
DUTCH_MONTHS = {m: i for i, m in enumerate(("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                                            "september", "oktober", "november", "december"), start=1)}
HEADER_SCAN_ROWS = 10


def is_percent(label: str) -> bool:
    unit = UNIT.search(label)
    return unit is not None and unit.group(1).strip() == "%"


@dataclass(frozen=True)
class Export:
    """One export: its cells (name, label, year, value, status, _source_row, column) and what it says of itself."""
    where: Path
    sheet: str | None
    title: str
    cells: pl.DataFrame
    # every measure label of the header, with the row and column it stands in
    labels: dict[str, tuple[int, str]]
    # the area rows: name and row number, in file order
    areas: pl.DataFrame
    header_row: int
    legend: dict[str, str] = field(default_factory=dict)
    publisher_sources: tuple[str, ...] = ()
    footnotes: tuple[str, ...] = ()
    exported: str = ""

    def error(self, rule: str, detail: str, *, row: int | None = None, column: str | None = None) -> SourceFileError:
        return SourceFileError(self.where, rule, detail, row=row, column=column, sheet=self.sheet)


CELL_SCHEMA = {"name": pl.String, "label": pl.String, "year": pl.Int64, "value": pl.Float64, "status": pl.String,
               "_source_row": pl.Int64, "column": pl.String}


def read_export(path: Path, labels: Collection[str] | None = None) -> Export:
    """The export in `path` (XLSX or CSV, told by its content); the cells of `labels` only (all when None)."""
    check_file(path)
    with path.open("rb") as fh:
        zipped = fh.read(2) == b"PK"
    return _read_xlsx(path, labels) if zipped else _read_csv(path, labels)


# ------------------------------------------------------------------------------------------------ XLSX

def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _font_colour(cell) -> str | None:
    colour = cell.font.color if cell.font is not None else None
    return colour.rgb if colour is not None and colour.type == "rgb" else None


def _read_xlsx(path: Path, labels: Collection[str] | None) -> Export:
    workbook = open_workbook(path)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=sheet.max_column))

    def fail(rule: str, detail: str, row: int | None = None, column: str | None = None) -> SourceFileError:
        return SourceFileError(path, rule, detail, row=row, column=column, sheet=sheet.title)

    years_at = next((i for i, row in enumerate(rows[:HEADER_SCAN_ROWS]) if i > 0 and not _text(row[0].value)
                     and any(re.fullmatch(r"\d{4}", _text(c.value)) for c in row[1:])), None)
    if years_at is None:
        raise fail("export-header", f"no row among the first {HEADER_SCAN_ROWS} holds the years of the measures "
                   "(a row of four-digit years under a row of measure labels)")
    title = next((_text(c.value) for row in rows[:years_at - 1] for c in row if _text(c.value)), "")
    blocks = _blocks([_text(c.value) for c in rows[years_at - 1]], [_text(c.value) for c in rows[years_at]],
                     years_at, fail)
    found = {label: (years_at, get_column_letter(label_column + 1)) for label, label_column, _ in blocks}
    end = next((i for i in range(years_at + 1, len(rows)) if not any(_text(c.value) for c in rows[i])), len(rows))
    footer = _footer(rows[end:])
    legend, marker_colours = _legend(footer.get("Speciale waarden", []), fail)
    missing = [name for name in REQUIRED_FOOTER if name not in footer]
    if missing:
        raise fail("export-footer", f"the footer below the table lacks {missing} (an export of Provincies in Cijfers "
                   f"ends with {list(FOOTER_SECTIONS)}); export the report again as it is", row=end + 1, column="A")
    records = []
    wanted = [(label, columns) for label, _, columns in blocks if labels is None or label in labels]
    for i in range(years_at + 1, end):
        row = rows[i]
        name = _text(row[0].value)
        if not name:
            raise fail("area-name", "a row of figures without a name in column A", row=i + 1, column="A")
        for label, columns in wanted:
            percent = is_percent(label)
            for column, year in columns:
                cell = row[column] if column < len(row) else None
                value, status = _xlsx_value(cell, percent, legend, marker_colours,
                                            lambda rule, detail: fail(rule, detail, i + 1, get_column_letter(column + 1)))
                records.append((name, label, year, value, status, i + 1, get_column_letter(column + 1)))
    areas = pl.DataFrame({"name": [_text(rows[i][0].value) for i in range(years_at + 1, end)],
                          "_source_row": list(range(years_at + 2, end + 1))}, schema={"name": pl.String,
                                                                                      "_source_row": pl.Int64})
    return Export(path, sheet.title, title, pl.DataFrame(records, schema=CELL_SCHEMA, orient="row"), found, areas,
                  years_at, legend, tuple(line for line, _ in footer.get("Bron", ())),
                  tuple(line for line, _ in footer.get("Voetnoot", ())),
                  _export_date([line for line, _ in footer.get("Datum export", [])], fail, end))


def _blocks(label_row: list[str], year_row: list[str], years_at: int, fail) -> list[tuple[str, int, list[tuple[int, int]]]]:
    """(label, column of the label, [(column, year), ...]) per measure. A block is a run of columns whose years
    rise; its one label may stand above any of them. A label over no years, years under no label or under
    two labels, or a year out of order mean the header is not what the data below it is."""
    runs: list[list[tuple[int, int]]] = []
    for column in range(1, len(year_row)):
        text = year_row[column]
        if not text:
            if column < len(label_row) and label_row[column]:
                raise fail("export-header", f"the measure label {label_row[column]!r} stands above a column without "
                           "a year", years_at, get_column_letter(column + 1))
            continue
        if not re.fullmatch(r"\d{4}", text):
            raise fail("export-header", f"{text!r} is not a year", years_at + 1, get_column_letter(column + 1))
        year = int(text)
        if runs and runs[-1][-1][0] == column - 1 and year > runs[-1][-1][1]:
            runs[-1].append((column, year))
        else:
            runs.append([(column, year)])
    blocks, seen = [], set()
    for run in runs:
        placed = [(c, label_row[c]) for c, _ in run if c < len(label_row) and label_row[c]]
        first, last = get_column_letter(run[0][0] + 1), get_column_letter(run[-1][0] + 1)
        if len(placed) != 1:
            what = "no measure label above them" if not placed else \
                f"{len(placed)} measure labels above them ({[label for _, label in placed]})"
            raise fail("export-header", f"the years {run[0][1]}-{run[-1][1]} in columns {first}-{last} have {what}: "
                       "a measure renamed, moved or its years reordered", years_at, first)
        column, label = placed[0]
        if label in seen:
            raise fail("export-header", f"the measure {label!r} occurs twice in the header", years_at,
                       get_column_letter(column + 1))
        seen.add(label)
        blocks.append((label, column, run))
    if not blocks:
        raise fail("export-header", "the header names no measure", years_at, "B")
    return blocks


def _xlsx_value(cell, percent: bool, legend: dict[str, str], marker_colours: dict[str, str], fail) -> tuple:
    value = None if cell is None else cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, str):
        code = value.strip()
        if code.lower() in SPECIAL_VALUES and code.lower() in legend:
            return None, SPECIAL_VALUES[code.lower()]
        raise fail("special-value", f"{code!r} is not a number nor a special value of the legend ({sorted(legend)})")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail("special-value", f"{value!r} is not a number")
    percent_format = "%" in str(cell.number_format)
    if percent != percent_format:
        # the label's unit and the cell's format disagree: the label stands above another measure's figures
        raise fail("percent-format", "a figure formatted as a percentage under a measure that is not in [%]"
                   if percent_format else "a figure not formatted as a percentage under a measure in [%]")
    number = Decimal(repr(value)) * (100 if percent else 1)
    return float(number), marker_colours.get(_font_colour(cell) or "", "")


def _footer(rows: list) -> dict[str, list[tuple[str, str | None]]]:
    """Footer lines per section, each with the font colour of its text (the legend shows markers in colour)."""
    sections: dict[str, list[tuple[str, str | None]]] = {}
    current = None
    for row in rows:
        head = _text(row[0].value) if row else ""
        body = row[1] if len(row) > 1 else None
        text = _text(body.value) if body is not None else ""
        if head in FOOTER_SECTIONS:
            current = head
            sections.setdefault(current, [])
        elif re.fullmatch(r"\(\d+\)", head) and current == "Voetnoot":
            text = f"{head} {text}".strip()
        elif head:
            current = None  # a line of its own, such as the platform's name
            continue
        if current and text:
            sections[current].append((text, _font_colour(body)))
    return sections


def _legend(lines: list[tuple[str, str | None]], fail) -> tuple[dict[str, str], dict[str, str]]:
    """Codes with their meaning, and the font colour of each marker (colour -> status)."""
    legend, colours = {}, {}
    for text, colour in lines:
        marker = MARKERS.get(text.strip().lower())
        if marker is not None:
            if colour is None or colour in colours:
                raise fail("export-legend", f"the marker {text!r} has no colour of its own in the legend")
            colours[colour] = marker
            continue
        code, _, meaning = text.partition(" ")
        legend[code.lower()] = meaning.strip()
    return legend, colours


def _export_date(lines: list[str], fail, row: int) -> str:
    """'donderdag 21 mei 2026' -> '2026-05-21'."""
    text = " ".join(lines)
    found = re.search(r"(\d{1,2})\s+([a-z]+)\s+(\d{4})", text.lower())
    if not found or found.group(2) not in DUTCH_MONTHS:
        raise fail("export-footer", f"'Datum export' gives no date that can be read ({text!r})", row=row + 1,
                   column="B")
    return dt.date(int(found.group(3)), DUTCH_MONTHS[found.group(2)], int(found.group(1))).isoformat()


# ------------------------------------------------------------------------------------------------- CSV

def _read_csv(path: Path, labels: Collection[str] | None) -> Export:
    rows = split_rows(decode_text(path.read_bytes(), path), ";", path)
    while rows and not any(rows[-1]):
        rows.pop()
    if len(rows) < 2 or len(rows[0]) < 2:
        raise SourceFileError(path, "export-header", "a CSV export of Provincies in Cijfers starts with a header "
                              "\"<area level>\";\"<measure>|<year>\";... and has at least one row", row=1)
    header = rows[0]
    columns: dict[str, list[tuple[int, int]]] = {}
    found = {}
    for column, text in enumerate(header[1:], start=1):
        match = CSV_MEASURE.match(text)
        if not match:
            raise SourceFileError(path, "export-header", f"{text!r} is not '<measure>|<year>'", row=1,
                                  column=get_column_letter(column + 1))
        label, year = match.group("label").strip(), int(match.group("year"))
        if any(y == year for _, y in columns.get(label, [])):
            raise SourceFileError(path, "export-header", f"the measure {label!r} has the year {year} twice", row=1,
                                  column=get_column_letter(column + 1))
        columns.setdefault(label, []).append((column, year))
        found.setdefault(label, (1, get_column_letter(column + 1)))
    records = []
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise SourceFileError(path, "field-count", f"the row has {len(row)} fields, the header {len(header)}",
                                  row=i)
        name = row[0].strip()
        if not name:
            raise SourceFileError(path, "area-name", "a row of figures without a name", row=i, column="A")
        for label, cells in columns.items():
            if labels is not None and label not in labels:
                continue
            for column, year in cells:
                records.append((name, label, year, row[column].strip(), i, get_column_letter(column + 1)))
    raw = pl.DataFrame(records, schema={"name": pl.String, "label": pl.String, "year": pl.Int64, "text": pl.String,
                                        "_source_row": pl.Int64, "column": pl.String}, orient="row")
    code = raw["text"].str.to_lowercase()
    status = code.replace_strict(SPECIAL_VALUES, default=None)
    number = raw.select(belgian_number(pl.col("text"))).to_series()
    bad = raw.filter(number.is_null() & status.is_null() & (raw["text"] != ""))
    if bad.height:
        first = bad.row(0, named=True)
        raise SourceFileError(path, "special-value", f"{first['text']!r} is not a number nor a special value "
                              f"({sorted(SPECIAL_VALUES)})", row=first["_source_row"], column=first["column"])
    scale = pl.when(pl.col("label").map_elements(is_percent, return_dtype=pl.Boolean)).then(100).otherwise(1)
    cells = raw.with_columns(value=number, status=status.fill_null("")).with_columns(
        (pl.col("value") * scale).round(12).alias("value")).select(list(CELL_SCHEMA))
    areas = pl.DataFrame({"name": [row[0].strip() for row in rows[1:]], "_source_row": list(range(2, len(rows) + 1))},
                         schema={"name": pl.String, "_source_row": pl.Int64})
    return Export(path, None, "", cells, found, areas, 1)
