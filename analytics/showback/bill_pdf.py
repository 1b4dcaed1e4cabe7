"""The bill of IT as a PDF: a summary page, then one page per business unit.

Summary: what the window's spend was, how much reached business units and how much no rule covers (in
sentences), a chart and a table of the cost per business unit with its share and, when the unit driver has
quantities, the cost per unit. A business unit's page: what it was charged and through which services, a
chart by service, the table service x cost pool, and the rules its cost passed through.
Every amount comes from the same Allocation the page, the workbook and `showback --json` read (analytics.
showback.report); money is rounded so the rows of a table add up to its total to the cent shown.
Layout and formats are the board pack's (analytics.reports.board, analytics.present), and so is the language:
the bill is written in the language asked for (default: the language spoken now; the CLI passes the `language`
setting) with its number formats, in DejaVu Sans for every language but English.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

from analytics import i18n, metrics, present, settings
from analytics.audit.engine import full_stop
from analytics.reports import board
from analytics.showback import bill, engine, report

BAR = colors.HexColor("#2ca02c")
MAX_SERVICES_CHARTED = 12


def _money(value, currency: str) -> str:
    """A bill is read to the cent: '1,234.56 EUR', negatives in brackets."""
    return present.money_text(value, currency)


def _with_total(frame: pd.DataFrame, label_column: str, amount: str) -> pd.DataFrame:
    """The frame's amounts rounded to cents that add up to the rounded total, and a 'Total' row."""
    total = round(float(frame[amount].sum()), 2)
    cents = metrics.cents_adding_up(frame[amount].astype(float).tolist(), total)
    out = frame.assign(**{amount: cents})
    return pd.concat([out, pd.DataFrame({label_column: ["Total"], amount: [total]})], ignore_index=True)


def summary_table(alloc: engine.Allocation, units: pd.DataFrame | None) -> pd.DataFrame:
    """business_unit, value, share (of the window's spend), and cost per unit where the driver has quantities."""
    frame = report.totals_by(alloc, by="business_unit")
    frame = frame.assign(share=frame["value"] / alloc.total if alloc.total else None)
    if units is not None and len(units):
        frame = frame.merge(units[["business_unit", "quantity", "unit_cost"]], on="business_unit", how="left")
    out = _with_total(frame, "business_unit", "value")
    out.loc[out.index[-1], "share"] = 1.0 if alloc.total else None
    return out


def summary_sentences(alloc: engine.Allocation, *, window: str, currency: str) -> list[str]:
    """The summary page's sentences in the current language, amounts in its format."""
    by_bu = report.totals_by(alloc, by="business_unit")
    left = float(by_bu.loc[by_bu["business_unit"] == report.UNALLOCATED, "value"].sum())
    units = by_bu[by_bu["business_unit"] != report.UNALLOCATED]
    lines = [i18n.n("The spend of {window} is {total}; {allocated} of it reached {count} business unit through the "
                    "allocation rules.",
                    "The spend of {window} is {total}; {allocated} of it reached {count} business units through the "
                    "allocation rules.", len(units), window=window, total=_money(alloc.total, currency),
                    allocated=_money(alloc.total - left, currency))]
    if left:
        lines.append(i18n.t("{amount} ({share}) is covered by no rule and stays unallocated: it is shown, never "
                            "spread.", amount=_money(left, currency), share=present.percent_text(left / alloc.total)))
    else:
        lines.append(i18n.t("Every amount is covered by a rule: nothing is left unallocated."))
    if len(units):
        top = units.iloc[0]
        lines.append(i18n.t("The largest bill is that of {unit}: {amount} ({share} of the spend).",
                            unit=top["business_unit"], amount=_money(top["value"], currency),
                            share=present.percent_text(top["value"] / alloc.total)))
    return [full_stop(line) for line in lines] + list(alloc.notes)


def unit_sentences(alloc: engine.Allocation, unit: str, *, charged: float, currency: str,
                   units: pd.DataFrame | None, driver: str | None) -> list[str]:
    """A business unit's page in sentences of the current language."""
    services = report.bill_lines(alloc, business_unit=unit).groupby("service")["amount"].sum()
    services = services.sort_values(ascending=False)
    amount = _money(charged, currency)
    if alloc.total:
        text = [i18n.n("{unit} was charged {amount} of IT cost ({share} of the spend) through {count} service.",
                       "{unit} was charged {amount} of IT cost ({share} of the spend) through {count} services.",
                       len(services), unit=unit, amount=amount, share=present.percent_text(charged / alloc.total))]
    else:
        text = [i18n.n("{unit} was charged {amount} of IT cost through {count} service.",
                       "{unit} was charged {amount} of IT cost through {count} services.", len(services), unit=unit,
                       amount=amount)]
    if len(services):
        text.append(i18n.t("The largest is {service}: {amount}.", service=bill.name(services.index[0]),
                           amount=_money(services.iloc[0], currency)))
    if units is not None and driver:
        row = units[units["business_unit"] == unit]
        if len(row) and not present.is_empty(row["unit_cost"].iloc[0]):
            text.append(i18n.t("Per unit of {driver}: {amount} ({quantity} {driver} summed over the months of the "
                               "window).", driver=driver, amount=_money(row["unit_cost"].iloc[0], currency),
                               quantity=i18n.number(row["quantity"].iloc[0])))
    return [full_stop(line) for line in text]


def service_by_pool(alloc: engine.Allocation, unit: str, *, charged: float) -> pd.DataFrame:
    """The business unit's bill as a grid: one row per service (largest first), one column per cost pool, a
    'Total' column and row. Cells are rounded to cents that add up to `charged` (the unit's rounded figure of
    the summary), so every row and column total is the sum of the cells shown."""
    lines = report.bill_lines(alloc, business_unit=unit)
    cells = metrics.cents_adding_up(lines["amount"].astype(float).tolist(), charged)
    grid = lines.assign(amount=cells).pivot_table(index="service", columns="category", values="amount",
                                                  aggfunc="sum", fill_value=0.0)
    grid = grid.round(2)
    grid["Total"] = grid.sum(axis=1).round(2)
    grid = grid.sort_values("Total", ascending=False)
    pools = [c for c in grid.sum().drop("Total").sort_values(ascending=False).index]
    grid = grid[pools + ["Total"]]
    grid.loc["Total"] = grid.sum().round(2)
    grid.columns.name = None
    return grid.reset_index()


def _wrapped(name: str, width: int = 12) -> str:
    """A long heading on two lines ('Facilities &\nPower') so narrow grid columns stay readable."""
    if len(name) <= width or " " not in name:
        return name
    cut = name.rfind(" ", 0, width + 1)
    cut = cut if cut > 0 else name.find(" ")
    return name[:cut] + "\n" + name[cut + 1:]


def by_step(alloc: engine.Allocation, unit: str) -> pd.DataFrame:
    """step, allocation rules (how many of the step's rules fed the unit), allocated_cost passing through."""
    fed = report.rules_fed(alloc, business_unit=unit)
    out = fed.groupby("step", as_index=False).agg(n_rules=("row_no", "size"), allocated_cost=("amount", "sum"))
    return out.astype({"step": str})


def _chart(frame: pd.DataFrame, label: str, amount: str, *, title: str, currency: str, width: float = 250 * mm,
           max_height: float = 70):
    shown = frame.head(MAX_SERVICES_CHARTED)
    return board.bar_chart([str(bill.name(v)) for v in shown[label]][::-1],
                           [(i18n.t("Cost"), shown[amount].tolist()[::-1], BAR)],
                           title=title, currency=currency, horizontal=True, width=width,
                           height=min(max_height, max(40, 6 * len(shown) + 22)) * mm)


def summary_page(alloc, table, *, window, currency, company, driver) -> list:
    t = i18n.t
    story = [board.para(t("Bill of IT – {window}", window=window), "Title"),
             board.para(t("{company} · amounts in {currency} (monthly fx rates) · produced {date}", company=company,
                          currency=currency, date=i18n.date(dt.date.today())), "Italic"), Spacer(1, 4 * mm)]
    story += [board.para("• " + s) for s in summary_sentences(alloc, window=window, currency=currency)]
    charted = table[~table["business_unit"].isin(["Total", report.UNALLOCATED])]
    story += [Spacer(1, 3 * mm), _chart(charted, "business_unit", "value", title=t("Cost by business unit"),
                                        currency=currency), Spacer(1, 3 * mm)]
    shown = table.rename(columns={"value": "allocated_cost"})
    shown["business_unit"] = shown["business_unit"].map(bill.name)
    if "quantity" in shown:
        whole = shown["quantity"].dropna()
        if len(whole) and (whole == whole.round()).all():
            shown["quantity"] = shown["quantity"].astype("Int64")
        story.append(board.para(t("Driver quantity: {driver} summed over the months of the window; cost per unit = "
                                  "allocated cost ÷ driver quantity.", driver=driver), "Italic"))
    story.append(board.table(shown, "", decimals=2))
    return story + [PageBreak()]


def unit_page(alloc, unit: str, *, charged: float, window, currency, units, driver) -> list:
    grid = service_by_pool(alloc, unit, charged=charged)
    services = grid[grid["service"] != "Total"]
    pools = len(grid.columns) - 2
    widths = [48 * mm] + [min(24.0, 205.0 / max(pools + 1, 1)) * mm] * (pools + 1)
    steps = by_step(alloc, unit)
    t = i18n.t
    bottom = Table([[_chart(services, "service", "Total", title=t("{unit}: cost by service", unit=unit),
                            currency=currency, width=160 * mm, max_height=52),
                     [board.para(t("Steps of the allocation its cost passed through"), "Heading4"),
                      board.table(steps, "", decimals=2)]]], colWidths=[165 * mm, 100 * mm])
    bottom.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [board.para(t("Bill of IT – {unit}", unit=unit), "Heading1"),
             board.para(t("{window} · amounts in {currency} · rows: services, columns: cost pools", window=window,
                          currency=currency), "Italic")]
    story += [board.para("• " + s) for s in unit_sentences(alloc, unit, charged=charged, currency=currency,
                                                           units=units, driver=driver)]
    shown = grid.copy()
    for pool in shown.columns[1:-1]:  # a service that takes nothing from a pool: an empty cell, not 0.00
        shown.loc[shown.index[:-1], pool] = shown.loc[shown.index[:-1], pool].where(lambda v: v != 0)
    shown["service"] = shown["service"].map(bill.name)
    shown.columns = [c if c == "service" else i18n.t("Total") if c == "Total" else _wrapped(str(c))
                     for c in shown.columns]
    story += [Spacer(1, 2 * mm), board.table(shown, "", decimals=2, widths=widths, font_size=7),
              Spacer(1, 3 * mm), bottom]
    return story + [PageBreak()]


def pdf_bytes(alloc: engine.Allocation, *, window: str, currency: str, company: str,
              units: pd.DataFrame | None = None, driver: str | None = None, lang: str | None = None) -> bytes:
    """The bill of IT for `alloc` (window: its label, e.g. 'FY 2026, Jan–Oct 2026'); units: the unit cost
    totals by business unit (report.unit_cost_totals) of `driver`, when it has quantities; in `lang` (default:
    the language spoken now)."""
    with i18n.use(lang or i18n.current()):
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=board.PAGE, leftMargin=15 * mm, rightMargin=15 * mm,
                                topMargin=12 * mm, bottomMargin=12 * mm,
                                title=i18n.t("Bill of IT {window}", window=window), author=company)
        table = summary_table(alloc, units)
        story = summary_page(alloc, table, window=window, currency=currency, company=company, driver=driver)
        charged = dict(zip(table["business_unit"], table["value"]))
        billed = report.bill_lines(alloc)["business_unit"].drop_duplicates().tolist()
        for unit in sorted(billed, key=str):
            story += unit_page(alloc, unit, charged=charged[unit], window=window, currency=currency, units=units,
                               driver=driver)
        story = story[:-1]  # no empty page after the last business unit
        doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def for_window(con, *, fy: int | None = None, period: str | None = None, unit_driver: str | None = None,
               lang: str | None = None) -> bytes:
    """The bill of IT of a fiscal year's closed months (or one month) by the stored rules, with the cost per unit
    of `unit_driver` (default: the setting showback_unit_driver) when that driver has quantities; in `lang`
    (default: the language spoken now: the Showback page's)."""
    with i18n.use(lang or i18n.current()):
        alloc = report.allocation(con, fy=fy, period=period)
        win = report.window(con, fy=fy, period=period)
        driver = unit_driver or settings.get(con, "showback_unit_driver")
        has_driver = con.execute("select count(*) from drivers where driver = $d", {"d": driver}).fetchall()[0][0] > 0
        units = (report.unit_cost_totals(con, driver=driver, by="business_unit", fy=fy, period=period)
                 if has_driver else None)
        return pdf_bytes(alloc, window=win.label, currency=settings.get(con, "reporting_currency"),
                         company=settings.get(con, "company_name"), units=units,
                         driver=driver if has_driver else None)


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(board.fonts()["regular"], 7)
    canvas.drawRightString(board.PAGE[0] - 15 * mm, 7 * mm, i18n.t("Outlay bill of IT · page {page}", page=doc.page))
    canvas.restoreState()


