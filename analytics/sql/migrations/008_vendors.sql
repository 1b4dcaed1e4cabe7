-- Vendor scorecards (issue 6b): the weights users set in the app.
-- One row per indicator (analytics.vendors.INDICATORS); weights are stored renormalised to 100.
-- An indicator without a row uses its default weight.
create table vendor_scorecard_weights (
    indicator varchar primary key,
    weight double not null,
    updated_at timestamp not null
);
