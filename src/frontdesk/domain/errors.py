"""Errors a user can read. Every input error names the field it is about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class DomainError(Exception):
    """Base of every refusal the services give. `field` names the input at fault, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidInput(DomainError):
    """One or more fields are invalid. Nothing was written."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        if not self.errors:
            raise ValueError("InvalidInput needs at least one FieldError")
        first = self.errors[0]
        super().__init__("; ".join(str(e) for e in self.errors), field=first.field)

    def __str__(self) -> str:
        return self.message

    @classmethod
    def single(cls, field: str, message: str) -> InvalidInput:
        return cls([FieldError(field, message)])


class NotFound(DomainError):
    """A referenced record does not exist (or is not visible to the caller)."""


class TransitionNotAllowed(DomainError):
    """An appointment status change that the state machine refuses."""


class DoubleBooking(DomainError):
    """The specialist already has an active appointment overlapping this time."""

    def __init__(self, message: str, *, conflicting_ids: tuple[str, ...]) -> None:
        super().__init__(message, field="start")
        self.conflicting_ids = conflicting_ids


class BookingBlocked(DomainError):
    """The patient has outstanding items that must be cleared before booking."""

    def __init__(self, outstanding: Iterable[str]) -> None:
        self.outstanding = tuple(outstanding)
        listing = "; ".join(self.outstanding)
        super().__init__(f"booking is blocked until: {listing}", field="patient_person_id")


class ImmutableRecord(DomainError):
    """A write to something that may no longer change (a signed form)."""


class AlreadyExists(DomainError):
    """A unique thing that exists already (a second review of one appointment)."""


class PermissionDenied(DomainError):
    """The caller's role does not allow this."""
