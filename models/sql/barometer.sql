-- Values of the reference units (the area, its arrondissements, its region; see reference_units) per
-- indicator and period. The publisher's own row for the unit is preferred, and it is the only acceptable
-- source for an indicator that does not add up (a median, an index: aggregate 'none'); it is used only when
-- the unit then held what it holds today. Otherwise the value is formed from the unit's municipalities:
-- - 'sum' (counts): the total of all of them; with one missing or confidential it is withheld ('incomplete'),
--   never a silent undercount;
-- - 'ratio': its numerator and denominator, each the publisher's row or the total of all municipalities; when
--   a part is incomplete, the ratio of the municipalities with both parts, if they are at least the area's
--   minimum coverage, flagged 'estimated'.
create or replace table reference_values as
with periods as (
    select distinct indicator_id, period, year from indicator_values
    union
    select distinct indicator_id, period, year from unit_indicator_values where same_as_today
),
cells as (
    select u.level, u.unit_nis, p.indicator_id, p.period, p.year, m.nis_code,
           v.numerator, v.denominator, v.value, coalesce(v.flags, []) as flags
    from reference_units u
    join reference_members m using (level, unit_nis)
    cross join periods p
    left join indicator_values v on v.indicator_id = p.indicator_id and v.period = p.period and v.nis_code = m.nis_code
),
formed as (
    select c.level, c.unit_nis, c.indicator_id, c.period, any_value(c.year) as year,
           count(*) as n_municipalities, count(c.value) as n_values,
           case when count(c.numerator) = count(*) then sum(c.numerator) end as numerator,
           case when count(c.denominator) = count(*) then sum(c.denominator) end as denominator,
           sum(c.numerator) filter (where c.value is not null) as pair_numerator,
           sum(c.denominator) filter (where c.value is not null) as pair_denominator,
           case when count(c.value) = count(*) then sum(c.value) end as total,
           bool_or(list_contains(c.flags, 'provisional')) as any_provisional
    from cells c
    group by c.level, c.unit_nis, c.indicator_id, c.period
),
joined as (
    select f.*, s.aggregate, s.scale, p.value as published_value, p.numerator as published_numerator,
           p.denominator as published_denominator, coalesce(p.flags, []) as published_flags,
           coalesce(p.numerator, f.numerator) as unit_numerator,
           coalesce(p.denominator, f.denominator) as unit_denominator
    from formed f
    join indicator_spec s using (indicator_id)
    left join unit_indicator_values p on p.indicator_id = f.indicator_id and p.unit_nis = f.unit_nis
                                     and p.period = f.period and p.same_as_today
),
valued as (
    select j.*,
           case
               when j.aggregate = 'none' then j.published_value
               when j.aggregate = 'sum' then coalesce(j.published_value, j.total)
               when j.unit_denominator > 0 then j.unit_numerator / j.unit_denominator * j.scale
               when j.n_values >= j.n_municipalities * (select min_coverage from area_spec) and j.pair_denominator > 0
                   then j.pair_numerator / j.pair_denominator * j.scale
           end as value,
           case
               when j.published_value is not null and (j.aggregate <> 'ratio' or j.published_denominator is not null)
                   then 'publisher'
               when j.aggregate = 'ratio' and j.unit_denominator > 0 and j.unit_numerator is not null
                   then case when j.published_numerator is not null or j.published_denominator is not null
                             then 'publisher and municipalities' else 'municipalities' end
               when j.aggregate = 'ratio' then 'municipalities with a value'
               else 'municipalities'
           end as method
    from joined j
)
select v.level, v.unit_nis, u.unit_name, v.indicator_id, v.period, v.year, v.value,
       case when v.aggregate = 'ratio' and v.unit_denominator > 0 then v.unit_numerator end as numerator,
       case when v.aggregate = 'ratio' and v.unit_denominator > 0 then v.unit_denominator end as denominator,
       v.n_values, v.n_municipalities, case when v.value is not null then v.method end as method,
       list_distinct(list_filter(v.published_flags || [
           case when v.value is not null and v.method = 'municipalities with a value' then 'estimated' end,
           case when v.value is not null and v.method <> 'publisher' and v.any_provisional then 'provisional' end,
           case when v.value is null and v.aggregate <> 'none' and v.n_values > 0 then 'incomplete' end
       ], lambda f: f is not null)) as flags
from valued v
join reference_units u using (level, unit_nis);

-- The area's own values, as the pages and downloads read them.
create or replace view area_values as
select indicator_id, period, year, n_values, n_municipalities, value, flags
from reference_values where level = 'area';

create or replace table barometer as
with current_municipalities as (
    select m.nis_code, m.name_nl, a.unit_nis as arrondissement_nis, a.unit_name as arrondissement
    from municipalities m
    left join (select r.nis_code, r.unit_nis, u.unit_name from reference_members r
               join reference_units u using (level, unit_nis) where r.level = 'arrondissement') a using (nis_code)
    where m.is_current
),
periods as (
    -- an indicator without any data still gets one row per municipality, as missing; so does every year
    -- inside a yearly series that no source gives (2014-2016 of the income series), never interpolated
    select s.indicator_id, p.period, p.year
    from indicator_spec s
    left join (
        select distinct indicator_id, period, year from indicator_values
        union
        select indicator_id, year::varchar, year
        from (select indicator_id, unnest(range(min(year), max(year) + 1))::integer as year
              from indicator_values group by indicator_id
              having bool_and(regexp_full_match(period, '\d{4}')))
    ) p using (indicator_id)
),
cells as (
    select p.indicator_id, p.period, p.year, m.nis_code, m.name_nl as municipality, m.arrondissement_nis,
           m.arrondissement, v.numerator, v.denominator, v.value, coalesce(v.flags, []) as flags
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
       s.arrondissement_nis, s.arrondissement,
       r.value as arrondissement_value, coalesce(r.flags, []) as arrondissement_flags,
       g.value as region_value, coalesce(g.flags, []) as region_flags,
       s.rank, s.rank_count,
       case when s.year is not null and s.value is not null and s.previous_value is not null
            then s.previous_period end as previous_period,
       case when s.year is not null then s.value - s.previous_value end as change,
       -- a value that is missing for no stated reason is flagged missing
       case when s.value is null and not list_has_any(s.flags, ['confidential', 'not_applicable'])
            then list_append(s.flags, 'missing') else s.flags end as flags
from series s
left join area_values a using (indicator_id, period)
left join reference_values r on r.level = 'arrondissement' and r.unit_nis = s.arrondissement_nis
                            and r.indicator_id = s.indicator_id and r.period = s.period
left join reference_values g on g.level = 'region' and g.indicator_id = s.indicator_id and g.period = s.period
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
