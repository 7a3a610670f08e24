-- The area's own values, as the pages and downloads read them.
select indicator_id, period, year, n_values, n_municipalities, value, flags
from reference_values where level = 'area'
