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
