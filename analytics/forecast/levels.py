"""The levels a forecast is made and reported at: the company total and one per dimension.

level -> SQL expression of the key over spend_rc: a fixed map, never user text.
"""
from __future__ import annotations

LEVELS = {"total": "'Total'", "cost_center": "cost_center", "category": "category", "vendor": "vendor"}
DIMENSIONS = ("cost_center", "category", "vendor")  # the levels that split the total


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")
    return level
