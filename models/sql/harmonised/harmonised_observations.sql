-- Harmonisation to today's municipalities.
-- Rows on an old code are combined into the code it merged into: additive measures are summed,
-- rates and means are weighted by the population of each part in the same year (flagged as
-- estimated), and a median or an index (a unit that is not mergeable) is not combined at all. A combined
-- value is published only when every part that existed on the period's reference date has a value; a
-- value the publisher gives for the new code itself always wins.
-- Where several sources give one measure for the same municipality and period (a publisher's file beside a
-- republished copy on other codes, two editions of a series), one row is kept: the publisher's file before
-- the copy it replaces, a value given for the code itself before a combined one.
with mapped as (
    select o.*, m.current_nis_code from observations o join municipality_codes m using (nis_code)
    where o.level = 'municipality'
),
direct as (
    select * exclude (current_nis_code), [nis_code] as harmonised_from from mapped where nis_code = current_nis_code
),
parts as (
    select * from mapped where nis_code <> current_nis_code
),
expected as (
    select p.source_id, p.measure, p.period, p.current_nis_code, count(distinct m.nis_code) as n_expected
    from (select distinct source_id, measure, period, period_date, current_nis_code from parts) p
    join municipality_codes m on m.current_nis_code = p.current_nis_code
                             and p.period_date between m.valid_from and m.valid_to
    group by all
),
population as (
    select nis_code, year, value as population from observations where measure = 'population'
),
combined as (
    select p.source_id, p.measure, p.current_nis_code as nis_code, any_value(p.level) as level, p.period,
           any_value(p.year) as year, any_value(p.period_date) as period_date,
           any_value(p.code_date) as code_date,
           case when ms.additive then sum(p.value)
                when ms.mergeable then sum(p.value * w.population) / sum(w.population) end as value,
           count(*) filter (where p.value is not null and (ms.additive or w.population is not null)) as n_parts,
           list_distinct(flatten(list(p.flags)) || case when ms.additive then [] else ['estimated'] end) as flags,
           list(p.nis_code order by p.nis_code) as harmonised_from,
           string_agg(p.source_period, '; ') as source_period,
           string_agg(p.source_note, '; ') as source_note,
           any_value(p.source_file) as source_file,
           null::bigint as source_row
    from parts p
    join measure_spec ms on ms.measure = p.measure and ms.source_id = p.source_id
    left join population w on w.nis_code = p.nis_code and w.year = p.year
    group by p.source_id, p.measure, p.current_nis_code, p.period, ms.additive, ms.mergeable
),
candidates as (
    select *, 0 as combined from direct
    union all by name
    select c.* exclude (n_parts, value, flags),
           case when c.n_parts = e.n_expected then c.value end as value,
           -- a median or index of merged municipalities has no value at all: no 'estimated' beside nothing
           case when ms.mergeable or ms.additive then c.flags else list_filter(c.flags, lambda f: f <> 'estimated') end
               as flags,
           1 as combined
    from combined c
    join measure_spec ms on ms.measure = c.measure and ms.source_id = c.source_id
    left join expected e on e.source_id = c.source_id and e.measure = c.measure and e.period = c.period
                        and e.current_nis_code = c.nis_code
),
-- only the few keys with more than one candidate need the choice; ranking all rows was most of the model's time
shared as (
    select measure, nis_code, period from candidates group by all having count(*) > 1
)
select c.* exclude (combined)
from candidates c
anti join shared x using (measure, nis_code, period)
union all by name
select c.* exclude (combined)
from candidates c
semi join shared x using (measure, nis_code, period)
join source_spec s using (source_id)
qualify row_number() over (partition by c.measure, c.nis_code, c.period
                           order by (s.replaces is null), c.combined, c.value is null, c.source_id) = 1
