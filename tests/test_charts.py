"""The chart options (views/charts.py): numbers written by the app in the reader's language, money axes scaled to
a unit whose ticks need no separator, what a tooltip shows."""
import json

from analytics import i18n
from views import charts


def rows(option):
    dims = option["dataset"]["dimensions"]
    return [dict(zip(dims, row)) for row in option["dataset"]["source"]]


def test_money_scale_brings_the_largest_amount_below_a_thousand():
    assert charts.money_scale([999.0, -5]) == 1
    assert charts.money_scale([1_000.0]) == 1_000
    assert charts.money_scale([-2_400_000.0, None, float("nan")]) == 1_000_000
    assert charts.money_scale([]) == 1


def test_money_axis_is_scaled_and_named_in_the_readers_language():
    with i18n.use("de"):
        option = charts.category_chart(["Jan", "Feb"], [charts.Series("Ist", [1_234_567.891, 2_500_000])],
                                       currency="EUR", axis_title="{currency} pro Monat")
        assert option["yAxis"][0]["name"] == "EUR (Mio.) pro Monat"
        first = rows(option)[0]
        assert first["v0"] == 1_234_567.891 / 1_000_000
        assert first["t0"] == "1.234.568\xa0€"  # the tooltip: written by i18n, not by ECharts
    with i18n.use("en"):
        option = charts.category_chart(["Jan"], [charts.Series("Actual", [-1_234.5])], currency="USD",
                                       axis_title="spend", decimals=2)
        assert option["yAxis"][0]["name"] == "spend, USD (K)"
        assert rows(option)[0]["t0"] == "(1,234.50) USD"


def test_a_stack_counts_as_its_total_and_a_full_axis_ends_at_the_data():
    option = charts.category_chart(["a", "b"], [charts.Series("x", [600.0, 100.0], stack="s"),
                                                charts.Series("y", [500.0, None], stack="s")], currency="EUR")
    axis = option["yAxis"][0]
    assert axis["name"] == "EUR (K)"  # 1,100 stacked: in thousands
    assert rows(option)[0]["v0"] == 0.6 and rows(option)[1]["t1"] == "–"
    assert "max" not in axis  # 1.1 (thousand) leaves room for a round end
    option = charts.category_chart(["a"], [charts.Series("x", [700.0])], currency="EUR")
    assert option["yAxis"][0]["max"] == "dataMax" and option["yAxis"][0]["min"] == 0  # a round end would be 1,000


def test_tooltip_lists_each_series_with_its_written_value_and_names_are_plain_text():
    option = charts.category_chart(["<b>x</b>"], [charts.Series("A {b}", [1.0]), charts.Series("hidden", [2.0],
                                                                                                 tooltip=False)])
    formatter = option["tooltip"]["formatter"]
    assert formatter == "{b0}<br/>A (b): <b>{@t0}</b>"
    assert rows(option)[0]["t1"] == "2"


def test_horizontal_bars_put_categories_on_the_vertical_axis_first_at_the_top():
    option = charts.category_chart(["big", "small"], [charts.Series("Actual", [9.0, 1.0], labels=["90%", "10%"])],
                                   horizontal=True, percent=True)
    assert option["yAxis"]["type"] == "category" and option["yAxis"]["inverse"] is True
    assert option["series"][0]["encode"] == {"x": "v0", "y": "c"}
    assert option["series"][0]["label"]["formatter"] == "{@l0}" and rows(option)[0]["l0"] == "90%"
    assert rows(option)[0]["t0"] == "9.0%"


def test_second_axis_and_level_lines():
    option = charts.category_chart(["m"], [charts.Series("a", [5.0]), charts.Series("b", [5_000_000.0], kind="line",
                                                                                  axis=1)],
                                   currency="EUR", lines=[("target", 3.0)])
    assert [a["name"] for a in option["yAxis"]] == ["EUR", "EUR (M)"]
    assert option["series"][1]["yAxisIndex"] == 1
    assert option["series"][0]["markLine"]["data"] == [{"yAxis": 3.0, "label": {"formatter": "target"}}]


def test_pie_shares_and_amounts_in_the_readers_language():
    with i18n.use("de"):
        option = charts.pie(["Opex", "Capex"], [750.0, 250.0], currency="EUR")
    opex, capex = option["series"][0]["data"]
    assert opex["label"]["formatter"] == "Opex\n75\xa0%"
    assert capex["tooltip"]["formatter"] == "Capex: <b>250\xa0€</b> (25\xa0%)"


def test_heatmap_leaves_missing_cells_empty():
    option = charts.heatmap(["Jan", "Feb"], ["svc"], [[99.5, None]], [["99.5", ""]], low=95, high=100, height=200)
    assert option["series"][0]["data"] == [{"value": [0, 0, 99.5], "label": {"formatter": "99.5"}}]


def test_options_are_plain_json():
    option = charts.category_chart(["a"], [charts.Series("x", [1.0])], currency="EUR")
    assert json.loads(json.dumps(option)) == option


def test_a_long_gantt_draws_a_window_of_rows_and_a_scroll_bar_over_the_others():
    import datetime as dt

    day = dt.date(2026, 1, 1)
    kinds = {"current": "#1f77b4"}

    def gantt(n: int) -> dict:
        rows = [f"C-{i}" for i in range(n)]
        bars = [(row, day, day + dt.timedelta(days=30 + i), "current", [row]) for i, row in enumerate(rows)]
        return charts.gantt(rows, bars, start=day, end=dt.date(2027, 1, 1), colors=kinds, rows_shown=20)

    short, long = gantt(20), gantt(80)
    assert "dataZoom" not in short and short["height_px"] == 34 * 20 + 140
    assert long["height_px"] == short["height_px"]  # 80 rows take the room of 20, not 3,000 pixels
    zoom = long["dataZoom"][0]
    assert (zoom["type"], zoom["yAxisIndex"], zoom["startValue"], zoom["endValue"]) == ("slider", 0, 0, 19)
    assert zoom["zoomLock"] and zoom["filterMode"] == "filter"  # a fixed window of 20 rows; rows outside not drawn
    assert len(long["yAxis"]["data"]) == 80 and len(long["series"][-2]["data"]) == 80  # every row is there to scroll to
    assert long["grid"]["right"] > short["grid"]["right"]  # room for the bar
    assert gantt(3)["height_px"] == 320  # a short register keeps a readable minimum


def test_small_charts_are_drawn_as_svg_and_charts_of_hundreds_of_shapes_on_a_canvas():
    """views.charts.show hands the option's renderer to st.echarts_chart (measured in Chromium: SVG drew the Overview's
    bars and lines faster, the canvas the SLA heatmap)."""
    import datetime as dt

    bars = charts.category_chart(["Jan"], [charts.Series("Actual", [1.0])], currency="USD")
    heat = charts.heatmap(["Jan"], ["C-1"], [[0.99]], [["99%"]], low=0.9, high=1.0, height=300)
    day = dt.date(2026, 1, 1)
    gantt = charts.gantt(["C-1"], [("C-1", day, dt.date(2026, 2, 1), "current", ["C-1"])], start=day,
                         end=dt.date(2027, 1, 1), colors={"current": "#1f77b4"})
    assert (bars["renderer"], heat["renderer"], gantt["renderer"]) == ("svg", "canvas", "canvas")
