"""Time the SLA engine on a large synthetic database: `python -m analytics.sla.bench --tickets 1000000`.

Builds (in memory, unless --db) contracts, two business-hour schedules with holidays, priority
targets, N tickets over two years (10 % still open) and N/10 on-hold pauses, then times
ticket_sla, contract_month_attainment and service_credits.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time

from analytics import settings, store
from analytics.sla import contract_month_attainment, service_credits, ticket_sla

SETUP_SQL = """
insert into contracts (batch_id, row_no, contract_id, vendor, service, start_date, end_date, annual_value, currency,
    auto_renew, sla_response_hours, sla_resolution_hours, service_credit_pct, service_credit_cap_pct)
select 0, i, 'C-' || i, 'Vendor ' || (i % 20), 'Service ' || i, date '2024-01-01', date '2027-12-31',
    100000 + i * 1000, 'USD', true, 4, 24, 2, 15
from range(50) t(i);
insert into sla_schedules values
    (0, 1, 'EU', 'Europe/Paris', 'mon-fri', '09:00', '18:00'),
    (0, 2, 'US', 'America/New_York', 'mon-fri', '08:00', '17:00');
insert into sla_holidays select 0, i, s, d, 'holiday'
from (values ('EU'), ('US')) a(s), (values (date '2025-01-01'), (date '2025-12-25'), (date '2026-01-01'),
      (date '2026-05-01'), (date '2026-12-25')) b(d), range(1) r(i);
insert into sla_targets select 0, i, 'C-' || i, m, p, h, case when i % 3 = 0 then '24x7' when i % 3 = 1 then 'EU' else 'US' end
from range(50) t(i), (values ('response', 'P1', 1.0), ('response', 'P2', 4.0), ('resolution', 'P1', 8.0),
                      ('resolution', 'P2', 24.0)) x(m, p, h);
insert into incidents (batch_id, row_no, ticket_id, contract_id, priority, opened_at, responded_at, resolved_at)
select 0, i, 'INC' || lpad(cast(i as varchar), 8, '0'), 'C-' || (i % 50), 'P' || (1 + i % 4), o,
    case when hash(i * 3) % 10 <> 0 then o + to_minutes(cast(5 + hash(i) % 600 as bigint)) end,
    case when hash(i * 3) % 10 <> 0 then o + to_minutes(cast(600 + hash(i + 1) % 5000 as bigint)) end
from (select i, timestamp '2025-01-01' + to_minutes(cast(hash(i * 7) % (60 * 24 * 680) as bigint)) as o
      from range($n) t(i));
insert into incident_pauses (batch_id, row_no, ticket_id, paused_at, resumed_at)
select 0, row_number() over (), ticket_id, opened_at + interval 30 minute,
    case when row_no % 7 <> 0 then opened_at + interval 150 minute end
from incidents where row_no % 10 = 1;
"""


def build(con, tickets: int) -> None:
    for statement in filter(str.strip, SETUP_SQL.split(";")):
        con.execute(statement, {"n": tickets} if "$n" in statement else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", default=":memory:", help="database to build into (default in memory)")
    args = parser.parse_args(argv)
    con = store.connect(args.db)
    con.execute("set enable_progress_bar = false")
    settings.set_value(con, "as_of_date", "2026-11-15")
    started = time.perf_counter()
    build(con, args.tickets)
    print(f"built {args.tickets:,} tickets in {time.perf_counter() - started:.1f} s")
    as_of_at = dt.datetime(2026, 11, 16)
    for name, func in (("ticket_sla", ticket_sla), ("contract_month_attainment", contract_month_attainment),
                       ("service_credits", service_credits)):
        started, cpu = time.perf_counter(), time.process_time()
        rows = len(func(con, as_of_at=as_of_at))
        print(f"{name:<28} {rows:>10,} rows {time.perf_counter() - started:>7.2f} s "
              f"(cpu {time.process_time() - cpu:.2f} s, all threads)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
