"""How a page's table shows a column (views/common.py: the column config from the column's unit)."""
import datetime as dt

import pandas as pd

from views import common


def test_a_month_held_as_a_date_is_shown_as_a_month_not_as_its_epoch_milliseconds():
    as_date = common._column("period", pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01"])), "USD")
    assert (as_date["type_config"]["type"], as_date["type_config"]["format"]) == ("date", "YYYY-MM")
    assert as_date["label"] == "Month"
    as_objects = common._column("period", pd.Series([dt.date(2025, 10, 1), None], dtype=object), "USD")
    assert (as_objects["type_config"]["type"], as_objects["type_config"]["format"]) == ("date", "YYYY-MM")
    as_text = common._column("period", pd.Series(["2024-01", "2024-02"]), "USD")  # already written as a month
    assert as_text["type_config"]["type"] == "text"
