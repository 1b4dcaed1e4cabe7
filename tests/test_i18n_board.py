"""The board pack in the reader's language, read back with pdftotext: German headings, sentences and table
headings with German number formats (1.234.567 with a decimal comma for percentages); Bulgarian in Cyrillic
(a Unicode font is embedded); figures agree with the metric catalog written in the language's format."""
import re
import shutil
import subprocess

import pytest

from analytics import i18n, metrics, store
from analytics.reports import board

PERIOD = "2026-10"  # the demo's last closed month

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def plain(text: str) -> str:
    return re.sub("[\xa0\u202f]", " ", text)


@pytest.fixture(scope="module")
def packs(demo_db, tmp_path_factory):
    con = store.connect(demo_db, read_only=True)
    folder = tmp_path_factory.mktemp("board_languages")
    try:
        paths = {lang: board.write(con, period=PERIOD, out=folder / f"board-{lang}.pdf", lang=lang)
                 for lang in ("de", "bg")}
        figures = {name: metrics.evaluate(con, name) for name in ("ytd_actual", "ytd_budget", "landing",
                                                                  "landing_p_overrun", "cancel_by_due")}
    finally:
        con.close()
    return paths, figures


def pages(path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [plain(p) for p in text.split("\f") if p.strip()]


def test_the_german_pack_reads_in_german_with_german_numbers(packs):
    paths, f = packs
    text = pages(paths["de"])
    summary = " ".join(text[0].split())
    cur = f["ytd_actual"].currency
    with i18n.use("de"):
        for name in ("ytd_actual", "ytd_budget", "landing"):
            assert plain(board.money(f[name].value, cur)) in summary, name
        chance = plain(i18n.percent(f["landing_p_overrun"].value))
    assert summary.startswith("IT-Budget Vorstandsbericht – Oktober 2026")
    assert "Das kumulierte Ist (bis Okt. 2026) beträgt" in summary
    assert f"Überschreitungswahrscheinlichkeit: {chance}" in summary
    assert f"{f['cancel_by_due'].value} sich automatisch verlängernde Verträge müssen binnen 90 Tagen" in summary
    assert re.search(r"\b\d{1,3}(\.\d{3}){2} [$€]", summary)  # 70.811.212 $: dots between thousands
    assert re.search(r"\d,\d %", summary)  # 1,2 %: a decimal comma
    for page, words in ((1, ["Plan-Ist-Vergleich", "Ist und Plan nach Monat", "Kostenstelle", "Ist kumuliert",
                             "Plan kumuliert", "Abweichung %", "Jahresplan", "Summe", "Okt. 2026"]),
                        (2, ["Wo das Jahr landet", "Erwartung Jahresende", "80-%-Intervall, unten"]),
                        (3, ["Größte Risiken", "Kündigungstermin", "Wert der nächsten Laufzeit",
                             "Prüfung: Risikobetrag nach Regel", "Offene SLA-Gutschriften nach Lieferant"]),
                        (-1, ["Lieferanten: Rangliste der Bewertungen", "Rang", "Bewertung", "Indikatoren mit Daten"])):
        for word in words:
            assert word in text[page], (page, word)
    total = next(line for line in text[1].splitlines() if line.strip().startswith("Summe"))
    with i18n.use("de"):
        assert plain(board.money(f["ytd_actual"].value)) in total
    assert all(f"Outlay Vorstandsbericht · Seite {n}" in page for n, page in enumerate(text, 1))
    english = ("Budget vs actual", "Top risks", "Where the year lands", "Cost center", "Total", "Figure", "page ")
    assert not [word for word in english if word in " ".join(text)]


def test_the_bulgarian_pack_is_written_in_cyrillic(packs):
    paths, f = packs
    text = pages(paths["bg"])
    summary = " ".join(text[0].split())
    assert summary.startswith("Доклад за борда – ИТ бюджет – октомври 2026")
    assert "Натрупаният отчет" in summary
    assert "Основни рискове" in text[3] and "Общо" in text[1]
    assert re.search(r"\b\d{1,3}( \d{3}){2}\b", summary)  # 70 811 212: spaces between thousands


def test_the_english_pack_is_unchanged_by_the_default_language(demo_db, tmp_path):
    con = store.connect(demo_db, read_only=True)
    try:
        path = board.write(con, period=PERIOD, out=tmp_path / "board.pdf")
    finally:
        con.close()
    assert pages(path)[0].split()[:4] == ["IT", "budget", "board", "pack"]
