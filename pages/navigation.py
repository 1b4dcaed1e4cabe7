"""The app's pages in menu order: (file, title, icon). A page joins the navigation once its file exists."""

PAGES = [
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/budget.py", "Budget", ":material/account_balance:"),
    ("pages/forecast.py", "Forecast", ":material/trending_up:"),
    ("pages/audit.py", "Cost audit", ":material/policy:"),
    ("pages/vendors.py", "Vendors", ":material/storefront:"),
    ("pages/sla.py", "SLA", ":material/timer:"),
    ("pages/contracts.py", "Contracts", ":material/description:"),
    ("pages/cloud.py", "Cloud", ":material/cloud:"),
    ("pages/data.py", "Data", ":material/upload_file:"),
    ("pages/settings.py", "Settings", ":material/settings:"),
]
