"""The public booking page's list of what can be booked: `GET .../services`."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from frontdesk.domain.errors import NotFound
from frontdesk.i18n.text import T_
from frontdesk.server.accounts import organization_id_for_slug
from frontdesk.server.public_api import PUBLIC_ROLE, Slug
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.state import ServerState, server_state
from frontdesk.services.public_catalog import PublicService, public_services

router = APIRouter(prefix="/v1/public/organizations/{slug}", tags=["public booking"])


class PriceOut(BaseModel):
    amount: Decimal
    """In the currency's main unit, two decimals ("150.00")."""
    currency: str
    """ISO 4217 code."""


class CalendarOut(BaseModel):
    id: uuid.UUID
    name: str


class PerformerOut(BaseModel):
    name: str


class ServiceOut(BaseModel):
    id: uuid.UUID
    reference: int | None
    name: str
    description: str
    duration_minutes: int
    mode: Literal["video", "in_clinic"]
    price: PriceOut | None
    calendars: list[CalendarOut]
    performers: list[PerformerOut]


class ServicesOut(BaseModel):
    services: list[ServiceOut]


def _out(service: PublicService) -> ServiceOut:
    price = None
    if service.price_cents is not None and service.currency:
        amount = (Decimal(service.price_cents) / 100).quantize(Decimal("0.01"))
        price = PriceOut(amount=amount, currency=service.currency)
    return ServiceOut(
        id=service.id,
        reference=service.reference,
        name=service.name,
        description=service.description,
        duration_minutes=service.duration_minutes,
        mode=service.mode.value,
        price=price,
        calendars=[CalendarOut(id=c.id, name=c.name) for c in service.calendars],
        performers=[PerformerOut(name=name) for name in service.performers],
    )


@router.get(
    "/services",
    responses={404: {"description": "No such organization"}, 422: {"description": "Bad slug"}},
)
def services(slug: Slug, state: Annotated[ServerState, Depends(server_state)]) -> ServicesOut:
    """The public services that are not retired, with the public calendars each can be booked
    through and the names of who performs it. Book one with `/slots` and `/bookings`."""
    organization_id = organization_id_for_slug(state.database.engine, slug)
    if organization_id is None:
        raise NotFound(
            T_("No clinic has the address “{slug}”: check the link.", slug=slug), field="slug"
        )
    scope = Scope(organization_id=organization_id, role=PUBLIC_ROLE)
    with scoped_sessions(state.database.engine, scope)() as session:
        found = public_services(session, organization_id)
    return ServicesOut(services=[_out(s) for s in found])
