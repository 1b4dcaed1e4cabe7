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
),
final as (select * from cloud_lines)
select * from final order by row_no
"""


def focus_rows(lines: pd.DataFrame) -> pd.DataFrame:
    """One FOCUS charge per spend line (columns of cloud_costs)."""
    rows = []
    for line in lines.itertuples(index=False):
        provider, regions, (commit_id, commit_name, commit_type) = PROVIDERS[line.vendor]
        amount = float(line.amount)
        item = line.description.split(": ", 1)[1] if ": " in line.description else ""
        service, service_category, covered = SERVICES.get(item, (line.description, "Other", False))
        if amount < 0:
            charge, service, service_category, covered = "Credit", line.description, "Other", False
        elif line.contract_id:
            charge, covered = "Purchase", False
            service, service_category = line.description, "Other"
        else:
            charge = "Usage"
        region_id, region_name = regions[line.row_no % len(regions)]
        account = "Migration landing zone" if line.project else SUB_ACCOUNTS[line.row_no % len(SUB_ACCOUNTS)]
        month = pd.Timestamp(line.date).to_period("M")
        start, end = month.start_time, (month + 1).start_time
        list_cost = round(amount / (1 - COMMITMENT_DISCOUNT), 4) if covered else amount
        rows.append({
            "batch_id": line.batch_id, "row_no": line.row_no, "billing_account_id": f"{provider.lower()}-cascadia",
            "billing_account_name": f"Cascadia Freight {provider}", "billing_currency": line.currency,
            "billing_period_start": start, "charge_period_start": start, "charge_period_end": end,
            "charge_category": charge, "charge_frequency": "Recurring" if charge == "Purchase" else "Usage-Based",
            "charge_description": line.description, "provider_name": provider, "publisher_name": provider,
            "invoice_issuer_name": line.vendor, "service_category": service_category, "service_name": service,
            "region_id": region_id if charge == "Usage" else "global",
            "region_name": region_name if charge == "Usage" else "Global (not regional)",
            "sub_account_id": account.lower().replace(" ", "-"), "sub_account_name": account,
            "pricing_category": "Committed" if covered else "Standard",
            "billed_cost": amount, "effective_cost": amount, "list_cost": list_cost, "contracted_cost": amount,
            "commitment_discount_id": commit_id if covered else None,
            "commitment_discount_name": commit_name if covered else None,
            "commitment_discount_category": "Usage" if covered else None,
            "commitment_discount_type": commit_type if covered else None,
            "commitment_discount_status": "Used" if covered else None,
            "tags": json.dumps({"cost-center": line.cost_center, "environment": account}),
            "cost_center": line.cost_center, "category": line.category})
    return pd.DataFrame(rows, columns=["batch_id", "row_no", *(t for t, _ in FOCUS_COLUMNS.values()),
                                       "cost_center", "category"])


def load(con) -> int:
    """Add the FOCUS rows of the demo's AWS and Azure spend lines to cloud_costs; returns their count."""
    lines = con.execute(LINES_SQL, {"vendors": sorted(PROVIDERS)}).df()
    frame = focus_rows(lines)
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
