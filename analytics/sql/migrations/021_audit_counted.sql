-- Each stored finding's amount at stake counted once (analytics.audit.money) with every detected finding live,
-- computed by the audit job beside the findings (issue 13, "Fast at any size"). Readers used to count the money
-- on every new review state, over every evidence line: 76 s of the 335 s it took to read the 3M findings at 100M
-- spend lines. Now they read this column and count again only the findings that share spend lines with a dismissed
-- one (analytics.audit.money.counted_live). Findings stored before this migration get it from the next job run
-- (analytics.audit.results.refresh fills the column without running the rules again).
alter table audit_results add column at_stake_counted double;
