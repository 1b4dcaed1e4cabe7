"""Outlay: page config, sign-in and navigation, nothing else."""
from pathlib import Path

import streamlit as st

from analytics import i18n
from views import auth, common
from views.navigation import pages_for

# a local icon file: a ":material/...:" page icon is fetched from fonts.gstatic.com, which fails offline
ICON = Path(__file__).resolve().parent / "views" / "static" / "outlay.png"
st.set_page_config(page_title="Outlay", page_icon=str(ICON), layout="wide")
user = auth.gate()
common.use_language()  # the menu and every page in the reader's language
pages = [st.Page(path, title=i18n.t(title), icon=icon, url_path=Path(path).stem) for path, title, icon in pages_for(user)]
st.navigation(pages).run()
