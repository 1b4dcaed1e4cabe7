"""The demo's cloud billing: FinOps FOCUS rows for AWS and Azure, made from the demo's own cloud spend lines.

A real FOCUS import writes the monthly spend lines and the FOCUS detail rows in one batch (analytics.cloud);
the demo's spend is generated first, so here each AWS and Azure line of the Cloud Services cost pool becomes
one FOCUS charge in the `demo:spend` batch: usage lines as Usage charges of the line's service, commitment
bills as Purchase charges, service credit notes as Credit charges. BilledCost is the line's amount in its
billing currency, so the Cloud page's billed cost per provider and month equals the spend lines' sum to the
cent. Regions and sub-accounts are spread by row number (deterministic); compute and database usage runs under
a savings plan / reservation, whose list price is higher than the billed (effective) cost.
"""
from __future__ import annotations

import json

import pandas as pd

from analytics.cloud import FOCUS_COLUMNS

PROVIDERS = {  # vendor as on the invoice -> (ProviderName, regions (id, name), commitment discount)
    "Amazon Web Services EMEA SARL": ("AWS", (("eu-west-1", "Europe (Ireland)"), ("eu-central-1", "Europe (Frankfurt)"),
                                              ("us-east-1", "US East (N. Virginia)")),
                                      ("aws-csp-2024", "Compute Savings Plan, 3 years", "Savings Plan")),
    "Microsoft Ireland Operations Ltd": ("Microsoft", (("westeurope", "West Europe"), ("northeurope", "North Europe"),
                                                       ("eastus", "East US")),
                                         ("azure-ri-2024", "Reserved VM Instances, 3 years", "Reservation")),
}
SERVICES = {  # item on the spend line -> (ServiceName, ServiceCategory, covered by the commitment)
    "EC2 compute": ("Amazon Elastic Compute Cloud", "Compute", True),
    "S3 storage": ("Amazon Simple Storage Service", "Storage", False),
    "RDS": ("Amazon Relational Database Service", "Databases", True),
    "Data transfer": ("AWS Data Transfer", "Networking", False),
    "CloudWatch": ("Amazon CloudWatch", "Management and Governance", False),
    "EKS": ("Amazon Elastic Kubernetes Service", "Compute", True),
    "Lambda": ("AWS Lambda", "Compute", False),
    "DynamoDB": ("Amazon DynamoDB", "Databases", False),
    "Migration Hub": ("AWS Migration Hub", "Migration", False),
    "Virtual machines": ("Virtual Machines", "Compute", True),
    "Blob storage": ("Storage Accounts", "Storage", False),
    "Azure SQL": ("Azure SQL Database", "Databases", True),
    "Bandwidth": ("Bandwidth", "Networking", False),
    "AKS": ("Azure Kubernetes Service", "Compute", True),
    "Azure Monitor": ("Azure Monitor", "Management and Governance", False),
}
SUB_ACCOUNTS = ("Production", "Non-production", "Shared services")
COMMITMENT_DISCOUNT = 0.28   # list price above the billed cost where a savings plan or reservation covers usage

LINES_SQL = """
with
cloud_lines as (
    select s.batch_id, s.row_no, s.date, s.vendor, s.amount, s.currency, s.cost_center, s.category,
        s.contract_id, s.description, s.project
    from spend s join import_batches b using (batch_id)
    where b.file_name = 'demo:spend' and s.category = 'Cloud Services' and list_contains($vendors, s.vendor)
        and s.row_no between $first and $last
),
final as (select * from cloud_lines)
select * from final order by row_no
"""


def focus_rows(lines: pd.DataFrame) -> pd.DataFrame:
    """One FOCUS charge per spend line (columns of cloud_costs), built column-wise (a million lines at scale)."""
    columns = ["batch_id", "row_no", *(t for t, _ in FOCUS_COLUMNS.values()), "cost_center", "category"]
    if lines.empty:
        return pd.DataFrame(columns=columns)
    lines = lines.reset_index(drop=True)
    amount = lines["amount"].astype(float)
    description = lines["description"].astype(str)
    item = description.str.partition(": ")[2]
    known = item.isin(list(SERVICES))
    service = item.map({k: v[0] for k, v in SERVICES.items()}).where(known, description)
    service_category = item.map({k: v[1] for k, v in SERVICES.items()}).where(known, "Other")
    covered = item.map({k: v[2] for k, v in SERVICES.items()}).where(known, False).astype(bool)
    credit = amount < 0
    purchase = ~credit & lines["contract_id"].fillna("").astype(str).ne("")
    usage = ~credit & ~purchase
    charge = pd.Series("Usage", index=lines.index).mask(credit, "Credit").mask(purchase, "Purchase")
    service = service.mask(~usage, description)
    service_category = service_category.mask(~usage, "Other")
    covered = covered & usage
    provider = lines["vendor"].map({v: p[0] for v, p in PROVIDERS.items()})
    region = [PROVIDERS[v][1][r % len(PROVIDERS[v][1])] for v, r in zip(lines["vendor"], lines["row_no"])]
    region_id = pd.Series([r[0] for r in region], index=lines.index).where(usage, "global")
    region_name = pd.Series([r[1] for r in region], index=lines.index).where(usage, "Global (not regional)")
    project = lines["project"].fillna("").astype(str).ne("")
    account = pd.Series([SUB_ACCOUNTS[r % len(SUB_ACCOUNTS)] for r in lines["row_no"]], index=lines.index)
    account = account.mask(project, "Migration landing zone")
    start = pd.to_datetime(lines["date"]).dt.to_period("M").dt.start_time
    end = (pd.to_datetime(lines["date"]).dt.to_period("M") + 1).dt.start_time
    list_cost = pd.Series([round(a / (1 - COMMITMENT_DISCOUNT), 4) if c else a for a, c in zip(amount, covered)],
                          index=lines.index)
    commitment = lines["vendor"].map({v: p[2] for v, p in PROVIDERS.items()})
    tags = {pair: json.dumps({"cost-center": pair[0], "environment": pair[1]})
            for pair in set(zip(lines["cost_center"], account))}
    frame = pd.DataFrame({
        "batch_id": lines["batch_id"], "row_no": lines["row_no"],
        "billing_account_id": provider.str.lower() + "-cascadia", "billing_account_name": "Cascadia Freight " + provider,
        "billing_currency": lines["currency"], "billing_period_start": start, "charge_period_start": start,
        "charge_period_end": end, "charge_category": charge,
        "charge_frequency": charge.map(lambda c: "Recurring" if c == "Purchase" else "Usage-Based"),
        "charge_description": lines["description"], "provider_name": provider, "publisher_name": provider,
        "invoice_issuer_name": lines["vendor"], "service_category": service_category, "service_name": service,
        "region_id": region_id, "region_name": region_name,
        "sub_account_id": account.str.lower().str.replace(" ", "-"), "sub_account_name": account,
        "pricing_category": covered.map({True: "Committed", False: "Standard"}),
        "billed_cost": amount, "effective_cost": amount, "list_cost": list_cost, "contracted_cost": amount,
        "commitment_discount_id": commitment.map(lambda c: c[0]).where(covered, None),
        "commitment_discount_name": commitment.map(lambda c: c[1]).where(covered, None),
        "commitment_discount_category": pd.Series("Usage", index=lines.index).where(covered, None),
        "commitment_discount_type": commitment.map(lambda c: c[2]).where(covered, None),
        "commitment_discount_status": pd.Series("Used", index=lines.index).where(covered, None),
        "tags": [tags[pair] for pair in zip(lines["cost_center"], account)],
        "cost_center": lines["cost_center"], "category": lines["category"]})
    return frame.reindex(columns=columns)  # FOCUS columns the demo does not fill stay empty


# spend rows whose cloud lines are turned into FOCUS rows at a time: the pandas columns take about 2 kB a
# FOCUS row, so the 46M cloud rows of a 100M-line demo are made in slices (10M lines at once peaked at 9 GB)
SLICE_SPEND_ROWS = 2_000_000


def load(con) -> int:
    """Add the FOCUS rows of the demo's AWS and Azure spend lines to cloud_costs; returns their count."""
    last = con.execute("select coalesce(max(s.row_no), 0) from spend s join import_batches b using (batch_id) "
                       "where b.file_name = 'demo:spend'").fetchone()[0]
    added = 0
    for first in range(1, last + 1, SLICE_SPEND_ROWS):
        lines = con.execute(LINES_SQL, {"vendors": sorted(PROVIDERS), "first": first,
                                        "last": first + SLICE_SPEND_ROWS - 1}).df()
        added += _insert(con, focus_rows(lines))
    return added


def _insert(con, frame: pd.DataFrame) -> int:
    if frame.empty:
        return 0
    con.register("demo_focus", frame)
    try:
        columns = ", ".join(f'"{c}"' for c in frame.columns)  # names from FOCUS_COLUMNS only
        insert = f"insert into cloud_costs ({columns}) select {columns} from demo_focus"
        con.execute(insert)
    finally:
        con.unregister("demo_focus")
    return len(frame)
