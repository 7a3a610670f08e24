"""The council terms (bestuursperiodes) of the Flemish municipal councils: what a change is measured over and
what a council's targets are set for. One list, read by the SQL models (as the seed council_terms) and by the
validation of the profiles."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Term:
    first_year: int
    last_year: int

    @property
    def label(self) -> str:
        return f"{self.first_year}-{self.last_year}"


# Local elections every six years (October 2018, 2024, ...); a council takes office on 1 January after them.
TERMS = (Term(2019, 2024), Term(2025, 2030))


def terms_frame(terms: tuple[Term, ...] = TERMS) -> pl.DataFrame:
    return pl.DataFrame({"term_start": [dt.date(t.first_year, 1, 1) for t in terms],
                         "term_end": [dt.date(t.last_year, 12, 31) for t in terms]},
                        schema={"term_start": pl.Date, "term_end": pl.Date})
