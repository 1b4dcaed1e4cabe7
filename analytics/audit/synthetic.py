"""A synthetic company with known anomalies of every audit rule planted among clean data.

Used by the recall/precision test and to benchmark the audit at scale: `build(con, per_rule=20)`
writes contracts, spend, licences and fx rates and returns the planted anomalies, one row each:
(rule, match, value) where a finding of `rule` matches when its `match` field (evidence, vendor,
contract_id or category) contains `value`. The clean data includes the near misses the rules must
ignore: monthly subscriptions, refunds, the same amount paid to two vendors, single payments just
under the approval limit, fixed contracts ending soon, allowed yearly price uplifts, seasonal
annual bills and fully used licences. `background_lines` adds many small ordinary invoice lines
(set-based, for the benchmark).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics.fiscal import add_months

AS_OF = dt.date(2026, 11, 15)
FIRST_MONTH = dt.date(2023, 11, 1)
LAST_MONTH = dt.date(2026, 10, 1)
MONTHS = [add_months(FIRST_MONTH, i) for i in range(36)]
BIG_CATEGORIES = ("Software", "Cloud Services", "Hardware", "Telecom", "Outside Services")
COST_CENTERS = ("Infrastructure", "Workplace", "Applications", "Security", "Data")
RULES = ("duplicate_payment", "no_contract", "outside_contract_dates", "over_contract_value", "price_creep",
         "unusual_spend", "unused_licenses", "renewal_deadline", "vendor_consolidation", "split_purchase")


class _Company:
    def __init__(self, seed: int, per_rule: int):
        self.rng = np.random.default_rng(seed)
        self.per_rule = per_rule
        self.spend: list[dict] = []
        self.contracts: list[dict] = []
        self.licenses: list[dict] = []
        self.planted: list[tuple[str, str, str]] = []
        self.invoice_no = 0

    def invoice(self, prefix: str = "INV") -> str:
        self.invoice_no += 1
        return f"{prefix}-{self.invoice_no:07d}"

    def line(self, date, vendor, amount, *, currency="USD", cost_center=None, category="Software",
             invoice_id: str | None = "new", contract_id=None, description="Services") -> dict:
        row = {"row_no": len(self.spend) + 1, "date": date, "vendor": vendor, "amount": round(float(amount), 2),
               "currency": currency, "cost_center": cost_center or str(self.rng.choice(COST_CENTERS)),
               "category": category, "invoice_id": self.invoice() if invoice_id == "new" else invoice_id,
               "contract_id": contract_id, "description": description}
        self.spend.append(row)
        return row

    def plant(self, rule: str, match: str, value: str) -> None:
        self.planted.append((rule, match, value))

    @staticmethod
    def ref(row: dict) -> str:
        return row["invoice_id"] or f"batch 1 row {row['row_no']}"

    def adhoc_amount(self) -> float:
        return round(float(self.rng.uniform(500, 8000)), 2)

    def day(self, month: dt.date, lo: int = 0, hi: int = 27) -> dt.date:
        return month + dt.timedelta(days=int(self.rng.integers(lo, hi + 1)))


def _big_vendors(co: _Company) -> list[dict]:
    """Contract vendors: a monthly bill under the contract and a few ad-hoc lines each month."""
    roles = [r for r in ("outside_contract_dates", "over_contract_value", "price_creep", "renewal_deadline")
             for _ in range(co.per_rule)]
    vendors = [{"role": role} for role in roles] + [{"role": "clean"} for _ in range(co.per_rule * 2)]
    for i, v in enumerate(vendors):
        v["name"] = f"Vendor {i:03d} Holdings"
        v["contract_name"] = f"VENDOR {i:03d} HOLDINGS LIMITED" if i % 3 == 0 else v["name"] + " Ltd"
        v["contract_id"] = f"C-{i:04d}"
        v["currency"] = "EUR" if i % 5 == 4 else "USD"
        v["price"] = round(float(co.rng.uniform(80000, 150000)), 2)
        v["category"] = BIG_CATEGORIES[i % len(BIG_CATEGORIES)]
        v["cost_center"] = COST_CENTERS[i % len(COST_CENTERS)]
    return vendors


def _contract_for(co: _Company, v: dict) -> dict:
    role = v["role"]
    start_month = int(co.rng.choice([3, 4, 5])) if role == "renewal_deadline" else int(co.rng.choice([6, 7, 8, 9, 10, 12, 1]))
    start = dt.date(int(co.rng.choice([2021, 2022])), start_month, 1)
    end = add_months(start, 24) - dt.timedelta(days=1)
    auto, months, notice = True, 12, 90
    if role == "outside_contract_dates":
        if len([c for c in co.contracts if c.get("_side") == "before"]) < co.per_rule // 3:
            start, side = add_months(FIRST_MONTH, int(co.rng.integers(3, 8))), "before"
            end = add_months(start, 36) - dt.timedelta(days=1)
        else:
            end, side = add_months(LAST_MONTH, -int(co.rng.integers(4, 12))) - dt.timedelta(days=1), "after"
        auto, months, notice = False, None, None
        v["_side"] = side
    elif role == "renewal_deadline" or co.rng.random() < 0.5:
        pass
    else:
        auto, months, notice = False, 12, 60
        end = dt.date(2027, 12, 31)  # express renewal that runs past the data
    annual = 12 * v["price"] * 1.03 ** 6 * 1.02
    if role == "over_contract_value":
        annual = 12 * v["price"] * 0.85
    elif role == "price_creep":
        annual = 12 * v["price"] * 1.03 ** 6 * 1.40
    return {"contract_id": v["contract_id"], "vendor": v["contract_name"], "service": f"Managed service {v['contract_id']}",
            "start_date": start, "end_date": end, "annual_value": round(annual, 2), "currency": v["currency"],
            "auto_renew": auto, "renewal_term_months": months, "notice_days": notice, "billing_frequency": "monthly",
            "_side": v.get("_side")}


def _bills(co: _Company, v: dict, contract: dict) -> None:
    creep_from = add_months(LAST_MONTH, -int(co.rng.integers(2, 9))) if v["role"] == "price_creep" else None
    creep_factor = float(co.rng.uniform(1.12, 1.30))
    for month in MONTHS:
        years = (month.year - contract["start_date"].year) * 12 + month.month - contract["start_date"].month
        price = v["price"] * 1.03 ** max(years // 12, 0)
        if creep_from and month >= creep_from:
            price *= creep_factor
        row = co.line(month + dt.timedelta(days=2), v["name"], price, currency=v["currency"],
                      cost_center=v["cost_center"], category=v["category"], contract_id=v["contract_id"],
                      description=f"Monthly service fee {month:%B %Y}")
        if month == creep_from:
            co.plant("price_creep", "evidence", co.ref(row))
        if not contract["start_date"] <= month <= contract["end_date"] and not contract["auto_renew"]:
            continue   # ad-hoc purchases only while the contract runs (else they are uncontracted spend)
        for _ in range(int(co.rng.integers(2, 5))):
            co.line(co.day(month), v["name"], co.adhoc_amount(), currency=v["currency"], cost_center=v["cost_center"],
                    category=v["category"], description="Additional services")


def _payment_anomalies(co: _Company, vendors: list[dict]) -> None:
    usd = [v for v in vendors if v["currency"] == "USD" and v["role"] != "outside_contract_dates"]
    adhoc = [r for r in co.spend if r["description"] == "Additional services" and r["currency"] == "USD"
             and r["date"] <= add_months(LAST_MONTH, -1)]
    picks = co.rng.choice(len(adhoc), size=co.per_rule * 3, replace=False)
    for n, index in enumerate(picks[:co.per_rule]):
        source = adhoc[index]
        later = source["date"] + dt.timedelta(days=int(co.rng.integers(2, 13)))
        kind = n % 3
        if kind == 2:   # no invoice numbers at all
            source["invoice_id"] = None
        invoice = source["invoice_id"] if kind == 0 else (co.invoice("DUP") if kind == 1 else None)
        copy = co.line(later, source["vendor"].upper() if kind == 0 else source["vendor"], source["amount"],
                       cost_center=source["cost_center"], category=source["category"], invoice_id=invoice,
                       description=source["description"])
        co.plant("duplicate_payment", "evidence", co.ref(copy))
    for index in picks[co.per_rule:co.per_rule * 2]:  # near miss: a refunded duplicate
        source = adhoc[index]
        later = source["date"] + dt.timedelta(days=3)
        co.line(later, source["vendor"], source["amount"], cost_center=source["cost_center"],
                category=source["category"], invoice_id=source["invoice_id"], description=source["description"])
        co.line(later + dt.timedelta(days=5), source["vendor"], -source["amount"], cost_center=source["cost_center"],
                category=source["category"], invoice_id=co.invoice("CN"), description="Credit note")
    for index in picks[co.per_rule * 2:]:  # near misses: the same amount to another vendor; a plain refund
        source = adhoc[index]
        other = usd[int(co.rng.integers(len(usd)))]
        if other["name"] != source["vendor"]:
            co.line(source["date"], other["name"], source["amount"], cost_center=other["cost_center"],
                    category=other["category"], description="Additional services")
        co.line(source["date"] + dt.timedelta(days=9), source["vendor"], -round(source["amount"] / 2, 2),
                cost_center=source["cost_center"], category=source["category"], invoice_id=co.invoice("CN"),
                description="Credit note")
    for n in range(co.per_rule):
        v = usd[n % len(usd)]
        month = MONTHS[int(co.rng.integers(0, 35))]
        date = co.day(month, 0, 20)
        parts = sorted(co.rng.choice(np.arange(9050, 9990), size=int(co.rng.integers(2, 4)), replace=False))
        for k, amount in enumerate(parts):
            row = co.line(date + dt.timedelta(days=k * int(co.rng.integers(1, 3))), v["name"],
                          float(amount) + 0.25, cost_center=v["cost_center"], category=v["category"],
                          description="Equipment order")
            if k == 0:
                co.plant("split_purchase", "evidence", co.ref(row))
        # near miss: one payment just under the limit, far from any other
        co.line(co.day(MONTHS[(MONTHS.index(month) + 18) % 36], 0, 20), v["name"], 9500.5 + n,
                cost_center=v["cost_center"], category=v["category"], description="Equipment order")
    for n in range(co.per_rule):
        v = usd[(n * 7 + 3) % len(usd)]
        month = MONTHS[-1 - int(co.rng.integers(0, 11))]
        row = co.line(co.day(month), v["name"], v["price"] * float(co.rng.uniform(2.5, 4.0)), cost_center=v["cost_center"],
                      category=v["category"], description="One-off project")
        co.plant("unusual_spend", "evidence", co.ref(row))


def _other_vendors(co: _Company) -> None:
    for n in range(co.per_rule):
        name = f"Uncontracted Supplier {n:02d} Inc"
        first = int(co.rng.integers(0, 20))
        for month in MONTHS[first:]:
            for _ in range(2):
                co.line(co.day(month), name if month.month % 2 else name.upper().replace("INC", "INCORPORATED"),
                        co.rng.uniform(3000, 6000), category=BIG_CATEGORIES[n % 5], description="Consulting days")
        co.plant("no_contract", "vendor", name)
    for n in range(co.per_rule):   # near miss: small vendors without contracts, below the threshold
        name = f"Occasional Supplier {n:02d}"
        for month in MONTHS[n % 12::12]:
            co.line(co.day(month), name, co.rng.uniform(500, 3000), category=f"Misc {n % 7}", description="Parts")
    for n, month in enumerate(MONTHS):   # near miss: internal recharges need no contract
        co.line(co.day(month), "Internal recharge - Facilities", 25000 + n, category="Internal Services",
                invoice_id=None, description="Office space")
    for n in range(co.per_rule):
        category = f"Fragmented category {n:02d}"
        co.plant("vendor_consolidation", "category", category)
        for k in range(int(co.rng.integers(5, 9))):
            name = f"Small Vendor {n:02d}-{k}"
            for month in co.rng.choice(MONTHS[-11:], size=3, replace=False):
                co.line(co.day(month), name, co.rng.uniform(400, 2800), category=category, description="Supplies")
            co.contracts.append({"contract_id": f"SV-{n:02d}-{k}", "vendor": name, "service": "Supplies",
                                 "start_date": dt.date(2022, 1, 1), "end_date": dt.date(2027, 12, 31),
                                 "annual_value": 50000.0, "currency": "USD", "auto_renew": False,
                                 "renewal_term_months": None, "notice_days": None, "billing_frequency": None})


def _licenses(co: _Company, vendors: list[dict]) -> None:
    for n in range(co.per_rule * 3):
        planted = n < co.per_rule
        seats = int(co.rng.integers(50, 2000))
        idle_share = co.rng.uniform(0.2, 0.5) if planted else (0.0 if n % 4 == 0 else co.rng.uniform(0.0, 0.08))
        active = seats - int(round(seats * idle_share))
        product = f"Product {n:03d} Suite"
        v = vendors[n % len(vendors)]
        for period in (dt.date(2026, 9, 1), dt.date(2026, 10, 1)):
            co.licenses.append({"product": product, "vendor": v["contract_name"], "seats_purchased": seats,
                                "seats_assigned": active, "seats_active": active,
                                "unit_cost": round(float(co.rng.uniform(50, 900)), 2), "currency": v["currency"],
                                "contract_id": v["contract_id"], "period": period})
        if planted:
            co.plant("unused_licenses", "evidence", product)


def build(con, *, seed: int = 11, per_rule: int = 20, background_lines: int = 0) -> pd.DataFrame:
    """Write the synthetic company into an empty database; returns the planted anomalies (rule, match, value)."""
    co = _Company(seed, per_rule)
    vendors = _big_vendors(co)
    for v in vendors:
        contract = _contract_for(co, v)
        co.contracts.append(contract)
        _bills(co, v, contract)
        # renewal_deadline contracts start on 1 March, April or May: with yearly tacit renewals and 90
        # days' notice their cancel-by dates fall 15, 46 or 76 days after AS_OF; the others' do not
        if v["role"] in ("outside_contract_dates", "over_contract_value", "renewal_deadline"):
            co.plant(v["role"], "contract_id", v["contract_id"])
        # a fixed contract ending within 90 days: not a tacit renewal, so no renewal finding
    co.contracts.append({"contract_id": "C-FIXED", "vendor": "Fixed Term Services", "service": "Migration project",
                         "start_date": dt.date(2025, 1, 1), "end_date": dt.date(2026, 12, 31), "annual_value": 10000.0,
                         "currency": "USD", "auto_renew": False, "renewal_term_months": None, "notice_days": 60,
                         "billing_frequency": "annual"})
    _payment_anomalies(co, vendors)
    _other_vendors(co)
    _licenses(co, vendors)
    _write(con, co, background_lines)
    return pd.DataFrame(co.planted, columns=["rule", "match", "value"])


def _write(con, co: _Company, background_lines: int) -> None:
    spend = pd.DataFrame(co.spend)
    contracts = pd.DataFrame(co.contracts).drop(columns=["_side"], errors="ignore")
    licenses = pd.DataFrame(co.licenses)
    fx = pd.DataFrame({"period": MONTHS + [add_months(LAST_MONTH, 1)], "currency": "EUR"})
    fx["rate_to_base"] = [round(1.08 + 0.03 * np.sin(i / 4), 4) for i in range(len(fx))]
    con.execute("begin transaction")
    try:
        con.register("syn_spend", spend)
        con.execute("insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category, "
                    "invoice_id, contract_id, description) select 1, row_no, date, vendor, amount, currency, "
                    "cost_center, category, invoice_id, contract_id, description from syn_spend")
        con.register("syn_contracts", contracts)
        con.execute("insert into contracts (batch_id, row_no, contract_id, vendor, service, start_date, end_date, "
                    "annual_value, currency, auto_renew, renewal_term_months, notice_days, billing_frequency) "
                    "select 2, row_number() over (), contract_id, vendor, service, start_date, end_date, annual_value, "
                    "currency, auto_renew, renewal_term_months, notice_days, billing_frequency from syn_contracts")
        con.register("syn_licenses", licenses)
        con.execute("insert into licenses (batch_id, row_no, product, vendor, seats_purchased, seats_assigned, "
                    "seats_active, unit_cost, currency, contract_id, period) select 3, row_number() over (), product, "
                    "vendor, seats_purchased, seats_assigned, seats_active, unit_cost, currency, contract_id, period "
                    "from syn_licenses")
        con.register("syn_fx", fx)
        con.execute("insert into fx select 4, row_number() over (), period, currency, rate_to_base from syn_fx")
        if background_lines:
            _background(con, len(spend), background_lines)
        con.execute("insert into settings values ('as_of_date', ?)", [AS_OF.isoformat()])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        for name in ("syn_spend", "syn_contracts", "syn_licenses", "syn_fx"):
            con.unregister(name)


def _background(con, offset: int, count: int) -> None:
    """`count` small ordinary invoice lines spread over the contract vendors (set-based)."""
    con.execute("""
        insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category, invoice_id,
                           contract_id, description)
        select 5, i, date '2023-11-01' + cast(hash(i, 1) % 1095 as integer),
            'Vendor ' || lpad(cast(hash(i, 2) % 40 as varchar), 3, '0') || ' Holdings',
            cast(20 + (hash(i, 3) % 798000) / 100.0 as decimal(18, 4)), 'USD',
            ['Infrastructure', 'Workplace', 'Applications', 'Security', 'Data'][1 + cast(hash(i, 4) % 5 as integer)],
            'Software', 'BG-' || i, null, 'Usage item ' || (hash(i, 5) % 50)
        from range(?, ?) t(i)
    """, [offset + 1, offset + 1 + count])


def main(argv: list[str] | None = None) -> int:
    """`python -m analytics.audit.synthetic --db PATH [--lines N] [--time]`: build it, optionally time the audit."""
    import argparse
    import os
    import time

    from analytics import audit, store

    parser = argparse.ArgumentParser(prog="python -m analytics.audit.synthetic", description=main.__doc__)
    parser.add_argument("--db", required=True, help="database file to create (replaced if it exists)")
    parser.add_argument("--lines", type=int, default=1_000_000, help="total spend lines (default 1,000,000)")
    parser.add_argument("--time", action="store_true", help="then time the whole audit and each rule (bench_cases)")
    args = parser.parse_args(argv)
    if os.path.exists(args.db):
        os.remove(args.db)
    probe = store.connect(":memory:")
    base = len(build(probe)) and probe.execute("select count(*) from spend").fetchone()[0]
    probe.close()
    con = store.connect(args.db)
    build(con, background_lines=max(args.lines - base, 0))
    lines = con.execute("select count(*) from spend").fetchone()[0]
    print(f"{args.db}: {lines:,} spend lines")
    if args.time:
        for name, case in audit.bench_cases(con):
            wall, cpu = time.perf_counter(), time.process_time()
            case()
            print(f"{name:<40} {time.perf_counter() - wall:7.2f} s wall {time.process_time() - cpu:7.2f} s cpu")
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
