"""Errors a user can read. Every input error names the field it is about.

A refusal's words are a `Text` (`frontdesk.i18n.text`): a sentence naming the field as the
screen does, translated each time it is read, so it reads in the language of whoever shows
it, and travels language-neutral (`wire()`) when the server gives it. `field` is the input's
key, for placing the words beside it; it is never shown."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from frontdesk.i18n.text import T_, Text

Words = str | Text
"""A refusal's words: a `Text` (translated when read), or plain words not yet converted."""


class DomainError(Exception):
    """Base of every refusal the services give. `field` names the input at fault, if any."""

    def __init__(self, message: Words, *, field: str | None = None) -> None:
        super().__init__(message)
        self.text = message
        self.field = field

    @property
    def message(self) -> str:
        """The words in the active language."""
        return str(self.text)

    @property
    def translated(self) -> bool:
        """Whether the words name their field themselves (a converted `Text`); plain words
        not yet converted are shown after the field's label."""
        return isinstance(self.text, Text)

    def __str__(self) -> str:
        if self.field and not self.translated:
            return f"{self.field}: {self.message}"
        return self.message

    def wire(self) -> Any:
        """Language-neutral, for an answer or a record read elsewhere (`words_from_wire`)."""
        return self.text.to_wire() if isinstance(self.text, Text) else str(self)


def words_from_wire(wired: Any) -> Words:
    """What `DomainError.wire` (or `FieldError.wire`) sent, ready to be shown."""
    if isinstance(wired, dict):
        with suppress(ValueError):  # not a text this version reads: shown as sent
            return Text.from_wire(wired)
    return str(wired)


@dataclass(frozen=True, init=False)
class FieldError:
    field: str
    text: Words

    def __init__(self, field: str, message: Words) -> None:
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "text", message)

    @property
    def message(self) -> str:
        return str(self.text)

    @property
    def translated(self) -> bool:
        return isinstance(self.text, Text)

    def wire(self) -> Any:
        return self.text.to_wire() if isinstance(self.text, Text) else self.message

    def __str__(self) -> str:
        return self.message if self.translated else f"{self.field}: {self.message}"


class InvalidInput(DomainError):
    """One or more fields are invalid. Nothing was written."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        if not self.errors:
            raise ValueError("InvalidInput needs at least one FieldError")
        first = self.errors[0]
        texts = tuple(e.text if e.translated else str(e) for e in self.errors)
        # Several read as a list, each in the reader's language.
        words: Words = texts[0] if len(texts) == 1 else Text("{items}", {"items": texts})
        super().__init__(words, field=first.field)

    def __str__(self) -> str:
        return self.message

    def wire(self) -> Any:
        return [{"field": e.field, "message": e.wire()} for e in self.errors]

    @classmethod
    def single(cls, field: str, message: Words) -> InvalidInput:
        return cls([FieldError(field, message)])


class NotFound(DomainError):
    """A referenced record does not exist (or is not visible to the caller)."""


class TransitionNotAllowed(DomainError):
    """An appointment status change that the state machine refuses."""


class DoubleBooking(DomainError):
    """The specialist already has an active appointment overlapping this time."""

    def __init__(self, message: Words, *, conflicting_ids: tuple[str, ...]) -> None:
        super().__init__(message, field="start")
        self.conflicting_ids = conflicting_ids


class BookingBlocked(DomainError):
    """The patient has outstanding items that must be cleared before booking."""

    def __init__(self, outstanding: Iterable[Words]) -> None:
        self.outstanding_texts = tuple(outstanding)
        super().__init__(
            T_(
                "This patient cannot be booked until these are done: {items}",
                items=self.outstanding_texts,
            ),
            field="patient_person_id",
        )

    @property
    def outstanding(self) -> tuple[str, ...]:
        """Each outstanding item in the active language."""
        return tuple(str(item) for item in self.outstanding_texts)


class ImmutableRecord(DomainError):
    """A write to something that may no longer change (a signed form)."""


class AlreadyExists(DomainError):
    """A unique thing that exists already (a second review of one appointment)."""


class PermissionDenied(DomainError):
    """The caller's role does not allow this."""
