-- The register with, for every code, the code it belongs to today (following successor chains).
create or replace table municipalities as
with recursive chain(nis_code, current_nis_code, depth) as (
    select nis_code, nis_code, 0 from raw_municipality_register where level = 'municipality'
    union all
    select c.nis_code, r.successor_nis_code, c.depth + 1
    from chain c
    join raw_municipality_register r on r.nis_code = c.current_nis_code
    where r.successor_nis_code is not null and c.depth < 10
),
resolved as (
    select nis_code, arg_max(current_nis_code, depth) as current_nis_code from chain group by nis_code
)
select r.nis_code, r.name_nl, r.name_fr, r.parent_nis as arrondissement_nis,
       a.name_nl as arrondissement, r.valid_from, r.valid_to, r.successor_nis_code,
       v.current_nis_code,
       r.valid_from <= (select current_date from area_spec) and (select current_date from area_spec) <= r.valid_to
           as is_current
from raw_municipality_register r
join resolved v using (nis_code)
left join raw_municipality_register a on a.nis_code = r.parent_nis
where r.level = 'municipality'
order by r.nis_code;
