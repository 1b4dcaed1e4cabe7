-- Budget versions edited in the app, and the log of every changed budget line.
-- An edited version is written to `budget` as its own import batch (so budget_rc, exports
-- and undo see it like any other version); the original is never overwritten.

create sequence budget_change_id_seq start 1;

-- one row per budget version created in the app
create table budget_versions (
    version varchar primary key,
    base_version varchar not null,
    batch_id integer not null,
    note varchar,
    created_at timestamp not null,
    created_by varchar
);

-- one row per budget line whose amount differs from the base version (old null: a new line)
create table budget_changes (
    change_id bigint primary key default nextval('budget_change_id_seq'),
    version varchar not null,
    base_version varchar not null,
    period date not null,
    cost_center varchar not null,
    category varchar not null,
    project varchar,
    currency varchar(3) not null,
    old_amount decimal(18, 4),
    new_amount decimal(18, 4) not null,
    changed_at timestamp not null,
    changed_by varchar
);

-- spend_rc and budget_rc as in 002, with the amount widened before the fx multiplication:
-- DECIMAL(18,4) x DECIMAL(18,10) stays DECIMAL(18,14) in DuckDB and overflows for any amount
-- of 92,233.72 or more ("Overflow in multiplication of DECIMAL(18)"); DECIMAL(38,4) x
-- DECIMAL(18,10) gives DECIMAL(38,14), exact to the cent for any amount the tables hold.
-- one row per spend line, with its amount in the reporting currency
create or replace view spend_rc as
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
create or replace view budget_rc as
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
