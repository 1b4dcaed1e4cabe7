"""Import throughput per file format: how long a spend file of N rows takes from bytes to committed rows.

Each format is a generated spend file with the same content written the way real files are:
canonical CSV, a European export (cp1252, semicolons, 1.234,56 and dd.mm.yyyy), a US export
($1,234.56, mm/dd/yyyy, (negatives)), tab-separated with CR-only line ends, and an XLSX.
Every file is imported into its own scratch database through the full pipeline.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import store
from analytics.ingest import load
from analytics.reports import xlsx

VENDORS = ["Microsoft Ireland Operations Ltd", "Amazon Web Services EMEA SARL", "Müller Systemhaus GmbH",
           "Dostawca Sp. z o.o.", "SAP SE", "Dell Technologies", "Atea Sverige AB", "Orange Business"]
CENTERS = ["Infrastructure", "Applications", "End User", "Security"]
CATEGORIES = ["Software", "Hardware", "Cloud Services", "Outside Services", "Telecom"]


@dataclass
class FormatTiming:
    format: str
    rows: int
    seconds: float
    cpu_seconds: float = 0.0   # this process's CPU time (all threads): the wall time on an idle machine is near it

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def spend_frame(rows: int, *, seed: int = 7) -> pd.DataFrame:
    """A deterministic spend table: dates (datetime64), amounts (cents as integers) and text columns."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 700, rows), unit="D"),
        "vendor": rng.choice(VENDORS, rows),
        "cents": rng.integers(-50_000, 5_000_000, rows),
        "currency": rng.choice(["EUR", "GBP", "USD"], rows),
        "cost_center": rng.choice(CENTERS, rows),
        "category": rng.choice(CATEGORIES, rows),
        "invoice_id": [f"INV-{i:08d}" for i in range(rows)],
    })


def _amounts(cents: pd.Series, style: str) -> pd.Series:
    whole, frac = (cents.abs() // 100), (cents.abs() % 100).astype(str).str.zfill(2)
    if style == "canonical":
        return np.where(cents < 0, "-", "") + whole.astype(str) + "." + frac
    grouped = whole.map(lambda v: f"{v:,}")
    if style == "european":
        return np.where(cents < 0, "-", "") + grouped.str.replace(",", ".") + "," + frac
    text = "$" + grouped + "." + frac
    return pd.Series(np.where(cents < 0, "(" + text + ")", text), index=cents.index)


def write_formats(folder: Path, rows: int, xlsx_rows: int) -> dict[str, Path]:
    """The files to time, by format name."""
    base = spend_frame(rows)
    text = base.drop(columns="cents")
    files = {}
    canonical = text.assign(date=base["date"].dt.strftime("%Y-%m-%d"), amount=_amounts(base["cents"], "canonical"))
    files["csv canonical"] = folder / "canonical.csv"
    canonical.to_csv(files["csv canonical"], index=False)
    european = pd.DataFrame({"Buchungsdatum": base["date"].dt.strftime("%d.%m.%Y"), "Lieferant": base["vendor"],
                             "Betrag": _amounts(base["cents"], "european"), "Währung": base["currency"],
                             "Kostenstelle": base["cost_center"], "Kategorie": base["category"],
                             "Rechnungsnummer": base["invoice_id"]})
    files["csv European (cp1252, ;, 1.234,56, dd.mm.yyyy)"] = folder / "european.csv"
    european.to_csv(files["csv European (cp1252, ;, 1.234,56, dd.mm.yyyy)"], index=False, sep=";", encoding="cp1252")
    us = text.assign(date=base["date"].dt.strftime("%m/%d/%Y"), amount=_amounts(base["cents"], "us"))
    us = us.rename(columns={"date": "Invoice Date", "vendor": "Supplier Name", "amount": "Amount"})
    files["csv US ($1,234.56, (neg), mm/dd/yyyy)"] = folder / "us.csv"
    us.to_csv(files["csv US ($1,234.56, (neg), mm/dd/yyyy)"], index=False)
    files["tsv with CR line ends"] = folder / "cr.tsv"
    canonical.to_csv(files["tsv with CR line ends"], index=False, sep="\t", lineterminator="\r")
    sheet = canonical.head(xlsx_rows).copy()
    sheet["amount"] = base["cents"].head(xlsx_rows) / 100
    sheet["date"] = [ts.to_pydatetime() for ts in base["date"].head(xlsx_rows)]
    workbook = xlsx.new_workbook()
    xlsx.write_frame(workbook.create_sheet("spend"), sheet)
    files["xlsx"] = folder / "spend.xlsx"
    workbook.save(files["xlsx"])
    return files


def measure(*, rows: int = 1_000_000, xlsx_rows: int = 100_000) -> list[FormatTiming]:
    """Seconds to import each format (read, map, normalise, validate, load), one scratch database each."""
    timings = []
    with tempfile.TemporaryDirectory(prefix="outlay-throughput-") as tmp:
        folder = Path(tmp)
        for name, path in write_formats(folder, rows, xlsx_rows).items():
            con = store.connect(folder / f"{path.stem}.duckdb")
            con.execute("set enable_progress_bar = false")
            load.bound_memory(con)   # as the import command does
            try:
                started, cpu = time.perf_counter(), time.process_time()
                result = load.import_file(con, "spend", path, options=load.ImportOptions(auto_map=True))
                timings.append(FormatTiming(name, result.rows, time.perf_counter() - started,
                                            time.process_time() - cpu))
            finally:
                con.close()
    return timings
