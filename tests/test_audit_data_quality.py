"""Rule data_quality: spend imported with a blank or withheld name is a finding, its money counted once,
its evidence showing the file's original text."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics import audit, settings, store
from analytics.audit import engine, money
from analytics.ingest import load

HEADER = "date,vendor,amount,currency,cost_center,category,invoice_id\n"


@pytest.fixture
def con(tmp_path):
    connection = store.connect(tmp_path / "dq.duckdb")
    settings.set_value(connection, "as_of_date", "2026-11-15")
    yield connection
    connection.close()


def import_lines(con, tmp_path, lines: list[str], name: str = "spend.csv", **options):
    path = tmp_path / name
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return load.import_file(con, "spend", path, options=load.ImportOptions(**options))


LINES = [
    "2026-03-02,,1200.00,USD,Infrastructure,Software,A-1",             # vendor blank
    "2026-03-09,,300.00,USD,Infrastructure,Software,A-2",              # vendor blank
    "2026-04-01,REDACTED - personal data,950.00,USD,Applications,Outside Services,A-3",
    "2026-04-02,Acme Corp,80.00,USD,,Software,A-4",                    # cost center blank
    "2026-04-03,Acme Corp,-50.00,USD,,Software,A-5",                   # a refund: no money at stake
    "2026-04-04,Acme Corp,40.00,USD,Security,Hardware,A-6",            # complete: no finding
]


def test_each_placeholder_is_a_finding_with_its_lines_and_amount(con, tmp_path):
    import_lines(con, tmp_path, LINES)
    found = engine.run_rule(con, "data_quality").sort_values("amount_at_stake", ascending=False)
    result = found[["severity", "vendor", "amount_at_stake", "evidence"]].values.tolist()
    expected = [["medium", "(not stated)", 1500.0, ["A-1", "A-2"]],
                ["medium", "(redacted)", 950.0, ["A-3"]],
                ["low", "Acme Corp", 80.0, ["A-4", "A-5"]]]
    assert result == expected
    assert all(fid.startswith("DQ-") for fid in found["finding_id"])
    explanation = engine.explanation(found["explanation"].iloc[0])
    assert "2 spend line(s) in FY2026 with the vendor blank, imported as '(not stated)'" in explanation
    assert "1,500.00 USD cannot be attributed to a vendor" in explanation


def test_a_strict_import_refuses_instead_so_there_is_no_finding(con, tmp_path):
    with pytest.raises(load.ImportRefused):
        import_lines(con, tmp_path, LINES, strict=True)
    assert engine.run_rule(con, "data_quality").empty


def test_clean_books_have_no_data_quality_finding(con, tmp_path):
    import_lines(con, tmp_path, [LINES[-1]])
    assert engine.run_rule(con, "data_quality").empty


def test_money_is_exposure_counted_once_with_the_other_rules(con, tmp_path):
    settings.set_value(con, "audit_no_contract_threshold", "100")
    import_lines(con, tmp_path, LINES)
    frame = audit.findings(con)
    assert money.kind("data_quality") == "exposure"
    by_rule = frame.groupby("rule")["at_stake_counted"].sum().to_dict()
    # the blank-vendor lines are also "(not stated)" without a contract: counted once, under data_quality first
    assert by_rule["data_quality"] == pytest.approx(1500.0 + 950.0 + 80.0)
    assert by_rule.get("no_contract", 0.0) == pytest.approx(0.0)
    total = audit.at_stake(con)["at_stake"].iloc[0]
    assert total == pytest.approx(frame["at_stake_counted"].round(2).sum())


def test_evidence_shows_the_text_the_file_held(con, tmp_path):
    import_lines(con, tmp_path, LINES)
    found = engine.run_rule(con, "data_quality")
    redacted = found.loc[found["vendor"] == "(redacted)", "finding_id"].tolist()
    rows = audit.evidence(con, finding_ids=redacted)
    result = rows[["ref", "vendor", "amount", "original_text"]]
    expected = pd.DataFrame({"ref": ["A-3"], "vendor": ["(redacted)"], "amount": [950.0],
                             "original_text": ["vendor: REDACTED - personal data"]})
    pd.testing.assert_frame_equal(result, expected)
