"""The domain modules, declared once, so settings and the benchmark can collect what each one offers.

A domain module may define:
- SETTINGS: a list of settings.Setting it adds;
- bench_cases(con): a list of (name, callable) the benchmark times (the queries its pages run).
Every module listed ships with Outlay (imported here lazily only because settings, which they import,
asks this registry for their settings). CLI commands live one module each in analytics/commands/.
"""
from __future__ import annotations

import importlib

DOMAIN_MODULES = (
    "analytics.overview",
    "analytics.budget",
    "analytics.variance",
    "analytics.budget_edit",
    "analytics.forecast",
    "analytics.audit",
    "analytics.contracts",
    "analytics.sla",
    "analytics.vendors",
    "analytics.cloud",
    "analytics.ingest",
    "analytics.schedule",
    "analytics.showback",
)


def domain_modules():
    """The domain modules, imported."""
    return [importlib.import_module(name) for name in DOMAIN_MODULES]


def collect(attribute: str) -> list:
    """Every domain module's value of `attribute` (lists are concatenated)."""
    items: list = []
    for module in domain_modules():
        value = getattr(module, attribute, None)
        if value is None:
            continue
        items.extend(value if isinstance(value, (list, tuple)) else [value])
    return items
