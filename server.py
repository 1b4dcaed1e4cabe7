"""Outlay's server: the pages (dashboard.py) and the HTTP API (analytics.api) in one process, which owns the
database while it runs. Start it with `python -m analytics serve [--port N] [--address A]` (or `make run`)."""
import threading
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from analytics import api, page_assets, serving, store
from views.navigation import PAGES

ROOT = Path(__file__).resolve().parent
service = api.Service()
# uvicorn imports this file after Streamlit has bound the listening socket and before it accepts connections
print(f"Outlay: TCP_NODELAY on {serving.no_delay_on_listeners()} listening socket(s)", flush=True)


@asynccontextmanager
async def lifespan(_app):
    serving.start(service, store.db_path(None), address=config.get_option("server.address"),
                  port=int(config.get_option("server.port")))
    stop = threading.Event()
    warming = threading.Thread(target=_warm_up, args=(stop,), name="outlay-warm-up", daemon=True)
    warming.start()
    timer = serving.schedule_timer(service, stop)  # `schedule run-due` every minute: no cron job needed
    try:
        yield
    finally:
        stop.set()
        warming.join(timeout=10)
        timer.join(timeout=120)  # a report being built and sent is let finish (and recorded)
        serving.stop(service)
        print("Outlay: stopped; the database is closed", flush=True)


def _warm_up(stop) -> None:
    """Compute what people looked at recently, at start and after every write (analytics.warm)."""
    from views import common

    def told(version, calls, seconds):
        print(f"Outlay: warm-up of data version {version}: {calls} page queries in {seconds:.1f} s", flush=True)
    common.warm_up(stop, on_pass=told)


# a new session's first page: the chart and table code fetched while the script runs (analytics.page_assets)
preloading = Middleware(page_assets.PreloadingIndex, pages=[Path(path).stem for path, _, _ in PAGES])
# HTTP responses without Nagle's delay, the websocket's page messages coalesced by it (analytics.serving)
app = st.App(ROOT / "dashboard.py", routes=service.routes(), lifespan=lifespan,
             middleware=[preloading, Middleware(serving.NagleOnWebsockets)])
