"""Plain, safe Excel writing shared by every workbook Outlay produces.

Safety: openpyxl turns any string starting with '=' into a formula. Every text cell is
written with the string type, so a vendor name like '=HYPERLINK(...)' or '@SUM(A1)' stays
text and no spreadsheet ever executes it.
"""
from __future__ import annotations

import datetime as dt
import decimal
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


def set_cell(ws, row: int, column: int, value, number_format: str | None = None):
    """Write one value; text is always stored as text, never as a formula."""
    cell = ws.cell(row=row, column=column)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return cell
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


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb
