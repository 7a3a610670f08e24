-- Each municipality's values of the taking-part indicators with their standard scores.
select b.nis_code, b.indicator_id, b.period, b.value,
       (b.value - i.mean) / i.sd * -i.polarity as score
from barometer b
join synthesis_indicators i on i.indicator_id = b.indicator_id and i.period = b.period
where i.takes_part and b.value is not null
order by b.nis_code, i.position
