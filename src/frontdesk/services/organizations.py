"""Finding the organization a desk works for in its mirror."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.errors import InvalidInput, NotFound
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
        known = f" (this mirror holds: {slugs})" if organizations else ""
        raise NotFound(f"no organization {slug!r}{known}", field="slug")
    if not organizations:
        raise NotFound(
            "this profile's mirror holds no organization yet: sync with the server or set one up",
            field="slug",
        )
    if len(organizations) > 1:
        raise InvalidInput.single("slug", f"the mirror holds several organizations: {slugs}")
    return organizations[0]
