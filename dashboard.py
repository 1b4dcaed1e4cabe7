"""Outlay: page config and navigation, nothing else."""
from pathlib import Path

import streamlit as st

from views.navigation import PAGES

# a local icon file: a ":material/...:" page icon is fetched from fonts.gstatic.com, which fails offline
ICON = Path(__file__).resolve().parent / "views" / "static" / "outlay.png"
st.set_page_config(page_title="Outlay", page_icon=str(ICON), layout="wide")
pages = [st.Page(path, title=title, icon=icon, url_path=Path(path).stem) for path, title, icon in PAGES]
st.navigation(pages).run()
