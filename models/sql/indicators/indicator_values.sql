-- Indicator values per municipality and period, from the harmonised measures named in the metadata.
select s.indicator_id, h.nis_code, h.period, h.year,
       null::double as numerator, null::double as denominator, h.value, h.flags, [h.source_id] as source_ids
from indicator_spec s
join harmonised_observations h on h.measure = s.value_measure
union all by name
select s.indicator_id, n.nis_code, n.period, n.year,
       n.value as numerator, d.value as denominator,
       case when d.value > 0 then n.value / d.value * s.scale end as value,
       list_distinct(n.flags || coalesce(d.flags, [])) as flags,
       case when d.source_id is null or d.source_id = n.source_id then [n.source_id]
            else [n.source_id, d.source_id] end as source_ids
from indicator_spec s
join harmonised_observations n on n.measure = s.numerator_measure
left join harmonised_observations d
       on d.measure = s.denominator_measure and d.nis_code = n.nis_code
      and (d.year = n.year or (n.year is null and d.period = n.period))
