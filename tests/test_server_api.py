"""The team server for real: `python -m analytics serve` on a free 127.0.0.1 port over a copy of the demo, its
HTTP API (401/403/422/200, cost-center scope, metric JSON equal to `metric --json`), and the CLI while it runs."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from analytics import accounts, owner, store
from analytics.commands.status import status

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args, db, token: str | None = None, stdin: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != "OUTLAY_TOKEN"}
    if token:
        env["OUTLAY_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "analytics", *args, "--db", str(db)], capture_output=True,
                          text=True, cwd=store.PROJECT_ROOT, env=env, input=stdin, timeout=600)


def start_server(db, **env) -> tuple[subprocess.Popen, str, owner.ServerState]:
    """`python -m analytics serve` on a free port over `db`; (process, url, state) once it owns the database."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "serve", "--port", str(port), "--db", str(db)],
                            cwd=store.PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=dict(os.environ, **env))
    for _ in range(240):
        state = owner.running(db)
        if state is not None and state.pid == proc.pid:
            return proc, f"http://127.0.0.1:{port}", state
        if proc.poll() is not None:
            pytest.fail("the server stopped: " + proc.stdout.read().decode()[-3000:])
        time.sleep(0.5)
    proc.kill()
    pytest.fail("the server did not start: " + proc.stdout.read().decode()[-3000:])


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    """(url, db, tokens by account) of a server over a private copy of the demo with four accounts."""
    db = tmp_path_factory.mktemp("server") / "outlay.duckdb"
    shutil.copy(demo_db, db)
    con = store.connect(db)
    tokens = {}
    for name, role, centers in (("vera", "viewer", ()), ("ann", "analyst", ()), ("ed", "editor", ()),
                                ("cleo", "viewer", ("Cloud Platform",))):
        accounts.add(con, name, role=role, password="password-" + name, cost_centers=centers, actor="test")
        tokens[name] = accounts.issue_token(con, name, actor="test")
    con.close()
    proc, url, state = start_server(db)
    tokens["owner"] = state.token
    yield url, db, tokens
    stop_server(proc)


def call(url: str, path: str, token: str | None = None, *, method: str = "GET", body: bytes | None = None,
         content_type: str | None = None) -> tuple[int, dict]:
    request = Request(url + path, method=method, data=body)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urlopen(request, timeout=600) as response:
            return response.status, json.loads(response.read())
    except HTTPError as exc:
        return exc.code, json.loads(exc.read())


def multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "outlaytestboundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("token", [None, "outlay_not-a-token"])
def test_without_a_valid_token_the_api_answers_401(server, token):
    url, _, _ = server
    code, answer = call(url, "/api/v1/status", token)
    assert code == 401 and "token" in answer["error"]


def test_status_is_the_same_json_as_status_json(server, demo_con):
    url, _, tokens = server
    code, answer = call(url, "/api/v1/status", tokens["vera"])
    assert code == 200
    assert answer == status(demo_con)


@pytest.mark.parametrize("query,args", [
    ("", []), ("?by=cost_center", ["--by", "cost_center"]),
    ("?by=month&category=Software", ["--by", "month", "--category", "Software"]),
])
def test_metric_json_equals_metric_json_of_the_cli(server, demo_db, query, args):
    url, _, tokens = server
    code, answer = call(url, "/api/v1/metrics/ytd_actual" + query, tokens["vera"])
    local = cli("metric", "ytd_actual", *args, "--json", db=demo_db)
    assert code == 200 and local.returncode == 0, local.stderr
    assert answer == json.loads(local.stdout)


def test_an_unknown_metric_or_dimension_is_422_with_the_reason(server):
    url, _, tokens = server
    code, answer = call(url, "/api/v1/metrics/nope", tokens["vera"])
    assert code == 422 and "unknown metric" in answer["error"]
    code, answer = call(url, "/api/v1/metrics/ytd_actual?by=colour", tokens["vera"])
    assert code == 422 and "cannot be broken down" in answer["error"]


def test_a_user_limited_to_a_cost_center_gets_its_figures_only(server, demo_db):
    url, _, tokens = server
    code, answer = call(url, "/api/v1/metrics/ytd_actual?by=category", tokens["cleo"])
    local = cli("metric", "ytd_actual", "--by", "category", "--cost-center", "Cloud Platform", "--json", db=demo_db)
    assert code == 200 and answer == json.loads(local.stdout)
    code, answer = call(url, "/api/v1/metrics/ytd_actual?cost_center=Cyber%20Security", tokens["cleo"])
    assert code == 403 and "Cloud Platform only" in answer["error"]
    code, answer = call(url, "/api/v1/metrics/cancel_by_due", tokens["cleo"])
    assert code == 403 and "company-wide" in answer["error"]
    code, _ = call(url, "/api/v1/export/spend", tokens["cleo"])
    assert code == 403


def test_status_for_a_limited_user_shows_their_cost_centers_lines_only(server, demo_con):
    url, _, tokens = server
    code, answer = call(url, "/api/v1/status", tokens["cleo"])
    assert code == 200
    theirs = {name: demo_con.execute(f"select count(*) from {name} where cost_center = 'Cloud Platform'").fetchone()[0]
              for name in ("spend", "budget")}
    assert answer["cost_centers"] == ["Cloud Platform"] and answer["datasets"] == theirs
    assert 0 < theirs["spend"] < status(demo_con)["datasets"]["spend"]
    batches = dict(demo_con.execute("select batch_id, count(*) from spend where cost_center = 'Cloud Platform' "
                                    "group by batch_id").fetchall())
    assert {b["batch_id"]: b["rows"] for b in answer["batches"] if b["dataset"] == "spend"} == batches
    assert not any(b["dataset"] not in ("spend", "budget") for b in answer["batches"])


@pytest.mark.parametrize("name", ["vera", "ann"])
def test_roles_below_editor_may_not_import(server, name):
    url, _, tokens = server
    body, kind = multipart("x.csv", b"date,vendor,amount,currency,cost_center,category\n")
    code, answer = call(url, "/api/v1/import/spend", tokens[name], method="POST", body=body, content_type=kind)
    assert code == 403 and "needs the role editor" in answer["error"]


def test_an_invalid_file_is_422_with_every_row_error_and_nothing_imported(server):
    url, _, tokens = server
    before = call(url, "/api/v1/status", tokens["ed"])[1]["datasets"]["spend"]
    body, kind = multipart("bad.csv", b"date,vendor,amount,currency,cost_center,category\n"
                                      b"2026-13-01,V,abc,USD,Ops,Software\n2026-01-02,V,1,USD,Ops,Software\n")
    code, answer = call(url, "/api/v1/import/spend", tokens["ed"], method="POST", body=body, content_type=kind)
    assert code == 422
    assert answer["errors"] == ["bad.csv:2:date: not a date (expected YYYY-MM-DD)",
                                "bad.csv:2:amount: not an amount (a number like -1234.50)"]
    assert call(url, "/api/v1/status", tokens["ed"])[1]["datasets"]["spend"] == before


def test_an_import_is_recorded_with_its_person_and_shows_in_the_figures_at_once(server):
    url, _, tokens = server
    _, ytd = call(url, "/api/v1/metrics/ytd_actual", tokens["ed"])
    _, month = call(url, "/api/v1/metrics/ytd_actual?by=month", tokens["ed"])
    closed = month["rows"][0]["month"]  # a closed month of the current fiscal year
    line = f"date,vendor,amount,currency,cost_center,category\n{closed[:7]}-15,Test Vendor,1234.56,USD,Ops,Software\n"
    body, kind = multipart("one.csv", line.encode())
    code, answer = call(url, "/api/v1/import/spend", tokens["ed"], method="POST", body=body, content_type=kind)
    assert code == 200, answer
    batch = answer["batch"]["batch_id"]
    assert answer["batch"]["rows"] == 1
    batches = call(url, "/api/v1/status", tokens["ed"])[1]["batches"]
    assert [b["imported_by"] for b in batches if b["batch_id"] == batch] == ["ed"]
    _, after = call(url, "/api/v1/metrics/ytd_actual", tokens["ed"])
    assert round(after["value"] - ytd["value"], 2) == 1234.56
    code, undone = call(url, f"/api/v1/undo/{batch}", tokens["ed"], method="POST")
    assert code == 200 and undone["rows"] == 1
    assert call(url, "/api/v1/metrics/ytd_actual", tokens["ed"])[1]["value"] == ytd["value"]
    code, log = call(url, "/api/v1/activity", tokens["owner"])
    assert [(e["actor"], e["action"]) for e in log[:2]] == [("ed", "undo"), ("ed", "import")]


def test_only_admins_see_accounts_and_the_activity_log(server):
    url, _, tokens = server
    assert call(url, "/api/v1/activity", tokens["ed"])[0] == 403
    code, users = call(url, "/api/v1/users", tokens["owner"])
    assert code == 200 and {u["name"] for u in users} == {"vera", "ann", "ed", "cleo"}


def test_the_cli_goes_through_the_running_server(server, demo_db, tmp_path):
    url, db, tokens = server
    shown = cli("status", db=db)
    assert shown.returncode == 0, shown.stderr
    assert f"served by the Outlay server at {url}" in shown.stdout
    served = cli("metric", "ytd_actual", "--by", "vendor", "--json", db=db)
    local = cli("metric", "ytd_actual", "--by", "vendor", "--json", db=demo_db)
    assert json.loads(served.stdout) == json.loads(local.stdout)
    line = tmp_path / "cli.csv"
    line.write_text("date,vendor,amount,currency,cost_center,category\n2026-02-03,CLI Vendor,10,USD,Ops,Software\n")
    imported = cli("import", "spend", str(line), db=db)
    assert imported.returncode == 0, imported.stderr
    batch = int(imported.stdout.split("batch ")[-1])
    undone = cli("undo", str(batch), db=db)
    assert undone.returncode == 0 and f"removed batch {batch}: 1 spend rows" in undone.stdout
    export = cli("export", "contracts", "--out", str(tmp_path / "c.csv"), db=db)
    assert export.returncode == 0 and (tmp_path / "c.csv").read_text().count("\n") == 89


def test_the_cli_sets_a_persons_language_through_the_running_server(server):
    url, db, tokens = server
    changed = cli("users", "set", "ann", "--language", "hu", db=db)
    assert changed.returncode == 0 and "ann: language hu" in changed.stdout, changed.stderr
    assert {u["name"]: u["language"] for u in call(url, "/api/v1/users", tokens["owner"])[1]}["ann"] == "hu"
    listed = cli("users", "list", db=db)
    assert [line.split()[5] for line in listed.stdout.splitlines() if line.startswith("ann ")] == ["hu"]
    refused = cli("users", "set", "ann", "--language", "xx", db=db)
    assert refused.returncode == 1 and "not a language" in refused.stderr
    code, answer = call(url, "/api/v1/users/ann", tokens["ann"], method="PATCH", body=b'{"language": "de"}',
                        content_type="application/json")
    assert code == 403  # an analyst changes their own language in the app, not other accounts through the API
    assert cli("users", "set", "ann", "--language", "company", db=db).returncode == 0


def test_the_cli_with_a_viewers_token_is_refused_imports(server, tmp_path):
    _, db, tokens = server
    line = tmp_path / "v.csv"
    line.write_text("date,vendor,amount,currency,cost_center,category\n2026-02-03,V,10,USD,Ops,Software\n")
    refused = cli("import", "spend", str(line), db=db, token=tokens["vera"])
    assert refused.returncode == 1 and "needs the role editor" in refused.stderr


def test_serve_refuses_a_network_address_without_accounts(tmp_path):
    out = cli("serve", "--address", "0.0.0.0", "--port", str(_free_port()), db=tmp_path / "empty.duckdb")
    assert out.returncode == 2 and "refusing to serve on 0.0.0.0" in out.stderr


def test_a_server_killed_mid_import_leaves_nothing_half_written_and_starts_again(demo_copy, tmp_path):
    marker = tmp_path / "holding"
    proc, url, state = start_server(demo_copy, OUTLAY_TEST_HOLD_BEFORE_COMMIT=str(marker))
    before = call(url, "/api/v1/status", state.token)[1]
    lines = "date,vendor,amount,currency,cost_center,category\n" + "2026-02-03,V,10,USD,Ops,Software\n" * 500
    body, kind = multipart("big.csv", lines.encode())

    def send():
        with contextlib.suppress(OSError):  # the server dies under it
            call(url, "/api/v1/import/spend", state.token, method="POST", body=body, content_type=kind)
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    for _ in range(600):
        if marker.exists():
            break
        time.sleep(0.2)
    assert marker.exists(), "the import never reached its commit"
    proc.kill()  # SIGKILL inside the import's open transaction
    proc.wait(timeout=30)
    assert owner.running(demo_copy) is None  # the state file of a dead server is not believed
    proc, url, state = start_server(demo_copy)
    try:
        assert call(url, "/api/v1/status", state.token)[1] == before
    finally:
        stop_server(proc)


def test_the_server_sends_without_nagles_delay_on_its_listening_socket(demo_db, tmp_path):
    """serving.no_delay_on_listeners finds the socket Streamlit bound (tests/test_serving_nodelay.py: what it does
    to the connections)."""
    db = tmp_path / "outlay.duckdb"
    shutil.copy(demo_db, db)
    proc, _, _ = start_server(db)
    stop_server(proc)
    assert "Outlay: TCP_NODELAY on 1 listening socket(s)" in proc.stdout.read().decode()
