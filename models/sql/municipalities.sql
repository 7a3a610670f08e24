-- Every municipality code of Belgium with its municipality of today, and whether it belongs to the area:
-- files of a wider scope are harmonised whole, so that the region's value can be formed from its municipalities.
create or replace table municipality_codes as
select r.nis_code, r.name_nl, r.valid_from, r.valid_to, r.successor_nis_code, v.current_nis_code,
       v.nis_code in (select nis_code from area_municipalities((select area_nis from area_spec))) as in_area
from raw_municipality_register r
join current_codes() v using (nis_code)
where r.level = 'municipality';

-- The municipalities of the area: every code of the register whose municipality of today lies in the
-- area, with that code of today (see the macro area_municipalities).
create or replace table municipalities as
select r.nis_code, r.name_nl, r.name_fr, r.parent_nis as arrondissement_nis,
       a.name_nl as arrondissement, r.valid_from, r.valid_to, r.successor_nis_code,
       v.current_nis_code,
       r.valid_from <= (select current_date from area_spec) and (select current_date from area_spec) <= r.valid_to
           as is_current
from raw_municipality_register r
join area_municipalities((select area_nis from area_spec)) v using (nis_code)
left join raw_municipality_register a on a.nis_code = r.parent_nis
where r.level = 'municipality'
order by r.nis_code;

-- The units the barometer compares a municipality with: the area itself; the arrondissements of its
-- municipalities of today (on today's boundaries: Kortessem lies in arrondissement Hasselt since 2025), when
-- the area is larger than one; and the region the area lies in, when it is smaller. Names come from the
-- catalogue's area names where it has one (Vlaanderen for the Vlaams Gewest).
create or replace table reference_units as
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
order by case u.level when 'area' then 0 when 'region' then 1 else 2 end, u.unit_nis;

-- The municipalities of today of every reference unit.
create or replace table reference_members as
select u.level, u.unit_nis, c.nis_code
from reference_units u
join units_above() a on a.unit_nis = u.unit_nis
join municipality_codes c on c.nis_code = a.nis_code
where c.valid_from <= (select current_date from area_spec) and (select current_date from area_spec) <= c.valid_to;
