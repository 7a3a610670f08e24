-- Coverage of each indicator in its latest period: "37 van 38 gemeenten".
with per_period as (
    select indicator_id, period, year, count(value) as n_values, count(*) as n_municipalities
    from barometer group by all
)
select indicator_id,
       arg_max(period, [coalesce(year, -1), n_values]) as latest_period,
       arg_max(year, [coalesce(year, -1), n_values]) as latest_year,
       arg_max(n_values, [coalesce(year, -1), n_values]) as n_values,
       any_value(n_municipalities) as n_municipalities,
       count(*) filter (where n_values > 0) as n_periods
from per_period
group by indicator_id
