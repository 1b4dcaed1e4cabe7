"""The Cost audit page on the demo company: opens, filters change the totals, a review sticks."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import audit

ROOT = Path(__file__).resolve().parents[1]


def open_audit_page(db, monkeypatch) -> AppTest:
    """The Cost audit page opened by AppTest over `db`, without an exception."""
    monkeypatch.setenv("OUTLAY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.run()
    at.switch_page("views/audit.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def page(demo_copy, monkeypatch):
    return open_audit_page(demo_copy, monkeypatch)


def open_tab(at, label: str) -> AppTest:
    """Tabs run lazily (only the open one): open one as a click on it would."""
    at.session_state["audit_tab"] = label
    return at.run()


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def test_page_opens_with_findings_and_tiles(page):
    assert page.title[0].value == "Cost audit"
    assert metric(page, "At stake in findings") not in ("0", "–")
    assert len(page.metric) == 5 + len(audit.rules())  # one tile per registered rule (domain modules add theirs)


def test_filtering_by_rule_changes_the_total(page):
    before = metric(page, "At stake in findings")
    page.multiselect(key="audit_rules").set_value(["duplicate_payment"])
    page.run()
    assert not page.exception
    assert metric(page, "At stake in findings") != before
    assert metric(page, "Price creep") == "–"


def test_dismissing_a_finding_hides_it(page):
    page.multiselect(key="audit_rules").set_value(["price_creep"])
    page.run()
    assert metric(page, "Findings to review") == "1"
    open_tab(page, "Evidence and review")
    finding = page.selectbox(key="audit_finding").value
    page.radio(key=f"audit_decision_{finding}").set_value("dismissed")
    page.text_input(key=f"audit_reason_{finding}").set_value("agreed with the vendor")
    next(b for b in page.button if b.label == "Save decision").click()
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    assert metric(page, "Findings to review") == "0"
    assert any("dismissed" in s.value for s in page.success)


def test_review_choice_does_not_carry_over_to_the_next_finding(page):
    open_tab(page, "Evidence and review")
    assert len(page.selectbox(key="audit_finding").options) >= 2
    page.radio(key=f"audit_decision_{page.selectbox(key='audit_finding').value}").set_value("dismissed")
    second = page.selectbox(key="audit_finding").options[1].split(" · ")[-1]
    page.selectbox(key="audit_finding").set_value(second)
    page.run()
    assert not page.exception
    chosen = page.selectbox(key="audit_finding").value
    assert page.radio(key=f"audit_decision_{chosen}").value != "dismissed"


def test_a_long_evidence_list_shows_its_first_rows_and_offers_all_of_them(page):
    findings = next(d.value for d in page.dataframe if "finding_id" in d.value.columns)
    largest = findings.sort_values("evidence", ascending=False).iloc[0]
    assert largest["evidence"] > 200  # the demo's uncontracted vendors cite hundreds of spend lines each
    open_tab(page, "Evidence and review")
    page.selectbox(key="audit_finding").set_value(largest["finding_id"]).run()
    assert not page.exception
    shown = next(d.value for d in page.dataframe if "original_text" in d.value.columns)
    assert len(shown) == 200
    count = f"{largest['evidence']:,}"
    assert any(c.value.startswith(f"Showing the first 200 of {count} evidence rows") for c in page.caption)
    assert {"audit_evidence_all_csv", "audit_evidence_all_xlsx"} <= {b.key for b in page.get("download_button")}


def test_a_short_evidence_list_is_shown_whole(page):
    findings = next(d.value for d in page.dataframe if "finding_id" in d.value.columns)
    small = findings[findings["evidence"].between(2, 200)].iloc[0]
    open_tab(page, "Evidence and review")
    page.selectbox(key="audit_finding").set_value(small["finding_id"]).run()
    shown = next(d.value for d in page.dataframe if "original_text" in d.value.columns)
    assert len(shown) == small["evidence"]
    assert not any(c.value.startswith("Showing the first") for c in page.caption)
    assert "audit_evidence_all_csv" not in {b.key for b in page.get("download_button")}


def test_the_table_and_picker_list_the_largest_thousand_and_say_how_to_reach_the_others(demo_copy, monkeypatch):
    from analytics import store
    con = store.connect(demo_copy)
    try:
        version = store.data_version(con)
        template = con.execute("select * from audit_results where data_version = ? and rule = 'no_contract' limit 1",
                               [version]).df()
        extra = template.loc[template.index.repeat(1200)].reset_index(drop=True)
        extra["finding_id"] = [f"NOC-T{i:04d}" for i in range(len(extra))]
        extra["amount_at_stake"] = [0.01 * (i + 1) for i in range(len(extra))]  # all below the demo's findings
        con.register("extra_findings", extra)
        con.execute("insert into audit_results by name select * from extra_findings")
        listed = len(audit.findings_listed(con))
    finally:
        con.close()
    at = open_audit_page(demo_copy, monkeypatch)
    table = next(d.value for d in at.dataframe if "finding_id" in d.value.columns)
    caption = [c.value for c in at.caption if c.value.startswith("Listed here:")]
    options = open_tab(at, "Evidence and review").selectbox(key="audit_finding").options
    assert len(options) == len(table) == 1000 < listed
    assert [o.split(" · ")[-1] for o in options] == table["finding_id"].tolist()
    assert table["amount_at_stake"].is_monotonic_decreasing
    assert not any("NOC-T0000" in o for o in options)  # the smallest added finding is not among the largest 1,000
    assert any(f"NOC-T{len(extra) - 1:04d}" in o for o in options) or listed - len(extra) >= 1000
    assert caption and caption[0].startswith(f"Listed here: the 1,000 findings with the largest amounts at stake, "
                                             f"of {listed:,}")
    at.multiselect(key="audit_rules").set_value(["price_creep"]).run()
    assert len(at.selectbox(key="audit_finding").options) < 1000
    open_tab(at, "Findings")
    assert len(next(d.value for d in at.dataframe if "finding_id" in d.value.columns)) < 1000
    assert not any(c.value.startswith("Listed here:") for c in at.caption)
