-- Staging: every observation source in one long table, with periods read and source flags attached, and the
-- level of the unit each row describes (a municipality, or a publisher's own row for an arrondissement,
-- a province, a region or the kingdom).
-- Where a publisher's own file replaces a republished copy (source_spec.replaces), the copy's row
-- gives way to the publisher's row for the same measure, municipality and period; a copy's row with
-- an uncertain period gives way as soon as the publisher's file has that measure at all.
with replaced as (
    select r.source_id, r.measure, r.nis_code, r.period, period_is_exact(r.period) as exact
    from raw_observations r
    join source_spec s using (source_id)
    where exists (
        select 1 from raw_observations p join source_spec ps on ps.source_id = p.source_id
        where ps.replaces = r.source_id and p.measure = r.measure
          and (not period_is_exact(r.period) or (p.nis_code = r.nis_code and p.period = r.period)))
)
select
    r.source_id,
    r.measure,
    r.nis_code,
    coalesce(u.level, 'municipality') as level,
    period_label(r.period)  as period,
    period_year(r.period)   as year,
    period_date(r.period)   as period_date,
    -- the day whose municipality set the row's code belongs to
    case when s.geography = 'as_of_period' then period_date(r.period)
         else make_date(s.geography::integer, 1, 1) end as code_date,
    r.value,
    list_distinct(list_filter([
        nullif(r.status, ''),
        case when not period_is_exact(r.period) then 'period_uncertain' end,
        -- a rate the publisher re-expressed on a code that did not exist yet in that period
        case when s.backcast and not ms.additive and m.valid_from > period_date(r.period) then 'estimated' end
    ], lambda f: f is not null)) as flags,
    r.period as source_period,
    r.note as source_note,
    r._source_file as source_file,
    r._source_row as source_row
from raw_observations r
join source_spec s using (source_id)
join measure_spec ms on ms.measure = r.measure and ms.source_id = r.source_id
left join municipality_codes m using (nis_code)
left join raw_municipality_register u on u.nis_code = r.nis_code
where not exists (
    select 1 from replaced x
    where x.source_id = r.source_id and x.measure = r.measure and x.nis_code = r.nis_code and x.period = r.period
)
