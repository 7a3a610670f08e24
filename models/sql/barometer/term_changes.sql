-- Change since the start of each council term that has begun: from the first dated period of the term
-- with a value (a year from the term's first year on: '2019' or '2019-01-01') to the latest dated period
-- with a value, which may lie after the term. Both periods are named; with one measurement only, the
-- change stays empty. The area's values of the same two periods stand beside it. The periods of one
-- indicator are all years or all ISO dates, so their text order is their time order.
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
order by s.indicator_id, s.nis_code, s.term_start
