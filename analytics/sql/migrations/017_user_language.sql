-- A person's own language (issue 16): each signed-in user may read the app in another language than the
-- company's `language` setting. grain: unchanged (one row per account).
alter table users add column language varchar;  -- en, de, pl, sv, hu, bg (analytics.i18n); null: the company's
