"""The audit engine: the rule registry, the shared working tables and running the rules.

A rule is a function `rule(con, params) -> DataFrame` with one row per finding and the columns in
RULE_COLUMNS (see docs/audit.md). Rules are collected from every domain module's `AUDIT_RULES`
list (analytics/registry.py), so another module adds a rule without touching this package.
Before the rules run, `prepare(con)` builds two temp tables every rule may read:
- audit_spend: one row per spend line, vendor key, invoice key, amount in the reporting currency;
- audit_contracts: one row per contract, vendor key and the day it stops running.
A finding's explanation is stored as its English message and the values in it (`explained()`: JSON), and read in
the reader's language (`explanation()`, applied by audit.findings): amounts, dates and percentages in the
language's formats, the sentence from the catalog (analytics.i18n), so stored findings serve every language.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from analytics import fiscal, i18n, registry, settings, store, vendor_names

SEVERITIES = ("high", "medium", "low")
RULE_COLUMNS = ("key", "severity", "vendor", "contract_id", "amount_at_stake", "finding_date",
                "explanation")   # and the evidence: `evidence_group` (found()), else the lists `evidence`, `evidence_lines`
FINDING_COLUMNS = ("finding_id", "rule", "severity", "vendor", "contract_id", "amount_at_stake", "currency",
                   "finding_date", "explanation", "evidence", "evidence_count")
# the evidence references a finding's row keeps (`evidence`): the Cost audit page shows as many; all of them, and the
# spend lines, are rows of the temp table audit_found_evidence (stored: audit_evidence, migration 020)
EVIDENCE_KEPT = 200
# a tacit renewal keeps running until someone cancels it
OPEN_END = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class Rule:
    """One audit rule: `func(con, params)` returns its findings (columns RULE_COLUMNS)."""
    name: str
    code: str                      # short prefix of the finding ids, e.g. DUP
    title: str
    description: str
    func: Callable[..., pd.DataFrame]
    settings: tuple[str, ...] = field(default=())   # the settings it reads, shown beside it in the app


class RuleError(ValueError):
    """A rule that does not exist or returned findings in the wrong shape."""


def rules() -> dict[str, Rule]:
    """Every registered rule by name, in registration order."""
    found: dict[str, Rule] = {}
    for rule in registry.collect("AUDIT_RULES"):
        if rule.name in found:
            raise RuleError(f"two audit rules are called {rule.name!r}")
        found[rule.name] = rule
    return found


def get_rule(name: str) -> Rule:
    known = rules()
    if name not in known:
        raise RuleError(f"unknown audit rule {name!r}; known rules: {', '.join(known)}")
    return known[name]


# --- vendor and invoice keys -------------------------------------------------------------------

# One vendor key across Outlay (analytics/vendor_names.py): "Microsoft Ireland Operations Ltd" and
# "MICROSOFT IRELAND OPERATIONS LIMITED" are one vendor.
vendor_key = vendor_names.normalise


def vendor_key_sql(column: str) -> str:
    """The vendor_key() macro (migration 006) applied to `column` (a fixed column name, never user input)."""
    return f"vendor_key({column})"


# Per-connection macros the rules share: the evidence reference of a spend line (its invoice id,
# else its place in an import batch) and the invoice number as compared (upper case, letters and
# separators dropped: "inv-001" = "INV 001" = "INV001").
MACROS_SQL = """
create or replace temp macro audit_ref(invoice_id, batch_id, row_no) as
    coalesce(nullif(trim(invoice_id), ''), 'batch ' || batch_id || ' row ' || row_no);
create or replace temp macro audit_invoice_key(invoice_id) as
    nullif(replace(replace(replace(replace(upper(coalesce(invoice_id, '')), '-', ''), ' ', ''), '/', ''), '.', ''), '');
"""

PREPARE_SPEND_SQL = f"""
create or replace temp table audit_spend as
with
names as (
    select vendor as name, {vendor_key_sql('vendor')} as vendor_key
    from (select distinct vendor from spend) as v(vendor)
),
final as (
    select
        s.batch_id * 10000000000 + s.row_no as line_id,
        s.batch_id, s.row_no, s.date, s.period, s.vendor, n.vendor_key,
        s.amount, s.currency, s.fx_rate,
        s.amount_rc,
        s.is_fx_missing, s.cost_center, s.category, s.invoice_id,
        nullif(trim(s.contract_id), '') as contract_id,
        s.description
    from spend_rc s
    join names n on n.name = s.vendor
)
select * from final
"""

PREPARE_CONTRACTS_SQL = f"""
create or replace temp table audit_contracts as
select
    contract_id, vendor, {vendor_key_sql('vendor')} as vendor_key, service,
    start_date, end_date,
    case when auto_renew and renewal_term_months is not null then date '{OPEN_END.isoformat()}'
         else end_date end as effective_end_date,
    annual_value, currency, auto_renew, renewal_term_months
from contracts
"""


# Grain: one row per finding x evidence row of the rules run on this connection (run_rule adds them).
FOUND_EVIDENCE_SQL = """
create or replace temp table audit_found_evidence (
    finding_id varchar, position integer, ref varchar, line_id bigint
)
"""


def prepare(con) -> None:
    """Build the temp tables audit_spend, audit_contracts and an empty audit_found_evidence (and macros)."""
    con.execute("set enable_progress_bar = false")   # keeps `audit --json` output clean on large data
    con.execute(MACROS_SQL)
    con.execute(PREPARE_SPEND_SQL)
    con.execute(PREPARE_CONTRACTS_SQL)
    con.execute(FOUND_EVIDENCE_SQL)


def params(con) -> dict:
    """Every setting's parsed value by name, plus as_of (the as-of date)."""
    stored = dict(con.execute("select name, value from settings").fetchall())
    values = {s.name: s.parse(stored.get(s.name, s.default)) for s in settings.all_settings()}
    values["as_of"] = values.get("as_of_date") or dt.date.today()
    return values


# --- running ---------------------------------------------------------------------------------

# A finding id carries ID_DIGITS hex digits of its key's hash; reviews are stored by id, so it must not change.
ID_DIGITS = 10
LONG_ID_DIGITS = 20


def finding_id(rule: Rule, key: str, digits: int | None = None) -> str:
    """Stable id from the rule and the finding's content key: 'DUP-3fa9c1d2e4'."""
    return f"{rule.code}-{hashlib.md5(f'{rule.name}|{key}'.encode()).hexdigest()[:digits or ID_DIGITS]}"


def finding_ids(rule: Rule, keys: pd.Series) -> list[str]:
    """The ids of one rule's findings (distinct keys): finding_id, except that keys whose short ids collide take
    LONG_ID_DIGITS digits. 40 bits never collided up to 10M spend lines (26,000 findings); at 100M the 3M chance
    duplicate payments had two pairs that did. Every other finding keeps the id its reviews are stored under."""
    ids = pd.Series([finding_id(rule, str(k)) for k in keys], index=keys.index)
    clash = ids.duplicated(keep=False)
    ids[clash] = [finding_id(rule, str(k), LONG_ID_DIGITS) for k in keys[clash]]
    return ids.tolist()


def run_rule(con, name: str, *, values: dict | None = None, prepared: bool = False) -> pd.DataFrame:
    """One row per finding of rule `name`, columns FINDING_COLUMNS."""
    rule = get_rule(name)
    values = values if values is not None else params(con)
    if not prepared:
        prepare(con)
    raw = rule.func(con, values)
    if raw.empty:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    frame = _normalise(rule, raw, values["reporting_currency"])
    return _with_evidence(con, frame, raw)


def run_all(con, *, names: list[str] | None = None) -> pd.DataFrame:
    """One row per finding of every rule (or of `names`), columns FINDING_COLUMNS."""
    values = params(con)
    prepare(con)
    frames = [run_rule(con, name, values=values, prepared=True) for name in (list(rules()) if names is None else names)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def _normalise(rule: Rule, raw: pd.DataFrame, currency: str) -> pd.DataFrame:
    missing = [c for c in RULE_COLUMNS if c not in raw.columns]
    if "evidence_group" not in raw.columns and "evidence" not in raw.columns:
        missing.append("evidence")
    if missing:
        raise RuleError(f"audit rule {rule.name!r} returned no column(s) {', '.join(missing)}")
    frame = raw[[c for c in raw.columns if c not in ("evidence", "evidence_lines", "evidence_group")]].copy()
    bad = set(frame["severity"]) - set(SEVERITIES)
    if bad:
        raise RuleError(f"audit rule {rule.name!r} returned severity {sorted(bad)}; allowed: {SEVERITIES}")
    if frame["key"].astype(str).duplicated().any():
        raise RuleError(f"audit rule {rule.name!r} returned the same key twice")
    frame["finding_id"] = finding_ids(rule, frame["key"])
    frame["rule"] = rule.name
    frame["currency"] = currency
    frame["amount_at_stake"] = pd.to_numeric(frame["amount_at_stake"], errors="coerce").astype("float64")
    frame["finding_date"] = pd.to_datetime(frame["finding_date"]).dt.date
    frame["contract_id"] = frame["contract_id"].astype("object").where(frame["contract_id"].notna(), None)
    return frame.reset_index(drop=True)


# --- evidence: rows of audit_found_evidence, never lists carried through Python -----------------------

def found(con, sql: str, parameters: dict) -> pd.DataFrame:
    """Run a rule's query `sql`, which writes its findings into the temp table audit_rule_found (one row per
    finding, its evidence as the lists `evidence`, references, and `evidence_lines`, spend line ids, in order), and
    return that table without the lists, with `evidence_group` (the row's number): the rule returns it as it is and
    run_rule moves the lists into audit_found_evidence inside DuckDB (2.3M lines for one finding at 10M)."""
    con.execute(sql, parameters)
    return con.execute("select * exclude (evidence, evidence_lines), rowid as evidence_group "
                       "from audit_rule_found order by rowid").df()


# the evidence of the findings a rule left in audit_rule_found (found()), under their finding ids
GROUP_EVIDENCE_SQL = """
insert into audit_found_evidence
with
rows as (
    select rowid as evidence_group, unnest(range(1, len(evidence) + 1)) as position, unnest(evidence) as ref,
        unnest(evidence_lines) as line_id
    from audit_rule_found
),
final as (
    select g.finding_id, cast(r.position as integer) as position, r.ref, r.line_id
    from rows r join rule_findings g using (evidence_group)
)
select * from final
"""
# the evidence a rule returned as lists (a rule citing a few rows: contracts, licences, small groups of lines)
LIST_EVIDENCE_SQL = """
insert into audit_found_evidence
select finding_id, cast(position as integer), ref, line_id from rule_findings
"""
# Grain: one row per finding of rule_findings with evidence: the first $kept references and how many rows.
EVIDENCE_HEAD_SQL = """
select finding_id, count(*) as evidence_count,
    list(ref order by position) filter (where position <= $kept) as evidence
from audit_found_evidence
where finding_id in (select finding_id from rule_findings)
group by finding_id
"""


def _with_evidence(con, frame: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """`frame` (a rule's findings) with its evidence added to audit_found_evidence and, per finding, the first
    EVIDENCE_KEPT references (`evidence`) and the number of evidence rows (`evidence_count`)."""
    if "evidence_group" in raw.columns:
        groups = pd.DataFrame({"finding_id": frame["finding_id"], "evidence_group": raw["evidence_group"].to_numpy()})
        with store.frame_as_table(con, "rule_findings", groups):
            con.execute(GROUP_EVIDENCE_SQL)
    else:
        rows = _list_rows(frame["finding_id"], raw["evidence"],
                          raw["evidence_lines"] if "evidence_lines" in raw.columns else None)
        with store.frame_as_table(con, "rule_findings", rows):
            con.execute(LIST_EVIDENCE_SQL)
    with store.frame_as_table(con, "rule_findings", frame[["finding_id"]]):
        head = con.execute(EVIDENCE_HEAD_SQL, {"kept": EVIDENCE_KEPT}).df()
    head = head.set_index("finding_id")
    frame["evidence"] = [[str(r) for r in refs] if isinstance(refs, (list, tuple, np.ndarray)) else []
                         for refs in frame["finding_id"].map(head["evidence"])]
    frame["evidence_count"] = frame["finding_id"].map(head["evidence_count"]).fillna(0).astype("int64")
    return frame[list(FINDING_COLUMNS)]


def _list_rows(ids: pd.Series, refs: pd.Series, lines: pd.Series | None) -> pd.DataFrame:
    """One row per finding x evidence row from lists: references and spend line ids side by side (the shorter list
    padded with nulls, as DuckDB's unnest pads)."""
    rows = []
    for i, fid in enumerate(ids):
        found_refs = [str(r) for r in (refs.iloc[i] if refs.iloc[i] is not None else [])]
        found_lines = [] if lines is None or lines.iloc[i] is None else [int(x) for x in lines.iloc[i]]
        for position, (ref, line) in enumerate(itertools.zip_longest(found_refs, found_lines), start=1):
            rows.append((fid, position, ref, line))
    return pd.DataFrame(rows, columns=["finding_id", "position", "ref", "line_id"]).astype(
        {"position": "int64", "line_id": "Int64"})


# --- helpers for rules -----------------------------------------------------------------------

def fmt_money(value, currency: str | None = None) -> str:
    """'1,234.50 EUR' for explanations; 'an unknown amount' when there is no fx rate."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "an unknown amount (no fx rate)"
    text = f"{float(value):,.2f}"
    return f"{text} {currency}" if currency else text


def fmt_date(value) -> str:
    """'2026-10-31'. Dates and timestamps (as DuckDB gives them) directly: building a pd.Timestamp for each was most
    of duplicate_payment's Python time at 100M spend lines (millions of dates in its explanations)."""
    if isinstance(value, dt.date):   # also datetime and pd.Timestamp
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return pd.Timestamp(value).strftime("%Y-%m-%d")


# ---- explanations in the reader's language --------------------------------------------------------
# A value of an explanation is written when it is read, in the reader's language: these mark what it is.

def money(amount, currency: str | None = None) -> dict:
    """An amount ('1,234.50 EUR'; 'an unknown amount (no fx rate)' when missing)."""
    missing = amount is None or (isinstance(amount, float) and math.isnan(amount)) or pd.isna(amount)
    return {"money": None if missing else float(amount), "currency": currency}


def day(value) -> dict:
    """A date ('2026-10-31' in English, '31.10.2026' in German)."""
    return {"date": fmt_date(value)}


def days(values) -> dict:
    """A list of dates, comma-separated."""
    return {"dates": [fmt_date(v) for v in values]}


def month(value) -> dict:
    """A month ('2026-10' in English, 'Okt. 2026' in German)."""
    return {"month": pd.Timestamp(value).strftime("%Y-%m")}


def pct(value, decimals: int | None = 1, *, signed: bool = False) -> dict:
    """A percentage given in percent (12.5 -> '12.5%'); decimals None writes it as short as it is (5 -> '5%')."""
    return {"pct": float(value), "decimals": decimals, "signed": signed}


def count(value) -> dict:
    """A whole number with thousands separated ('1,800' / '1.800')."""
    return {"int": int(value)}


def fiscal_year(year, start_month) -> dict:
    """A fiscal year as the language names it ('FY2026', 'GJ 2026')."""
    return {"fy": int(year), "start": int(start_month)}


def explained(message: str, **values) -> str:
    """An explanation as stored: the English message (a catalog id, N_()-marked where it is written) and its
    {named} values, made with the helpers above where they are amounts, dates or percentages."""
    return json.dumps({"m": message, "v": values}, ensure_ascii=False, default=str)


def explanation(text) -> str:
    """A stored explanation in the current language; text that is not an explained() one stays as it is (another
    module's rule, a finding stored before explanations were kept so)."""
    if not isinstance(text, str) or not text.startswith('{"m": '):
        return text
    try:
        found = json.loads(text)
    except ValueError:
        return text
    values = {name: _written(value) for name, value in found.get("v", {}).items()}
    try:
        text = i18n.t(found["m"], **values)
    except (KeyError, IndexError):  # a translation naming a value the message lacks: the English one
        text = found["m"].format(**values)
    return full_stop(text)


def full_stop(text: str) -> str:
    """One full stop where an amount ending in a dot ends the sentence ('1 234,00 щ.д..' -> '1 234,00 щ.д.')."""
    return text[:-1] if text.endswith("..") and not text.endswith("...") else text


def _written(value) -> str:
    english = i18n.current() == i18n.DEFAULT
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    if "money" in value:
        if value["money"] is None:
            return i18n.t("an unknown amount (no fx rate)")
        return fmt_money(value["money"], value["currency"]) if english else i18n.money(value["money"],
                                                                                        value["currency"] or "")
    if "date" in value:
        return i18n.date(value["date"])
    if "dates" in value:
        return ", ".join(i18n.date(d) for d in value["dates"])
    if "month" in value:
        return value["month"] if english else i18n.month(value["month"] + "-01")
    if "pct" in value:
        number, decimals = value["pct"], value["decimals"]
        if english:
            text = f"{number:g}%" if decimals is None else f"{number:.{decimals}f}%"
            return ("+" + text) if value["signed"] and number >= 0 else text
        if decimals is None:
            decimals = 0 if float(number).is_integer() else len(f"{number:g}".split(".")[-1])
        return i18n.percent(number / 100, decimals, signed=value["signed"])
    if "int" in value:
        return f"{value['int']:,}" if english else i18n.number(value["int"])
    if "fy" in value:
        return fiscal.label(value["fy"], value["start"])
    return str(value)


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame(columns=list(RULE_COLUMNS))
