"""Stage 2 of an import: map the file's headers to the dataset's canonical columns.

For now a header matches a canonical column when they are equal ignoring case, spaces,
underscores and hyphens; an explicit mapping (canonical -> header) and constants
(canonical -> value for every row) take precedence. Extra columns are set aside with a notice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from analytics.datasets import Dataset


class MappingError(ValueError):
    """A required column has no source in the file."""


@dataclass
class ColumnMapping:
    source: dict[str, str] = field(default_factory=dict)      # canonical -> file header
    constants: dict[str, str] = field(default_factory=dict)   # canonical -> value for every row
    ignored: list[str] = field(default_factory=list)          # file headers not used


def normalise_header(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(text)).lower()


def propose(headers: list[str], dataset: Dataset) -> dict[str, str]:
    """canonical -> header for every canonical column that a header names."""
    by_norm = {normalise_header(h): h for h in headers if h != "_row"}
    return {c: by_norm[normalise_header(c)] for c in dataset.column_names if normalise_header(c) in by_norm}


def resolve(headers: list[str], dataset: Dataset, *, explicit: dict[str, str] | None = None,
            constants: dict[str, str] | None = None, file_name: str = "file") -> ColumnMapping:
    """The mapping to use: explicit choices, then exact-name matches; raises MappingError."""
    explicit = dict(explicit or {})
    constants = dict(constants or {})
    for canonical in list(explicit) + list(constants):
        if canonical not in dataset.column_names:
            raise MappingError(f"{file_name}: {canonical!r} is not a column of {dataset.name} "
                               f"(columns: {', '.join(dataset.column_names)})")
    for canonical, header in explicit.items():
        if header not in headers:
            raise MappingError(f"{file_name}: no column {header!r} to map to {canonical}; "
                               f"the file's columns are: {', '.join(h for h in headers if h != '_row')}")
    source = {c: h for c, h in propose(headers, dataset).items() if c not in constants}
    source.update(explicit)
    missing = [c for c in dataset.required if c not in source and c not in constants]
    if missing:
        raise MappingError(
            f"{file_name}: required column(s) {', '.join(missing)} not found for dataset {dataset.name}; "
            f"the file's columns are: {', '.join(h for h in headers if h != '_row') or '(none)'}"
        )
    used = set(source.values())
    ignored = [h for h in headers if h != "_row" and h not in used]
    return ColumnMapping(source, constants, ignored)


def apply(frame: pd.DataFrame, dataset: Dataset, mapping: ColumnMapping) -> pd.DataFrame:
    """A frame with `_row` and every canonical column, as text ('' where absent)."""
    out = pd.DataFrame({"_row": frame["_row"].to_numpy()})
    for column in dataset.column_names:
        if column in mapping.constants:
            out[column] = str(mapping.constants[column])
        elif column in mapping.source:
            out[column] = frame[mapping.source[column]].astype(str).to_numpy()
        else:
            out[column] = ""
    return out
