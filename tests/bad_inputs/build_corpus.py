"""Builds the corpus of bad inputs next to this file: `python tests/bad_inputs/build_corpus.py`.

Every file is a good file changed in one place; cases.yaml says what each one tests and what must happen
to it. The good files are real where we have them:
  bevolking_per_gemeente_2020-01-01*.csv   Statbel's population export of 1 January 2020 (fixture
                                           statbel_bevolking_per_gemeente_2020-01-01_municipalities_only.csv),
                                           cut to its first three rows and the 42 municipalities of Limburg
  statbel_TF_PSNL_INC_TAX_MUNTY*.zip       the Statbel fiscal income extract of tests/fixtures/publishers
  limburg_*.csv                            the embedded snapshots in data/snapshots
Files named synthetic_* start from the synthetic publisher fixtures (layouts assumed, see
tests/fixtures/publishers/build_fixtures.py); synthetic_GSM_Extract_AR_03_fraction.xlsx holds the real
kansarmoede values of data/snapshots under two assumed years.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "publishers"
SNAPSHOTS = ROOT / "data" / "snapshots"
POPULATION = FIXTURES / "statbel_bevolking_per_gemeente_2020-01-01_municipalities_only.csv"
FISCAL = FIXTURES / "statbel_TF_PSNL_INC_TAX_MUNTY_extract.zip"
FISCAL_MEMBER = "TF_PSNL_INC_TAX_MUNTY.txt"
VDAB = FIXTURES / "synthetic_vdab_werkzoekenden_per_gemeente.csv"
GSM_AR_03 = FIXTURES / "synthetic_GSM_Extract_AR_03.xlsx"
# large enough to be judged by its packing ratio, small enough to commit once packed (about 20 kB)
BOMB_BYTES = 20 * 2**20
# archives and workbooks carry a time stamp: a fixed one builds the same bytes every time
STAMP = dt.datetime(2026, 1, 1)


def population_lines() -> list[str]:
    """The real export, cut to its header, its first three rows and the rows of Limburg's municipalities."""
    lines = POPULATION.read_text(encoding="utf-8").splitlines(keepends=True)
    return lines[:4] + [line for line in lines[4:] if line.startswith(("71", "72", "73"))]


def population(name: str, edit: Callable[[list[str]], list[str]] = lambda lines: lines,
               encoding: str = "utf-8") -> None:
    (HERE / f"bevolking_per_gemeente_{name}.csv").write_bytes("".join(edit(population_lines())).encode(encoding))


def replace_line(start: str, old: str, new: str) -> Callable[[list[str]], list[str]]:
    def edit(lines: list[str]) -> list[str]:
        return [line.replace(old, new) if line.startswith(start) else line for line in lines]
    return edit


def columns(edit_row: Callable[[list[str]], list[str]]) -> Callable[[list[str]], list[str]]:
    return lambda lines: [",".join(edit_row(line.rstrip("\n").split(","))) + "\n" for line in lines]


def vdab(name: str, old: str, new: str) -> None:
    data = VDAB.read_bytes()
    assert old.encode("cp1252") in data, old
    (HERE / f"synthetic_werkzoekenden_{name}.csv").write_bytes(data.replace(old.encode("cp1252"), new.encode("cp1252")))


def fiscal_text() -> str:
    with zipfile.ZipFile(FISCAL) as archive:
        return archive.read(FISCAL_MEMBER).decode("utf-8")


def fiscal(name: str, members: dict[str, str | bytes]) -> None:
    with zipfile.ZipFile(HERE / f"statbel_TF_PSNL_INC_TAX_MUNTY_{name}.zip", "w") as archive:
        for member, data in members.items():
            archive.writestr(zipfile.ZipInfo(member, STAMP.timetuple()[:6]), data, zipfile.ZIP_DEFLATED)


def fiscal_edit(name: str, old: str, new: str) -> None:
    text = fiscal_text()
    assert old in text, old
    fiscal(name, {FISCAL_MEMBER: text.replace(old, new)})


def declared_size(data: bytes, member: str, size: int) -> bytes:
    """The archive with the uncompressed size of `member` in its central directory forged to `size`."""
    at = 0
    # a central directory entry: signature, sizes at offset 20 (packed) and 24 (unpacked), name at 46
    while (at := data.find(b"PK\x01\x02", at)) != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == member.encode():
            return data[:at + 24] + struct.pack("<I", size) + data[at + 28:]
        at += 4
    raise ValueError(f"no member {member} in the archive")


def workbook(name: str, sheet: str, rows: list[list]) -> None:
    book = xlsxwriter.Workbook(HERE / name)
    book.set_properties({"created": STAMP})
    cells = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        cells.write_row(r, 0, row)
    book.close()


def snapshot_file(source_id: str) -> Path:
    [path] = (SNAPSHOTS / source_id).glob("*/*.csv")
    return path


def snapshot_rows(source_id: str) -> tuple[list[str], list[dict]]:
    with snapshot_file(source_id).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), list(reader)


def snapshot_copy(source_id: str, name: str, edit: Callable[[list[dict]], list[dict]]) -> None:
    """The embedded snapshot of `source_id` with its rows passed through `edit`, as `<its file>_<name>.csv`."""
    fields, rows = snapshot_rows(source_id)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(edit(rows))
    (HERE / f"{snapshot_file(source_id).stem}_{name}.csv").write_text(out.getvalue(), encoding="utf-8")


def refnis_copy(name: str, nis_code: str, name_nl: str) -> None:
    """The embedded REFNIS list with the Dutch name of one code changed, as `<its file>_<name>.csv`. Its
    `;`-separated rows have unnamed trailing fields, so they are edited as text."""
    path = snapshot_file("statbel_refnis")
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    [at] = [i for i, line in enumerate(lines) if line.startswith(f"{nis_code};")]
    fields = lines[at].split(";")
    fields[4] = name_nl
    lines[at] = ";".join(fields)
    (HERE / f"{path.stem}_{name}.csv").write_text("\r\n".join(lines), encoding="utf-8", newline="")


def set_field(field: str, value: str | Callable[[str], str], **match: str) -> Callable[[list[dict]], list[dict]]:
    """Set `field` of the one row matching `match` (column=value pairs), to `value` or to `value(old)`."""
    def edit(rows: list[dict]) -> list[dict]:
        [row] = [r for r in rows if all(r[k] == v for k, v in match.items())]
        row[field] = value(row[field]) if callable(value) else value
        return rows
    return edit


def only(column: str, *kept: str) -> Callable[[list[dict]], list[dict]]:
    """The rows whose `column` holds one of `kept` (two years of a long series keep a file small)."""
    return lambda rows: [r for r in rows if r[column] in kept]


def then(*edits: Callable[[list[dict]], list[dict]]) -> Callable[[list[dict]], list[dict]]:
    def edit(rows: list[dict]) -> list[dict]:
        for step in edits:
            rows = step(rows)
        return rows
    return edit


def kansarmoede_two_years() -> None:
    """The real kansarmoede values under two assumed years; in the second, Genk's 20.28 % is written as the
    fraction 0.2028, a factor 100 smaller."""
    _, rows = snapshot_rows("kansarmoede_index")
    table = [["Gemeente", "NIS-code", "Jaar", "Procent (%)"]]
    for year in (2023, 2024):
        for row in rows:
            value = float(row["value"]) if row["value"] else None
            if year == 2024 and row["nis_code"] == "71016":
                value /= 100
            table.append([row["name_nl"], int(row["nis_code"]), year, value])
    workbook("synthetic_GSM_Extract_AR_03_fraction.xlsx", "AR_03", table)


def main() -> None:
    for old in HERE.glob("*"):
        if old.suffix in (".csv", ".zip", ".xlsx"):
            old.unlink()

    # Statbel population export (real)
    population("2020-01-01")
    population("2020-01-01_empty", lambda lines: [])
    population("2020-01-01_header_only", lambda lines: lines[:1])
    population("2020-01-01_wrong_separator", lambda lines: [line.replace(",", ";") for line in lines])
    population("2020-01-01_utf16", encoding="utf-16")
    population("2020-01-01_bom", encoding="utf-8-sig")
    population("2020-01-01_missing_column", columns(lambda row: row[:4]))
    population("2020-01-01_extra_column", columns(lambda row: row + ["Opmerking" if row[0] == "NIS code" else ""]))
    population("2020-01-01_shifted_column", replace_line("71016,", "71016,", "71016,,"))
    population("2020-01-01_duplicated_row", lambda lines: lines + [next(x for x in lines if x.startswith("71016,"))])
    population("2020-01-01_unknown_code", replace_line("71016,", "71016,", "71999,"))
    population("2020-01-01_pre_2019_code", replace_line("72042,", "72042,", "71047,"))
    population("2020-01-01_municipality_missing", lambda lines: [x for x in lines if not x.startswith("73028,")])
    population("2020-01-01_negative_count", replace_line("71016,", ",66447", ",-66447"))
    population("2020-01-01_oversized")
    population("limburg")

    # VDAB Arvastat export (synthetic values, assumed layout)
    shutil.copyfile(VDAB, HERE / "synthetic_werkzoekenden.csv")
    vdab("dash", ";3.050\r\n", ";-\r\n")
    vdab("below_5", ";2\r\n", ";<5\r\n")
    vdab("quarter", "februari 2024", "Q1 2024")
    vdab("decimal_dot", ";3.100\r\n", ";3100.00\r\n")
    vdab("thousands_space", ";3.100\r\n", ";3 100\r\n")
    vdab("malformed_code", "71016;Genk;januari", "71O16;Genk;januari")

    # Statbel fiscal income, zipped text with a decimal point (real)
    fiscal_edit("decimal_comma", "1455640247.86", "1455640247,86")
    fiscal_edit("thousands_comma", "1455640247.86", "1,455,640,247.86")
    fiscal_edit("renamed_column", "|MS_TOT_TAXES", "|MS_TOTAL_TAXES")
    fiscal("two_members", {FISCAL_MEMBER: fiscal_text(), "TF_PSNL_INC_TAX_MUNTY_2022.txt": fiscal_text()})
    fiscal("zip_slip", {f"../../{FISCAL_MEMBER}": fiscal_text()})
    fiscal("zip_bomb", {FISCAL_MEMBER: fiscal_text() + "\n" * BOMB_BYTES})

    # Gemeente-Stadsmonitor extracts (synthetic)
    for name in ("nvt", "truncated", "html", "garbled"):
        copy = f"synthetic_GSM_Extract_AR_03_{name}.xlsx"
        shutil.copyfile(FIXTURES / copy, HERE / copy)
    (HERE / "synthetic_GSM_Extract_AR_03_declared_3GB.xlsx").write_bytes(
        declared_size(GSM_AR_03.read_bytes(), "xl/worksheets/sheet1.xml", 3 * 2**30))
    workbook("synthetic_GSM_Extract_AR_03_gap.xlsx", "AR_03", [
        ["Gemeente", "NIS-code", "Jaar", "Procent (%)"], ["As", 71002, 2024, 8.79], [], ["Genk", 71016, 2024, 20.28]])
    kansarmoede_two_years()

    # Wonen-Vlaanderen caravan sites (synthetic)
    workbook("synthetic_woonwagenterreinen_unknown_type.xlsx", "Standplaatsen", [
        ["NIS-code", "Gemeente", "Naam terrein", "Type", "Aantal standplaatsen", "Jaar"],
        [71016, "Genk", "Horensberg", "Residentieel", 51, 2024],
        [72021, "Maaseik", "Engerhoven", "Pleisterplaats", 26, 2024]])

    # embedded snapshots (real)
    snapshot_copy("kansarmoede_index", "above_100", set_field("value", "2028", nis_code="71016"))
    snapshot_copy("werkzoekendengraad", "pre_2025_code", set_field("nis_code", "71022", nis_code="71072"))
    snapshot_copy("census2021_labour", "numerator_above_denominator",
                  set_field("value", "4199", nis_code="71002", indicator="census2021_unemployed_15_64"))
    snapshot_copy("onem_unemployed", "factor_100", then(only("period", "2024", "2025"), set_field(
        "value", lambda old: str(round(float(old) * 100, 6)), nis_code="71002", period="2025")))
    snapshot_copy("poverty_proxies", "future_year", set_field(
        "period", "2204", nis_code="71004", indicator="leefloners_per_1000_inhabitants", period="2012"))
    snapshot_copy("poverty_proxies", "script_in_note", set_field(
        "notes", "<script>alert('notitie')</script>", nis_code="71004", period="2016"))
    snapshot_copy("fiscal_income", "unknown_status", then(
        only("income_year", "2022", "2023"),
        set_field("source_status", "X", nis_code="71016", income_year="2023")))
    # an arrondissement's name: a municipality's is matched against the names in Provincies in Cijfers exports
    refnis_copy("script_in_name", "71000", "Arrondissement Hasselt <script>alert('arrondissement')</script>")


if __name__ == "__main__":
    main()
