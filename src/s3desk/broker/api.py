"""The HTTP side: a Starlette app with the /v1 JSON API and /health, every request logged
(``request_log``).

Handlers authenticate, read a small JSON body, then run the service's (blocking) work in
Starlette's thread pool. Every refusal is ``{"error": code, "message": sentence}`` with a
fitting status; storage trouble is 502 and anything unexpected is 500, both logged (redacted).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from s3desk.broker.auth import Authenticator, Principal, TokenAuthenticator
from s3desk.broker.config import BrokerConfig
from s3desk.broker.errors import Refusal, bad_request
from s3desk.broker.request_log import LogRequests, RequestLog, note
from s3desk.broker.service import Broker
from s3desk.broker.storage import error_code
from s3desk.core.redact import register_secret

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MAX_BODY = 1024 * 1024


def _storage_message(exc: BaseException) -> str:
    code = error_code(exc)
    why = f" ({code})" if code else ""
    return (
        f"The upload service could not use its storage{why}. Try again later; if it keeps "
        "failing, tell the service's administrator"
    )


def _is_storage_error(exc: BaseException) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(exc, BotoCoreError | ClientError)


_Work = Callable[[Principal, Request, dict[str, Any]], Any]
_Endpoint = Callable[[Request], Awaitable[Response]]


async def _read_json(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise Refusal(413, "body_too_large", "The request is too large")
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise Refusal(413, "body_too_large", "The request is too large")
    if not data:
        return {}
    try:
        body = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    return body


def _refusal_response(request: Request, refusal: Refusal) -> JSONResponse:
    note(request.scope, error=refusal.code)
    headers = {}
    if refusal.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="s3desk-broker"'
    return JSONResponse(refusal.body(), status_code=refusal.status, headers=headers)


def _upload_id(request: Request) -> str:
    return str(request.path_params["upload_id"])


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _no_route(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "bad_request")
    message = {
        404: "There is no such address in this service's API",
        405: "This address does not accept this method",
    }.get(status, "The request could not be understood")
    note(request.scope, error=code)
    return JSONResponse({"error": code, "message": message}, status_code=status)


class _Api:
    def __init__(self, broker: Broker, auth: Authenticator, log: RequestLog) -> None:
        self.broker = broker
        self.auth = auth
        self.log = log

    def endpoint(self, work: _Work, *, body: bool = False, status: int = 200) -> _Endpoint:
        async def handle(request: Request) -> Response:
            try:
                principal = await run_in_threadpool(
                    self.auth.authenticate, request.headers.get("authorization")
                )
                note(request.scope, user=principal.user)
                data = await _read_json(request) if body else {}
                answer = await run_in_threadpool(work, principal, request, data)
            except Refusal as refusal:
                return _refusal_response(request, refusal)
            except Exception as exc:
                if not _is_storage_error(exc):
                    raise
                note(request.scope, error="storage_error", detail=repr(exc))
                return JSONResponse(
                    {"error": "storage_error", "message": _storage_message(exc)}, status_code=502
                )
            return JSONResponse(answer, status_code=status)

        return handle

    async def server_error(self, request: Request, exc: Exception) -> Response:
        self.log.write(
            "error",
            path=request.url.path,
            error=repr(exc),
            traceback="".join(traceback.format_exception(exc))[-4000:],
        )
        return JSONResponse(
            {
                "error": "internal",
                "message": "The upload service had an internal error; try again later",
            },
            status_code=500,
        )

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()

        def sweep_now_and_then() -> None:
            while not stop.wait(self.broker.config.sweep_interval):
                counts = self.broker.sweep()
                if any(counts.values()):
                    self.log.write("sweep", **counts)

        sweeper = threading.Thread(target=sweep_now_and_then, name="broker-sweeper", daemon=True)
        sweeper.start()
        try:
            yield
        finally:
            stop.set()
            sweeper.join(timeout=30)
            self.broker.close()
            self.log.close()

    def routes(self) -> list[Route]:
        broker, endpoint = self.broker, self.endpoint
        return [
            Route("/health", _health, methods=["GET"]),
            Route("/v1/me", endpoint(lambda p, r, b: broker.me(p)), methods=["GET"]),
            Route(
                "/v1/uploads",
                endpoint(lambda p, r, b: broker.create(p, b), body=True, status=201),
                methods=["POST"],
            ),
            Route(
                "/v1/uploads/{upload_id}",
                endpoint(lambda p, r, b: broker.status(p, _upload_id(r))),
                methods=["GET"],
            ),
            Route(
                "/v1/uploads/{upload_id}",
                endpoint(lambda p, r, b: broker.abort(p, _upload_id(r))),
                methods=["DELETE"],
            ),
            Route(
                "/v1/uploads/{upload_id}/parts",
                endpoint(lambda p, r, b: broker.list_parts(p, _upload_id(r))),
                methods=["GET"],
            ),
            Route(
                "/v1/uploads/{upload_id}/parts",
                endpoint(lambda p, r, b: broker.sign_parts(p, _upload_id(r), b), body=True),
                methods=["POST"],
            ),
            Route(
                "/v1/uploads/{upload_id}/complete",
                endpoint(lambda p, r, b: broker.complete(p, _upload_id(r), b), body=True),
                methods=["POST"],
            ),
        ]


def create_app(
    config: BrokerConfig,
    *,
    client: S3Client | None = None,
    authenticator: Authenticator | None = None,
    request_log: RequestLog | None = None,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """The service for ``config``. ``client`` (a boto3 S3 client) defaults to one made from
    the configuration's storage section; ``authenticator`` to its [[tokens]]."""
    if client is None:
        from s3desk.core.storage.endpoint import make_client

        client = make_client(config.endpoint, max_connections=50, attempts=3)
    for secret in (config.endpoint.secret_key, config.endpoint.session_token):
        if secret:
            register_secret(secret)
    log = request_log or RequestLog(config.request_log)
    api = _Api(
        Broker(config, client, clock=clock),
        authenticator or TokenAuthenticator(config.tokens, config.policies),
        log,
    )
    app = Starlette(
        routes=api.routes(),
        exception_handlers={HTTPException: _no_route, Exception: api.server_error},
        lifespan=api.lifespan,
    )
    app.add_middleware(LogRequests, log=log)
    app.state.broker = api.broker
    app.state.request_log = log
    return app
