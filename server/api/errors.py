"""Exception handlers: every error the server answers is `{"error": {"code", "message"}}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.api.schemas import ErrorDetail, ErrorResponse
from server.errors import InvalidStateError, NotFoundError, WireError, describe_validation_errors
from sync.wire_errors import ErrorCode

log = logging.getLogger(__name__)

# Query parameters whose bad values have their own code in the catalogue.
_PARAMETER_CODES = {("query", "cursor"): ErrorCode.INVALID_CURSOR}


def error_response(
    status_code: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorResponse(error=ErrorDetail(code=code, message=message))
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)


async def _wire_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WireError)
    return error_response(exc.status_code, exc.code, exc.message, exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    code = ErrorCode.INVALID_REQUEST
    for error in errors:
        code = _PARAMETER_CODES.get(tuple(error.get("loc", ()))[:2], code)
    return error_response(422, code, describe_validation_errors(errors) or "the request is not valid")


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return error_response(404, ErrorCode.NOT_FOUND,
                              "no such endpoint; the API is described at /openapi.json")
    return error_response(exc.status_code, ErrorCode.INVALID_REQUEST, str(exc.detail),
                          dict(exc.headers) if exc.headers else None)


async def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(404, ErrorCode.NOT_FOUND, str(exc))


async def _invalid_state(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(409, ErrorCode.INVALID_REQUEST, str(exc))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Logged with its stack here; the client learns only that it may retry later.
    log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, ErrorCode.INTERNAL_ERROR,
                          "the server failed to handle this request; retry later")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(WireError, _wire_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(InvalidStateError, _invalid_state)
    app.add_exception_handler(Exception, _unexpected)
