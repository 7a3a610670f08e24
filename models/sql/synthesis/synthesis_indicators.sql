-- The armoedesynthese: a composite of the poverty indicators named in synthesis_spec (models/synthesis.yaml).
-- Per indicator the latest period; each value standardised across the municipalities with a value
-- (z-score with the population standard deviation), its sign turned by the polarity so that a higher score
-- always means more disadvantage; the score is the weighted mean of the standard scores a municipality has.
-- Nothing is imputed: a municipality without enough values gets no score. The rank range under alternative
-- weightings (each indicator left out in turn, every family weighing the same) shows how firm a rank is.

-- The candidates, whether they take part, and the mean and spread their standard scores use.
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
order by c.position
