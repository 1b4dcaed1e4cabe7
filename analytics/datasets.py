"""The canonical datasets: their columns, types, keys and the help shown in templates.

Column kinds and the text each accepts (after the mapping stage):
- text: any text; required ones must not be empty
- date: YYYY-MM-DD
- period: YYYY-MM
- timestamp: YYYY-MM-DD HH:MM[:SS] (or with a T)
- money: a number, negatives allowed (refunds, credit notes); rounded to 4 decimals (2e3 and
  412.0700000000001 as spreadsheets write them are read), at most 14 digits before the point
- number: a finite decimal number within +-1e12 (no NaN, no Infinity); count: a whole number >= 0
- currency: an ISO 4217 code
- bool: true/false, yes/no, 1/0
- choice: one of the listed values (case-insensitive)
- timezone: an IANA time zone name known to DuckDB, like Europe/Paris (case as written)
A text column may also carry a `pattern` (a regular expression the whole value must match,
checked case-insensitively) with `pattern_help` saying in words what is expected.
A required name with a `placeholder` (vendor, cost center, category) may be blank: the row is
imported with the placeholder, and counted in the import's notices (a strict import refuses it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from analytics.i18n import N_  # pattern_help is a validation message, translated where shown


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    help: str = ""
    example: str = ""
    choices: tuple[str, ...] = ()
    default: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str = ""
    pattern_help: str = ""
    placeholder: str | None = None    # stored for a blank (required) value unless the import is strict
    decimals: int | None = None       # a number stored with this many decimals: more precision is refused
    positive: bool = False            # must be greater than 0


@dataclass(frozen=True)
class Dataset:
    name: str
    table: str
    help: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # (earlier column, later column): a row where later < earlier is invalid
    ordered: tuple[tuple[str, str], ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


C = Column
NOT_STATED = "(not stated)"   # a blank vendor, cost center or category, imported and counted
REDACTED = "(redacted)"       # a name the publisher withheld (REDACTED, *****, personal data)

DATASETS: dict[str, Dataset] = {
    "spend": Dataset(
        "spend", "spend",
        "Every payment or invoice line. No key: invoices may have several lines; repeated payments are for the cost audit to find.",
        (
            C("date", "date", True, "Invoice or payment date", "2026-03-15"),
            C("vendor", "text", True, "Supplier name as on the invoice", "Microsoft Ireland Operations Ltd", placeholder=NOT_STATED),
            C("amount", "money", True, "Amount in the original currency; refunds and credit notes are negative", "1250.00"),
            C("currency", "currency", True, "ISO 4217 code of the amount", "EUR"),
            C("cost_center", "text", True, "Cost center charged", "Infrastructure", placeholder=NOT_STATED),
            C("category", "text", True, "Cost pool (TBM v5 by default: Staffing, Hardware, Software, Cloud Services, ...)", "Software", placeholder=NOT_STATED),
            C("invoice_id", "text", False, "Invoice number", "INV-2026-0042"),
            C("contract_id", "text", False, "Contract this line is billed under", "C-0001"),
            C("description", "text", False, "Line description", "M365 E3 licences March"),
            C("gl_account", "text", False, "General ledger account", "6420"),
            C("capex_opex", "choice", False, "capex or opex (default opex)", "opex", ("capex", "opex"), default="opex"),
            C("project", "text", False, "Project code, where the line belongs to one", "PRJ-ERP"),
        ),
    ),
    "budget": Dataset(
        "budget", "budget",
        "Monthly budget lines by cost center and category, in versions (original, reforecasts).",
        (
            C("period", "period", True, "Budget month", "2026-03"),
            C("cost_center", "text", True, "Cost center", "Infrastructure"),
            C("category", "text", True, "Cost pool", "Software"),
            C("amount", "money", True, "Budgeted amount in the original currency", "10000.00"),
            C("currency", "currency", True, "ISO 4217 code", "USD"),
            C("version", "text", False, "Budget version (default original)", "original", default="original"),
            C("project", "text", False, "Project code", ""),
        ),
        key=("period", "cost_center", "category", "version", "project"),
    ),
    "contracts": Dataset(
        "contracts", "contracts",
        "Vendor contracts with their terms, renewal rules and SLA targets.",
        (
            C("contract_id", "text", True, "Unique contract reference", "C-0001"),
            C("vendor", "text", True, "Supplier", "Microsoft Ireland Operations Ltd"),
            C("service", "text", True, "What the contract covers", "Microsoft 365 E3"),
            C("start_date", "date", True, "First day of the initial term", "2024-01-01"),
            C("end_date", "date", True, "Last day of the initial term", "2026-12-31"),
            C("annual_value", "money", True, "Value per contract year in the original currency", "120000.00"),
            C("currency", "currency", True, "ISO 4217 code", "EUR"),
            C("auto_renew", "bool", False, "true when the contract renews tacitly unless cancelled (default false)", "true", default="false"),
            C("renewal_term_months", "count", False, "Length of each renewal term in months", "12", minimum=1),
            C("notice_days", "count", False, "Notice period in days before the term end", "90"),
            C("billing_frequency", "choice", False, "monthly, quarterly or annual (in advance)", "annual", ("monthly", "quarterly", "annual")),
            C("owner", "text", False, "Person responsible", "J. Smith"),
            C("sla_availability_pct", "number", False, "Availability target, %", "99.9", minimum=0, maximum=100),
            C("sla_response_hours", "number", False, "Response target, hours", "4", minimum=0),
            C("sla_resolution_hours", "number", False, "Resolution target, hours", "24", minimum=0),
            C("service_credit_pct", "number", False, "Credit, % of monthly charge per breach or per point below target", "5", minimum=0, maximum=100),
            C("service_credit_cap_pct", "number", False, "Cap on credits, % of monthly charge", "20", minimum=0, maximum=100),
        ),
        key=("contract_id",),
        ordered=(("start_date", "end_date"),),
    ),
    "sla": Dataset(
        "sla", "sla",
        "Monthly SLA measurements per contract.",
        (
            C("period", "period", True, "Month measured", "2026-03"),
            C("contract_id", "text", True, "Contract", "C-0001"),
            C("metric", "choice", True, "availability, response or resolution", "availability", ("availability", "response", "resolution")),
            C("target", "number", True, "Target (%, or hours)", "99.9", minimum=0),
            C("actual", "number", True, "Measured value (%, or hours)", "99.95", minimum=0),
        ),
        key=("period", "contract_id", "metric"),
    ),
    "incidents": Dataset(
        "incidents", "incidents",
        "Incident tickets; responded_at and resolved_at stay empty while the ticket is open.",
        (
            C("ticket_id", "text", True, "Ticket number", "INC0010001"),
            C("contract_id", "text", False, "Contract of the vendor handling it", "C-0001"),
            C("priority", "text", True, "Priority (P1..P4, or 1 - Critical ...)", "P2"),
            C("opened_at", "timestamp", True, "When the ticket was opened", "2026-03-15 09:30:00"),
            C("responded_at", "timestamp", False, "First response", "2026-03-15 10:05:00"),
            C("resolved_at", "timestamp", False, "Resolution", "2026-03-16 14:00:00"),
            C("made_sla", "bool", False, "The ITSM tool's own SLA flag (ServiceNow made_sla), kept beside Outlay's computation", "true"),
        ),
        key=("ticket_id",),
        ordered=(("opened_at", "responded_at"), ("opened_at", "resolved_at")),
    ),
    "licenses": Dataset(
        "licenses", "licenses",
        "Software licences: seats bought, assigned and actively used.",
        (
            C("product", "text", True, "Product", "Microsoft 365 E3"),
            C("vendor", "text", True, "Supplier", "Microsoft Ireland Operations Ltd"),
            C("seats_purchased", "count", True, "Seats bought", "500"),
            C("seats_assigned", "count", True, "Seats assigned to people", "480"),
            C("seats_active", "count", True, "Seats used in the last 90 days", "410"),
            C("unit_cost", "money", True, "Cost per seat per year", "276.00"),
            C("currency", "currency", True, "ISO 4217 code", "EUR"),
            C("contract_id", "text", False, "Contract", "C-0001"),
            C("period", "period", False, "Month of the count", "2026-03"),
        ),
        key=("product", "vendor", "period"),
    ),
    "fx": Dataset(
        "fx", "fx",
        "Monthly exchange rates: units of the base currency per unit of `currency`.",
        (
            C("period", "period", True, "Month", "2026-03"),
            C("currency", "currency", True, "ISO 4217 code", "EUR"),
            C("rate_to_base", "number", True, "Units of the base currency per unit of currency", "1.0850",
              decimals=8, positive=True),
        ),
        key=("period", "currency"),
    ),
}


# SLA engine inputs (issue 6). Times of day are HH:MM in the schedule's own time zone.
_WEEKDAY = "(mon|tue|wed|thu|fri|sat|sun)"
_DAY_ITEM = f"{_WEEKDAY}(-{_WEEKDAY})?"
WORKING_DAYS_PATTERN = f"{_DAY_ITEM}(,\\s*{_DAY_ITEM})*"
TIME_OF_DAY_PATTERN = "([01][0-9]|2[0-3]):[0-5][0-9]|24:00"

DATASETS["schedules"] = Dataset(
    "schedules", "sla_schedules",
    "Business-hour schedules for SLA clocks. The schedule 24x7 is built in and needs no row.",
    (
        C("schedule", "text", True, "Schedule name, used by sla_targets and the sla_default_schedule setting", "EU business hours"),
        C("timezone", "timezone", True, "IANA time zone of the working hours", "Europe/Paris"),
        C("working_days", "text", True, "Working days: names and ranges, like mon-fri or mon,wed,fri", "mon-fri",
          pattern=WORKING_DAYS_PATTERN, pattern_help=N_("not a list of days (expected like mon-fri or mon,tue,sat)")),
        C("start_time", "text", True, "Start of the working day, HH:MM local time", "09:00",
          pattern=TIME_OF_DAY_PATTERN, pattern_help=N_("not a time of day (expected HH:MM, 00:00 to 24:00)")),
        C("end_time", "text", True, "End of the working day, HH:MM local time (24:00 for midnight)", "17:00",
          pattern=TIME_OF_DAY_PATTERN, pattern_help=N_("not a time of day (expected HH:MM, 00:00 to 24:00)")),
    ),
    key=("schedule",),
    ordered=(("start_time", "end_time"),),
)

DATASETS["holidays"] = Dataset(
    "holidays", "sla_holidays",
    "Public holidays per schedule: no working hours on these dates (local dates of the schedule).",
    (
        C("schedule", "text", True, "Schedule name", "EU business hours"),
        C("date", "date", True, "Holiday", "2026-12-25"),
        C("name", "text", False, "What the holiday is", "Christmas Day"),
    ),
    key=("schedule", "date"),
)

DATASETS["sla_targets"] = Dataset(
    "sla_targets", "sla_targets",
    "Priority-specific response and resolution targets; they override the contract's sla_*_hours for that priority.",
    (
        C("contract_id", "text", True, "Contract", "C-0001"),
        C("metric", "choice", True, "response or resolution", "response", ("response", "resolution")),
        C("priority", "text", True, "Ticket priority as in the incidents (compared ignoring case and spaces)", "P1"),
        C("target_hours", "number", True, "Target, hours counted inside the schedule", "4", minimum=0),
        C("schedule", "text", False, "Schedule the clock runs on (default 24x7)", "EU business hours", default="24x7"),
    ),
    key=("contract_id", "metric", "priority"),
)

DATASETS["incident_pauses"] = Dataset(
    "incident_pauses", "incident_pauses",
    "On-hold periods of incident tickets (waiting on the customer); resumed_at stays empty while still on hold.",
    (
        C("ticket_id", "text", True, "Ticket number", "INC0010001"),
        C("paused_at", "timestamp", True, "When the ticket went on hold", "2026-03-15 11:00:00"),
        C("resumed_at", "timestamp", False, "When work resumed", "2026-03-15 15:30:00"),
    ),
    key=("ticket_id", "paused_at"),
    ordered=(("paused_at", "resumed_at"),),
)


def get(name: str) -> Dataset:
    """The dataset called `name`, or a KeyError naming the known ones."""
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    return DATASETS[name]


# Showback inputs (issue 15): allocation rules run step by step; drivers give the quantities to split by.
SOURCE_DIMENSIONS = ("cost_center", "category", "vendor", "service")
TARGET_KINDS = ("service", "business_unit")

DATASETS["allocation_rules"] = Dataset(
    "allocation_rules", "allocation_rules",
    "Showback allocation rules, run step by step: a source (cost center, category, vendor or service; `*` for "
    "everything not yet allocated on that dimension) split to services or business units by fixed shares "
    "(adding to 100 per source and step) or by a driver. Import the whole rule set as one file.",
    (
        C("step", "count", True, "Step number; steps run in order and a step may allocate services of an earlier one", "1",
          minimum=1),
        C("source_dimension", "choice", True, "What the source is: cost_center, category, vendor or service",
          "cost_center", SOURCE_DIMENSIONS),
        C("source_value", "text", True, "The source's name, or * for everything not yet allocated on that dimension",
          "Infrastructure"),
        C("target_kind", "choice", True, "service or business_unit", "service", TARGET_KINDS),
        C("target", "text", True, "Service or business unit receiving the cost, or * with a driver (every target "
          "that has the driver)", "Hosting"),
        C("share_pct", "number", False, "Fixed share of the source, % (give this or a driver)", "100", minimum=0,
          maximum=100),
        C("driver", "text", False, "Split in proportion to this driver's quantities for the month (give this or "
          "share_pct)", ""),
    ),
    key=("step", "source_dimension", "source_value", "target_kind", "target"),
)

DATASETS["drivers"] = Dataset(
    "drivers", "drivers",
    "Allocation drivers: a quantity per month, driver and target (service or business unit). A month without rows "
    "for a driver uses the latest earlier month that has them (and says so).",
    (
        C("period", "period", True, "Month", "2026-03"),
        C("driver", "text", True, "Driver name, like headcount, servers, tickets or devices", "headcount"),
        C("target", "text", True, "Service or business unit the quantity belongs to", "Sales"),
        C("quantity", "number", True, "Quantity for the month (0 or more)", "120", minimum=0),
    ),
    key=("period", "driver", "target"),
)
