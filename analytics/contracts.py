"""Contract terms, cancel-by dates and committed payments, computed over the whole chain of terms.

Term ends are computed from the start date, never by adding to the previous end (no month-end
drift): the initial term ends at start + initial months - 1 day, renewal k at
start + (initial + k x renewal) months - 1 day. When the initial term is not a whole number of
months, renewals are anchored on the day after the initial end instead.
A term's cancel-by date is its end minus the notice period. For a tacit (automatic) renewal the
cancel-by date moves forward with each renewal term; a tacit contract without a notice period can
be cancelled up to its term end (notice 0, flagged is_notice_missing).
Fixed-term and express-renewal contracts have nothing to cancel: they end at their end date unless
renewed by agreement, so their deadline is the end date.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from analytics import i18n, settings, store, vendor_names
from analytics.fiscal import add_months

ONE_DAY = dt.timedelta(days=1)
BILLING_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


@dataclass(frozen=True)
class Term:
    index: int              # 0 = initial term, k = k-th renewal
    start_date: dt.date
    end_date: dt.date
    cancel_by_date: dt.date | None


@dataclass(frozen=True)
class Deadline:
    """Where a contract stands on a given day."""
    renewal_type: str             # tacit | express | fixed
    status: str                   # not started | active | expired
    term: Term | None             # the term running on the day (the last one once expired)
    cancel_by_date: dt.date | None    # next cancel-by date on or after the day (tacit renewal only)
    missed_cancel_by_date: dt.date | None  # the current term's cancel-by date when it has passed
    term_end_date: dt.date | None     # end of the term that cancel_by_date controls (or of the current term)
    days_left: int | None


def renewal_type(auto_renew: bool, renewal_term_months) -> str:
    if auto_renew and renewal_term_months:
        return "tacit"
    if renewal_term_months:
        return "express"
    return "fixed"


def whole_months(start: dt.date, end: dt.date) -> int | None:
    """m when end is exactly start + m months - 1 day, else None."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    for m in (months - 1, months, months + 1):
        if m > 0 and add_months(start, m) - ONE_DAY == end:
            return m
    return None


def term_end(start: dt.date, end: dt.date, renewal_months: int, k: int) -> dt.date:
    """End of term k (0 = initial) from the start date, without cumulative drift."""
    if k == 0:
        return end
    initial = whole_months(start, end)
    if initial is not None:
        return add_months(start, initial + k * renewal_months) - ONE_DAY
    return add_months(end + ONE_DAY, k * renewal_months) - ONE_DAY


def terms(start: dt.date, end: dt.date, *, auto_renew: bool, renewal_term_months: int | None,
          notice_days: int | None, until: dt.date) -> list[Term]:
    """The initial term and, for tacit renewals, every renewal term that starts on or before `until`."""
    notice = dt.timedelta(days=int(notice_days or 0))
    has_notice = notice_days is not None and not pd.isna(notice_days)
    result = [Term(0, start, end, end - notice if has_notice else None)]
    if renewal_type(auto_renew, renewal_term_months) != "tacit":
        return result
    months = int(renewal_term_months)
    k = 1
    while result[-1].end_date < until:
        term_start = result[-1].end_date + ONE_DAY
        term_last = term_end(start, end, months, k)
        result.append(Term(k, term_start, term_last, term_last - notice if has_notice else None))
        k += 1
    return result


def deadline(start: dt.date, end: dt.date, *, auto_renew: bool, renewal_term_months: int | None,
             notice_days: int | None, on: dt.date) -> Deadline:
    """The contract's current term and next cancel-by date as seen on day `on`."""
    kind = renewal_type(auto_renew, renewal_term_months)
    if kind == "tacit" and (notice_days is None or pd.isna(notice_days)):
        notice_days = 0  # no notice period: cancellable up to the term end
    # enough terms to find a cancel-by date on or after `on`, even when notice exceeds a term
    horizon = on + dt.timedelta(days=int(notice_days or 0) + 400)
    chain = terms(start, end, auto_renew=auto_renew, renewal_term_months=renewal_term_months,
                  notice_days=notice_days, until=horizon)
    if on < start:
        current, status = chain[0], "not started"
    else:
        running = [t for t in chain if t.start_date <= on <= t.end_date]
        current = running[0] if running else chain[-1]
        status = "active" if running else "expired"
    if kind != "tacit":
        days = (current.end_date - on).days if status != "expired" else None
        return Deadline(kind, status, current, None, None, current.end_date, days)
    missed = current.cancel_by_date if current.cancel_by_date and current.cancel_by_date < on else None
    upcoming = [t for t in chain if t.cancel_by_date is not None and t.cancel_by_date >= on]
    nxt = upcoming[0] if upcoming else None
    cancel_by = nxt.cancel_by_date if nxt else None
    days = (cancel_by - on).days if cancel_by else None
    return Deadline(kind, status, current, cancel_by, missed, nxt.end_date if nxt else current.end_date, days)


def _contracts(con) -> pd.DataFrame:
    return con.execute(
        "select contract_id, vendor, service, owner, start_date, end_date, annual_value, currency, auto_renew, "
        "renewal_term_months, notice_days, billing_frequency from contracts order by contract_id"
    ).df()


NEXT_ACTION = {
    "tacit": "cancel by the cancel-by date, or it renews automatically",
    "express": "renew by agreement before the end date, or it ends",
    "fixed": "ends at the end date",
}
REGISTER_COLUMNS = [
    "contract_id", "vendor", "service", "owner", "renewal_type", "auto_renew", "status", "start_date", "end_date",
    "current_term", "current_term_start_date", "current_term_end_date", "cancel_by_date", "missed_cancel_by_date",
    "term_end_date", "deadline_date", "days_left", "notice_days", "is_notice_missing", "renewal_term_months",
    "annual_value", "currency", "next_term_value", "billing_frequency", "next_action",
]


def _register_row(c, on: dt.date) -> dict:
    months = None if pd.isna(c.renewal_term_months) else int(c.renewal_term_months)
    notice = None if pd.isna(c.notice_days) else int(c.notice_days)
    d = deadline(_date(c.start_date), _date(c.end_date), auto_renew=bool(c.auto_renew),
                 renewal_term_months=months, notice_days=notice, on=on)
    renews = d.renewal_type in ("tacit", "express")
    if d.renewal_type == "tacit":
        deadline_date = d.cancel_by_date
    else:
        deadline_date = d.term.end_date if d.status != "expired" else None
    return {
        "contract_id": c.contract_id, "vendor": c.vendor, "service": c.service, "owner": c.owner,
        "renewal_type": d.renewal_type, "auto_renew": bool(c.auto_renew), "status": d.status,
        "start_date": _date(c.start_date), "end_date": _date(c.end_date),
        "current_term": d.term.index if d.term else None,
        "current_term_start_date": d.term.start_date if d.term else None,
        "current_term_end_date": d.term.end_date if d.term else None,
        "cancel_by_date": d.cancel_by_date, "missed_cancel_by_date": d.missed_cancel_by_date,
        "term_end_date": d.term_end_date, "deadline_date": deadline_date, "days_left": d.days_left,
        "notice_days": notice, "is_notice_missing": notice is None, "renewal_term_months": months,
        "annual_value": float(c.annual_value), "currency": c.currency,
        "next_term_value": float(c.annual_value) * months / 12 if renews else None,
        "billing_frequency": c.billing_frequency,
        "next_action": "expired" if d.status == "expired" else NEXT_ACTION[d.renewal_type],
    }


def register(con, *, on: dt.date | None = None) -> pd.DataFrame:
    """One row per contract: renewal type, status, current term, next cancel-by date and days left.

    deadline_date is the next date to act on: the cancel-by date for a tacit renewal, the end date
    otherwise; days_left counts the days from `on` to it. next_term_value is the value of one renewal
    term (tacit or express), in the contract's currency.
    """
    on = on or settings.as_of(con)
    rows = [_register_row(c, on) for c in _contracts(con).itertuples(index=False)]
    frame = pd.DataFrame(rows, columns=REGISTER_COLUMNS)
    # whole numbers that may be missing are float (NaN), not Int64: pd.NA breaks the Excel writer
    for column in ("days_left", "current_term", "notice_days", "renewal_term_months"):
        frame[column] = frame[column].astype(float)
    return frame


def filter_register(frame: pd.DataFrame, *, vendors=(), owners=(), statuses=(), renewal_types=()) -> pd.DataFrame:
    """The register rows matching every non-empty filter (same grain as the register)."""
    mask = pd.Series(True, index=frame.index)
    for column, wanted in (("vendor", vendors), ("owner", owners), ("status", statuses),
                           ("renewal_type", renewal_types)):
        if wanted:
            mask &= frame[column].isin(list(wanted))
    return frame[mask].reset_index(drop=True)


def _of_vendor(frame: pd.DataFrame, vendor: str | None) -> pd.DataFrame:
    """The rows whose vendor is `vendor` by name key ("ACME LIMITED" is "Acme Ltd"); all rows for None."""
    if vendor is None:
        return frame
    return frame[frame["vendor"].map(vendor_names.normalise) == vendor_names.normalise(vendor)]


def cancel_by_due(con, *, within_days: int = 90, on: dt.date | None = None,
                  vendor: str | None = None) -> pd.DataFrame:
    """One row per tacitly renewing contract whose next cancel-by date falls in [on, on + within_days].

    The one definition of "cancel-by within N days" (Overview, Contracts page, audit rule
    renewal_deadline, `renewals` CLI, metric cancel_by_due). A missed cancel-by date does not count:
    the contract renews, and its next term's cancel-by date is the one that may fall in the window.
    Columns: those of register(); sorted by cancel_by_date, contract_id. vendor matches by name key.
    """
    on = on or settings.as_of(con)
    reg = _of_vendor(register(con, on=on), vendor)
    due = (reg["renewal_type"] == "tacit") & reg["days_left"].between(0, within_days)
    return reg[due].sort_values(["cancel_by_date", "contract_id"]).reset_index(drop=True)


def ending_within(con, *, within_days: int = 90, on: dt.date | None = None,
                  vendor: str | None = None) -> pd.DataFrame:
    """One row per fixed-term or express-renewal contract whose current term ends in [on, on + within_days].

    Nothing to cancel: they end unless renewed by agreement (cancel_by_date empty). Same columns as register().
    """
    on = on or settings.as_of(con)
    reg = _of_vendor(register(con, on=on), vendor)
    due = (reg["renewal_type"] != "tacit") & (reg["status"] != "expired") & reg["days_left"].between(0, within_days)
    return reg[due].sort_values(["term_end_date", "contract_id"]).reset_index(drop=True)


def renewals(con, *, within_days: int = 90, on: dt.date | None = None,
             include_ending: bool = False) -> pd.DataFrame:
    """cancel_by_due(); with include_ending, also ending_within() (deadline order: deadline_date, contract_id)."""
    due = cancel_by_due(con, within_days=within_days, on=on)
    if not include_ending:
        return due
    both = pd.concat([due, ending_within(con, within_days=within_days, on=on)], ignore_index=True)
    return both.sort_values(["deadline_date", "contract_id"]).reset_index(drop=True)


# DOMAIN.md: alerts at 90, 60 and 30 days before a cancel-by date, and on the day itself (level 0)
ALERT_DAYS = (90, 60, 30)

ALERT_COLUMNS = ["contract_id", "vendor", "service", "owner", "renewal_type", "kind", "deadline_date", "days_left",
                 "level_days", "level", "message", "is_acknowledged"]


def _level(days_left: int, windows: tuple[int, ...]) -> int | None:
    """The tightest alert level the day falls in: 0 (the day itself), else the smallest window >= days_left."""
    if days_left < 0:
        return None
    if days_left == 0:
        return 0
    fitting = [w for w in windows if days_left <= w]
    return min(fitting) if fitting else None


def _alerts_for(row, windows) -> list[dict]:
    """The alerts one register row raises: its cancel-by date and, where it ends or renews, its end date. The
    level and the message are words in the current language (alerts are computed when asked, never stored);
    `kind` and `level_days` stay codes."""
    found = []
    if row.status == "expired":
        return found
    if row.renewal_type == "tacit" and row.cancel_by_date is not None:
        days = (row.cancel_by_date - row.on).days
        found.append(("cancel_by", row.cancel_by_date, days,
                      i18n.n("cancel by {date} or it renews on {renews} for {count} month",
                             "cancel by {date} or it renews on {renews} for {count} months",
                             int(row.renewal_term_months), date=i18n.day(row.cancel_by_date),
                             renews=i18n.day(row.term_end_date + ONE_DAY))))
        if row.missed_cancel_by_date is not None:
            end = row.current_term_end_date
            found.append(("end", end, (end - row.on).days,
                          i18n.t("cancel-by date {date} missed: renews automatically on {renews}",
                                 date=i18n.day(row.missed_cancel_by_date), renews=i18n.day(end + ONE_DAY))))
    elif row.renewal_type != "tacit":
        end = row.current_term_end_date
        message = (i18n.t("ends unless renewed by agreement on {date}", date=i18n.day(end))
                   if row.renewal_type == "express" else i18n.t("expires on {date}", date=i18n.day(end)))
        found.append(("end", end, (end - row.on).days, message))
    result = []
    for kind, day, days, message in found:
        level = _level(days, windows)
        if level is not None:
            label = i18n.t("today") if level == 0 else i18n.n("within {count} day", "within {count} days", level)
            result.append({"kind": kind, "deadline_date": day, "days_left": days, "level_days": level,
                           "level": label, "message": message})
    return result


def alerts(con, *, on: dt.date | None = None, include_acknowledged: bool = True) -> pd.DataFrame:
    """One row per alert due on `on`: contract × kind (cancel_by | end), with its level and acknowledgement.

    Levels: 90, 60, 30 days before, and the day itself (ALERT_DAYS).
    """
    on = on or settings.as_of(con)
    windows = ALERT_DAYS
    reg = register(con, on=on).assign(on=on)
    rows = []
    for row in reg.itertuples(index=False):
        for alert in _alerts_for(row, windows):
            rows.append({"contract_id": row.contract_id, "vendor": row.vendor, "service": row.service,
                         "owner": row.owner, "renewal_type": row.renewal_type, **alert})
    frame = pd.DataFrame(rows, columns=ALERT_COLUMNS[:-1])
    acks = con.execute("select contract_id, kind, deadline_date, level_days from contract_alert_acks").df()
    acked = {(a.contract_id, a.kind, _date(a.deadline_date), int(a.level_days)) for a in acks.itertuples()}
    frame["is_acknowledged"] = [(r.contract_id, r.kind, r.deadline_date, r.level_days) in acked
                                for r in frame.itertuples()]
    if not include_acknowledged:
        frame = frame[~frame["is_acknowledged"]]
    return frame.sort_values(["days_left", "contract_id", "kind"]).reset_index(drop=True)


def acknowledge_alert(con, *, contract_id: str, kind: str, deadline_date: dt.date, level_days: int,
                      by: str | None = None, note: str | None = None) -> None:
    """Record that someone saw one alert; the same contract's next level or next term still alerts."""
    if kind not in ("cancel_by", "end"):
        raise ValueError(f"unknown alert kind {kind!r}; expected cancel_by or end")
    with store.transaction(con):
        con.execute("delete from contract_alert_acks where contract_id = ? and kind = ? and deadline_date = ? "
                    "and level_days = ?", [contract_id, kind, deadline_date, int(level_days)])
        con.execute("insert into contract_alert_acks values (?, ?, ?, ?, current_timestamp, ?, ?)",
                    [contract_id, kind, deadline_date, int(level_days), by, note])


TIMELINE_COLUMNS = ["contract_id", "vendor", "service", "renewal_type", "term_index", "start_date", "end_date",
                    "cancel_by_date", "is_current", "is_projected", "term_kind"]


def term_kind(start: dt.date, end: dt.date, index: int, on: dt.date) -> str:
    """A term as of `on`: "past term" (ended), "current term" (runs on `on`), "projected auto-renewal" (a
    renewal term still to come) or "upcoming term" (a signed contract's first term, not started yet)."""
    if end < on:
        return "past term"
    if start <= on:
        return "current term"
    return "projected auto-renewal" if index > 0 else "upcoming term"


def timeline(con, *, start: dt.date, end: dt.date, on: dt.date | None = None) -> pd.DataFrame:
    """One row per contract × term overlapping [start, end], including terms a contract will auto-renew into.

    cancel_by_date is set for tacit renewals only; is_projected marks renewal terms starting after `on`;
    term_kind names each term as of `on` (term_kind).
    """
    on = on or settings.as_of(con)
    rows = []
    for c in _contracts(con).itertuples(index=False):
        months = None if pd.isna(c.renewal_term_months) else int(c.renewal_term_months)
        notice = 0 if pd.isna(c.notice_days) else int(c.notice_days)
        kind = renewal_type(bool(c.auto_renew), months)
        for t in terms(_date(c.start_date), _date(c.end_date), auto_renew=bool(c.auto_renew),
                       renewal_term_months=months, notice_days=notice, until=end):
            if t.end_date < start or t.start_date > end:
                continue
            rows.append((c.contract_id, c.vendor, c.service, kind, t.index, t.start_date, t.end_date,
                         t.cancel_by_date if kind == "tacit" else None, t.start_date <= on <= t.end_date,
                         t.index > 0 and t.start_date > on, term_kind(t.start_date, t.end_date, t.index, on)))
    return pd.DataFrame(rows, columns=TIMELINE_COLUMNS)


def payments(start: dt.date, end: dt.date, *, annual_value: float, billing_frequency: str | None,
             auto_renew: bool, renewal_term_months: int | None, until: dt.date) -> list[tuple[dt.date, float, int]]:
    """(payment date, amount, term index) for each billing period starting on or before `until`.

    Billing is in advance at the start of each period; a term shorter than a period is billed pro rata.
    """
    step = BILLING_MONTHS.get(billing_frequency or "annual", 12)
    chain = terms(start, end, auto_renew=auto_renew, renewal_term_months=renewal_term_months,
                  notice_days=None, until=until)
    result = []
    for term in chain:
        i = 0
        while True:
            period_start = add_months(term.start_date, i * step)
            if period_start > term.end_date or period_start > until:
                break
            period_end = min(add_months(term.start_date, (i + 1) * step) - ONE_DAY, term.end_date)
            full_days = (add_months(term.start_date, (i + 1) * step) - period_start).days
            share = ((period_end - period_start).days + 1) / full_days
            result.append((period_start, round(annual_value * step / 12 * share, 2), term.index))
            i += 1
    return result


def committed_payments(con, *, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per contract payment dated in [start, end], including terms contracts will auto-renew into.

    Columns: contract_id, vendor, payment_date, period, amount, currency, term_index, is_renewal_term,
    term_start_date.
    """
    frame = con.execute(
        "select contract_id, vendor, start_date, end_date, annual_value, currency, auto_renew, "
        "renewal_term_months, billing_frequency from contracts order by contract_id").df()
    rows = []
    for c in frame.itertuples(index=False):
        months = None if pd.isna(c.renewal_term_months) else int(c.renewal_term_months)
        first, last = _date(c.start_date), _date(c.end_date)
        starts = {t.index: t.start_date for t in terms(first, last, auto_renew=bool(c.auto_renew),
                                                        renewal_term_months=months, notice_days=None, until=end)}
        for day, amount, index in payments(first, last, annual_value=float(c.annual_value),
                                           billing_frequency=c.billing_frequency, auto_renew=bool(c.auto_renew),
                                           renewal_term_months=months, until=end):
            if start <= day <= end:
                rows.append((c.contract_id, c.vendor, day, day.replace(day=1), amount, c.currency, index, index > 0,
                             starts[index]))
    return pd.DataFrame(rows, columns=["contract_id", "vendor", "payment_date", "period", "amount", "currency",
                                       "term_index", "is_renewal_term", "term_start_date"])


COMMITTED_SQL = """
with
payments as (
    select * from committed
),
reporting as (
    select coalesce(max(case when name = 'reporting_currency' then value end),
                    max(case when name = 'base_currency' then value end), 'USD') as currency
    from settings
),
rated as (
    -- the payment month's rate, else the latest earlier one (future months have no rate yet)
    select p.*, f.period as fx_period, f.rate
    from payments p
    asof left join fx_rc f on f.currency = p.currency and p.period >= f.period
),
final as (
    select
        r.period, r.vendor, r.term_start_date > $on as is_projected,
        sum(cast(r.amount as decimal(38, 4))
            * case when r.currency = rep.currency then 1 else r.rate end) as amount_rc,
        count(*) as payments,
        coalesce(bool_or(r.currency <> rep.currency and r.rate is null), false) as is_fx_missing,
        coalesce(bool_or(r.currency <> rep.currency and r.fx_period < r.period), false) as is_fx_carried_forward
    from rated r cross join reporting rep
    group by all
)
select * from final order by period, vendor, is_projected
"""


def committed_by_month(con, *, start: dt.date, end: dt.date, on: dt.date | None = None,
                       contract_ids: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per month × vendor × is_projected: committed contract payments in the reporting currency.

    Payments follow each contract's billing frequency (in advance), over its terms and the terms it
    will auto-renew into; is_projected marks renewal terms that start after `on`. A month without an fx rate uses the latest earlier month's rate
    (is_fx_carried_forward); a currency with no rate at all leaves amount_rc empty (is_fx_missing).
    contract_ids limits the payments to those contracts.
    """
    on = on or settings.as_of(con)
    committed = committed_payments(con, start=start, end=end)
    if contract_ids is not None:
        committed = committed[committed["contract_id"].isin(list(contract_ids))]
    with store.frame_as_table(con, "committed", committed):
        return con.execute(COMMITTED_SQL, {"on": on}).df()


def committed_totals(committed: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """One row per month × is_projected of committed_by_month(): amount_rc summed over vendors, how many vendors
    it comes from and the `top` largest of them by amount (names, largest first, joined by ", ").

    What the committed-spend chart draws: one bar segment per month and kind of term instead of one per vendor
    (48 instead of ~700 at the demo's size). Payments without an amount (no fx rate) are left out, as the chart
    leaves them out; a month whose payments all lack one is left out.
    """
    known = committed[committed["amount_rc"].notna()].assign(amount_rc=lambda f: f["amount_rc"].astype(float))
    if known.empty:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "is_projected": pd.Series(dtype=bool),
                             "amount_rc": pd.Series(dtype=float), "vendors": pd.Series(dtype=int),
                             "largest": pd.Series(dtype=object)})
    ranked = known.sort_values(["period", "is_projected", "amount_rc", "vendor"], ascending=[True, True, False, True])
    groups = ranked.groupby(["period", "is_projected"], sort=True)
    totals = groups.agg(amount_rc=("amount_rc", "sum"), vendors=("vendor", "nunique"),
                        largest=("vendor", lambda names: ", ".join(names.drop_duplicates().head(top))))
    return totals.reset_index()[["period", "is_projected", "amount_rc", "vendors", "largest"]]


def bench_cases(con) -> list[tuple[str, object]]:
    """The queries the Contracts page runs."""
    on = settings.as_of(con)
    year_start = on.replace(month=1, day=1)
    # no floors: terms, cancel-by dates and payments are worked out contract by contract in Python (renewal chains,
    # pro-rata billing); no table holds them, so there is no plain-SQL aggregate of the same rows to compare with
    return [
        ("contracts.register", lambda: register(con, on=on)),
        ("contracts.alerts", lambda: alerts(con, on=on)),
        ("contracts.timeline", lambda: timeline(con, start=year_start, end=year_start.replace(year=on.year + 3))),
        ("contracts.committed_by_month", lambda: committed_by_month(
            con, start=year_start, end=year_start.replace(year=on.year + 2) - ONE_DAY)),
    ]


def _date(value) -> dt.date:
    """A pandas Timestamp or date as a plain date."""
    return pd.Timestamp(value).date()
