"""The one error type for a publisher file that cannot be used as it is."""
from __future__ import annotations

from pathlib import Path


class SourceFileError(ValueError):
    """A problem in a source file, located as precisely as the format allows."""

    def __init__(self, path: Path | str, rule: str, detail: str, *, row: int | None = None,
                 column: str | None = None, sheet: str | None = None):
        self.path, self.rule, self.detail = str(path), rule, detail
        self.row, self.column, self.sheet = row, column, sheet
        where = [f"file {Path(self.path).name}"]
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: rule '{rule}' violated: {detail}")
