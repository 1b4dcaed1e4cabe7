"""Scorecard indicators per vendor and quarter, computed by refresh() when the data change and stored.

components() reads the stored indicators of the current data version and, when none are stored
(a test writing straight into tables, a read-only connection), computes them in memory without
writing. The audit_findings indicator depends on review states, so it is always worked out at read
time from the stored audit findings.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import audit, contracts, fiscal, settings, sla, store, vendor_names
from analytics.vendors.periods import ONE_DAY, previous_quarter_end, quarter_bounds, quarters
from analytics.vendors.weights import COMPONENT_COLUMNS, INDICATOR_NAMES, indicator


VENDORS_SQL = """
with
contract_names as (
    select vendor, count(*) as contracts from contracts group by vendor
),
spend_names as (
    select vendor, count(*) as lines from spend group by vendor
),
names as (
    select coalesce(c.vendor, s.vendor) as vendor, coalesce(c.contracts, 0) as contracts,
           coalesce(s.lines, 0) as lines
    from contract_names c full outer join spend_names s on c.vendor = s.vendor
),
keyed as (
    select vendor_key(vendor) as vendor_key, vendor, contracts, lines from names
),
final as (
    select
        vendor_key,
        arg_max(vendor, contracts * 1e9 + lines) as vendor,
        sum(contracts) as contracts,
        sum(lines) as spend_lines,
        list(vendor order by vendor) as names
    from keyed
    group by vendor_key
)
select * from final order by vendor
"""


def vendor_list(con) -> pd.DataFrame:
    """One row per vendor key: display name (the contracts' most used name), contracts, spend lines, raw names."""
    return con.execute(VENDORS_SQL).df()


# --- indicators --------------------------------------------------------------------------------

SLA_SQL = """
with
measured as (
    select
        vendor_key(c.vendor) as vendor_key, s.metric, s.target, s.actual,
        case when s.metric = 'availability' then s.actual >= s.target else s.actual <= s.target end as is_met
    from sla s
    join contracts c on c.contract_id = s.contract_id
    where s.period between $first and $last
),
final as (
    select
        vendor_key,
        count(*) as results,
        count(*) filter (where is_met) as met,
        count(*) filter (where metric = 'availability') as availability_results,
        avg(case when metric = 'availability' then greatest(target - actual, 0) end) as shortfall,
        avg(case when metric = 'availability' then actual end) as availability
    from measured
    group by vendor_key
)
select * from final
"""

SEVERITY_SQL = """
case
    when regexp_extract(priority, '([1-5])', 1) <> '' then cast(regexp_extract(priority, '([1-5])', 1) as integer)
    when lower(priority) similar to '.*(critical|urgent).*' then 1
    when lower(priority) like '%high%' then 2
    when lower(priority) similar to '.*(medium|moderate).*' then 3
    else 4
end
"""

INCIDENTS_SQL = f"""
with
vendor_contracts as (
    select contract_id, vendor_key(vendor) as vendor_key, start_date, end_date,
           (auto_renew and renewal_term_months is not null) as is_tacit
    from contracts
),
active as (
    select vendor_key, count(*) as active_contracts
    from vendor_contracts
    where start_date <= $last and (is_tacit or end_date >= $first)
    group by vendor_key
),
opened as (
    select contract_id, {SEVERITY_SQL} as severity
    from incidents
    where opened_at >= $first and opened_at < $last + interval 1 day
),
points as (
    select vc.vendor_key, count(*) as incidents, count(*) filter (where o.severity = 1) as p1,
           sum(case o.severity when 1 then 8 when 2 then 4 when 3 then 2 else 1 end) as points
    from opened o
    join vendor_contracts vc on vc.contract_id = o.contract_id
    group by vc.vendor_key
),
final as (
    select a.vendor_key, a.active_contracts, coalesce(p.incidents, 0) as incidents, coalesce(p.p1, 0) as p1,
           coalesce(p.points, 0) as points, (select count(*) from opened) as incidents_in_period
    from active a
    left join points p on p.vendor_key = a.vendor_key
)
select * from final
"""

# spend_rc.amount_rc overflows in DuckDB 2.0 for lines above ~92,233 (DECIMAL(18,4) x DECIMAL(18,10) stays
# DECIMAL(18,14)), so the conversion is done here in DECIMAL(38); the view's amount_rc is never computed.
AMOUNT_RC = "cast(amount as decimal(38, 4)) * fx_rate"

SPEND_SQL = f"""
with
by_name as (
    select
        vendor,
        sum({AMOUNT_RC}) filter (where date >= $window_start) as spend_12m,
        sum({AMOUNT_RC}) filter (where date < $window_start) as spend_prev_12m,
        count(*) filter (where date >= $window_start) as lines_12m,
        count(*) filter (where date < $window_start) as lines_prev_12m,
        count(*) filter (where is_fx_missing) as fx_missing_lines
    from spend_rc
    where date between $previous_start and $last
    group by vendor
),
final as (
    select vendor_key(vendor) as vendor_key, sum(spend_12m) as spend_12m, sum(spend_prev_12m) as spend_prev_12m,
           sum(lines_12m) as lines_12m, sum(lines_prev_12m) as lines_prev_12m,
           sum(fx_missing_lines) as fx_missing_lines
    from by_name
    group by 1
)
select * from final
"""


def _text(values: pd.Series, fmt: str = "{:,.0f}") -> pd.Series:
    """Values formatted for a basis text (works on empty series too)."""
    return values.map(lambda v: fmt.format(v)).astype(object)


def _rows(frame: pd.DataFrame, name: str, value: pd.Series, basis: pd.Series) -> pd.DataFrame:
    """Long component rows for one indicator (rows with a missing value are dropped: n/a)."""
    out = pd.DataFrame({"vendor_key": frame["vendor_key"], "indicator": name,
                        "value": pd.to_numeric(value, errors="coerce").astype(float), "basis": basis})
    out = out[out["value"].notna()].copy()
    out["score"] = indicator(name).score(out["value"]).round(6)
    return out[COMPONENT_COLUMNS]


def _ticket_attainment(months: pd.DataFrame) -> pd.DataFrame:
    """SLA attainment per vendor key from the SLA engine's ticket clocks (met / decided), vendors with decided clocks."""
    months = months[months["vendor"].notna()]
    months = months.assign(vendor_key=months["vendor"].map(vendor_names.normalise),
                           met=months["response_met"] + months["resolution_met"],
                           decided=months["response_met"] + months["response_breached"]
                           + months["resolution_met"] + months["resolution_breached"])
    frame = months.groupby("vendor_key", as_index=False)[["met", "decided"]].sum()
    frame = frame[frame["decided"] > 0]
    return _rows(frame, "sla_attainment", 100 * frame["met"] / frame["decided"],
                 _text(frame["met"], "{:.0f}") + " of " + _text(frame["decided"], "{:.0f}")
                 + " ticket SLA clocks met (response and resolution)")


def _sla_components(con, first: dt.date, last: dt.date, months: pd.DataFrame) -> list[pd.DataFrame]:
    """SLA attainment (ticket clocks where the vendor has decided ones, else its monthly `sla` results) and
    availability. `months` is sla.contract_month_attainment() over all months (computed once per refresh)."""
    sla_results = con.execute(SLA_SQL, {"first": first, "last": last}).df()
    tickets = _ticket_attainment(months[(months["period"] >= first) & (months["period"] <= last)])
    reported = sla_results[~sla_results["vendor_key"].isin(tickets["vendor_key"])]
    reported = _rows(reported, "sla_attainment", 100 * reported["met"] / reported["results"],
                     _text(reported["met"], "{:.0f}") + " of " + _text(reported["results"], "{:.0f}")
                     + " monthly SLA results met")
    attainment = pd.concat([f for f in (tickets, reported) if len(f)], ignore_index=True) \
        if len(tickets) or len(reported) else tickets
    avail = sla_results[sla_results["availability_results"] > 0]
    availability = _rows(avail, "availability", avail["shortfall"],
                         "average availability " + _text(avail["availability"], "{:.3f}%") + " over "
                         + _text(avail["availability_results"], "{:.0f}") + " contract-months")
    return [attainment, availability]


def _incident_components(con, first: dt.date, last: dt.date) -> pd.DataFrame:
    inc = con.execute(INCIDENTS_SQL, {"first": first, "last": last}).df()
    if inc.empty or int(inc["incidents_in_period"].max()) == 0:
        return pd.DataFrame(columns=COMPONENT_COLUMNS)  # no incident data for the period: n/a, not zero
    months = ((last.year - first.year) * 12 + last.month - first.month + 1)
    value = inc["points"] / (inc["active_contracts"] * months)
    basis = (_text(inc["incidents"], "{:.0f}") + " incidents (" + _text(inc["p1"], "{:.0f}")
             + " P1) on " + _text(inc["active_contracts"], "{:.0f}") + " active contract(s)")
    return _rows(inc, "incidents", value, basis)


def _window(last: dt.date) -> tuple[dt.date, dt.date]:
    """(start of the 12 months ending on `last`, start of the 12 months before them)."""
    start = fiscal.add_months(last + ONE_DAY, -12)
    return start, fiscal.add_months(start, -12)


def _spend(con, last: dt.date) -> pd.DataFrame:
    window_start, previous_start = _window(last)
    return con.execute(SPEND_SQL, {"window_start": window_start, "previous_start": previous_start,
                                   "last": last}).df()


def _committed(con, last: dt.date) -> pd.DataFrame:
    """vendor_key, committed_12m: contract payments due in the 12 months ending on `last`, reporting currency."""
    window_start, _ = _window(last)
    monthly = contracts.committed_by_month(con, start=window_start, end=last)
    if monthly.empty:
        return pd.DataFrame(columns=["vendor_key", "committed_12m"])
    monthly["vendor_key"] = monthly["vendor"].map(vendor_names.normalise)
    monthly["amount_rc"] = monthly["amount_rc"].astype(float)
    return monthly.groupby("vendor_key", as_index=False).agg(committed_12m=("amount_rc", "sum"))


def _spend_components(con, last: dt.date) -> list[pd.DataFrame]:
    spend = _spend(con, last)
    spend = spend.merge(_committed(con, last), on="vendor_key", how="left")
    spend_12m = spend["spend_12m"].astype(float)
    committed = spend["committed_12m"].astype(float)
    has_contract = committed > 0
    ratio = (100 * spend_12m / committed).where(has_contract)
    vs_contract = _rows(spend, "spend_vs_contract", ratio,
                        _text(spend_12m) + " spent against " + _text(committed)
                        + " contracted")
    previous = spend["spend_prev_12m"].astype(float)
    growth = (100 * (spend_12m.fillna(0) - previous) / previous).where(previous > 0)
    trend = _rows(spend, "spend_trend", growth,
                  _text(spend_12m.fillna(0)) + " in the last 12 months, "
                  + _text(previous) + " in the 12 before")
    return [vs_contract, trend]


def spend_12m(con, last: dt.date) -> pd.DataFrame:
    """vendor_key, spend_12m, spend_prev_12m, lines_12m, ...: spend in the 12 months ending on `last` and the 12 before."""
    return _spend(con, last)


def _open_findings(con, first: dt.date, last: dt.date) -> pd.DataFrame:
    """vendor_key, at_stake, findings: open or confirmed cost-audit findings dated in [first, last], their money
    counted once (audit.findings' at_stake_counted)."""
    frame = audit.findings(con, explained=False)
    frame = frame[frame["status"].isin(["open", "confirmed"]) & frame["vendor"].notna()]
    dates = pd.to_datetime(frame["finding_date"], errors="coerce")
    frame = frame[dates.isna() | ((dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last)))]
    frame = frame.assign(vendor_key=vendor_names.keys(frame["vendor"]), at_stake=frame["at_stake_counted"])
    return frame.groupby("vendor_key", as_index=False).agg(at_stake=("at_stake", "sum"),
                                                           findings=("at_stake", "size"))


def _audit_components(con, last: dt.date) -> pd.DataFrame:
    """Open audit findings' money at stake as a share of the vendor's spend (12 months); read time (reviews)."""
    window_start, _ = _window(last)
    at_stake = _open_findings(con, window_start, last)
    spend = _spend(con, last)[["vendor_key", "spend_12m"]]
    merged = spend.merge(at_stake, on="vendor_key", how="left").fillna({"at_stake": 0.0, "findings": 0})
    spend_12m = merged["spend_12m"].astype(float)
    share = (100 * merged["at_stake"] / spend_12m).where(spend_12m > 0)
    basis = (_text(merged["findings"], "{:.0f}") + " open finding(s), " + _text(merged["at_stake"]) + " at stake")
    return _rows(merged, "audit_findings", share, basis)


def _measured(con, quarter_end: dt.date, months: pd.DataFrame) -> pd.DataFrame:
    """The stored indicators of one quarter (all but audit_findings): one row per vendor_key x indicator."""
    start_month = settings.get(con, "fiscal_year_start_month")
    first, last = quarter_bounds(quarter_end, start_month)
    parts = [*_sla_components(con, first, last, months), _incident_components(con, first, last),
             *_spend_components(con, last)]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COMPONENT_COLUMNS)


# a quarter with no indicator at all is stored as one marker row, so "none" differs from "not computed"
EMPTY_MARKER = "-"
RESULTS_SCHEMA = 12   # migration 012_results.sql


def _stored(con, quarter_end: dt.date) -> pd.DataFrame | None:
    """The indicators stored for the quarter at the current data version, None when not stored."""
    if store.schema_version(con) < RESULTS_SCHEMA:  # a read-only database not yet migrated to 012
        return None
    frame = con.execute("select vendor_key, indicator, value, score, basis from vendor_indicator_results "
                        "where data_version = ? and quarter_end = ?", [store.data_version(con), quarter_end]).df()
    if frame.empty:
        return None
    return frame[frame["indicator"] != EMPTY_MARKER].reset_index(drop=True)


def components(con, *, quarter_end: dt.date) -> pd.DataFrame:
    """One row per vendor_key × indicator with data: value (in the indicator's unit), score 0-100, basis text.

    A vendor × indicator without data has no row (n/a). quarter_end is the last day of a fiscal quarter.
    Reads the indicators refresh() stored for the current data version; computes them in memory (never
    writing) when none are stored. audit_findings is always worked out now (review states).
    """
    measured = _stored(con, quarter_end)
    if measured is None:
        measured = _measured(con, quarter_end, sla.contract_month_attainment(con))
    last = quarter_bounds(quarter_end, settings.get(con, "fiscal_year_start_month"))[1]
    parts = [p for p in (measured, _audit_components(con, last)) if not p.empty]
    if not parts:
        return pd.DataFrame(columns=COMPONENT_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    order = {name: i for i, name in enumerate(INDICATOR_NAMES)}
    frame = frame.sort_values(["vendor_key", "indicator"], key=lambda s: s.map(order) if s.name == "indicator" else s)
    return frame[COMPONENT_COLUMNS].reset_index(drop=True)


def refresh_quarters(con) -> list[dt.date]:
    """The quarter ends refresh() stores: the 8 the Vendors page offers and the one before the oldest (its trend)."""
    ends = [end for end, _ in quarters(con, count=8)]
    return ends + [previous_quarter_end(con, quarter_end=ends[-1])]


def refresh(con) -> None:
    """Compute the indicators of refresh_quarters() and store them for the current data version, in a plain
    transaction that leaves the data version as it is (skipped when already stored)."""
    version = store.data_version(con)
    ends = refresh_quarters(con)
    if all(_stored(con, end) is not None for end in ends):
        return
    months = sla.contract_month_attainment(con)
    frames = []
    for end in ends:
        measured = _measured(con, end, months)
        if measured.empty:
            measured = pd.DataFrame([{"vendor_key": "", "indicator": EMPTY_MARKER}], columns=COMPONENT_COLUMNS)
        frames.append(measured.assign(quarter_end=end, data_version=version))
    _save(con, pd.concat(frames, ignore_index=True))


def _save(con, rows: pd.DataFrame) -> None:
    con.register("vendor_indicators_in", rows)
    try:
        with store.transaction(con, changes_data=False):
            con.execute("delete from vendor_indicator_results")
            con.execute("insert into vendor_indicator_results select data_version, cast(quarter_end as date), "
                        "vendor_key, indicator, cast(value as double), cast(score as double), "
                        "cast(basis as varchar) from vendor_indicators_in")
    finally:
        con.unregister("vendor_indicators_in")
