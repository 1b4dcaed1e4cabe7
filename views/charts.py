"""The app's charts as Apache ECharts options, drawn by `st.echarts_chart` (`show`).

Why ECharts and not plotly: Streamlit loads a chart kind's browser code when the first such chart arrives. Plotly's is
a 4.7 MB module whose evaluation took 1.5-2.5 s of the browser's main thread in every new session on the 2-core
benchmark machine (`python -m analytics bench --pages`: the pages with a chart took 4.6-6.3 s for a new session at 1M
lines, 2.8-4.2 s with the charts left out); ECharts' is 1.2 MB and draws on a canvas.

Numbers are written by the app, in the reader's language, never by the chart library (which writes 1,234.5 in
every language): the tooltip of a chart shows text made with `analytics.i18n` (a column per series in the chart's
dataset, placed by ECharts' `{@name}` template), and a money axis is scaled to a unit whose tick labels need no
separator (0-999 with whole steps: "EUR (Mio.)" with ticks 0, 1, 2, 3). Percent axes keep whole steps too.

Every builder returns a plain dict (JSON): a page shows it with `show(option, key)`; tests read it back.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from analytics import i18n

COLORS = {"actual": "#1f77b4", "budget": "#9aa5b1", "forecast": "#ff7f0e", "committed": "#2ca02c",
          "over": "#d62728", "under": "#2ca02c"}
# a colour-blind safe qualitative sequence (plotly's "Safe", the one the scorecard used)
PALETTE = ["#88CCEE", "#CC6677", "#DDCC77", "#117733", "#332288", "#AA4499", "#44AA99", "#999933", "#882255",
           "#661100", "#6699CC", "#888888"]


@dataclass
class Series:
    """One series of a category chart: `values` in the order of the categories (None or NaN where missing).
    kind: "bar", "line" (with `markers`, `dashed`, `width`), "scatter" (markers only) or "area" (a line filled to
    the one below it: use `stack` for bands). `text` replaces the tooltip text of each value (e.g. a count);
    `labels` are shown on the bars."""
    name: str
    values: list
    kind: str = "bar"
    color: str | None = None
    stack: str | None = None
    axis: int = 0
    dashed: bool = False
    markers: bool = False
    width: float | None = None
    text: list[str] | None = None
    labels: list[str] | None = None
    tooltip: bool = True
    fill: float | None = None  # area opacity
    legend: bool = True


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


def money_scale(values) -> float:
    """The power of a thousand that brings the largest amount below 1,000 (and at least 1): tick labels then need
    no thousands separator. (A stack of bars can still reach 1,000: category_chart then ends the axis at the
    largest value instead of a round number.)"""
    largest = max((abs(float(v)) for v in values if not _missing(v)), default=0.0)
    divisor = 1.0
    while largest / divisor >= 1_000:
        divisor *= 1_000
    return divisor


def money_axis_name(currency: str, divisor: float, title: str | None = None) -> str:
    """'EUR (Mio.)' for amounts in millions; a `title` holding '{currency}' (a translated template, unformatted)
    gets it there ('EUR (Mio.) per month'), another title gets it after a comma."""
    unit = f"{currency} ({i18n.compact_unit(divisor)})" if divisor > 1 else currency
    if title and "{currency}" in title:
        return title.replace("{currency}", unit)
    return f"{title}, {unit}" if title else unit


def money_text(value, currency: str, decimals: int = 0) -> str:
    """An amount as captions, tooltips and labels write it: analytics.i18n.money, '–' when missing."""
    return "–" if _missing(value) else i18n.money(value, currency, decimals=decimals)


def percent_text(value, decimals: int = 1) -> str:
    """A percent given in points (99.5 -> '99.5 %' in the reader's language)."""
    return "–" if _missing(value) else i18n.percent(float(value) / 100, decimals)


def _plain(text: str) -> str:
    """A name inside an ECharts template: braces would open a placeholder, < would open HTML."""
    return (str(text).replace("{", "(").replace("}", ")").replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def _label(text) -> str:
    """A name in a label drawn on the canvas (not HTML): only braces would open a placeholder."""
    return str(text).replace("{", "(").replace("}", ")")


def _value(value, divisor: float = 1.0):
    return None if _missing(value) else float(value) / divisor


def base(height: int, *, title: str | None = None, legend: bool = True) -> dict:
    """What every chart has: no entry animation (a page is drawn once, at once), a title, a legend at the bottom
    (Streamlit's toolbar over the chart downloads it as a picture and shows it full screen)."""
    # drawn as SVG: a few dozen bars, lines or slices draw faster as shapes than on a canvas (a first visit of the
    # Overview's five charts at 1M spend lines: 0.78-0.83 s against 1.04-1.06 s in Chromium); charts of hundreds of
    # shapes (heatmap, gantt) ask for the canvas, where SVG was slower (SLA: 1.02-1.16 s against 0.88-0.98 s)
    option = {"animation": False, "height_px": height, "renderer": "svg",
              "grid": {"left": 12, "right": 24, "top": 56 if title else 36, "bottom": 56 if legend else 24,
                       "containLabel": True}}
    if title:
        option["title"] = {"text": title, "left": 0, "top": 0, "textStyle": {"fontSize": 15}}
    if legend:
        option["legend"] = {"bottom": 0, "type": "scroll"}
    return option


def _extent(series: list[Series], axis: int) -> list[float]:
    """The sizes the value axis must hold: every value, and the total of each stack at each category."""
    sizes, stacks = [], {}
    for s in series:
        if s.axis != axis:
            continue
        for i, v in enumerate(s.values):
            if _missing(v):
                continue
            sizes.append(abs(float(v)))
            if s.stack:
                stacks[(s.stack, i, float(v) < 0)] = stacks.get((s.stack, i, float(v) < 0), 0.0) + abs(float(v))
    return sizes + list(stacks.values())


def category_chart(categories, series: list[Series], *, currency: str | None = None, percent: bool = False,
                   title: str | None = None, axis_title: str | None = None, right_title: str | None = None,
                   horizontal: bool = False, height: int = 360, decimals: int = 0, value_range=None,
                   lines: list[tuple[str, float]] | None = None, legend: bool = True) -> dict:
    """Bars and lines over categories (months, cost centers, vendors). With `currency` the values are money: the
    axis is scaled (money_scale, its title gets the unit: see money_axis_name) and the tooltip shows each amount
    written out; with `percent`, values are points
    (0-100). `horizontal` puts the categories on the vertical axis, first at the top. `right_title` adds a second
    value axis on the right for the series with axis=1 (a money axis of its own scale). `lines` are level lines
    (label, value) across the chart, e.g. a target. `value_range` fixes (min, max) of the value axis."""
    categories = [str(c) for c in categories]
    n_axes = 2 if any(s.axis == 1 for s in series) else 1
    divisors, extents = [], []
    for axis in range(n_axes):
        extents.append(_extent(series, axis))
        divisors.append(money_scale(extents[-1]) if currency else 1.0)
    rows = []
    for i, category in enumerate(categories):
        row = {"c": category}
        for k, s in enumerate(series):
            value = s.values[i]
            row[f"v{k}"] = _value(value, divisors[s.axis])
            if s.text is not None:
                row[f"t{k}"] = s.text[i]
            elif currency:
                row[f"t{k}"] = money_text(value, currency, decimals)
            elif percent:
                row[f"t{k}"] = percent_text(value, decimals or 1)
            else:
                row[f"t{k}"] = "–" if _missing(value) else i18n.number(value, decimals)
        rows.append(row)
    option = base(height, title=title, legend=legend)
    value_axes = []
    for axis in range(n_axes):
        name = right_title if axis == 1 else axis_title
        if currency:
            name = money_axis_name(currency, divisors[axis], name)
        elif percent:
            name = f"{name}, %" if name else "%"
        value_axis = {"type": "value", "name": name, "minInterval": 1, "nameTextStyle": {"align": "left"},
                      "axisLabel": {"formatter": "{value}"}}
        if horizontal:
            value_axis["nameLocation"] = "middle"
            value_axis["nameGap"] = 28
            value_axis["nameTextStyle"] = {}
        if axis == 1:
            value_axis["splitLine"] = {"show": False}
            value_axis["nameTextStyle"] = {"align": "right"}
        if value_range is not None and axis == 0:
            value_axis["min"], value_axis["max"] = value_range
        elif currency and max(extents[axis], default=0) / divisors[axis] >= 500:
            # the axis ends at the largest amount when a round end would reach 1,000 (written with a separator)
            value_axis["max"] = "dataMax"
            value_axis["min"] = "dataMin" if any(float(v) < 0 for s in series if s.axis == axis for v in s.values
                                                 if not _missing(v)) else 0
        value_axes.append(value_axis)
    category_axis = {"type": "category", "axisLabel": {"hideOverlap": True}}
    if horizontal:
        category_axis["inverse"] = True
        option["xAxis"], option["yAxis"] = value_axes, category_axis
    else:
        option["xAxis"], option["yAxis"] = category_axis, value_axes
    columns = ["c"] + [f"v{k}" for k in range(len(series))] + [f"t{k}" for k in range(len(series))]
    option["dataset"] = {"dimensions": columns, "source": [[row.get(col) for col in columns] for row in rows]}
    tip = "".join(f"<br/>{_plain(s.name)}: <b>{{@t{k}}}</b>" for k, s in enumerate(series) if s.tooltip)
    option["tooltip"] = {"trigger": "axis", "formatter": "{b0}" + tip, "axisPointer": {"type": "shadow"}}
    out = []
    for k, s in enumerate(series):
        entry = {"type": "line" if s.kind == "area" else s.kind, "name": s.name,
                 "encode": {"x": f"v{k}", "y": "c"} if horizontal else {"x": "c", "y": f"v{k}"},
                 "connectNulls": False}
        if n_axes == 2:
            entry["xAxisIndex" if horizontal else "yAxisIndex"] = s.axis
        if s.color:
            entry["itemStyle"] = {"color": s.color}
            if s.kind in ("line", "area"):
                entry["lineStyle"] = {"color": s.color}
        if s.stack:
            entry["stack"] = s.stack
        if s.kind in ("line", "area"):
            entry["showSymbol"] = s.markers
            entry["symbolSize"] = 6
            style = entry.setdefault("lineStyle", {})
            if s.dashed:
                style["type"] = "dashed"
            if s.width is not None:
                style["width"] = s.width
        if s.kind == "area":
            entry["areaStyle"] = {"opacity": 0.25 if s.fill is None else s.fill}
            if s.color:
                entry["areaStyle"]["color"] = s.color
        if s.kind == "scatter":
            entry["symbolSize"] = 9
            entry["z"] = 5  # over the lines and their markers
        if s.labels is not None:
            option["dataset"]["dimensions"].append(f"l{k}")
            for row, label in zip(option["dataset"]["source"], s.labels):
                row.append(label)
            entry["label"] = {"show": True, "position": "insideRight" if horizontal else "inside",
                              "formatter": "{@l" + str(k) + "}"}
        out.append(entry)  # a series kept out of the legend is left out of legend["data"] below
    if lines:
        out[0]["markLine"] = {"symbol": "none", "silent": True, "lineStyle": {"type": "dotted", "color": "#777"},
                              "data": [{("xAxis" if horizontal else "yAxis"): value, "label": {"formatter": _label(name)}}
                                       for name, value in lines]}
    option["series"] = out
    if legend:
        hidden = {s.name for s in series if not s.legend}
        if hidden:
            option["legend"]["data"] = [s.name for s in series if s.legend]
    return option


def pie(names, values, *, currency: str, title: str | None = None, height: int = 320) -> dict:
    """A ring of shares: each slice labelled with its share, its amount written out in the tooltip."""
    values = [0.0 if _missing(v) else max(float(v), 0.0) for v in values]
    total = sum(values)
    data = []
    for name, value in zip(names, values):
        share = i18n.percent(value / total, 0) if total else "–"
        data.append({"name": str(name), "value": value, "label": {"formatter": f"{_label(name)}\n{share}"},
                     "tooltip": {"formatter": f"{_plain(name)}: <b>{money_text(value, currency)}</b> ({share})"}})
    option = base(height, title=title)
    option["tooltip"] = {"trigger": "item"}
    option["series"] = [{"type": "pie", "radius": ["45%", "72%"], "center": ["50%", "52%"], "data": data,
                         "label": {"show": True}}]
    return option


def heatmap(columns, rows, values, text, *, low: float, high: float, height: int, tooltips=None,
            colors=("#d62728", "#fdd49e", "#2ca02c")) -> dict:
    """A grid of cells (rows × columns) coloured by `values` between `low` and `high`, each cell showing `text`
    (values[i][j] for row i, column j; None leaves the cell empty). `tooltips` give each cell's hover text."""
    data = []
    for i, _row in enumerate(rows):
        for j, _col in enumerate(columns):
            value = values[i][j]
            if _missing(value):
                continue
            item = {"value": [j, i, float(value)], "label": {"formatter": _label(text[i][j])}}
            if tooltips is not None:
                item["tooltip"] = {"formatter": tooltips[i][j]}
            data.append(item)
    option = base(height, legend=False)
    option["renderer"] = "canvas"  # a cell, a label and a border each: hundreds of shapes
    option["grid"]["bottom"] = 56
    option["tooltip"] = {"trigger": "item"}
    option["xAxis"] = {"type": "category", "data": [str(c) for c in columns], "splitArea": {"show": True},
                       "position": "top"}
    option["yAxis"] = {"type": "category", "data": [str(r) for r in rows], "inverse": True, "splitArea": {"show": True}}
    option["visualMap"] = {"min": low, "max": high, "calculable": False, "orient": "horizontal", "left": "center",
                           "bottom": 0, "inRange": {"color": list(colors)}, "show": False}
    option["series"] = [{"type": "heatmap", "data": data, "label": {"show": True, "fontSize": 9},
                         "emphasis": {"itemStyle": {"borderColor": "#333", "borderWidth": 1}}}]
    return option


def sankey(nodes: list[str], links: list[tuple[str, str, float]], *, currency: str, height: int = 520) -> dict:
    """Money flowing from left to right: each link (source, target, amount), its amount written out in the
    tooltip."""
    option = base(height, legend=False)
    option["tooltip"] = {"trigger": "item"}
    option["series"] = [{
        "type": "sankey", "left": 8, "right": 160, "top": 30, "bottom": 10, "nodeGap": 12, "emphasis": {"focus": "adjacency"},
        "data": [{"name": name} for name in nodes],
        "links": [{"source": s, "target": t, "value": float(v),
                   "tooltip": {"formatter": f"{_plain(s)} → {_plain(t)}: <b>{money_text(v, currency)}</b>"}}
                  for s, t, v in links],
        "lineStyle": {"color": "gradient", "opacity": 0.35}}]
    return option


def epoch_ms(value) -> int:
    """A date as ECharts' time value (milliseconds since 1970, UTC)."""
    day = pd.Timestamp(value)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp() * 1000)


def time_axis(start, end) -> dict:
    """A time axis from `start` to `end` labelled by month ('Jan 27' in English, '01/27' otherwise: ECharts'
    month names are English)."""
    fmt = "{MMM} {yy}" if i18n.current() == "en" else "{MM}/{yy}"
    return {"type": "time", "min": epoch_ms(start), "max": epoch_ms(end), "axisLabel": {"formatter": fmt,
                                                                                       "hideOverlap": True}}


def show(option: dict, key: str):
    """Draw `option` (from a builder here) full width at its height."""
    import streamlit as st
    option = dict(option)
    height, renderer = option.pop("height_px", 360), option.pop("renderer", "svg")
    return st.echarts_chart(option, key=key, height=height, width="stretch", renderer=renderer)


def sankey_labelled(nodes: list[tuple[str, str]], links: list[tuple[str, str, float]], *, currency: str,
                    height: int = 520) -> dict:
    """`sankey` with nodes given as (id, label) and links by id: one name in two columns (a cost center and the
    service of the same name) stays two nodes, since a Sankey may have no loop. A node's tooltip gives the money
    through it, a link's its amount, written out."""
    label = dict(nodes)
    option = sankey(list(label), links, currency=currency, height=height)
    outflow = {node: 0.0 for node in label}
    inflow = {node: 0.0 for node in label}
    for source, target, value in links:
        outflow[source] += float(value)
        inflow[target] += float(value)
    series = option["series"][0]
    for item in series["data"]:
        name = label[item["name"]]
        item["label"] = {"formatter": _label(name)}
        amount = money_text(max(outflow[item["name"]], inflow[item["name"]]), currency)
        item["tooltip"] = {"formatter": f"{_plain(name)}: <b>{amount}</b>"}
    for link, (source, target, value) in zip(series["links"], links):
        link["tooltip"] = {"formatter": f"{_plain(label[source])} → {_plain(label[target])}: "
                                        f"<b>{money_text(value, currency)}</b>"}
    return option


def gantt(rows: list[str], bars: list[tuple], *, start, end, colors: dict[str, str], marks: list[tuple] = (),
          mark_name: str = "", today=None, rows_shown: int = 20) -> dict:
    """Spans of time by row (a Gantt chart): `rows` the row labels, first at the top; `bars` (row, first day, day
    after the last, kind, tooltip lines) drawn in the colour of their kind (`colors`: kind -> colour, in legend
    order); `marks` (row, day, tooltip lines) as red diamonds named `mark_name`; `today` a dotted line.

    At most `rows_shown` rows are drawn at a time, the first ones; a scroll bar on the right moves the window over
    the others (a register of 80 contracts would be a chart 3,000 pixels tall, slow to draw and to read).

    ECharts has no Gantt series (and st.echarts_chart allows no `custom` one): a row's k-th bar is series k,
    stacked on a transparent spacer that fills the gap from the row's previous bar (or from 0). ECharts stacks
    values, not times: the bars stand on a hidden value axis that spans the same days as the visible time axis."""
    index = {row: i for i, row in enumerate(rows)}
    by_row: list[list[tuple]] = [[] for _ in rows]
    for row, first, after, kind, tip in bars:
        by_row[index[row]].append((epoch_ms(first), epoch_ms(after), kind, tip))
    for row_bars in by_row:
        row_bars.sort(key=lambda bar: bar[0])
    window = min(len(rows), rows_shown)
    option = base(max(320, 34 * window + 140))
    option["renderer"] = "canvas"  # a spacer and a bar per term, a diamond per cancel-by date: hundreds of shapes
    drawn = {bar[3] for bar in bars}
    option["legend"] = {"top": 0, "left": 0, "selectedMode": False,
                        "data": [kind for kind in colors if kind in drawn] + ([mark_name] if marks else [])}
    option["grid"].update(top=56, bottom=12)
    option["tooltip"] = {"trigger": "item"}
    # the dates above and below the rows (a long register scrolls), the bars' value axis hidden between them
    option["xAxis"] = [dict(time_axis(start, end), position="top"),
                       {"type": "value", "min": epoch_ms(start), "max": epoch_ms(end), "show": False},
                       dict(time_axis(start, end), position="bottom", splitLine={"show": False})]
    option["yAxis"] = {"type": "category", "data": [str(r) for r in rows], "inverse": True,
                       "axisLabel": {"interval": 0, "fontSize": 10}, "axisTick": {"show": False}}
    stacked = {"type": "bar", "stack": "spans", "xAxisIndex": 1, "barWidth": "60%", "barMaxWidth": 24}
    series = [dict(stacked, name=kind, data=[], itemStyle={"color": colour}) for kind, colour in colors.items()]
    for k in range(max((len(b) for b in by_row), default=0)):
        spacers, spans = [], []
        for row_bars in by_row:
            if k >= len(row_bars):
                spacers.append(None)
                spans.append(None)
                continue
            first, after, kind, tip = row_bars[k]
            spacers.append((first - row_bars[k - 1][1] if k else first) or None)
            spans.append({"value": after - first, "itemStyle": {"color": colors[kind]},
                          "tooltip": {"formatter": "<br/>".join(_plain(line) for line in tip)}})
        series.append(dict(stacked, data=spacers, silent=True, itemStyle={"color": "transparent"},
                           tooltip={"show": False}))
        series.append(dict(stacked, data=spans, itemStyle={"borderColor": "#fff", "borderWidth": 1}))
    points = {"type": "scatter", "name": mark_name, "xAxisIndex": 0, "symbol": "diamond", "symbolSize": 11, "z": 3,
              "itemStyle": {"color": COLORS["over"]},
              "data": [{"value": [epoch_ms(day), index[row]],
                        "tooltip": {"formatter": "<br/>".join(_plain(line) for line in tip)}} for row, day, tip in marks]}
    if today is not None:
        points["markLine"] = {"symbol": "none", "silent": True, "label": {"show": False},
                              "lineStyle": {"type": "dotted", "color": "grey", "width": 1.5},
                              "data": [{"xAxis": epoch_ms(today)}]}
    series.append(points)
    option["series"] = series
    if len(rows) > window:  # the rows beyond the window are left out of the drawing until scrolled to
        option["grid"]["right"] = 40
        option["dataZoom"] = [{"type": "slider", "yAxisIndex": 0, "startValue": 0, "endValue": window - 1,
                               "zoomLock": True, "brushSelect": False, "showDetail": False, "showDataShadow": False,
                               "filterMode": "filter", "right": 8, "width": 16, "top": 56, "bottom": 12}]
    return option
