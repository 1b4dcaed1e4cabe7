"""Every pack in the reader's language: the demo's workbooks (monthly, annual, vendor scorecard, funding request,
scenario, bill of IT, cost audit) built in German and in Bulgarian name their sheets, titles, headings and chart
titles in that language, with no English heading word left beyond names from the data and codes; amounts stay
numbers with number formats (Excel shows them in the reader's locale). The bill of IT as PDF in Bulgarian, read
back with pdftotext, is Cyrillic with Bulgarian number formats; the CLI writes packs in the `language` setting;
every sheet name is one Excel accepts, in every language."""
import io
import json
import re
import shutil
import subprocess

import openpyxl
import pytest

from analytics import audit, cli, forecast, i18n, settings, store
from analytics.forecast import draft
from analytics.reports import annual, audit_export, funding_request, monthly, scorecard, xlsx
from analytics.showback import bill, bill_pdf

PERIOD = "2026-10"  # the demo's last closed month
SCENARIO = {"budget_cuts": [{"dimension": "category", "value": "Hardware", "pct": 10.0}], "cancel_contracts": [],
            "new_contracts": [], "fx_changes": [], "renewal_uplift_pct": 3.0}
BOOKS = ("monthly", "annual", "scorecard", "funding", "scenario", "bill", "audit")
# words a language writes as English does: acronyms, codes, model names and loanwords of the finance vocabulary
SHARED = {"SLA", "MASE", "sMAPE", "JSON", "ITSM", "ETS", "ARIMA", "Theta", "USD", "EUR", "GBP", "CHF", "SEK",
          "Capex", "Opex", "Status", "Trend", "Outlay", "Showback",
          "Rate", "Rest", "Tickets"}  # German: Run-Rate, Rest des Jahres, Tickets
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
FORMATTED_NUMBER = re.compile(r"^\(?-?\d{1,3}([ .,\u00a0\u202f]\d{3})+([.,]\d+)?\)?( \S+)?$")


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def saved(wb) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    wb.save(buffer)
    return read(buffer.getvalue())


def build(con, lang: str) -> dict[str, openpyxl.Workbook]:
    """Every workbook as the pages build them, in `lang` (the language the page runs in)."""
    with i18n.use(lang):
        lines = draft.draft(con, fiscal_year=2027, spec_json="{}")
        return {
            "monthly": saved(monthly.build(con, period=PERIOD)),
            "annual": read(annual.pack_bytes(con, year=2026)),
            "scorecard": saved(scorecard.build(con)),
            "funding": read(funding_request.funding_request(con, fiscal_year=2027, lines=lines, version="v-2027")),
            "scenario": read(forecast.scenario_export(con, name="Hardware cut", fiscal_year=2026,
                                                      spec_json=json.dumps(SCENARIO, sort_keys=True))),
            "bill": read(bill.for_window(con, fy=2026)),
            "audit": read(audit_export.to_bytes(con, audit.findings(con))),
        }


@pytest.fixture(scope="module")
def books(demo_db):
    con = store.connect(demo_db, read_only=True)
    try:
        built = {lang: build(con, lang) for lang in ("en", "de", "bg")}
        built["company"] = settings.get(con, "company_name")  # a name from the data, in every language's titles
        return built
    finally:
        con.close()


def is_heading(cell) -> bool:
    return cell.fill.fgColor.rgb in ("001F4E79", "FF1F4E79") or cell.font.bold and cell.font.size == 14 \
        or cell.font.color is not None and cell.font.color.rgb in ("001F4E79", "FF1F4E79")


def chart_titles(ws) -> list[str]:
    found = []
    for chart in ws._charts:
        title = chart.title
        if title is not None and not isinstance(title, str):
            title = "".join(run.t for p in title.tx.rich.p for run in (p.r or []))
        found.append(title or "")
        axis = chart.y_axis.title
        if axis is not None and not isinstance(axis, str):
            axis = "".join(run.t for p in axis.tx.rich.p for run in (p.r or []))
        found.append(axis or "")
    return found


def texts(wb) -> tuple[set[str], set[str]]:
    """(the workbook's words people read as headings: sheet names, titles, headings, section heads, chart titles;
    its text from the data: every other text cell)."""
    headings, data = set(wb.sheetnames), set()
    for ws in wb.worksheets:
        headings.update(chart_titles(ws))
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    (headings if is_heading(cell) or cell.row == 1 else data).add(cell.value)
    return headings, data


def words(strings) -> set[str]:
    return {w for s in strings for w in re.findall(r"[^\W\d_]{3,}", s)}


@pytest.mark.parametrize("lang", ["de", "bg"])
@pytest.mark.parametrize("book", BOOKS)
def test_no_english_heading_word_is_left(books, book, lang):
    english, english_data = texts(books["en"][book])
    theirs, _ = texts(books[lang][book])
    from_data = words(english_data) | words([books["company"]]) | words(
        books["en"][book].sheetnames if book in ("bill", "scorecard") else [])  # business units, vendors
    shared = (words(theirs) & words(english)) - from_data - SHARED
    assert shared == set(), f"{book} in {lang}: {sorted(shared)}"


@pytest.mark.parametrize("book, sheet, heading", [
    ("monthly", "Übersicht", "Kennzahl"), ("monthly", "Nach Kostenstelle", "Ist kumuliert"),
    ("monthly", "Nach Kostenstelle", "Abweichung"), ("monthly", "Prognose", "Erwartung Jahresende"),
    ("annual", "Ist nach Monat", "Kostenstelle"), ("annual", "Plan nach Monat", "Summe"),
    ("scorecard", "Bewertung", "Rang"), ("scorecard", "Indikatoren", "Wie bewertet wird"),
    ("funding", "Nach Kostenstelle", "Vorgeschlagen"), ("scenario", "Erwartung nach Kostenstelle",
                                                          "Jahreserwartung (Szenario)"),
    ("bill", "Übersicht", "Geschäftsbereich"), ("audit", "Feststellungen", "Prüfregel"),
])
def test_german_sheets_and_headings(books, book, sheet, heading):
    wb = books["de"][book]
    assert sheet in wb.sheetnames
    assert wb.sheetnames[0] == "Inhalt"
    headings, _ = texts(wb)
    assert heading in headings or any(heading == c.value for row in wb[sheet].iter_rows() for c in row)


@pytest.mark.parametrize("book, sheet, heading", [
    ("monthly", "Обобщение", "Показател"), ("monthly", "По разходни центрове", "Отчет натрупано"),
    ("monthly", "По разходни центрове", "Отклонение"), ("annual", "План по месеци", "Общо"),
    ("scorecard", "Показатели", "Тегло"), ("funding", "По разходни центрове", "Предложено"),
    ("bill", "Обобщение", "Бизнес звено"), ("audit", "Констатации", "Одитно правило"),
])
def test_bulgarian_sheets_and_headings(books, book, sheet, heading):
    wb = books["bg"][book]
    assert sheet in wb.sheetnames and wb.sheetnames[0] == "Съдържание"
    assert any(heading == c.value for row in wb[sheet].iter_rows() for c in row)


@pytest.mark.parametrize("lang", ["de", "bg"])
@pytest.mark.parametrize("book", BOOKS)
def test_amounts_stay_numbers_with_number_formats(books, book, lang):
    def formatted(wb):
        return sorted((i, c.coordinate, c.number_format)
                      for i, ws in enumerate(wb.worksheets) for row in ws.iter_rows() for c in row
                      if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
                      and c.number_format != "General")
    english, theirs = formatted(books["en"][book]), formatted(books[lang][book])
    assert theirs == english and len(theirs) > 0  # the same cells hold numbers, with the same formats
    as_text = [c.value for ws in books[lang][book].worksheets for row in ws.iter_rows() for c in row
               if isinstance(c.value, str) and FORMATTED_NUMBER.match(c.value)]
    assert as_text == []


def test_month_names_and_explanations_in_the_language(books):
    monthly_de = books["de"]["monthly"]
    assert monthly_de["Übersicht"]["A1"].value == "Monatsbericht IT-Budget – Oktober 2026"
    months = [monthly_de["Monatlich"].cell(r, 1).value for r in range(5, 9)]
    assert months == ["Jan. 2026", "Feb. 2026", "März 2026", "Apr. 2026"]
    findings = books["bg"]["audit"]["Констатации"]
    column = next(c.column for c in findings[4] if c.value == "Обяснение")
    explanations = [findings.cell(r, column).value for r in range(5, findings.max_row + 1)]
    own = [e for e in explanations if e and not e.startswith("C-")]  # service credits keep the SLA module's text
    assert own and all(CYRILLIC.search(e) for e in own)
    assert any(re.search(r"\d{1,3}(\u00a0|\u202f| )\d{3},\d{2}", e) for e in own)  # 1 234,56: Bulgarian numbers


def test_every_sheet_name_is_valid_in_every_language():
    names = {
        "monthly": [monthly.SUMMARY, monthly.MONTHLY, monthly.BY_COST_CENTER, monthly.BY_CATEGORY,
                    monthly.CC_X_CATEGORY, monthly.DRIVERS, monthly.FX, monthly.TOP_VENDORS, monthly.RENEWALS,
                    monthly.SLA, monthly.AUDIT, monthly.FORECAST, monthly.FORECAST_BY_MONTH],
        "annual": [monthly.SUMMARY, monthly.MONTHLY, *(name for _, name, _ in annual.GRIDS), monthly.BY_COST_CENTER,
                   monthly.BY_CATEGORY, monthly.TOP_VENDORS, annual.CAPEX_OPEX, annual.PROJECTS, monthly.FX],
        "audit": [audit_export.SUMMARY, audit_export.FINDINGS, audit_export.EVIDENCE],
        "funding": [funding_request.BY_COST_CENTER, funding_request.LINES, funding_request.ABOUT],
        "scenario": [*funding_request.LEVEL_SHEETS.values(), funding_request.ABOUT],
        "scorecard": [scorecard.SCORECARD, scorecard.INDICATORS],
        "bill": [bill.SUMMARY],
    }
    for lang in i18n.LANGUAGES:
        with i18n.use(lang):
            for book, sheets in names.items():
                shown = [i18n.t(name) for name in [xlsx.CONTENTS, *sheets]]
                assert all(0 < len(s) <= 31 and not re.search(r"[\[\]:*?/\\]", s) for s in shown), (lang, shown)
                assert len({s.lower() for s in shown}) == len(shown), (lang, book, shown)
                if lang != "en":
                    assert not set(shown) & {"Contents", "Summary", "Findings", "Renewals"}, (lang, shown)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_bill_pdf_in_bulgarian(demo_db, tmp_path):
    con = store.connect(demo_db, read_only=True)
    try:
        path = tmp_path / "bill-bg.pdf"
        path.write_bytes(bill_pdf.for_window(con, fy=2026, lang="bg"))
        english = bill_pdf.for_window(con, fy=2026)
    finally:
        con.close()
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = re.sub("[\u00a0\u202f]", " ", text)
    summary = " ".join(text.split("\f")[0].split())
    assert summary.startswith("Сметка за ИТ разходи – ")
    assert "Разходите за" in summary and "Бизнес звено" in summary and "Общо" in summary
    assert re.search(r"\b\d{1,3}( \d{3})+,\d{2}\b", summary)  # 1 234,56
    assert "Outlay сметка за ИТ разходи · страница 2" in text
    assert not re.search(r"\b(Total|Business unit|The spend of|page \d)\b", text)
    assert english[:4] == b"%PDF"


def test_the_cli_writes_packs_in_the_language_setting(demo_copy, tmp_path):
    db = str(demo_copy)
    assert cli.main(["settings", "language", "bg", "--db", db]) == 0
    out = tmp_path / "monthly.xlsx"
    assert cli.main(["report", "monthly", "--period", PERIOD, "--out", str(out), "--db", db]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["Съдържание", "Обобщение", "По месеци"]
    assert wb["Обобщение"]["A1"].value.replace("\u202f", " ") == "Месечен отчет за ИТ бюджета – октомври 2026 г."
    pdf = tmp_path / "bill.pdf"
    assert cli.main(["showback", "--fy", "2026", "--out", str(pdf), "--db", db]) == 0
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Сметка за ИТ разходи" in text
