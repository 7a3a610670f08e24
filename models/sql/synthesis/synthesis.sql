-- One row per current municipality, like a barometer row: the score, its rank (1 = most disadvantage)
-- and the lowest and highest rank over all weightings.
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
order by m.nis_code
