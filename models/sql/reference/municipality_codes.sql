-- Every municipality code of Belgium with its municipality of today, and whether it belongs to the area:
-- files of a wider scope are harmonised whole, so that the region's value can be formed from its municipalities.
select r.nis_code, r.name_nl, r.valid_from, r.valid_to, r.successor_nis_code, v.current_nis_code,
       v.nis_code in (select nis_code from area_municipalities((select area_nis from area_spec))) as in_area
from raw_municipality_register r
join current_codes() v using (nis_code)
where r.level = 'municipality'
