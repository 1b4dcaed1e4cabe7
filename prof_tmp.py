import sys, time, os
import yappi
os.environ["OUTLAY_DB"] = sys.argv[1]
from streamlit.testing.v1 import AppTest
pages = sys.argv[2].split(",")
for page in pages:
    at = AppTest.from_file("dashboard.py", default_timeout=600)
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py"); at.run()
    yappi.clear_stats(); yappi.set_clock_type("cpu"); yappi.start()
    t0 = time.perf_counter()
    at.run()
    wall = time.perf_counter() - t0
    yappi.stop()
    errs = [e.value for e in at.exception]
    stats = yappi.get_func_stats()
    tot = sum(t.get_stats().ttot if False else 0 for t in [])
    print(f"== {page}: rerun wall {wall:.2f}s errors {errs[:1]}")
    stats.sort("ttot", "desc")
    n = 0
    for f in stats:
        if "/work/main/views" in f.module or "/work/main/analytics" in f.module or "plotly" in f.module and f.name in ("__init__", "to_json", "update_layout") or "streamlit/elements" in f.module or "pandas/io/formats/style" in f.module:
            print(f"{f.ttot:7.3f} {f.ncall:6d} {f.module.split('site-packages/')[-1][-60:]}:{f.lineno} {f.name}")
            n += 1
        if n > 30: break
