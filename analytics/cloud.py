"""Cloud billing in FinOps FOCUS (1.0 to 1.3): import, monthly spend lines, and the Cloud view.

Import: a FOCUS file (CSV, CSV.gz or Parquet) is read by DuckDB straight into a typed table
(millions of rows, no Python loop): 'NULL' strings are nulls, Tags stay JSON text, charge
periods may be hourly or daily. Every row is kept in `cloud_costs`; the monthly spend lines
(BilledCost by ChargePeriodStart month, billing currency, vendor, cost center and category)
go into `spend`, in the same batch and the same transaction, so undo removes both.
- vendor: InvoiceIssuerName, else ServiceProviderName (1.3), else ProviderName;
- category: 'Cloud Services' (TBM v5 cost pool), or the ServiceCategory when asked;
- cost center: the saved sub-account mapping, else the chosen tag, else the sub-account name.
The view: cost by provider, service, region, sub-account; savings = ListCost - EffectiveCost.
Amounts stay in the billing currency; *_rc columns convert with the monthly fx rates (fx_rc)
and is_fx_missing says where a rate is missing (never treated as 1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics import datasets, store
from analytics.currencies import ISO_4217
from analytics.ingest import load, validate

# FOCUS column -> (cloud_costs column, type); columns a version lacks read as NULL
FOCUS_COLUMNS = {
    "BillingAccountId": ("billing_account_id", "varchar"),
    "BillingAccountName": ("billing_account_name", "varchar"),
    "BillingCurrency": ("billing_currency", "varchar"),
    "BillingPeriodStart": ("billing_period_start", "timestamp"),
    "ChargePeriodStart": ("charge_period_start", "timestamp"),
    "ChargePeriodEnd": ("charge_period_end", "timestamp"),
    "ChargeCategory": ("charge_category", "varchar"),
    "ChargeClass": ("charge_class", "varchar"),
    "ChargeFrequency": ("charge_frequency", "varchar"),
    "ChargeDescription": ("charge_description", "varchar"),
    "ProviderName": ("provider_name", "varchar"),
    "PublisherName": ("publisher_name", "varchar"),
    "InvoiceIssuerName": ("invoice_issuer_name", "varchar"),
    "ServiceCategory": ("service_category", "varchar"),
    "ServiceName": ("service_name", "varchar"),
    "RegionId": ("region_id", "varchar"),
    "RegionName": ("region_name", "varchar"),
    "SubAccountId": ("sub_account_id", "varchar"),
    "SubAccountName": ("sub_account_name", "varchar"),
    "ResourceId": ("resource_id", "varchar"),
    "SkuId": ("sku_id", "varchar"),
    "PricingCategory": ("pricing_category", "varchar"),
    "BilledCost": ("billed_cost", "decimal(38, 12)"),
    "EffectiveCost": ("effective_cost", "decimal(38, 12)"),
    "ListCost": ("list_cost", "decimal(38, 12)"),
    "ContractedCost": ("contracted_cost", "decimal(38, 12)"),
    "ConsumedQuantity": ("consumed_quantity", "double"),
    "ConsumedUnit": ("consumed_unit", "varchar"),
    "CommitmentDiscountId": ("commitment_discount_id", "varchar"),
    "CommitmentDiscountName": ("commitment_discount_name", "varchar"),
    "CommitmentDiscountCategory": ("commitment_discount_category", "varchar"),
    "CommitmentDiscountType": ("commitment_discount_type", "varchar"),
    "CommitmentDiscountStatus": ("commitment_discount_status", "varchar"),
    "Tags": ("tags", "varchar"),
}
EXTRA_SOURCES = ("ServiceProviderName", "HostProviderName")   # FOCUS 1.3
REQUIRED = ("BilledCost", "BillingCurrency", "ChargePeriodStart")
DEFAULT_CATEGORY = "Cloud Services"
MAX_ERRORS = 200

SETTINGS: list = []


class FocusError(ValueError):
    """A FOCUS file that cannot be imported; `errors` lists row problems when there are any."""

    def __init__(self, message: str, errors: list[validate.RowError] | None = None):
        super().__init__(message)
        self.errors = errors or []


@dataclass
class FocusResult:
    batch_id: int
    file_name: str
    rows: int            # monthly spend lines derived
    detail_rows: int     # FOCUS rows kept in cloud_costs
    notices: list[str] = field(default_factory=list)
    replaced_batch: int | None = None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_raw(con, path: Path) -> list[str]:
    """Load the file into temp table focus_raw (all text, 'NULL' read as null) and return its columns."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        con.execute("create or replace temp table focus_raw as select * from read_parquet(?)", [str(path)])
    elif name.endswith((".csv", ".csv.gz", ".txt")):
        con.execute("create or replace temp table focus_raw as select * from read_csv(?, all_varchar = true, "
                    "nullstr = ['NULL', ''], header = true)", [str(path)])
    else:
        raise FocusError(f"{path.name}: a FOCUS file must be .csv, .csv.gz or .parquet")
    return [r[0] for r in con.execute("select column_name from (describe focus_raw)").fetchall()]


def _typed_select(columns: list[str], *, tag: str | None, from_service: bool) -> tuple[str, dict]:
    """SQL creating focus_staged (typed rows with vendor, cost center and category); names from FOCUS_COLUMNS only."""
    present = set(columns)
    parts = ["row_number() over () + 1 as row_no"]
    for focus, (target, kind) in FOCUS_COLUMNS.items():
        raw = f"nullif(trim(cast({_q(focus)} as varchar)), '')" if focus in present else "cast(null as varchar)"
        parts.append(f"{raw} as {_q('raw_' + target)}")
        if kind == "timestamp":
            expr = f"try_cast(regexp_replace({raw}, '(Z|[+]00:?00)$', '') as timestamp)"
        elif kind == "varchar":
            expr = raw
        else:
            expr = f"try_cast({raw} as {kind})"
        parts.append(f"{expr} as {_q(target)}")
    issuer = [f"nullif(trim(cast({_q(c)} as varchar)), '')" for c in ("InvoiceIssuerName", "ServiceProviderName",
                                                                       "ProviderName") if c in present]
    parts.append(f"coalesce({', '.join(issuer + ['null'])}) as vendor")
    tag_expr = ("case when json_valid(tags_raw) then json_extract_string(tags_raw, $tag_path) end"
                if tag else "cast(null as varchar)")
    tags = "nullif(trim(cast(\"Tags\" as varchar)), '')" if "Tags" in present else "cast(null as varchar)"
    sql = (f"create or replace temp table focus_staged as "
           f"with typed as (select {', '.join(parts)}, {tags} as tags_raw from focus_raw) "
           f"select typed.* exclude (tags_raw), "
           f"coalesce(m.cost_center, {tag_expr}, typed.sub_account_name, typed.sub_account_id, 'Unallocated') "
           f"as cost_center, "
           f"{'coalesce(typed.service_category, $default_category)' if from_service else '$default_category'} "
           f"as category "
           f"from typed left join cloud_cost_center_map m on m.sub_account_id = typed.sub_account_id")
    params = {"default_category": DEFAULT_CATEGORY}
    if tag:
        params["tag_path"] = '$."' + tag.replace('"', '') + '"'
    return sql, params


def _row_errors(con, file_name: str) -> list[validate.RowError]:
    checks = [
        ("BilledCost", "select row_no from focus_staged where raw_billed_cost is null", "missing BilledCost"),
        ("BilledCost", "select row_no from focus_staged where raw_billed_cost is not null and billed_cost is null",
         "BilledCost is not a number"),
        ("ChargePeriodStart", "select row_no from focus_staged where charge_period_start is null",
         "ChargePeriodStart missing or not a timestamp"),
        ("BillingCurrency", "select row_no from focus_staged where billing_currency is null "
                            "or not list_contains($iso, upper(billing_currency))", "unknown BillingCurrency"),
        ("InvoiceIssuerName", "select row_no from focus_staged where vendor is null",
         "no InvoiceIssuerName or ProviderName"),
    ]
    errors = []
    for column, sql, reason in checks:
        params = {"iso": sorted(ISO_4217)} if "$iso" in sql else {}
        for (row,) in con.execute(sql + " order by row_no limit " + str(MAX_ERRORS), params).fetchall():
            errors.append(validate.RowError(file_name, int(row), column, reason))
    return sorted(errors, key=lambda e: e.row)


MONTHLY_SQL = """
with
lines as (
    select
        cast(date_trunc('month', charge_period_start) as date) as period,
        upper(billing_currency) as currency, vendor, cost_center, category,
        sum(billed_cost) as billed_cost, count(*) as charges, min(row_no) as first_row
    from focus_staged
    group by all
),
final as (
    select
        first_row as _row,
        strftime(period, '%Y-%m-%d') as date,
        vendor,
        cast(round(billed_cost, 4) as varchar) as amount,
        currency,
        cost_center,
        category,
        '' as invoice_id,
        '' as contract_id,
        'FOCUS cloud billing ' || strftime(period, '%Y-%m') || ' (' || charges || ' charges)' as description,
        '' as gl_account,
        'opex' as capex_opex,
        '' as project
    from lines
)
select * from final order by date, vendor, cost_center, category, currency
"""


def prepare_focus(con, path: str | Path, *, replace: bool = False, cost_center_tag: str | None = None,
                  category_from_service: bool = False, display_name: str | None = None) -> load.PreparedImport:
    """Read and check a FOCUS file; the monthly spend lines are staged and validated like any spend file."""
    path = Path(path)
    name = display_name or path.name
    if not path.exists():
        raise FileNotFoundError(path)
    sha = load.file_sha256(path)
    previous = load._previous_batch(con, "spend", sha, None)
    if previous and not replace:
        raise FocusError(f"{name}: this exact file was already imported as batch {previous}; "
                         f"use --replace to replace that batch, or `undo {previous}` first")
    try:
        columns = _read_raw(con, path)
    except Exception as exc:
        if isinstance(exc, FocusError):
            raise
        raise FocusError(f"{name}: not a readable FOCUS file: {str(exc).splitlines()[0]}") from None
    missing = [c for c in REQUIRED if c not in columns]
    if missing or not {"InvoiceIssuerName", "ProviderName", "ServiceProviderName"} & set(columns):
        raise FocusError(f"{name}: not a FOCUS file: missing {', '.join(missing) or 'ProviderName'}; "
                         f"the file's columns are: {', '.join(columns)}")
    sql, params = _typed_select(columns, tag=cost_center_tag, from_service=category_from_service)
    con.execute(sql, params)
    con.execute("drop table if exists focus_raw")
    errors = _row_errors(con, name)
    if errors:
        raise FocusError(f"{name}: {len(errors)} invalid FOCUS row value(s); nothing was imported", errors)
    lines = con.execute(MONTHLY_SQL).df()
    spend = datasets.get("spend")
    staged = validate.stage(con, spend, lines)
    line_errors = validate.validate(con, spend, staged, f"{name} (monthly lines)")
    detail = con.execute("select count(*), min(charge_period_start), max(charge_period_start) "
                         "from focus_staged").fetchall()[0]
    notices = [f"{detail[0]:,} FOCUS rows from {detail[1]:%Y-%m-%d %H:%M} to {detail[2]:%Y-%m-%d %H:%M} "
               f"give {len(lines)} monthly spend line(s)"]
    missing_extra = [c for c in ("EffectiveCost", "ListCost") if c not in columns]
    if missing_extra:
        notices.append(f"no {', '.join(missing_extra)} column: savings cannot be computed for this file")
    return load.PreparedImport(spend, name, sha, staged, len(lines), line_errors, notices, previous, "focus")


def import_focus(con, path: str | Path, *, replace: bool = False, cost_center_tag: str | None = None,
                 category_from_service: bool = False, display_name: str | None = None,
                 user: str | None = None) -> FocusResult:
    """Import a FOCUS file: every row into cloud_costs, monthly lines into spend, one batch, all or nothing."""
    prepared = prepare_focus(con, path, replace=replace, cost_center_tag=cost_center_tag,
                             category_from_service=category_from_service, display_name=display_name)
    return commit_focus(con, prepared, user=user)


def commit_focus(con, prepared: load.PreparedImport, *, user: str | None = None) -> FocusResult:
    """Write a prepared FOCUS import (its spend lines and its detail rows) in one transaction."""
    if prepared.errors:
        raise FocusError(f"{prepared.file_name}: {len(prepared.errors)} invalid monthly line(s); nothing was imported",
                         prepared.errors)
    targets = [t for t, _ in FOCUS_COLUMNS.values()]
    cols = ", ".join(_q(t) for t in targets)
    insert = (f"insert into cloud_costs (batch_id, row_no, {cols}, cost_center, category) "
              f"select ?, row_no, {cols}, cost_center, category from focus_staged order by row_no")
    with store.transaction(con):
        result = load._write(con, prepared, user)
        con.execute(insert, [result.batch_id])
        detail = con.execute("select count(*) from cloud_costs where batch_id = ?", [result.batch_id]).fetchall()[0][0]
        load._hold_for_tests()
    con.execute("drop table if exists focus_staged")
    drop = 'drop table if exists "' + prepared.staged + '"'  # name from the fixed dataset spec
    con.execute(drop)
    return FocusResult(result.batch_id, prepared.file_name, result.rows, int(detail), prepared.notices,
                       prepared.replaced_batch)


# --- the Cloud view -----------------------------------------------------------------------------

DIMENSIONS = {
    "provider": "provider_name",
    "service": "service_name",
    "service category": "service_category",
    "region": "coalesce(region_name, region_id)",
    "sub-account": "coalesce(sub_account_name, sub_account_id)",
    "charge category": "charge_category",
    "cost center": "cost_center",
}

COSTS_RC = """
with
settings_now as (
    select coalesce(max(case when name = 'reporting_currency' then value end),
                    max(case when name = 'base_currency' then value end), 'USD') as reporting_currency
    from settings
),
costs as (
    select c.*, cast(date_trunc('month', c.charge_period_start) as date) as period,
        case when c.billing_currency = s.reporting_currency then cast(1 as decimal(18, 10)) else f.rate end as fx_rate,
        (c.billing_currency <> s.reporting_currency and f.rate is null) as is_fx_missing
    from cloud_costs c
    cross join settings_now s
    left join fx_rc f on f.period = date_trunc('month', c.charge_period_start) and f.currency = c.billing_currency
    where c.charge_period_start >= coalesce(cast($start as date), date '1900-01-01')
      and c.charge_period_start < coalesce(cast($end as date) + interval 1 month, date '9999-01-01')
)
"""


def periods(con) -> list[str]:
    """The months (YYYY-MM) that have cloud charges, oldest first."""
    rows = con.execute("select distinct strftime(charge_period_start, '%Y-%m') from cloud_costs order by 1").fetchall()
    return [r[0] for r in rows]


def cost_by(con, *, dimension: str = "provider", start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """One row per value of `dimension`: billed_cost, effective_cost, list_cost, savings (reporting currency), charges."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; choose one of {', '.join(DIMENSIONS)}")
    sql = COSTS_RC + f"""
    , final as (
        select coalesce(cast({DIMENSIONS[dimension]} as varchar), '(none)') as "{dimension}",
            sum(billed_cost * fx_rate) as billed_cost,
            sum(effective_cost * fx_rate) as effective_cost,
            sum(list_cost * fx_rate) as list_cost,
            sum((list_cost - effective_cost) * fx_rate) as savings,
            count(*) as charges,
            bool_or(is_fx_missing) as is_fx_missing
        from costs group by 1
    )
    select * from final order by billed_cost desc nulls last
    """
    return con.execute(sql, {"start": _month_start(start), "end": _month_start(end)}).df()


def monthly(con, *, dimension: str = "provider", start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """One row per month x `dimension` value: billed_cost and effective_cost in the reporting currency."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    sql = COSTS_RC + f"""
    , final as (
        select strftime(period, '%Y-%m') as period,
            coalesce(cast({DIMENSIONS[dimension]} as varchar), '(none)') as "{dimension}",
            sum(billed_cost * fx_rate) as billed_cost, sum(effective_cost * fx_rate) as effective_cost
        from costs group by 1, 2
    )
    select * from final order by period, billed_cost desc
    """
    return con.execute(sql, {"start": _month_start(start), "end": _month_start(end)}).df()


def summary(con, *, start: str | None = None, end: str | None = None) -> dict:
    """Totals in the reporting currency: billed, effective, list, savings, commitment savings, rows, fx gaps."""
    sql = COSTS_RC + """
    select sum(billed_cost * fx_rate), sum(effective_cost * fx_rate), sum(list_cost * fx_rate),
        sum((list_cost - effective_cost) * fx_rate),
        sum(case when commitment_discount_id is not null then (list_cost - effective_cost) * fx_rate end),
        count(*), count(*) filter (where is_fx_missing), count(distinct provider_name)
    from costs
    """
    row = con.execute(sql, {"start": _month_start(start), "end": _month_start(end)}).fetchall()[0]
    keys = ["billed_cost", "effective_cost", "list_cost", "savings", "commitment_savings", "rows",
            "rows_fx_missing", "providers"]
    return dict(zip(keys, row))


def commitment_savings(con, *, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """One row per commitment discount: provider, type, list_cost, effective_cost, savings (reporting currency)."""
    sql = COSTS_RC + """
    , final as (
        select provider_name as provider, commitment_discount_name as commitment,
            commitment_discount_type as type, sum(list_cost * fx_rate) as list_cost,
            sum(effective_cost * fx_rate) as effective_cost, sum((list_cost - effective_cost) * fx_rate) as savings
        from costs where commitment_discount_id is not null group by all
    )
    select * from final order by savings desc
    """
    return con.execute(sql, {"start": _month_start(start), "end": _month_start(end)}).df()


def _month_start(period: str | None) -> str | None:
    return f"{period}-01" if period else None


def cost_center_map(con) -> pd.DataFrame:
    """One row per mapped sub-account: sub_account_id, cost_center."""
    return con.execute("select sub_account_id, cost_center from cloud_cost_center_map order by 1").df()


def save_cost_center_map(con, pairs: dict[str, str]) -> None:
    """Store sub-account -> cost center pairs (an empty cost center removes the pair); used by later imports."""
    with store.transaction(con):
        for account, center in pairs.items():
            con.execute("delete from cloud_cost_center_map where sub_account_id = ?", [account.strip()])
            if str(center).strip():
                con.execute("insert into cloud_cost_center_map values (?, ?)", [account.strip(), str(center).strip()])


# floors for the bench: the same aggregates as plain SQL over cloud_costs, each charge converted at its month's rate
_FLOOR_COST_BY = """
select coalesce(c.{column}, '(none)') as {name}, sum(c.billed_cost * r.rate) as billed_cost,
    sum(c.effective_cost * r.rate) as effective_cost, sum(c.list_cost * r.rate) as list_cost,
    sum((c.list_cost - c.effective_cost) * r.rate) as savings, count(*) as charges
from cloud_costs c join fx_rc r on r.currency = c.billing_currency and r.period = date_trunc('month', c.charge_period_start)
group by all
"""
FLOOR_COST_BY_PROVIDER = _FLOOR_COST_BY.format(column="provider_name", name="provider")
FLOOR_COST_BY_SERVICE = _FLOOR_COST_BY.format(column="service_name", name="service")
FLOOR_MONTHLY = """
select strftime(c.charge_period_start, '%Y-%m') as period, coalesce(c.provider_name, '(none)') as provider,
    sum(c.billed_cost * r.rate) as billed_cost, sum(c.effective_cost * r.rate) as effective_cost
from cloud_costs c join fx_rc r on r.currency = c.billing_currency and r.period = date_trunc('month', c.charge_period_start)
group by all
"""
FLOOR_SUMMARY = """
select sum(c.billed_cost * r.rate) as billed_cost, sum(c.effective_cost * r.rate) as effective_cost,
    sum(c.list_cost * r.rate) as list_cost, sum((c.list_cost - c.effective_cost) * r.rate) as savings,
    sum((c.list_cost - c.effective_cost) * r.rate) filter (where c.commitment_discount_id is not null)
        as commitment_savings,
    count(*) as "rows", count(distinct c.provider_name) as providers
from cloud_costs c join fx_rc r on r.currency = c.billing_currency and r.period = date_trunc('month', c.charge_period_start)
"""
FLOOR_COMMITMENT_SAVINGS = """
select c.provider_name as provider, c.commitment_discount_name as commitment, c.commitment_discount_type as type,
    sum(c.list_cost * r.rate) as list_cost, sum(c.effective_cost * r.rate) as effective_cost,
    sum((c.list_cost - c.effective_cost) * r.rate) as savings
from cloud_costs c join fx_rc r on r.currency = c.billing_currency and r.period = date_trunc('month', c.charge_period_start)
where c.commitment_discount_id is not null
group by all
"""


def bench_cases(con) -> list[tuple]:
    """The queries the Cloud page runs, with their plain-SQL floors."""
    from analytics.bench import Floor
    return [
        ("cloud.cost_by provider", lambda: cost_by(con, dimension="provider"), Floor(FLOOR_COST_BY_PROVIDER)),
        ("cloud.cost_by service", lambda: cost_by(con, dimension="service"), Floor(FLOOR_COST_BY_SERVICE)),
        ("cloud.monthly", lambda: monthly(con), Floor(FLOOR_MONTHLY)),
        ("cloud.summary", lambda: summary(con), Floor(FLOOR_SUMMARY)),
        ("cloud.commitment_savings", lambda: commitment_savings(con), Floor(FLOOR_COMMITMENT_SAVINGS)),
    ]
