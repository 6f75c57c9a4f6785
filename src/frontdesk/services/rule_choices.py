"""What a rule may cite, for the rule editor's pickers: form templates and segments (by the
short reference number rules cite, or their key when they have none) and message template keys
per channel (the organization's own wording and the defaults shipped in resources/messages/).
Read-only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select

from frontdesk.domain.enums import STAFF_ROLES, MessageChannel
from frontdesk.domain.errors import NotFound, PermissionDenied
from frontdesk.i18n.text import T_
from frontdesk.project_paths import json_files
from frontdesk.services.context import ServiceContext
from frontdesk.services.messages import MESSAGES_DIR
from frontdesk.services.not_found import not_found
from frontdesk.store.models import FormTemplate, MessageTemplate, Organization, Segment


@dataclass(frozen=True, slots=True)
class Choice:
    """`value` is what the rule document holds (42, "privacy_policy"); `label` what people read."""

    value: int | str
    label: str


@dataclass(frozen=True)
class RuleChoices:
    form_templates: list[Choice] = field(default_factory=list)
    segments: list[Choice] = field(default_factory=list)
    message_templates: dict[MessageChannel, list[str]] = field(default_factory=dict)
    timezone: str = "UTC"
    """The organization's zone: wall-clock rules and forecasts are read in it."""


def rule_choices(ctx: ServiceContext) -> RuleChoices:
    """Everything the organization's rules may cite, each list sorted for a picker."""
    if ctx.actor.role is not None and ctx.actor.role not in STAFF_ROLES:
        raise PermissionDenied(
            T_("You are not allowed to read the automations: only clinic staff may."),
            field="actor",
        )
    org = ctx.organization_id
    with ctx.sessions() as session:
        organization = session.get(Organization, org)
        if organization is None:
            raise NotFound(not_found("organization"), field="organization_id")
        templates = session.scalars(
            select(FormTemplate).where(
                FormTemplate.organization_id == org,
                FormTemplate.is_current.is_(True),
                FormTemplate.deleted_at.is_(None),
            )
        ).all()
        groups = session.scalars(
            select(Segment).where(Segment.organization_id == org, Segment.deleted_at.is_(None))
        ).all()
        own_messages = session.execute(
            select(MessageTemplate.key, MessageTemplate.channel).where(
                MessageTemplate.organization_id == org, MessageTemplate.deleted_at.is_(None)
            )
        ).all()
    forms = [
        Choice(t.reference if t.reference is not None else t.template_key, t.title)
        for t in templates
    ]
    segments = [
        Choice(s.reference if s.reference is not None else str(s.id), s.name) for s in groups
    ]
    keys: dict[MessageChannel, set[str]] = {channel: set() for channel in MessageChannel}
    for channel, names in _shipped_message_keys().items():
        keys[channel] |= names
    for key, channel in own_messages:
        keys[MessageChannel(channel)].add(key)
    return RuleChoices(
        form_templates=sorted(forms, key=_order),
        segments=sorted(segments, key=_order),
        message_templates={channel: sorted(names) for channel, names in keys.items()},
        timezone=organization.timezone,
    )


def _order(choice: Choice) -> tuple[int, int, str]:
    if isinstance(choice.value, int):
        return (0, choice.value, choice.label)
    return (1, 0, choice.label.casefold())


@lru_cache(maxsize=1)
def _shipped_message_keys() -> dict[MessageChannel, frozenset[str]]:
    found: dict[MessageChannel, set[str]] = {channel: set() for channel in MessageChannel}
    for path in json_files(MESSAGES_DIR):
        document = json.loads(path.read_text(encoding="utf-8"))
        for channel in MessageChannel:
            if isinstance(document.get(str(channel)), dict):
                found[channel].add(path.name.removesuffix(".json"))
    return {channel: frozenset(names) for channel, names in found.items()}
