-- Heavy results computed by a job whenever the data change, stored with the data version they were
-- computed from (store.data_version), so pages only read them (issue 10: opening a page writes nothing).
-- Written in a plain transaction that does not bump the data version (analytics.audit.refresh,
-- analytics.vendors.refresh); rows of older versions are replaced on each refresh.

-- audit_results: one row per detected cost-audit finding (analytics.audit.engine.FINDING_COLUMNS).
-- Review states are not here: they are joined at read time (audit_reviews).
create table audit_results (
    data_version bigint not null,
    finding_id varchar not null,
    rule varchar not null,
    severity varchar,
    vendor varchar,
    contract_id varchar,
    amount_at_stake double,               -- reporting currency
    currency varchar,
    finding_date date,
    explanation varchar,
    evidence varchar[],
    evidence_lines bigint[]               -- spend line ids (batch_id * 10000000000 + row_no)
);

-- vendor_indicator_results: one row per quarter end x vendor key x scorecard indicator with data
-- (analytics.vendors.COMPONENT_COLUMNS), for the quarters the Vendors page offers. The audit_findings
-- indicator is not stored: it depends on review states and is worked out at read time.
create table vendor_indicator_results (
    data_version bigint not null,
    quarter_end date not null,
    vendor_key varchar not null,
    indicator varchar not null,
    value double,
    score double,
    basis varchar
);
