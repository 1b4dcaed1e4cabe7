-- The cost audit's evidence rows stored beside its findings, one row per finding x evidence row, instead of two
-- lists in each finding's row (issue 13, "Fast at any size"). At 10M spend lines one no_contract finding cites
-- 2.3M lines; carrying those as Python lists from each rule through the results and back out to every reader is
-- what kept the audit job from finishing at 100M. The rules now leave their evidence in DuckDB
-- (analytics.audit.engine), the job stores it here, and money.py / audit.evidence() read it by finding.
-- audit_results keeps each finding's first evidence references (analytics.audit.engine.EVIDENCE_KEPT) and their
-- number; written with them in the same plain transaction (analytics.audit.results.save).

-- grain: one row per stored finding x evidence row (data version of audit_results)
create table audit_evidence (
    data_version bigint not null,
    finding_id varchar not null,
    position integer not null,     -- 1, 2, ... in the order the rule gives (spend lines: date, then line id)
    ref varchar,                   -- invoice id or 'batch B row R' (spend lines), contract id, licence product
    line_id bigint                 -- spend line id (batch_id * 10000000000 + row_no); null for contracts, licences
);

alter table audit_results drop column evidence_lines;
alter table audit_results add column evidence_count bigint;

-- findings stored before this migration have no evidence rows here: the next job run stores them again
delete from audit_results;
