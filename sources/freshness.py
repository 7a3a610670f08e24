"""When a source's newest snapshot is older than its cadence allows: the source is overdue.

The age is counted from the day the file was obtained (its origin record), not from the last run: a run
on an old file does not make the data fresh.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sources.catalog import Catalog, Source
from sources.snapshots import Snapshot, find_latest

# a month and a year, each with a margin for the publisher's usual delay
OVERDUE_AFTER = {"monthly": dt.timedelta(days=35), "yearly": dt.timedelta(days=400)}


@dataclass(frozen=True)
class Freshness:
    source: Source
    latest: Snapshot | None

    @property
    def obtained(self) -> dt.date | None:
        return dt.date.fromisoformat(self.latest.origin["date_obtained"]) if self.latest else None

    @property
    def window(self) -> dt.timedelta | None:
        return OVERDUE_AFTER.get(self.source.cadence)

    @property
    def due(self) -> dt.date | None:
        """The last day the newest snapshot counts as fresh; None for sources published once or not held."""
        return self.obtained + self.window if self.obtained and self.window else None

    def overdue(self, today: dt.date) -> bool:
        return self.due is not None and today > self.due

    def state(self, today: dt.date) -> str:
        if self.latest is None:
            return "no file yet"
        return "overdue" if self.overdue(today) else "fresh"


def freshness(catalog: Catalog, roots: Sequence[Path]) -> list[Freshness]:
    """Every source of the catalogue with its newest snapshot, in catalogue order."""
    return [Freshness(source, find_latest(roots, source.id)) for source in catalog.sources.values()]
