"""What every page shares: the connection, cached analytics calls, filters, formatting, downloads.

Pages stay thin: read widgets, call `cached(module.function, ...)` with the analytics function itself
(so go-to-definition leads from a number on screen to the code and SQL that compute it), draw.
The cache is keyed by the function, its arguments and the database's data version, so an
import (in the app or the CLI) invalidates it without a restart.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import accounts, activity, calendar, fiscal, i18n, jobs, memo, overview, present, settings, store, warm
from analytics.reports import xlsx
from views import charts

# one colour per meaning, on every page and chart
COLORS = charts.COLORS  # the colours of actual, budget, forecast... (defined with the charts)


@st.cache_resource
def _connection(path: str):
    return store.connect(path)


def connection():
    """The app's one read-write connection (DuckDB allows one writer process per file). When another process
    holds the file, the page says who (after a short wait) and offers to try again, instead of a traceback."""
    try:
        return _connection(str(store.db_path(os.environ.get("OUTLAY_DB"))))
    except store.StoreError as exc:
        st.error(i18n.t("The database cannot be opened just now. {reason}", reason=exc), icon=":material/lock:")
        st.button(i18n.t("Try again"), key="store_busy_retry")
        st.stop()


def user() -> accounts.User:
    """The person using this session (views.auth.gate sets it on every run; LOCAL in a page run on its own)."""
    return st.session_state.get("_outlay_user", accounts.LOCAL)


def use_language() -> str:
    """Speak the reader's language in this page run (analytics.i18n): their own where their account has one,
    else the `language` setting. Cached calls and figures are keyed by it."""
    with cursor() as cur:
        lang = i18n.language_for(cur, user())
    i18n.set_language(lang)
    return lang


def cursor():
    """A per-thread cursor: DuckDB connections are not thread-safe."""
    return connection().cursor()


@st.cache_data(ttl=1.0, show_spinner=False)
def _data_version(database: str) -> int:
    with cursor() as cur:
        return store.data_version(cur)


def data_version() -> int:
    """The database's data version, read at most once a second (a page run asks for it per cached call;
    the app's own writes clear the cache at once, another process's are seen within a second)."""
    return _data_version(str(store.db_path(os.environ.get("OUTLAY_DB"))))


def _key(func) -> str:
    return f"{func.__module__}.{func.__qualname__}"


@st.cache_data(show_spinner=False, max_entries=512, hash_funcs={type(_key): _key})
def _cached_call(func, database: str, version: int, lang: str, kwargs_items: tuple):
    # results may carry words (tile labels): one entry per language. A page query only reads: inside it, the
    # settings and the reusable reads (analytics.memo) are read once however often its parts ask.
    with cursor() as cur, i18n.use(lang), memo.reads():
        return func(cur, **dict(kwargs_items))


RECENT = warm.Recent()  # the distinct calls pages made, replayed by the server's warm-up (analytics.warm)


def database() -> str:
    return str(store.db_path(os.environ.get("OUTLAY_DB")))


def cached(func, **kwargs):
    """`func(con, **kwargs)` through the data cache, keyed by the function's module and name,
    its arguments, the database file and its data version."""
    items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    RECENT.remember(func, items)
    return _cached_call(func, database(), data_version(), i18n.current(), items)


def warm_up(stop, *, interval_s: float = 2.0, on_pass=None) -> None:
    """The server's warm-up thread: at start and whenever the data version changes (an import, undo, edit or
    setting, in the app, the API or the CLI through it), run the jobs whose stored results are not current, then
    compute the calls people made recently (and, after a
    restart, those kept in `<database>.warm.json`) into the cache before anyone asks; keep the list on disk.
    `stop` is a threading.Event; `on_pass(version, calls, seconds)` is told after each pass."""
    import time

    from analytics import audit

    _first_use()
    path = warm.calls_file(database())
    RECENT.load(path)
    seen = None
    while not stop.is_set():
        try:
            version = data_version()
            if version != seen:
                began, calls = time.perf_counter(), RECENT.calls()
                with cursor() as cur:
                    lang = settings.get(cur, "language")  # the company's language (a person's own is not warmed)
                    # results a job stores but this version lacks (a new Outlay computes them differently, or a
                    # write from outside the server): computed here, not by the first visitor's page
                    with contextlib.suppress(Exception):
                        jobs.refresh(cur)
                        audit.share(cur)   # the findings every page with audit figures reads, the Overview first
                for func, items in calls:
                    if stop.is_set():
                        return
                    try:
                        _cached_call(func, database(), version, lang, items)
                    except Exception:  # noqa: BLE001 - a call that fails now fails on its page, with its message
                        pass
                seen = version
                if on_pass:
                    on_pass(version, len(calls), time.perf_counter() - began)
            RECENT.save(path)
        except Exception:  # noqa: BLE001 - the store busy or closing: try again at the next tick
            pass
        stop.wait(interval_s)


def _first_use() -> None:
    """What a fresh server process would otherwise do during someone's first pages, done once on the warm-up
    thread: import every module the pages import (reportlab, openpyxl, the report builders: 2-3 s under
    load on this machine, paid by the first visit of the Overview, Forecast or Showback), and Streamlit's
    one-time check on the first element drawn (it walks the whole stack with inspect.stack(), about 1 s on a
    page's deep stack; here on the thread's short one; no warning is printed while the server runs)."""
    import ast
    import importlib

    for page in sorted((Path(__file__).resolve().parent).glob("*.py")):
        for node in ast.parse(page.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            for name in names:
                if not name.startswith("views"):
                    with contextlib.suppress(ImportError):
                        importlib.import_module(name)
    from streamlit import delta_generator
    check = getattr(delta_generator, "_maybe_print_use_warning", None)  # private: skipped if it goes away
    if check is not None:
        check()


def figure(builder):
    """Cache a page's chart builder by its arguments (frames hashed by content): a rerun with the same data gets
    the same option (views/charts.py; the page never changes an option after it is built)."""
    return st.cache_resource(show_spinner=False, max_entries=256)(builder)


def call(func, **kwargs):
    """`func(con, **kwargs)` without caching (for writes)."""
    with cursor() as cur:
        return func(cur, **kwargs)


def log(action: str, detail: str) -> None:
    """Record a write of this session's user in the activity log (after_write does it for data writes)."""
    with cursor() as cur:
        activity.record(cur, user().name, action, detail)


def after_write(action: str = "edit", detail: str = "") -> None:
    """After the app changed data or settings: record who did what in the activity log, run the jobs (forecast,
    audit, scorecards) for the new data version, then forget cached results."""
    log(action, detail or f"on the page {st.context.url or ''}".strip())
    with st.spinner(i18n.t("Updating the forecast, audit and scorecards for the new data…")):
        with cursor() as cur:
            jobs.refresh(cur)
    st.cache_data.clear()


def app_settings() -> dict:
    with cursor() as cur:
        values = settings.as_dict(cur)
        cal = calendar.calendar(cur)
    values.update(as_of=cal.as_of, closed_through=cal.closed_through, cutoff=cal.cutoff)
    values["fiscal_year_start_month"] = int(values["fiscal_year_start_month"])
    return values


def row_counts() -> dict[str, int]:
    """Rows per dataset, counted once per data version (every page asks, to say what is missing)."""
    from analytics.ingest import load
    return cached(load.row_counts)


def empty_state(datasets_needed: list[str]) -> bool:
    """Show what to import and return True when any of the datasets is empty."""
    counts = row_counts()
    missing = [d for d in datasets_needed if counts.get(d, 0) == 0]
    if not missing:
        return False
    st.info(i18n.t("No {datasets} data yet. Import it on the Data page (or build the demo company with "
                   "`python -m analytics demo`).", datasets=", ".join(missing)))
    st.page_link("views/data.py", label=i18n.t("Go to the Data page"), icon=":material/upload_file:")
    return True


def lazy_tabs(tabs: dict, key: str, **fields) -> None:
    """Tabs of which only the open one runs (`on_change="rerun"`, `tab.open`): a visit draws one tab's tables and
    charts, not all of them. `tabs` maps each label (marked with i18n.N_, shown in the reader's language with `fields`
    filled in) to the function that draws it; the label as shown is the tab's state, kept under `key`."""
    for tab, draw in zip(st.tabs([i18n.t(label, **fields) for label in tabs], key=key, on_change="rerun"),
                         tabs.values()):
        with tab:
            if tab.open:
                draw()


def money(value, currency: str, *, decimals: int = 0) -> str:
    """'1,234,567 USD', negatives in brackets '(1,234) USD' ('1.234.567 €' in German: analytics.i18n.money, as in
    tables, tooltips and exports); '–' for a missing value. The one rule is charts.money_text."""
    return charts.money_text(value, currency, decimals)


def short_money(value, currency: str) -> str:
    """'1.23M USD' for tiles ('1,23 Mio. USD' in German)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{i18n.short_money(value)} {currency}"


def _xlsx_bytes(frame: pd.DataFrame, name: str, currency: str) -> bytes:
    buffer = io.BytesIO()
    wb = xlsx.new_workbook()
    xlsx.write_report_table(wb.create_sheet(name[:31]), frame, start_row=1, currency=currency,
                            labels={c: present.label(c) or str(c) for c in frame.columns})
    wb.save(buffer)
    return buffer.getvalue()


def downloads(frame, name: str, key: str, *, currency: str = "") -> None:
    """CSV and XLSX download buttons for a table as shown: headings in words, money rounded to the cent,
    no 'None' or 'nan', Excel number formats from the presentation layer. The files are written when
    clicked, not on every run of the page. `frame` is a DataFrame, or a function returning one when clicked
    (a table too large to read on every run)."""
    table = frame if callable(frame) else lambda: frame
    left, right = st.columns(2)
    left.download_button(i18n.t("Download CSV"), lambda: xlsx.csv_bytes(present.for_people(table(), currency or None)),
                         f"{name}.csv", "text/csv", key=f"{key}_csv")
    right.download_button(i18n.t("Download XLSX"), lambda: _xlsx_bytes(table(), name, currency), f"{name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx")


def _holds_dates(series: pd.Series) -> bool:
    """Dates or timestamps (a datetime column, or Python dates in an object column), not text."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    first = series.dropna().head(1)
    return series.dtype == object and len(first) == 1 and isinstance(first.iloc[0], (dt.date, pd.Timestamp))


def _column(name: str, series: pd.Series, currency: str | None):
    """Streamlit column config for one column from its unit (analytics.present)."""
    kind, text = present.unit(name, series), present.label(name, currency) or " "
    config = st.column_config
    if kind in (present.MONEY, present.LOCAL_MONEY):
        return config.NumberColumn(text, format="accounting")
    if kind == present.RATIO:
        return config.NumberColumn(text, format="percent")
    if kind == present.PERCENT_100:
        return config.NumberColumn(text, format="%.1f%%")
    if kind == present.COUNT:
        return config.NumberColumn(text, format="localized")  # 12,420 (thousands separated), never 12420.00
    if kind == present.NUMBER:
        return config.NumberColumn(text, format="%.2f")
    if kind == present.DATE:
        return config.DateColumn(text, format="YYYY-MM-DD")
    if kind == present.DATETIME:
        return config.DatetimeColumn(text, format="YYYY-MM-DD HH:mm")
    if kind == present.MONTH and _holds_dates(series):
        return config.DateColumn(text, format="YYYY-MM")  # as text, a month stored as a date read 1704067200000
    return config.TextColumn(text)


def table(frame: pd.DataFrame, key: str, *, currency: str | None = None, download: str | None = None,
          config: dict | None = None, colours: dict | None = None, **options):
    """The one way pages show a table: headings in words and formats by unit from analytics.present (money
    in the reporting currency, negatives in brackets, ratios as %), empty cells empty, rule ids as titles;
    `config` overrides a column's config; `colours` maps a column to a function value -> CSS (e.g. a risk in
    red); `download` adds CSV/XLSX buttons with that file name."""
    shown = present.tidy(frame)
    columns = {name: _column(name, frame[name], currency) for name in frame.columns}
    options.setdefault("hide_index", True)
    options.setdefault("width", "stretch")
    options.setdefault("placeholder", "")  # a missing date or number reads empty, never "None"
    data = shown
    if colours:
        data = shown.style
        for name, css in colours.items():
            data = data.map(css, subset=[name])
    event = st.dataframe(data, key=key, column_config={**columns, **(config or {})}, **options)
    if download:
        downloads(frame, download, f"{key}_dl", currency=currency or "")
    return event


def header(title: str, caption: str | None = None) -> dict:
    """Page title (in the reader's language where the catalog has it) plus the settings line every page shows;
    returns the settings."""
    use_language()
    conf = app_settings()
    st.title(i18n.t(title))
    as_of: dt.date = conf["as_of"]
    line = i18n.t("{company} · amounts in {currency} (monthly fx rates) · as of {as_of} · books closed through "
                  "{closed}", company=conf["company_name"], currency=conf["reporting_currency"],
                  as_of=i18n.day(as_of), closed=i18n.month(conf["closed_through"]) or "–")
    st.caption(line + (f" · {i18n.t(caption)}" if caption else ""))
    return conf



ALL = "All"


def _remember(key: str, memory: str) -> None:
    st.session_state[memory] = st.session_state[key]


def remembered_select(label: str, param: str, options: list, key: str, default, *, format_func=str,
                      help: str | None = None, parse=str):
    """A sidebar selectbox kept in the URL (?param=...) and across pages.
    Streamlit drops a widget's state when another page is shown, so the value lives in
    st.session_state['_filter_<param>'] and is handed back to the widget on every run."""
    memory = f"_filter_{param}"
    if memory not in st.session_state:
        wanted = st.query_params.get(param)
        try:
            st.session_state[memory] = parse(wanted) if wanted is not None else default
        except ValueError:
            st.session_state[memory] = default
    if st.session_state[memory] not in options:
        st.session_state[memory] = default if default in options else options[0]
    st.session_state[key] = st.session_state[memory]
    value = st.sidebar.selectbox(label, options, key=key, format_func=format_func, help=help,
                                 on_change=_remember, args=(key, memory))
    if value == ALL:
        if param in st.query_params:
            del st.query_params[param]
    else:
        st.query_params[param] = str(value)
    return value


def global_filters() -> dict:
    """The shared sidebar filters, kept in the URL (?fy=&cc=&cat=&vendor=) and across pages:
    {'year': int, 'cost_center': str|None, 'category': str|None, 'vendor': str|None} (None = all)."""
    conf = app_settings()
    start = conf["fiscal_year_start_month"]
    current = fiscal.fiscal_year(conf["as_of"], start)
    # every year with data (a 2014 file must be viewable), and a year asked for in the URL (?fy=2014)
    asked = str(st.query_params.get("fy", ""))
    years = sorted(set(range(current - 4, current + 2))
                   | set(cached(fiscal.years_with_data, start_month=start))
                   | ({int(asked)} if asked.isdigit() and 1900 <= int(asked) <= 2200 else set()))
    year = remembered_select(i18n.t("Fiscal year"), "fy", years, "fy", current, parse=int,
                             format_func=i18n.bound(lambda y: fiscal.label(y, start)))
    values = cached(overview.filter_values)
    scope = user().cost_centers  # a user limited to cost centers chooses among theirs, never "All"
    options = {"cost_center": list(scope) if scope else [ALL, *values["cost_center"]],
               "category": [ALL, *values["category"]], "vendor": [ALL, *values["vendor"]]}
    all_word = i18n.t("All")  # one lookup per run, not one per option (the vendor list can be long)
    chosen = {name: remembered_select(i18n.t(label), param, options[name], f"filter_{name}", options[name][0],
                                      format_func=lambda value: all_word if value == ALL else str(value))
              for name, label, param in (("cost_center", i18n.N_("Cost center"), "cc"),
                                         ("category", i18n.N_("Category"), "cat"),
                                         ("vendor", i18n.N_("Vendor"), "vendor"))}
    return {"year": year, **{k: None if v == ALL else v for k, v in chosen.items()}}
