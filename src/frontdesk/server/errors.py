"""Refusals of the services as HTTP answers, each naming the field at fault."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError

from frontdesk.domain.errors import (
    AlreadyExists,
    BookingBlocked,
    DomainError,
    DoubleBooking,
    ImmutableRecord,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from frontdesk.i18n.text import Text
from frontdesk.server.limits import RateLimited
from frontdesk.server.rls import NO_OVERLAP_CONSTRAINT

_STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (InvalidInput, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (PermissionDenied, status.HTTP_403_FORBIDDEN),
    (DoubleBooking, status.HTTP_409_CONFLICT),
    (BookingBlocked, status.HTTP_409_CONFLICT),
    (AlreadyExists, status.HTTP_409_CONFLICT),
    (ImmutableRecord, status.HTTP_409_CONFLICT),
    (TransitionNotAllowed, status.HTTP_409_CONFLICT),
]


def _field_errors(error: DomainError) -> list[dict[str, object]]:
    """Each fault with its words twice: `msg` as the server reads them, `text` language-
    neutral (`Text.to_wire`) for the desk to show in its own language."""
    found = (
        [(e.field, e.message, e.wire()) for e in error.errors]
        if isinstance(error, InvalidInput)
        else [(error.field, error.message, error.wire())]
    )
    return [
        {
            "loc": ["body", field] if field else ["body"],
            "msg": message,
            "type": "value_error",
            "text": wired,
        }
        for field, message, wired in found
    ]


def refusal_detail(field: str | None, text: Text) -> list[dict[str, object]]:
    """A refusal outside the services' (a desk's access, an admin's request) in the answer's
    shape of theirs: the English `msg` and the language-neutral `text`."""
    return [
        {
            "loc": ["body", field] if field else ["body"],
            "msg": text.english(),
            "type": "value_error",
            "text": text.to_wire(),
        }
    ]


def domain_error_response(error: DomainError) -> JSONResponse:
    code = next(
        (code for kind, code in _STATUS_BY_ERROR if isinstance(error, kind)),
        status.HTTP_400_BAD_REQUEST,
    )
    return JSONResponse({"detail": _field_errors(error)}, status_code=code)


def is_overlap_violation(error: IntegrityError) -> bool:
    diag = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None) == NO_OVERLAP_CONSTRAINT


def _without_input(errors: Sequence[Any]) -> list[dict[str, object]]:
    # The default answer echoes the input back: it may hold personal data or text that cannot
    # even be encoded (a lone surrogate), so only where and what is wrong is returned.
    return [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]} for error in errors
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": _without_input(error.errors())},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    @app.exception_handler(DomainError)
    async def _domain(_request: Request, error: DomainError) -> JSONResponse:
        return domain_error_response(error)

    @app.exception_handler(RateLimited)
    async def _limited(_request: Request, error: RateLimited) -> JSONResponse:
        return JSONResponse(
            {"detail": str(error)},
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(error.retry_after)},
        )

    @app.exception_handler(DataError)
    async def _data(_request: Request, error: DataError) -> JSONResponse:
        # PostgreSQL refused a value as given (a NUL character in text, a number out of
        # range): the client's input, so a 422; the transaction was rolled back.
        return JSONResponse(
            {
                "detail": "a value cannot be stored (e.g. text with NUL characters or a number "
                "out of range)"
            },
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, error: IntegrityError) -> JSONResponse:
        # The database's own rules are the last line (no overlap, unique keys): a conflict.
        detail = (
            "the specialist already has an active appointment at that time"
            if is_overlap_violation(error)
            else "the change conflicts with data already saved"
        )
        return JSONResponse({"detail": detail}, status_code=status.HTTP_409_CONFLICT)
