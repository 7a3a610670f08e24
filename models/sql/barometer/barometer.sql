with current_municipalities as (
    select m.nis_code, m.name_nl, a.unit_nis as arrondissement_nis, a.unit_name as arrondissement
    from municipalities m
    left join (select r.nis_code, r.unit_nis, u.unit_name from reference_members r
               join reference_units u using (level, unit_nis) where r.level = 'arrondissement') a using (nis_code)
    where m.is_current
),
periods as (
    -- an indicator without any data still gets one row per municipality, as missing; so does every year
    -- inside a yearly series that no source gives (2014-2016 of the income series), never interpolated
    select s.indicator_id, p.period, p.year
    from indicator_spec s
    left join (
        select distinct indicator_id, period, year from indicator_values
        union
        select indicator_id, year::varchar, year
        from (select indicator_id, unnest(range(min(year), max(year) + 1))::integer as year
              from indicator_values group by indicator_id
              having bool_and(regexp_full_match(period, '\d{4}')))
    ) p using (indicator_id)
),
cells as (
    select p.indicator_id, p.period, p.year, m.nis_code, m.name_nl as municipality, m.arrondissement_nis,
           m.arrondissement, v.numerator, v.denominator, v.value, coalesce(v.flags, []) as flags, v.source_ids
    from periods p
    cross join current_municipalities m
    left join indicator_values v on v.indicator_id = p.indicator_id and v.period = p.period and v.nis_code = m.nis_code
),
-- the sources a row's figures come from, each title once in the order of source_ids (two files of one
-- publisher's series may share a title); a row that no source gives names none
cited as (
    select source_ids, string_agg(title, '; ' order by first) as source
    from (select u.source_ids, t.title, min(x.i) as first
          from (select distinct source_ids from indicator_values) u,
               unnest(u.source_ids) with ordinality as x(source_id, i)
          join source_spec t using (source_id)
          group by all)
    group by source_ids
),
ranked as (
    select c.*,
           -- one window for both: missing values sort last, so they change no rank of a value
           case when c.value is not null then rank() over w end as rank,
           count(c.value) over (w rows between unbounded preceding and unbounded following) as rank_count
    from cells c
    window w as (partition by c.indicator_id, c.period order by c.value desc nulls last)
),
series as (
    select r.*,
           lag(r.period) over w as previous_period,
           lag(r.value) over w as previous_value
    from ranked r
    window w as (partition by r.indicator_id, r.nis_code, r.year is null order by r.year)
)
select s.nis_code, s.municipality, s.indicator_id, s.period, s.year,
       s.value, s.numerator, s.denominator,
       a.value as area_value, coalesce(a.flags, []) as area_flags,
       s.arrondissement_nis, s.arrondissement,
       r.value as arrondissement_value, coalesce(r.flags, []) as arrondissement_flags,
       g.value as region_value, coalesce(g.flags, []) as region_flags,
       s.rank, s.rank_count,
       case when s.year is not null and s.value is not null and s.previous_value is not null
            then s.previous_period end as previous_period,
       case when s.year is not null then s.value - s.previous_value end as change,
       -- a value that is missing for no stated reason is flagged missing
       case when s.value is null and not list_has_any(s.flags, ['confidential', 'not_applicable'])
            then list_append(s.flags, 'missing') else s.flags end as flags,
       c.source
from series s
left join cited c using (source_ids)
left join area_values a using (indicator_id, period)
left join reference_values r on r.level = 'arrondissement' and r.unit_nis = s.arrondissement_nis
                            and r.indicator_id = s.indicator_id and r.period = s.period
left join reference_values g on g.level = 'region' and g.indicator_id = s.indicator_id and g.period = s.period
