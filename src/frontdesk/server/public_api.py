"""The public booking page's API: free slots and bookings, no account needed."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.i18n.text import T_
from frontdesk.server.accounts import organization_id_for_slug
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.state import ServerState, server_state
from frontdesk.services.booking import CLIENT_ID_MAX, IDEMPOTENCY_KEY_MAX, book_public
from frontdesk.services.context import ServiceContext
from frontdesk.services.public_slots import free_slots
from frontdesk.store.unit_of_work import Actor

router = APIRouter(prefix="/v1/public/organizations/{slug}", tags=["public booking"])

PUBLIC_ROLE = "public"
Slug = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")]
_ERRORS: dict[int | str, dict[str, str]] = {
    404: {"description": "No such organization, service or calendar"},
    422: {"description": "Field errors"},
}


class SlotOut(BaseModel):
    start: AwareDatetime
    end: AwareDatetime


class SlotsOut(BaseModel):
    date: date
    service_id: uuid.UUID
    slots: list[SlotOut]


class BookingIn(BaseModel):
    service_id: uuid.UUID
    calendar_id: uuid.UUID | None = None
    start: AwareDatetime
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    phone: str = Field(min_length=3, max_length=32)
    client_id: str = Field(min_length=1, max_length=CLIENT_ID_MAX)


class BookingOut(BaseModel):
    appointment_id: uuid.UUID
    status: str
    start: AwareDatetime
    end: AwareDatetime


def _organization(state: ServerState, slug: str) -> uuid.UUID:
    organization_id = organization_id_for_slug(state.database.engine, slug)
    if organization_id is None:
        raise NotFound(
            T_("No clinic has the address “{slug}”: check the link.", slug=slug), field="slug"
        )
    return organization_id


def _public_scope(organization_id: uuid.UUID) -> Scope:
    return Scope(organization_id=organization_id, role=PUBLIC_ROLE)


@router.get("/slots", responses=_ERRORS)
def slots(
    slug: Slug,
    service_id: uuid.UUID,
    state: Annotated[ServerState, Depends(server_state)],
    day: Annotated[date, Query(alias="date")],
    calendar_id: uuid.UUID | None = None,
) -> SlotsOut:
    organization_id = _organization(state, slug)
    with scoped_sessions(state.database.engine, _public_scope(organization_id))() as session:
        found = free_slots(
            session,
            organization_id,
            service_id=service_id,
            day=day,
            calendar_id=calendar_id,
            now=state.clock.now(),
        )
    return SlotsOut(
        date=day,
        service_id=service_id,
        slots=[SlotOut(start=s.start, end=s.end) for s in found],
    )


@router.post(
    "/bookings",
    status_code=status.HTTP_201_CREATED,
    responses={
        **_ERRORS,
        409: {"description": "The slot was taken"},
        429: {"description": "Too many bookings from this client or address"},
    },
)
def book(
    slug: Slug,
    body: BookingIn,
    request: Request,
    response: Response,
    state: Annotated[ServerState, Depends(server_state)],
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=IDEMPOTENCY_KEY_MAX)
    ] = None,
) -> BookingOut:
    """Book as someone without an account. Send the same `Idempotency-Key` when retrying: a
    repeated request answers with the first booking and creates nothing."""
    if not idempotency_key or not idempotency_key.strip():
        raise InvalidInput.single(
            "Idempotency-Key",
            T_("The Idempotency-Key header is required: send the same one when retrying."),
        )
    if not idempotency_key.isprintable():
        raise InvalidInput.single(
            "Idempotency-Key",
            T_("The Idempotency-Key header must not contain control characters."),
        )
    address = request.client.host if request.client else "unknown"
    state.booking_limits.hit(("client", body.client_id), ("address", address))
    organization_id = _organization(state, slug)
    ctx = ServiceContext(
        sessions=scoped_sessions(state.database.engine, _public_scope(organization_id)),
        organization_id=organization_id,
        actor=Actor.system("public booking page"),
        clock=state.clock,
        record_outbox=False,
    )
    result = book_public(
        ctx,
        service_id=body.service_id,
        calendar_id=body.calendar_id,
        start=body.start,
        name=body.name,
        email=body.email,
        phone=body.phone,
        client_id=body.client_id,
        idempotency_key=idempotency_key,
    ).value
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    appointment = result.appointment
    return BookingOut(
        appointment_id=appointment.id,
        status=appointment.status,
        start=appointment.started_at,
        end=appointment.ended_at,
    )
