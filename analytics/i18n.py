"""The users' languages: message catalogs (gettext .po files read through Babel) and locale formats.

Text shown to people goes through `t("{count} contracts must be cancelled", count=...)`: the English text is
the message id, named placeholders let a language put the words in its own order; `n(singular, plural, count)`
picks the plural form the language needs (Polish has three). The catalogs are the `.po` files under
analytics/locale/<lang>/LC_MESSAGES/outlay.po, compiled in memory when first used (no binary .mo files to go
stale); `python -m analytics.i18n extract` writes the template analytics/locale/outlay.pot from the code.

The language of the text being made is a context variable: the app sets it at the start of every page run
(views.common), a report sets it while it writes (`with i18n.use(lang):`); everything else reads it through
`t()`, `n()` and the formats below. English keeps Outlay's finance formats (1,234.56 EUR, negatives in
brackets); the other languages follow their Babel (CLDR) locale: 1.234,56 € in German, 1 234,56 zł in Polish.
No streamlit here.
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import datetime as dt
import functools
import gettext
import io
from pathlib import Path

import pandas as pd
from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal

# each language named in itself (the Settings page offers these)
LANGUAGES = {"en": "English", "de": "Deutsch", "pl": "Polski", "sv": "Svenska", "hu": "Magyar", "bg": "Български"}
LOCALES = {"en": "en_US", "de": "de_DE", "pl": "pl_PL", "sv": "sv_SE", "hu": "hu_HU", "bg": "bg_BG"}
DEFAULT = "en"
DOMAIN = "outlay"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("outlay_language", default=DEFAULT)


class LanguageError(ValueError):
    """A language Outlay has no catalog for."""


def parse_language(value: str) -> str:
    """A language code of LANGUAGES (the `language` setting's parser); raises LanguageError naming the allowed."""
    code = str(value).strip().lower()
    if code not in LANGUAGES:
        allowed = ", ".join(f"{c} ({name})" for c, name in LANGUAGES.items())
        raise LanguageError(f"{value!r} is not a language Outlay speaks; choose one of: {allowed}")
    return code


def current() -> str:
    """The language of the text being made now."""
    return _current.get()


def set_language(lang: str) -> None:
    """Make `lang` the language of this thread's (page run's) text from now on."""
    _current.set(parse_language(lang))


@contextlib.contextmanager
def use(lang: str):
    """Speak `lang` inside the block (a report written in the database's language), then the one before."""
    token = _current.set(parse_language(lang))
    try:
        yield
    finally:
        _current.reset(token)


def bound(func):
    """`func` speaking the language current now, wherever it is called later (a widget's format_func, which
    Streamlit's test harness calls outside the page run)."""
    lang = current()

    def in_language(*args, **kwargs):
        with use(lang):
            return func(*args, **kwargs)
    return in_language


def language_for(con, user=None) -> str:
    """The language a person reads: their own choice when their account has one (accounts.User.language, set
    with `users set NAME --language` or the sidebar's "My language"), else the company's `language` setting."""
    from analytics import settings  # settings declares `language` with parse_language: imported when asked

    own = getattr(user, "language", None) if user is not None else None
    return parse_language(own) if own else settings.get(con, "language")


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """The language's catalog, compiled from its .po file in memory (English is the message ids themselves)."""
    if parse_language(lang) == DEFAULT:
        return gettext.NullTranslations()
    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def t(message: str, **values) -> str:
    """`message` in the current language, its {named} placeholders filled in with `values` ('' stays '': gettext
    would answer it with the catalog's header)."""
    if not message:
        return message
    text = translations(current()).gettext(message)
    return text.format(**values) if values else text


def n(singular: str, plural: str, count: int, **values) -> str:
    """The plural form for `count` in the current language; {count} is written as a number of the locale."""
    text = translations(current()).ngettext(singular, plural, int(count))
    return text.format(**{"count": number(count), **values})


def N_(message: str) -> str:
    """Mark a message for the catalog where it is declared; it is translated where it is shown (t())."""
    return message


# ---- formats -------------------------------------------------------------------------------------

def locale(lang: str | None = None) -> Locale:
    return _locale(lang or current())


@functools.lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[parse_language(lang)])


def _empty(value) -> bool:
    """None, NaN, pd.NA and NaT (a list or array is never empty here)."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def number(value, decimals: int = 0) -> str:
    """A number with the locale's separators: '1,234.5' / '1.234,5' / '1 234,5'; '' when empty."""
    if _empty(value):
        return ""
    if current() == DEFAULT:
        return f"{float(value):,.{decimals}f}" if decimals else f"{round(float(value)):,}"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(float(value), format=pattern, locale=locale())


def money(value, currency: str = "", *, decimals: int = 2) -> str:
    """An amount as finance reads it in the current language: '(1,234.56) EUR' in English (code after,
    negatives in brackets), '(1.234,56 €)' in German, '1 234,56 zł' in Polish; without a currency the number
    alone; '' when empty."""
    if _empty(value):
        return ""
    amount = round(float(value), decimals)
    if current() == DEFAULT:
        body = f"{abs(amount):,.{decimals}f}"
        body = f"({body})" if amount < 0 else body
        return f"{body} {currency}".strip()
    loc = locale()
    if currency:
        pattern = copy.copy(loc.currency_formats["standard"])
        pattern.frac_prec = (decimals, decimals)
        body = pattern.apply(abs(amount), loc, currency=currency, currency_digits=False)
    else:
        body = number(abs(amount), decimals)
    return f"({body})" if amount < 0 else body


def short_money(value) -> str:
    """A tile's amount: '1.23M' / '1,23 Mio.' / '1,23 млн.'; below a million the whole number; '–' when empty."""
    if _empty(value):
        return "–"
    value = float(value)
    if current() == DEFAULT:
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                return f"{value / size:,.2f}{suffix}"
        return f"{value:,.0f}"
    if abs(value) >= 1e6:
        return format_compact_decimal(value, format_type="short", locale=locale(), fraction_digits=2)
    return number(value)


# the short word for a thousand where Babel's short compact form has none (German writes 1000 in full)
THOUSAND = {"de": "Tsd."}


def compact_unit(size: float) -> str:
    """The short word of a power of a thousand as a unit: 'K', 'M', 'B' in English, 'Tsd.', 'Mio.', 'Mrd.' in
    German, 'tys.', 'mln', 'mld' in Polish (Babel's short compact forms without their number)."""
    lang = parse_language(current())
    if size == 1_000 and lang in THOUSAND:
        return THOUSAND[lang]
    text = format_compact_decimal(size, format_type="short", locale=locale())
    return text.replace("1", "", 1).strip(" \xa0")


def percent(value, decimals: int = 1, *, signed: bool = False) -> str:
    """A ratio as a percentage: '12.5%' / '12,5 %' (a chance below the last decimal reads '<0.1%'); '' when
    empty; `signed` adds '+' to a positive one."""
    if _empty(value):
        return ""
    value = float(value)
    if 0 < abs(value) < 0.5 / 10 ** (decimals + 2):
        return "<" + percent(1 / 10 ** (decimals + 2), decimals)
    if current() == DEFAULT:
        return f"{value:+.{decimals}%}" if signed else f"{value:.{decimals}%}"
    pattern = copy.copy(locale().percent_formats[None])  # '12,5 %' in German and Swedish, '12,5%' in Polish
    pattern.frac_prec = (decimals, decimals)
    text = pattern.apply(value, locale())
    return "+" + text if signed and value > 0 else text


def _day(value) -> dt.date:
    """A date from a date, datetime, Timestamp, numpy datetime or 'YYYY-MM[-DD]' text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def date(value) -> str:
    """A date: '2026-10-31' in English (as the CLI and files write it), '31.10.2026' in German; '' when empty."""
    if _empty(value):
        return ""
    day = _day(value)
    return f"{day:%Y-%m-%d}" if current() == DEFAULT else format_date(day, "medium", locale=locale())


def month(value, *, long: bool = False) -> str:
    """A month as the locale writes it: 'Oct 2026' / 'Okt. 2026' / '2026. okt.' ('October 2026',
    '2026. október' with `long`); '' when empty."""
    if _empty(value):
        return ""
    return format_skeleton("yMMMM" if long else "yMMM", _day(value), locale=locale())


def day(value) -> str:
    """A day in words: '15 Nov 2026' / '15.11.2026'; '' when empty."""
    if _empty(value):
        return ""
    when = _day(value)
    return f"{when:%d %b %Y}" if current() == DEFAULT else format_date(when, "medium", locale=locale())


def either(words) -> str:
    """'cost center or vendor' / 'Kostenstelle oder Lieferant': a list joined as the language says "or"."""
    return format_list(list(words), style="or", locale=locale())


def decimal_mark() -> str:
    """The locale's decimal mark: '.' in English, ',' in German."""
    symbols = locale().number_symbols.get("latn", locale().number_symbols)
    return symbols["decimal"]


# ---- the template ----------------------------------------------------------------------------------

KEYWORDS = {"t": None, "n": (1, 2), "N_": None}
SOURCES = ("analytics", "views", "dashboard.py")


def declared_messages() -> list[tuple[str, str]]:
    """Messages declared in tables rather than written in t() calls: (message, where)."""
    from analytics import metrics, present

    found = []
    for metric in metrics.CATALOG:
        found += [(metric.label, "analytics/metrics.py"), (metric.definition, "analytics/metrics.py")]
    found += [(text, "analytics/present.py") for text in present.LABELS.values()]
    return found


def template():
    """The catalog template: every t()/n()/N_() message of the code plus the declared ones."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    root = LOCALE_DIR.parent.parent
    catalog = Catalog(project="Outlay", domain=DOMAIN, charset="utf-8", fuzzy=False)
    files = []
    for source in SOURCES:
        path = root / source
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    for path in files:
        relative = path.relative_to(root).as_posix()
        if relative == "analytics/i18n.py" or "i18n" not in path.read_text(encoding="utf-8"):
            continue  # a module that does not speak through i18n may name a variable `t` (t["landing"])
        for line, message, _comments, _context in extract_from_file("python", path, keywords=KEYWORDS):
            catalog.add(message, locations=[(relative, line)])
    for message, where in declared_messages():
        if message:
            catalog.add(message, locations=[(where, 0)])
    for message in catalog:  # our placeholders are {named}; a '%' is a percent sign, not a printf format
        message.flags.discard("python-format")
        if "{" in str(message.id):
            message.flags.add("python-brace-format")
    return catalog


def write_template(path: Path = TEMPLATE) -> Path:
    """Write the template when its messages or their places changed (not for a new date in its header)."""
    from babel.messages.pofile import write_po

    fresh = template()
    if path.exists():
        with path.open("rb") as pot:
            old = read_po(pot)
        def places(catalog) -> set:
            return {(m.id, tuple(sorted({file for file, _ in m.locations}))) for m in catalog}
        if places(old) == places(fresh):
            return path
    with path.open("wb") as out:
        write_po(out, fresh, omit_header=False, sort_output=True, width=120, include_lineno=False)
    return path


def update_catalogs() -> None:
    """Merge the template into every language's catalog (new messages empty, gone ones dropped)."""
    from babel.messages.pofile import write_po

    with write_template().open("rb") as pot:
        tmpl = read_po(pot)  # as written: its header date changes only with its messages
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        path = catalog_path(lang)
        with path.open("rb") as po:
            catalog = read_po(po, locale=lang, domain=DOMAIN)
        catalog.update(tmpl, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for message in catalog:
            message.flags.discard("python-format")
        with path.open("wb") as out:
            write_po(out, catalog, sort_output=True, width=120, include_lineno=False)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["extract"]:
        print(write_template())
    elif sys.argv[1:] == ["update"]:
        update_catalogs()
    else:
        print("usage: python -m analytics.i18n extract|update", file=sys.stderr)
        sys.exit(2)
