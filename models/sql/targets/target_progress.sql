-- Progress towards every target, from the published values (rounded to the indicator's decimals, so that the
-- status agrees with the figures a reader sees). The rule, also on the method page:
--   goal       the target value, or the baseline plus the minimum change in the target's direction;
--   needed     (goal - baseline) / (deadline - baseline year), per year;
--   observed   (latest - baseline) / (latest year - baseline year), per year, from the latest value after the
--              baseline year;
--   status     'onvoldoende gegevens' without a value after the baseline year;
--              'binnen de ruis' when the change from the baseline is smaller than its noise: 1.96 times the
--              standard error of the difference of two counts (Poisson, variance value² / count; a count of
--              zero counts as one), only where the indicator's numerator (or its value) counts people;
--              'bereikt' when the latest value is at or beyond the goal;
--              'op koers' when it is at or beyond the straight line from the baseline to the goal in its year;
--              'niet op koers' otherwise.
with goals as (
    select t.*, m.decimals, case t.direction when 'lager' then -1 else 1 end as sign
    from targets t
    join indicator_metadata m using (indicator_id)
),
counted as (
    -- the count the noise is judged on: the numerator where it counts people, or the value where it does
    select s.indicator_id,
           coalesce(n.unit in (select unit from count_units), false) as numerator_is_count,
           coalesce(v.unit in (select unit from count_units), false) as value_is_count
    from indicator_spec s
    left join (select measure, any_value(unit) as unit from measure_spec group by measure) n
           on n.measure = s.numerator_measure
    left join (select measure, any_value(unit) as unit from measure_spec group by measure) v
           on v.measure = s.value_measure
),
valued as (
    select b.nis_code, b.indicator_id, b.period, b.year, round(b.value, g.decimals::integer) as value, b.flags,
           case when c.numerator_is_count then b.numerator when c.value_is_count then b.value end as count
    from barometer b
    join goals g using (nis_code, indicator_id)
    join counted c using (indicator_id)
    where b.value is not null and b.year is not null
),
baselines as (
    select g.nis_code, g.indicator_id, arg_min(v.period, v.period) as baseline_period,
           arg_min(v.value, v.period) as baseline_value, arg_min(v.count, v.period) as baseline_count,
           arg_min(v.flags, v.period) as baseline_flags
    from goals g
    join valued v on v.nis_code = g.nis_code and v.indicator_id = g.indicator_id and v.year = g.baseline_year
    group by g.nis_code, g.indicator_id
),
latest as (
    select g.nis_code, g.indicator_id, arg_max(v.period, v.period) as latest_period,
           arg_max(v.year, v.period) as latest_year, arg_max(v.value, v.period) as latest_value,
           arg_max(v.count, v.period) as latest_count, arg_max(v.flags, v.period) as latest_flags
    from goals g
    join valued v on v.nis_code = g.nis_code and v.indicator_id = g.indicator_id and v.year > g.baseline_year
    group by g.nis_code, g.indicator_id
),
measured as (
    select g.*, b.baseline_period, b.baseline_value, b.baseline_count, l.latest_period, l.latest_year,
           l.latest_value, l.latest_count,
           coalesce(g.target_value, b.baseline_value + g.sign * g.minimum_change) as goal,
           list_distinct(coalesce(b.baseline_flags, []) || coalesce(l.latest_flags, [])) as flags
    from goals g
    left join baselines b using (nis_code, indicator_id)
    left join latest l using (nis_code, indicator_id)
),
paced as (
    select m.*,
           (m.goal - m.baseline_value) / (m.deadline_year - m.baseline_year) as needed_per_year,
           (m.latest_value - m.baseline_value) / (m.latest_year - m.baseline_year) as observed_per_year,
           m.baseline_value + (m.goal - m.baseline_value) / (m.deadline_year - m.baseline_year)
               * (m.latest_year - m.baseline_year) as on_course_value,
           case when m.baseline_count is not null and m.latest_count is not null
                then 1.96 * sqrt(m.baseline_value ^ 2 / greatest(m.baseline_count, 1)
                                 + m.latest_value ^ 2 / greatest(m.latest_count, 1)) end as noise_margin
    from measured m
)
select nis_code, indicator_id, term_start, term_end, direction, target_value, minimum_change, goal,
       baseline_year, deadline_year, baseline_period, baseline_value, latest_period, latest_year, latest_value,
       needed_per_year, observed_per_year, on_course_value, noise_margin,
       case when latest_value is null then 'onvoldoende gegevens'
            when noise_margin is not null and abs(latest_value - baseline_value) < noise_margin then 'binnen de ruis'
            when sign * (latest_value - goal) >= 0 then 'bereikt'
            when sign * (latest_value - on_course_value) >= 0 then 'op koers'
            else 'niet op koers' end as status,
       measure, against_polarity, flags, profile_file, example
from paced
order by nis_code, indicator_id
