-- Staging: every observation source in one long table, with periods read and source flags attached.
create or replace table observations as
select
    r.source_id,
    r.measure,
    r.nis_code,
    period_label(r.period)  as period,
    period_year(r.period)   as year,
    period_date(r.period)   as period_date,
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
join measure_spec ms using (measure)
left join municipalities m using (nis_code);
