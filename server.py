"""Outlay's server: the pages (dashboard.py) and the HTTP API (analytics.api) in one process, which owns the
database while it runs. Start it with `python -m analytics serve [--port N] [--address A]` (or `make run`)."""
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from streamlit import config

from analytics import api, serving, store

ROOT = Path(__file__).resolve().parent
service = api.Service()


@asynccontextmanager
async def lifespan(_app):
    serving.start(service, store.db_path(None), address=config.get_option("server.address"),
                  port=int(config.get_option("server.port")))
    try:
        yield
    finally:
        serving.stop(service)


app = st.App(ROOT / "dashboard.py", routes=service.routes(), lifespan=lifespan)
