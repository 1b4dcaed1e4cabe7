"""Outlay: page config and navigation, nothing else."""
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent

# (file, title, icon) in menu order; a page joins the navigation once its file exists.
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

st.set_page_config(page_title="Outlay", page_icon=":material/savings:", layout="wide")
pages = [st.Page(path, title=title, icon=icon, url_path=Path(path).stem)
         for path, title, icon in PAGES if (ROOT / path).exists()]
st.navigation(pages).run()
