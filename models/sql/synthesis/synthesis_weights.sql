-- The weightings: 'standard' (the weights of the spec), 'families' (every family of indicators weighs the
-- same, split equally inside it) and 'without_<indicator>' (the standard weights, one indicator left out).
with parts as (
    select indicator_id, weight, count(*) over (partition by family) as family_size
    from synthesis_indicators where takes_part
)
select 'standard' as scenario, null::varchar as left_out, indicator_id, weight from parts
union all
select 'families', null, indicator_id, 1.0 / family_size from parts
union all
select 'without_' || l.indicator_id, l.indicator_id, p.indicator_id, p.weight
from parts l join parts p on p.indicator_id <> l.indicator_id
order by scenario, indicator_id
