-- The units the barometer compares a municipality with: the area itself; the arrondissements of its
-- municipalities of today (on today's boundaries: Kortessem lies in arrondissement Hasselt since 2025), when
-- the area is larger than one; and the region the area lies in, when it is smaller. Names come from the
-- catalogue's area names where it has one (Vlaanderen for the Vlaams Gewest).
with area as (
    select s.area_nis, r.level from area_spec s join raw_municipality_register r on r.nis_code = s.area_nis
),
today as (
    select m.nis_code, a.unit_nis, u.level
    from municipalities m
    join units_above() a on a.nis_code = m.nis_code
    join raw_municipality_register u on u.nis_code = a.unit_nis
    where m.is_current
),
units as (
    select 'area' as level, area_nis as unit_nis from area
    union
    select distinct 'arrondissement', t.unit_nis from today t, area
    where t.level = 'arrondissement' and area.level in ('province', 'region', 'country')
    union
    select distinct 'region', t.unit_nis from today t, area
    where t.level = 'region' and area.level in ('province', 'arrondissement')
)
select u.level, u.unit_nis, coalesce(n.name, r.name_nl) as unit_name
from units u
join raw_municipality_register r on r.nis_code = u.unit_nis
left join unit_names n on n.nis_code = u.unit_nis
order by case u.level when 'area' then 0 when 'region' then 1 else 2 end, u.unit_nis
