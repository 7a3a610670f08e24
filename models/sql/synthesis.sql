-- The armoedesynthese: a composite of the poverty indicators named in synthesis_spec (models/synthesis.yaml).
-- Per indicator the latest period; each value standardised across the municipalities with a value
-- (z-score with the population standard deviation), its sign turned by the polarity so that a higher score
-- always means more disadvantage; the score is the weighted mean of the standard scores a municipality has.
-- Nothing is imputed: a municipality without enough values gets no score. The rank range under alternative
-- weightings (each indicator left out in turn, every family weighing the same) shows how firm a rank is.

-- The candidates, whether they take part, and the mean and spread their standard scores use.
create or replace table synthesis_indicators as
with candidates as (
    select s.indicator_id, s.weight, i.polarity, m.family, m.position,
           c.latest_period as period, coalesce(c.n_values, 0) as n_values, c.n_municipalities
    from synthesis_spec s
    join indicator_spec i using (indicator_id)
    join indicator_metadata m using (indicator_id)
    left join indicator_coverage c using (indicator_id)
),
stats as (
    select b.indicator_id, avg(b.value) as mean, stddev_pop(b.value) as sd
    from barometer b
    join candidates c on c.indicator_id = b.indicator_id and c.period = b.period
    where b.value is not null
    group by b.indicator_id
)
select c.*, ceil(c.n_municipalities * p.min_indicator_coverage)::integer as min_values, st.mean, st.sd,
       -- a neutral indicator has no direction to add, and without spread there is nothing to standardise
       c.polarity <> 0 and c.n_values >= ceil(c.n_municipalities * p.min_indicator_coverage)
           and coalesce(st.sd, 0) > 0 as takes_part
from candidates c
left join stats st using (indicator_id)
cross join synthesis_parameters p
order by c.position;

-- The weightings: 'standard' (the weights of the spec), 'families' (every family of indicators weighs the
-- same, split equally inside it) and 'without_<indicator>' (the standard weights, one indicator left out).
create or replace table synthesis_weights as
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
order by scenario, indicator_id;

-- Each municipality's values of the taking-part indicators with their standard scores.
create or replace table synthesis_components as
select b.nis_code, b.indicator_id, b.period, b.value,
       (b.value - i.mean) / i.sd * -i.polarity as score
from barometer b
join synthesis_indicators i on i.indicator_id = b.indicator_id and i.period = b.period
where i.takes_part and b.value is not null
order by b.nis_code, i.position;

-- One row per current municipality, like a barometer row: the score, its rank (1 = most disadvantage)
-- and the lowest and highest rank over all weightings.
create or replace table synthesis as
with required as (
    select count(*) as n_participating,
           ceil(count(*) * (select min_municipality_share from synthesis_parameters))::integer as n_required
    from synthesis_indicators where takes_part
),
scenario_scores as (
    select w.scenario, c.nis_code, sum(c.score * w.weight) / sum(w.weight) as score, count(*) as n_values
    from synthesis_components c
    join synthesis_weights w using (indicator_id)
    group by w.scenario, c.nis_code
),
eligible as (
    -- eligibility is decided once, on the standard weighting, so every weighting ranks the same municipalities
    select s.nis_code
    from scenario_scores s cross join required r
    where s.scenario = 'standard' and s.n_values >= r.n_required
),
ranked as (
    select s.scenario, s.nis_code, s.score, rank() over (partition by s.scenario order by s.score desc) as rank
    from scenario_scores s semi join eligible e using (nis_code)
),
ranges as (
    select nis_code, min(rank) as rank_min, max(rank) as rank_max from ranked group by nis_code
)
select m.nis_code, m.name_nl as municipality, 'armoedesynthese' as indicator_id,
       st.score as value, st.rank, (select count(*) from eligible) as rank_count,
       g.rank_min, g.rank_max, coalesce(s.n_values, 0) as n_values,
       r.n_participating, r.n_required,
       (case when st.score is null then ['missing'] else [] end)::varchar[] as flags
from municipalities m
cross join required r
left join ranked st on st.nis_code = m.nis_code and st.scenario = 'standard'
left join ranges g on g.nis_code = m.nis_code
left join scenario_scores s on s.nis_code = m.nis_code and s.scenario = 'standard'
where m.is_current
order by m.nis_code;
