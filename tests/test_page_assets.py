"""The app's page URLs answer Streamlit's index.html with the chart and table code preloaded; nothing else changes."""
from __future__ import annotations

import asyncio

from analytics import page_assets

INDEX = ('<html><head>\n    <script type="module" crossorigin src="./static/js/index.AbC123.js"></script>\n'
         '    <link rel="modulepreload" crossorigin href="./static/js/react-dom.X.js">\n</head></html>')


def static_folder(tmp_path, names=("EChartsChart.BsTTxg1D.js", "DataFrame.-f9-1zS0.js", "EChartsChartExtra.q.js",
                                   "Metric.MSV.js", "index.AbC123.js")):
    js = tmp_path / "static" / "js"
    js.mkdir(parents=True)
    for name in names:
        (js / name).write_text("export {}")
    (tmp_path / "index.html").write_text(INDEX)
    return tmp_path


def test_module_files_finds_each_module_by_its_exact_name_in_the_preload_order(tmp_path):
    folder = static_folder(tmp_path)
    assert page_assets.module_files(folder / "static" / "js") == [
        "EChartsChart.BsTTxg1D.js", "DataFrame.-f9-1zS0.js", "Metric.MSV.js"]


def test_the_links_follow_streamlits_entry_script_and_keep_its_own():
    html = page_assets.with_preloads(INDEX, ["EChartsChart.BsTTxg1D.js"])
    entry = html.index('src="./static/js/index.AbC123.js"')
    link = html.index('<link rel="modulepreload" crossorigin href="./static/js/EChartsChart.BsTTxg1D.js">')
    assert entry < link < html.index("react-dom.X.js")
    assert page_assets.with_preloads("<html>other</html>", ["EChartsChart.BsTTxg1D.js"]) == "<html>other</html>"


def call(middleware, path, method="GET", type_="http", root_path=""):
    sent = []

    async def inner(scope, receive, send):
        sent.append(("passed on", scope["path"]))

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}
    middleware.app = inner
    asyncio.run(middleware({"type": type_, "method": method, "path": path, "root_path": root_path}, receive, send))
    return sent


def test_page_urls_answer_the_preloading_index_and_everything_else_passes_on(tmp_path):
    middleware = page_assets.PreloadingIndex(None, pages=["budget", "audit"], static=static_folder(tmp_path))
    for path in ("/", "/budget", "/audit"):
        start, body = call(middleware, path)
        assert start["status"] == 200 and (b"content-type", b"text/html; charset=utf-8") in start["headers"]
        assert b'href="./static/js/EChartsChart.BsTTxg1D.js"' in body["body"]
        assert (b"cache-control", b"no-cache") in start["headers"]
    assert call(middleware, "/budget", method="HEAD")[1]["body"] == b""
    for path in ("/static/js/EChartsChart.BsTTxg1D.js", "/api/v1/metrics", "/_stcore/health", "/unknown", "//budget", "/audit/",
                 "/budget/x"):
        assert call(middleware, path) == [("passed on", path)]
    assert call(middleware, "/budget", method="POST") == [("passed on", "/budget")]
    assert call(middleware, "/_stcore/stream", type_="websocket") == [("passed on", "/_stcore/stream")]
    assert call(middleware, "/outlay/budget", root_path="/outlay")[0]["status"] == 200


def test_without_streamlits_static_folder_every_request_passes_on(tmp_path):
    middleware = page_assets.PreloadingIndex(None, pages=["budget"], static=tmp_path / "missing")
    middleware.static = None
    assert call(middleware, "/budget") == [("passed on", "/budget")]


def test_this_streamlit_ships_the_chart_and_table_modules_the_pages_preload():
    folder = page_assets.static_dir()
    files = page_assets.module_files(folder / "static" / "js")
    assert {name.split(".")[0] for name in files} >= {"EChartsChart", "DataFrame", "arrowFormatUtils"}
    html = page_assets.with_preloads((folder / "index.html").read_text(), files)
    assert html.count('rel="modulepreload"') >= len(files) + 1
