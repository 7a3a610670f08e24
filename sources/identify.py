"""Which catalogue source a publisher file belongs to, decided by what the file holds.

A source matches when the file reads in the layout of the source's parser (its header columns) and
shows one of the source's marks (sources/signatures.yaml), such as the indicator code of a
Gemeente-Stadsmonitor extract. The file name only breaks a tie between sources whose content fits.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from sources import incijfers
from sources.catalog import Catalog, Source
from sources.errors import SourceFileError
from sources.publishers import LAYOUTS, read
from sources.readers import Table

SIGNATURES_PATH = Path(__file__).with_name("signatures.yaml")
# a dataset's name or code sits in the sheet name, the titles or the first rows, not further down
EVIDENCE_ROWS = 20


@dataclass(frozen=True)
class Signature:
    marks: tuple[str, ...] = ()
    file_name: str | None = None

    def shown_by(self, evidence: str) -> bool:
        return not self.marks or any(re.search(rf"(?<![A-Za-z0-9]){re.escape(mark)}(?![A-Za-z0-9])", evidence)
                                     for mark in self.marks)

    def names(self, path: Path) -> bool:
        return self.file_name is not None and fnmatch.fnmatch(path.name.lower(), self.file_name.lower())


@cache
def load_signatures(path: Path = SIGNATURES_PATH) -> dict[str, Signature]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {source_id: Signature(tuple(entry.get("marks", ())), entry.get("file_name"))
            for source_id, entry in data.items()}


def _evidence(tables: list[Table]) -> str:
    lines: list[str] = []
    for table in tables:
        lines += table.context
        lines += [" / ".join(parts) for parts in table.parts.values()]
        head = table.frame.head(EVIDENCE_ROWS).drop("_source_file", "_source_row")
        lines += [cell for row in head.iter_rows() for cell in row if cell]
    return "\n".join(lines)


def _export_evidence(path: Path) -> str:
    """A Provincies in Cijfers export: its title, measure labels, the names of its first rows and its footer."""
    export = incijfers.read_export(path, labels=())
    return "\n".join([export.title, *export.labels, *export.areas["name"].head(EVIDENCE_ROWS).to_list(),
                      *export.publisher_sources])


def _read_evidence(path: Path, parser: str) -> str | None:
    try:
        return _export_evidence(path) if parser == "provincies_incijfers" else _evidence(read(path, parser))
    except SourceFileError:
        return None


def identify(path: Path, catalog: Catalog) -> Source | None:
    """The one source whose layout and marks the file shows, or None (no source, or no way to choose).

    When several fit, a source whose marks the file shows beats one without marks (a mark is the more specific
    evidence), and then the file name breaks the tie."""
    evidence: dict[str, str | None] = {}
    matches: list[tuple[Source, Signature]] = []
    for source_id, signature in load_signatures().items():
        source = catalog.sources.get(source_id)
        if source is None or (source.parser not in LAYOUTS and source.parser != "provincies_incijfers"):
            continue
        if source.parser not in evidence:
            evidence[source.parser] = _read_evidence(path, source.parser)
        found = evidence[source.parser]
        if found is not None and signature.shown_by(found):
            matches.append((source, signature))
    if len(matches) > 1 and any(signature.marks for _, signature in matches):
        matches = [(source, signature) for source, signature in matches if signature.marks]
    if len(matches) > 1:
        matches = [(source, signature) for source, signature in matches if signature.names(path)]
    return matches[0][0] if len(matches) == 1 else None


def named_sources(path: Path, catalog: Catalog) -> list[Source]:
    """The sources whose file-name pattern the name fits: what the sender probably meant when the content
    fits no source, so that the reader of that source can say what is wrong with the file."""
    return [catalog.sources[source_id] for source_id, signature in load_signatures().items()
            if source_id in catalog.sources and signature.names(path)]
