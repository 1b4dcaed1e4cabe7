"""Cost audit: findings with their evidence and the money at stake; review them; export them."""
import pandas as pd
import streamlit as st

from analytics import audit, i18n, settings
from analytics.reports import audit_export, xlsx
from views import common

conf = common.header(i18n.N_("Cost audit"), i18n.N_("duplicates, uncontracted spend, renewals, idle licences: every "
                                                    "finding shows its evidence"))
t = i18n.t
if common.empty_state(["spend"]):
    st.stop()
cur = conf["reporting_currency"]
RULES = audit.rules()
TITLES = {name: rule.title for name, rule in RULES.items()}
SEVERITY = {"high": i18n.N_("high"), "medium": i18n.N_("medium"), "low": i18n.N_("low")}
STATUS = {"open": i18n.N_("open"), "confirmed": i18n.N_("confirmed"), "resolved": i18n.N_("resolved"),
          "dismissed": i18n.N_("dismissed")}
ALL_VENDORS = "All vendors"
EVIDENCE_SHOWN = 200  # evidence rows of the picked finding drawn on the page; the downloads have all of them
# findings listed in the table and offered in the picker, largest at stake first (at 10M lines the demo has 26,203:
# every visit sent all of them to the browser, 1.6 s a revisit); the filters reach the others, the export has all
FINDINGS_LISTED = 1000


def in_words(words: dict):
    """A code as people read it (a widget's format_func; the code is what is stored and compared)."""
    return i18n.bound(lambda code: t(words[code]) if code in words else str(code))

if "audit_flash" in st.session_state:
    st.success(st.session_state.pop("audit_flash"))

# --- filters ---------------------------------------------------------------------------------
st.sidebar.subheader(t("Filter findings"))
picked_rules = st.sidebar.multiselect(t("Rule"), list(RULES), format_func=TITLES.get, key="audit_rules",
                                      placeholder=t("All rules"))
picked_severity = st.sidebar.multiselect(t("Severity"), list(audit.engine.SEVERITIES), key="audit_severity",
                                         placeholder=t("All severities"), format_func=in_words(SEVERITY))
picked_status = st.sidebar.multiselect(t("Status"), list(STATUS), key="audit_status",
                                       placeholder=t("All but dismissed"), format_func=in_words(STATUS))
vendors = common.cached(audit.vendors_with_findings)
picked_vendor = st.sidebar.selectbox(t("Vendor"), [ALL_VENDORS] + vendors, key="audit_vendor",
                                     format_func=in_words({ALL_VENDORS: i18n.N_("All vendors")}))
filters = {"rules": picked_rules, "severities": picked_severity, "statuses": picked_status,
           "vendor": None if picked_vendor == ALL_VENDORS else picked_vendor}
# the findings the filters keep: their totals, rule tiles and the largest FINDINGS_LISTED (audit.listing)
view = common.cached(audit.listing, **filters, limit=FINDINGS_LISTED)

# --- totals and tiles ----------------------------------------------------------------------------
totals = view.totals
top = st.columns(5)
top[0].metric(t("At stake in findings, {currency}", currency=cur), common.short_money(totals.found, "").strip(),
              border=True,
              help=t("Money at stake in the findings shown (dismissed ones excluded), counted once: a spend line "
                     "cited by several findings counts under the first rule in analytics.audit.money.PRIORITY. "
                     "Recoverable + exposure = this total; the tiles below split it by rule."))
top[1].metric(t("Recoverable, {currency}", currency=cur), common.short_money(totals.recoverable, "").strip(),
              border=True,
              help=t("Money already paid that the evidence says can be claimed back: duplicate payments, service "
                     "credits not received, spend above contract value, price rises above the allowed uplift."))
top[2].metric(t("Exposure, {currency}", currency=cur), common.short_money(totals.exposure, "").strip(), border=True,
              help=t("Spend outside contract control, next renewal terms, idle seats and savings estimates: "
                     "money to decide about, not to claim back."))
top[3].metric(t("Recovered, {currency}", currency=cur), common.short_money(totals.recovered, "").strip(),
              border=True, help=t("Resolved findings: the amount recovered, else the amount at stake."))
top[4].metric(t("Findings to review"), i18n.number(totals.n_open), border=True, help=t("Open findings shown."))

by_rule = view.by_rule.set_index("rule") if view.count else pd.DataFrame()
st.subheader(t("At stake by rule ({currency})", currency=cur))
for row_start in range(0, len(RULES), 4):
    columns = st.columns(4)
    for column, name in zip(columns, list(RULES)[row_start:row_start + 4]):
        amount = by_rule["amount_at_stake"].get(name, 0.0) if len(by_rule) else 0.0
        count = int(by_rule["findings"].get(name, 0)) if len(by_rule) else 0
        column.metric(TITLES[name], common.short_money(amount, "").strip() if count else "–",
                      delta=i18n.n("{count} finding", "{count} findings", count), delta_color="off", delta_arrow="off",
                      help=RULES[name].description, border=True)

def nothing_found() -> bool:
    """Says so when no finding is left to show (none at all, or none the filters keep)."""
    if not view.count:
        st.info(t("No findings match these filters.") if view.findings else
                t("No findings: nothing in the data breaks a rule at the current thresholds."))
    return not view.count


def findings_tab():
    """The findings the filters keep, largest amount at stake first, and their export with every evidence row."""
    if nothing_found():
        return
    listed = view.rows
    table = listed.assign(rule=listed["rule"].map(TITLES), evidence=listed["evidence_count"],
                          severity=listed["severity"].map(in_words(SEVERITY)),
                          status=listed["status"].map(in_words(STATUS)))
    st.dataframe(
        table[["severity", "rule", "vendor", "contract_id", "amount_at_stake", "at_stake_counted", "status",
               "finding_date", "explanation", "evidence", "finding_id"]],
        hide_index=True, key="audit_table", height=min(38 * len(table) + 40, 480),
        placeholder="",  # a finding with no contract shows an empty cell, not "None" (as common.table does)
        column_config={
            "severity": t("Severity"), "rule": t("Rule"), "vendor": t("Vendor"), "status": t("Status"),
            "amount_at_stake": st.column_config.NumberColumn(t("At stake ({currency})", currency=cur),
                                                             format="%,.0f"),
            "at_stake_counted": st.column_config.NumberColumn(
                t("Counted once ({currency})", currency=cur), format="%,.0f",
                help=t("The part of this finding's money not already counted under a rule with higher priority")),
            "finding_date": st.column_config.DateColumn(t("Date")),
            "evidence": st.column_config.NumberColumn(t("Evidence rows"), format="%d"),
            "contract_id": t("Contract"), "finding_id": t("Finding id"), "explanation": st.column_config.TextColumn(
                t("Why"), width="large"),
        })
    if view.count > FINDINGS_LISTED:
        st.caption(t("Listed here: the {shown} findings with the largest amounts at stake, of {count}; narrow the "
                     "filters in the sidebar (rule, severity, status, vendor) to reach the others.",
                     shown=i18n.number(FINDINGS_LISTED), count=i18n.number(view.count)))

    st.caption(t("A finding's spend lines, and the decision on it (confirm, dismiss, resolve), are under "
                 "“Evidence and review”."))
    reader = i18n.current()  # the download is built when clicked, outside this run: in the reader's language

    def build_workbook() -> bytes:  # the findings shown, with the evidence lists the page itself does not load
        with common.cursor() as cur_, i18n.use(reader):
            shown = audit.matching(audit.findings(cur_, include_dismissed=True), **filters)
            return audit_export.to_bytes(cur_, shown, lang=reader)

    st.download_button(t("Export to Excel (findings and evidence)"), build_workbook, "cost-audit.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="audit_export",
                       icon=":material/download:")


def review_tab():
    """One finding's evidence (its first EVIDENCE_SHOWN rows; the downloads have all) and the decision on it."""
    if nothing_found():
        return
    listed = view.rows
    labels = {r.finding_id: f"{common.money(r.amount_at_stake, cur)} · {TITLES.get(r.rule, r.rule)} · "
                            f"{r.vendor or '–'} · {r.finding_id}" for r in listed.itertuples()}
    finding_id = st.selectbox(t("Finding"), list(labels), format_func=labels.get, key="audit_finding")
    finding = listed.set_index("finding_id").loc[finding_id]
    st.markdown(f"**{finding['explanation']}**")
    st.caption(t("Status: {status}", status=t(STATUS.get(finding["status"], finding["status"])))
               + (f" — {finding['reason']}" if isinstance(finding["reason"], str) else ""))
    rows = common.cached(audit.evidence, finding_ids=[finding_id], limit=EVIDENCE_SHOWN) \
        .drop(columns=["finding_id", "rule"])
    count = int(finding["evidence_count"])
    # a finding can cite thousands of spend lines (1,635 for the largest at 1M lines: most of the page's bytes and
    # of its revisit in the browser): the page shows the first EVIDENCE_SHOWN, the download below has them all
    common.table(xlsx.in_words(rows), "audit_evidence", currency=cur,   # its kinds in words, as the workbook
                 config={"amount_rc": st.column_config.NumberColumn(t("Amount ({currency})", currency=cur),
                                                                        format="accounting")})
    if count > EVIDENCE_SHOWN and len(rows) == EVIDENCE_SHOWN:
        st.caption(i18n.n("Showing the first {shown} of {count} evidence row, in date order; the downloads below "
                          "have all of them.",
                          "Showing the first {shown} of {count} evidence rows, in date order; the downloads below "
                          "have all of them.", count, shown=i18n.number(EVIDENCE_SHOWN)))

        def every_row(finding_id=finding_id) -> pd.DataFrame:   # read when a download is clicked, not on each run
            with common.cursor() as cur_:
                return audit.evidence(cur_, finding_ids=[finding_id]).drop(columns=["finding_id", "rule"])
        common.downloads(every_row, f"evidence-{finding_id}", key="audit_evidence_all", currency=cur)

    with st.form(f"audit_review_{finding_id}"):
        decisions = ["confirmed", "dismissed", "resolved", "open"]
        status = st.radio(t("Decision"), decisions, horizontal=True,
                          index=decisions.index(finding["status"]) if finding["status"] in decisions[:3] else 0,
                          key=f"audit_decision_{finding_id}",
                          format_func=in_words({"confirmed": i18n.N_("Confirm"), "dismissed": i18n.N_("Dismiss"),
                                                "resolved": i18n.N_("Mark resolved"), "open": i18n.N_("Reopen")}))
        reason = st.text_input(t("Reason (required to dismiss)"), key=f"audit_reason_{finding_id}")
        recovered = st.number_input(t("Amount recovered, {currency} (when resolving; empty = the amount at stake)",
                                      currency=cur),
                                    min_value=0.0, value=None, step=100.0, key=f"audit_recovered_{finding_id}")
        if st.form_submit_button(t("Save decision"), type="primary", disabled=not common.user().can("review")):
            try:
                common.call(audit.review, finding_id=finding_id, status=status, reason=reason,
                            amount_recovered=recovered if status == "resolved" else None, by=common.user().name)
            except audit.ReviewError as exc:
                st.error(str(exc))
            else:
                common.after_write("review", f"{finding_id}: {status}" + (f" ({reason})" if reason else ""))
                st.session_state["audit_flash"] = f"{finding_id}: {t(STATUS.get(status, status))}."
                st.rerun()


def thresholds_tab():
    """The settings the rules read, with what each means; they are changed on the Settings page."""
    with common.cursor() as cur_:
        values = settings.as_dict(cur_)
    st.dataframe(pd.DataFrame([{"setting": s.name, "value": values[s.name], "meaning": s.help}
                               for s in audit.SETTINGS]), hide_index=True, key="audit_settings",
                 column_config={"setting": t("Setting"), "value": t("Value"), "meaning": t("Meaning")})
    st.page_link("views/settings.py", label=t("Change them on the Settings page"), icon=":material/settings:")


# only the open tab runs (on_change="rerun"): a first visit draws the tiles and the findings, not the evidence, the
# review form and the thresholds as well (1.3-1.4 s in Chromium at 1M spend lines; 0.9 s without them). The tab's
# label (in the reader's language) is its state: a tab is found by its label, drawn by its code's function.
TABS = {i18n.N_("Findings"): findings_tab, i18n.N_("Evidence and review"): review_tab,
        i18n.N_("Thresholds and tolerances"): thresholds_tab}
common.lazy_tabs(TABS, "audit_tab")
