-- The publisher's own rows for arrondissements, provinces, regions and the kingdom, as indicator values, each
-- marked whether the unit then held the municipalities (of their time) that it holds today: the
-- arrondissement Hasselt of 2019 lacks Kortessem, so its row is not the value of today's arrondissement.
with units as (
    select distinct nis_code as unit_nis, code_date from observations where level <> 'municipality'
),
then_codes as (
    select u.unit_nis, u.code_date, list_sort(list(c.nis_code)) as codes
    from units u
    join units_above() a on a.unit_nis = u.unit_nis
    join municipality_codes c on c.nis_code = a.nis_code and u.code_date between c.valid_from and c.valid_to
    group by all
),
today_codes as (
    -- the codes of that day whose municipality of today lies in the unit today
    select u.unit_nis, u.code_date, list_sort(list(c.nis_code)) as codes
    from units u
    join units_above() a on a.unit_nis = u.unit_nis
    join municipality_codes t on t.nis_code = a.nis_code
    join municipality_codes c on c.current_nis_code = t.nis_code and u.code_date between c.valid_from and c.valid_to
    where (select current_date from area_spec) between t.valid_from and t.valid_to
    group by all
),
comparable as (
    select unit_nis, code_date, coalesce(t.codes = n.codes, false) as same_as_today
    from then_codes t full join today_codes n using (unit_nis, code_date)
),
rows as (
    select o.*, c.same_as_today
    from observations o join comparable c on c.unit_nis = o.nis_code and c.code_date = o.code_date
    where o.level <> 'municipality'
)
select s.indicator_id, r.nis_code as unit_nis, r.level, r.period, r.year, r.same_as_today,
       null::double as numerator, null::double as denominator, r.value, r.flags
from indicator_spec s
join rows r on r.measure = s.value_measure
union all by name
-- a ratio's parts: the numerator's row, with the denominator's where the publisher gives one too (otherwise the
-- reference values add the denominator up from the municipalities)
select s.indicator_id, n.nis_code as unit_nis, n.level, n.period, n.year,
       n.same_as_today and coalesce(d.same_as_today, true) as same_as_today,
       n.value as numerator, d.value as denominator,
       case when d.value > 0 then n.value / d.value * s.scale end as value,
       list_distinct(n.flags || coalesce(d.flags, [])) as flags
from indicator_spec s
join rows n on n.measure = s.numerator_measure
left join rows d on d.measure = s.denominator_measure and d.nis_code = n.nis_code
               and (d.year = n.year or (n.year is null and d.period = n.period))
