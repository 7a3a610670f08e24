"""A municipality's own barometer: the indicators its council chose with its poverty organisations, in their
order, and its targets for the council term, read from `profiles/<nis_code>.yaml` or from the workbook that
each municipality page offers (`<nis_code>.xlsx`, sheets Profiel and Doelstellingen).

Both forms are read into the same rows and checked by the same rules; an error names the file, the place
(a YAML path such as `targets[1].deadline`, or the sheet, row and column) and the rule.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from sources.errors import SourceFileError
from sources.readers import open_workbook
from sources.snapshots import sha256_of

DIRECTIONS = {"lager": -1, "hoger": 1}
POLARITY_SIGN = {"hoger is ongunstiger": -1, "hoger is gunstiger": 1, "neutraal": 0}
PROFILE_SHEET, TARGET_SHEET = "Profiel", "Doelstellingen"
# the target sheet's headers and the fields they hold (the template writes them, the reader looks them up)
TARGET_COLUMNS = {"Volgorde": "order", "Indicatorcode": "indicator", "Indicator": None, "Eenheid": None,
                  "Polariteit": None, "Laatste periode": None, "Laatste waarde": None, "Richting": "direction",
                  "Doelwaarde": "value", "Minimale verandering": "minimum_change", "Basisjaar": "baseline",
                  "Deadline": "deadline", "Maatregel": "measure", "Bewust tegen polariteit": "against_polarity"}
PROFILE_FIELDS = {"NIS-code": "nis_code", "Bestuursperiode": "term", "Voorbeeld": "example"}
YES = {"ja", "yes", "true", "1", "x"}
PROFILE_SUFFIXES = (".yaml", ".yml", ".xlsx")


@dataclass(frozen=True)
class IndicatorFacts:
    """What the rules need to know of an indicator."""
    unit: str
    polarity: str


@dataclass(frozen=True)
class Target:
    indicator_id: str
    term_start: int
    term_end: int
    direction: str
    baseline_year: int
    deadline_year: int
    value: float | None = None
    minimum_change: float | None = None
    measure: str | None = None
    against_polarity: bool = False


@dataclass(frozen=True)
class Profile:
    nis_code: str
    file: str
    example: bool
    indicators: tuple[str, ...]
    targets: tuple[Target, ...]
    # targets set against the indicator's polarity on purpose: said, not refused
    warnings: tuple[str, ...] = ()


Where = Callable[[int | None, str], dict]


def load_profile(path: Path, indicators: Mapping[str, IndicatorFacts], terms: Sequence[tuple[int, int]],
                 municipalities: Mapping[str, str], named: bool = True) -> Profile:
    """Read and check one profile file; `municipalities` maps the area's NIS codes of today to their names.
    With `named`, the file must be named by the municipality's code (in the profiles folder)."""
    if path.suffix.lower() == ".xlsx":
        fields, targets, where = _from_workbook(path)
    elif path.suffix.lower() in (".yaml", ".yml"):
        fields, targets, where = _from_yaml(path)
    else:
        raise SourceFileError(path, "profile-format", "a profile is a .yaml file or the profile workbook (.xlsx)")
    return _checked(path, fields, targets, where, indicators, terms, municipalities, named)


def profile_files(folder: Path | None) -> list[Path]:
    """The profile files of a folder, one per municipality; two for one municipality is an error."""
    files = _candidates(folder)
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            raise SourceFileError(path, "one-profile-per-municipality",
                                  f"{seen[path.stem].name} is also a profile of {path.stem}; keep one of the two")
        seen[path.stem] = path
    return files


def is_profile_workbook(path: Path) -> bool:
    """A workbook with the profile's two sheets (what a civil servant drops in the landing folder)."""
    if path.suffix.lower() != ".xlsx":
        return False
    try:
        names = open_workbook(path).sheetnames
    except SourceFileError:
        return False
    return PROFILE_SHEET in names and TARGET_SHEET in names


def profile_digest(folder: Path | None) -> list[tuple[str, str]]:
    """The name and checksum of every profile file: what the targets are made from."""
    return [(p.name, sha256_of(p)) for p in _candidates(folder)]


def _candidates(folder: Path | None) -> list[Path]:
    # an office program's lock file (~$71016.xlsx) beside a workbook being edited is no profile
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in PROFILE_SUFFIXES and not p.name.startswith((".", "~$")))


# --- the two forms ------------------------------------------------------------------------------------------

def _from_yaml(path: Path) -> tuple[dict, list[dict], Where]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise SourceFileError(path, "readable-yaml", f"not readable as YAML: {err}") from err
    if not isinstance(data, dict):
        raise SourceFileError(path, "profile-shape", "a profile is a mapping with nis_code, term, indicators and targets")
    targets = data.get("targets") or []
    chosen = data.get("indicators") or []
    if not isinstance(targets, list) or not all(isinstance(t, dict) for t in targets) or not isinstance(chosen, list):
        raise SourceFileError(path, "profile-shape", "indicators is a list of indicator codes, targets a list of mappings")
    fields = {k: data.get(k) for k in ("nis_code", "term", "example")} | {"indicators": chosen}

    def where(index: int | None, field: str) -> dict:
        if index is None:
            return {"column": field}
        return {"column": f"indicators[{index}]" if field == "order" else f"targets[{index}].{field}"}
    return fields, targets, where


def _from_workbook(path: Path) -> tuple[dict, list[dict], Where]:
    book = open_workbook(path)
    missing = [name for name in (PROFILE_SHEET, TARGET_SHEET) if name not in book.sheetnames]
    if missing:
        raise SourceFileError(path, "profile-shape", f"the profile workbook has no sheet {missing[0]!r}")
    fields: dict = {}
    field_rows: dict[str, int] = {}
    for number, row in enumerate(book[PROFILE_SHEET].iter_rows(values_only=True), start=1):
        key = PROFILE_FIELDS.get(str(row[0]).strip()) if row and row[0] is not None else None
        if key:
            fields[key], field_rows[key] = (row[1] if len(row) > 1 else None), number
    rows = list(book[TARGET_SHEET].iter_rows(values_only=True))
    header = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else ())]
    lacking = [name for name, key in TARGET_COLUMNS.items() if key and name not in header]
    if lacking:
        raise SourceFileError(path, "profile-shape", f"no column {lacking[0]!r} in the header", sheet=TARGET_SHEET,
                              row=1)
    letters = {key: _letter(header.index(name)) for name, key in TARGET_COLUMNS.items() if key}
    lines, entries = [], []
    for number, row in enumerate(rows[1:], start=2):
        entry = {key: _cell(row[header.index(name)]) for name, key in TARGET_COLUMNS.items()
                 if key and header.index(name) < len(row)}
        if entry.get("order") is None and entry.get("direction") is None:
            continue  # an indicator the municipality did not choose
        entries.append(entry)
        lines.append(number)
    chosen = sorted((e for e in entries if e.get("order") is not None), key=lambda e: _sort_key(e["order"]))
    fields["indicators"] = [e.get("indicator") for e in chosen]
    targets = [e for e in entries if any(e.get(k) is not None for k in ("direction", "value", "minimum_change"))]
    target_lines = [line for line, e in zip(lines, entries) if e in targets]
    fields["example"] = str(fields.get("example") or "").strip().lower() in YES
    order_lines = [lines[entries.index(e)] for e in chosen]

    def where(index: int | None, field: str) -> dict:
        if index is None:
            return {"sheet": PROFILE_SHEET, "row": field_rows.get(field), "column": "B"}
        line = order_lines[index] if field == "order" else target_lines[index]
        return {"sheet": TARGET_SHEET, "row": line, "column": letters.get(field, letters["indicator"])}
    return fields, targets, where


def _cell(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _sort_key(order: object) -> float:
    try:
        return float(order)
    except (TypeError, ValueError):
        return float("inf")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(index + 1)


# --- the rules ----------------------------------------------------------------------------------------------

def _checked(path: Path, fields: dict, targets: list[dict], where: Where, indicators: Mapping[str, IndicatorFacts],
             terms: Sequence[tuple[int, int]], municipalities: Mapping[str, str], named: bool) -> Profile:
    def fail(rule: str, detail: str, index: int | None, field: str) -> SourceFileError:
        return SourceFileError(path, rule, detail, **where(index, field))

    code = str(fields.get("nis_code") or "").strip()
    if code not in municipalities:
        raise fail("known-municipality", f"nis_code {code!r} is not a municipality of today in the area", None,
                   "nis_code")
    if named and path.stem != code:
        raise fail("profile-named-by-nis-code", f"the profile of {code} is named {code}{path.suffix}, not {path.name}",
                   None, "nis_code")
    term = _term(fields.get("term"), terms)
    if term is None:
        known = ", ".join(f"{a}-{b}" for a, b in terms)
        raise fail("known-term", f"term {fields.get('term')!r} is not a council term ({known})", None, "term")
    chosen: list[str] = []
    for index, indicator in enumerate(fields["indicators"]):
        if indicator not in indicators:
            raise fail("known-indicator", f"{indicator!r} is no indicator of the barometer (models/indicators/)",
                       index, "order")
        if indicator in chosen:
            raise fail("indicator-chosen-once", f"{indicator!r} is chosen twice", index, "order")
        chosen.append(indicator)
    parsed, warnings, seen = [], [], set()
    for index, entry in enumerate(targets):
        target, warning = _target(entry, index, term, indicators, fail)
        if target.indicator_id in seen:
            raise fail("one-target-per-indicator", f"{target.indicator_id!r} has a second target", index, "indicator")
        seen.add(target.indicator_id)
        parsed.append(target)
        if warning:
            warnings.append(f"{path.name}: {warning}")
    return Profile(code, path.name, fields.get("example") is True, tuple(chosen), tuple(parsed), tuple(warnings))


def _term(text: object, terms: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    return next((t for t in terms if str(text).replace(" ", "").replace("–", "-") == f"{t[0]}-{t[1]}"), None)


def _target(entry: dict, index: int, term: tuple[int, int], indicators: Mapping[str, IndicatorFacts],
            fail: Callable[..., SourceFileError]) -> tuple[Target, str | None]:
    indicator = entry.get("indicator")
    if indicator not in indicators:
        raise fail("known-indicator", f"{indicator!r} is no indicator of the barometer (models/indicators/)",
                   index, "indicator")
    facts = indicators[indicator]
    baseline, deadline = (_year(entry.get(k), k, index, fail) for k in ("baseline", "deadline"))
    if not term[0] <= deadline <= term[1]:
        raise fail("deadline-in-term", f"deadline {deadline} lies outside the term {term[0]}-{term[1]}", index,
                   "deadline")
    if baseline >= deadline:
        raise fail("baseline-before-deadline", f"the baseline {baseline} is not before the deadline {deadline}",
                   index, "baseline")
    direction = str(entry.get("direction") or "").strip().lower()
    if direction not in DIRECTIONS:
        raise fail("known-direction", f"direction {entry.get('direction')!r} is not one of {sorted(DIRECTIONS)}",
                   index, "direction")
    value, change = (_number(entry.get(k), k, index, fail) for k in ("value", "minimum_change"))
    if (value is None) == (change is None):
        raise fail("value-or-direction", "give a target value or a minimum change, one of the two", index,
                   "value" if value is not None else "minimum_change")
    if change is not None and change <= 0:
        raise fail("positive-minimum-change", f"minimum_change {change} is not above 0 (the direction says which "
                   "way)", index, "minimum_change")
    low, high = (0.0, 100.0) if facts.unit == "%" else (0.0, None)
    if value is not None and (value < low or (high is not None and value > high)):
        span = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
        raise fail("value-in-unit-range", f"target value {value:g} {facts.unit} is outside the unit's range ({span})",
                   index, "value")
    on_purpose = str(entry.get("against_polarity") or "").strip().lower() in YES
    sign = POLARITY_SIGN.get(facts.polarity, 0)
    warning = None
    if sign and DIRECTIONS[direction] != sign:
        wrong = (f"target {index + 1} ({indicator}) aims {direction} while {facts.polarity}")
        if not on_purpose:
            raise fail("direction-follows-polarity", f"{wrong}; if that is meant, state against_polarity: ja",
                       index, "direction")
        warning = f"{wrong}, stated on purpose"
    measure = entry.get("measure")
    return Target(indicator, term[0], term[1], direction, baseline, deadline, value, change,
                  str(measure).strip() if measure else None, on_purpose), warning


def _year(value: object, field: str, index: int, fail: Callable[..., SourceFileError]) -> int:
    try:
        year = int(str(value).strip().removesuffix(".0"))
    except ValueError:
        raise fail("year", f"{field} {value!r} is not a year", index, field) from None
    if not 1990 <= year <= 2100:
        raise fail("year", f"{field} {year} is not a year of the barometer", index, field)
    return year


def _number(value: object, field: str, index: int, fail: Callable[..., SourceFileError]) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise fail("number", f"{field} {value!r} is not a number", index, field)
    try:
        return float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        raise fail("number", f"{field} {value!r} is not a number", index, field) from None
