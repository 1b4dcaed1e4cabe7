"""The domain modules, so settings, the benchmark and the CLI can find what each one offers.

A domain module may define:
- SETTINGS: a list of settings.Setting it adds;
- bench_cases(con): a list of (name, callable) the benchmark times (the queries its pages run).
CLI commands live one module each in analytics/commands/ and are found there.
"""
from __future__ import annotations

import importlib
import importlib.util

DOMAIN_MODULES = (
    "analytics.fx",
    "analytics.overview",
    "analytics.budget",
    "analytics.forecast",
    "analytics.audit",
    "analytics.contracts",
    "analytics.sla",
    "analytics.vendors",
    "analytics.cloud",
    "analytics.ingest",
)


def domain_modules():
    """The domain modules present in this version of Outlay, imported."""
    found = []
    for name in DOMAIN_MODULES:
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found


def collect(attribute: str) -> list:
    """Every domain module's value of `attribute` (lists are concatenated)."""
    items: list = []
    for module in domain_modules():
        value = getattr(module, attribute, None)
        if value is None:
            continue
        items.extend(value if isinstance(value, (list, tuple)) else [value])
    return items
