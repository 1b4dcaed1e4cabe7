"""Templates and exports of the canonical datasets (CSV or XLSX by extension)."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from analytics import datasets
from analytics.reports import xlsx

KIND_FORMATS = {
    "date": "YYYY-MM-DD", "period": "YYYY-MM", "timestamp": "YYYY-MM-DD HH:MM:SS",
    "money": "number, up to 4 decimals, negative for credits", "number": "number", "count": "whole number >= 0",
    "currency": "ISO 4217 code", "bool": "true/false", "text": "text", "timezone": "IANA time zone, like Europe/Paris",
}


def template_frame(dataset_name: str) -> pd.DataFrame:
    """The header row and one example row of a dataset."""
    dataset = datasets.get(dataset_name)
    return pd.DataFrame([[c.example for c in dataset.columns]], columns=dataset.column_names)


def column_guide(dataset_name: str) -> pd.DataFrame:
    """One row per column: name, required, format, description."""
    dataset = datasets.get(dataset_name)
    rows = []
    for col in dataset.columns:
        fmt = "one of " + ", ".join(col.choices) if col.kind == "choice" else KIND_FORMATS[col.kind]
        rows.append({"column": col.name, "required": "yes" if col.required else "no", "format": fmt,
                     "description": col.help, "key": "yes" if col.name in dataset.key else ""})
    return pd.DataFrame(rows)


def template_bytes(dataset_name: str, fmt: str) -> bytes:
    """A template as CSV or XLSX bytes (XLSX has a second sheet describing each column)."""
    if fmt == "csv":
        return template_frame(dataset_name).to_csv(index=False).encode("utf-8")
    wb = xlsx.new_workbook()
    xlsx.write_frame(wb.create_sheet(dataset_name), template_frame(dataset_name), autofilter=False)
    guide = wb.create_sheet("columns")
    xlsx.write_frame(guide, column_guide(dataset_name), widths={"description": 80, "format": 40})
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_template(dataset_name: str, out: str | Path) -> Path:
    out = Path(out)
    out.write_bytes(template_bytes(dataset_name, "xlsx" if out.suffix.lower() == ".xlsx" else "csv"))
    return out


def export_frame(con, dataset_name: str) -> pd.DataFrame:
    """A dataset's rows in canonical columns, original currency, ISO dates and YYYY-MM periods, as text."""
    dataset = datasets.get(dataset_name)
    parts = []
    for col in dataset.columns:
        name = '"' + col.name + '"'
        if col.kind == "period":
            parts.append(f"strftime({name}, '%Y-%m') as {name}")
        elif col.kind == "date":
            parts.append(f"strftime({name}, '%Y-%m-%d') as {name}")
        elif col.kind == "timestamp":
            parts.append(f"strftime({name}, '%Y-%m-%d %H:%M:%S') as {name}")
        elif col.kind == "money":
            parts.append(f"cast({name} as varchar) as {name}")
        elif col.kind == "bool":
            parts.append(f"case when {name} then 'true' when not {name} then 'false' end as {name}")
        else:
            parts.append(f"cast({name} as varchar) as {name}")
    sql = "select " + ", ".join(parts) + f' from "{dataset.table}" order by batch_id, row_no'
    return con.execute(sql).df().fillna("")


def write_export(con, dataset_name: str, out: str | Path) -> int:
    """Write a dataset to CSV or XLSX (by the file's extension); returns the row count."""
    out = Path(out)
    frame = export_frame(con, dataset_name)
    if out.suffix.lower() == ".xlsx":
        wb = xlsx.new_workbook()
        xlsx.write_frame(wb.create_sheet(dataset_name), frame)
        wb.save(out)
    else:
        out.write_bytes(xlsx.csv_bytes(frame))   # text like =HYPERLINK(...) never runs as a formula
    return len(frame)
