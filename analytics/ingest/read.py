"""Stage 1 of an import: read a CSV or XLSX file into a table of text cells.

Every cell becomes a string (empty for blank), so nothing is guessed before validation;
`_row` keeps the row number a person sees in the file (the header is row 1).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


class ReadError(ValueError):
    """The file cannot be read at all (wrong type, not a table, empty, ...)."""


@dataclass
class RawTable:
    file_name: str
    frame: pd.DataFrame          # text columns as in the file, plus `_row`
    sheet: str | None = None


def read_table(path: str | Path, *, sheet: str | None = None, display_name: str | None = None) -> RawTable:
    """Read a .csv or .xlsx file; raise ReadError with the file's name when it cannot be read."""
    path = Path(path)
    name = display_name or path.name
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        frame = _read_csv(path, name)
        chosen = None
    elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        frame, chosen = _read_excel(path, name, sheet)
    else:
        raise ReadError(f"{name}: unsupported file type {suffix or '(none)'}; use .csv or .xlsx")
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(set(frame.columns)) != len(frame.columns):
        dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
        raise ReadError(f"{name}: the header row repeats the column(s) {', '.join(dupes)}")
    frame.insert(0, "_row", range(2, len(frame) + 2))
    # rows left completely blank (often at the end of a sheet) are not data
    values = frame.drop(columns="_row")
    if len(values.columns):
        blank = (values == "").all(axis=1)
        frame = frame[~blank].reset_index(drop=True)
    return RawTable(name, frame, chosen)


def _read_csv(path: Path, name: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=False)
    except pd.errors.EmptyDataError:
        raise ReadError(f"{name}: the file is empty") from None
    except UnicodeDecodeError as exc:
        raise ReadError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV") from None
    except pd.errors.ParserError as exc:
        raise ReadError(f"{name}: not a readable CSV table: {exc}") from None


def _read_excel(path: Path, name: str, sheet: str | None) -> tuple[pd.DataFrame, str]:
    try:
        sheets = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine raises its own error types for broken files
        raise ReadError(f"{name}: not a readable Excel workbook: {exc}") from None
    chosen = sheet if sheet is not None else sheets.sheet_names[0]
    if chosen not in sheets.sheet_names:
        raise ReadError(f"{name}: no sheet {chosen!r}; sheets: {', '.join(sheets.sheet_names)}")
    frame = sheets.parse(chosen, header=0, dtype=object)
    if frame.empty and not len(frame.columns):
        raise ReadError(f"{name}: sheet {chosen!r} is empty")
    return frame.map(cell_text), chosen


def cell_text(value) -> str:
    """An Excel cell as the text a CSV would have held."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(round(value, 8))
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        if value.hour == value.minute == value.second == 0 and value.microsecond == 0:
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is pd.NaT:
        return ""
    return str(value)
