"""The report rules on small synthetic tables (named as such): the armoedesynthese, the small-numbers
rule, the change since the start of a council term, and the sentences that read a figure."""
from __future__ import annotations

import statistics

import duckdb
import polars as pl
import pytest

from models import synthesis
from models.metadata import load_indicators
from models.seeds import ModelInputs
from models.warehouse import replace_table
from reports import composite, disclosure, reading
from sources.catalog import load_catalog
from tests.conftest import build_layers
from tests.test_models import con, synthetic_observations  # noqa: F401  (the fixture and its helper)

# --- the armoedesynthese ------------------------------------------------------------------------------

# synthetic: five municipalities, three poverty indicators, one neutral one
CODES = ["10001", "10002", "10003", "10004", "10005"]
UNEMPLOYMENT = [2.0, 4.0, 6.0, 8.0, 10.0]        # higher is unfavourable
INCOME = [50.0, 40.0, 45.0, 30.0, None]           # higher is favourable; the fifth has no value
CHILDREN = [10.0, 30.0, 20.0, None, 40.0]         # higher is unfavourable
POPULATION = [100.0, 200.0, 300.0, 400.0, 500.0]  # neutral


@pytest.fixture
def warehouse():
    con = duckdb.connect()
    series = {"synthetic_unemployment": (UNEMPLOYMENT, -1, "werk"), "synthetic_income": (INCOME, 1, "inkomen"),
              "synthetic_children": (CHILDREN, -1, "kinderen"), "synthetic_population": (POPULATION, 0, "bevolking"),
              "synthetic_empty": ([None] * 5, -1, "inkomen")}
    replace_table(con, "barometer", pl.DataFrame(
        [{"nis_code": code, "indicator_id": indicator, "period": "2024", "value": value}
         for indicator, (values, _, _) in series.items() for code, value in zip(CODES, values)],
        schema={"nis_code": pl.String, "indicator_id": pl.String, "period": pl.String, "value": pl.Float64}))
    replace_table(con, "indicator_coverage", pl.DataFrame(
        [{"indicator_id": indicator, "latest_period": "2024", "n_values": sum(v is not None for v in values),
          "n_municipalities": len(CODES)} for indicator, (values, _, _) in series.items()]))
    replace_table(con, "indicator_spec", pl.DataFrame(
        [{"indicator_id": indicator, "polarity": polarity} for indicator, (_, polarity, _) in series.items()]))
    replace_table(con, "indicator_metadata", pl.DataFrame(
        [{"indicator_id": indicator, "family": family, "position": position}
         for position, (indicator, (_, _, family)) in enumerate(series.items())]))
    replace_table(con, "municipalities", pl.DataFrame(
        {"nis_code": CODES, "name_nl": [f"Synthetic {c}" for c in CODES], "is_current": [True] * 5}))
    yield con
    con.close()


def build_synthesis(con, method: synthesis.Method) -> None:
    build_layers(con, "synthesis", inputs=ModelInputs(load_catalog(), (), method))


def method(**weights) -> synthesis.Method:
    return synthesis.Method(min_indicator_coverage=0.8, min_municipality_share=0.75,
                            weights=weights or {i: 1.0 for i in ("synthetic_unemployment", "synthetic_income",
                                                                 "synthetic_children", "synthetic_population",
                                                                 "synthetic_empty")})


def z_scores(values: list[float | None], sign: int) -> list[float | None]:
    present = [v for v in values if v is not None]
    mean, sd = statistics.fmean(present), statistics.pstdev(present)
    return [None if v is None else sign * (v - mean) / sd for v in values]


def test_synthetic_composite_standardises_turns_by_polarity_and_averages_what_is_present(warehouse):
    build_synthesis(warehouse, method())

    taking_part = dict(warehouse.execute("select indicator_id, takes_part from synthesis_indicators").fetchall())
    assert taking_part == {"synthetic_unemployment": True, "synthetic_income": True, "synthetic_children": True,
                           "synthetic_population": False,   # neutral: no direction
                           "synthetic_empty": False}        # 0 of 5 values, 4 needed
    # income turns: a high income is favourable, so its standard score counts against disadvantage
    parts = list(zip(z_scores(UNEMPLOYMENT, 1), z_scores(INCOME, -1), z_scores(CHILDREN, 1)))
    expected = {code: statistics.fmean(zs) for code, zs in zip(CODES, parts) if None not in zs}
    scores = dict(warehouse.execute("select nis_code, value from synthesis where value is not null").fetchall())
    assert scores == pytest.approx(expected)
    assert set(scores) == {"10001", "10002", "10003"}


def test_synthetic_composite_gives_no_score_without_enough_values_and_imputes_nothing(warehouse):
    build_synthesis(warehouse, method())

    rows = {code: (value, flags, n) for code, value, flags, n in warehouse.execute(
        "select nis_code, value, flags, n_values from synthesis").fetchall()}
    # 10004 lacks children, 10005 lacks income: 2 of 3 values, 3 required
    assert rows["10004"] == (None, ["missing"], 2)
    assert rows["10005"] == (None, ["missing"], 2)
    ranks = dict(warehouse.execute("select nis_code, rank from synthesis where rank is not null").fetchall())
    assert sorted(ranks.values()) == [1, 2, 3]
    assert warehouse.execute("select distinct rank_count from synthesis").fetchall() == [(3,)]


def test_synthetic_rank_range_covers_every_alternative_weighting(warehouse):
    build_synthesis(warehouse, synthesis.Method(min_indicator_coverage=0.8, min_municipality_share=0.5,
                                                weights={"synthetic_unemployment": 1.0, "synthetic_income": 1.0,
                                                         "synthetic_children": 1.0}))

    scenarios = {row[0] for row in warehouse.execute("select distinct scenario from synthesis_weights").fetchall()}
    assert scenarios == {"standard", "families", "without_synthetic_unemployment", "without_synthetic_income",
                         "without_synthetic_children"}
    # recompute every weighting by hand: the weighted mean of the standard scores present
    parts = dict(zip(CODES, zip(z_scores(UNEMPLOYMENT, 1), z_scores(INCOME, -1), z_scores(CHILDREN, 1))))
    weightings = [(1, 1, 1), (0, 1, 1), (1, 0, 1), (1, 1, 0)]  # one indicator per family: 'families' = standard
    ranks: dict[str, list[int]] = {code: [] for code in CODES}
    for weights in weightings:
        score = {code: sum(w * z for w, z in zip(weights, zs) if z is not None)
                 / sum(w for w, z in zip(weights, zs) if z is not None) for code, zs in parts.items()}
        for position, code in enumerate(sorted(score, key=score.get, reverse=True), start=1):
            ranks[code].append(position)
    found = {code: (low, high) for code, low, high in warehouse.execute(
        "select nis_code, rank_min, rank_max from synthesis").fetchall()}
    assert found == {code: (min(r), max(r)) for code, r in ranks.items()}


def test_the_shipped_method_names_known_indicators_and_sane_shares():
    method = synthesis.load_method()
    known = {indicator.id for indicator in load_indicators(load_catalog())}
    assert set(method.weights) <= known
    assert 0 < method.min_indicator_coverage <= 1 and 0 < method.min_municipality_share <= 1


def test_a_method_with_a_share_above_one_is_refused(tmp_path):
    bad = tmp_path / "synthesis.yaml"
    bad.write_text("min_indicator_coverage: 1.5\nmin_municipality_share: 0.75\nweights: {leefloon: 1}\n")
    with pytest.raises(ValueError, match="min_indicator_coverage must be a share"):
        synthesis.load_method(bad)


# --- small numbers ------------------------------------------------------------------------------------

def rows(indicator: str, values: list[float | None], area_value: float | None = None, period: str = "2024",
         numerators: list[float | None] | None = None, previous: str | None = None,
         arrondissements: list[str] | None = None, arrondissement_value: float | None = None) -> pl.DataFrame:
    """Synthetic barometer rows of one indicator and period, ranked like the barometer SQL ranks; all in one
    arrondissement unless `arrondissements` says otherwise."""
    ranked = sorted((v for v in values if v is not None), reverse=True)
    return pl.DataFrame([{
        "nis_code": code, "indicator_id": indicator, "period": period, "value": value,
        "numerator": (numerators or [None] * len(values))[i], "denominator": 100.0 if numerators else None,
        "area_value": area_value, "arrondissement_nis": (arrondissements or ["19000"] * len(values))[i],
        "arrondissement_value": arrondissement_value,
        "rank": ranked.index(value) + 1 if value is not None else None,
        "previous_period": previous, "change": 1.0 if previous else None, "flags": []}
        for i, (code, value) in enumerate(zip(CODES, values))],
        schema_overrides={"value": pl.Float64, "numerator": pl.Float64, "denominator": pl.Float64,
                          "area_value": pl.Float64, "arrondissement_value": pl.Float64, "rank": pl.Int64,
                          "previous_period": pl.String, "change": pl.Float64, "flags": pl.List(pl.String)})


COUNTS = pl.DataFrame({"indicator_id": ["synthetic_count", "synthetic_rate", "synthetic_pitches"],
                       "value_is_count": [True, False, True], "numerator_is_count": [False, True, False],
                       "total_is_sum": [True, False, False]})


def hidden(protected: pl.DataFrame) -> dict[str, float | None]:
    return {row["nis_code"]: row["value"] for row in protected.iter_rows(named=True)
            if "confidential" in row["flags"]}


def test_synthetic_small_count_is_removed_and_one_more_beside_a_published_total():
    protected = disclosure.protect(rows("synthetic_count", [3, 10, 12, 40, 0], area_value=65), COUNTS)

    # 3 is hidden; the total 65 minus the others would give it back, so the smallest other value (10) goes too;
    # a zero stays: it says nobody is counted, not who
    assert hidden(protected) == {"10001": None, "10002": None}
    assert protected.filter(pl.col("nis_code").is_in(["10001", "10002"]))["rank"].to_list() == [None, None]
    assert protected.filter(nis_code="10005")["value"].to_list() == [0.0]


def test_synthetic_two_small_counts_that_add_up_to_a_small_number_take_a_third_with_them():
    protected = disclosure.protect(rows("synthetic_count", [1, 2, 50, 60, 70], area_value=183), COUNTS)

    assert set(hidden(protected)) == {"10001", "10002", "10003"}


def test_synthetic_small_count_takes_its_second_hidden_value_from_its_own_arrondissement():
    # with the area's total and the other arrondissement's published, the first arrondissement's total follows
    # from them: the second hidden value must lie in the same arrondissement as the first, not be the smallest
    protected = disclosure.protect(rows("synthetic_count", [3, 10, 12, 8, 40], area_value=73,
                                        arrondissements=["19000", "19000", "19000", "18000", "18000"]), COUNTS)

    assert hidden(protected) == {"10001": None, "10002": None}


def test_synthetic_small_count_without_a_published_total_hides_only_itself():
    protected = disclosure.protect(rows("synthetic_pitches", [4, 26, 51, None, None]), COUNTS)

    assert set(hidden(protected)) == {"10001"}


def test_synthetic_rate_on_a_small_numerator_is_kept_flagged_unreliable_without_its_counts():
    protected = disclosure.protect(rows("synthetic_rate", [3.0, 11.4, 20.0, None, None],
                                        numerators=[3.0, 4.0, 20.0, None, None]), COUNTS)

    second = protected.filter(nis_code="10002").row(0, named=True)
    assert (second["value"], second["numerator"], second["denominator"]) == (11.4, None, None)
    assert second["flags"] == ["unreliable"]
    third = protected.filter(nis_code="10003").row(0, named=True)
    assert (third["value"], third["numerator"], third["flags"]) == (20.0, 20.0, [])


def test_synthetic_change_from_a_hidden_value_is_removed_too():
    earlier = rows("synthetic_pitches", [3, 26, 51, None, None], period="2023")
    later = rows("synthetic_pitches", [8, 27, 52, None, None], previous="2023")
    protected = disclosure.protect(pl.concat([earlier, later]), COUNTS)

    after = protected.filter(nis_code="10001", period="2024").row(0, named=True)
    assert (after["value"], after["change"], after["previous_period"]) == (8.0, None, None)
    assert protected.filter(nis_code="10002", period="2024")["change"].to_list() == [1.0]


def test_synthetic_term_change_from_a_hidden_value_is_not_published():
    protected = disclosure.protect(rows("synthetic_pitches", [3, 26, 51, None, None], period="2019"), COUNTS)
    changes = pl.DataFrame({"nis_code": ["10001", "10002"], "indicator_id": ["synthetic_pitches"] * 2,
                            "start_period": ["2019", "2019"], "latest_period": ["2024", "2024"]})

    assert disclosure.protect_term_changes(changes, protected)["nis_code"].to_list() == ["10002"]


# --- change since the start of a council term ---------------------------------------------------------

def test_synthetic_term_change_runs_from_the_first_period_of_the_term_to_the_latest(con):  # noqa: F811
    synthetic_observations(con, [("population", "71016", f"{year}-01-01", 60_000 + year) for year in range(2017, 2026)])
    replace_table(con, "indicator_spec", pl.DataFrame([{
        "indicator_id": "synthetic_population", "value_measure": "population", "numerator_measure": None,
        "denominator_measure": None, "scale": 1.0, "aggregate": "sum", "polarity": 0}],
        schema_overrides={"numerator_measure": pl.String, "denominator_measure": pl.String}))
    build_layers(con, "indicators", "barometer")

    terms = con.execute("select year(term_start), start_period, latest_period, change from term_changes "
                        "where nis_code = '71016' order by term_start").fetchall()
    assert terms == [(2019, "2019-01-01", "2025-01-01", pytest.approx(6.0)),
                     (2025, "2025-01-01", "2025-01-01", None)]   # one measurement: no change yet


# --- sentences ----------------------------------------------------------------------------------------

def indicator(polarity: str, aggregate: str = "ratio") -> dict:
    return {"decimals": 1, "unit": "%", "polarity": polarity, "aggregate": aggregate}


def row(value: float | None, area: float | None, rank: int | None = None, count: int | None = None) -> dict:
    return {"value": value, "area_value": area, "rank": rank, "rank_count": count}


@pytest.mark.parametrize(("value", "polarity", "expected"), [
    (9.1, "hoger is ongunstiger", "Hoger dan het gemiddelde van Limburg (6,4 %), dus ongunstiger dan gemiddeld."),
    (5.0, "hoger is ongunstiger", "Lager dan het gemiddelde van Limburg (6,4 %), dus gunstiger dan gemiddeld."),
    (5.0, "hoger is gunstiger", "Lager dan het gemiddelde van Limburg (6,4 %), dus ongunstiger dan gemiddeld."),
    (9.1, "neutraal", "Hoger dan het gemiddelde van Limburg (6,4 %)."),
    (6.43, "hoger is ongunstiger", "Gelijk aan het gemiddelde van Limburg (6,4 %)."),  # equal as shown
])
def test_reading_compares_with_the_area_and_judges_by_polarity(value, polarity, expected):
    assert reading.reading(row(value, 6.4), indicator(polarity), "Limburg") == expected


def test_reading_of_a_total_or_without_area_value_goes_by_the_quarter_of_the_ranking():
    assert reading.reading(row(68_058, 904_919, 2, 38), indicator("neutraal", "sum"), "Limburg") == \
        "Bij het kwart van de gemeenten met de hoogste waarde."
    assert reading.reading(row(34_705, None, 31, 32), indicator("hoger is gunstiger", "none"), "Limburg") == \
        "Bij het kwart van de gemeenten met de laagste waarde, dus bij de ongunstigste."
    assert reading.by_rank(19, 38, "hoger is ongunstiger") == "In de middengroep van de gemeenten."


def test_reading_says_nothing_without_a_value_or_with_too_few_ranked():
    assert reading.reading(None, indicator("hoger is ongunstiger"), "Limburg") == ""
    assert reading.reading(row(None, 6.4), indicator("hoger is ongunstiger"), "Limburg") == ""
    assert reading.reading(row(17.5, None, 1, 2), indicator("hoger is ongunstiger", "none"), "Limburg") == ""


def test_a_municipality_without_enough_indicators_has_no_score_and_is_told_why():
    block = composite.municipality_block({"value": None, "rank": None, "rank_count": 36, "rank_min": None,
                                          "rank_max": None, "n_values": 3, "n_participating": 5, "n_required": 4})
    assert block["missing"] and block["range"] == ""
    assert block["reading"] == "Een cijfer voor 3 van de 5 indicatoren; voor een score zijn er minstens 4 nodig."
