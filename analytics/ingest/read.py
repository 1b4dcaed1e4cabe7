"""Stage 1 of an import: read a file into a table of text cells, whatever its layout.

Every cell becomes a string (empty for blank), so nothing is guessed before the
normalise and validate stages; `_row` keeps the row number a person sees in the file.
What this stage detects, and says it detected (RawTable.notices):
- encoding: UTF-8 with or without BOM, UTF-16 with BOM, cp1252, latin-1, Mac Roman;
- delimiter (comma, semicolon, tab, pipe) and line endings (LF, CRLF, CR only);
- the header row (title rows, merged title cells and blank rows above it are skipped),
  blank rows, and trailing total rows (Total, Summe, Razem, ...), which are dropped;
- sheets of a workbook (.xlsx, .xlsm, .xls, .ods through calamine), .csv.gz, a .zip
  holding one table, and Parquet.
Big CSV files are parsed by DuckDB's reader into Arrow-backed text columns (no Python loop).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analytics import i18n
from analytics.i18n import N_
from analytics.ingest import source

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
DELIMITERS = (",", ";", "\t", "|")
HEADER_SCAN_ROWS = 30
PLAUSIBILITY_SAMPLE = 5000   # non-ASCII characters looked at to choose a single-byte code page
# words that mark a trailing total row, in the languages the importer reads (accents stripped)
TOTAL_WORDS = ("total", "totals", "grand total", "sum", "summe", "gesamt", "gesamtsumme", "insgesamt", "razem",
               "suma", "ogolem", "totalt", "summa", "osszesen", "osszeg", "общо", "всичко", "celkem", "soucet",
               "totaal", "totale", "somme", "yhteensa", "i alt", "totaux")


ReadError = source.ReadError   # the file cannot be read at all (wrong type, not a table, empty, too big, ...)


@dataclass
class RawTable:
    file_name: str
    frame: pd.DataFrame          # text columns as in the file, plus `_row`
    sheet: str | None = None
    source_format: str = "csv"
    notices: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)   # every sheet of a workbook
    delimiter: str | None = None
    encoding: str | None = None
    title: str = ""              # the text of the rows above the header (report titles, notes)


def sheet_names(path: str | Path) -> list[str]:
    """The sheets of a workbook ([] for a CSV)."""
    path = Path(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return []
    return _workbook(path, path.name).sheet_names


def read_table(path: str | Path, *, sheet: str | None = None, display_name: str | None = None) -> RawTable:
    """Read a .csv/.txt/.tsv (optionally .gz or inside a .zip), .xlsx/.xls/.ods or .parquet file."""
    path = Path(path)
    name = display_name or path.name
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zip(path, name, sheet)
    if suffix == ".gz":
        inner = Path(path.stem).suffix.lower()
        if inner not in CSV_SUFFIXES:
            raise ReadError(i18n.t("{file}: a .gz file must hold a CSV (name.csv.gz)", file=name))
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / Path(path.stem).name
            source.extract_gzip(path, target, name)
            return read_table(target, display_name=name)
    if suffix in CSV_SUFFIXES:
        frame, notes, delimiter, encoding = _read_csv(path, name)
        table = RawTable(name, frame, None, "csv", notes, [], delimiter, encoding)
    elif suffix in EXCEL_SUFFIXES:
        frame, chosen, sheets = _read_excel(path, name, sheet)
        table = RawTable(name, frame, chosen, suffix.lstrip("."), [], sheets)
    elif suffix == ".parquet":
        frame = duckdb.connect().execute("select * from read_parquet(?)", [str(path)]).df()
        frame = frame.map(cell_text)
        frame.columns = [str(c) for c in frame.columns]
        frame = pd.concat([pd.DataFrame([list(frame.columns)], columns=frame.columns), frame], ignore_index=True)
        table = RawTable(name, frame, None, "parquet")
    else:
        raise ReadError(i18n.t("{file}: unsupported file type {suffix}; use .csv, .xlsx, .xls or .parquet", file=name,
                                suffix=suffix or i18n.t("(none)")))
    return _shape(table)


def _read_zip(path: Path, name: str, sheet: str | None) -> RawTable:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ReadError(i18n.t("{file}: not a readable .zip archive", file=name)) from None
    members = [m for m in archive.namelist() if Path(m).suffix.lower() in CSV_SUFFIXES + EXCEL_SUFFIXES
               and not Path(m).name.startswith(".") and "__MACOSX" not in m]
    if len(members) != 1:
        raise ReadError(i18n.t("{file}: a .zip must hold exactly one CSV or Excel file (found {found})", file=name,
                                found=len(members)))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / Path(members[0]).name
        source.extract_zip_member(archive, members[0], target, name)
        table = read_table(target, sheet=sheet, display_name=f"{name}/{Path(members[0]).name}")
    return table


# --- CSV ---------------------------------------------------------------------------------------

def detect_encoding(data: bytes) -> str:
    """The text encoding of a file's bytes (a Python codec name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # single-byte code pages: the one whose non-ASCII characters read most like letters inside words
    scores = {enc: _plausibility(data, enc) for enc in ("cp1252", "mac_roman", "latin-1")}
    return max(scores, key=lambda enc: (scores[enc], enc == "cp1252"))


def _plausibility(data: bytes, encoding: str) -> int:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return -10 ** 9
    score = 0
    for count, match in enumerate(re.finditer(r"[^\x00-\x7f]", text)):
        if count == PLAUSIBILITY_SAMPLE:
            break
        char = match.group()
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        in_word = before.isalpha() or after.isalpha()
        category = unicodedata.category(char)
        if category == "Ll":
            score += 2 if in_word else 1
        elif category == "Lu":
            score += 1 if not before.islower() else -2
        elif char in "€£§°«»–—’‘“”„…·":
            score += 0 if in_word else 1
        else:
            score -= 3 if in_word else 1
    return score


def _sniff(text: str) -> tuple[str, str]:
    """(delimiter, newline) from the first lines of the text."""
    newline = "\r" if "\n" not in text[:200_000] and "\r" in text[:200_000] else "\n"
    lines = [ln for ln in re.split(r"\r\n|\n|\r", text[:200_000])[:200] if ln.strip()]
    best, best_score = ",", -1
    for delim in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines[:100], delimiter=delim)]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        if common < 2:
            continue
        score = counts.count(common) * 1000 + common
        if score > best_score:
            best, best_score = delim, score
    return best, newline


def _read_csv(path: Path, name: str) -> tuple[pd.DataFrame, list[str], str, str]:
    head = source.sample_bytes(path, 4)
    with tempfile.TemporaryDirectory() as tmp:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            utf8 = Path(tmp) / "utf16.csv"   # UTF-16 (Excel's "Unicode text"): rare and small, decoded whole
            utf8.write_text(path.read_bytes().decode("utf-16"), encoding="utf-8")
            return _read_utf8(utf8, name, "utf-16", [i18n.t("{file}: read as {encoding} text (not UTF-8)", file=name, encoding="utf-16")], Path(tmp))
        scan = source.scan(path)
        if scan.empty:
            raise ReadError(i18n.t("{file}: the file is empty", file=name))
        if scan.utf8:
            return _read_utf8(path, name, "utf-8-sig" if scan.bom else "utf-8", [], Path(tmp), scan)
        encoding = detect_encoding(source.sample_bytes(path))
        notes = [i18n.t("{file}: read as {encoding} text (not UTF-8)", file=name, encoding=encoding)]
        if not scan.utf8_sequences and (encoding == "latin-1" or (encoding == "cp1252" and not scan.c1_bytes)):
            # DuckDB decodes latin-1 itself (cp1252 without 0x80-0x9f is the same): no copy
            return _read_utf8(path, name, encoding, notes, Path(tmp), scan, duck_encoding="latin-1")
        utf8 = Path(tmp) / "utf8.csv"
        utf8_lines, other_lines = source.to_utf8(path, utf8, encoding)
        if utf8_lines:
            notes = [i18n.t("{file}: mixed encodings: {utf8_lines} line(s) read as UTF-8 and {other_lines} as "
                            "{encoding}, each line in its own encoding", file=name, utf8_lines=i18n.number(utf8_lines),
                            other_lines=i18n.number(other_lines), encoding=encoding)]
        return _read_utf8(utf8, name, encoding, notes, Path(tmp))


def _read_utf8(path: Path, name: str, encoding: str, notes: list[str], tmp: Path, scan: source.Scan | None = None,
               *, duck_encoding: str = "utf-8") -> tuple[pd.DataFrame, list[str], str, str]:
    """Read a CSV whose bytes are UTF-8 (or latin-1 for DuckDB to decode) into text columns."""
    scan = scan or source.scan(path)
    text = source.head_text(path) if duck_encoding == "utf-8" else source.sample_bytes(path, 1 << 20).decode("latin-1")
    delimiter, newline = _sniff(text)
    if delimiter != ",":
        notes.append(i18n.t(_DELIM_NOTES[delimiter], file=name))
    if duck_encoding != "utf-8" and (scan.odd_quotes or scan.blank_lines):
        converted = tmp / "utf8.csv"   # the checks below and pandas' reader read UTF-8
        source.to_utf8(path, converted, encoding)
        path, duck_encoding = converted, "utf-8"
    if scan.odd_quotes:
        row = source.unterminated_quote_row(path, delimiter)
        if row is not None:
            raise ReadError(i18n.t("{file}: row {row}: a quoted field opens here and is never closed (a missing \"); "
                                   "nothing after it can be read", file=name, row=row))
    width = _field_count(text, delimiter)
    # DuckDB's reader skips blank lines, which would shift row numbers: use it only without them
    if not scan.blank_lines:
        frame = _duckdb_csv(path, width, duck_encoding, delimiter, newline, name)
    else:
        frame = _pandas_csv(source.whole_text(path), delimiter, width, name)
    return frame, notes, delimiter, encoding


# the note on a delimiter other than the comma, a whole sentence for each
_DELIM_NOTES = {",": N_("{file}: columns separated by commas"), ";": N_("{file}: columns separated by semicolons"),
                "\t": N_("{file}: columns separated by tabs"), "|": N_("{file}: columns separated by pipes")}


def _field_count(text: str, delimiter: str) -> int:
    lines = [ln for ln in re.split(r"\r\n|\n|\r", text[:500_000])[:2000] if ln.strip()]
    return max((len(row) for row in csv.reader(lines, delimiter=delimiter)), default=1)


def _duckdb_csv(path: Path, width: int, encoding: str, delimiter: str, newline: str, name: str) -> pd.DataFrame:
    columns = {f"c{i}": "VARCHAR" for i in range(width)}
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    try:
        try:
            frame = _duckdb_read(con, path, delimiter, newline, columns, encoding, parallel=True)
        except duckdb.Error as exc:
            if "parallel=false" not in str(exc):
                raise
            # quoted fields holding line breaks: DuckDB reads them with its single-threaded scanner
            frame = _duckdb_read(con, path, delimiter, newline, columns, encoding, parallel=False)
    except duckdb.Error as exc:
        raise ReadError(i18n.t("{file}: not a readable CSV table: {problem}", file=name,
                              problem=str(exc).splitlines()[0])) from None
    finally:
        con.close()
    return frame.fillna("")


def _duckdb_read(con, source: Path, delimiter: str, newline: str, columns: dict, encoding: str, *,
                 parallel: bool) -> pd.DataFrame:
    rel = con.sql(
        "select * from read_csv($path, header = false, delim = $delim, quote = '\"', escape = '\"', "
        "new_line = $newline, columns = $columns, null_padding = true, auto_detect = false, "
        "strict_mode = false, parallel = $parallel, encoding = $encoding)",
        params={"path": str(source), "delim": delimiter, "newline": "\\r" if newline == "\r" else "\\n",
                "columns": columns, "parallel": parallel, "encoding": encoding})
    return rel.to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)


def _pandas_csv(text: str, delimiter: str, width: int, name: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, names=list(range(width)), engine="python")
    except pd.errors.ParserError as exc:
        raise ReadError(i18n.t("{file}: not a readable CSV table: {problem}", file=name, problem=exc)) from None
    frame.columns = [f"c{i}" for i in range(width)]
    return frame.fillna("")


# --- Excel -------------------------------------------------------------------------------------

def _workbook(path: Path, name: str):
    from python_calamine import CalamineWorkbook
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise ReadError(i18n.t("{file}: not a readable Excel workbook: {problem}", file=name, problem=exc)) from None


def _read_excel(path: Path, name: str, sheet: str | None) -> tuple[pd.DataFrame, str, list[str]]:
    book = _workbook(path, name)
    sheets = list(book.sheet_names)
    chosen = sheet if sheet is not None else sheets[0]
    if chosen not in sheets:
        raise ReadError(i18n.t("{file}: no sheet {sheet}; sheets: {sheets}", file=name, sheet=repr(chosen),
                              sheets=", ".join(sheets)))
    rows = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    if not rows:
        raise ReadError(i18n.t("{file}: sheet {sheet} is empty", file=name, sheet=repr(chosen)))
    width = max(len(r) for r in rows)
    # text cells are by far the most common: keep them as they are without a function call
    text = [[v if type(v) is str else cell_text(v) for v in r] + [""] * (width - len(r)) for r in rows]
    frame = pd.DataFrame(text, columns=[f"c{i}" for i in range(width)], dtype=object)
    return frame, chosen, sheets


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
        if value is pd.NaT:
            return ""
        if value.hour == value.minute == value.second == 0 and value.microsecond == 0:
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is pd.NaT or value is pd.NA:
        return ""
    return str(value)


# --- layout: header row, title rows, blank rows, total rows ------------------------------------

def _looks_like_label(cell: str) -> bool:
    cell = cell.strip()
    return bool(cell) and re.fullmatch(r"[-+()\d\s.,'/:%€£$]*", cell) is None


def find_header_row(frame: pd.DataFrame) -> int:
    """The index (0-based) of the header row among the first rows: the first row that fills most
    of the columns with labels (title rows and merged title cells fill only one or two)."""
    head = frame.head(HEADER_SCAN_ROWS).astype(str)
    filled = [(head.iloc[i].str.strip() != "").sum() for i in range(len(head))]
    if not filled:
        return 0
    widest = max(filled)
    for i in range(len(head)):
        cells = [c for c in head.iloc[i].tolist() if c.strip()]
        if filled[i] >= max(2, math.ceil(widest * 0.6)) and all(_looks_like_label(c) for c in cells):
            return i
    return next(i for i, n in enumerate(filled) if n == widest)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(c for c in text if not unicodedata.combining(c)).strip(" :.-*")


def _shape(table: RawTable) -> RawTable:
    raw = table.frame
    if raw.empty:
        raise ReadError(i18n.t("{file}: sheet {sheet} is empty", file=table.file_name, sheet=repr(table.sheet))
                        if table.sheet else i18n.t("{file}: the file is empty", file=table.file_name))
    header_at = find_header_row(raw)
    if header_at:
        table.notices.append(i18n.n("{file}: header found on row {row}; {count} row(s) above it skipped (titles or "
                                    "notes)", "{file}: header found on row {row}; {count} row(s) above it skipped "
                                    "(titles or notes)", header_at, file=table.file_name, row=header_at + 1))
    headers = [str(h).strip() for h in raw.iloc[header_at].tolist()]
    table.title = " ".join(str(c).strip() for r in range(header_at) for c in raw.iloc[r].tolist() if str(c).strip())
    body = raw.iloc[header_at + 1:]
    keep, names = [], []
    for i, header in enumerate(headers):
        column = body.iloc[:, i]
        if not header:
            if not (column.str.strip() != "").any():
                continue  # an empty column without a header (Excel's trailing columns)
            header = f"column {i + 1}"
        keep.append(i)
        names.append(header)
    names = _unique(names, table)
    frame = body.iloc[:, keep].copy()
    frame.columns = names
    frame.insert(0, "_row", range(header_at + 2, header_at + 2 + len(frame)))
    values = frame.drop(columns="_row")
    if len(values.columns):
        # only rows whose first cell is empty can be blank: check the others on those rows alone
        blank = (values.iloc[:, 0].str.strip() == "").to_numpy(dtype=bool)
        if blank.any():
            candidates = values[blank]
            for name in candidates.columns[1:]:
                blank[blank] = (candidates[name].str.strip() == "").to_numpy(dtype=bool)
                candidates = values[blank]
        frame = frame[~blank].reset_index(drop=True)
    table.frame = _drop_total_rows(frame, table)
    return table


def _unique(names: list[str], table: RawTable) -> list[str]:
    """Repeated header names get a suffix ('state', 'state (2)'), and the notices say so."""
    seen: dict[str, int] = {}
    out = []
    for header in names:
        key = header.casefold()
        seen[key] = seen.get(key, 0) + 1
        out.append(header if seen[key] == 1 else f"{header} ({seen[key]})")
    repeated = sorted({h for h in names if seen[h.casefold()] > 1})
    if repeated:
        table.notices.append(i18n.t("{file}: the header row repeats {headers}: the later column(s) are named with "
                                    "(2), (3), ...", file=table.file_name, headers=", ".join(map(repr, repeated))))
    return out


def _drop_total_rows(frame: pd.DataFrame, table: RawTable) -> pd.DataFrame:
    """Drop total rows at the end of the table (a label like 'Total' and numbers, nothing else)."""
    dropped = []
    while len(frame):
        last = frame.iloc[-1].drop(labels="_row")
        labels = [str(c) for c in last.tolist() if _looks_like_label(str(c))]
        if len(labels) == 1 and _fold(labels[0]) in TOTAL_WORDS:
            dropped.append(int(frame.iloc[-1]["_row"]))
            frame = frame.iloc[:-1]
        else:
            break
    if dropped:
        table.notices.append(i18n.t("{file}: trailing total row(s) {rows} not imported", file=table.file_name,
                                    rows=", ".join(map(str, sorted(dropped)))))
    return frame.reset_index(drop=True)
