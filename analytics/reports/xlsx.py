"""Plain, safe Excel writing shared by every workbook Outlay produces.

Safety: openpyxl turns any string starting with '=' into a formula. Every text cell is
written with the string type, so a vendor name like '=HYPERLINK(...)' or '@SUM(A1)' stays
text and no spreadsheet ever executes it.
Language: the workbooks speak the current language (analytics.i18n): sheet names, titles, headings, notes and
chart titles go through its catalog; amounts stay numbers with number formats, so Excel shows them in the
reader's own locale. `language(con, lang)` says which language a workbook is written in.
"""
from __future__ import annotations

import datetime as dt
import decimal
import math
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from analytics import i18n, present

RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


def set_cell(ws, row: int, column: int, value, number_format: str | None = None):
    """Write one value; text is always stored as text, never as a formula."""
    cell = ws.cell(row=row, column=column)
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) \
            or (isinstance(value, str) and value == ""):
        return cell  # an empty cell, not an empty text
    if isinstance(value, (list, tuple, set)) or (hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0):
        value = ", ".join(str(v) for v in (value.tolist() if hasattr(value, "tolist") else value))
    elif isinstance(value, dict):
        value = ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def write_frame(ws, frame: pd.DataFrame, *, start_row: int = 1, formats: dict[str, str] | None = None,
                widths: dict[str, int] | None = None, freeze: bool = True, autofilter: bool = True) -> None:
    """A header row and the frame's rows, with formats per column, frozen header and autofilter."""
    formats = formats or {}
    for j, name in enumerate(frame.columns, start=1):
        cell = set_cell(ws, start_row, j, str(name))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for i, row in enumerate(frame.itertuples(index=False), start=start_row + 1):
        for j, (name, value) in enumerate(zip(frame.columns, row), start=1):
            set_cell(ws, i, j, value, formats.get(name))
    for j, name in enumerate(frame.columns, start=1):
        width = (widths or {}).get(name) or min(max(len(str(name)) + 2, 12), 48)
        ws.column_dimensions[get_column_letter(j)].width = width
    if freeze:
        ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    if autofilter and len(frame.columns):
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(frame.columns))}{start_row + max(len(frame), 1)}"


def language(con, lang: str | None = None) -> str:
    """The language a workbook or PDF is written in: `lang` when given, else the `language` setting (the CLI and
    the API write files in the company's language; a page passes the language it runs in)."""
    from analytics import settings
    return i18n.parse_language(lang) if lang else settings.get(con, "language")


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """A sheet name Excel accepts in every language: at most 31 characters, none of []:*?/\\, unique in the
    workbook (case-insensitive, `taken` holds the names used, lower-cased)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", str(name)).strip().strip("'")[:31].strip() or "-"
    if taken is None:
        return base
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def create_sheet(wb, name: str, index: int | None = None):
    """A new sheet named `name` in the current language (made a valid, unique sheet name)."""
    taken = {ws.title.lower() for ws in wb.worksheets}
    return wb.create_sheet(sheet_name(i18n.t(name), taken), index)


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


# ---- finance-grade formatting for the report packs ----------------------------------------

TITLE_FONT = Font(bold=True, size=14, color="1F4E79")
BOLD = Font(bold=True)
TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
PERCENT = '+0.0%;[Red]-0.0%;0.0%'
RATE = "0.0000"


def money_format(currency: str) -> str:
    """'#,##0.00 "EUR"' with negatives in red brackets, as finance writes them ('#,##0.00' without a currency)."""
    return present.excel_format(present.MONEY, currency)


def write_title(ws, title: str, subtitle: str | None = None) -> int:
    """A title (and subtitle) at the top of a sheet; returns the next free row."""
    set_cell(ws, 1, 1, title).font = TITLE_FONT
    if subtitle:
        set_cell(ws, 2, 1, subtitle)
        return 4
    return 3


def write_report_table(ws, frame: pd.DataFrame, *, start_row: int, money: list[str] | tuple = (),
                       currency: str = "", percent: list[str] | tuple = (), rates: list[str] | tuple = (),
                       variance: list[str] | tuple = (), total_column: str | None = None,
                       widths: dict[str, int] | None = None, labels: dict[str, str] | None = None,
                       table: bool = True, freeze: bool = True) -> tuple[int, int]:
    """A table with number formats, frozen header, autofilter, red/green rules on variance columns
    and bold total rows (where `total_column` says 'Total'); returns (first data row, last data row).
    `labels` renames column headings (formats and widths are given by column name; by default the
    presentation layer's labels). Columns in none of the lists get the format of their unit (analytics.present).
    With `table` the range is a named Excel table (sortable, filterable, referable by name in formulas)."""
    room = EXCEL_ROWS - start_row  # the heading row is start_row
    if len(frame) > room:  # Excel refuses a workbook with a longer sheet: the first rows, and a line saying so
        set_cell(ws, max(start_row - 1, 1), 1, i18n.t(
            "Excel holds {rows} rows a sheet: these are the first {shown} of {count} rows; the CSV download and "
            "the command line have all of them.", rows=i18n.number(EXCEL_ROWS), shown=i18n.number(room),
            count=i18n.number(len(frame)))).font = BOLD
        frame = frame.iloc[:room]
    frame = in_words(present.tidy(frame))
    total = i18n.t("Total")
    if total_column in frame.columns and frame[total_column].dtype == object:  # the analytics' total row, in words
        frame[total_column] = frame[total_column].where(frame[total_column] != "Total", total)
    auto = {c: present.excel_format(present.unit(c, frame[c]), currency) for c in frame.columns
            if c not in (*money, *percent, *rates)}
    labels = {**{c: heading(c) for c in frame.columns}, **(labels or {})}
    if labels:
        rename = {c: labels.get(c, c) for c in frame.columns}
        auto = {rename.get(c, c): f for c, f in auto.items()}
        frame = frame.rename(columns=rename)
        money, percent, rates, variance = ([rename.get(c, c) for c in group]
                                           for group in (money, percent, rates, variance))
        total_column = rename.get(total_column, total_column)
        widths = {rename.get(c, c): w for c, w in (widths or {}).items()}
    frame = _dates_without_midnight(_unique_headings(frame))
    formats = {c: f for c, f in auto.items() if f}
    formats.update({c: money_format(currency) for c in money})
    formats.update({c: PERCENT for c in percent})
    formats.update({c: RATE for c in rates})
    widths = {**{c: 16 for c in (*money, *percent, *rates)}, **(widths or {})}
    write_frame(ws, frame, start_row=start_row, formats=formats, widths=widths, freeze=freeze)
    first, last = start_row + 1, start_row + max(len(frame), 1)
    columns = list(frame.columns)
    if table and len(columns):
        named_table(ws, header_row=start_row, last_row=last, last_col=len(columns))
    for name in (*variance, *percent):
        if name in columns and len(frame):
            add_variance_rules(ws, f"{get_column_letter(columns.index(name) + 1)}{first}:"
                                   f"{get_column_letter(columns.index(name) + 1)}{last}")
    if total_column in columns:
        for offset, value in enumerate(frame[total_column].tolist()):
            if value == total:
                for j in range(1, len(columns) + 1):
                    cell = ws.cell(row=first + offset, column=j)
                    cell.font = BOLD
                    cell.fill = TOTAL_FILL
    return first, last


N_ = i18n.N_
CONTENTS = N_("Contents")
EXCEL_ROWS = 1_048_576  # the most rows an Excel sheet holds
# headings of columns the workbooks carry from other domains' frames that the presentation layer does not name
HEADINGS = {
    "auto_renew": N_("Renews automatically"), "current_term": N_("Current term"), "term_end_date": N_("Term ends"),
    "renewal_term_months": N_("Renewal term (months)"), "next_action": N_("Next action"),
    "response_met": N_("Responses met"), "response_breached": N_("Responses breached"),
    "response_pending": N_("Responses pending"), "resolution_met": N_("Resolutions met"),
    "resolution_breached": N_("Resolutions breached"), "resolution_pending": N_("Resolutions pending"),
    "availability_points_below": N_("Availability points below target"),
    "is_availability_missed": N_("Availability missed"), "made_sla_disagreements": N_("ITSM flag disagrees"),
    "is_missed": N_("Missed"), "evidence": N_("Evidence"), "evidence_count": N_("Evidence rows"),
    "amount_recovered": N_("Recovered"),
    "reviewed_at": N_("Reviewed"), "is_detected": N_("Still detected"), "ref": N_("Reference"),
    "original_text": N_("Text in the file"), "bias_risk": N_("Bias risk"),
}
# the words of code values people read in the workbooks (contract, finding and SLA states, kinds of money)
VALUES = {
    "tacit": N_("tacit renewal"), "express": N_("express renewal"), "fixed": N_("fixed term"),
    "active": N_("active"), "expired": N_("expired"), "monthly": N_("monthly"), "quarterly": N_("quarterly"),
    "annual": N_("annual"), "open": N_("open"), "confirmed": N_("confirmed"), "dismissed": N_("dismissed"),
    "resolved": N_("resolved"), "high": N_("high"), "medium": N_("medium"), "low": N_("low"),
    "recoverable": N_("recoverable"), "exposure": N_("exposure"), "all": N_("all"), "met": N_("met"),
    "missed": N_("missed"), "breached": N_("breached"), "pending": N_("pending"), "no target": N_("no target"),
    "capex": N_("Capex"), "opex": N_("Opex"), "risk": N_("risk"), "safe": N_("safe"), "neutral": N_("neutral"),
    "spend line": N_("spend line"), "contract": N_("contract"), "licence": N_("licence"), "ticket": N_("ticket"),
    "SLA measurement": N_("SLA measurement"),
    "cancel by the cancel-by date, or it renews automatically":
        N_("cancel by the cancel-by date, or it renews automatically"),
    "renew by agreement before the end date, or it ends": N_("renew by agreement before the end date, or it ends"),
    "ends at the end date": N_("ends at the end date"),
}
VALUE_COLUMNS = ("renewal_type", "status", "billing_frequency", "severity", "money", "capex_opex", "next_action",
                 "bias_risk", "kind", "response_status", "resolution_status")
MONTH_TEXT = re.compile(r"\d{4}-\d{2}")


def heading(column) -> str:
    """A column's heading in the current language: the presentation layer's label, 'Total' in words, a month
    column ('2026-10') as the locale names the month."""
    name = str(column)
    if name == "Total":
        return i18n.t("Total")
    if MONTH_TEXT.fullmatch(name) and i18n.current() != i18n.DEFAULT:
        return i18n.month(name + "-01")
    if name in HEADINGS:
        return i18n.t(HEADINGS[name])
    return present.label(name) or name


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """Code values in the current language (a contract's 'tacit' renewal, a finding's 'open' status) and months
    written as text ('2026-10') as the locale names them; English keeps its codes and ISO months."""
    if i18n.current() == i18n.DEFAULT:
        return frame
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype != object:
            continue
        if name in VALUE_COLUMNS:
            out[name] = column.map(lambda v: i18n.t(VALUES[v]) if isinstance(v, str) and v in VALUES else v)
        elif present.unit(str(name)) == present.MONTH:
            out[name] = column.map(lambda v: i18n.month(v + "-01") if isinstance(v, str) and MONTH_TEXT.fullmatch(v)
                                   else v)
    return out


def _unique_headings(frame: pd.DataFrame) -> pd.DataFrame:
    """Headings made unique ('Audit rule', 'Audit rule (2)'): an Excel table needs distinct column names."""
    seen: dict[str, int] = {}
    names = []
    for name in map(str, frame.columns):
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    if names == list(frame.columns):
        return frame
    out = frame.copy()
    out.columns = names
    return out


def named_table(ws, *, header_row: int, last_row: int, last_col: int, first_col: int = 1):
    """Make a written range (heading row + rows) a named Excel table, named after its sheet ('Top_vendors');
    the sheet's own autofilter gives way to the table's."""
    from openpyxl.worksheet.table import Table, TableStyleInfo
    taken = {name.lower() for sheet in ws.parent.worksheets for name in sheet.tables}
    base = re.sub(r"\W+", "_", ws.title).strip("_") or "Table"
    base = base if re.match(r"[A-Za-z_]", base) else f"T_{base}"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base}_{n}", n + 1
    ref = f"{get_column_letter(first_col)}{header_row}:{get_column_letter(last_col)}{max(last_row, header_row + 1)}"
    found = Table(displayName=name, ref=ref)
    found.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(found)
    ws.auto_filter.ref = None
    return found


def _dates_without_midnight(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamp columns holding whole days become dates (shown as yyyy-mm-dd, not with 00:00:00)."""
    out = frame
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column) and (column.dropna() == column.dropna().dt.normalize()).all():
            out = out.copy() if out is frame else out
            out[name] = column.dt.date.where(column.notna(), None)
    return out


def add_variance_rules(ws, cell_range: str) -> None:
    """Over budget (positive variance) in red, under budget in green."""
    from openpyxl.formatting.rule import CellIsRule
    ws.conditional_formatting.add(cell_range, CellIsRule(operator="greaterThan", formula=["0"],
                                                         font=Font(color="C00000"),
                                                         fill=PatternFill("solid", fgColor="FDE9E7")))
    ws.conditional_formatting.add(cell_range, CellIsRule(operator="lessThan", formula=["0"],
                                                         font=Font(color="006100"),
                                                         fill=PatternFill("solid", fgColor="E2EFDA")))


def risk_rule(ws, cell_range: str) -> None:
    """Negative values (a forecast below what was spent: under-forecasting, a risk) in red; positive in grey."""
    from openpyxl.formatting.rule import CellIsRule
    ws.conditional_formatting.add(cell_range, CellIsRule(operator="lessThan", formula=["0"],
                                                         font=Font(color="C00000"),
                                                         fill=PatternFill("solid", fgColor="FDE9E7")))
    ws.conditional_formatting.add(cell_range, CellIsRule(operator="greaterThan", formula=["0"],
                                                         font=Font(color="6B7280")))


def print_setup(ws, *, title_row: int | None = None) -> None:
    """Landscape, fit to one page wide, header row repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_row:
        ws.print_title_rows = f"{title_row}:{title_row}"


def bar_chart(ws, *, title: str, header_row: int, first_row: int, last_row: int, category_col: int,
              value_cols: list[int], anchor: str, y_title: str = "", line_cols: list[int] | tuple = ()):
    """A native clustered bar chart over cells of `ws` (optionally with lines on a second axis),
    so the chart follows the numbers when they are edited in Excel."""
    from openpyxl.chart import BarChart, LineChart, Reference
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    chart.height, chart.width = 9, 22
    for col in value_cols:
        chart.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=category_col, min_row=first_row, max_row=last_row))
    if line_cols:
        lines = LineChart()
        for col in line_cols:
            lines.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last_row), titles_from_data=True)
        lines.y_axis.axId = 200
        lines.y_axis.title = i18n.t("cumulative")
        lines.y_axis.crosses = "max"
        chart += lines
    ws.add_chart(chart, anchor)
    return chart


def line_chart(ws, *, title: str, header_row: int, first_row: int, last_row: int, category_col: int,
               value_cols: list[int], anchor: str, y_title: str = "", styles: dict[int, dict] | None = None,
               percent: bool = False):
    """A native line chart over cells of `ws`; `styles` per column: {'color': 'RRGGBB', 'dash': 'dash',
    'width': pt}, e.g. a forecast fan (actual, forecast, its 80% and 95% bounds) or an attainment trend."""
    from openpyxl.chart import LineChart, Reference
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = y_title
    chart.height, chart.width = 9, 22
    if percent:
        chart.y_axis.numFmt = "0%"
    for col in value_cols:
        chart.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=category_col, min_row=first_row, max_row=last_row))
    for series, col in zip(chart.series, value_cols):
        style = (styles or {}).get(col, {})
        series.smooth = False
        if "color" in style:
            series.graphicalProperties.line.solidFill = style["color"]
        if "dash" in style:
            series.graphicalProperties.line.dashStyle = style["dash"]
        series.graphicalProperties.line.width = int(style.get("width", 2) * 12700)
    ws.add_chart(chart, anchor)
    return chart


def data_chart_anchor(ws, *, right_of: int, row: int = 4) -> str:
    """A chart's top-left cell two columns right of a table `right_of` columns wide."""
    return f"{get_column_letter(right_of + 2)}{row}"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV in which no text cell can run as a formula when opened in a spreadsheet:
    text starting with = + - @ tab or carriage return gets a leading apostrophe (OWASP's advice for
    CSV injection). Numbers, including negative ones, are written as numbers."""
    safe = present.rounded(frame)
    for name in safe.columns:
        if safe[name].dtype == object or pd.api.types.is_string_dtype(safe[name].dtype):
            safe[name] = safe[name].map(lambda v: "" if present.is_empty(v) else neutralised(v))
    return safe.to_csv(index=False).encode("utf-8")


NUMBER_TEXT = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")


def neutralised(value):
    """Text that a spreadsheet would run as a formula, with a leading apostrophe; numbers written as text
    (an exported amount like -12.50) stay as they are."""
    if isinstance(value, str) and value.startswith(RISKY_PREFIXES) and not NUMBER_TEXT.fullmatch(value):
        return "'" + value
    return value


def contents_sheet(wb, title: str, descriptions: dict[str, str] | None = None, subtitle: str | None = None) -> None:
    """A first sheet listing every sheet with a link to it (and what it holds: the description given, keyed by
    the sheet's English name and translated with it, else the sheet's title in A1)."""
    about = {i18n.t(name): i18n.t(text) for name, text in (descriptions or {}).items()}
    ws = create_sheet(wb, CONTENTS, 0)
    row = write_title(ws, title, subtitle)
    for name in wb.sheetnames[1:]:
        cell = set_cell(ws, row, 1, name)
        cell.hyperlink = f"#'{name}'!A1"
        cell.font = Font(color="0563C1", underline="single")
        own = wb[name]["A1"].value
        set_cell(ws, row, 2, about.get(name) or (own if isinstance(own, str) and own != name else ""))
        row += 1
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 80
    print_setup(ws)
