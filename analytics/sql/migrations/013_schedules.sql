-- Scheduled distribution (issue 14): reports built on a cron schedule and sent by e-mail.
-- Grain: one row per schedule (schedules), one row per attempt to send one (schedule_runs).
create table schedules (
    name varchar primary key,
    report varchar not null,          -- monthly-pack, annual-pack or board
    cron varchar not null,            -- five-field cron expression, in the server's local time
    recipients varchar not null,      -- comma-separated e-mail addresses
    format varchar not null,          -- xlsx or pdf
    created_at timestamp not null,
    created_by varchar not null
);

create table schedule_runs (
    name varchar not null,
    due_at timestamp not null,        -- the cron time this run answers
    ran_at timestamp not null,
    ran_by varchar not null,
    report varchar not null,
    period varchar,                   -- the closed month (or fiscal year) the report covers
    recipients varchar not null,
    result varchar not null,          -- sent, or failed
    detail varchar not null           -- attachment name and size, or the error
);
