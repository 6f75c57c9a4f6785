"""Store-level guards: rules the database session enforces whatever code path writes.

Signed forms are immutable. The forms service refuses such writes with a clear message; this
guard is the second line, so that no other path (a sync applier, a script, a future service)
can change or remove a signed form through the ORM either."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from frontdesk.domain.enums import FormStatus
from frontdesk.domain.errors import ImmutableRecord
from frontdesk.i18n.text import T_
from frontdesk.store.models import FormInstance


def install_guards(sessions: sessionmaker[Session]) -> None:
    """Attach every guard to the sessions this factory makes."""
    event.listen(sessions, "before_flush", _refuse_changes_to_signed_forms)
    event.listen(sessions, "do_orm_execute", _refuse_bulk_form_writes)


def _was_signed(form: FormInstance) -> bool:
    """Whether the form was signed as loaded (before this session's pending changes)."""
    history = inspect(form).attrs.status.load_history()
    loaded = history.deleted or history.unchanged
    return bool(loaded) and loaded[0] == FormStatus.SIGNED


def _refuse_changes_to_signed_forms(session: Session, _context: Any, _instances: Any) -> None:
    for form in session.dirty:
        if (
            isinstance(form, FormInstance)
            and session.is_modified(form, include_collections=False)
            and _was_signed(form)
        ):
            raise ImmutableRecord(
                T_("The form is signed, so it can no longer change."), field="form_id"
            )
    for form in session.deleted:
        if isinstance(form, FormInstance) and _was_signed(form):
            raise ImmutableRecord(
                T_("The form is signed, so it cannot be deleted."), field="form_id"
            )


def _refuse_bulk_form_writes(state: ORMExecuteState) -> None:
    # A bulk UPDATE/DELETE bypasses the flush and could not be checked row by row.
    if (state.is_update or state.is_delete) and state.bind_mapper is inspect(FormInstance):
        raise ImmutableRecord(
            T_("Forms are changed one at a time, never many at once."),
            field="form_id",
        )
