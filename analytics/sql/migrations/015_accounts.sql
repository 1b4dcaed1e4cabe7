-- Accounts, API tokens and the activity log (issue 17: a team server).
-- grain: users = one row per account; api_tokens = one row per token (sha256 of it, never the token);
-- activity = one row per write (import, undo, edit, review, setting, user change), who and when.

create table users (
    name varchar primary key,
    role varchar not null,                     -- viewer | analyst | editor | admin
    cost_centers varchar[] not null default [], -- empty: every cost center; else only these
    password_hash varchar,                     -- argon2id (argon2-cffi); null: API token only
    created_at timestamp not null
);

create table api_tokens (
    token_hash varchar primary key,            -- sha256 hex of the token (tokens are 256-bit random)
    user_name varchar not null,
    created_at timestamp not null
);

create sequence activity_seq;
create table activity (
    activity_id bigint primary key default nextval('activity_seq'),
    logged_at timestamp not null,
    actor varchar not null,                    -- the signed-in person, token owner or OS user of the CLI
    action varchar not null,                   -- import, undo, settings, budget_edit, review, users ...
    detail varchar not null default ''
);
