-- Council terms (bestuursperiodes) of the municipal councils: the dates a council is judged from.
select * from (values (date '2019-01-01', date '2024-12-31'),
                      (date '2025-01-01', date '2030-12-31')) t(term_start, term_end)
