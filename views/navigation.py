"""The app's pages in menu order: (file, title, icon)."""

PAGES = [
    ("views/overview.py", "Overview", ":material/dashboard:"),
    ("views/budget.py", "Budget", ":material/account_balance:"),
    ("views/forecast.py", "Forecast", ":material/trending_up:"),
    ("views/audit.py", "Cost audit", ":material/policy:"),
    ("views/vendors.py", "Vendors", ":material/storefront:"),
    ("views/sla.py", "SLA", ":material/timer:"),
    ("views/contracts.py", "Contracts", ":material/description:"),
    ("views/cloud.py", "Cloud", ":material/cloud:"),
    ("views/showback.py", "Showback", ":material/account_tree:"),
    ("views/data.py", "Data", ":material/upload_file:"),
    ("views/settings.py", "Settings", ":material/settings:"),
]
