"""Finding the organization a desk works for in its mirror."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.i18n.text import T_
from frontdesk.store.models import Organization


def find_organization(sessions: sessionmaker[Session], slug: str | None = None) -> Organization:
    """The organization with this slug; without one, the mirror's only organization.

    A desk's mirror normally holds one organization, so asking for a slug would be noise;
    when it holds several the caller must choose, and is told which exist."""
    with sessions() as session:
        organizations = list(session.scalars(select(Organization).order_by(Organization.slug)))
    slugs = ", ".join(org.slug for org in organizations)
    if slug is not None:
        for org in organizations:
            if org.slug == slug:
                return org
        raise NotFound(
            T_(
                "This desk holds no clinic “{slug}”; it holds: {known}.",
                slug=slug,
                known=slugs or "–",
            ),
            field="slug",
        )
    if not organizations:
        raise NotFound(
            T_("This desk holds no clinic yet: sync with the server, or set the clinic up."),
            field="slug",
        )
    if len(organizations) > 1:
        raise InvalidInput.single(
            "slug", T_("This desk holds several clinics; choose one: {slugs}.", slugs=slugs)
        )
    return organizations[0]
