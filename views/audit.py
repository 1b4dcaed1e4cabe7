"""Cost audit: findings with their evidence and the money at stake; review them; export them."""
import pandas as pd
import streamlit as st

from analytics import audit, settings
from analytics.reports import audit_export
from views import common

conf = common.header("Cost audit", "duplicates, uncontracted spend, renewals, idle licences: every finding shows "
                                   "its evidence")
if common.empty_state(["spend"]):
    st.stop()
cur = conf["reporting_currency"]
RULES = audit.rules()
TITLES = {name: rule.title for name, rule in RULES.items()}

if "audit_flash" in st.session_state:
    st.success(st.session_state.pop("audit_flash"))

everything = common.cached(audit.findings, include_dismissed=True)

# --- filters ---------------------------------------------------------------------------------
st.sidebar.subheader("Filter findings")
picked_rules = st.sidebar.multiselect("Rule", list(RULES), format_func=TITLES.get, key="audit_rules",
                                      placeholder="All rules")
picked_severity = st.sidebar.multiselect("Severity", list(audit.engine.SEVERITIES), key="audit_severity",
                                         placeholder="All severities")
picked_status = st.sidebar.multiselect("Status", ["open", "confirmed", "resolved", "dismissed"],
                                       key="audit_status", placeholder="All but dismissed")
vendors = sorted(v for v in everything["vendor"].dropna().unique())
picked_vendor = st.sidebar.selectbox("Vendor", ["All vendors"] + vendors, key="audit_vendor")

shown = everything
if picked_status:
    shown = shown[shown["status"].isin(picked_status)]
else:
    shown = shown[shown["status"] != "dismissed"]
if picked_rules:
    shown = shown[shown["rule"].isin(picked_rules)]
if picked_severity:
    shown = shown[shown["severity"].isin(picked_severity)]
if picked_vendor != "All vendors":
    shown = shown[shown["vendor"] == picked_vendor]
shown = shown.reset_index(drop=True)

# --- totals and tiles ----------------------------------------------------------------------------
totals = audit.reviews.summarise(shown, cur)
top = st.columns(5)
top[0].metric(f"At stake in findings, {cur}", common.short_money(totals.found, ""), border=True,
              help="Money at stake in the findings shown (dismissed ones excluded), counted once: a spend line "
                   "cited by several findings counts under the first rule in analytics.audit.money.PRIORITY. "
                   "Recoverable + exposure = this total; the tiles below split it by rule.")
top[1].metric(f"Recoverable, {cur}", common.short_money(totals.recoverable, ""), border=True,
              help="Money already paid that the evidence says can be claimed back: duplicate payments, service "
                   "credits not received, spend above contract value, price rises above the allowed uplift.")
top[2].metric(f"Exposure, {cur}", common.short_money(totals.exposure, ""), border=True,
              help="Spend outside contract control, next renewal terms, idle seats and savings estimates: "
                   "money to decide about, not to claim back.")
top[3].metric(f"Recovered, {cur}", common.short_money(totals.recovered, ""), border=True,
              help="Resolved findings: the amount recovered, else the amount at stake.")
top[4].metric("Findings to review", f"{totals.n_open:,}", border=True, help="Open findings shown.")

by_rule = audit.by_rule(shown).set_index("rule") if len(shown) else pd.DataFrame()
st.subheader(f"At stake by rule ({cur})")
for row_start in range(0, len(RULES), 4):
    columns = st.columns(4)
    for column, name in zip(columns, list(RULES)[row_start:row_start + 4]):
        amount = by_rule["amount_at_stake"].get(name, 0.0) if len(by_rule) else 0.0
        count = int(by_rule["findings"].get(name, 0)) if len(by_rule) else 0
        column.metric(TITLES[name], common.short_money(amount, "") if count else "–",
                      delta=f"{count} finding{'s' if count != 1 else ''}", delta_color="off", delta_arrow="off",
                      help=RULES[name].description, border=True)

# --- findings table ------------------------------------------------------------------------------
st.subheader("Findings, largest amount at stake first")
if shown.empty:
    st.info("No findings match these filters." if len(everything) else
            "No findings: nothing in the data breaks a rule at the current thresholds.")
else:
    table = shown.assign(rule=shown["rule"].map(TITLES), evidence=shown["evidence"].map(len))
    st.dataframe(
        table[["severity", "rule", "vendor", "contract_id", "amount_at_stake", "at_stake_counted", "status",
               "finding_date", "explanation", "evidence", "finding_id"]],
        hide_index=True, key="audit_table", height=min(38 * len(table) + 40, 480),
        column_config={
            "amount_at_stake": st.column_config.NumberColumn(f"At stake ({cur})", format="%,.0f"),
            "at_stake_counted": st.column_config.NumberColumn(
                f"Counted once ({cur})", format="%,.0f",
                help="The part of this finding's money not already counted under a rule with higher priority"),
            "finding_date": st.column_config.DateColumn("Date"),
            "evidence": st.column_config.NumberColumn("Evidence rows", format="%d"),
            "contract_id": "Contract", "finding_id": "Finding id", "explanation": st.column_config.TextColumn(
                "Why", width="large"),
        })

    def build_workbook() -> bytes:
        with common.cursor() as cur_:
            return audit_export.to_bytes(cur_, shown)

    st.download_button("Export to Excel (findings and evidence)", build_workbook, "cost-audit.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="audit_export",
                       icon=":material/download:")

    # --- drill-down and review ---------------------------------------------------------------------
    st.subheader("Evidence and review")
    labels = {r.finding_id: f"{common.money(r.amount_at_stake, cur)} · {TITLES.get(r.rule, r.rule)} · "
                            f"{r.vendor or '–'} · {r.finding_id}" for r in shown.itertuples()}
    finding_id = st.selectbox("Finding", list(labels), format_func=labels.get, key="audit_finding")
    finding = shown.set_index("finding_id").loc[finding_id]
    st.markdown(f"**{finding['explanation']}**")
    st.caption(f"Status: {finding['status']}" + (f" — {finding['reason']}" if isinstance(finding["reason"], str)
                                                 else ""))
    rows = common.cached(audit.evidence, finding_ids=[finding_id])
    common.table(rows.drop(columns=["finding_id", "rule"]), "audit_evidence", currency=cur,
                 config={"amount_rc": st.column_config.NumberColumn(f"Amount ({cur})", format="accounting")})

    with st.form(f"audit_review_{finding_id}"):
        decisions = ["confirmed", "dismissed", "resolved", "open"]
        status = st.radio("Decision", decisions, horizontal=True,
                          index=decisions.index(finding["status"]) if finding["status"] in decisions[:3] else 0,
                          key=f"audit_decision_{finding_id}",
                          format_func={"confirmed": "Confirm", "dismissed": "Dismiss", "resolved": "Mark resolved",
                                       "open": "Reopen"}.get)
        reason = st.text_input("Reason (required to dismiss)", key=f"audit_reason_{finding_id}")
        recovered = st.number_input(f"Amount recovered, {cur} (when resolving; empty = the amount at stake)",
                                    min_value=0.0, value=None, step=100.0, key=f"audit_recovered_{finding_id}")
        if st.form_submit_button("Save decision", type="primary", disabled=not common.user().can("review")):
            try:
                common.call(audit.review, finding_id=finding_id, status=status, reason=reason,
                            amount_recovered=recovered if status == "resolved" else None, by=common.user().name)
            except audit.ReviewError as exc:
                st.error(str(exc))
            else:
                common.after_write("review", f"{finding_id}: {status}" + (f" ({reason})" if reason else ""))
                st.session_state["audit_flash"] = f"{finding_id}: {status}."
                st.rerun()

# --- thresholds ----------------------------------------------------------------------------------
with st.expander("Thresholds and tolerances"):
    with common.cursor() as cur_:
        values = settings.as_dict(cur_)
    st.dataframe(pd.DataFrame([{"setting": s.name, "value": values[s.name], "meaning": s.help}
                               for s in audit.SETTINGS]), hide_index=True, key="audit_settings")
    st.page_link("views/settings.py", label="Change them on the Settings page", icon=":material/settings:")
