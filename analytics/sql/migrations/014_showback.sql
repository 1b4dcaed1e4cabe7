-- Showback (issue 15): allocation rules and drivers, and the spend the allocation engine starts from.
-- Keys and cross-row rules (shares adding to 100, cycles, zero-total drivers) are checked by the import
-- pipeline (analytics.showback.rules), not by constraints.

create table allocation_rules (
    batch_id integer not null,
    row_no bigint not null,
    step integer not null,             -- steps run in order (1, 2, ...)
    source_dimension varchar not null, -- cost_center | category | vendor | service
    source_value varchar not null,     -- a value, or '*': everything not yet allocated on that dimension
    target_kind varchar not null,      -- service | business_unit
    target varchar not null,           -- a name, or '*' with a driver: every target that has the driver
    share_pct double,                  -- fixed share (the shares of one source in one step add to 100)
    driver varchar                     -- or: split by the driver's quantities for the period
);

create table drivers (
    batch_id integer not null,
    row_no bigint not null,
    period date not null,
    driver varchar not null,
    target varchar not null,
    quantity double not null
);

-- grain: one row per month x cost center x category x vendor of the spend dated first_day..last_day, in the
-- reporting currency (spend_month_rc: summed per currency, then converted at the month's rate; the same
-- figures as spend_rc line by line), amount rounded to 6 decimals; fx_missing_lines counts the lines
-- without a rate, which are never allocated (amount 0 for them).
create or replace macro showback_spend(first_day, last_day) as table
with
by_currency as (
    select period, key1 as cost_center, key2 as category, key3 as vendor, amount_to_date, rate, lines
    from spend_month_rc('cost_center', 'category', 'vendor', 'total', first_day, last_day, last_day,
                        null, null, null, null)
),
final as (
    select period, cost_center, category, vendor,
        cast(coalesce(sum(amount_to_date * rate), 0) as decimal(38, 6)) as amount,
        sum(lines) as lines,
        coalesce(sum(lines) filter (where rate is null), 0) as fx_missing_lines
    from by_currency
    group by all
)
select * from final;

-- grain: one row per month x cost center x category of the budget in force for version_ in first_day..last_day
-- (budget_in_force, reporting currency), shaped like showback_spend so the same rules can allocate it
-- (budgets carry no vendor: rules on vendors leave budget unallocated).
create or replace macro showback_budget(version_, first_day, last_day) as table
with
lines as (
    select period, cost_center, category, amount_rc, is_fx_missing
    from budget_in_force(version_)
    where period between first_day and last_day
),
final as (
    select period, cost_center, category, cast(null as varchar) as vendor,
        cast(coalesce(sum(amount_rc), 0) as decimal(38, 6)) as amount,
        count(*) as lines,
        count(*) filter (where is_fx_missing) as fx_missing_lines
    from lines
    group by all
)
select * from final;
