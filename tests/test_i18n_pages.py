"""The Overview in the reader's language (AppTest): with `settings language bg` (and de) the title, the header
line, the filters and the tiles read in that language, with its number formats."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import i18n, metrics, settings, store
from tests.conftest import DEMO_AS_OF

ROOT = Path(__file__).resolve().parents[1]


def overview_in(demo_copy, monkeypatch, lang: str) -> tuple[AppTest, dict]:
    con = store.connect(demo_copy)
    try:
        settings.set_value(con, "language", lang)
        values = {name: metrics.evaluate(con, name, fy=DEMO_AS_OF.year) for name in ("ytd_actual", "landing",
                                                                                      "landing_p_overrun")}
    finally:
        con.close()
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.run()
    at.switch_page("views/overview.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, values


@pytest.mark.parametrize("lang, title, tile, scale, header", [
    ("bg", "Обзор", "Отчет натрупано", "млн.", "натрупано = приключени месеци"),
    ("de", "Übersicht", "Ist kumuliert", "Mio.", "kumuliert = abgeschlossene Monate"),
])
def test_the_overview_reads_in_the_language_with_its_number_format(demo_copy, monkeypatch, lang, title, tile, scale,
                                                                   header):
    at, values = overview_in(demo_copy, monkeypatch, lang)
    assert at.title[0].value == title
    currency = values["ytd_actual"].currency
    tiles = {m.label: m.value for m in at.metric}
    label = f"{tile}, {currency}"
    assert label in tiles, list(tiles)
    with i18n.use(lang):
        assert tiles[label] == i18n.short_money(values["ytd_actual"].value)
        assert tiles[f"{metrics.label('landing')}, {currency}"] == i18n.short_money(values["landing"].value)
        assert tiles[metrics.label("landing_p_overrun")] == i18n.percent(values["landing_p_overrun"].value)
    assert re.fullmatch(rf"\d+,\d\d\xa0{re.escape(scale)}", tiles[label])  # 70,81 млн.: decimal comma, scale word
    captions = " ".join(c.value for c in at.caption)
    assert header in captions
    with i18n.use(lang):
        assert i18n.t("Fiscal year") in [s.label for s in at.sidebar.selectbox]
        assert i18n.t("Tables behind the charts") in [e.label for e in at.expander]
    english = {"YTD actual", "Year-end landing", "Chance of overrun", "SLA months met", "Full-year budget"}
    assert not english & {name.split(",")[0] for name in tiles}


def test_the_settings_page_offers_the_languages_in_their_own_words(demo_copy, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.run()
    at.switch_page("views/settings.py")
    at.run()
    box = at.selectbox(key="setting_language")
    assert box.options == list(i18n.LANGUAGES.values())  # as shown: English, Deutsch, Polski ... Български
    box.set_value("pl")
    at.button[0].click()  # the form's "Save settings"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Ustawienia"  # the page after saving speaks Polish
    con = store.connect(demo_copy)  # the app holds it read-write in this process
    try:
        assert settings.get(con, "language") == "pl"
    finally:
        con.close()


# ---- every other page ------------------------------------------------------------------------------------------

def page_in(demo_copy, monkeypatch, lang: str, page: str, state: dict | None = None) -> AppTest:
    """`page` opened on the demo in `lang` (the `language` setting), with `state` set before a second run (a
    tab's label opens that tab)."""
    con = store.connect(demo_copy)
    try:
        settings.set_value(con, "language", lang)
    finally:
        con.close()
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.run()
    at.switch_page(page)
    at.run()
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if state:
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def words_on(at: AppTest) -> str:
    """Every word a person reads on the page: titles, captions, text, tiles, labels, tabs, buttons, chart titles."""
    found = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success",
                 "text"):
        found += [str(e.value) for e in at.get(kind)]
    for kind in ("metric", "button", "download_button", "selectbox", "multiselect", "radio", "text_input",
                 "number_input", "checkbox", "toggle", "expander", "tab", "date_input", "select_slider", "slider",
                 "segmented_control", "form_submit_button"):
        found += [str(getattr(e, "label", "")) for e in at.get(kind)]
    found += [str(m.help or "") for m in at.metric]
    for chart in at.get("echarts_chart"):
        found.append(json.dumps(json.loads(chart.proto.spec), ensure_ascii=False))  # titles, axes, legends
    return "\n".join(found)


PAGES = {  # page, lang: (title, words that must be there, English words that must be gone), state
    ("views/budget.py", "de"): ("Plan", ["Planversion", "Plan-Ist-Vergleich", "Monatsraster zeigt",
                                         "Abweichung = Ist − Plan"],
                                ["Budget version", "Monthly grid shows", "Report packs", "year to date"], {}),
    ("views/budget.py", "bg"): ("План", ["Версия на плана", "План спрямо отчет", "Пакети отчети",
                                         "Капиталови и оперативни, отчет по месеци"],
                                ["Budget version", "Compare versions by", "Capex vs opex", "Budget versions"],
                                {"budget_tab": "Версии и CAPEX/OPEX"}),
    ("views/forecast.py", "de"): ("Prognose", ["Erwartung Jahresende", "Überschreitungswahrscheinlichkeit",
                                               "Noch auszugeben", "Szenarien", "Plan, Szenario"],
                                  ["Year-end landing", "Probability of overrun", "Still to spend", "Save scenario"],
                                  {"fc_tab": "Szenarien"}),
    ("views/forecast.py", "bg"): ("Прогноза", ["Очаквано за годината", "Вероятност за преразход", "Точност",
                                               "месечни разходи, прогноза и план", "95% интервал"],
                                  ["Year-end landing", "Probability of overrun", "monthly spend, forecast and budget",
                                   "Committed contract payments"], {}),
    ("views/audit.py", "de"): ("Kostenprüfung", ["Zu prüfende Feststellungen", "Risikobetrag nach Regel",
                                                 "Belege und Prüfung", "Feststellungen filtern"],
                               ["Findings to review", "Evidence and review", "Filter findings", "At stake by rule"], {}),
    ("views/audit.py", "bg"): ("Одит на разходите", ["Констатации за преглед", "Засегната сума по правила",
                                                     "Доказателства и преглед"],
                               ["Findings to review", "Evidence and review", "Save decision"], {}),
    ("views/vendors.py", "de"): ("Lieferanten", ["Bewertete Lieferanten", "Durchschnittliche Bewertung", "Quartal",
                                                 "SLA-Erfüllung", "Ausgaben"],
                                 ["Vendors scored", "Average score", "Vendor detail", "Contracts and deadlines"], {}),
    ("views/vendors.py", "bg"): ("Доставчици", ["Оценени доставчици", "Средна оценка", "Тримесечие",
                                                "Подробности за доставчика"],
                                 ["Vendors scored", "Average score", "Reset to default weights"], {}),
    ("views/sla.py", "de"): ("SLA", ["Reaktionszeit erfüllt", "Verstöße", "Erfüllungsgrad nach Vertrag und Monat",
                                     "Verfügbarkeit gegenüber Ziel"],
                             ["Response met", "Breaches", "Attainment by contract and month",
                              "Availability against target"], {}),
    ("views/sla.py", "bg"): ("SLA", ["Изпълнено време за реакция", "Нарушения", "Наличност спрямо целта"],
                             ["Response met", "Missed months and their tickets", "Below target"], {}),
    ("views/contracts.py", "de"): ("Verträge", ["Angezeigte Verträge", "Warnungen", "Register",
                                                "Verlängerungszeitstrahl", "laufende Periode"],
                                   ["Contracts shown", "Renewal timeline", "Committed spend by month", "current term"],
                                   {"contracts_tab": "Verlängerungszeitstrahl"}),
    ("views/contracts.py", "bg"): ("Договори", ["Показани договори", "Известия", "Регистър", "Договорени разходи"],
                                   ["Contracts shown", "Renewal timeline", "Years ahead"], {}),
    ("views/cloud.py", "de"): ("Cloud", ["Abgerechnete Kosten", "Monat für Monat", "Kosten nach",
                                         "Abgerechnete Kosten nach Anbieter"],
                               ["Billed cost", "Month by month", "Savings vs list", "Commitment discounts"], {}),
    ("views/cloud.py", "bg"): ("Облак", ["Фактуриран разход", "Месец по месец", "Спестявания спрямо каталога"],
                               ["Billed cost", "Month by month", "Cost by"], {}),
    ("views/showback.py", "de"): ("Showback", ["Wohin das Geld fließt", "Nicht umgelegt", "Stückkosten"],
                                  ["Where the money flows", "Unallocated", "Unit costs", "Bill of IT"], {}),
    ("views/showback.py", "bg"): ("Showback", ["Накъде отиват парите", "Неразпределено", "ИТ сметка по бизнес звена"],
                                  ["Where the money flows", "Unallocated", "Start from"], {}),
    ("views/settings.py", "de"): ("Einstellungen", ["Allgemein", "Regeln und Schwellenwerte", "Sprache",
                                                    "Einstellungen speichern"],
                                  ["General", "Rules and thresholds", "Save settings"], {}),
    ("views/settings.py", "bg"): ("Настройки", ["Общи", "Правила и прагове", "Език"],
                                  ["General", "Rules and thresholds", "Save settings"], {}),
    ("views/admin.py", "de"): ("Konten und Aktivität", ["Aktivität", "Ein Konto hinzufügen", "Benutzername",
                                                        "Konto hinzufügen"],
                               ["Activity", "Add an account", "User name", "Password"], {}),
    ("views/admin.py", "bg"): ("Акаунти и активност", ["Активност", "Потребителско име", "Роля"],
                               ["Activity", "Add an account", "Role"], {}),
    ("views/data.py", "de"): ("Daten", ["Datensatz", "Beliebiges Layout", "Verlauf und Rückgängig", "Vorlagen",
                                        "Zuordnungen", "Ausgaben", "Importlauf"],
                              ["Dataset", "Any layout", "History and undo", "Templates", "Mappings",
                               "import your files"], {}),
    ("views/data.py", "bg"): ("Данни", ["Импортна партида", "Отмяна на партида", "История и отмяна", "разходи",
                                        "импортирайте файлове"],
                              ["Undo batch", "History and undo", "Templates", "import your files", "Batch"],
                              {"data_tab": "История и отмяна"}),
}


@pytest.mark.parametrize("lang, title, button", [("de", "Bei Outlay anmelden", "Anmelden"),
                                                 ("bg", "Вход в Outlay", "Вход")])
def test_the_sign_in_page_reads_in_the_companys_language(demo_copy, monkeypatch, lang, title, button):
    from analytics import accounts
    con = store.connect(demo_copy)
    try:
        settings.set_value(con, "language", lang)
        accounts.add(con, "ana", role="admin", password="correct horse", actor="test")
    finally:
        con.close()
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [title]
    assert button in [b.label for b in at.get("form_submit_button")] or button in [b.label for b in at.button]
    words = words_on(at)
    assert "User name" not in words and "Sign in to Outlay" not in words


@pytest.mark.parametrize("page, lang", list(PAGES), ids=[f"{p.split('/')[-1][:-3]}-{lang}" for p, lang in PAGES])
def test_every_page_reads_in_the_language(demo_copy, monkeypatch, page, lang):
    title, present, gone, state = PAGES[page, lang]
    at = page_in(demo_copy, monkeypatch, lang, page, state)
    assert at.title[0].value == title
    words = words_on(at)
    missing = [w for w in present if w not in words]
    assert not missing, missing
    left = [w for w in gone if w in words]
    assert not left, left


# ---- sentences analytics writes for the pages ------------------------------------------------------------------

def test_a_variance_explanation_reads_in_german():
    import pandas as pd

    from analytics import variance
    drivers = pd.DataFrame([
        {"cost_center": "Infrastructure", "category": "Cloud Services", "vendor": "", "variance": 42000.0,
         "since": "2026-05", "cost_center_variance": 42000.0},
        {"cost_center": "Infrastructure", "category": "Cloud Services", "vendor": "AWS", "variance": 30000.0,
         "since": "2026-05", "cost_center_variance": 42000.0}])
    with i18n.use("de"):
        result = variance.sentences(drivers, "EUR")
    expected = ["Cloud Services in Infrastructure liegt seit Mai 2026 42.000\xa0€ über Plan, davon AWS (30.000\xa0€)."]
    assert result == expected
    assert variance.sentences(drivers, "EUR") == [  # English as before
        "Cloud Services in Infrastructure is 42.0k EUR over budget, 30.0k EUR of it from AWS since May 2026."]


def test_contract_alerts_read_in_german(demo_copy):
    from analytics import contracts
    con = store.connect(demo_copy)
    try:
        with i18n.use("de"):
            alerts = contracts.alerts(con, on=DEMO_AS_OF)
        english = contracts.alerts(con, on=DEMO_AS_OF)
    finally:
        con.close()
    assert len(alerts) > 0
    assert alerts["kind"].tolist() == english["kind"].tolist()  # codes stay codes
    assert alerts["level_days"].tolist() == english["level_days"].tolist()
    assert all(re.fullmatch(r"heute|innerhalb von \d+ Tagen?", level) for level in alerts["level"]), alerts["level"]
    words = " ".join(alerts["message"])
    assert not re.search(r"cancel by|renews|expires|unless renewed|missed", words), words
    assert re.search(r"kündigen|läuft am|endet am|verlängert sich automatisch", words), words


def test_a_findings_evidence_kinds_read_in_german(demo_copy, monkeypatch):
    """The Cost audit's evidence rows name their kind in the reader's language, as the Excel export does."""
    with i18n.use("de"):
        review = i18n.t("Evidence and review")   # a tab's label in the reader's language is its state
    at = page_in(demo_copy, monkeypatch, "de", "views/audit.py",
                 {"audit_rules": ["service_credits"], "audit_tab": review})
    rows = next(d.value for d in at.dataframe if "kind" in d.value.columns)
    assert {"Vertrag", "Ticket"} <= set(rows["kind"]) <= {"Vertrag", "Ticket", "SLA-Messung"}


def test_the_vendors_sla_history_says_met_and_missed_in_german(demo_copy, monkeypatch):
    """Each SLA month's status in the reader's language, through the workbook's words (xlsx.in_words)."""
    with i18n.use("de"):
        history = i18n.t("SLA history")
    at = page_in(demo_copy, monkeypatch, "de", "views/vendors.py",
                 {"vendors_detail": "capgemini", "vendors_detail_tab": history})
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "status" in d.value.columns and "measured" in d.value.columns)
    assert set(table["status"].dropna()) == {"erfüllt", "verfehlt"}
