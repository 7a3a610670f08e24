"""A minimal XLSX writer for tables: one worksheet per frame, a bold frozen header row with an autofilter,
column widths that fit the content, inline strings, and number formats chosen per cell.

xlsxwriter writes about 150,000 cells a second, cell by cell in Python: at the scale of all Belgian
municipalities (16M values) the workbooks per municipality alone held 129 million cells. Here the sheet XML is built column-wise with
Polars expressions, a batch of rows at a time, and streamed into the zip archive, so that time and memory
stay small. Only what the downloads need: text, numbers and booleans, the bold header, and the number formats
of NUMBER_FORMATS.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl

# Excel's worksheet holds 1,048,576 rows, the header included.
MAX_DATA_ROWS = 1_048_575
# rows turned into XML at once: bounds the memory of a batch to some tens of MB
BATCH_ROWS = 50_000
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Number formats a cell can have: a number, a percentage given in percent (6.1 shows as "6,1 %": Excel's own
# percent format would multiply by 100) and an amount in euro, each with 0 to MAX_DECIMALS decimals. Excel
# shows the separators of the reader's locale.
MAX_DECIMALS = 6
_KINDS = {"number": '#,##0{}', "percent": '#,##0{}" %"', "euro": '#,##0{}" €"'}
NUMBER_FORMATS = tuple(pattern.format("." + "0" * d if d else "") for pattern in _KINDS.values()
                       for d in range(MAX_DECIMALS + 1))
# style 0 is plain, 1 the bold header, then one per number format
_FIRST_FORMAT_STYLE = 2
MAX_WIDTH = 60


def number_format(kind: str, decimals: int) -> str:
    """The format code of a number of `kind` (number, percent, euro) with `decimals` decimals."""
    return _KINDS[kind].format("." + "0" * decimals if decimals else "")


_NUM_FMTS = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{escape(code, {chr(34): "&quot;"})}"/>'
                    for i, code in enumerate(NUMBER_FORMATS))
_FORMAT_XFS = "".join(f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                      for i in range(len(NUMBER_FORMATS)))
_STYLES = (f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
           f'<numFmts count="{len(NUMBER_FORMATS)}">{_NUM_FMTS}</numFmts>'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           f'<cellXfs count="{_FIRST_FORMAT_STYLE + len(NUMBER_FORMATS)}">'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>{_FORMAT_XFS}</cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
_SHEET_START = (f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '</sheetView></sheetViews>')
_SHEET_END = "</worksheet>"


@dataclass(frozen=True)
class Sheet:
    """A worksheet's XML, in parts, and its size: columns, and rows with the header."""
    parts: Iterable[bytes]
    columns: int
    rows: int

    def kept(self) -> Sheet:
        """The same sheet with its parts made once, to be written into several workbooks."""
        return Sheet(list(self.parts), self.columns, self.rows)


def write_xlsx(path: Path, sheets: Iterable[tuple[str, Sheet]]) -> None:
    """Write worksheets, given as (name, `sheet_xml`), in order."""
    written = []
    # the fastest deflate: the XML repeats itself so much that it still packs some eightfold (the default release)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for number, (name, sheet) in enumerate(sheets, start=1):
            written.append((name, _cells(sheet.columns, sheet.rows, "$")))
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as member:
                for part in sheet.parts:
                    member.write(part)
        for member, text in _package(written).items():
            archive.writestr(member, text)


def sheet_xml(frame: pl.DataFrame, headers: Mapping[str, str] | None = None,
              formats: Mapping[str, str] | None = None) -> Sheet:
    """The worksheet of a frame, its XML made a batch of rows at a time as it is written; `.kept()` to reuse it.

    `headers` gives the header shown for a column (else its name). `formats` names, for a numeric column,
    the column of the frame that holds each row's format code (one of NUMBER_FORMATS); those columns are
    not written. A frame may not exceed MAX_DATA_ROWS."""
    if frame.height > MAX_DATA_ROWS:
        raise ValueError(f"{frame.height} rows, more than a worksheet holds ({MAX_DATA_ROWS})")
    headers, formats = headers or {}, formats or {}
    shown = [c for c in frame.columns if c not in set(formats.values())]
    columns, rows = len(shown), frame.height + 1
    labels = [headers.get(c, c) for c in shown]
    return Sheet(_sheet_parts(frame, shown, labels, formats, _cells(columns, rows)), columns, rows)


def _cells(columns: int, rows: int, absolute: str = "") -> str:
    """The cells of a sheet, header included: the range its autofilter covers ("A1:R200"; "$A$1:$R$200")."""
    return f"{absolute}A{absolute}1:{absolute}{_letter(columns - 1)}{absolute}{rows}"


def _sheet_parts(frame: pl.DataFrame, shown: list[str], labels: list[str], formats: Mapping[str, str],
                 filter_range: str) -> Iterator[bytes]:
    yield (_SHEET_START + _widths(frame, shown, labels) + "<sheetData>" + _header(labels)).encode()
    for start in range(0, frame.height, BATCH_ROWS):
        yield _rows(frame.slice(start, BATCH_ROWS), shown, formats, first_row=start + 2).encode()
    yield f'</sheetData><autoFilter ref="{filter_range}"/>{_SHEET_END}'.encode()


def _widths(frame: pl.DataFrame, columns: list[str], labels: list[str]) -> str:
    """Column widths (in characters) that fit the header and the longest value, up to MAX_WIDTH."""
    longest = frame.select(pl.col(c).cast(pl.String).str.len_chars().max().fill_null(0) for c in columns).row(0) \
        if frame.height else (0,) * len(columns)
    # the header also holds the autofilter's button, some three characters wide
    cols = "".join(f'<col min="{i}" max="{i}" width="{min(MAX_WIDTH, max(len(label) + 3, n) + 2)}" customWidth="1"/>'
                   for i, (label, n) in enumerate(zip(labels, longest), start=1))
    return f"<cols>{cols}</cols>"


def _header(labels: list[str]) -> str:
    cells = "".join(f'<c r="{_letter(i)}1" s="1" t="inlineStr"><is><t>{escape(c)}</t></is></c>'
                    for i, c in enumerate(labels))
    return f'<row r="1">{cells}</row>'


def _rows(frame: pl.DataFrame, columns: list[str], formats: Mapping[str, str], first_row: int) -> str:
    row = pl.int_range(first_row, first_row + pl.len()).cast(pl.String)
    cells = [_cell(frame.schema[name], name, _letter(i), row, formats.get(name)) for i, name in enumerate(columns)]
    xml = pl.concat_str([pl.lit('<row r="'), row, pl.lit('">'), *cells, pl.lit("</row>")])
    return "".join(frame.select(xml.alias("xml"))["xml"])


_STYLE_OF = {code: str(_FIRST_FORMAT_STYLE + i) for i, code in enumerate(NUMBER_FORMATS)}


def _cell(dtype: pl.DataType, name: str, letter: str, row: pl.Expr, format_column: str | None) -> pl.Expr:
    """The XML of one column's cells; a missing value (and NaN or infinity, which Excel has not) is no cell."""
    column = pl.col(name)
    if dtype == pl.Boolean:
        present = column.is_not_null()
        body = [pl.lit('" t="b"><v>'), column.cast(pl.Int8).cast(pl.String), pl.lit("</v></c>")]
    elif dtype.is_numeric():
        present = column.is_not_null() & (column.is_finite() if dtype.is_float() else pl.lit(True))
        style = [] if format_column is None else [
            pl.lit('" s="'), pl.col(format_column).replace_strict(_STYLE_OF, return_dtype=pl.String)]
        body = [*style, pl.lit('"><v>'), column.cast(pl.String), pl.lit("</v></c>")]
    else:
        text = column.cast(pl.String)
        present = text.is_not_null() & (text != "")
        # control characters other than tab and line breaks are not allowed in XML: they show as U+FFFD
        escaped = (text.str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True)
                   .str.replace_all(">", "&gt;", literal=True)
                   .str.replace_all(r"[\x00-\x08\x0B\x0C\x0E-\x1F]", "\uFFFD"))
        body = [pl.lit('" t="inlineStr"><is><t xml:space="preserve">'), escaped, pl.lit("</t></is></c>")]
    xml = pl.concat_str([pl.lit(f'<c r="{letter}'), row, *body])
    return pl.when(present).then(xml).otherwise(pl.lit(""))


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _package(sheets: list[tuple[str, str]]) -> dict[str, str]:
    """The parts around the worksheets (name, cells in absolute references): content types, relationships,
    the workbook and its styles."""
    names = [name for name, _ in sheets]
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>'
                        for n in range(1, len(names) + 1))
    content_types = (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f'{overrides}</Types>')
    root_rels = (f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
                 f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    sheet_list = "".join(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
                         for n, name in enumerate(names, start=1))
    # Excel keeps an autofilter's range in a hidden name too; LibreOffice shows the filter buttons only with it
    filters = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
                      f"{escape(_quoted(name))}!{cells}</definedName>" for n, (name, cells) in enumerate(sheets))
    workbook = (f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheet_list}</sheets>'
                f'<definedNames>{filters}</definedNames></workbook>')
    links = "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                    for n in range(1, len(names) + 1))
    styles_id = len(names) + 1
    workbook_rels = (f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{links}<Relationship Id="rId{styles_id}" '
                     f'Type="{_REL}/styles" Target="styles.xml"/></Relationships>')
    return {"[Content_Types].xml": content_types, "_rels/.rels": root_rels, "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": workbook_rels, "xl/styles.xml": _STYLES}



def _quoted(sheet: str) -> str:
    """A sheet name as a reference spells it: in single quotes, a quote in it doubled."""
    return "'" + sheet.replace("'", "''") + "'"
