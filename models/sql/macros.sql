-- How a source's period text becomes a period label, a year and a reference date.
-- Shared by staging and validation, so that both read a period the same way.
create or replace macro period_year(p) as
    try_cast(regexp_extract(p, '^(\d{4})\b', 1) as integer);

create or replace macro period_date(p) as
    case when regexp_full_match(p, '\d{4}-\d{2}-\d{2}') then try_cast(p as date)
         when regexp_full_match(p, '\d{4}') then make_date(p::integer, 1, 1) end;

create or replace macro period_label(p) as
    case when regexp_full_match(p, '\d{4}(-\d{2}-\d{2})?') then p
         when regexp_full_match(p, 'latest_available_\d{4}-\d{2}')
              then 'laatst beschikbaar (' || regexp_extract(p, '(\d{4}-\d{2})', 1) || ')'
         when period_year(p) is not null then period_year(p)::varchar
         else 'onbekend' end;

create or replace macro period_is_exact(p) as regexp_full_match(p, '\d{4}(-\d{2}-\d{2})?');

-- Every municipality code of the register with its municipality of today: the end of its chain of successors.
create or replace macro current_codes() as table
with recursive chain(nis_code, current_nis_code, depth) as (
    select nis_code, nis_code, 0 from raw_municipality_register where level = 'municipality'
    union all
    select c.nis_code, r.successor_nis_code, c.depth + 1
    from chain c
    join raw_municipality_register r on r.nis_code = c.current_nis_code
    where r.successor_nis_code is not null and c.depth < 10
)
select nis_code, arg_max(current_nis_code, depth) as current_nis_code from chain group by nis_code;

-- Every unit of the register with each unit it lies in (itself included), through the parents of the register:
-- a municipality lies in its arrondissement, province, region and the kingdom.
create or replace macro units_above() as table
with recursive above(nis_code, unit_nis) as (
    select nis_code, nis_code from raw_municipality_register
    union all
    select a.nis_code, r.parent_nis
    from above a
    join raw_municipality_register r on r.nis_code = a.unit_nis
    where r.parent_nis is not null
)
select * from above;

-- The municipality codes of every year whose municipality of today lies in a REFNIS unit (a province,
-- a region or the kingdom), each with that municipality of today. Zwijndrecht (11056, province Antwerpen)
-- belongs to Oost-Vlaanderen, because it merged into Beveren-Kruibeke-Zwijndrecht (46030) in 2025.
create or replace macro area_municipalities(area_nis) as table
select v.nis_code, v.current_nis_code
from current_codes() v
where v.current_nis_code in (select nis_code from units_above() where unit_nis = area_nis);
