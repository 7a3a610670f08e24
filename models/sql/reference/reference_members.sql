-- The municipalities of today of every reference unit.
select u.level, u.unit_nis, c.nis_code
from reference_units u
join units_above() a on a.unit_nis = u.unit_nis
join municipality_codes c on c.nis_code = a.nis_code
where c.valid_from <= (select current_date from area_spec) and (select current_date from area_spec) <= c.valid_to
