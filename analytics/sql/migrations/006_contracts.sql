-- Contracts (issue 6a): the vendor_key() macro and acknowledged renewal alerts.
--
-- vendor_key(name): the join key of a vendor name, identical to analytics.vendor_names.normalise()
-- (lower case, no accents or punctuation, legal suffixes such as Ltd/Inc/GmbH/LLC removed).
-- A test keeps the two in step.
create or replace macro vendor_key(name) as coalesce(nullif(trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(lower(strip_accents(trim(name))), '[.''’]', '', 'g'), '&', ' and ', 'g'), '[^\p{L}\p{N}]+', ' ', 'g'), '^ *the ', '', 'g'), '( (ltd|limited|inc|incorporated|llc|llp|lp|plc|corp|corporation|co|company|gmbh|ag|kg|ug|se|sa|sas|sarl|spa|srl|bv|nv|ab|as|asa|oy|oyj|aps|pty|pte|kk|sl|sau|sro|zrt|kft|bhd|sdn|and))+$', '', 'g')), ''), lower(trim(name)));

-- One row per acknowledged alert. An alert is identified by its contract, what it warns about
-- (cancel_by or end), the deadline date and the level (90, 60, 30 days, 0 = on the day):
-- the next term has a new deadline date, so acknowledging this term's alert never silences the next one.
create table contract_alert_acks (
    contract_id varchar not null,
    kind varchar not null,
    deadline_date date not null,
    level_days integer not null,
    acknowledged_at timestamp not null,
    acknowledged_by varchar,
    note varchar,
    primary key (contract_id, kind, deadline_date, level_days)
);
