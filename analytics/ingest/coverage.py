"""What a file brings: its fiscal years and currencies, and the months whose amounts no fx rate converts.

Computed on the staged (validated, not yet written) table, so the import summary can say it before
the user loads the file, and the same words reach the CLI and the Data page.
Grain of `missing_rates`: one row per currency x month of the file without an fx rate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from analytics import fiscal, i18n, settings
from analytics.datasets import Dataset

# the column giving each dataset's month, for the datasets whose amounts need an fx rate
MONTH_COLUMN = {"spend": "date", "budget": "period", "licenses": "period"}

MONTHS_SQL = """
with
months as (
    select distinct cast(date_trunc('month', {month}) as date) as period, currency
    from {staged} where {month} is not null and currency is not null
),
final as (
    select m.period, m.currency, f.rate_to_base is null and m.currency <> $base as is_missing
    from months m left join fx f on f.period = m.period and f.currency = m.currency
)
select * from final order by currency, period
"""


@dataclass
class Coverage:
    fiscal_years: list[int] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)
    missing_rates: dict[str, list[str]] = field(default_factory=dict)   # currency -> ['2014-04', ...]

    def notices(self, start_month: int) -> list[str]:
        out = []
        if self.fiscal_years:
            out.append(i18n.t("brings fiscal year(s) {years} in {currencies}",
                              years=", ".join(fiscal.label(y, start_month) for y in self.fiscal_years),
                              currencies=", ".join(self.currencies)))
        for currency, months in self.missing_rates.items():
            if len(months) == 1:
                out.append(i18n.t("no fx rate for {currency} in 1 month(s) ({month}): these amounts cannot be "
                                  "converted into the reporting currency until fx rates for them are imported",
                                  currency=currency, month=months[0]))
            else:
                out.append(i18n.t("no fx rate for {currency} in {count} month(s) ({first} to {last}): these amounts "
                                  "cannot be converted into the reporting currency until fx rates for them are "
                                  "imported", currency=currency, count=len(months), first=months[0], last=months[-1]))
        return out


def coverage(con, dataset: Dataset, staged: str) -> Coverage:
    """The fiscal years, currencies and missing fx rates of a staged import (empty for datasets without money)."""
    month = MONTH_COLUMN.get(dataset.name)
    if month is None or "currency" not in dataset.column_names:
        return Coverage()
    start = int(settings.get(con, "fiscal_year_start_month"))
    base = settings.get(con, "base_currency")
    # the table and column names come from the fixed dataset spec above, never from a file
    sql = MONTHS_SQL.format(month=f'"{month}"', staged=f'"{staged}"')
    rows = con.execute(sql, {"base": base}).fetchall()
    result = Coverage()
    result.fiscal_years = sorted({fiscal.fiscal_year(period, start) for period, _, _ in rows})
    result.currencies = sorted({currency for _, currency, _ in rows})
    for period, currency, is_missing in rows:
        if is_missing:
            result.missing_rates.setdefault(currency, []).append(f"{period:%Y-%m}")
    return result
