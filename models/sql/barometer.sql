-- The barometer: every current municipality x indicator x period, with the area's value,
-- rank, change against the previous period and flags. Missing cells stay in the table as missing.
create or replace table area_values as
with current_municipalities as (
    select nis_code from municipalities where is_current
),
periods as (
    select distinct indicator_id, period, year from indicator_values
),
cells as (
    select p.indicator_id, p.period, p.year, m.nis_code, v.numerator, v.denominator, v.value,
           coalesce(v.flags, []) as flags
    from periods p
    cross join current_municipalities m
    left join indicator_values v using (indicator_id, period, nis_code)
),
population as (
    select nis_code, year, value as population
    from harmonised_observations where measure = 'population' and value is not null
),
latest_population as (
    select nis_code, arg_max(population, year) as population from population group by nis_code
),
weighted as (
    -- population of the same year where known, otherwise the latest population (flagged as estimated anyway)
    select c.*, coalesce(p.population, l.population) as weight
    from cells c
    left join population p on p.nis_code = c.nis_code and p.year = c.year
    left join latest_population l on l.nis_code = c.nis_code
),
aggregated as (
    select w.indicator_id, w.period, any_value(w.year) as year, s.aggregate,
           count(w.value) as n_values,
           count(*) as n_municipalities,
           bool_or(list_contains(w.flags, 'provisional')) as any_provisional,
           case s.aggregate
               when 'ratio' then sum(w.numerator) filter (where w.value is not null)
                               / sum(w.denominator) filter (where w.value is not null) * any_value(s.scale)
               when 'sum' then sum(w.value)
               when 'population_weighted' then sum(w.value * w.weight) filter (where w.weight is not null)
                               / sum(w.weight) filter (where w.value is not null and w.weight is not null)
           end as value
    from weighted w
    join indicator_spec s using (indicator_id)
    group by w.indicator_id, w.period, s.aggregate
)
select a.indicator_id, a.period, a.year, a.n_values, a.n_municipalities,
       case when a.aggregate = 'none' then null
            when a.aggregate = 'sum' and a.n_values < a.n_municipalities then null
            when a.n_values < a.n_municipalities * (select min_coverage from area_spec) then null
            else a.value end as value,
       list_filter([
           case when a.aggregate = 'population_weighted' or (a.aggregate = 'ratio' and a.n_values < a.n_municipalities)
                then 'estimated' end,
           case when a.any_provisional then 'provisional' end
       ], lambda f: f is not null) as flags
from aggregated a;

create or replace table barometer as
with current_municipalities as (
    select nis_code, name_nl from municipalities where is_current
),
periods as (
    -- an indicator without any data still gets one row per municipality, as missing
    select s.indicator_id, p.period, p.year
    from indicator_spec s
    left join (select distinct indicator_id, period, year from indicator_values) p using (indicator_id)
),
cells as (
    select p.indicator_id, p.period, p.year, m.nis_code, m.name_nl as municipality,
           v.numerator, v.denominator, v.value, coalesce(v.flags, []) as flags
    from periods p
    cross join current_municipalities m
    left join indicator_values v on v.indicator_id = p.indicator_id and v.period = p.period and v.nis_code = m.nis_code
),
ranked as (
    select c.*,
           case when c.value is not null then
               rank() over (partition by c.indicator_id, c.period, c.value is null order by c.value desc) end as rank,
           count(c.value) over (partition by c.indicator_id, c.period) as rank_count
    from cells c
),
series as (
    select r.*,
           lag(r.period) over w as previous_period,
           lag(r.value) over w as previous_value
    from ranked r
    window w as (partition by r.indicator_id, r.nis_code, r.year is null order by r.year)
)
select s.nis_code, s.municipality, s.indicator_id, s.period, s.year,
       s.value, s.numerator, s.denominator,
       a.value as area_value, coalesce(a.flags, []) as area_flags,
       s.rank, s.rank_count,
       case when s.year is not null and s.value is not null and s.previous_value is not null
            then s.previous_period end as previous_period,
       case when s.year is not null then s.value - s.previous_value end as change,
       case when s.value is null and not list_contains(s.flags, 'confidential')
            then list_append(s.flags, 'missing') else s.flags end as flags
from series s
left join area_values a using (indicator_id, period)
order by s.indicator_id, s.year nulls first, s.period, s.nis_code;

-- Coverage of each indicator in its latest period: "37 van 38 gemeenten".
create or replace table indicator_coverage as
with per_period as (
    select indicator_id, period, year, count(value) as n_values, count(*) as n_municipalities
    from barometer group by all
)
select indicator_id,
       arg_max(period, [coalesce(year, -1), n_values]) as latest_period,
       arg_max(year, [coalesce(year, -1), n_values]) as latest_year,
       arg_max(n_values, [coalesce(year, -1), n_values]) as n_values,
       any_value(n_municipalities) as n_municipalities,
       count(*) filter (where n_values > 0) as n_periods
from per_period
group by indicator_id;

-- Council terms (bestuursperiodes) of the municipal councils: the dates a council is judged from.
create or replace table council_terms as
select * from (values (date '2019-01-01', date '2024-12-31'),
                      (date '2025-01-01', date '2030-12-31')) t(term_start, term_end);

-- Change since the start of each council term that has begun: from the first dated period of the term
-- with a value (a year from the term's first year on: '2019' or '2019-01-01') to the latest dated period
-- with a value, which may lie after the term. Both periods are named; with one measurement only, the
-- change stays empty. The area's values of the same two periods stand beside it. The periods of one
-- indicator are all years or all ISO dates, so their text order is their time order.
create or replace table term_changes as
with valued as (
    select nis_code, indicator_id, period, year, value, flags
    from barometer where value is not null and year is not null
),
latest as (
    select nis_code, indicator_id, arg_max(period, period) as latest_period,
           arg_max(value, period) as latest_value, arg_max(flags, period) as latest_flags
    from valued group by nis_code, indicator_id
),
starts as (
    select t.term_start, t.term_end, v.nis_code, v.indicator_id,
           arg_min(v.period, v.period) as start_period, arg_min(v.value, v.period) as start_value,
           arg_min(v.flags, v.period) as start_flags
    from council_terms t
    join valued v on v.year between year(t.term_start) and year(t.term_end)
    group by t.term_start, t.term_end, v.nis_code, v.indicator_id
)
select s.nis_code, s.indicator_id, s.term_start, s.term_end,
       s.start_period, s.start_value, l.latest_period, l.latest_value,
       case when l.latest_period > s.start_period then l.latest_value - s.start_value end as change,
       a_start.value as area_start_value, a_latest.value as area_latest_value,
       case when l.latest_period > s.start_period then a_latest.value - a_start.value end as area_change,
       list_distinct(s.start_flags || l.latest_flags) as flags
from starts s
join latest l using (nis_code, indicator_id)
left join area_values a_start on a_start.indicator_id = s.indicator_id and a_start.period = s.start_period
left join area_values a_latest on a_latest.indicator_id = s.indicator_id and a_latest.period = l.latest_period
order by s.indicator_id, s.nis_code, s.term_start;
