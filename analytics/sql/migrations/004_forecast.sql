-- Forecast cache and scenarios (issue 4).
-- A forecast run is the engine's output for one level (total, cost_center, category, vendor) at one
-- data version and cut-off month; pages read the stored run and recompute only when data changes.

create sequence forecast_run_id_seq start 1;

-- one row per computed run
create table forecast_runs (
    run_id integer primary key default nextval('forecast_run_id_seq'),
    level varchar not null,
    data_version bigint not null,
    cutoff date not null,             -- first forecast month (the as-of month)
    horizon integer not null,         -- months forecast from the cut-off
    engine_version varchar not null,
    k80 double,                       -- interval calibration factors (see docs/forecast.md)
    k95 double,
    n_series integer not null,
    seconds double not null,
    computed_at timestamp not null
);

-- one row per run x series x future month: the uncommitted spend forecast, reporting currency
create table forecast_values (
    run_id integer not null,
    key varchar not null,
    period date not null,
    forecast double not null,
    lo80 double not null,
    hi80 double not null,
    lo95 double not null,
    hi95 double not null,
    model varchar not null
);

-- one row per run x series: the chosen model and its accuracy on the last 12 months held out
create table forecast_accuracy (
    run_id integer not null,
    key varchar not null,
    n_months integer not null,
    model varchar not null,
    reason varchar,
    mase double,
    smape double,
    bias double,
    coverage80 double,
    coverage95 double,
    snaive_mase double,
    snaive_smape double,
    snaive_bias double,
    n_holdout integer
);

-- one row per saved what-if scenario; spec is JSON (see analytics/forecast/scenarios.py)
create table forecast_scenarios (
    name varchar primary key,
    spec varchar not null,
    created_at timestamp not null,
    updated_at timestamp not null
);
