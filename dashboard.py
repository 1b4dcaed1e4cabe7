"""Outlay: page config and navigation, nothing else."""
from pathlib import Path

import streamlit as st

from views.navigation import PAGES

st.set_page_config(page_title="Outlay", page_icon=":material/savings:", layout="wide")
pages = [st.Page(path, title=title, icon=icon, url_path=Path(path).stem) for path, title, icon in PAGES]
st.navigation(pages).run()
