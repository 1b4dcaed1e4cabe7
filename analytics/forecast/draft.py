"""Next fiscal year's budget drafted from the forecast, edited line by line and saved as a budget version.

Grain: one row per cost center x category (the budget's grain) for the draft year.
- committed: contract payments due in the year (auto-renewals included), split over cost centers and
  categories by each contract's billing history (yearend/committed.py);
- forecast: the cost center's uncommitted forecast for the year, split over its categories by their
  share of the cost center's uncommitted spend in the last 12 months;
- adjustment: what the scenario changes (committed changes, fx moves, then budget cuts on the line);
- proposed = committed + forecast + adjustment, in the reporting currency, to the cent.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import pandas as pd

from analytics import calendar
from analytics import fiscal, i18n, settings, store
from analytics.forecast import committed, scenarios, yearend

DRAFT_COLUMNS = ["cost_center", "category", "committed", "forecast", "adjustment", "proposed", "basis"]
SEP = "\x1f"


def _line_payments(con, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per cost center x category x month of committed payments (reporting currency)."""
    if frame.empty:
        return pd.DataFrame(columns=["cost_center", "category", "period", "committed"])
    by_line = []
    # split each contract over cost center x category with the joint shares of its billing history
    shares = committed.line_allocation(con)
    explicit = frame["contract_id"].astype(str).str.startswith(committed.NEW_PREFIX)
    known = frame[~explicit].merge(shares, on="contract_id", how="left")
    known["cost_center"] = known["cost_center"].fillna(committed.NO_HISTORY)
    known["category"] = known["category"].fillna(committed.NO_HISTORY)
    known["share"] = known["share"].fillna(1.0)
    by_line.append(known.assign(committed=known["amount_rc"] * known["share"]))
    if explicit.any():
        by_line.append(frame[explicit].assign(committed=frame.loc[explicit, "amount_rc"]))
    out = pd.concat(by_line, ignore_index=True)[["cost_center", "category", "period", "committed"]]
    out["period"] = pd.to_datetime(out["period"])
    return out.groupby(["cost_center", "category", "period"], as_index=False)["committed"].sum()


def _line_forecast(con, win: yearend.Window, factors: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per cost center x category x month: the cost center's uncommitted forecast split by category."""
    unc = yearend.uncommitted_rest(con, level="cost_center", win=win)[["key", "period", "forecast"]]
    if factors is not None and not factors.empty:
        unc = unc.assign(forecast=unc["forecast"] * unc["key"].map(factors.set_index("key")["factor"]).fillna(1.0))
    cut = calendar.calendar(con).cutoff
    sql = """
        select cost_center, category, sum(amount_rc) as amount
        from spend_rc
        where period < $cutoff and period >= $first
          and (contract_id is null or contract_id not in (select contract_id from contracts))
        group by cost_center, category
    """
    mix = con.execute(sql, {"cutoff": cut, "first": fiscal.add_months(cut, -12)}).df()
    mix["amount"] = mix["amount"].astype(float).clip(lower=0)
    mix["share"] = mix["amount"] / mix.groupby("cost_center")["amount"].transform("sum")
    mix = mix[mix["share"].notna() & (mix["share"] > 0)]
    out = unc.rename(columns={"key": "cost_center"}).merge(mix[["cost_center", "category", "share"]],
                                                          on="cost_center", how="left")
    out["category"] = out["category"].fillna("(uncategorised)")
    out["forecast"] = out["forecast"] * out["share"].fillna(1.0)
    return out[["cost_center", "category", "period", "forecast"]]


def monthly(con, *, fiscal_year: int, spec_json: str = "{}") -> pd.DataFrame:
    """One row per cost center x category x month of the draft year: committed, forecast, scenario amounts."""
    win = yearend.window(con, fiscal_year=fiscal_year)
    if win.first < win.cutoff:
        raise ValueError(f"{fiscal.label(fiscal_year, settings.get(con, 'fiscal_year_start_month'))} has already "
                         "begun: draft the next fiscal year")
    spec = scenarios.normalize(json.loads(spec_json or "{}"))
    base_pay = committed.committed_rc(con, start=win.first, end=win.last)
    scen_pay = scenarios.payments(con, start=win.first, end=win.last, spec=spec)
    base = _line_payments(con, base_pay)
    scen = _line_payments(con, scen_pay).rename(columns={"committed": "committed_scenario"})
    fc = _line_forecast(con, win)
    fc_scen = _line_forecast(con, win, scenarios.fx_factors(con, level="cost_center", spec=spec)).rename(
        columns={"forecast": "forecast_scenario"})
    keys = ["cost_center", "category", "period"]
    frame = base.merge(fc, on=keys, how="outer").merge(scen, on=keys, how="outer").merge(fc_scen, on=keys, how="outer")
    frame = frame.fillna({"committed": 0.0, "forecast": 0.0, "committed_scenario": 0.0, "forecast_scenario": 0.0})
    cut_pct = pd.Series(0.0, index=frame.index)
    for cut in spec["budget_cuts"]:
        cut_pct = cut_pct.where(frame[cut["dimension"]] != cut["value"], 1 - (1 - cut_pct) * (1 - cut["pct"] / 100))
    scenario_total = (frame["committed_scenario"] + frame["forecast_scenario"]) * (1 - cut_pct)
    frame["adjustment"] = scenario_total - frame["committed"] - frame["forecast"]
    frame["cut_pct"] = cut_pct * 100
    return frame


def draft(con, *, fiscal_year: int, spec_json: str = "{}") -> pd.DataFrame:
    """One row per cost center x category: committed, forecast, adjustment, proposed and the basis in words."""
    frame = monthly(con, fiscal_year=fiscal_year, spec_json=spec_json)
    if frame.empty:
        return pd.DataFrame(columns=DRAFT_COLUMNS)
    lines = frame.groupby(["cost_center", "category"], as_index=False).agg(
        committed=("committed", "sum"), forecast=("forecast", "sum"), adjustment=("adjustment", "sum"),
        cut_pct=("cut_pct", "max"))
    for col in ("committed", "forecast", "adjustment"):
        lines[col] = lines[col].round(2) + 0.0
    lines["proposed"] = (lines["committed"] + lines["forecast"] + lines["adjustment"]).round(2)
    lines["basis"] = [_basis(r) for r in lines.itertuples(index=False)]
    lines = lines[(lines[["committed", "forecast", "adjustment"]].abs().sum(axis=1) > 0)]
    return lines.sort_values(["cost_center", "category"])[DRAFT_COLUMNS].reset_index(drop=True)


def _basis(row) -> str:
    """What a line rests on, its parts joined by ' + ' (each part a whole phrase of the current language)."""
    parts = []
    if row.committed:
        parts.append(i18n.t("committed contracts"))
    if row.forecast:
        parts.append(i18n.t("statistical forecast of uncommitted spend"))
    if row.adjustment and row.cut_pct:
        cut = (f"{row.cut_pct:g}%" if i18n.current() == i18n.DEFAULT
               else i18n.percent(row.cut_pct / 100, 0 if float(row.cut_pct).is_integer() else 1))
        parts.append(i18n.t("scenario adjustment (incl. {pct} cut)", pct=cut))
    elif row.adjustment:
        parts.append(i18n.t("scenario adjustment"))
    return " + ".join(parts)


def spread(con, *, fiscal_year: int, lines: pd.DataFrame, spec_json: str = "{}") -> pd.DataFrame:
    """One row per line x month: each line's (edited) proposed amount spread like its drafted months.

    Months are rounded to the cent and the last month takes the remainder, so they add up exactly.
    A line with no drafted profile (added by hand, or all zero) is spread evenly.
    """
    months = [pd.Timestamp(m) for m in yearend.window(con, fiscal_year=fiscal_year).months]
    profile = monthly(con, fiscal_year=fiscal_year, spec_json=spec_json)
    profile["weight"] = (profile["committed"] + profile["forecast"] + profile["adjustment"]).clip(lower=0)
    rows = []
    for line in lines.itertuples(index=False):
        mine = profile[(profile["cost_center"] == line.cost_center) & (profile["category"] == line.category)]
        weights = mine.set_index("period")["weight"].reindex(months, fill_value=0.0).to_numpy()
        weights = weights / weights.sum() if weights.sum() > 0 else np.full(12, 1 / 12)
        total = round(float(line.proposed), 2)
        amounts = [round(total * w, 2) for w in weights[:-1]]
        amounts.append(round(total - sum(amounts), 2))
        rows += [(m.date(), line.cost_center, line.category, a) for m, a in zip(months, amounts)]
    return pd.DataFrame(rows, columns=["period", "cost_center", "category", "amount"])


def save_version(con, *, fiscal_year: int, version: str, lines: pd.DataFrame, spec_json: str = "{}") -> int:
    """Store the draft lines as budget version `version` for the year (one import batch); returns rows written.

    Refuses a version name the year already uses, so a saved budget is never overwritten.
    """
    version = version.strip()
    if not version:
        raise ValueError("the budget version needs a name")
    win = yearend.window(con, fiscal_year=fiscal_year)
    taken = con.execute("select count(*) from budget where version = ? and period between ? and ?",
                        [version, win.first, win.last]).fetchone()[0]
    if taken:
        raise ValueError(f"budget version {version!r} already exists for this year: choose another name")
    monthly_rows = spread(con, fiscal_year=fiscal_year, lines=lines, spec_json=spec_json)
    currency = settings.get(con, "reporting_currency")
    digest = hashlib.sha256(monthly_rows.to_csv(index=False).encode()).hexdigest()
    with store.transaction(con):
        batch = con.execute(
            "insert into import_batches (dataset, file_name, sha256, row_count, imported_at, imported_by) "
            "values ('budget', ?, ?, ?, ?, 'forecast draft') returning batch_id",
            [f"forecast draft {version}", digest, len(monthly_rows), dt.datetime.now()]).fetchone()[0]
        con.register("draft_rows_in", monthly_rows.assign(row_no=range(1, len(monthly_rows) + 1)))
        try:
            con.execute("insert into budget (batch_id, row_no, period, cost_center, category, amount, currency, version) "
                        "select ?, row_no, period, cost_center, category, amount, ?, ? from draft_rows_in",
                        [batch, currency, version])
        finally:
            con.unregister("draft_rows_in")
    return len(monthly_rows)


def apply_edits(lines: pd.DataFrame, edited: pd.DataFrame) -> pd.DataFrame:
    """The draft lines with people's edits of `proposed`: the difference goes to adjustment, noted in basis."""
    out = lines.copy().reset_index(drop=True)
    new = pd.to_numeric(edited.reset_index(drop=True)["proposed"], errors="coerce").round(2)
    changed = new.notna() & (new != out["proposed"])
    out.loc[changed, "adjustment"] = (out.loc[changed, "adjustment"] + new[changed] - out.loc[changed, "proposed"]).round(2)
    out.loc[changed, "proposed"] = new[changed]
    out.loc[changed, "basis"] = out.loc[changed, "basis"].where(out.loc[changed, "basis"] == "", out.loc[changed, "basis"] + " + ") + i18n.t("edited by hand")
    return out
