"""Global settings, declared once as (name, default, help, parse) and stored in the database.

The app and the CLI read and write the same rows, so they always agree.
Domain modules add their own settings through a SETTINGS list (see registry.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from analytics import i18n, memo, registry, store
from analytics.currencies import ISO_4217


class SettingError(ValueError):
    """A setting name or value that is not allowed."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    parse: Callable[[str], object] = str
    falls_back_to: str | None = None  # when not stored: that setting's value (stored or its own default)


def _raw(setting: Setting, stored: dict[str, str]) -> str:
    """`setting`'s stored text, else the setting it falls back to, else its default."""
    if setting.name in stored:
        return stored[setting.name]
    if setting.falls_back_to:
        return _raw(_find(setting.falls_back_to), stored)
    return setting.default


def _currency(value: str) -> str:
    code = value.strip().upper()
    if code not in ISO_4217:
        raise SettingError(f"{value!r} is not an ISO 4217 currency code")
    return code


def _month(value: str) -> int:
    try:
        month = int(value)
    except ValueError:
        raise SettingError(f"{value!r} is not a month number 1-12") from None
    if not 1 <= month <= 12:
        raise SettingError(f"{value!r} is not a month number 1-12")
    return month


def _as_of(value: str) -> dt.date | None:
    if value.strip() in ("", "today"):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise SettingError(f"{value!r} is not a date YYYY-MM-DD (or 'today')") from None


def positive_number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise SettingError(f"{value!r} is not a number") from None
    if number < 0:
        raise SettingError(f"{value!r} must not be negative")
    return number


def positive_int(value: str) -> int:
    number = positive_number(value)
    if number != int(number):
        raise SettingError(f"{value!r} is not a whole number")
    return int(number)


def _closed_month(value: str) -> dt.date | None:
    if value.strip() in ("", "default"):
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        raise SettingError(f"{value!r} is not a month YYYY-MM (or empty for the month before the as-of month)") from None


def _language(value: str) -> str:
    try:
        return i18n.parse_language(value)
    except i18n.LanguageError as exc:
        raise SettingError(str(exc)) from None


CORE_SETTINGS = [
    Setting("company_name", "My company", "Name shown in page headers and report packs.", str),
    # unset, amounts are shown in the currency the rates are quoted against, as the SQL macro reporting_currency()
    # (010_books.sql) converts them: a company setting only its base currency sees its figures labelled in it
    Setting("reporting_currency", "USD", "Currency every amount is converted into for display (ISO 4217); while "
            "not set, the base currency.", _currency,
            falls_back_to="base_currency"),
    Setting("base_currency", "USD", "Currency the fx rates are quoted against (fx.rate_to_base).", _currency),
    Setting("fiscal_year_start_month", "1", "First month of the fiscal year (1 = January, 4 = April, 10 = October). "
            "A fiscal year not starting in January is named after the calendar year it ends in.", _month),
    Setting("as_of_date", "today", "The date the reports treat as today (YYYY-MM-DD, or 'today').", _as_of),
    Setting("books_closed_through", "", "Last month whose books are closed (YYYY-MM). Year-to-date figures count "
            "closed months only and the forecast starts the month after. Empty: the month before the as-of "
            "month.", _closed_month),
    Setting("language", i18n.DEFAULT, "Language of the pages and the board pack, with its number and date formats: "
            + ", ".join(f"{code} ({name})" for code, name in i18n.LANGUAGES.items())
            + ". A person's own choice, where their account has one, comes first.", _language),
]


def all_settings() -> list[Setting]:
    return CORE_SETTINGS + registry.collect("SETTINGS")


def _find(name: str) -> Setting:
    # core settings first: reading one imports no domain module (an import asks for the fiscal-year start,
    # and collecting every module's settings imports scipy: seconds on a cold process)
    for setting in CORE_SETTINGS:
        if setting.name == name:
            return setting
    for setting in all_settings():
        if setting.name == name:
            return setting
    names = ", ".join(s.name for s in all_settings())
    raise SettingError(f"unknown setting {name!r}; known settings: {names}")


@memo.reusable
def _stored(con) -> dict[str, str]:
    """Every stored setting's text by name: one small query, and inside a `memo.reads()` block (a page query,
    the Overview's tiles) one per block however many settings it reads."""
    return dict(con.execute("select name, value from settings").fetchall())


def get_raw(con, name: str) -> str:
    setting = _find(name)
    return _raw(setting, _stored(con))


def get(con, name: str):
    """The parsed value of one setting (its default when never set)."""
    return _find(name).parse(get_raw(con, name))


def get_many(con, names: tuple[str, ...]) -> dict[str, object]:
    """The parsed values of several settings in one query (each read is a query: 1-4 ms under load, and the
    calendar asks for three on every page query)."""
    found = [_find(name) for name in names]
    stored = _stored(con)
    return {s.name: s.parse(_raw(s, stored)) for s in found}


def set_value(con, name: str, value: str) -> None:
    """Validate and store one setting; raises SettingError for a bad name or value."""
    setting = _find(name)
    setting.parse(value)
    with store.transaction(con):
        con.execute("delete from settings where name = ?", [name])
        con.execute("insert into settings values (?, ?)", [name, str(value).strip()])


def set_many(con, values: dict[str, str]) -> None:
    """Validate all, then store all in one transaction."""
    for name, value in values.items():
        _find(name).parse(value)
    with store.transaction(con):
        for name, value in values.items():
            con.execute("delete from settings where name = ?", [name])
            con.execute("insert into settings values (?, ?)", [name, str(value).strip()])


def as_dict(con) -> dict[str, str]:
    """Every setting's stored (or default) raw value (one query)."""
    stored = dict(con.execute("select name, value from settings").fetchall())
    return {s.name: _raw(s, stored) for s in all_settings()}


def as_of(con) -> dt.date:
    """The as-of date: the stored one, else today."""
    return as_of_value(get(con, "as_of_date"))


def as_of_value(parsed: dt.date | None) -> dt.date:
    """The as-of date from the parsed `as_of_date` setting: the stored one, else today."""
    return parsed or dt.date.today()
