-- One conversion into the reporting currency, written once. Until now the rate pick ("1 for the reporting currency,
-- else the month's fx_rc rate, NULL when missing, never 1") and the widening multiply stood in spend_rc and budget_rc
-- (010_books.sql) and again in budget_in_force (018_budget_lean_reads.sql). Same rows, columns and values: macros are
-- expanded where they are called, so the plans are those of the text they replace. (spend_month_rc, 010, keeps its
-- own inline pick, the same expression as rc_rate: redefining it here would copy its twenty lines whole; the
-- cross-checks in tests/test_books.py hold it to budget_rc and spend_rc to the cent.)

-- the rate that converts an amount in `currency` into the reporting currency, given that month's fx_rc `rate`
-- (NULL when fx_rc has none: the amount is then reported missing, never converted at 1)
create or replace macro rc_rate(currency, rate) as
    case when currency = reporting_currency() then cast(1 as decimal(18, 10)) else rate end;

-- an amount times its rc_rate, widened first (decimal(18, 4) x decimal(18, 10) overflows above ~92k)
create or replace macro rc_amount(amount, rate) as cast(amount as decimal(38, 4)) * rate;

-- grain: one row per spend line, with its amount in the reporting currency
create or replace view spend_rc as
with
lines as (
    select sp.*, cast(date_trunc('month', sp.date) as date) as period, rc_rate(sp.currency, f.rate) as fx_rate
    from spend sp
    left join fx_rc f on f.period = date_trunc('month', sp.date) and f.currency = sp.currency
)
select *, rc_amount(amount, fx_rate) as amount_rc, fx_rate is null as is_fx_missing from lines;

-- grain: one budget line, with its amount in the reporting currency: every stored line of every version when
-- `version_` is NULL (budget_rc), else the lines in force for `version_` (budget_lines_in_force: its own lines
-- and the original's lines it does not revise). One conversion for both, planned once per query.
create or replace macro budget_lines_rc(version_) as table
with
picked as (
    select * from budget where version_ is null
    union all
    select * from budget_lines_in_force(version_) where version_ is not null
),
lines as (
    select l.*, rc_rate(l.currency, f.rate) as fx_rate
    from picked l
    left join fx_rc f on f.period = l.period and f.currency = l.currency
)
select *, rc_amount(amount, fx_rate) as amount_rc, fx_rate is null as is_fx_missing from lines;

-- grain: one row per budget line of every version, with its amount in the reporting currency
create or replace view budget_rc as
select * from budget_lines_rc(cast(null as varchar));

-- grain: one row per budget line in force for `version`, in the reporting currency. Keys a report can group by:
-- cost_center, category, project, period, total ('Total'); vendor and capex_opex are empty (budgets are not set per
-- vendor or capex/opex).
create or replace macro budget_in_force(version_) as table
select *, 'Total' as total, cast(null as varchar) as vendor, cast(null as varchar) as capex_opex_kind
from budget_lines_rc(version_);
