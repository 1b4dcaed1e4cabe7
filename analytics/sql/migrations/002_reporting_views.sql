-- Views that put every amount into the reporting currency.
-- fx.rate_to_base is quoted against the base currency (setting `base_currency`).
-- The reporting currency may differ from the base: then rate = rate(c) / rate(reporting).
-- A line whose month has no rate gets amount_rc NULL and is_fx_missing = true: never 1.

create view fx_rc as
with
settings_now as (
    select
        coalesce(max(case when name = 'base_currency' then value end), 'USD') as base_currency,
        coalesce(max(case when name = 'reporting_currency' then value end),
                 max(case when name = 'base_currency' then value end), 'USD') as reporting_currency
    from settings
),
rates as (
    select period, currency, rate_to_base from fx
),
reporting_rate as (
    select r.period, r.rate_to_base
    from rates r, settings_now s
    where r.currency = s.reporting_currency
),
final as (
    select r.period, r.currency,
        case
            when s.reporting_currency = s.base_currency then cast(r.rate_to_base as decimal(18, 10))
            else cast(cast(r.rate_to_base as double) / cast(rr.rate_to_base as double) as decimal(18, 10))
        end as rate
    from rates r
    cross join settings_now s
    left join reporting_rate rr on rr.period = r.period
)
select * from final where rate is not null;

-- one row per spend line, with its amount in the reporting currency
-- (amount widened to decimal(38, 4) first: decimal(18, 4) x decimal(18, 10) overflows above ~92k)
create view spend_rc as
with
settings_now as (
    select
        coalesce(max(case when name = 'base_currency' then value end), 'USD') as base_currency,
        coalesce(max(case when name = 'reporting_currency' then value end),
                 max(case when name = 'base_currency' then value end), 'USD') as reporting_currency
    from settings
),
final as (
    select
        sp.*,
        cast(date_trunc('month', sp.date) as date) as period,
        case when sp.currency = s.reporting_currency then cast(1 as decimal(18, 10)) else f.rate end as fx_rate,
        cast(sp.amount as decimal(38, 4)) * (case when sp.currency = s.reporting_currency then cast(1 as decimal(18, 10)) else f.rate end) as amount_rc,
        (sp.currency <> s.reporting_currency and f.rate is null) as is_fx_missing
    from spend sp
    cross join settings_now s
    left join fx_rc f
        on f.period = date_trunc('month', sp.date) and f.currency = sp.currency
)
select * from final;

-- one row per budget line, with its amount in the reporting currency
create view budget_rc as
with
settings_now as (
    select
        coalesce(max(case when name = 'base_currency' then value end), 'USD') as base_currency,
        coalesce(max(case when name = 'reporting_currency' then value end),
                 max(case when name = 'base_currency' then value end), 'USD') as reporting_currency
    from settings
),
final as (
    select
        b.*,
        case when b.currency = s.reporting_currency then cast(1 as decimal(18, 10)) else f.rate end as fx_rate,
        cast(b.amount as decimal(38, 4)) * (case when b.currency = s.reporting_currency then cast(1 as decimal(18, 10)) else f.rate end) as amount_rc,
        (b.currency <> s.reporting_currency and f.rate is null) as is_fx_missing
    from budget b
    cross join settings_now s
    left join fx_rc f on f.period = b.period and f.currency = b.currency
)
select * from final;
