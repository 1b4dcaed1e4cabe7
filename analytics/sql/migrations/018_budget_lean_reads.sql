-- Issue 13 "Fast at any size": lean reads for the Budget page.
-- budget_in_force (010_books.sql) read budget_rc twice (its own lines and the inherited ones), so every query on
-- it bound and optimised the fx conversion twice: 25-30 ms of planning per call on two cores, most of a Budget
-- page query's time over its plain-SQL floor. Same rows and columns, in the same order: the lines in force are
-- picked from the raw table first (budget_lines_in_force, which the edit grid reads alone), then converted once,
-- exactly as budget_rc converts them (amount widened to decimal(38, 4) times the month's rate; NULL rate when it is
-- missing, never 1).

-- grain: one row per budget line in force for `version`, as stored (original currency, no conversion): the
-- version's own lines and, for a version other than 'original', the original's lines for every month x line it
-- does not revise (a reforecast may revise only some lines). The edit grid and a new version's copy read these.
create or replace macro budget_lines_in_force(version_) as table
with
own as (
    select * from budget where version = version_
),
inherited as (
    select o.* from budget o
    where version_ <> 'original' and o.version = 'original'
        and not exists (
            select 1 from budget r
            where r.version = version_ and r.period = o.period and r.cost_center = o.cost_center
                and r.category = o.category and r.project is not distinct from o.project
        )
)
select * from own union all select * from inherited;

-- grain: one row per budget line in force for `version` (budget_lines_in_force), with its amount in the reporting
-- currency. Keys a report can group by: cost_center, category, project, period, total ('Total'); vendor and
-- capex_opex are empty (budgets are not set per vendor or capex/opex).
create or replace macro budget_in_force(version_) as table
with
lines as (
    select l.*,
        case when l.currency = reporting_currency() then cast(1 as decimal(18, 10)) else f.rate end as fx_rate
    from budget_lines_in_force(version_) l
    left join fx_rc f on f.period = l.period and f.currency = l.currency
),
final as (
    select *, cast(amount as decimal(38, 4)) * fx_rate as amount_rc, fx_rate is null as is_fx_missing,
        'Total' as total, cast(null as varchar) as vendor, cast(null as varchar) as capex_opex_kind
    from lines
)
select * from final;

-- grain: one row per budget version, `position` the order pages list them in: 'original' first, then by when they
-- were made (an imported version has no budget_versions row: before the edited ones), then by name. One home for the
-- order, so the version list and the versions comparison (one query over every version) read it alike.
create or replace view budget_version_order as
select l.version, row_number() over (order by (l.version <> 'original'), v.created_at nulls first, l.version) as position
from (select distinct version from budget) l
left join budget_versions v on v.version = l.version;
