"""Small numbers: what the release leaves out so that no published figure points at a few people.

The warehouse keeps every value; the rule applies where figures leave it (downloads and pages), so both
show the same. Which figures are counts follows from the units of the catalogue's measures.
"""
from __future__ import annotations

import duckdb
import polars as pl

from models.specs import COUNT_UNITS
from reports import queries

# Counts from 1 to THRESHOLD - 1 are not published. A zero is: it says that nobody is counted, not who.
THRESHOLD = 5
CONFIDENTIAL = "confidential"
UNRELIABLE = "unreliable"


def published_barometer(con: duckdb.DuckDBPyConnection, indicator_ids: list[str] | None = None) -> pl.DataFrame:
    """The barometer rows of `queries.barometer` after the small-numbers rule."""
    return protect(queries.barometer(con, indicator_ids), queries.counts(con, COUNT_UNITS))


def protect(rows: pl.DataFrame, counts: pl.DataFrame, threshold: int = THRESHOLD) -> pl.DataFrame:
    """Barometer rows as they may be published.

    `counts` says per indicator whether its value and its numerator are counts and whether its area value
    is their sum (see `queries.counts`). Three rules:
    - primary: a count value from 1 to threshold - 1 is removed and flagged `confidential`;
    - secondary: where the area's or the arrondissement's total of that indicator and period is published,
      the smallest further values above zero of the same arrondissement are removed too, until at least two
      are hidden and together reach the threshold, so that no total minus the published values gives one
      hidden value back (hiding a zero would add nothing to that sum);
    - a rate whose numerator is a count below the threshold keeps its value, is flagged `unreliable`,
      and loses its numerator and denominator, from which the small count would follow.
    A removed value also takes its rank and changes with it: the change of the next period would give it back.
    """
    columns = rows.columns
    rows = rows.join(counts, on="indicator_id", how="left")
    primary = (pl.col("value_is_count") & (pl.col("value") > 0) & (pl.col("value") < threshold)).fill_null(False)
    rows = rows.with_columns(hidden=primary)
    # the further values are chosen within the municipality's arrondissement: with the area total and the
    # totals of the other arrondissements published, that arrondissement's total follows from them
    group = ["indicator_id", "period", "arrondissement_nis"]
    published_total = pl.col("total_is_sum") & (pl.col("area_value").is_not_null()
                                                | pl.col("arrondissement_value").is_not_null())
    needs_more = rows.filter(published_total).group_by(group).agg(pl.col("hidden").any()).filter("hidden").drop(
        "hidden")
    extra = [key for part in rows.join(needs_more, on=group, how="semi", nulls_equal=True).partition_by(group)
             for key in _secondary(part, threshold)]
    if extra:
        extra_keys = pl.DataFrame(extra, schema=["nis_code", "indicator_id", "period"], orient="row")
        rows = rows.join(extra_keys.with_columns(secondary=pl.lit(True)), on=["nis_code", "indicator_id", "period"],
                         how="left").with_columns(hidden=pl.col("hidden") | pl.col("secondary").fill_null(False))
    unreliable = (pl.col("numerator_is_count") & (pl.col("numerator") < threshold)).fill_null(False)
    hidden_keys = rows.filter("hidden").select("nis_code", "indicator_id", previous_period="period",
                                               previous_hidden=pl.lit(True))
    rows = rows.join(hidden_keys, on=["nis_code", "indicator_id", "previous_period"], how="left")
    gone = pl.col("hidden")
    return rows.with_columns(
        *(pl.when(gone).then(None).otherwise(pl.col(c)).alias(c) for c in ("value", "rank")),
        *(pl.when(gone | unreliable).then(None).otherwise(pl.col(c)).alias(c) for c in ("numerator", "denominator")),
        *(pl.when(gone | pl.col("previous_hidden").fill_null(False)).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("change", "previous_period")),
        flags=pl.when(gone).then(pl.col("flags").list.concat(pl.lit([CONFIDENTIAL])))
                .when(unreliable).then(pl.col("flags").list.concat(pl.lit([UNRELIABLE])))
                .otherwise(pl.col("flags")),
    ).select(columns)


def _secondary(group: pl.DataFrame, threshold: int) -> list[tuple[str, str, str]]:
    """Keys of the further values to hide in one indicator and period with a published total."""
    hidden = group.filter("hidden")["value"].to_list()
    candidates = group.filter(~pl.col("hidden"), pl.col("value") > 0).sort("value", "nis_code")
    extra = []
    for row in candidates.iter_rows(named=True):
        if len(hidden) >= 2 and sum(hidden) >= threshold:
            break
        hidden.append(row["value"])
        extra.append((row["nis_code"], row["indicator_id"], row["period"]))
    return extra


def protect_term_changes(changes: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Term changes without those that start or end at a removed value (protected `rows`)."""
    hidden = rows.filter(pl.col("value").is_null(), pl.col("flags").list.contains(CONFIDENTIAL)).select(
        "nis_code", "indicator_id", "period")
    for column in ("start_period", "latest_period"):
        changes = changes.join(hidden.rename({"period": column}), on=["nis_code", "indicator_id", column],
                               how="anti")
    return changes


def protect_targets(progress: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Target progress without the baseline or latest values the small-numbers rule removed from the
    protected `rows`, nor the changes and goal that would give them back."""
    hidden = rows.filter(pl.col("value").is_null(), pl.col("flags").list.contains(CONFIDENTIAL)).select(
        "nis_code", "indicator_id", "period").with_columns(gone=pl.lit(True))
    for column in ("baseline_period", "latest_period"):
        progress = progress.join(hidden.rename({"period": column, "gone": f"{column}_gone"}),
                                 on=["nis_code", "indicator_id", column], how="left")
    baseline_gone = pl.col("baseline_period_gone").fill_null(False)
    latest_gone = pl.col("latest_period_gone").fill_null(False)
    either = baseline_gone | latest_gone
    return progress.with_columns(
        pl.when(baseline_gone).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("baseline_value", "goal", "needed_per_year", "on_course_value")).with_columns(
        pl.when(latest_gone).then(None).otherwise(pl.col("latest_value")).alias("latest_value"),
        *(pl.when(either).then(None).otherwise(pl.col(c)).alias(c) for c in ("observed_per_year", "noise_margin")),
        flags=pl.when(either).then(pl.col("flags").list.concat(pl.lit([CONFIDENTIAL]))).otherwise(pl.col("flags")),
    ).drop("baseline_period_gone", "latest_period_gone")
