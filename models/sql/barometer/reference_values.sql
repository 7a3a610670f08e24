-- Values of the reference units (the area, its arrondissements, its region; see reference_units) per
-- indicator and period. The publisher's own row for the unit is preferred, and it is the only acceptable
-- source for an indicator that does not add up (a median, an index: aggregate 'none'); it is used only when
-- the unit then held what it holds today. Otherwise the value is formed from the unit's municipalities:
-- - 'sum' (counts): the total of all of them; with one missing or confidential it is withheld ('incomplete'),
--   never a silent undercount;
-- - 'ratio': its numerator and denominator, each the publisher's row or the total of all municipalities; when
--   a part is incomplete, the ratio of the municipalities with both parts, if they are at least the area's
--   minimum coverage, flagged 'estimated'.
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
join reference_units u using (level, unit_nis)
