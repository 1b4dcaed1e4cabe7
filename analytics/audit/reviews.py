"""The review workflow: confirm, dismiss (with a reason) or resolve a finding; totals found/confirmed/recovered.

Reviews are keyed by the stable finding id, so they survive re-running the audit and new imports.
Each review keeps a snapshot of the finding; a reviewed finding that is no longer detected (say the
duplicate was refunded) is still listed from its snapshot, so recovered money stays counted.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
from dataclasses import dataclass

import pandas as pd

from analytics import store
from analytics.audit import engine, results

STATUSES = ("open", "confirmed", "dismissed", "resolved")
REVIEW_COLUMNS = ("status", "reason", "amount_recovered", "reviewed_at", "is_detected")


class ReviewError(ValueError):
    """A review that cannot be recorded (unknown finding, unknown status, dismissal without reason)."""


def with_reviews(con, detected: pd.DataFrame, *, include_dismissed: bool) -> pd.DataFrame:
    """Detected findings joined with their review state, plus reviewed findings no longer detected."""
    reviews = con.execute(
        "select finding_id, status, reason, cast(amount_recovered as double) as amount_recovered, reviewed_at, "
        "rule, severity, vendor, contract_id, cast(amount_at_stake as double) as amount_at_stake, currency, "
        "finding_date, explanation, evidence from audit_reviews").df()
    state = reviews[["finding_id", "status", "reason", "amount_recovered", "reviewed_at"]]
    current = detected.merge(state, on="finding_id", how="left")
    current["status"] = current["status"].fillna("open")
    current["is_detected"] = True
    gone = reviews[~reviews["finding_id"].isin(detected["finding_id"])].copy()
    if len(gone):
        gone["evidence"] = gone["evidence"].map(lambda text: json.loads(text) if text else [])
        gone["evidence_count"] = gone["evidence"].map(len)   # the references its review kept
        gone["finding_date"] = pd.to_datetime(gone["finding_date"]).dt.date
        gone["is_detected"] = False
        current = pd.concat([current, gone[list(engine.FINDING_COLUMNS) + list(REVIEW_COLUMNS)]],
                            ignore_index=True) if len(current) else gone
    frame = current[list(engine.FINDING_COLUMNS) + list(REVIEW_COLUMNS)]
    if not include_dismissed:
        frame = frame[frame["status"] != "dismissed"]
    frame = frame.sort_values(["amount_at_stake", "finding_id"], ascending=[False, True], na_position="last")
    return frame.reset_index(drop=True)


def review(con, finding_id: str, *, status: str, reason: str | None = None,
           amount_recovered: float | None = None, by: str | None = None) -> None:
    """Record a decision about one finding; status 'open' clears it."""
    if status not in STATUSES:
        raise ReviewError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    reason = (reason or "").strip() or None
    if status == "dismissed" and not reason:
        raise ReviewError("a dismissal needs a reason")
    if amount_recovered is not None and status != "resolved":
        raise ReviewError("an amount recovered can only be given when resolving a finding")
    snapshot = _snapshot(con, finding_id)
    by = by or _current_user()
    now = dt.datetime.now()
    # a review changes no detected finding: the stored findings (keyed by the data version) stay valid;
    # the review state is joined at read time
    with store.transaction(con, changes_data=False):
        con.execute("insert into audit_review_log values (?, ?, ?, ?, ?, ?)",
                    [finding_id, status, reason, amount_recovered, by, now])
        con.execute("delete from audit_reviews where finding_id = ?", [finding_id])
        if status != "open":
            con.execute(
                "insert into audit_reviews values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [finding_id, status, reason, amount_recovered, by, now, snapshot["rule"], snapshot["severity"],
                 snapshot["vendor"], snapshot["contract_id"], _number(snapshot["amount_at_stake"]),
                 snapshot["currency"], snapshot["finding_date"], snapshot["explanation"],
                 json.dumps(list(snapshot["evidence"]))])


def _snapshot(con, finding_id: str) -> dict:
    """The finding as detected now, else as last reviewed; ReviewError when neither exists."""
    detected = results.detected(con)
    match = detected[detected["finding_id"] == finding_id]
    if len(match):
        return match.iloc[0].to_dict()
    row = con.execute("select rule, severity, vendor, contract_id, cast(amount_at_stake as double), currency, "
                      "finding_date, explanation, evidence from audit_reviews where finding_id = ?",
                      [finding_id]).fetchone()
    if row is None:
        raise ReviewError(f"no finding {finding_id!r}: run the audit to see the current finding ids")
    keys = ("rule", "severity", "vendor", "contract_id", "amount_at_stake", "currency", "finding_date",
            "explanation", "evidence")
    snapshot = dict(zip(keys, row))
    snapshot["evidence"] = json.loads(snapshot["evidence"] or "[]")
    return snapshot


def _number(value):
    return None if value is None or pd.isna(value) else round(float(value), 4)


def _current_user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in some containers
        return None


def history(con, finding_id: str | None = None) -> pd.DataFrame:
    """One row per review action (newest first), for one finding or all."""
    sql = ("select finding_id, status, reason, cast(amount_recovered as double) as amount_recovered, reviewed_by, "
           "reviewed_at from audit_review_log where (cast(? as varchar) is null or finding_id = ?) "
           "order by reviewed_at desc, finding_id")
    return con.execute(sql, [finding_id, finding_id]).df()


@dataclass(frozen=True)
class Totals:
    """Money at stake, counted once: found (all but dismissed, split into recoverable and exposure),
    confirmed (confirmed or resolved), recovered (resolved)."""
    currency: str
    found: float
    confirmed: float
    recovered: float
    n_found: int
    n_confirmed: int
    n_resolved: int
    n_open: int
    recoverable: float
    exposure: float


def summarise(frame: pd.DataFrame, currency: str) -> Totals:
    """Totals of a findings frame as returned by findings() (its at_stake_counted); dismissed findings never count."""
    live = frame[["status", "money", "at_stake_counted", "amount_recovered"]]   # not every column copied (3M findings)
    live = live[live["status"] != "dismissed"]
    # each finding's counted amount to the cent first, as audit.at_stake does, so every total agrees to the cent
    counted = live["at_stake_counted"].fillna(0).round(2)
    confirmed = live["status"].isin(["confirmed", "resolved"])
    resolved = live[live["status"] == "resolved"]
    recovered = resolved["amount_recovered"].fillna(resolved["at_stake_counted"]).fillna(0).sum()
    recoverable = live["money"] == "recoverable"
    return Totals(currency, float(counted.sum()), float(counted[confirmed].sum()), float(recovered),
                  len(live), int(confirmed.sum()), len(resolved), int((live["status"] == "open").sum()),
                  float(counted[recoverable].sum()), float(counted[~recoverable].sum()))
