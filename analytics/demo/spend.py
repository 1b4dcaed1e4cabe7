"""The demo's spend lines, generated as numpy columns so 10M lines take seconds.

Lines are columns of small integers (source, day, cents, invoice key, item, kind); the text
columns (vendor, cost center, description, ...) come from a small `sources` table joined in
DuckDB. Sources are contract billings (one per contract and cost center share) and spend
streams (payroll, purchases, cloud usage, ...), see catalog.STREAMS.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics import fiscal
from analytics.demo import catalog, terms

EPOCH = dt.date(1970, 1, 1)
KIND_INVOICE, KIND_NONE, KIND_CREDIT = 0, 1, 2
# a contract invoice split over its cost centers: never two equal lines on one invoice
SPLIT_WEIGHTS = {0: (1.0,), 1: (0.6, 0.4), 2: (0.6, 0.25, 0.15)}
SEASONS = {
    # factor by fiscal month (0 = first month of the fiscal year)
    "flat": [1.0] * 12,
    "yearend": [0.6, 0.7, 0.8, 0.8, 0.9, 0.9, 0.8, 0.9, 1.0, 1.1, 1.9, 2.6],
    "services": [0.9, 1.0, 1.05, 1.05, 1.05, 1.0, 0.85, 0.8, 1.05, 1.1, 1.1, 1.05],
    "payroll": [1.0, 1.0, 1.55, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
}


def day_number(date: dt.date) -> int:
    return (date - EPOCH).days


def month_index(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Lines:
    """Spend lines as columns, plus the sources and item names they point to."""
    sources: list[dict] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    columns: dict[str, list[np.ndarray]] = field(default_factory=lambda: {k: [] for k in
                                                 ("src", "day", "cents", "inv", "item", "kind", "fixed")})
    next_invoice: int = 0

    def source(self, **row) -> int:
        row.setdefault("project", None)
        row.setdefault("contract_id", None)
        row["gl_account"] = catalog.CAPEX_GL_ACCOUNT if row["capex_opex"] == "capex" else catalog.GL_ACCOUNTS[row["category"]]
        row["inv_prefix"] = invoice_prefix(row["vendor"])
        self.sources.append(row)
        return len(self.sources) - 1

    def item_ids(self, names) -> np.ndarray:
        ids = []
        for name in names:
            if name not in self.items:
                self.items.append(name)
            ids.append(self.items.index(name))
        return np.array(ids, dtype=np.int32)

    def invoices(self, count: int) -> np.ndarray:
        keys = np.arange(self.next_invoice, self.next_invoice + count, dtype=np.int64)
        self.next_invoice += count
        return keys

    def add(self, src, day, cents, inv, item=None, kind=KIND_INVOICE, fixed=False) -> None:
        """Append lines; `fixed` amounts (contract bills, planted lines) are never nudged."""
        sizes = [np.size(v) for v in (src, day, cents, inv) if np.ndim(v)]
        n = max(sizes, default=1)
        if min(sizes, default=1) == 0:
            return
        as_array = lambda v, dtype: np.broadcast_to(np.asarray(v, dtype=dtype), (n,)).copy()  # noqa: E731
        self.columns["src"].append(as_array(src, np.int32))
        self.columns["day"].append(as_array(day, np.int32))
        self.columns["cents"].append(as_array(cents, np.int64))
        self.columns["inv"].append(as_array(inv, np.int64))
        self.columns["item"].append(as_array(-1 if item is None else item, np.int32))
        self.columns["kind"].append(as_array(kind, np.int8))
        self.columns["fixed"].append(as_array(fixed, bool))

    def sorted_columns(self) -> dict[str, np.ndarray]:
        """All lines as columns, sorted (date, source, invoice, amount), numbered, invoice numbers assigned.

        Consumes the appended parts column by column and reorders one column at a time, so the peak stays near
        two copies of the 30 bytes a line takes (100M lines: about 6 GB, not the 20 GB of whole-table copies).
        """
        cols = {}
        for key in list(self.columns):
            parts = self.columns[key]
            cols[key] = np.concatenate(parts) if parts else np.array([], dtype=np.int64)
            self.columns[key] = []
        order = np.lexsort((cols["cents"], cols["inv"], cols["src"], cols["day"]))
        for key in cols:
            cols[key] = cols[key][order]
        del order
        vendor_codes = {v: i for i, v in enumerate(sorted({row["vendor"] for row in self.sources}))}
        vendor = np.array([vendor_codes[row["vendor"]] for row in self.sources], dtype=np.int32)[cols["src"]]
        cols["cents"] = _spread_near_duplicates(vendor, cols["day"], cols["cents"], cols["fixed"])
        del vendor
        cols["cents"] = _unique_within_invoice(cols["inv"], cols["cents"], cols["fixed"])
        cols["inv_no"] = _number_invoices(cols["inv"])
        cols["row_no"] = np.arange(1, len(cols["day"]) + 1, dtype=np.int64)
        return cols

    def frame(self) -> pd.DataFrame:
        """`sorted_columns` as one frame (small builds and tests; the loader takes the columns in slices)."""
        return pd.DataFrame(self.sorted_columns())


def invoice_prefix(vendor: str) -> str:
    letters = re.sub(r"[^A-Za-z]", "", vendor).upper()
    return (letters[:3] or "INV").ljust(3, "X")


def _number_invoices(inv: np.ndarray) -> np.ndarray:
    """Invoice numbers 100001... in order of first appearance; -1 (no invoice) stays -1."""
    out = np.full(len(inv), -1, dtype=np.int64)
    has = inv >= 0
    keys, first, inverse = np.unique(inv[has], return_index=True, return_inverse=True)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(keys))
    out[has] = 100001 + rank[inverse]
    return out


def _spread_near_duplicates(vendor, day, cents, fixed, *, days: int = 14, passes: int = 5) -> np.ndarray:
    """Raise by a cent a random line repeating a same-vendor amount from the previous `days` days.

    So that, at scale 1, "same vendor and amount close in time" finds only the planted duplicate.
    A few passes; at large scales some coincidences remain, as in real ledgers.
    """
    cents = cents.copy()
    pick = np.flatnonzero(~fixed)
    for _ in range(passes):
        order = pick[np.lexsort((day[pick], cents[pick], vendor[pick]))]
        v, c, d = vendor[order], cents[order], day[order]
        same = (v[1:] == v[:-1]) & (c[1:] == c[:-1]) & (d[1:] - d[:-1] <= days)
        if not same.any():
            break
        cents[order[1:][same]] += 1
    return cents


def _unique_within_invoice(inv: np.ndarray, cents: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Raise by a few cents the random lines that repeat an amount on the same invoice.

    Only a planted duplicate should repeat vendor + invoice + amount; fixed lines (contract
    bills, planted lines, never on an invoice with random lines) keep theirs. Within an
    invoice, amounts sorted ascending become strictly increasing: c'[i] - i = cummax(c[i] - i).
    """
    cents = cents.copy()
    pick = np.flatnonzero(~fixed & (inv >= 0))
    if not len(pick):
        return cents
    order = pick[np.lexsort((cents[pick], inv[pick]))]
    group_inv = inv[order]
    new_group = np.r_[True, group_inv[1:] != group_inv[:-1]]
    group = np.cumsum(new_group) - 1
    starts = np.flatnonzero(new_group)
    position = np.arange(len(order)) - starts[group]
    shifted = cents[order] - position
    offset = np.int64(1) << np.int64(36)  # wider than any amount range, so cummax stays inside a group
    rising = np.maximum.accumulate(shifted + group * offset) - group * offset
    cents[order] = rising + position
    return cents


@dataclass
class Horizon:
    """The demo's calendar: spend from `first` to `as_of`; budget to `budget_end`."""
    as_of: dt.date
    fy_start: int

    @property
    def fiscal_year(self) -> int:
        return fiscal.fiscal_year(self.as_of, self.fy_start)

    @property
    def first(self) -> dt.date:
        return fiscal.bounds(self.fiscal_year - 2, self.fy_start)[0]

    @property
    def budget_end(self) -> dt.date:
        return fiscal.bounds(self.fiscal_year + 1, self.fy_start)[1]

    def months(self, last: dt.date) -> np.ndarray:
        return np.arange(month_index(self.first), month_index(last) + 1)

    def fiscal_month(self, months: np.ndarray) -> np.ndarray:
        return (months % 12 - (self.fy_start - 1)) % 12


def stream_expected(stream: catalog.StreamSpec, horizon: Horizon, months: np.ndarray) -> np.ndarray:
    """Expected monthly amount of a stream (its currency) for each month index, at scale 1."""
    offset = months - month_index(horizon.first)
    value = stream.monthly * (1 + stream.growth) ** (offset / 12) * np.take(SEASONS[stream.season], horizon.fiscal_month(months))
    if stream.window:
        value = np.where((offset >= stream.window[0]) & (offset < stream.window[1]), value, 0.0)
    return value


def add_streams(lines: Lines, rng: np.random.Generator, horizon: Horizon, scale: float,
                contract_ids: dict[str, str]) -> None:
    """Every stream's lines from the first month to the as-of date, `scale` times as many."""
    months = horizon.months(horizon.as_of)
    last = month_index(horizon.as_of)
    first_days = np.array([day_number(month_start(m)) for m in months], dtype=np.int64)
    days_in = np.array([fiscal.days_in_month(m // 12, m % 12 + 1) for m in months])
    open_days = np.where(months == last, horizon.as_of.day, days_in)
    for stream in catalog.STREAMS:
        src = lines.source(vendor=stream.vendor, cost_center=stream.cost_center, category=stream.category,
                           currency=stream.currency, capex_opex="capex" if stream.capex else "opex",
                           project=stream.project, contract_id=contract_ids.get(stream.contract or ""),
                           description=stream.description)
        expected = stream_expected(stream, horizon, months)
        if stream.lines < 5:
            _fixed_day_lines(lines, rng, stream, src, expected, first_days, days_in, open_days, scale)
        else:
            _random_lines(lines, rng, stream, src, expected, first_days, days_in, open_days, scale)


def _fixed_day_lines(lines, rng, stream, src, expected, first_days, days_in, open_days, scale):
    """Payroll, recharges, utilities: round(lines x scale) lines a month on a fixed day."""
    per_month = max(1, int(round(stream.lines * scale)))
    day_in_month = np.minimum(25 if stream.invoice == "none" else 5, days_in)
    keep = (expected > 0) & (day_in_month <= open_days)
    n = int(keep.sum()) * per_month
    day = np.repeat(first_days[keep] + day_in_month[keep] - 1, per_month)
    noise = rng.normal(1.0, 0.02, n)
    cents = np.round(np.repeat(expected[keep], per_month) / per_month * noise * 100).astype(np.int64)
    inv = -np.ones(n, dtype=np.int64) if stream.invoice == "none" else lines.invoices(n)
    lines.add(src, day, cents, inv, kind=KIND_NONE if stream.invoice == "none" else KIND_INVOICE)


def _random_lines(lines, rng, stream, src, expected, first_days, days_in, open_days, scale):
    """Poisson many lines a month with lognormal amounts; invoices group them as the stream says."""
    rate = stream.lines * scale
    if stream.invoice == "monthly":
        # usage billed on one invoice dated the 3rd; the as-of month's invoice only once issued
        share = (open_days >= 3).astype(float)
    else:
        share = open_days / days_in
    counts = rng.poisson(rate * share * (expected > 0))
    n = int(counts.sum())
    month_of_line = np.repeat(np.arange(len(counts)), counts)
    per_line = expected[month_of_line] / stream.lines
    cents = np.round(per_line * rng.lognormal(-0.18, 0.6, n) * 100).astype(np.int64)
    cents = np.maximum(cents, 500)
    if stream.invoice == "monthly":
        day = first_days[month_of_line] + 2
        new_invoice = np.r_[True, month_of_line[1:] != month_of_line[:-1]] if n else np.zeros(0, bool)
    else:
        day = first_days[month_of_line] + (rng.random(n) * open_days[month_of_line]).astype(np.int64)
        new_invoice = rng.random(n) > 0.35
        if n:
            new_invoice[0] = True
            new_invoice[1:] |= month_of_line[1:] != month_of_line[:-1]
    group = np.cumsum(new_invoice) - 1
    if n:
        day = day[np.flatnonzero(new_invoice)][group]  # the lines of one invoice share its date
    item = None
    if stream.items:
        item = lines.item_ids(stream.items)[rng.integers(0, len(stream.items), n)]
    if stream.invoice == "none":
        lines.add(src, day, cents, -np.ones(n, dtype=np.int64), item, KIND_NONE)
    else:
        base = lines.invoices(int(new_invoice.sum()))
        lines.add(src, day, cents, base[group] if n else base, item)


def add_contract_billing(lines: Lines, contracts: list[terms.DemoContract], horizon: Horizon) -> list[dict]:
    """Every contract's invoices to the as-of date; returns the planted anomaly lines."""
    planted = []
    for contract in contracts:
        spec = contract.spec
        centers = (spec.cost_center, *spec.split)
        weights = np.array(SPLIT_WEIGHTS[len(spec.split)])
        srcs = [lines.source(vendor=spec.vendor, cost_center=cc, category=spec.category, currency=spec.currency,
                             capex_opex="opex", contract_id=contract.contract_id,
                             description=spec.service) for cc in centers]
        invoice_of_date: dict[dt.date, int] = {}
        for date, amount, note in terms.billing_events(contract, horizon.first, horizon.as_of):
            total = int(round(amount * 100))
            parts = np.floor(total * weights).astype(np.int64)
            parts[0] += total - parts.sum()
            if note == "duplicate":
                key = invoice_of_date[max(invoice_of_date)]  # the same invoice, paid again
            else:
                key = int(lines.invoices(1)[0])
                invoice_of_date[date] = key
            lines.add(np.array(srcs), day_number(date), parts, key, fixed=True)
            if note != "bill":
                planted.append({"note": note, "contract_id": contract.contract_id, "vendor": spec.vendor,
                                "date": date, "cents": total, "currency": spec.currency, "inv": key,
                                "first_date": max(invoice_of_date) if note == "duplicate" else date})
    return planted


def add_no_contract_vendor(lines: Lines, rng: np.random.Generator, horizon: Horizon) -> list[dict]:
    """The planted vendor with sizeable invoices and no contract: nine invoices in eight months."""
    src = lines.source(vendor=catalog.NO_CONTRACT_VENDOR, cost_center="Enterprise Applications",
                       category="Outside Services", currency="GBP", capex_opex="opex",
                       description="Emergency developer cover")
    first = day_number(fiscal.add_months(dt.date(horizon.as_of.year, horizon.as_of.month, 1), -8))
    days = np.sort(rng.integers(first, day_number(horizon.as_of) + 1, 9))
    cents = (rng.integers(800, 2200, 9) * 1000).astype(np.int64)
    keys = lines.invoices(9)
    lines.add(src, days, cents, keys, fixed=True)
    return [{"note": "no_contract", "vendor": catalog.NO_CONTRACT_VENDOR, "date": EPOCH + dt.timedelta(days=int(d)),
             "cents": int(c), "currency": "GBP", "inv": int(k), "contract_id": None} for d, c, k in zip(days, cents, keys)]


def add_credit_notes(lines: Lines, credits: list[dict], contracts: list[terms.DemoContract]) -> None:
    """Service credits received (negative lines under the contract), one credit note each."""
    by_id = {c.contract_id: c for c in contracts}
    for credit in credits:
        contract = by_id[credit["contract_id"]]
        src = lines.source(vendor=contract.spec.vendor, cost_center=contract.spec.cost_center,
                           category=contract.spec.category, currency=contract.spec.currency, capex_opex="opex",
                           contract_id=contract.contract_id,
                           description=f"Service credit {credit['period']:%Y-%m} ({credit['metric']})")
        lines.add(src, day_number(credit["date"]), -credit["cents"], lines.invoices(1), kind=KIND_CREDIT)


def add_hardware_returns(lines: Lines, rng: np.random.Generator, horizon: Horizon) -> None:
    """A few credit notes for returned hardware."""
    src = lines.source(vendor="Dell Technologies", cost_center="End User Services", category="Hardware",
                       currency="USD", capex_opex="capex", description="Credit note: returned laptops")
    lo, hi = day_number(horizon.first) + 30, day_number(horizon.as_of)
    days = np.sort(rng.integers(lo, hi, 4))
    lines.add(src, days, -(rng.integers(12, 60, 4) * 10000).astype(np.int64), lines.invoices(4), kind=KIND_CREDIT)


SPEND_SQL = """
with
lines as (select * from demo_lines),
sources as (select * from demo_sources),
items as (select * from demo_items),
final as (
    select
        l.row_no,
        cast(date '1970-01-01' + l.day as date) as date,
        s.vendor,
        cast(l.cents / 100 as decimal(18, 2)) as amount,
        s.currency,
        s.cost_center,
        s.category,
        case when l.kind = 2 then 'CN-' || s.inv_prefix || '-' || cast(l.inv_no as varchar)
             when l.inv_no >= 0 then s.inv_prefix || '-' || cast(l.inv_no as varchar) end as invoice_id,
        s.contract_id,
        case when i.name is null then s.description else s.description || ': ' || i.name end as description,
        s.gl_account,
        s.capex_opex,
        s.project
    from lines l
    join sources s on s.src = l.src
    left join items i on i.item = l.item
)
select * from final
"""
