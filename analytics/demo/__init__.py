"""The demo company: a realistic, deterministic IT estate to try every page on.

`build(con, as_of=..., seed=..., scale=...)` replaces the database's data with three fiscal
years of spend up to the as-of date, budgets to the end of the next fiscal year, contracts,
fx rates, SLA measurements, schedules, holidays and priority targets, incidents and
pauses, licences, loaded through the import pipeline as
batches named `demo:<dataset>`. The same seed, as-of date, scale and fiscal-year start give
identical data. A few anomalies are planted for the cost audit to find; `build` returns them.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from analytics import settings
from analytics.fiscal import add_months
from analytics.demo import catalog, load, service, spend, tables, terms
from analytics.demo import cloud as demo_cloud
from analytics.demo import showback as demo_showback

DEFAULT_SEED = 7
# bump when the generated data changes, so saved bench databases are rebuilt
GENERATOR_VERSION = 6


class DemoRefused(ValueError):
    """The database holds imported data the demo would overwrite."""


@dataclass(frozen=True)
class Anomaly:
    """A planted finding: what, who, which invoices and contract, how much (original currency)."""
    kind: str            # duplicate_invoice, spend_after_contract_end, price_above_contract, vendor_without_contract
    vendor: str
    contract_id: str | None
    invoice_ids: tuple[str, ...]
    dates: tuple[dt.date, ...]
    amount: Decimal      # the money at stake, in `currency`
    currency: str
    detail: str


@dataclass
class DemoResult:
    as_of: dt.date
    seed: int
    scale: float
    fy_start: int
    rows: dict[str, int] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    renewals_due: list[tuple[str, dt.date]] = field(default_factory=list)  # (contract_id, cancel-by date)
    seconds: float = 0.0


def build(con, *, as_of: dt.date | None = None, seed: int = DEFAULT_SEED, scale: float = 1.0, fy_start: int = 1,
          force: bool = False) -> DemoResult:
    """Replace the database's data with the demo company; refuses imported data unless `force`."""
    started = time.perf_counter()
    as_of = as_of or dt.date.today()
    if scale <= 0:
        raise ValueError("scale must be positive")
    if not 1 <= fy_start <= 12:
        raise ValueError("fy_start must be a month number 1-12")
    foreign = load.foreign_batches(con)
    if foreign and not force:
        shown = ", ".join(f"{b} ({d}: {f})" for b, d, f in foreign[:5])
        raise DemoRefused(f"the database holds {len(foreign)} imported batch(es) the demo would replace: {shown}"
                          f"{' ...' if len(foreign) > 5 else ''}. Use --force to replace them, or --db for another file")
    horizon = spend.Horizon(as_of, fy_start)
    rng = lambda part: np.random.default_rng([seed, part])  # noqa: E731  one stream per component
    contracts = terms.build_contracts(rng(1), as_of)
    rates = tables.fx_rates(rng(2), horizon)
    targets = service.draw_targets(rng(10), contracts)
    incidents, pauses = service.incidents_frames(rng(6), contracts, horizon, targets)
    frames = {
        "contracts": tables.contracts_frame(contracts),
        "fx": tables.fx_frame(rates),
        "budget": tables.budget_frame(rng(5), contracts, horizon, rates, scale),
        "sla": tables.sla_measurements(rng(3), contracts, horizon),
        "schedules": service.schedules_frame(),
        "holidays": service.holidays_frame(horizon),
        "sla_targets": service.targets_frame(contracts, targets),
        "incidents": incidents,
        "incident_pauses": pauses,
        "licenses": tables.licenses_frame(rng(7), contracts, horizon),
        **demo_showback.frames(as_of, fy_start),
    }
    signature = f"{seed}|{as_of.isoformat()}|{scale}|{fy_start}"
    load.clear(con)
    settings.set_many(con, {"company_name": catalog.COMPANY_NAME, "reporting_currency": "USD", "base_currency": "USD",
                            "fiscal_year_start_month": str(fy_start), "as_of_date": as_of.isoformat(),
                            "incident_timezone": "UTC", "sla_default_schedule": service.ALWAYS})
    result = DemoResult(as_of, seed, scale, fy_start)
    for name, frame in frames.items():
        result.rows[name] = load.load_frame(con, name, frame, signature)
    # the vendors' credit notes answer the credits the SLA engine works out from the data just loaded
    credits = credits_received(rng(11), con, contracts, horizon)
    lines, planted = _spend_lines(rng, contracts, credits, horizon, scale)
    columns = lines.sorted_columns()
    result.rows["spend"] = load.load_spend(con, columns, _sources_frame(lines), _items_frame(lines), signature)
    result.anomalies = _anomalies(planted, columns, contracts)
    del columns  # 100M lines: 4 GB the cloud rows below need more
    result.rows["cloud billing"] = demo_cloud.load(con)  # FOCUS rows of the AWS and Azure lines, same batch
    result.renewals_due = sorted((c.contract_id, c.cancel_by(as_of)) for c in contracts
                                 if c.kind == "auto" and as_of < c.cancel_by(as_of) <= as_of + dt.timedelta(days=90))
    result.seconds = time.perf_counter() - started
    return result


CREDIT_NOTE_RATE = {"normal": 0.97, "poor": 0.85}   # share of missed months a vendor credits unprompted


def credits_received(rng: np.random.Generator, con, contracts, horizon: spend.Horizon) -> list[dict]:
    """The service credits the vendors grant: a credit note for most missed months (contract currency,
    the credit the SLA engine computes), some weeks after the month; weaker vendors skip more."""
    from analytics import sla  # the engine reads the datasets loaded so far (spend is not needed for credits owed)

    owed = sla.service_credits(con, as_of_at=dt.datetime.combine(horizon.as_of + dt.timedelta(days=1), dt.time()))
    by_id = {c.contract_id: c for c in contracts}
    credits = []
    for row in owed.sort_values(["contract_id", "period"]).to_dict("records"):
        contract = by_id[row["contract_id"]]
        poor = contract.spec.vendor in terms.POOR_VENDORS
        period = row["period"] if isinstance(row["period"], dt.date) else row["period"].date()
        granted = rng.random() < CREDIT_NOTE_RATE["poor" if poor else "normal"]
        date = add_months(period, 1) + dt.timedelta(days=int(rng.integers(20, 45) if poor else rng.integers(8, 25)))
        if granted and date <= horizon.as_of and row["credit_owed"] > 0:
            reason = "availability" if row["breaches"] == 0 else f"{int(row['breaches'])} ticket breach(es)"
            credits.append({"contract_id": contract.contract_id, "period": period, "metric": reason, "date": date,
                            "cents": int((row["credit_owed"] * 100).to_integral_value())})
    return credits


def _spend_lines(rng, contracts, credits, horizon, scale):
    lines = spend.Lines()
    planted = spend.add_contract_billing(lines, contracts, horizon)
    contract_ids = {c.spec.service: c.contract_id for c in contracts}
    spend.add_streams(lines, rng(4), horizon, scale, contract_ids)
    planted += spend.add_no_contract_vendor(lines, rng(8), horizon)
    spend.add_credit_notes(lines, credits, contracts)
    spend.add_hardware_returns(lines, rng(9), horizon)
    return lines, planted


def _sources_frame(lines: spend.Lines) -> pd.DataFrame:
    frame = pd.DataFrame(lines.sources)
    frame.insert(0, "src", np.arange(len(frame), dtype=np.int32))
    return frame


def _items_frame(lines: spend.Lines) -> pd.DataFrame:
    return pd.DataFrame({"item": np.arange(len(lines.items), dtype=np.int32), "name": pd.Series(lines.items, dtype=object)})


def _anomalies(planted: list[dict], columns: dict[str, np.ndarray], contracts) -> list[Anomaly]:
    """The planted findings, with the invoice numbers as loaded (`columns`: `spend.Lines.sorted_columns`)."""
    wanted = np.isin(columns["inv"], [p["inv"] for p in planted])
    numbers = dict(zip(columns["inv"][wanted].tolist(), columns["inv_no"][wanted].tolist()))
    by_id = {c.contract_id: c for c in contracts}

    def invoice_id(p: dict) -> str:
        return f"{spend.invoice_prefix(p['vendor'])}-{numbers[p['inv']]}"

    def money(cents: int) -> Decimal:
        return (Decimal(cents) / 100).quantize(Decimal("0.01"))

    found = []
    for p in (p for p in planted if p["note"] == "duplicate"):
        found.append(Anomaly("duplicate_invoice", p["vendor"], p["contract_id"], (invoice_id(p),),
                             (p["first_date"], p["date"]), money(p["cents"]), p["currency"],
                             f"invoice {invoice_id(p)} of {p['first_date']} paid again on {p['date']}"))
    groups = {
        "after_end": "spend_after_contract_end",
        "price_rise": "price_above_contract",
        "no_contract": "vendor_without_contract",
    }
    for note, kind in groups.items():
        rows = [p for p in planted if p["note"] == note]
        if not rows:
            continue
        first = rows[0]
        contract = by_id.get(first["contract_id"]) if first["contract_id"] else None
        if note == "price_rise":
            charge = Decimal(contract.spec.annual_value) * terms.STEP_MONTHS[contract.spec.billing] / 12
            at_stake = sum(p["cents"] for p in rows) - charge * 100 * len(rows)
            detail = (f"billed {terms.PRICE_RISE_FACTOR - 1:.0%} above the contract's "
                      f"{contract.spec.billing} charge for {len(rows)} bills")
        elif note == "after_end":
            at_stake = sum(p["cents"] for p in rows)
            detail = f"{len(rows)} bills after the contract ended on {contract.end}"
        else:
            at_stake = sum(p["cents"] for p in rows)
            detail = f"{len(rows)} invoices from a vendor with no contract"
        found.append(Anomaly(kind, first["vendor"], first["contract_id"], tuple(invoice_id(p) for p in rows),
                             tuple(p["date"] for p in rows), money(at_stake), first["currency"], detail))
    return found

