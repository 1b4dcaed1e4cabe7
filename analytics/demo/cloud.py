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

import pandas as pd

from analytics import store


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

PROVIDERS_COLUMNS = ["vendor", "provider", "region_ids", "region_names", "commitment_id", "commitment_name",
                     "commitment_type"]
SERVICES_COLUMNS = ["item", "service_name", "service_category", "covered"]

# One FOCUS charge per AWS or Azure spend line of the demo, in one INSERT ... SELECT: DuckDB writes it compressed
# inside the build's transaction (about 30 bytes a row), where the same rows made in pandas and inserted from a
# frame were held uncompressed until the commit (about 750 bytes a row: 35 GB for the 46M rows of a 100M-line
# demo). $keep is 1 - COMMITMENT_DISCOUNT.
FOCUS_SQL = """
insert into cloud_costs (batch_id, row_no, billing_account_id, billing_account_name, billing_currency,
    billing_period_start, charge_period_start, charge_period_end, charge_category, charge_frequency,
    charge_description, provider_name, publisher_name, invoice_issuer_name, service_category, service_name,
    region_id, region_name, sub_account_id, sub_account_name, pricing_category, billed_cost, effective_cost,
    list_cost, contracted_cost, commitment_discount_id, commitment_discount_name, commitment_discount_category,
    commitment_discount_type, commitment_discount_status, tags, cost_center, category)
with
cloud_lines as (
    select s.batch_id, s.row_no, s.date, s.vendor, s.amount, s.currency, s.cost_center, s.category,
        s.contract_id, s.description, s.project,
        case when position(': ' in s.description) > 0
             then substr(s.description, position(': ' in s.description) + 2) else '' end as item
    from spend s join import_batches b using (batch_id)
    where b.file_name = 'demo:spend' and s.category = 'Cloud Services'
        and s.vendor in (select vendor from demo_providers)
),
charged as (
    select l.*, p.provider, p.region_ids, p.region_names, p.commitment_id, p.commitment_name, p.commitment_type,
        sv.service_name, sv.service_category, coalesce(sv.covered, false) as service_covered,
        case when l.amount < 0 then 'Credit'
             when coalesce(l.contract_id, '') <> '' then 'Purchase' else 'Usage' end as charge,
        case when coalesce(l.project, '') <> '' then 'Migration landing zone'
             else list_extract($sub_accounts, cast(l.row_no % len($sub_accounts) as integer) + 1) end as account
    from cloud_lines l
    join demo_providers p on p.vendor = l.vendor
    left join demo_services sv on sv.item = l.item
),
final as (
    select c.*,
        c.charge = 'Usage' and c.service_covered as covered,
        cast(date_trunc('month', c.date) as timestamp) as period_start
    from charged c
)
select batch_id, row_no, lower(provider) || '-cascadia', 'Cascadia Freight ' || provider, currency,
    period_start, period_start, period_start + interval 1 month, charge,
    case when charge = 'Purchase' then 'Recurring' else 'Usage-Based' end,
    description, provider, provider, vendor,
    case when charge = 'Usage' then coalesce(service_category, 'Other') else 'Other' end,
    case when charge = 'Usage' then coalesce(service_name, description) else description end,
    case when charge = 'Usage' then list_extract(region_ids, cast(row_no % len(region_ids) as integer) + 1)
         else 'global' end,
    case when charge = 'Usage' then list_extract(region_names, cast(row_no % len(region_names) as integer) + 1)
         else 'Global (not regional)' end,
    replace(lower(account), ' ', '-'), account,
    case when covered then 'Committed' else 'Standard' end,
    amount, amount,
    case when covered then cast(round(cast(amount as double) / $keep, 4) as decimal(38, 4)) else amount end,
    amount,
    case when covered then commitment_id end, case when covered then commitment_name end,
    case when covered then 'Usage' end, case when covered then commitment_type end,
    case when covered then 'Used' end,
    '{"cost-center": ' || to_json(cost_center) || ', "environment": ' || to_json(account) || '}',
    cost_center, category
from final
order by row_no
"""


def load(con) -> int:
    """Add the FOCUS rows of the demo's AWS and Azure spend lines to cloud_costs; returns their count."""
    providers = pd.DataFrame(
        [(vendor, name, [r[0] for r in regions], [r[1] for r in regions], *commitment)
         for vendor, (name, regions, commitment) in PROVIDERS.items()], columns=PROVIDERS_COLUMNS)
    services = pd.DataFrame([(item, *spec) for item, spec in SERVICES.items()], columns=SERVICES_COLUMNS)
    with store.frame_as_table(con, "demo_providers", providers), store.frame_as_table(con, "demo_services", services):
        before = con.execute("select count(*) from cloud_costs").fetchone()[0]
        con.execute(FOCUS_SQL, {"sub_accounts": list(SUB_ACCOUNTS), "keep": 1 - COMMITMENT_DISCOUNT}).fetchall()
        return con.execute("select count(*) from cloud_costs").fetchone()[0] - before
