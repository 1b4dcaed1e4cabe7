-- The text a file held where the import stored something else (issue 11: keep the original for evidence):
-- a name cleaned (Unicode NFC, zero-width characters removed, spaces made single) or replaced by a
-- placeholder ('(redacted)' for REDACTED, *****, "Personal data"). A blank cell stored as '(not stated)'
-- has no original text and no row here.
-- Grain: one row per imported row x column whose stored text differs from the file's text.
-- Written with the batch in the import's transaction; undo and the demo remove it with the batch.
create table import_original_text (
    batch_id integer not null,
    row_no bigint not null,               -- the row in the file, as in the dataset table's row_no
    column_name varchar not null,         -- the dataset column (vendor, cost_center, category, description, ...)
    original varchar not null             -- the cell as the file wrote it (trimmed)
);
