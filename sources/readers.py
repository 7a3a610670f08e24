"""Format-level readers: the table in a workbook sheet, a Belgian CSV file or a zipped Statbel text file.

Every reader returns a `Table` of text cells with `_source_row`, the row number an analyst sees when
opening the file, so that every error can name file, sheet, row and column. Numbers stay text until
`Table.numbers` converts them with the one rule set of `belgian_number`.

The header is the first row (within the first rows of a sheet, below any title rows) that names
every required column; a header spread over two or three rows (a group label merged over the
columns below it) is combined into one name per column, "group / label". The table ends at the
first empty row or at a note below it (a row holding a single text); data after that is an error.

`check_file` refuses, before any reader opens it, a file that is empty, larger than any publisher
file, or an archive (zip, and so xlsx) that would unpack to far more than it holds.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import ParseError

import openpyxl
import polars as pl
import python_calamine
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from sources.download import OLE2_MAGIC, sniff
from sources.errors import SourceFileError

# a required column: the header texts it may have (case and spacing do not matter)
Column = Sequence[str]
# title rows above a header are few, and a header is at most a label row under a group row (plus one)
HEADER_SCAN_ROWS = 30
MAX_HEADER_ROWS = 3
SEPARATORS = (";", ",", "\t", "|")
# the largest publisher files (Statbel's workbooks and zipped tables) are a few tens of MB, and so is
# what they unpack to; the file limit is that of downloads (sources/download.py)
MAX_FILE_BYTES = 200 * 2**20
MAX_UNPACKED_BYTES = 500 * 2**20
# tables in text or XML pack some five- to twentyfold; a member packed a hundredfold is a zip bomb, unless
# it is small (a few repetitive kB do no harm whatever their ratio)
MAX_PACKING_RATIO = 100
RATIO_FROM_BYTES = 2**20
# 1.234.567,89 or 1234,5 (Belgian); a single dot followed by other than three digits is a decimal point
GROUPED_NUMBER = r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$"
PLAIN_NUMBER = r"^[-+]?\d+(\.\d+)?$"


def belgian_number(text: pl.Expr, decimal: str = ",") -> pl.Expr:
    """Text to Float64, or null for anything that is not a number (the caller decides what that means).

    With `decimal=","` a dot groups thousands, so "1.234" is 1234, while "20.28" (a dot not followed
    by exactly three digits) is read as a decimal point; spaces between digit groups are ignored.
    With `decimal="."` (machine exports such as Statbel's text files) only plain numbers are accepted.
    """
    compact = text.str.strip_chars().str.replace_all(r"[ \u00a0\u202f]", "")
    plain = pl.when(compact.str.contains(PLAIN_NUMBER)).then(compact)
    if decimal == ",":
        belgian = compact.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
        plain = pl.when(compact.str.contains(GROUPED_NUMBER)).then(belgian).otherwise(plain)
    return plain.cast(pl.Float64)


def check_file(path: Path) -> None:
    """Refuse an empty or oversized file, and an archive whose members are unsafe to unpack."""
    size = path.stat().st_size
    if size == 0:
        raise SourceFileError(path, "has-rows", "the file is empty (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise SourceFileError(path, "file-size", f"the file has {size} bytes, more than the limit of {MAX_FILE_BYTES}")
    if zipfile.is_zipfile(path):
        _check_archive(path)


def _check_archive(path: Path) -> None:
    """Judge an archive by its directory alone, before a single member is unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceFileError(path, "readable-zip", f"the archive cannot be read ({exc})") from exc
    escaping = next((m.filename for m in members if _escapes(m.filename)), None)
    if escaping is not None:
        raise SourceFileError(path, "archive-member-name", f"member {escaping!r} names a path outside the archive")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SourceFileError(path, "archive-size", f"the members would unpack to {unpacked} bytes, more than the "
                              f"limit of {MAX_UNPACKED_BYTES}")
    bomb = next((m for m in members if m.file_size >= RATIO_FROM_BYTES
                 and m.file_size > MAX_PACKING_RATIO * max(m.compress_size, 1)), None)
    if bomb is not None:
        raise SourceFileError(path, "archive-ratio", f"member {bomb.filename!r} unpacks {bomb.compress_size} bytes to "
                              f"{bomb.file_size}, more than {MAX_PACKING_RATIO} times (a zip bomb?)")


def _escapes(member: str) -> bool:
    """An absolute member name (/x, C:x) or one climbing out with '..' (zip slip), with either kind of slash."""
    parts = re.split(r"[/\\]", member)
    return parts[0] == "" or parts[0].endswith(":") or ".." in parts


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


@dataclass(frozen=True)
class Table:
    """Text cells below a header: one String column per header column, `_source_file`, `_source_row`."""
    frame: pl.DataFrame
    where: Path  # the file an error names; for an archive member "archive.zip!member.txt"
    sheet: str | None
    header_row: int
    # the header cells each column name was combined from, top to bottom
    parts: Mapping[str, tuple[str, ...]]
    # sheet names, title rows, archive members: what tells which dataset a file holds
    context: tuple[str, ...] = ()
    decimal: str = ","
    # the texts of the title rows above the header, each once
    titles: tuple[str, ...] = ()

    def error(self, rule: str, detail: str, *, row: int | None = None, column: str | None = None) -> SourceFileError:
        return SourceFileError(self.where, rule, detail, row=row, column=column, sheet=self.sheet)

    def column(self, names: Column) -> str:
        """The column named by one of `names` (its whole name or its lowest header cell)."""
        found = _find(names, list(self.parts.values()))
        if found is None:
            raise self.error("expected-columns", f"missing column {names[0]!r} (accepted names: {list(names)}); "
                             f"found {list(self.parts)}", row=self.header_row, column=names[0])
        return list(self.parts)[found]

    def columns(self, header: Sequence[Column]) -> list[str]:
        return [self.column(names) for names in header]

    def where_rows(self, condition: pl.Expr) -> Table:
        return replace(self, frame=self.frame.filter(condition))

    def first_bad(self, bad: pl.Expr, column: str, rule: str, detail: str) -> None:
        """Raise `rule` at the first row where `bad` holds; `detail` may use {value} and {count}."""
        rows = self.frame.filter(bad)
        if rows.height:
            first = rows.row(0, named=True)
            raise self.error(rule, detail.format(value=first[column], count=rows.height),
                             row=first["_source_row"], column=column)

    def numbers(self, column: str, markers: Mapping[str, str] | None = None) -> pl.DataFrame:
        """`value` (Float64) and `status` of each row: an empty cell has no value, a marker cell
        (e.g. {"<5": "confidential"}) has none and the marker's status, any other text is an error."""
        markers = {_norm(k): v for k, v in (markers or {}).items()}
        text = pl.col(column).str.strip_chars()
        status = (text.str.to_lowercase().str.replace_all(r"\s+", " ").replace_strict(markers, default=None)
                  if markers else pl.lit(None, pl.String))
        value = belgian_number(text, self.decimal)
        self.first_bad(value.is_null() & (text != "") & status.is_null(), column, "numeric-value",
                       "{value!r} is not a number ({count} such cell(s))")
        return self.frame.select(value.alias("value"), status.fill_null("").alias("status"))


def _find(names: Column, headers: Sequence[tuple[str, ...]]) -> int | None:
    wanted = {_norm(n) for n in names}
    for index, parts in enumerate(headers):
        if parts and (_norm(" / ".join(parts)) in wanted or _norm(parts[-1]) in wanted):
            return index
    return None


def _scan(grid: list[list[str]], header: Sequence[Column]) -> tuple[int, list[Column]]:
    """The first row naming every required column, else the row naming most, with the columns it lacks."""
    best, lacking = 0, list(header)
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        cells = [(cell,) for cell in row]
        missing = [names for names in header if _find(names, cells) is None]
        if len(missing) < len(lacking):
            best, lacking = index, missing
            if not missing:
                break
    return best, lacking


def _is_note(row: list[str]) -> bool:
    """An empty row, or one holding a single text (a note or a merged title across the row)."""
    values = {cell for cell in row if cell}
    return not values or (len(values) == 1 and re.search(r"[^\W\d_]", next(iter(values))) is not None)


@dataclass(frozen=True)
class _Grid:
    """The cells of a sheet or text file as text, row by row from row 1."""
    rows: list[list[str]]
    where: Path
    source_file: str
    sheet: str | None = None
    # rows holding a label merged over some (not all) columns: the upper row of a two-row header
    group_rows: frozenset[int] = frozenset()
    context: tuple[str, ...] = ()
    decimal: str = ","
    # a text file's data row may not be wider than its header (a sign of a wrong separator)
    fixed_width: bool = False
    # rows whose text was joined to the row above (see `joined_names`): not data, and not the table's end
    wrapped: frozenset[int] = frozenset()

    def _missing(self, row: int, lacking: list[Column], header: Sequence[Column]) -> SourceFileError:
        names = lacking[0]
        if len(lacking) == len(header):
            return SourceFileError(self.where, "expected-columns", f"no row among the first {HEADER_SCAN_ROWS} "
                                   f"names the column {names[0]!r}", column=names[0], sheet=self.sheet)
        found = list(dict.fromkeys(cell for cell in self.rows[row] if cell))
        return SourceFileError(self.where, "expected-columns",
                               f"missing column {names[0]!r} (accepted names: {list(names)}); the header has {found}",
                               row=row + 1, column=names[0], sheet=self.sheet)

    def table(self, header: Sequence[Column]) -> Table:
        anchor, lacking = _scan(self.rows, header)
        if lacking:
            raise self._missing(anchor, lacking, header)
        cells = [(cell,) for cell in self.rows[anchor]]
        keys = [index for index in (_find(names, cells) for names in header) if index is not None]
        top, bottom = self._header_block(anchor, keys)
        end = self._end(bottom + 1, keys)
        width = max(len(row) for row in self.rows[top:end])
        if self.fixed_width:
            self._check_width(bottom + 1, end, len(self.rows[anchor]))
        kept = [i for i in range(bottom + 1, end) if i not in self.wrapped]
        data = [self.rows[i] + [""] * (width - len(self.rows[i])) for i in kept]
        labels = [tuple(_dedupe(row[c] if c < len(row) else "" for row in self.rows[top:bottom + 1]))
                  for c in range(width)]
        names, parts = _name_columns(labels, [any(row[c] for row in data) for c in range(width)])
        columns = {name: [row[c] for row in data] for c, name in names.items()}
        frame = pl.DataFrame(columns, schema={name: pl.String for name in columns}).with_columns(
            pl.lit(self.source_file).alias("_source_file"), pl.Series("_source_row", [i + 1 for i in kept], pl.Int64))
        titles = tuple(cell for row in self.rows[:top] for cell in row if cell)
        return Table(frame, self.where, self.sheet, anchor + 1, parts, self.context + titles, self.decimal,
                     tuple(dict.fromkeys(title.strip() for title in titles if title.strip())))

    def joined_names(self) -> _Grid:
        """The grid with wrapped names joined: a row holding only a text in its first cell, between two rows
        with figures, continues the name of the row above ("Brussels Hoofdstedelijk" / "Gewest" in Statbel's
        tables); it is joined to that name and skipped, instead of ending the table."""
        rows = [list(row) for row in self.rows]

        def has_figures(row: list[str]) -> bool:
            return sum(1 for cell in row[1:] if cell) >= 2

        wrapped = set()
        for i in range(1, len(rows) - 1):
            row = rows[i]
            if row and row[0] and not any(row[1:]) and has_figures(rows[i - 1]) and has_figures(rows[i + 1]):
                rows[i - 1][0] = f"{rows[i - 1][0]} {row[0]}"
                wrapped.add(i)
        return replace(self, rows=rows, wrapped=frozenset(wrapped))

    def _header_block(self, anchor: int, keys: list[int]) -> tuple[int, int]:
        top = anchor
        while anchor - top < MAX_HEADER_ROWS - 1 and top - 1 in self.group_rows:
            top -= 1
        bottom, above = anchor, self.rows[anchor]
        # a row below the header continues it while its key columns are blank or repeat the header
        while bottom - top < MAX_HEADER_ROWS - 1 and bottom + 1 < len(self.rows):
            row = self.rows[bottom + 1]
            if not any(row) or any(row[k] not in ("", above[k]) for k in keys if k < len(row)):
                break
            bottom += 1
        return top, bottom

    def _end(self, start: int, keys: list[int]) -> int:
        end = next((i for i in range(start, len(self.rows)) if i not in self.wrapped and _is_note(self.rows[i])),
                   len(self.rows))
        for i in range(end + 1, len(self.rows)):
            row = self.rows[i]
            if not _is_note(row) and all(k < len(row) and row[k] for k in keys):
                raise SourceFileError(self.where, "table-end", f"data continues after the end of the table at row "
                                      f"{end + 1} (an empty row or a note); remove the gap", row=i + 1,
                                      sheet=self.sheet)
        return end

    def _check_width(self, start: int, end: int, width: int) -> None:
        for i in range(start, end):
            extra = [cell for cell in self.rows[i][width:] if cell]
            if extra:
                raise SourceFileError(self.where, "field-count", f"the row has {len(self.rows[i])} fields, the header "
                                      f"{width} (a separator inside a value?); first extra value {extra[0]!r}",
                                      row=i + 1, column=f"column_{get_column_letter(width + 1)}", sheet=self.sheet)


def _name_columns(labels: Sequence[tuple[str, ...]], filled: Sequence[bool]) -> tuple[dict[int, str],
                                                                                     dict[str, tuple[str, ...]]]:
    """The columns kept (those with a header label or a value) by position, with their unique names, and
    the header parts of each name; a column without a label is named by its letter."""
    names, parts = {}, {}
    for c, (label, has_values) in enumerate(zip(labels, filled)):
        if not label and not has_values:
            continue
        name = _unique(" / ".join(label) or f"column_{get_column_letter(c + 1)}", parts)
        names[c], parts[name] = name, label or (name,)
    return names, parts


def _with_origin(frame: pl.DataFrame, source_file: str, first_row: int) -> pl.DataFrame:
    return frame.with_columns(pl.lit(source_file).alias("_source_file"),
                              pl.int_range(first_row, first_row + pl.len(), dtype=pl.Int64).alias("_source_row"))


def _dedupe(cells: Iterator[str]) -> Iterator[str]:
    previous = None
    for cell in cells:
        if cell and cell != previous:
            yield cell
        previous = cell or previous


def _unique(name: str, taken: Mapping[str, object]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


# ---------------------------------------------------------------------------------------- workbooks

def _cell_text(value: object, percent: bool) -> str:
    """A cell as the analyst reads it: a percent-formatted 0.2028 is 20.28, and numbers get a decimal
    comma, so that one number rule serves workbooks and the CSV files of the same publishers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        number = Decimal(repr(value)) * (100 if percent else 1)
        return format(number.normalize() if number == number.to_integral() else number, "f").replace(".", ",")
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def open_workbook(path: Path) -> openpyxl.Workbook:
    sniff(path, "xlsx")
    try:
        # from a file object, because openpyxl refuses a path whose extension is not .xlsx
        with path.open("rb") as fh, warnings.catch_warnings():
            # the databank's exports have no default style; openpyxl supplies one, which changes no value
            warnings.filterwarnings("ignore", "Workbook contains no default style", UserWarning)
            return openpyxl.load_workbook(fh, data_only=True)
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError, ValueError, InvalidFileException,
            ParseError) as exc:
        raise SourceFileError(path, "readable-xlsx",
                              f"the workbook cannot be read ({type(exc).__name__}: {exc})") from exc


def _merge(rows: list[list[str]], ranges: Iterator[tuple[int, int, int, int]], width: int) -> frozenset[int]:
    """Spread the value of each merged range (first row, first column, last row, last column; from 0) over
    its cells, and return the rows holding a label merged over some, not all, columns (group rows)."""
    groups = set()
    for top, left, bottom, right in ranges:
        value = rows[top][left]
        for r in range(top, bottom + 1):
            rows[r][left:right + 1] = [value] * (right - left + 1)
        if 1 < right - left + 1 < width:
            groups.update(range(top, bottom + 1))
    return frozenset(groups)


def _sheet_grid(path: Path, workbook: openpyxl.Workbook, name: str) -> _Grid:
    sheet = workbook[name]
    rows = [[_cell_text(cell.value, "%" in str(cell.number_format)) for cell in row]
            for row in sheet.iter_rows(min_row=1, min_col=1, max_row=sheet.max_row, max_col=sheet.max_column)]
    ranges = ((m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in sheet.merged_cells.ranges)
    groups = _merge(rows, ranges, sheet.max_column)
    return _Grid(rows, path, path.name, name, groups, tuple(workbook.sheetnames))


def is_xls(path: Path) -> bool:
    """An Excel 97-2003 workbook (.xls, an OLE2 compound file), as Statbel still publishes some tables."""
    with path.open("rb") as fh:
        return fh.read(len(OLE2_MAGIC)) == OLE2_MAGIC


def _open_xls(path: Path) -> python_calamine.CalamineWorkbook:
    sniff(path, "xls")
    try:
        with path.open("rb") as fh:
            return python_calamine.CalamineWorkbook.from_filelike(fh)
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise SourceFileError(path, "readable-xls",
                              f"the workbook cannot be read ({type(exc).__name__}: {exc})") from exc


def _xls_grid(path: Path, workbook: python_calamine.CalamineWorkbook, name: str) -> _Grid:
    try:
        sheet = workbook.get_sheet_by_name(name)
        # every row from A1, also empty ones, so that row numbers are those the analyst sees
        values = sheet.to_python(skip_empty_area=False)
    except (python_calamine.CalamineError, ValueError) as exc:
        raise SourceFileError(path, "readable-xls", f"sheet {name!r} cannot be read ({exc})", sheet=name) from exc
    width = max((len(row) for row in values), default=0)
    rows = [[_cell_text(value, False) for value in row] + [""] * (width - len(row)) for row in values]
    ranges = ((top, left, bottom, right) for (top, left), (bottom, right) in sheet.merged_cell_ranges or ())
    groups = _merge(rows, ranges, width)
    return _Grid(rows, path, path.name, name, groups, tuple(workbook.sheet_names))


def _grids(path: Path) -> tuple[list[str], Callable[[str], _Grid]]:
    """The sheet names of a workbook (.xlsx or .xls) and a function giving the grid of one sheet."""
    if is_xls(path):
        book = _open_xls(path)
        return list(book.sheet_names), lambda name: _xls_grid(path, book, name)
    workbook = open_workbook(path)
    return list(workbook.sheetnames), lambda name: _sheet_grid(path, workbook, name)


def _sheet_tables(path: Path, header: Sequence[Column], sheet_pattern: str | None,
                  wrapped_names: bool = False) -> Iterator[Table]:
    """The table with `header` of each sheet named like `sheet_pattern` (any sheet without one), lazily."""
    sheet_names, grid_of = _grids(path)
    names = [n for n in sheet_names if sheet_pattern is None or re.fullmatch(sheet_pattern, n)]
    if not names:
        raise SourceFileError(path, "expected-sheet", f"no sheet is named like {sheet_pattern!r}; "
                              f"sheets: {sheet_names}")
    misses = []
    for name in names:
        grid = grid_of(name)
        try:
            yield (grid.joined_names() if wrapped_names else grid).table(header)
        except SourceFileError as miss:
            if miss.rule != "expected-columns":
                raise
            misses.append(miss)
    if len(misses) == len(names):
        # the sheet that came closest to the header says best what is missing
        raise next((m for m in misses if m.row is not None), misses[0])


def read_xlsx_tables(path: Path, header: Sequence[Column], sheet_pattern: str | None = None) -> list[Table]:
    """The table with `header` of every sheet whose name matches `sheet_pattern` (e.g. one sheet per year)."""
    return list(_sheet_tables(path, header, sheet_pattern))


def read_xlsx_table(path: Path, header: Sequence[Column], sheet: str | None = None,
                    wrapped_names: bool = False) -> Table:
    """The table with `header` in `sheet` (of a .xlsx or .xls workbook), or without a name in the first sheet
    that has one. With `wrapped_names`, a name that a publication wraps onto a row of its own is joined
    back to the row it belongs to (see `_Grid.joined_names`)."""
    return next(_sheet_tables(path, header, None if sheet is None else re.escape(sheet), wrapped_names))


# ------------------------------------------------------------------------------------------- text

def decode_text(data: bytes, where: Path) -> str:
    """UTF-8 (with or without byte order mark), else Windows-1252, the two encodings Belgian publishers use."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceFileError(where, "text-encoding", "the text is neither UTF-8 nor Windows-1252")


def split_rows(text: str, separator: str, where: Path, quoting: int = csv.QUOTE_MINIMAL) -> list[list[str]]:
    try:
        return [[cell.strip() for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator, quoting=quoting)]
    except csv.Error as exc:
        raise SourceFileError(where, "readable-csv", str(exc)) from exc


def _text_table(grid: _Grid, header: Sequence[Column], separator: str) -> Table:
    try:
        return grid.table(header)
    except SourceFileError as miss:
        first = next((i for i, row in enumerate(grid.rows) if any(row)), None)
        if miss.rule != "expected-columns" or first is None or len(grid.rows[first]) > 1:
            raise
        line = grid.rows[first][0]
        other = next((s for s in SEPARATORS if s != separator and line.count(s) >= len(header) - 1 > 0), None)
        if other is None:
            raise
        raise SourceFileError(grid.where, "separator", f"expected fields separated by {separator!r}, but the row "
                              f"looks separated by {other!r}", row=first + 1) from miss


def read_belgian_csv(path: Path, header: Sequence[Column], separator: str = ";") -> Table:
    """A CSV file as Belgian publishers write it: `;`-separated, UTF-8 (BOM or not) or Windows-1252,
    numbers with a decimal comma left as text."""
    sniff(path, "csv")
    rows = split_rows(decode_text(path.read_bytes(), path), separator, path)
    return _text_table(_Grid(rows, path, path.name, fixed_width=True), header, separator)


def read_zipped_text(path: Path, header: Sequence[Column],
                     member_suffix: tuple[str, ...] = (".txt", ".csv")) -> Table:
    """The one text file in a zip archive (Statbel open data): `|`- or tab-separated, decimal point."""
    sniff(path, "zip")
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(member_suffix)
                       and not m.filename.startswith("__MACOSX/")]
            if len(members) != 1:
                raise SourceFileError(path, "one-data-member", f"expected one {'/'.join(member_suffix)} file in the "
                                      f"archive, found {[m.filename for m in members]}")
            data = archive.read(members[0])
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise SourceFileError(path, "readable-zip", f"the archive cannot be read ({exc})") from exc
    member = PurePosixPath(members[0].filename).name
    where = path.with_name(f"{path.name}!{member}")
    text = decode_text(data, where)
    first_line = text.split("\n", 1)[0]
    separator = next((s for s in ("|", "\t") if s in first_line), None)
    if separator is None:
        raise SourceFileError(where, "separator", "the first row is neither '|'- nor tab-separated", row=1)
    regular = _regular_text_table(text, separator, header, where, path.name, (member,))
    if regular is not None:
        return regular
    rows = split_rows(text, separator, where, quoting=csv.QUOTE_NONE)
    return _text_table(_Grid(rows, where, path.name, context=(member,), decimal=".", fixed_width=True), header,
                       separator)


def _regular_text_table(text: str, separator: str, header: Sequence[Column], where: Path, source_file: str,
                        context: tuple[str, ...]) -> Table | None:
    """The table of a regular text file, read by Polars (some ten times faster than cell by cell): the first
    row names every required column, every further row is data, no wider than the header, with every
    required cell filled, and no row is empty or a note. For any other file None: the row-by-row reader
    then reads it and names the row that breaks a rule, as for every format."""
    if "\r" in text.replace("\r\n", ""):  # a lone carriage return ends a row for the csv module only
        return None
    try:
        grid = pl.read_csv(io.BytesIO(text.encode("utf-8")), separator=separator, has_header=False,
                           quote_char=None, infer_schema=False)
    except pl.exceptions.PolarsError:  # a row wider than the first one, among others
        return None
    grid = grid.select(pl.all().fill_null("").str.strip_chars())
    if grid.height < 2:
        return None
    head = [(cell,) if cell else () for cell in grid.row(0)]
    keys = [_find(names, head) for names in header]
    if None in keys:
        return None
    data = grid.slice(1)
    key_columns = [data.columns[k] for k in keys]
    filled = pl.all_horizontal(pl.col(c) != "" for c in key_columns)
    # a note holds one distinct text: with the required cells filled, every other cell is empty or repeats the
    # first one; and a first data row repeating the header's required cells would continue the header
    note = pl.all_horizontal((pl.col(c) == "") | (pl.col(c) == pl.col(key_columns[0])) for c in data.columns)
    repeats_header = pl.all_horizontal(pl.col(c) == head[k][0] for c, k in zip(key_columns, keys))
    if not data.select(filled.all() & ~note.any() & ~repeats_header.first()).item():
        return None
    names, parts = _name_columns(head, [(data[c] != "").any() for c in data.columns])
    frame = data.select(pl.col(data.columns[c]).alias(name) for c, name in names.items())
    return Table(_with_origin(frame, source_file, 2), where, None, 1, parts, context, ".")
