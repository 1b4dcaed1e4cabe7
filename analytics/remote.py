"""The CLI while a server owns the database: the same commands, sent through the server's HTTP API.

analytics.cli sends status, metric, report, export, import, undo and users here when analytics.owner finds a
running server for the database. The token is $OUTLAY_TOKEN, else the owner token in the server's state file
(readable by the OS user who started the server). Each command prints what it prints when it runs locally.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from analytics import metrics, owner

TIMEOUT = 3600  # an import of millions of rows and its jobs take minutes


class RemoteError(Exception):
    """The server refused or could not be reached; the message says why in words."""


class Client:
    def __init__(self, state: owner.ServerState):
        self.state = state
        self.url = state.url
        self.token = os.environ.get("OUTLAY_TOKEN") or state.token
        if not self.token:
            raise RemoteError(f"the database is served by {state.describe()}: set OUTLAY_TOKEN to an API token "
                              "of yours (an admin makes one with `python -m analytics users token NAME`)")

    def call(self, method: str, path: str, *, params: dict | None = None, body: bytes | None = None,
             body_file=None, content_type: str | None = None, length: int | None = None):
        """(status, headers, bytes); RemoteError for 401/403/5xx and an unreachable server."""
        query = "?" + urlencode({k: v for k, v in (params or {}).items() if v is not None}) if params else ""
        request = Request(self.url + "/api/v1" + path + query, method=method, data=body if body_file is None
                          else body_file, headers={"Authorization": f"Bearer {self.token}"})
        if content_type:
            request.add_header("Content-Type", content_type)
        if length is not None:
            request.add_header("Content-Length", str(length))
        try:
            with urlopen(request, timeout=TIMEOUT) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except HTTPError as exc:
            payload = exc.read()
            try:
                answer = json.loads(payload)
            except ValueError:
                answer = {"error": payload.decode(errors="replace")[:500]}
            if exc.code in (401, 403) or exc.code >= 500:
                raise RemoteError(f"{self.url} answered {exc.code}: {answer.get('error')}") from None
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, payload
        except URLError as exc:
            raise RemoteError(f"cannot reach {self.state.describe()}: {exc.reason}") from None

    def json(self, method: str, path: str, **kwargs):
        code, _, payload = self.call(method, path, **kwargs)
        return code, json.loads(payload)


def run(args, state: owner.ServerState) -> int:
    """Run a parsed CLI command through the server; the exit code the command gives locally."""
    try:
        client = Client(state)
        return COMMANDS[args.command](client, args)
    except RemoteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _error(answer: dict) -> int:
    print(f"error: {answer.get('error')}", file=sys.stderr)
    return 1


def status(client: Client, args) -> int:
    from analytics.commands.status import print_text
    _, info = client.json("GET", "/status")
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print_text(info, f"database served by {client.state.describe()}")
    return 0


def metric(client: Client, args) -> int:
    from analytics.commands import metric as command
    if args.list or not args.name or args.within < 0:
        return command.run(args)  # the catalog and usage errors need no database
    params = {"by": args.by, "fy": args.fy, "cost_center": args.cost_center, "category": args.category,
              "vendor": args.vendor, "within": args.within}
    code, answer = client.json("GET", "/metrics/" + quote(args.name, safe=""), params=params)
    if code != 200:
        return _error(answer)
    if args.json:
        print(json.dumps(answer, indent=2))
        return 0
    result = metrics.Result(answer["metric"], answer["fy"], answer["unit"], answer["currency"], answer["value"],
                            answer["rows"], args.by)
    print(command.text(result, metrics.label(args.name, within=args.within), f"FY{answer['fy']}"))
    return 0


def _download(client: Client, path: str, params: dict, out: str) -> tuple[int, dict]:
    code, headers, payload = client.call("GET", path, params=params)
    if code != 200:
        return code, json.loads(payload)
    Path(out).write_bytes(payload)
    return code, headers


def report(client: Client, args) -> int:
    suffix = ".pdf" if args.kind == "board" else ".xlsx"
    if not args.out.lower().endswith(suffix):
        print(f"error: --out must name a {suffix} file", file=sys.stderr)
        return 2
    params = {"period": getattr(args, "period", None), "year": getattr(args, "year", None),
              "version": getattr(args, "version", None)}
    code, answer = _download(client, f"/reports/{args.kind}", params, args.out)
    if code != 200:
        return _error(answer)
    print(f"wrote {args.out}")
    return 0


def export(client: Client, args) -> int:
    fmt = "xlsx" if args.out.lower().endswith(".xlsx") else "csv"
    code, answer = _download(client, f"/export/{args.dataset}", {"format": fmt}, args.out)
    if code != 200:
        return _error(answer)
    print(f"wrote {answer.get('x-outlay-rows', '?')} {args.dataset} rows to {args.out}")
    return 0


def _multipart(fields: list[tuple[str, str]], path: Path, folder: str) -> tuple[Path, str]:
    """The request body in a temporary file (a big file is streamed, not held in memory); (file, content type)."""
    boundary = uuid.uuid4().hex
    body = Path(folder) / "body"
    with body.open("wb") as out:
        for name, value in fields:
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
                  "Content-Type: application/octet-stream\r\n\r\n".encode())
        with path.open("rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    return body, f"multipart/form-data; boundary={boundary}"


def import_(client: Client, args) -> int:
    from analytics.commands import import_ as command
    fields = command.args_to_fields(args)
    status = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"error: {name}: no such file", file=sys.stderr)
            status = 1
            continue
        with tempfile.TemporaryDirectory(prefix="outlay-send-") as folder:
            body, content_type = _multipart(fields, path, folder)
            with body.open("rb") as stream:
                code, _, payload = client.call("POST", f"/import/{args.dataset}", body_file=stream,
                                               content_type=content_type, length=body.stat().st_size)
        answer = json.loads(payload)
        if code == 200:
            command.print_batches(answer["batches"])
            continue
        status = 1
        hint = command.SETTLE.get(answer.get("setting") or "")
        print(f"error: {answer.get('error')}" + (f" ({hint})" if hint else ""), file=sys.stderr)
        for error in answer.get("errors", [])[:command.MAX_ERRORS_SHOWN]:
            print(f"  {error}", file=sys.stderr)
        if answer.get("error_count", 0) > command.MAX_ERRORS_SHOWN:
            print(f"  ... and {answer['error_count'] - command.MAX_ERRORS_SHOWN} more errors", file=sys.stderr)
    return status


def undo(client: Client, args) -> int:
    code, answer = client.json("POST", f"/undo/{args.batch}")
    if code != 200:
        return _error(answer)
    print(f"removed batch {args.batch}: {answer['rows']} {answer['dataset']} rows")
    return 0


def users(client: Client, args) -> int:
    from analytics import accounts
    from analytics.commands import users as command
    if args.action == "list":
        _, rows = client.json("GET", "/users")
        command.print_listing(rows, args.json)
        return 0
    if args.action == "activity":
        _, rows = client.json("GET", "/activity", params={"limit": args.limit})
        command.print_activity(rows, args.json)
        return 0
    if args.action == "add":
        body = {"name": args.name, "role": args.role, "password": command.read_password(args),
                "cost_centers": list(accounts.parse_cost_centers(args.cost_centers)), "language": args.language}
        code, answer = client.json("POST", "/users", body=json.dumps(body).encode(), content_type="application/json")
        if code != 200:
            return _error(answer)
        print(f"added {answer['name']} ({answer['role']})")
        return 0
    if args.action == "set":
        code, answer = client.json("PATCH", "/users/" + quote(args.name, safe=""), content_type="application/json",
                                   body=json.dumps({"language": args.language}).encode())
        if code != 200:
            return _error(answer)
        command.print_changed(accounts.User(answer["name"], "", language=answer["language"]))
        return 0
    if args.action == "remove":
        code, answer = client.json("DELETE", "/users/" + quote(args.name, safe=""))
        if code != 200:
            return _error(answer)
        print(f"removed {args.name}")
        return 0
    code, answer = client.json("POST", "/users/" + quote(args.name, safe="") + "/token")
    if code != 200:
        return _error(answer)
    print(answer["token"])
    return 0


COMMANDS = {"status": status, "metric": metric, "report": report, "export": export, "import": import_,
            "undo": undo, "users": users}
