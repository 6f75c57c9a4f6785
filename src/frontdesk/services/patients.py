"""Patient persons: validated creation, likely-duplicate detection, login accounts and the
organization link (`Patient`) that onboarding creates.

A likely duplicate is a live person of the same organization with the same first and last
name (case-insensitive, spacing ignored) and date of birth, or the same phone, or the same
e-mail address. Duplicates are offered to staff, never merged silently: `register_patient`
and onboarding refuse with `DuplicatePerson` until staff link one or choose to keep the new
person separate.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from frontdesk.domain.contact import normalize_email, normalize_phone
from frontdesk.domain.errors import FieldError, InvalidInput, NotFound
from frontdesk.domain.events import EventName
from frontdesk.domain.field_names import BORN_IN_THE_FUTURE, too_long
from frontdesk.domain.ids import new_id
from frontdesk.i18n import N_
from frontdesk.i18n.text import T_, Text
from frontdesk.services.appointment_records import local_today
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.services.permissions import require_staff
from frontdesk.store.models import Organization, Patient, PatientPerson
from frontdesk.store.unit_of_work import UnitOfWork

NAME_MAX = 100


@dataclass(frozen=True)
class DuplicateCandidate:
    """A live person who may be the same human, and why they were matched. A plain copy, not
    the row: it travels in a refusal, after its transaction has rolled back."""

    person_id: uuid.UUID
    name: str
    date_of_birth: date | None
    phone: str | None
    email: str | None
    reasons: tuple[str, ...]

    def describe(self) -> Text:
        """Who, and why they were matched, in the reader's language (no id)."""
        reasons = tuple(Text(reason) for reason in self.reasons)
        if self.date_of_birth is None:
            return T_("{name} (same {reasons})", name=self.name, reasons=reasons)
        return T_(
            "{name}, born {born} (same {reasons})",
            name=self.name,
            born=self.date_of_birth.isoformat(),
            reasons=reasons,
        )


class DuplicatePerson(InvalidInput):
    """The person looks like someone already registered; staff must link or keep separate."""

    def __init__(self, candidates: Sequence[DuplicateCandidate]) -> None:
        self.candidates = tuple(candidates)
        listing = tuple(candidate.describe() for candidate in self.candidates)
        super().__init__(
            [
                FieldError(
                    "link_person_id",
                    T_(
                        "This may be someone already registered: {people}. Link one of them, "
                        "or keep this person separate.",
                        people=listing,
                    ),
                )
            ]
        )


@dataclass(frozen=True)
class PersonDetails:
    """Validated, normalised details of a new person."""

    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    date_of_birth: date | None = None
    city: str | None = None


def _name_key(value: str) -> str:
    # Case-insensitive and blind to spacing: "ana  maria" is "Ana Maria".
    return " ".join(value.split()).casefold()


def find_duplicates(
    session: Session,
    organization_id: uuid.UUID,
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    phone: str | None,
    email: str | None,
    exclude_ids: Sequence[uuid.UUID] = (),
) -> list[DuplicateCandidate]:
    """Live persons of the organization that are likely the same human, oldest first."""
    matches: list[object] = []
    if date_of_birth is not None:
        matches.append(PatientPerson.date_of_birth == date_of_birth)
    if phone:
        matches.append(PatientPerson.phone == phone)
    if email:
        matches.append(func.lower(PatientPerson.email) == email.lower())
    if not matches:
        return []
    rows = session.scalars(
        select(PatientPerson)
        .where(
            PatientPerson.organization_id == organization_id,
            PatientPerson.deleted_at.is_(None),
            PatientPerson.id.not_in(list(exclude_ids)),
            or_(*matches),  # type: ignore[arg-type]
        )
        .order_by(PatientPerson.id)
    ).all()
    wanted_name = (_name_key(first_name), _name_key(last_name))
    candidates = []
    for person in rows:
        reasons = []
        # Names are compared here, not in SQL: SQLite's lower() only folds ASCII letters.
        same_name = (_name_key(person.first_name), _name_key(person.last_name)) == wanted_name
        if date_of_birth is not None and person.date_of_birth == date_of_birth and same_name:
            reasons.append(N_("name and date of birth"))
        if phone and person.phone == phone:
            reasons.append(N_("phone"))
        if email and person.email and person.email.lower() == email.lower():
            reasons.append(N_("e-mail"))
        if reasons:
            candidates.append(
                DuplicateCandidate(
                    person.id,
                    person.name,
                    person.date_of_birth,
                    person.phone,
                    person.email,
                    tuple(reasons),
                )
            )
    return candidates


def validate_person(
    organization: Organization,
    *,
    first_name: str,
    last_name: str,
    email: str | None,
    phone: str | None,
    date_of_birth: date | None = None,
    city: str | None = None,
    today: date,
    name_fields: tuple[str, str] = ("first_name", "last_name"),
) -> PersonDetails:
    """Normalise a new person's details, reporting every bad field at once. `name_fields`
    are the inputs the names came from (the public page has one `name` box)."""
    errors: list[FieldError] = []
    first, last = " ".join(first_name.split()), " ".join(last_name.split())
    if not first:
        errors.append(FieldError(name_fields[0], T_("Type the first name.")))
    for field, value in zip(name_fields, (first, last), strict=True):
        if len(value) > NAME_MAX:
            errors.append(FieldError(field, too_long(field, NAME_MAX)))
    normalized_email = _collect(errors, lambda: normalize_email(email or ""), email)
    normalized_phone = _collect(
        errors,
        lambda: normalize_phone(phone or "", region=organization.country),
        phone,
    )
    if date_of_birth is not None and date_of_birth > today:
        errors.append(FieldError("date_of_birth", BORN_IN_THE_FUTURE))
    if errors:
        raise InvalidInput(errors)
    return PersonDetails(
        first, last, normalized_email, normalized_phone, date_of_birth, (city or "").strip() or None
    )


def _collect(
    errors: list[FieldError], normalise: Callable[[], str], value: str | None
) -> str | None:
    """Run `normalise` on a non-blank value, moving its field errors into `errors`."""
    if value is None or not value.strip():
        return None
    try:
        return normalise()
    except InvalidInput as exc:
        errors.extend(exc.errors)
        return None


def add_person(tx: UnitOfWork, details: PersonDetails) -> PatientPerson:
    """Insert a person row (inside the caller's transaction)."""
    person = PatientPerson(
        id=new_id(),
        organization_id=tx.organization_id,
        first_name=details.first_name,
        last_name=details.last_name,
        email=details.email,
        phone=details.phone,
        date_of_birth=details.date_of_birth,
        city=details.city,
    )
    tx.session.add(person)
    tx.session.flush()
    tx.audit("patient_person.created", "patient_person", person.id)
    return person


def load_organization(session: Session, organization_id: uuid.UUID) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(not_found("organization"), field="organization_id")
    return organization


def load_person(tx: UnitOfWork, person_id: uuid.UUID, *, field: str) -> PatientPerson:
    """A live person of this organization, or NotFound naming `field`."""
    person = tx.session.get(PatientPerson, person_id)
    if person is None or person.organization_id != tx.organization_id or person.deleted_at:
        raise NotFound(not_found("patient"), field=field)
    return person


def patient_link(
    session: Session, organization_id: uuid.UUID, person_id: uuid.UUID
) -> Patient | None:
    """The person's organization link, including a tombstoned one (the pair is unique)."""
    return session.scalar(
        select(Patient).where(
            Patient.organization_id == organization_id, Patient.patient_person_id == person_id
        )
    )


def is_patient(session: Session, organization_id: uuid.UUID, person_id: uuid.UUID) -> bool:
    link = patient_link(session, organization_id, person_id)
    return link is not None and link.deleted_at is None


def ensure_patient_link(tx: UnitOfWork, person: PatientPerson) -> bool:
    """Make the person a patient of the organization; True (and `patient.onboarded`) only
    when the link is new or restored from a tombstone."""
    link = patient_link(tx.session, tx.organization_id, person.id)
    if link is not None and link.deleted_at is None:
        return False
    if link is None:
        link = Patient(
            id=new_id(),
            organization_id=tx.organization_id,
            patient_person_id=person.id,
            onboarded_at=tx.now,
            onboarded_by_user_id=tx.actor.user_id,
        )
        tx.session.add(link)
    else:
        link.deleted_at = None
        link.onboarded_at = tx.now
        link.onboarded_by_user_id = tx.actor.user_id
    tx.session.flush()
    tx.emit(
        EventName.PATIENT_ONBOARDED,
        "patient",
        person.id,
        {"patient_person_id": person.id, "patient_id": link.id, "user_id": person.user_id},
    )
    tx.audit("patient.onboarded", "patient_person", person.id)
    return True


def request_login(tx: UnitOfWork, person: PatientPerson) -> bool:
    """Ask for the person's login (True when newly asked). A person without an e-mail
    address cannot log in, so gets none. The desk only marks the request: the server, which
    alone sees every clinic's accounts, makes the account or links the one the address already
    has, and says neither to the desk (so a clinic cannot learn who is a patient elsewhere)."""
    if person.account_requested_at is not None or person.user_id is not None or not person.email:
        return False
    person.account_requested_at = tx.now
    tx.audit("patient_person.account_requested", "patient_person", person.id)
    return True


def register_patient(
    ctx: ServiceContext,
    *,
    first_name: str,
    last_name: str,
    email: str | None = None,
    phone: str | None = None,
    date_of_birth: date | None = None,
    city: str | None = None,
    keep_separate: bool = False,
    request_account: bool = True,
) -> Outcome[PatientPerson]:
    """Staff register a new patient at the desk (e.g. before a walk-in booking): the person,
    a login if they have an e-mail address, and the organization link. A likely duplicate is
    refused with `DuplicatePerson` unless `keep_separate` is set."""
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        organization = load_organization(tx.session, ctx.organization_id)
        details = validate_person(
            organization,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            date_of_birth=date_of_birth,
            city=city,
            today=local_today(tx),
        )
        duplicates = find_duplicates(
            tx.session,
            ctx.organization_id,
            first_name=details.first_name,
            last_name=details.last_name,
            date_of_birth=details.date_of_birth,
            phone=details.phone,
            email=details.email,
        )
        if duplicates and not keep_separate:
            raise DuplicatePerson(duplicates)
        person = add_person(tx, details)
        if request_account:
            request_login(tx, person)
        ensure_patient_link(tx, person)
    return Outcome(person, tx.changes)
