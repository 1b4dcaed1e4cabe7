"""Importing files: read -> map headers -> stage and validate -> load (all or nothing)."""
from analytics.ingest.load import (  # noqa: F401
    ImportRefused, ImportResult, PreparedImport, commit, file_sha256, import_file, original_text, prepare,
    prepare_table, undo,
)
