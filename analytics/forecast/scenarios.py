"""What-if scenarios on the year-end landing: budget cuts, cancelled or new contracts, renewal uplift, fx moves.

A scenario is a JSON object (saved by name in forecast_scenarios):
  budget_cuts:       [{dimension: cost_center|category, value, pct}]   budget lines matching lose pct %
  cancel_contracts:  [{contract_id, from_date}]                        payments dated from then on are dropped
  new_contracts:     [{name, vendor, cost_center, category, annual_value, currency, billing_frequency,
                       start_date, term_months, auto_renew}]           payments added like a register contract
  renewal_uplift_pct: x                                                payments of renewal terms not yet begun rise x %
  fx_changes:        [{currency, pct}]                                 that currency is worth pct % more in the
                                                                       reporting currency: committed payments in it,
                                                                       and the uncommitted forecast in proportion to
                                                                       the key's share of spend in it (last 12 months)
The statistical forecast itself is not refitted: scenarios move known amounts and budgets.
Budgets stay as loaded under an fx change (they are set in the reporting currency's terms).
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from analytics import calendar
from analytics import budget as budget_mod
from analytics import contracts, fiscal, i18n, store
from analytics.currencies import ISO_4217
from analytics.forecast.levels import LEVELS, check_level
from analytics.forecast import committed, yearend

EMPTY = {"budget_cuts": [], "cancel_contracts": [], "new_contracts": [], "renewal_uplift_pct": 0.0, "fx_changes": []}


def _date(value, what: str) -> str:
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a date YYYY-MM-DD") from None


def _pct(value, what: str, low: float = -100.0, high: float = 1000.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: {value!r} is not a number") from None
    if not low <= number <= high:
        raise ValueError(f"{what}: {number:g}% is outside {low:g}% to {high:g}%")
    return number


def normalize(spec: dict | str | None) -> dict:
    """A validated copy of a scenario with every key present; ValueError naming the first problem."""
    raw = json.loads(spec) if isinstance(spec, str) else dict(spec or {})
    unknown = set(raw) - set(EMPTY)
    if unknown:
        raise ValueError(f"unknown scenario part(s): {', '.join(sorted(unknown))}")
    out = {"budget_cuts": [], "cancel_contracts": [], "new_contracts": [],
           "renewal_uplift_pct": _pct(raw.get("renewal_uplift_pct", 0), "renewal uplift"), "fx_changes": []}
    for cut in raw.get("budget_cuts", []):
        if cut.get("dimension") not in ("cost_center", "category"):
            raise ValueError("a budget cut applies to a cost_center or a category")
        out["budget_cuts"].append({"dimension": cut["dimension"], "value": str(cut["value"]),
                                   "pct": _pct(cut["pct"], "budget cut", 0, 100)})
    for cancel in raw.get("cancel_contracts", []):
        out["cancel_contracts"].append({"contract_id": str(cancel["contract_id"]),
                                        "from_date": _date(cancel["from_date"], "cancel from")})
    for new in raw.get("new_contracts", []):
        out["new_contracts"].append(_new_contract(new))
    for move in raw.get("fx_changes", []):
        code = str(move.get("currency", "")).upper()
        if code not in ISO_4217:
            raise ValueError(f"fx change: {code!r} is not an ISO 4217 currency code")
        out["fx_changes"].append({"currency": code, "pct": _pct(move["pct"], "fx change", -99, 1000)})
    return out


def _new_contract(new: dict) -> dict:
    name = str(new.get("name", "")).strip()
    if not name:
        raise ValueError("a new contract needs a name")
    if new.get("billing_frequency") not in contracts.BILLING_MONTHS:
        raise ValueError(f"new contract {name}: billing frequency must be monthly, quarterly or annual")
    term = int(new.get("term_months", 12))
    if term < 1:
        raise ValueError(f"new contract {name}: the term must be at least 1 month")
    value = float(new["annual_value"])
    currency = str(new.get("currency", "")).upper()
    if currency not in ISO_4217:
        raise ValueError(f"new contract {name}: {currency!r} is not an ISO 4217 currency code")
    return {"name": name, "vendor": str(new.get("vendor") or name), "cost_center": str(new["cost_center"]),
            "category": str(new["category"]), "annual_value": value, "currency": currency,
            "billing_frequency": new["billing_frequency"], "start_date": _date(new["start_date"], f"new contract {name}"),
            "term_months": term, "auto_renew": bool(new.get("auto_renew", False))}


def describe(spec: dict) -> list[str]:
    """One plain sentence per change in the scenario, in the current language (analytics.i18n)."""
    spec = normalize(spec)
    t, english = i18n.t, i18n.current() == i18n.DEFAULT

    def pct(value: float, signed: bool = False) -> str:
        if english:
            return f"{value:+g}%" if signed else f"{value:g}%"
        decimals = 0 if float(value).is_integer() else len(f"{value:g}".split(".")[-1])
        return i18n.percent(value / 100, decimals, signed=signed)

    def day(value: str) -> str:
        return value if english else i18n.date(value)

    lines = [t(CUTS.get(c["dimension"], CUTS["cost_center"]), value=c["value"], pct=pct(c["pct"]))
             for c in spec["budget_cuts"]]
    lines += [t("cancel contract {contract} from {date}", contract=c["contract_id"], date=day(c["from_date"]))
              for c in spec["cancel_contracts"]]
    lines += [t("new contract {name} ({vendor}): {value} {currency} a year, {billing}, from {date} for {months} months",
                name=n["name"], vendor=n["vendor"],
                value=f"{n['annual_value']:,.0f}" if english else i18n.number(n["annual_value"]),
                currency=n["currency"], billing=t(BILLING.get(n["billing_frequency"], n["billing_frequency"])),
                date=day(n["start_date"]), months=n["term_months"]) for n in spec["new_contracts"]]
    if spec["renewal_uplift_pct"]:
        lines.append(t("price uplift of {pct} at renewals", pct=pct(spec["renewal_uplift_pct"])))
    lines += [t("{currency} {pct} against the reporting currency", currency=m["currency"], pct=pct(m["pct"], True))
              for m in spec["fx_changes"]]
    return lines or [t("no changes (baseline)")]


# a budget cut by the dimension it cuts (the sentence names the dimension in the language's own words)
CUTS = {"cost_center": i18n.N_("cut the cost center {value} budget by {pct}"),
        "category": i18n.N_("cut the category {value} budget by {pct}"),
        "vendor": i18n.N_("cut the vendor {value} budget by {pct}")}
BILLING = {"monthly": i18n.N_("monthly"), "quarterly": i18n.N_("quarterly"), "annual": i18n.N_("annual")}


def payments(con, *, start: dt.date, end: dt.date, spec: dict) -> pd.DataFrame:
    """One row per committed payment in [start, end] after the scenario, in the reporting currency."""
    spec = normalize(spec)
    base = committed.payments(con, start=start, end=end)
    for cancel in spec["cancel_contracts"]:
        stop = dt.date.fromisoformat(cancel["from_date"])
        base = base[~((base["contract_id"] == cancel["contract_id"]) & (base["payment_date"] >= stop))]
    if spec["renewal_uplift_pct"] and not base.empty:
        current = contracts.register(con, on=calendar.calendar(con).cutoff).set_index("contract_id")["current_term"]
        future = base["term_index"] > base["contract_id"].map(current).fillna(0)
        base = base.assign(amount=base["amount"].astype(float).where(
            ~future, base["amount"].astype(float) * (1 + spec["renewal_uplift_pct"] / 100)))
    added = [_new_payments(new, start, end) for new in spec["new_contracts"]]
    frame = pd.concat([base] + added, ignore_index=True) if added else base
    if frame.empty:
        return frame
    frame = committed.to_rc(con, frame)
    for move in spec["fx_changes"]:
        mask = frame["currency"] == move["currency"]
        frame.loc[mask, "amount_rc"] = frame.loc[mask, "amount_rc"] * (1 + move["pct"] / 100)
    return frame


def _new_payments(new: dict, start: dt.date, end: dt.date) -> pd.DataFrame:
    first = dt.date.fromisoformat(new["start_date"])
    last = fiscal.add_months(first, new["term_months"]) - dt.timedelta(days=1)
    rows = contracts.payments(first, last, annual_value=new["annual_value"], billing_frequency=new["billing_frequency"],
                              auto_renew=new["auto_renew"],
                              renewal_term_months=new["term_months"] if new["auto_renew"] else None, until=end)
    frame = pd.DataFrame([(committed.NEW_PREFIX + new["name"], new["vendor"], day, day.replace(day=1), amount, new["currency"],
                           index, index > 0, new["cost_center"], new["category"])
                          for day, amount, index in rows if start <= day <= end],
                         columns=committed.PAYMENT_COLUMNS + ["cost_center", "category"])
    return frame


def fx_factors(con, *, level: str, spec: dict) -> pd.DataFrame:
    """One row per key: how much the uncommitted forecast moves with the scenario's fx changes."""
    spec = normalize(spec)
    if not spec["fx_changes"]:
        return pd.DataFrame({"key": pd.Series(dtype=str), "factor": pd.Series(dtype=float)})
    cut = calendar.calendar(con).cutoff
    sql = f"""
        with
        lines as (
            select {LEVELS[level]} as key, currency, amount_rc
            from spend_rc
            where period < $cutoff and period >= $first
              and (contract_id is null or contract_id not in (select contract_id from contracts))
        ),
        final as (
            select key, currency, sum(amount_rc) / sum(sum(amount_rc)) over (partition by key) as share
            from lines
            group by key, currency
        )
        select * from final
    """
    shares = con.execute(sql, {"cutoff": cut, "first": fiscal.add_months(cut, -12)}).df()
    moves = {m["currency"]: m["pct"] / 100 for m in spec["fx_changes"]}
    shares["move"] = shares["share"].astype(float).fillna(0) * shares["currency"].map(moves).fillna(0.0)
    return shares.groupby("key", as_index=False)["move"].sum().assign(factor=lambda f: 1 + f["move"])[["key", "factor"]]


def landing(con, *, fiscal_year: int, level: str, spec: dict) -> pd.DataFrame:
    """The landing table (yearend.landing's columns) under the scenario."""
    check_level(level)
    spec = normalize(spec)
    win = yearend.window(con, fiscal_year=fiscal_year)
    pays = payments(con, start=win.rest_start, end=win.last, spec=spec) if win.rest else None
    commit = yearend.committed_rest(con, level=level, win=win, payments=pays if pays is not None else pd.DataFrame())
    unc = yearend.uncommitted_rest(con, level=level, win=win)
    factors = fx_factors(con, level=level, spec=spec)
    if not factors.empty and not unc.empty:
        factor = unc["key"].map(factors.set_index("key")["factor"]).fillna(1.0)
        unc = unc.assign(**{c: unc[c] * factor for c in ("forecast", "lo80", "hi80", "lo95", "hi95")})
    lines = cut_budget(con, fiscal_year=fiscal_year, lines=yearend.budget_lines(con, win=win), spec=spec)
    return yearend.combine_parts(con, level=level, win=win, commit=commit, unc=unc,
                                 bud=yearend.budget(lines, level=level))


OPEN_BUDGET_SQL = """
with
final as (
    select cost_center, category, sum(amount_rc) as open_budget
    from budget_in_force($version)
    where period >= $cutoff and period <= $last
    group by cost_center, category
)
select * from final
"""


def cut_budget(con, *, fiscal_year: int, lines: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """The full-year budget lines with each cut applied to the open months only: a closed month's budget is
    history (the reporting calendar, analytics.calendar, says which months are closed)."""
    if not spec["budget_cuts"]:
        return lines
    win = calendar.window(con, year=fiscal_year)
    params = {"version": budget_mod.default_version(con), "cutoff": win.cutoff, "last": win.last}
    open_lines = con.execute(OPEN_BUDGET_SQL, params).df()
    out = lines.merge(open_lines, on=["cost_center", "category"], how="left")
    out["open_budget"] = out["open_budget"].astype(float).fillna(0.0)
    for cut in spec["budget_cuts"]:
        mask = out[cut["dimension"]] == cut["value"]
        out.loc[mask, "budget"] -= out.loc[mask, "open_budget"] * cut["pct"] / 100
        out.loc[mask, "open_budget"] *= 1 - cut["pct"] / 100
    return out.drop(columns="open_budget")


def compare(con, *, fiscal_year: int, level: str, spec_json: str) -> pd.DataFrame:
    """One row per key: baseline and scenario landing, budget, over/under and overrun probability side by side."""
    keep = ["key", "landing", "budget", "over_under", "p_overrun"]
    base = yearend.landing(con, fiscal_year=fiscal_year, level=level)[keep]
    scen = landing(con, fiscal_year=fiscal_year, level=level, spec=json.loads(spec_json or "{}"))[keep]
    frame = base.merge(scen, on="key", how="outer", suffixes=("_baseline", "_scenario"))
    frame["landing_change"] = frame["landing_scenario"].fillna(0) - frame["landing_baseline"].fillna(0)
    return frame.sort_values("landing_baseline", ascending=False, na_position="last").reset_index(drop=True)


def save(con, *, name: str, spec: dict) -> None:
    """Store (or replace) a named scenario. Scenarios are not data: the data version does not change."""
    name = name.strip()
    if not name:
        raise ValueError("a scenario needs a name")
    text = json.dumps(normalize(spec), sort_keys=True)
    with store.transaction(con, changes_data=False):
        con.execute("insert into forecast_scenarios values (?, ?, current_timestamp, current_timestamp) "
                    "on conflict (name) do update set spec = excluded.spec, updated_at = excluded.updated_at",
                    [name, text])


def load(con, *, name: str) -> dict:
    """The saved scenario called `name`; KeyError when there is none."""
    row = con.execute("select spec from forecast_scenarios where name = ?", [name]).fetchone()
    if row is None:
        raise KeyError(f"no saved scenario called {name!r}")
    return normalize(json.loads(row[0]))


def delete(con, *, name: str) -> None:
    con.execute("delete from forecast_scenarios where name = ?", [name])


def saved(con) -> pd.DataFrame:
    """One row per saved scenario: name, when it was last saved, what it changes."""
    frame = con.execute("select name, spec, updated_at from forecast_scenarios order by name").df()
    frame["changes"] = [("; ".join(describe(json.loads(s)))) for s in frame["spec"]]
    return frame[["name", "updated_at", "changes", "spec"]]


def describe_json(con, *, spec_json: str) -> list[str]:
    """describe() for the page's cache (which passes a connection first)."""
    return describe(json.loads(spec_json or "{}"))
