"""Writers for Excel workbooks (report packs, templates, exports)."""
