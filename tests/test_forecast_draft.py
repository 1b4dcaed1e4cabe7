"""Next year's budget draft, its saving as a budget version, and the funding-request workbook."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics import store
from analytics.forecast import draft
from analytics.reports import funding_request
from tests.test_forecast_landing import build


@pytest.fixture(scope="module")
def dr_ro(tmp_path_factory):
    """Shared by the tests that only read."""
    connection = store.connect(tmp_path_factory.mktemp("draft") / "d.duckdb")
    build(connection)
    yield connection
    connection.close()


@pytest.fixture()
def dr_con(tmp_path):
    connection = store.connect(tmp_path / "d.duckdb")
    build(connection)
    yield connection
    connection.close()


def test_the_draft_splits_committed_and_forecast_by_line(dr_ro):
    lines = draft.draft(dr_ro, fiscal_year=2027).set_index(["cost_center", "category"])
    it = lines.loc[("IT", "Software")]
    assert it["committed"] == pytest.approx(1200.0)        # C1 renews into 2027
    assert it["forecast"] > 0
    assert it["proposed"] == pytest.approx(it["committed"] + it["forecast"])
    assert it["basis"] == "committed contracts + statistical forecast of uncommitted spend"
    assert lines.loc[("Ops", "Hardware"), "committed"] == 0.0


def test_a_scenario_cut_shows_as_an_adjustment(dr_ro):
    spec = json.dumps({"budget_cuts": [{"dimension": "cost_center", "value": "Ops", "pct": 20}]})
    lines = draft.draft(dr_ro, fiscal_year=2027, spec_json=spec).set_index(["cost_center", "category"])
    ops = lines.loc[("Ops", "Hardware")]
    assert ops["adjustment"] == pytest.approx(-0.2 * ops["forecast"], abs=0.01)
    assert ops["basis"].endswith("scenario adjustment (incl. 20% cut)")


def test_a_year_already_begun_cannot_be_drafted(dr_ro):
    with pytest.raises(ValueError, match="has already begun"):
        draft.draft(dr_ro, fiscal_year=2026)


def test_an_edit_moves_into_the_adjustment(dr_ro):
    lines = draft.draft(dr_ro, fiscal_year=2027)
    edited = lines.copy()
    edited.loc[0, "proposed"] = lines.loc[0, "proposed"] + 500
    result = draft.apply_edits(lines, edited)
    assert result.loc[0, "adjustment"] == pytest.approx(lines.loc[0, "adjustment"] + 500)
    assert result.loc[0, "basis"].endswith("edited by hand")


def test_a_saved_version_adds_up_to_the_draft_to_the_cent(dr_con):
    lines = draft.draft(dr_con, fiscal_year=2027)
    rows = draft.save_version(dr_con, fiscal_year=2027, version="draft-2027", lines=lines)
    saved = dr_con.execute("select cost_center, category, sum(amount) as amount, count(*) as months from budget "
                           "where version = 'draft-2027' group by all order by all").df()
    expected = lines.sort_values(["cost_center", "category"]).reset_index(drop=True)
    assert rows == 12 * len(lines)
    assert saved["months"].tolist() == [12] * len(lines)
    assert [float(a) for a in saved["amount"]] == pytest.approx(expected["proposed"].tolist(), abs=0.001)


def test_a_version_name_is_never_overwritten(dr_con):
    lines = draft.draft(dr_con, fiscal_year=2027)
    draft.save_version(dr_con, fiscal_year=2027, version="v1", lines=lines)
    with pytest.raises(ValueError, match="already exists"):
        draft.save_version(dr_con, fiscal_year=2027, version="v1", lines=lines)


def test_the_funding_request_totals_the_draft_and_keeps_text_as_text(dr_ro):
    lines = draft.draft(dr_ro, fiscal_year=2027)
    lines.loc[0, "cost_center"] = "=HYPERLINK(\"http://x\")"
    book = load_workbook(io.BytesIO(funding_request.funding_request(dr_ro, fiscal_year=2027, lines=lines)))
    ws = book["Lines"]  # a title, a subtitle, a blank row, the headings, then the lines
    heading = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Cost center")
    assert ws.cell(heading + 1, 1).value == "=HYPERLINK(\"http://x\")"
    assert ws.cell(heading + 1, 1).data_type == "s"
    summary = pd.DataFrame(list(book["By cost center"].values)[1:])
    assert summary.iloc[-1, 0] == "Total"
    assert summary.iloc[-1, 4] == pytest.approx(lines["proposed"].sum())
