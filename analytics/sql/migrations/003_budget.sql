-- Budget versions edited in the app, and the log of every changed budget line.
-- An edited version is written to `budget` as its own import batch (so budget_rc, exports
-- and undo see it like any other version); the original is never overwritten.

create sequence budget_change_id_seq start 1;

-- one row per budget version created in the app
create table budget_versions (
    version varchar primary key,
    base_version varchar not null,
    batch_id integer not null,
    note varchar,
    created_at timestamp not null,
    created_by varchar
);

-- one row per budget line whose amount differs from the base version (old null: a new line)
create table budget_changes (
    change_id bigint primary key default nextval('budget_change_id_seq'),
    version varchar not null,
    base_version varchar not null,
    period date not null,
    cost_center varchar not null,
    category varchar not null,
    project varchar,
    currency varchar(3) not null,
    old_amount decimal(18, 4),
    new_amount decimal(18, 4) not null,
    changed_at timestamp not null,
    changed_by varchar
);
