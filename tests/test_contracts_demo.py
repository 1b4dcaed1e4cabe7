"""Cross-checks against the demo company, whose generator plants renewals due within 90 days."""
from analytics import contracts, vendors
from tests.conftest import DEMO_AS_OF


def test_renewals_match_the_demo_generator(demo_con, demo_result):
    due = contracts.renewals(demo_con, within_days=90, on=DEMO_AS_OF)
    due = due[due["days_left"] > 0]  # the generator counts cancel-by dates strictly after the as-of date
    assert sorted(zip(due["contract_id"], due["cancel_by_date"])) == sorted(demo_result.renewals_due)


def test_every_contract_vendor_is_scored_or_na(demo_con):
    table = vendors.scorecard(demo_con)
    contracted = demo_con.execute("select count(distinct vendor_key(vendor)) from contracts").fetchone()[0]
    assert len(table) == contracted
    assert table["score"].dropna().between(0, 100).all()
