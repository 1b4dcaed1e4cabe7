"""The page the browser loads first: Streamlit's index.html with the code of charts and tables asked for up front.

Streamlit fetches the code of each kind of element only when the first such element arrives, after the page's
script has run: the chart code is a 1.2 MB module (ECharts; plotly's was 4.7 MB), the table code with its Arrow
helpers 1.4 MB. In a new browser session the first chart or table therefore waits for a download and a compile that could have run
while the server was still computing the page (measured with `python -m analytics bench --pages`: the Budget
page drawn about a second after its script ended, the first page with a table likewise). Every Outlay page
shows tables and most show charts, so the HTML of the app's own URLs lists those modules as
`<link rel="modulepreload">`: the browser fetches and compiles them in parallel with the first script run.

Only the app's page URLs (the root and each page's url path) are answered here; every other path, the
websocket, the API and the static files themselves go on to Streamlit unchanged. Module names that this
Streamlit version does not ship are left out (the page then loads as Streamlit serves it).
"""
from __future__ import annotations

import importlib.util
import re
from functools import cached_property
from pathlib import Path

# the element modules every page needs early, by their name before the content hash (static/js/NAME.HASH.js):
# charts (ECharts), tables (the data grid, its Arrow decoding and number/date formatting), metrics, pickers
PRELOADED = ("EChartsChart", "DataFrame", "arrowFormatUtils", "recordbatch", "serialization", "Quiver", "moment",
             "numbro", "formatNumber", "Metric", "Selectbox", "Multiselect", "Radio", "ButtonGroup")
SCRIPT_TAG = re.compile(r'(<script type="module" crossorigin src="\./static/js/index\.[^"]+"></script>)')


def static_dir() -> Path | None:
    """Streamlit's static folder (index.html and static/js), found without importing Streamlit."""
    spec = importlib.util.find_spec("streamlit")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = Path(next(iter(spec.submodule_search_locations))) / "static"
    return found if (found / "index.html").is_file() else None


def module_files(js_dir: Path, names=PRELOADED) -> list[str]:
    """The file names of the `names` modules in `js_dir` (NAME.HASH.js), in the order of `names`; absent ones
    are skipped."""
    files = []
    for name in names:
        files += sorted(p.name for p in js_dir.glob(f"{name}.*.js") if p.name.split(".")[0] == name)
    return files


def with_preloads(index_html: str, files: list[str]) -> str:
    """`index_html` with a modulepreload link per file right after Streamlit's own entry script (unchanged when
    the entry script is not where this version of Streamlit puts it)."""
    links = "".join(f'\n    <link rel="modulepreload" crossorigin href="./static/js/{name}">' for name in files)
    return SCRIPT_TAG.sub(lambda m: m.group(1) + links, index_html, count=1)


class PreloadingIndex:
    """ASGI middleware: GET/HEAD of the root or of a page's url path answers the index.html with_preloads; the
    rest passes through. `pages` are the url paths of the app's pages (e.g. "budget")."""

    def __init__(self, app, pages=(), static: Path | None = None):
        self.app = app
        self.pages = set(pages)
        self.static = static or static_dir()

    @cached_property
    def html(self) -> bytes | None:
        if self.static is None:
            return None
        index = (self.static / "index.html").read_text(encoding="utf-8")
        files = module_files(self.static / "static" / "js")
        return with_preloads(index, files).encode("utf-8") if files else None

    def _is_page(self, scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return False
        path = scope.get("path", "")
        root = scope.get("root_path", "") or ""
        if root and path.startswith(root):
            path = path[len(root):]
        # "/" or "/page" only: Streamlit redirects "/page/" (where ./static would resolve under the page) and
        # refuses "//..."
        return path == "/" or (path.count("/") == 1 and path[1:] in self.pages)

    async def __call__(self, scope, receive, send):
        if not self._is_page(scope) or self.html is None:
            await self.app(scope, receive, send)
            return
        body = b"" if scope["method"] == "HEAD" else self.html
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(self.html)).encode()),
            (b"cache-control", b"no-cache")]})
        await send({"type": "http.response.body", "body": body})
