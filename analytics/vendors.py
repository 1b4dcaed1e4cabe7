"""Vendor scorecards: a weighted 0-100 score per vendor from six indicators, and the vendor detail data.

Vendors are identified by their name key (analytics.vendor_names, SQL macro vendor_key), so
"Acme Ltd" in contracts and "ACME LIMITED" in spend are one vendor.

Scoring rules (docs/vendors.md):
- Each indicator maps its measured value to 0-100 (INDICATORS states whether higher or lower is
  better and how). An indicator without data for a vendor is n/a, never zero: the vendor's score is
  the weighted mean over the indicators it has, i.e. the weights renormalised over those present.
- Weights are stored renormalised to 100 (table vendor_scorecard_weights); changing one scales the
  others proportionally (renormalise()).
- The period is a fiscal quarter; SLA, availability and incidents are measured over the quarter,
  the spend indicators over the 12 months ending with it (a quarter of spend is too lumpy:
  annual invoices). The trend compares with the same score at the previous quarter's end.
"""
from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from analytics import contracts, fiscal, settings, store, vendor_names

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    better: str            # higher | lower
    unit: str
    window: str
    mapping: str           # how the value becomes 0-100
    default_weight: float
    score: Callable[[pd.Series], pd.Series]


def _clip(values: pd.Series) -> pd.Series:
    return values.astype(float).clip(lower=0.0, upper=100.0)


INDICATORS = [
    Indicator("sla_attainment", "SLA attainment", "higher", "% of SLA results met", "quarter",
              "score = the percentage of the vendor's monthly SLA results (availability, response, resolution "
              "per contract) that met their target", 25, lambda v: _clip(v)),
    Indicator("availability", "Availability", "lower", "points below target (average)", "quarter",
              "score = 100 - 100 x average shortfall below the availability target in percentage points "
              "(meeting the target = 100, 1 point short on average = 0)", 20, lambda v: _clip(100 - 100 * v)),
    Indicator("incidents", "Incident volume and severity", "lower", "severity points per contract-month", "quarter",
              "incidents weighted P1=8, P2=4, P3=2, P4 and lower=1, per active contract per month; "
              "score = 100 - 2.5 x points (none = 100, 40 points = 5 P1s a month = 0)", 15,
              lambda v: _clip(100 - 2.5 * v)),
    Indicator("spend_vs_contract", "Spend against contract", "lower", "% of contracted payments", "12 months",
              "spend with the vendor as a % of its contracts' committed payments; at or under 100% = 100, "
              "then -2 per point over (150% = 0)", 15, lambda v: _clip(100 - 2 * (v - 100).clip(lower=0))),
    Indicator("audit_findings", "Audit findings on its invoices", "lower", "% of spend at stake", "12 months",
              "amount at stake in open cost-audit findings as a % of the vendor's spend; "
              "score = 100 - 5 x percentage (none = 100, 20% = 0)", 10, lambda v: _clip(100 - 5 * v)),
    Indicator("spend_trend", "Spend trend", "lower", "% change on the previous 12 months", "12 months",
              "growth of spend against the previous 12 months; flat or falling = 100, "
              "-2 per point of growth (+50% = 0)", 15, lambda v: _clip(100 - 2 * v.clip(lower=0))),
]
INDICATOR_NAMES = [i.name for i in INDICATORS]
DEFAULT_WEIGHTS = {i.name: float(i.default_weight) for i in INDICATORS}
COMPONENT_COLUMNS = ["vendor_key", "indicator", "value", "score", "basis"]


def indicator(name: str) -> Indicator:
    for ind in INDICATORS:
        if ind.name == name:
            return ind
    raise KeyError(f"unknown indicator {name!r}; known: {', '.join(INDICATOR_NAMES)}")


# --- weights -----------------------------------------------------------------------------------

def _round_tenths(values: dict[str, float], total: float, keep: str | None = None) -> dict[str, float]:
    """Round to 0.1 so the values add up to `total` exactly (largest remainder); `keep` is left as is."""
    free = [k for k in values if k != keep]
    target = round((total - (values[keep] if keep else 0)) * 10)
    tenths = {k: int(np.floor(values[k] * 10 + 1e-9)) for k in free}
    order = sorted(free, key=lambda k: (-(values[k] * 10 - tenths[k]), free.index(k)))
    for k in order[:max(0, target - sum(tenths.values()))]:
        tenths[k] += 1
    result = {k: tenths[k] / 10 for k in free}
    if keep:
        result[keep] = values[keep]
    return {k: result[k] for k in values}


def renormalise(weights: dict[str, float], changed: str | None = None) -> dict[str, float]:
    """Weights scaled to add up to 100 (to 0.1).

    With `changed`, that weight stays as given (capped to 0-100) and the others share the rest in
    their current proportions (equally when they are all zero). Without, all are scaled.
    """
    values = {k: min(max(float(v), 0.0), 100.0) for k, v in weights.items()}
    if not values:
        return {}
    if changed is not None:
        if changed not in values:
            raise KeyError(f"unknown indicator {changed!r}")
        values[changed] = round(values[changed], 1)
        others = [k for k in values if k != changed]
        rest, remaining = sum(values[k] for k in others), 100.0 - values[changed]
        for k in others:
            values[k] = values[k] * remaining / rest if rest > 0 else remaining / len(others)
        return _round_tenths(values, 100.0, keep=changed) if others else {changed: 100.0}
    total = sum(values.values())
    scaled = {k: (v * 100 / total if total > 0 else 100 / len(values)) for k, v in values.items()}
    return _round_tenths(scaled, 100.0)


def get_weights(con) -> dict[str, float]:
    """The saved weights (defaults where none saved), renormalised to 100, in INDICATORS order."""
    saved = dict(con.execute("select indicator, weight from vendor_scorecard_weights").fetchall())
    merged = {name: float(saved.get(name, DEFAULT_WEIGHTS[name])) for name in INDICATOR_NAMES}
    return renormalise(merged)


def save_weights(con, weights: dict[str, float]) -> dict[str, float]:
    """Renormalise and store the weights; returns what was stored."""
    unknown = set(weights) - set(INDICATOR_NAMES)
    if unknown:
        raise KeyError(f"unknown indicator(s): {', '.join(sorted(unknown))}")
    stored = renormalise({name: weights.get(name, 0.0) for name in INDICATOR_NAMES})
    # A plain transaction, not store.transaction: weights change no data, so the cached indicator
    # values (keyed by the data version) stay valid and the page re-scores instantly.
    con.execute("begin transaction")
    try:
        con.execute("delete from vendor_scorecard_weights")
        con.executemany("insert into vendor_scorecard_weights values (?, ?, current_timestamp)",
                        [[k, v] for k, v in stored.items()])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return stored


# --- periods -----------------------------------------------------------------------------------

def quarter_bounds(day: dt.date, start_month: int) -> tuple[dt.date, dt.date]:
    """(first, last day) of the fiscal quarter containing `day`."""
    offset = (day.month - start_month) % 3
    first = fiscal.add_months(day.replace(day=1), -offset)
    return first, fiscal.add_months(first, 3) - ONE_DAY


def quarter_label(last: dt.date, start_month: int) -> str:
    """'FY2026 Q3' for the fiscal quarter ending on `last`."""
    year = fiscal.fiscal_year(last, start_month)
    quarter = ((last.month - start_month) % 12) // 3 + 1
    return f"FY{year} Q{quarter}"


def quarters(con, *, count: int = 8) -> list[tuple[dt.date, str]]:
    """(last day, label) of the `count` latest complete fiscal quarters, newest first."""
    start_month = settings.get(con, "fiscal_year_start_month")
    first, _ = quarter_bounds(settings.as_of(con), start_month)
    result, end = [], first - ONE_DAY
    for _ in range(count):
        result.append((end, quarter_label(end, start_month)))
        end = quarter_bounds(end, start_month)[0] - ONE_DAY
    return result


def previous_quarter_end(con, *, quarter_end: dt.date) -> dt.date:
    """The last day of the fiscal quarter before the one ending on quarter_end."""
    start_month = settings.get(con, "fiscal_year_start_month")
    return quarter_bounds(quarter_end, start_month)[0] - ONE_DAY


# --- vendors -----------------------------------------------------------------------------------

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


def _optional(module_name: str, func_name: str):
    """A function of another domain module when that module exists in this version of Outlay, else None."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    return getattr(module, func_name, None)


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


TICKET_CLOCK_COLUMNS = {"vendor", "response_met", "response_breached", "resolution_met", "resolution_breached"}


def _ticket_attainment(con, first: dt.date, last: dt.date) -> pd.DataFrame | None:
    """SLA attainment from the SLA module's ticket clocks (met / decided), or None without that module."""
    attainment = _optional("analytics.sla", "contract_month_attainment")
    if attainment is None:
        return None
    months = attainment(con, start=first, end=last)
    if months is None or not TICKET_CLOCK_COLUMNS <= set(months.columns):
        return None
    months = months.assign(vendor_key=months["vendor"].map(vendor_names.normalise),
                           met=months["response_met"] + months["resolution_met"],
                           decided=months["response_met"] + months["response_breached"]
                           + months["resolution_met"] + months["resolution_breached"])
    frame = months.groupby("vendor_key", as_index=False)[["met", "decided"]].sum()
    frame = frame[frame["decided"] > 0]
    return _rows(frame, "sla_attainment", 100 * frame["met"] / frame["decided"],
                 _text(frame["met"], "{:.0f}") + " of " + _text(frame["decided"], "{:.0f}")
                 + " ticket SLA clocks met (response and resolution)")


def _sla_components(con, first: dt.date, last: dt.date) -> list[pd.DataFrame]:
    """SLA attainment (ticket clocks when the SLA module is present, else the monthly `sla` results) and availability."""
    sla = con.execute(SLA_SQL, {"first": first, "last": last}).df()
    attainment = _ticket_attainment(con, first, last)
    if attainment is None:
        attainment = _rows(sla, "sla_attainment", 100 * sla["met"] / sla["results"],
                           _text(sla["met"], "{:.0f}") + " of " + _text(sla["results"], "{:.0f}")
                           + " monthly SLA results met")
    avail = sla[sla["availability_results"] > 0]
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


# The cost audit re-runs every rule over all spend (about 27 s on 1M lines) and its findings do not
# depend on the quarter: keep the latest result per database file and data version (reviews and
# imports bump the version), so scoring two quarters, or switching quarter, runs it once.
_FINDINGS_MEMO: dict[tuple, pd.DataFrame] = {}


def _audit_findings(con) -> pd.DataFrame | None:
    """The cost audit's findings (dismissed excluded), or None without the audit module."""
    findings = _optional("analytics.audit", "findings")
    if findings is None:
        return None
    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()[0]
    key = (path, store.data_version(con)) if path else None
    if key is not None and key in _FINDINGS_MEMO:
        return _FINDINGS_MEMO[key]
    frame = findings(con, include_dismissed=False)
    if key is not None:
        _FINDINGS_MEMO.clear()
        _FINDINGS_MEMO[key] = frame
    return frame


def _open_findings(con, first: dt.date, last: dt.date) -> pd.DataFrame | None:
    """vendor_key, at_stake, findings: open or confirmed cost-audit findings dated in [first, last]; None without audit."""
    frame = _audit_findings(con)
    if frame is None or not {"vendor", "amount_at_stake"} <= set(frame.columns):
        return None
    if "status" in frame:
        frame = frame[frame["status"].isin(["open", "confirmed"])]
    if "finding_date" in frame:
        dates = pd.to_datetime(frame["finding_date"], errors="coerce")
        frame = frame[dates.isna() | ((dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last)))]
    frame = frame[frame["vendor"].notna()]
    frame = frame.assign(vendor_key=frame["vendor"].map(vendor_names.normalise),
                         at_stake=pd.to_numeric(frame["amount_at_stake"], errors="coerce").abs().fillna(0.0))
    return frame.groupby("vendor_key", as_index=False).agg(at_stake=("at_stake", "sum"),
                                                           findings=("at_stake", "size"))


def _audit_components(con, last: dt.date) -> pd.DataFrame:
    """Open audit findings' amount at stake as a share of spend (12 months); empty (n/a) without the audit module."""
    window_start, _ = _window(last)
    at_stake = _open_findings(con, window_start, last)
    if at_stake is None:
        return pd.DataFrame(columns=COMPONENT_COLUMNS)
    spend = _spend(con, last)[["vendor_key", "spend_12m"]]
    merged = spend.merge(at_stake, on="vendor_key", how="left").fillna({"at_stake": 0.0, "findings": 0})
    spend_12m = merged["spend_12m"].astype(float)
    share = (100 * merged["at_stake"] / spend_12m).where(spend_12m > 0)
    basis = (_text(merged["findings"], "{:.0f}") + " open finding(s), " + _text(merged["at_stake"]) + " at stake")
    return _rows(merged, "audit_findings", share, basis)


def components(con, *, quarter_end: dt.date) -> pd.DataFrame:
    """One row per vendor_key × indicator with data: value (in the indicator's unit), score 0-100, basis text.

    A vendor × indicator without data has no row (n/a). quarter_end is the last day of a fiscal quarter.
    """
    start_month = settings.get(con, "fiscal_year_start_month")
    first, last = quarter_bounds(quarter_end, start_month)
    parts = [*_sla_components(con, first, last), _incident_components(con, first, last),
             *_spend_components(con, last), _audit_components(con, last)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=COMPONENT_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    order = {name: i for i, name in enumerate(INDICATOR_NAMES)}
    frame = frame.sort_values(["vendor_key", "indicator"], key=lambda s: s.map(order) if s.name == "indicator" else s)
    return frame.reset_index(drop=True)


# --- the score ---------------------------------------------------------------------------------

def _weighted(parts: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """vendor_key, score, indicators_used: the weighted mean over the indicators each vendor has."""
    if parts.empty:
        return pd.DataFrame(columns=["vendor_key", "score", "indicators_used"])
    frame = parts.assign(weight=parts["indicator"].map(weights).fillna(0.0))
    frame = frame[frame["weight"] > 0]
    frame = frame.assign(weighted=frame["score"] * frame["weight"])
    grouped = frame.groupby("vendor_key").agg(total=("weighted", "sum"), weight=("weight", "sum"),
                                              indicators_used=("indicator", "size")).reset_index()
    grouped["score"] = grouped["total"] / grouped["weight"]
    return grouped[["vendor_key", "score", "indicators_used"]]


def score_table(current: pd.DataFrame, previous: pd.DataFrame, weights: dict[str, float],
                vendors: pd.DataFrame) -> pd.DataFrame:
    """One row per vendor in `vendors`: score, rank, previous score, trend and each indicator's value and score.

    Pure: combines components() of two quarters with weights, so changing a weight needs no query.
    A vendor with no indicator data has no score and no rank.
    """
    weights = renormalise({name: weights.get(name, 0.0) for name in INDICATOR_NAMES})
    now = _weighted(current, weights)
    before = _weighted(previous, weights).rename(columns={"score": "previous_score"})
    table = vendors[["vendor_key", "vendor"]].merge(now, on="vendor_key", how="left")
    table = table.merge(before[["vendor_key", "previous_score"]], on="vendor_key", how="left")
    table["score"] = table["score"].astype(float).round(1)
    table["previous_score"] = table["previous_score"].astype(float).round(1)
    table["trend"] = (table["score"] - table["previous_score"]).round(1)
    table["indicators_used"] = pd.to_numeric(table["indicators_used"]).fillna(0).astype(int)
    table["rank"] = table["score"].rank(method="min", ascending=False).astype("Int64")
    wide_score = current.pivot_table(index="vendor_key", columns="indicator", values="score", aggfunc="first")
    wide_value = current.pivot_table(index="vendor_key", columns="indicator", values="value", aggfunc="first")
    for name in INDICATOR_NAMES:
        for suffix, wide in (("score", wide_score), ("value", wide_value)):
            column = wide[name] if name in wide.columns else pd.Series(dtype=float)
            table[f"{name}_{suffix}"] = table["vendor_key"].map(column).astype(float)
    # ties: the score resting on more indicators first
    table = table.sort_values(["rank", "indicators_used", "vendor"], ascending=[True, False, True],
                              na_position="last").reset_index(drop=True)
    front = ["rank", "vendor", "score", "previous_score", "trend", "indicators_used"]
    return table[front + [c for c in table.columns if c not in front]]


def scope(con, *, quarter_end: dt.date, include_uncontracted: bool = False) -> pd.DataFrame:
    """The vendors to score: every vendor with a contract, plus (optionally) those with spend in the 12 months."""
    vendors = vendor_list(con)
    if include_uncontracted:
        spend = _spend(con, quarter_end)
        active = set(spend.loc[spend["lines_12m"] > 0, "vendor_key"])
        return vendors[(vendors["contracts"] > 0) | vendors["vendor_key"].isin(active)].reset_index(drop=True)
    return vendors[vendors["contracts"] > 0].reset_index(drop=True)


def default_quarter_end(con) -> dt.date:
    """The last day of the latest complete fiscal quarter before the as-of date."""
    return quarters(con, count=1)[0][0]


def scorecard(con, *, quarter_end: dt.date | None = None, weights: dict[str, float] | None = None,
              include_uncontracted: bool = False) -> pd.DataFrame:
    """One row per vendor: score 0-100, rank, trend against the previous quarter and each indicator's parts.

    Defaults: the latest complete fiscal quarter and the saved weights.
    """
    quarter_end = quarter_end or default_quarter_end(con)
    weights = weights or get_weights(con)
    current = components(con, quarter_end=quarter_end)
    previous = components(con, quarter_end=previous_quarter_end(con, quarter_end=quarter_end))
    vendors = scope(con, quarter_end=quarter_end, include_uncontracted=include_uncontracted)
    return score_table(current, previous, weights, vendors)


def indicator_table(weights: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per indicator: label, which direction is better, unit, window, mapping to 0-100, weight."""
    weights = renormalise(weights or DEFAULT_WEIGHTS)
    return pd.DataFrame([{"indicator": i.name, "label": i.label, "better": i.better, "unit": i.unit,
                          "window": i.window, "mapping": i.mapping, "weight": weights[i.name]}
                         for i in INDICATORS])


# --- vendor detail -----------------------------------------------------------------------------

SPEND_HISTORY_SQL = """
with
names as (
    select distinct vendor from spend
),
matching as (
    select vendor from names where vendor_key(vendor) = $vendor_key
),
final as (
    select s.period, sum(cast(s.amount as decimal(38, 4)) * s.fx_rate) as amount_rc, count(*) as lines,
           count(*) filter (where s.is_fx_missing) as fx_missing_lines
    from spend_rc s
    join matching m on m.vendor = s.vendor
    group by s.period
)
select * from final order by period
"""

VENDOR_SLA_SQL = """
with
vendor_contracts as (
    select contract_id, service from contracts where vendor_key(vendor) = $vendor_key
),
final as (
    select s.period, s.contract_id, vc.service, s.metric, s.target, s.actual,
           case when s.metric = 'availability' then s.actual >= s.target else s.actual <= s.target end as is_met
    from sla s
    join vendor_contracts vc on vc.contract_id = s.contract_id
)
select * from final order by period, contract_id, metric
"""

VENDOR_INCIDENTS_SQL = f"""
with
vendor_contracts as (
    select contract_id, service from contracts where vendor_key(vendor) = $vendor_key
),
final as (
    select i.ticket_id, i.contract_id, vc.service, i.priority, {SEVERITY_SQL} as severity,
           i.opened_at, i.responded_at, i.resolved_at, i.resolved_at is null as is_open
    from incidents i
    join vendor_contracts vc on vc.contract_id = i.contract_id
)
select * from final order by opened_at desc
"""


def spend_history(con, *, vendor_key: str) -> pd.DataFrame:
    """One row per month with spend for the vendor: amount_rc, lines, fx_missing_lines."""
    return con.execute(SPEND_HISTORY_SQL, {"vendor_key": vendor_key}).df()


def vendor_contracts(con, *, vendor_key: str, on: dt.date | None = None) -> pd.DataFrame:
    """The vendor's rows of the contract register (same columns as contracts.register)."""
    reg = contracts.register(con, on=on)
    return reg[reg["vendor"].map(vendor_names.normalise) == vendor_key].reset_index(drop=True)


def sla_history(con, *, vendor_key: str) -> pd.DataFrame:
    """One row per month × contract × SLA metric of the vendor: target, actual, is_met."""
    return con.execute(VENDOR_SLA_SQL, {"vendor_key": vendor_key}).df()


def vendor_incidents(con, *, vendor_key: str) -> pd.DataFrame:
    """One row per incident on the vendor's contracts, newest first, with its severity 1-4."""
    return con.execute(VENDOR_INCIDENTS_SQL, {"vendor_key": vendor_key}).df()


def _filter_vendor(frame: pd.DataFrame | None, vendor_key: str) -> pd.DataFrame | None:
    if frame is None or "vendor" not in frame:
        return None
    return frame[frame["vendor"].map(vendor_names.normalise) == vendor_key].reset_index(drop=True)


def vendor_findings(con, *, vendor_key: str) -> pd.DataFrame | None:
    """The vendor's cost-audit findings (dismissed excluded); None when this Outlay has no cost audit module."""
    return _filter_vendor(_audit_findings(con), vendor_key)


def sla_months(con, *, vendor_key: str) -> pd.DataFrame | None:
    """The SLA module's contract × month attainment (ticket clocks, availability) for the vendor; None without it."""
    attainment = _optional("analytics.sla", "contract_month_attainment")
    return None if attainment is None else _filter_vendor(attainment(con), vendor_key)


def vendor_credits(con, *, vendor_key: str) -> pd.DataFrame | None:
    """The vendor's service credits; None when this Outlay has no SLA module."""
    credits = _optional("analytics.sla", "service_credits")
    if credits is None:
        return None
    frame = credits(con)
    if frame is not None and "vendor" not in frame and "contract_id" in frame:
        names = con.execute("select contract_id, vendor from contracts").df()
        frame = frame.merge(names, on="contract_id", how="left")
    return _filter_vendor(frame, vendor_key)


def bench_cases(con) -> list[tuple[str, object]]:
    """The queries the Vendors page runs."""
    quarter_end = default_quarter_end(con)
    vendors = vendor_list(con)
    key = vendors["vendor_key"].iloc[0] if len(vendors) else ""
    return [
        ("vendors.vendor_list", lambda: vendor_list(con)),
        ("vendors.components", lambda: components(con, quarter_end=quarter_end)),
        ("vendors.scorecard", lambda: scorecard(con, quarter_end=quarter_end)),
        ("vendors.spend_history", lambda: spend_history(con, vendor_key=key)),
        ("vendors.vendor_contracts", lambda: vendor_contracts(con, vendor_key=key)),
    ]


SPEND_BY_QUARTER_SQL = f"""
with
by_name as (
    select
        vendor,
        cast(date_trunc('month', date) as date)
            - to_months(((month(date) - $start_month) % 3 + 3) % 3) as quarter_start,
        sum({AMOUNT_RC}) as amount_rc,
        count(*) filter (where is_fx_missing) as fx_missing_lines
    from spend_rc
    where date between $first and $last
    group by all
),
final as (
    select vendor_key(vendor) as vendor_key, cast(quarter_start as date) as quarter_start,
           sum(amount_rc) as amount_rc, sum(fx_missing_lines) as fx_missing_lines
    from by_name
    group by all
)
select * from final order by vendor_key, quarter_start
"""


def spend_by_quarter(con, *, quarter_end: dt.date, count: int = 8) -> pd.DataFrame:
    """One row per vendor_key × fiscal quarter with spend, for the `count` quarters ending with quarter_end."""
    start_month = settings.get(con, "fiscal_year_start_month")
    first = fiscal.add_months(quarter_bounds(quarter_end, start_month)[0], -3 * (count - 1))
    frame = con.execute(SPEND_BY_QUARTER_SQL, {"start_month": start_month, "first": first,
                                               "last": quarter_end}).df()
    frame["quarter"] = [quarter_label(fiscal.add_months(q.date(), 3) - ONE_DAY, start_month)
                        for q in pd.to_datetime(frame["quarter_start"])]
    return frame


def contributions(table: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """One row per vendor × indicator with data: the points it adds to the vendor's score.

    points = score x effective weight / 100, where effective weights are the weights renormalised over
    the vendor's indicators with data; a vendor's points add up to its score.
    """
    weights = renormalise({name: weights.get(name, 0.0) for name in INDICATOR_NAMES})
    rows = []
    for r in table.itertuples(index=False):
        present = {name: getattr(r, f"{name}_score") for name in INDICATOR_NAMES
                   if not pd.isna(getattr(r, f"{name}_score")) and weights[name] > 0}
        used = sum(weights[name] for name in present)
        for name, score in present.items():
            rows.append({"vendor": r.vendor, "indicator": indicator(name).label, "score": score,
                         "effective_weight": 100 * weights[name] / used,
                         "points": score * weights[name] / used})
    return pd.DataFrame(rows, columns=["vendor", "indicator", "score", "effective_weight", "points"])


def parts_table(parts: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """One row per indicator for one vendor's components: value, score, weight, effective weight, basis (n/a rows too)."""
    weights = renormalise({name: weights.get(name, 0.0) for name in INDICATOR_NAMES})
    present = {r.indicator: r for r in parts.itertuples()}
    used = sum(weights[name] for name in present if weights[name] > 0)
    rows = []
    for ind in INDICATORS:
        part = present.get(ind.name)
        rows.append({"Indicator": ind.label, "Better": ind.better, "Value": part.value if part else None,
                     "Unit": ind.unit, "Score (0-100)": part.score if part else None, "Weight": weights[ind.name],
                     "Effective weight": round(100 * weights[ind.name] / used, 1) if part and used else None,
                     "Basis": part.basis if part else "n/a: no data"})
    return pd.DataFrame(rows)
