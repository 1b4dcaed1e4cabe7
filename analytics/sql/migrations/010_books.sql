-- One set of books: the SQL every budget-vs-actual figure shares, written once (used by analytics.budget,
-- analytics.overview and analytics.forecast.yearend through bound parameters, never spliced as text).

-- the currencies in force, from the settings (one definition for every view below)
create or replace macro reporting_currency() as (
    select coalesce(max(case when name = 'reporting_currency' then value end),
                    max(case when name = 'base_currency' then value end), 'USD')
    from settings
);

create or replace macro base_currency() as (
    select coalesce(max(case when name = 'base_currency' then value end), 'USD') from settings
);

-- one row per currency x month: the rate into the reporting currency
-- (fx.rate_to_base is quoted against the base currency; reporting <> base: rate(c) / rate(reporting))
create or replace view fx_rc as
with
rates as (
    select period, currency, rate_to_base from fx
),
reporting_rate as (
    select period, rate_to_base from rates where currency = reporting_currency()
),
final as (
    select r.period, r.currency,
        case
            when reporting_currency() = base_currency() then cast(r.rate_to_base as decimal(18, 10))
            else cast(cast(r.rate_to_base as double) / cast(rr.rate_to_base as double) as decimal(18, 10))
        end as rate
    from rates r
    left join reporting_rate rr on rr.period = r.period
)
select * from final where rate is not null;

-- one row per spend line, with its amount in the reporting currency
-- (amount widened to decimal(38, 4) first: decimal(18, 4) x decimal(18, 10) overflows above ~92k)
create or replace view spend_rc as
with
lines as (
    select sp.*, cast(date_trunc('month', sp.date) as date) as period,
        case when sp.currency = reporting_currency() then cast(1 as decimal(18, 10)) else f.rate end as fx_rate
    from spend sp
    left join fx_rc f on f.period = date_trunc('month', sp.date) and f.currency = sp.currency
),
final as (
    select *, cast(amount as decimal(38, 4)) * fx_rate as amount_rc, fx_rate is null as is_fx_missing
    from lines
)
select * from final;

-- one row per budget line, with its amount in the reporting currency
create or replace view budget_rc as
with
lines as (
    select b.*,
        case when b.currency = reporting_currency() then cast(1 as decimal(18, 10)) else f.rate end as fx_rate
    from budget b
    left join fx_rc f on f.period = b.period and f.currency = b.currency
),
final as (
    select *, cast(amount as decimal(38, 4)) * fx_rate as amount_rc, fx_rate is null as is_fx_missing
    from lines
)
select * from final;

-- grain: one row per budget line in force for `version`: the version's own lines and, for a version
-- other than 'original', the original's lines for every month x line it does not revise (a reforecast
-- may revise only some lines). Keys a report can group by: cost_center, category, project, period,
-- total ('Total'); vendor and capex_opex are empty (budgets are not set per vendor or capex/opex).
create or replace macro budget_in_force(version_) as table
with
own as (
    select * from budget_rc where version = version_
),
inherited as (
    select o.* from budget_rc o
    where version_ <> 'original' and o.version = 'original'
        and not exists (
            select 1 from budget r
            where r.version = version_ and r.period = o.period and r.cost_center = o.cost_center
                and r.category = o.category and r.project is not distinct from o.project
        )
),
final as (
    select *, 'Total' as total, cast(null as varchar) as vendor, cast(null as varchar) as capex_opex_kind
    from (select * from own union all select * from inherited)
)
select * from final;

-- grain: one row per spend line with the keys a report can group by (capex_opex_kind: opex when empty)
create or replace view spend_keyed as
select date, amount, currency, cost_center, category, project, vendor, contract_id,
    coalesce(capex_opex, 'opex') as capex_opex_kind, cast(date_trunc('month', date) as date) as period,
    'Total' as total
from spend;

-- grain: one row per key1 x key2 x key3 x key4 x month x currency of the spend dated first_day..last_day matching the
-- filters (a NULL filter matches everything); summed first, then converted: sum(amount) x rate equals
-- sum(amount x rate) exactly in DECIMAL, and a million lines need no per-line fx join. rate is NULL for a
-- currency without a rate that month (never 1). k1..k4 name spend_keyed columns ('total' for none).
create or replace macro spend_month_rc(k1, k2, k3, k4, first_day, last_day, ytd_last,
                                       f_cost_center, f_category, f_vendor, f_project) as table
with
by_month as (
    select columns(k1) as key1, columns(k2) as key2, columns(k3) as key3, columns(k4) as key4, period, currency,
        sum(cast(amount as decimal(38, 4))) filter (where date <= ytd_last) as amount_ytd,
        sum(cast(amount as decimal(38, 4))) as amount_to_date,
        count(*) as lines
    from spend_keyed
    where date between first_day and last_day
        and (f_cost_center is null or cost_center = f_cost_center)
        and (f_category is null or category = f_category)
        and (f_vendor is null or vendor = f_vendor)
        and (f_project is null or project = f_project)
    group by all
),
final as (
    select s.*, case when s.currency = reporting_currency() then cast(1 as decimal(18, 10)) else f.rate end as rate
    from by_month s
    left join fx_rc f on f.period = s.period and f.currency = s.currency
)
select * from final;

-- grain: one row per key1 x key2 x key3 x key4 plus the total row (is_total): actual and budget year to date, full-year
-- budget, actual to date, lines without an fx rate. Budget is left out (zero) when with_budget is false
-- (a vendor filter, or keys budgets do not have).
create or replace macro budget_vs_actual_rc(k1, k2, k3, k4, version_, first_day, last_day, as_of, ytd_last,
                                            f_cost_center, f_category, f_vendor, f_project, with_budget) as table
with
actual as (
    select key1, key2, key3, key4,
        sum(amount_ytd * rate) as actual_ytd,
        sum(amount_to_date * rate) as actual_to_date,
        sum(lines) filter (where rate is null) as fx_missing_lines
    from spend_month_rc(k1, k2, k3, k4, first_day, as_of, ytd_last, f_cost_center, f_category, f_vendor, f_project)
    group by all
),
plan as (
    select columns(k1) as key1, columns(k2) as key2, columns(k3) as key3, columns(k4) as key4,
        sum(amount_rc) filter (where period <= ytd_last) as budget_ytd,
        sum(amount_rc) as budget_year,
        count(*) filter (where is_fx_missing) as budget_fx_missing_lines
    from budget_in_force(version_)
    where with_budget and period between first_day and last_day
        and (f_cost_center is null or cost_center = f_cost_center)
        and (f_category is null or category = f_category)
        and (f_project is null or project = f_project)
    group by all
),
joined as (
    select coalesce(a.key1, p.key1) as key1, coalesce(a.key2, p.key2) as key2, coalesce(a.key3, p.key3) as key3,
        coalesce(a.key4, p.key4) as key4,
        a.actual_ytd, a.actual_to_date, a.fx_missing_lines, p.budget_ytd, p.budget_year, p.budget_fx_missing_lines
    from actual a
    full outer join plan p on a.key1 is not distinct from p.key1 and a.key2 is not distinct from p.key2
        and a.key3 is not distinct from p.key3 and a.key4 is not distinct from p.key4
),
final as (
    select key1, key2, key3, key4, grouping(key1) = 1 as is_total,
        coalesce(sum(actual_ytd), 0) as actual_ytd,
        coalesce(sum(actual_to_date), 0) as actual_to_date,
        coalesce(sum(budget_ytd), 0) as budget_ytd,
        coalesce(sum(budget_year), 0) as budget_year,
        cast(coalesce(sum(fx_missing_lines), 0) as bigint) as fx_missing_lines,
        cast(coalesce(sum(budget_fx_missing_lines), 0) as bigint) as budget_fx_missing_lines
    from joined
    group by grouping sets ((key1, key2, key3, key4), ())
)
select * from final;
