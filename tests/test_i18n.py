"""The users' languages (analytics.i18n): every message of the template translated in every catalog with the same
placeholders, the template up to date with the code, the `language` setting, plurals, and Babel's locale formats
(1.234,56 € in German, 1 234,56 zł in Polish ...)."""
from __future__ import annotations

import datetime as dt
import re
import string
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from analytics import accounts, i18n, metrics, present, settings, store

OTHERS = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]
NBSP = "\xa0"


def template_messages() -> dict:
    with i18n.TEMPLATE.open("rb") as pot:
        return {m.id: m for m in read_po(pot) if m.id}


def catalog(lang: str):
    with i18n.catalog_path(lang).open("rb") as po:
        return read_po(po, locale=lang)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.fixture
def mem():
    con = store.connect(":memory:")
    yield con
    con.close()


def test_the_template_is_up_to_date_with_the_code():
    """`python -m analytics.i18n extract` has been run: the committed template holds exactly the code's messages."""
    from_code = {m.id for m in i18n.template() if m.id}
    assert set(template_messages()) == from_code


@pytest.mark.parametrize("lang", OTHERS)
def test_every_message_is_translated_with_the_same_placeholders(lang):
    translated = {m.id: m for m in catalog(lang) if m.id}
    template = template_messages()
    assert set(template) <= set(translated), sorted(map(str, set(template) - set(translated)))[:10]
    for message_id in template:
        message = translated[message_id]
        assert not message.fuzzy, message_id
        ids = message_id if isinstance(message_id, tuple) else (message_id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(form.strip() for form in forms), message_id
        wanted = set().union(*(placeholders(i) for i in ids))
        for form in forms:
            # a plural form may leave {count} out ("one contract"), never add a name or drop another
            assert placeholders(form) - {"count"} == wanted - {"count"}, (message_id, form)


@pytest.mark.parametrize("lang", OTHERS)
def test_a_catalog_has_the_plural_forms_of_its_language(lang):
    cat = catalog(lang)
    assert cat.num_plurals == (3 if lang == "pl" else 2)
    assert all(len(m.string) == cat.num_plurals for m in cat if m.id and m.pluralizable)


@pytest.mark.parametrize("lang", OTHERS)
def test_no_english_is_left_in_the_menu_and_the_overview_words(lang):
    with i18n.use(lang):
        for english in ("Overview", "Actual", "Fiscal year", "Cost center", "Tables behind the charts", "Yes",
                        "Download CSV", "Top risks"):
            assert i18n.t(english) != english, english


def test_named_placeholders_let_a_language_order_the_words():
    with i18n.use("hu"):
        assert i18n.t("through {month}", month="2026. okt.") == "2026. okt. végéig"
    with i18n.use("de"):
        assert i18n.t("FY{year}", year=2026) == "GJ 2026"
    assert i18n.t("FY{year}", year=2026) == "FY2026"
    with i18n.use("sv"):
        assert i18n.t("") == ""  # never the catalog's header


@pytest.mark.parametrize("count, expected", [
    (1, "1 umowa odnawiana automatycznie musi"), (2, "2 umowy odnawiane automatycznie muszą"),
    (5, "5 umów odnawianych automatycznie musi"), (12, "12 umów"), (22, "22 umowy"),
])
def test_polish_has_three_plural_forms(count, expected):
    singular = "{count} automatically renewing contract must be cancelled or renewed within {days} days (see Top risks)."
    plural = "{count} automatically renewing contracts must be cancelled or renewed within {days} days (see Top risks)."
    with i18n.use("pl"):
        assert i18n.n(singular, plural, count, days=90).startswith(expected)
    assert i18n.n(singular, plural, 1, days=90).startswith("1 automatically renewing contract must")


def test_a_plural_count_is_written_in_the_locale():
    with i18n.use("de"):
        text = i18n.n("{count} spend line this year has no fx rate for its month and is left out of the totals. Import "
                      "the missing rates on the Data page (the Budget page lists them).",
                      "{count} spend lines this year have no fx rate for their month and are left out of the totals. "
                      "Import the missing rates on the Data page (the Budget page lists them).", 1234)
    assert text.startswith("1.234 Ausgabenzeilen")


@pytest.mark.parametrize("lang, currency, expected", [
    ("de", "EUR", "1.234,56 €"), ("pl", "PLN", "1 234,56 zł"), ("sv", "SEK", "1 234,56 kr"),
    ("hu", "HUF", "1 234,56 Ft"), ("bg", "BGN", "1 234,56 лв."), ("en", "EUR", "1,234.56 EUR"),
])
def test_money_in_the_locale_of_the_language(lang, currency, expected):
    with i18n.use(lang):
        text = i18n.money(1234.56, currency)
        negative = i18n.money(-1234.56, currency)
    assert text == (expected if lang == "en" else expected.replace(" ", NBSP))  # a no-break space: never wrapped
    assert negative == f"({text})" if lang != "en" else negative == "(1,234.56) EUR"


@pytest.mark.parametrize("lang, number, percent, month, day, short", [
    ("en", "1,234,567.89", "12.5%", "October 2026", "2026-10-31", "70.81M"),
    ("de", "1.234.567,89", "12,5 %", "Oktober 2026", "31.10.2026", "70,81 Mio."),
    ("pl", "1 234 567,89", "12,5%", "październik 2026", "31 paź 2026", "70,81 mln"),
    ("sv", "1 234 567,89", "12,5 %", "oktober 2026", "31 okt. 2026", "70,81 mn"),
    ("hu", "1 234 567,89", "12,5%", "2026. október", "2026. okt. 31.", "70,81 M"),
    ("bg", "1 234 567,89", "12,5%", "октомври 2026 г.", "31.10.2026 г.", "70,81 млн."),
])
def test_numbers_percentages_dates_and_month_names(lang, number, percent, month, day, short):
    def plain(text: str) -> str:
        return re.sub("[\xa0\u202f]", " ", text)
    with i18n.use(lang):
        assert plain(i18n.number(1234567.891, 2)) == number
        assert plain(i18n.percent(0.125)) == percent
        assert plain(i18n.month(dt.date(2026, 10, 1), long=True)) == month
        assert plain(i18n.date(dt.date(2026, 10, 31))) == day
        assert plain(i18n.short_money(70_813_518)) == short
        assert i18n.percent(1e-9).startswith("<0")


def test_english_keeps_the_finance_formats_of_the_pages():
    assert present.money_text(-244527.52, "EUR") == "(244,527.52) EUR"
    assert present.percent_text(0.125) == "12.5%"
    assert present.value_text(dt.date(2026, 10, 31), "end_date") == "2026-10-31"
    assert present.value_text(True, "is_closed") == "Yes"


def test_labels_flags_and_metric_names_follow_the_language():
    with i18n.use("bg"):
        assert present.label("actual_ytd", "BGN") == "Отчет натрупано (BGN)"
        assert present.label("variance") == "Отклонение"
        assert present.value_text(True, "is_closed") == "Да"
        assert present.tidy(__import__("pandas").DataFrame({"is_closed": [True, False]}))["is_closed"].tolist() == \
            ["Да", ""]
        assert metrics.label("cancel_by_due", within=60) == "Прекратяване до 60 дни"
        assert present.value_text(dt.date(2026, 10, 1), "period") == "10.2026 г.".replace(" ", "\u202f")
    with i18n.use("de"):
        assert present.label("variance_pct") == "Abweichung %"
        assert present.value_text(12420, "lines") == "12.420"
    assert present.label("actual_ytd", "EUR") == "Actual YTD (EUR)"


def test_the_language_setting_is_validated_naming_the_allowed(mem):
    assert settings.get(mem, "language") == "en"
    settings.set_value(mem, "language", "bg")
    assert settings.get(mem, "language") == "bg"
    with pytest.raises(settings.SettingError, match=r"'xx' is not a language.*de \(Deutsch\).*bg \(Български\)"):
        settings.set_value(mem, "language", "xx")
    assert settings.get(mem, "language") == "bg"


def test_a_persons_own_language_comes_first(mem):
    settings.set_value(mem, "language", "sv")
    assert i18n.language_for(mem) == "sv"
    assert i18n.language_for(mem, accounts.LOCAL) == "sv"  # LOCAL has no language of its own: the company's
    own = type("Reader", (), {"language": "pl"})()
    assert i18n.language_for(mem, own) == "pl"
    nobody = type("Reader", (), {"language": ""})()
    assert i18n.language_for(mem, nobody) == "sv"


def test_the_cli_sets_and_refuses_a_language(tmp_path):
    db = tmp_path / "l.duckdb"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "analytics", "settings", *args, "--db", str(db)],
                              capture_output=True, text=True, cwd=store.PROJECT_ROOT)
    assert run("language", "de").returncode == 0
    assert run("language").stdout.strip() == "de"
    refused = run("language", "fr")
    assert refused.returncode == 1
    assert "'fr' is not a language Outlay speaks; choose one of: en (English), de (Deutsch), pl (Polski), " \
           "sv (Svenska), hu (Magyar), bg (Български)" in refused.stderr
    assert run("language").stdout.strip() == "de"


def test_the_language_of_a_block_is_restored_after_it():
    assert i18n.current() == "en"
    with i18n.use("pl"):
        assert i18n.t("Yes") == "Tak"
        with i18n.use("hu"):
            assert i18n.t("Yes") == "Igen"
        assert i18n.t("Yes") == "Tak"
    assert i18n.t("Yes") == "Yes"
    with pytest.raises(i18n.LanguageError, match="choose one of"):
        i18n.set_language("klingon")
