"""The HTTP API of the Outlay server (Starlette routes, served beside the pages by `python -m analytics serve`).

Every call carries `Authorization: Bearer TOKEN`: an account's token (`python -m analytics users token NAME`)
or the server's owner token (in the state file beside the database, readable by the OS user who started the
server; the CLI uses it). Answers are JSON; errors are {"error": "...", ...} with 401 (no valid token),
403 (the role or cost-center scope does not allow it), 404, 422 (invalid input, row errors of an import),
503 (the store cannot be used). A write runs the same jobs after it as the CLI and the pages, and is logged
in the activity log with the token's owner.
"""
from __future__ import annotations

import hmac
import shutil
import tempfile
import threading
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from analytics import accounts, activity, calendar, datasets, exchange, jobs, metrics, sessions, store
from analytics.commands import import_, status
from analytics.ingest import ImportRefused, itsm, load

PREFIX = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VERBS = {"read": "read figures", "import": "import data", "undo": "undo imports", "users": "manage accounts"}


class ApiError(Exception):
    def __init__(self, status_code: int, message: str, **extra):
        super().__init__(message)
        self.status_code, self.extra = status_code, extra

    def response(self) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Bearer realm="outlay"'} if self.status_code == 401 else None
        return JSONResponse({"error": str(self), **self.extra}, status_code=self.status_code, headers=headers)


class Service:
    """The API over one database, owned by this process from start() to stop()."""

    def __init__(self):
        self.db: Path | None = None
        self.con = None
        self.owner: accounts.User | None = None
        self.owner_token: str | None = None
        self._writing = threading.Lock()  # one write at a time through the API (DuckDB: optimistic concurrency)

    def start(self, db, *, owner_token: str, owner_name: str) -> None:
        self.db = store.db_path(db)
        self.con = store.connect(self.db)
        self.owner_token = owner_token
        self.owner = accounts.User(owner_name, "admin")

    def stop(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def cursor(self):
        if self.con is None:
            raise ApiError(503, "the server has not opened its database")
        return self.con.cursor()

    # --- authentication and the wrapper every endpoint goes through ------------------------------------------
    def authenticate(self, request: Request) -> accounts.User:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "send a token: Authorization: Bearer TOKEN (python -m analytics users token NAME)")
        if self.owner_token and hmac.compare_digest(token.encode(), self.owner_token.encode()):
            return self.owner
        with self.cursor() as cur:
            user = accounts.by_token(cur, token)
        if user is None:
            raise ApiError(401, "this token is not valid (revoked, or its account was removed)")
        return user

    def endpoint(self, action: str, body, *, form: bool = False, json: bool = False):
        async def handler(request: Request) -> Response:
            try:
                user = await run_in_threadpool(self.authenticate, request)
                if not user.can(action):
                    raise ApiError(403, f"{user.name} ({user.role}) may not {VERBS.get(action, action)}: that needs "
                                        f"the role {accounts.least_role(action)} or above")
                if json and request.method in ("POST", "PATCH"):
                    try:
                        payload = await request.json()
                    except ValueError:
                        raise ApiError(422, "the body must be JSON") from None
                    return await run_in_threadpool(body, request, user, payload)
                fields = await request.form(max_files=1, max_fields=200) if form else None
                try:
                    return await run_in_threadpool(body, request, user, fields)
                finally:
                    if fields is not None:
                        await fields.close()
            except ApiError as exc:
                return exc.response()
            except accounts.ScopeError as exc:
                return ApiError(403, str(exc)).response()
            except (import_.UsageError, metrics.MetricError, calendar.PeriodError, accounts.AccountError) as exc:
                return ApiError(422, str(exc)).response()
            except store.StoreError as exc:
                return ApiError(503, str(exc)).response()
        return handler

    def routes(self) -> list[Route]:
        e = self.endpoint
        return [
            Route(f"{PREFIX}/status", e("read", self.status), methods=["GET"]),
            Route(f"{PREFIX}/metrics/{{name}}", e("read", self.metric), methods=["GET"]),
            Route(f"{PREFIX}/reports/{{kind}}", e("read", self.report), methods=["GET"]),
            Route(f"{PREFIX}/export/{{dataset}}", e("read", self.export), methods=["GET"]),
            Route(f"{PREFIX}/import/{{dataset}}", e("import", self.import_file, form=True), methods=["POST"]),
            Route(f"{PREFIX}/undo/{{batch:int}}", e("undo", self.undo), methods=["POST"]),
            Route(f"{PREFIX}/users", e("users", self.users, json=True), methods=["GET", "POST"]),
            Route(f"{PREFIX}/users/{{name}}", e("users", self.remove_user), methods=["DELETE"]),
            Route(f"{PREFIX}/users/{{name}}", e("users", self.change_user, json=True), methods=["PATCH"]),
            Route(f"{PREFIX}/users/{{name}}/token", e("users", self.user_token), methods=["POST"]),
            Route(f"{PREFIX}/activity", e("users", self.activity), methods=["GET"]),
            Route(sessions.ROUTE, self.browser_session, methods=["POST", "DELETE"]),
        ]

    # --- the cookie of a password sign-in (analytics.sessions) -------------------------------------------------
    async def browser_session(self, request: Request) -> Response:
        """POST ticket=...: the signed-in page's one-time ticket traded for the session cookie (403 when used or
        too old); DELETE: sign-out, the cookie's session ended and the cookie cleared."""
        secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
        try:
            if request.method == "DELETE":
                if request.cookies.get(sessions.COOKIE):
                    await run_in_threadpool(self._with_cursor, sessions.end_by_token, request.cookies[sessions.COOKIE])
                response = Response(status_code=204)
                response.delete_cookie(sessions.COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
                return response
            async with request.form(max_files=0, max_fields=5) as form:
                ticket = str(form.get("ticket") or "")
            token = await run_in_threadpool(self._with_cursor, sessions.trade_ticket, ticket)
        except ApiError as exc:
            return exc.response()
        except store.StoreError as exc:
            return ApiError(503, str(exc)).response()
        if token is None:
            return ApiError(403, "this sign-in ticket is not valid (used already, or older than a minute)").response()
        response = Response(status_code=204)
        response.set_cookie(sessions.COOKIE, token, max_age=accounts.SESSION_HOURS * 3600, path="/", secure=secure,
                            httponly=True, samesite="lax")
        return response

    def _with_cursor(self, func, *args):
        with self.cursor() as cur:
            return func(cur, *args)

    # --- reads -----------------------------------------------------------------------------------------------
    def status(self, request, user, _):
        with self.cursor() as cur:
            if user.scoped:  # no company-wide counts, no batches without lines of theirs
                return JSONResponse(status.scoped_status(cur, user.cost_centers))
            return JSONResponse(status.status(cur))

    def metric(self, request, user, _):
        q = request.query_params
        metric = metrics.get(request.path_params["name"])
        cost_center = q.get("cost_center") or None
        if user.scoped:
            if "cost_center" not in metric.filters:
                raise accounts.ScopeError(f"{metric.name} is a company-wide figure; {user.name} sees cost centers "
                                          f"{', '.join(user.cost_centers)} only")
            cost_center = accounts.scope_cost_center(user, cost_center)
        fy, within = _whole(q.get("fy"), "fy"), _whole(q.get("within"), "within")
        with self.cursor() as cur:
            result = metrics.evaluate(cur, metric.name, fy=fy, by=q.get("by") or None, cost_center=cost_center,
                                      category=q.get("category") or None, vendor=q.get("vendor") or None,
                                      within=90 if within is None else within)
        return JSONResponse(result.as_json())

    def report(self, request, user, _):
        from analytics.reports import annual, board, monthly
        _company_wide(user, "report packs")
        kind, q = request.path_params["kind"], request.query_params
        writers = {"monthly": lambda cur, out: monthly.write(cur, period=_needed(q, "period"), out=out,
                                                             version=q.get("version") or None),
                   "annual": lambda cur, out: annual.write(cur, year=_whole(_needed(q, "year"), "year"), out=out,
                                                           version=q.get("version") or None),
                   "board": lambda cur, out: board.write(cur, period=_needed(q, "period"), out=out)}
        if kind not in writers:
            raise ApiError(404, f"no report {kind!r}; reports: {', '.join(writers)}")
        suffix = ".pdf" if kind == "board" else ".xlsx"
        return self._file(lambda cur, out: writers[kind](cur, out), f"{kind}{suffix}",
                          "application/pdf" if kind == "board" else XLSX)

    def export(self, request, user, _):
        _company_wide(user, "dataset exports")
        dataset, fmt = request.path_params["dataset"], request.query_params.get("format", "csv")
        if dataset not in datasets.DATASETS:
            raise ApiError(404, f"no dataset {dataset!r}; datasets: {', '.join(datasets.DATASETS)}")
        if fmt not in ("csv", "xlsx"):
            raise ApiError(422, "format must be csv or xlsx")
        return self._file(lambda cur, out: exchange.write_export(cur, dataset, out), f"{dataset}.{fmt}",
                          "text/csv" if fmt == "csv" else XLSX)

    def _file(self, write, name: str, media_type: str) -> Response:
        """The file `write(cursor, path)` writes, sent and then deleted; a row count it returns goes in X-Outlay-Rows."""
        folder = Path(tempfile.mkdtemp(prefix="outlay-api-"))
        try:
            with self.cursor() as cur:
                written = write(cur, folder / name)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        headers = {"X-Outlay-Rows": str(written)} if isinstance(written, int) else None
        return FileResponse(folder / name, media_type=media_type, filename=name, headers=headers,
                            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))

    # --- writes ----------------------------------------------------------------------------------------------
    def import_file(self, request, user, fields):
        args = import_.fields_to_args(request.path_params["dataset"], fields)
        upload = fields.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ApiError(422, "send the file as the multipart field 'file' (curl -F file=@spend.csv)")
        with tempfile.TemporaryDirectory(prefix="outlay-upload-") as folder:
            path = Path(folder) / Path(upload.filename).name
            with path.open("wb") as out:
                shutil.copyfileobj(upload.file, out, 1 << 20)
            def write(cur):
                if args.contract_map:
                    itsm.save_contract_map(cur, import_._pairs(args.contract_map, "contract_map"))
                done = import_.import_path(cur, args, str(path), user=user.name)
                for batch in done:
                    activity.record(cur, user.name, "import", import_.describe(batch))
                return done

            try:
                with self._writing, self.cursor() as cur:
                    done = jobs.write_with_results(cur, write)
            except ImportRefused as exc:
                raise ApiError(422, str(exc), setting=exc.setting, error_count=len(exc.errors),
                               errors=[str(e) for e in exc.errors[:1000]]) from exc
            except ValueError as exc:  # the cloud importer's FocusError and file-level refusals
                raise ApiError(422, str(exc)) from exc
        return JSONResponse({"batch": done[0], "batches": done})

    def undo(self, request, user, _):
        batch = request.path_params["batch"]
        try:
            def write(cur):
                dataset, rows = load.undo(cur, batch)
                activity.record(cur, user.name, "undo", f"batch {batch}: {rows} {dataset} rows removed")
                return dataset, rows

            with self._writing, self.cursor() as cur:
                dataset, rows = jobs.write_with_results(cur, write)
        except ImportRefused as exc:
            raise ApiError(404, str(exc)) from exc
        return JSONResponse({"batch_id": batch, "dataset": dataset, "rows": rows})

    def users(self, request, user, body):
        if request.method == "GET":
            with self.cursor() as cur:
                return JSONResponse(accounts.listing(cur))
        if not isinstance(body, dict) or not body.get("name") or not body.get("role"):
            raise ApiError(422, 'send {"name": ..., "role": ..., "cost_centers": [...], "password": ...}')
        centers = body.get("cost_centers") or []
        if isinstance(centers, str):
            centers = accounts.parse_cost_centers(centers)
        with self._writing, self.cursor() as cur:
            added = accounts.add(cur, str(body["name"]), role=str(body["role"]), password=body.get("password") or None,
                                 cost_centers=tuple(sorted(set(map(str, centers)))), actor=user.name,
                                 language=body.get("language") or None)
        return JSONResponse({"name": added.name, "role": added.role, "cost_centers": list(added.cost_centers),
                             "language": added.language})

    def change_user(self, request, user, body):
        if not isinstance(body, dict) or "language" not in body:
            raise ApiError(422, 'send {"language": "de"} (or null for the company\'s language)')
        with self._writing, self.cursor() as cur:
            changed = accounts.set_language(cur, request.path_params["name"], body["language"] or None,
                                            actor=user.name)
        return JSONResponse({"name": changed.name, "language": changed.language})

    def remove_user(self, request, user, _):
        with self._writing, self.cursor() as cur:
            accounts.remove(cur, request.path_params["name"], actor=user.name)
        return JSONResponse({"removed": request.path_params["name"]})

    def user_token(self, request, user, _):
        with self._writing, self.cursor() as cur:
            token = accounts.issue_token(cur, request.path_params["name"], actor=user.name)
        return JSONResponse({"name": request.path_params["name"], "token": token})

    def activity(self, request, user, _):
        limit = _whole(request.query_params.get("limit"), "limit") or 500
        with self.cursor() as cur:
            return JSONResponse(activity.recent_records(cur, limit=limit))


def _whole(text: str | None, name: str) -> int | None:
    if text in (None, ""):
        return None
    if not str(text).isdigit():
        raise ApiError(422, f"{name} must be a whole number, not {text!r}")
    return int(text)


def _needed(params, name: str) -> str:
    if not params.get(name):
        raise ApiError(422, f"give ?{name}=")
    return params[name]


def _company_wide(user: accounts.User, what: str) -> None:
    if user.scoped:
        raise accounts.ScopeError(f"{what} are company-wide; {user.name} sees cost centers "
                                  f"{', '.join(user.cost_centers)} only")
