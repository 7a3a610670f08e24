-- The municipalities of the area: every code of the register whose municipality of today lies in the
-- area, with that code of today (see the macro area_municipalities).
select r.nis_code, r.name_nl, r.name_fr, r.parent_nis as arrondissement_nis,
       a.name_nl as arrondissement, r.valid_from, r.valid_to, r.successor_nis_code,
       v.current_nis_code,
       r.valid_from <= (select current_date from area_spec) and (select current_date from area_spec) <= r.valid_to
           as is_current
from raw_municipality_register r
join area_municipalities((select area_nis from area_spec)) v using (nis_code)
left join raw_municipality_register a on a.nis_code = r.parent_nis
where r.level = 'municipality'
order by r.nis_code
