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

-- The municipality codes of every year whose municipality of today lies in a REFNIS unit (a province,
-- a region or the kingdom), each with that municipality of today: the end of its chain of successors,
-- followed to the unit through the parents of the register. Zwijndrecht (11056, province Antwerpen)
-- belongs to Oost-Vlaanderen, because it merged into Beveren-Kruibeke-Zwijndrecht (46030) in 2025.
create or replace macro area_municipalities(area_nis) as table
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
),
above(nis_code, unit_nis) as (
    select nis_code, nis_code from raw_municipality_register
    union all
    select a.nis_code, r.parent_nis
    from above a
    join raw_municipality_register r on r.nis_code = a.unit_nis
    where r.parent_nis is not null
)
select v.nis_code, v.current_nis_code
from resolved v
where v.current_nis_code in (select nis_code from above where unit_nis = area_nis);
