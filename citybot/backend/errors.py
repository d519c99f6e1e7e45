"""Every rejection is a 4xx with a machine code and an Indonesian message.

JSON API: {"code": "...", "message": "..."}. Open311 paths: the GeoReport v2 error list
[{"code": <http status>, "description": "...", "error_code": "..."}] in the resource's format
(XML for `.xml`), with the spec's status codes (400/403/404, see `open311_format.spec_status`).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from citybot.backend import open311_format

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status_code: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status_code = status_code
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found(code: str, message: str) -> ApiError:
    return ApiError(404, code, message)


def invalid(code: str, message: str) -> ApiError:
    return ApiError(422, code, message)


def conflict(code: str, message: str) -> ApiError:
    return ApiError(409, code, message)


def error_body(path: str, status_code: int, code: str, message: str) -> Any:
    if path.startswith("/open311/"):
        return [{"code": status_code, "description": message, "error_code": code}]
    return {"code": code, "message": message}


def _respond(request: Request, status_code: int, code: str, message: str, **headers: str) -> Response:
    path = request.url.path
    if path.startswith("/open311/"):
        status = open311_format.spec_status(status_code)
        if status == 403:
            headers.pop("WWW-Authenticate", None)
        return open311_format.error_response(path, status, code, message, headers)
    body = error_body(path, status_code, code, message)
    return JSONResponse(body, status_code=status_code, headers=headers or None)


_HTTP_CODES = {
    400: ("bad_request", "Permintaan tidak dapat diproses."),
    401: ("unauthorized", "Kunci API tidak ada atau salah."),
    403: ("forbidden", "Anda tidak berhak melakukan ini."),
    404: ("not_found", "Alamat tidak ditemukan."),
    405: ("method_not_allowed", "Metode ini tidak didukung untuk alamat ini."),
    413: ("too_large", "Data yang dikirim terlalu besar."),
    415: ("unsupported_media_type", "Format data tidak didukung."),
}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "input"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        headers = {"WWW-Authenticate": "ApiKey"} if exc.status_code == 401 else dict(exc.headers)
        return _respond(request, exc.status_code, exc.code, exc.message, **headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        field = _field_name(errors[0]["loc"]) if errors else "input"
        message = f"Isian '{field}' tidak valid."
        return _respond(request, 422, "invalid_input", message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "Permintaan ditolak."))
        return _respond(request, exc.status_code, code, message)

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> Response:
        # The database refused a value (e.g. out of range); that is bad input, not a crash.
        log.info("data error on %s: %s", request.url.path, exc.orig)
        return _respond(request, 422, "invalid_input", "Data tidak dapat disimpan: nilai di luar batas.")

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        log.info("integrity error on %s: %s", request.url.path, exc.orig)
        return _respond(request, 409, "conflict", "Data bertabrakan dengan data yang sudah ada.")

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> Response:
        log.warning("database unavailable on %s: %s", request.url.path, exc.orig)
        return _respond(
            request, 503, "database_unavailable", "Sistem sedang sibuk, silakan coba lagi.", **{"Retry-After": "2"}
        )
