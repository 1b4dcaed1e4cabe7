-- Core schema: settings, import batches and the seven canonical datasets.
-- Money is kept in its original currency (DECIMAL(18,4)); periods are stored as the
-- first day of their month (DATE) and shown as YYYY-MM.

create table settings (
    name varchar primary key,
    value varchar not null
);

create table data_version (
    version bigint not null
);
insert into data_version values (0);

create sequence batch_id_seq start 1;

create table import_batches (
    batch_id integer primary key default nextval('batch_id_seq'),
    dataset varchar not null,
    file_name varchar not null,
    sha256 varchar not null,
    row_count bigint not null,
    imported_at timestamp not null,
    imported_by varchar
);

create table spend (
    batch_id integer not null,
    row_no bigint not null,           -- source file row, for evidence and error messages
    date date not null,
    vendor varchar not null,
    amount decimal(18, 4) not null,
    currency varchar(3) not null,
    cost_center varchar not null,
    category varchar not null,
    invoice_id varchar,
    contract_id varchar,
    description varchar,
    gl_account varchar,
    capex_opex varchar,
    project varchar
);

create table budget (
    batch_id integer not null,
    row_no bigint not null,
    period date not null,
    cost_center varchar not null,
    category varchar not null,
    amount decimal(18, 4) not null,
    currency varchar(3) not null,
    version varchar not null,
    project varchar
);

create table contracts (
    batch_id integer not null,
    row_no bigint not null,
    contract_id varchar primary key,
    vendor varchar not null,
    service varchar not null,
    start_date date not null,
    end_date date not null,
    annual_value decimal(18, 4) not null,
    currency varchar(3) not null,
    auto_renew boolean not null,
    renewal_term_months integer,
    notice_days integer,
    billing_frequency varchar,
    owner varchar,
    sla_availability_pct double,
    sla_response_hours double,
    sla_resolution_hours double,
    service_credit_pct double,
    service_credit_cap_pct double
);

create table sla (
    batch_id integer not null,
    row_no bigint not null,
    period date not null,
    contract_id varchar not null,
    metric varchar not null,
    target double not null,
    actual double not null
);

create table incidents (
    batch_id integer not null,
    row_no bigint not null,
    ticket_id varchar primary key,
    contract_id varchar,
    priority varchar not null,
    opened_at timestamp not null,
    responded_at timestamp,
    resolved_at timestamp
);

create table licenses (
    batch_id integer not null,
    row_no bigint not null,
    product varchar not null,
    vendor varchar not null,
    seats_purchased integer not null,
    seats_assigned integer not null,
    seats_active integer not null,
    unit_cost decimal(18, 4) not null,
    currency varchar(3) not null,
    contract_id varchar,
    period date
);

create table fx (
    batch_id integer not null,
    row_no bigint not null,
    period date not null,
    currency varchar(3) not null,
    rate_to_base decimal(18, 8) not null,
    primary key (period, currency)
);
