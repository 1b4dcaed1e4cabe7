-- Cost audit review workflow. Findings themselves are recomputed on every run (stable ids);
-- only what people decided about them is stored.
-- audit_reviews: one row per reviewed finding (its current state, with a snapshot of the finding
-- as it was when reviewed, so recovered money stays counted after the finding stops being detected).
-- audit_review_log: one row per review action, append-only.

create table audit_reviews (
    finding_id varchar primary key,
    status varchar not null,              -- confirmed | dismissed | resolved
    reason varchar,
    amount_recovered decimal(18, 4),      -- in the reporting currency, for resolved findings
    reviewed_by varchar,
    reviewed_at timestamp not null,
    rule varchar not null,
    severity varchar,
    vendor varchar,
    contract_id varchar,
    amount_at_stake decimal(18, 4),
    currency varchar(3),
    finding_date date,
    explanation varchar,
    evidence varchar                      -- JSON list of evidence references
);

create table audit_review_log (
    finding_id varchar not null,
    status varchar not null,
    reason varchar,
    amount_recovered decimal(18, 4),
    reviewed_by varchar,
    reviewed_at timestamp not null
);
