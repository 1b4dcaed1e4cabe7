-- SLA engine inputs (issue 6): business-hour schedules, their holidays, priority-specific
-- targets and on-hold pauses of incident tickets. The schedule '24x7' is built in (no row).
-- Keys (see datasets.py) are enforced by the import pipeline's validation, not by
-- constraints, so replacing a batch (delete + insert in one transaction) never trips them.
-- Times of day are 'HH:MM' text in the schedule's time zone ('24:00' = end of the day).

create table sla_schedules (
    batch_id integer not null,
    row_no bigint not null,
    schedule varchar not null,
    timezone varchar not null,
    working_days varchar not null,     -- like 'mon-fri' or 'mon,wed,fri'
    start_time varchar not null,
    end_time varchar not null
);

create table sla_holidays (
    batch_id integer not null,
    row_no bigint not null,
    schedule varchar not null,
    date date not null,
    name varchar
);

create table sla_targets (
    batch_id integer not null,
    row_no bigint not null,
    contract_id varchar not null,
    metric varchar not null,           -- response | resolution
    priority varchar not null,
    target_hours double not null,
    schedule varchar not null
);

create table incident_pauses (
    batch_id integer not null,
    row_no bigint not null,
    ticket_id varchar not null,
    paused_at timestamp not null,
    resumed_at timestamp,              -- null while the ticket is still on hold
    primary key (ticket_id, paused_at)
);
