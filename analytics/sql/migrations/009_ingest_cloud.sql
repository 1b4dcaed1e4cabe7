-- Bring-your-own-files import (issue 7): saved column mappings, rows left out of an import,
-- ServiceNow's made_sla flag, FinOps FOCUS cloud billing detail and the mappings it needs.

-- ServiceNow's legacy made_sla flag, kept beside Outlay's own SLA computation
alter table incidents add column made_sla boolean;

-- how a batch was read (csv, xlsx, focus, servicenow-events, wide-budget) and which profile mapped it
alter table import_batches add column source_format varchar;
alter table import_batches add column profile varchar;
alter table import_batches add column sheet varchar;
alter table import_batches add column rejected_rows bigint default 0;

-- a named column mapping; a later file with the same headers (header_key) uses it automatically
create table import_profiles (
    name varchar primary key,
    dataset varchar not null,
    header_key varchar not null,      -- the file's normalised headers, sorted, joined by '|'
    source_map varchar not null,      -- JSON {canonical: file header}
    constants varchar not null,       -- JSON {canonical: value}
    options varchar not null,         -- JSON {date_order, decimal, ...}
    saved_at timestamp not null
);

-- rows of a file imported with skip-invalid that were left out, with why (one row per problem)
create table import_rejects (
    batch_id integer not null,
    row_no bigint not null,
    column_name varchar not null,
    reason varchar not null
);

-- ticket assignment groups (or vendors) -> contracts, applied when importing ITSM exports
create table ticket_contract_map (
    source_value varchar primary key,
    contract_id varchar not null
);

-- cloud sub-accounts -> cost centers, applied when deriving spend lines from FOCUS billing
create table cloud_cost_center_map (
    sub_account_id varchar primary key,
    cost_center varchar not null
);

-- one row per FOCUS billing row (charge), in the billing currency
create table cloud_costs (
    batch_id integer not null,
    row_no bigint not null,
    billing_account_id varchar,
    billing_account_name varchar,
    billing_currency varchar(3) not null,
    billing_period_start timestamp,
    charge_period_start timestamp not null,
    charge_period_end timestamp,
    charge_category varchar,
    charge_class varchar,
    charge_frequency varchar,
    charge_description varchar,
    provider_name varchar,
    publisher_name varchar,
    invoice_issuer_name varchar,
    service_category varchar,
    service_name varchar,
    region_id varchar,
    region_name varchar,
    sub_account_id varchar,
    sub_account_name varchar,
    resource_id varchar,
    sku_id varchar,
    pricing_category varchar,
    billed_cost decimal(38, 12) not null,
    effective_cost decimal(38, 12),
    list_cost decimal(38, 12),
    contracted_cost decimal(38, 12),
    consumed_quantity double,
    consumed_unit varchar,
    commitment_discount_id varchar,
    commitment_discount_name varchar,
    commitment_discount_category varchar,
    commitment_discount_type varchar,
    commitment_discount_status varchar,
    tags varchar,
    cost_center varchar not null,
    category varchar not null
);
