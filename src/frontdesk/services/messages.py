"""Message templates and the outbound queue: what an e-mail, SMS or push says, and the row the
delivery worker picks up.

A message template is found by (organization, key, channel): the organization's own wording
(`message_templates`) wins, otherwise the default shipped in `resources/messages/<key>.json`
(`{"email": {"subject", "body"}, "sms": {"body"}, "push": {"subject", "body"}}`), in the
recipient's language: the Romanian wording of each is `resources/messages/ro/<key>.json`, with
the same channels and the same variables (`message_language` chooses the language). Templates are
the rule language's (`{{patient.first_name}}`, rendered by `domain.rules.render` in the
sandbox), checked when saved and again when rendered, so a template that tries to leave the
sandbox is refused both times. E-mail bodies are rendered twice: plain text, and HTML with every
value escaped.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib.resources.abc import Traversable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.enums import MessageChannel, MessageStatus, Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.rules import check_template, render
from frontdesk.i18n import DEFAULT_LANGUAGE
from frontdesk.i18n.text import T_
from frontdesk.project_paths import RESOURCES_DIR
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.store.models import MessageTemplate, OutboundMessage
from frontdesk.store.unit_of_work import UnitOfWork

MESSAGES_DIR = RESOURCES_DIR / "messages"
SUBJECT_MAX = 300


@dataclass(frozen=True)
class MessageText:
    """A template's wording for one channel (sources, not yet rendered)."""

    key: str
    channel: MessageChannel
    subject: str
    body: str


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body_text: str
    body_html: str | None


def shipped_path(key: str, language: str = DEFAULT_LANGUAGE) -> Traversable:
    """Where the shipped wording of `key` in `language` is kept (English at the top)."""
    folder = MESSAGES_DIR if language == DEFAULT_LANGUAGE else MESSAGES_DIR / language
    return folder / f"{key}.json"


@lru_cache(maxsize=256)
def _default_document(key: str, language: str) -> dict[str, Any] | None:
    # Keys are validated names (letters, digits, _), so this cannot leave the directory.
    path = shipped_path(key, language)
    if not path.is_file():
        # A message shipped in English alone (an organization's own key has no file at all).
        return None if language == DEFAULT_LANGUAGE else _default_document(key, DEFAULT_LANGUAGE)
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def find_template(
    session: Session,
    organization_id: uuid.UUID,
    key: str,
    channel: MessageChannel,
    language: str = DEFAULT_LANGUAGE,
) -> MessageText:
    """The organization's wording of `key` for `channel` (written in its own language), else
    the shipped default in `language`, else NotFound naming the template."""
    row = session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.organization_id == organization_id,
            MessageTemplate.key == key,
            MessageTemplate.channel == channel,
            MessageTemplate.deleted_at.is_(None),
        )
    )
    if row is not None:
        return MessageText(key, channel, row.subject, row.body)
    document = _default_document(key, language) if key.replace("_", "").isalnum() else None
    wording = (document or {}).get(str(channel))
    if not isinstance(wording, Mapping) or "body" not in wording:
        raise NotFound(
            T_("There is no message “{key}” to send by {channel}.", key=key, channel=str(channel)),
            field="template",
        )
    return MessageText(key, channel, str(wording.get("subject", "")), str(wording["body"]))


def render_message(
    text: MessageText, context: Mapping[str, Any], *, field: str = "template"
) -> RenderedMessage:
    """The message filled from `context`: TemplateRefused or TemplateFailed name `field`."""
    subject = render(text.subject, context, channel="text", field=f"{field}.subject")
    body_text = render(text.body, context, channel="text", field=f"{field}.body")
    body_html = None
    if text.channel == MessageChannel.EMAIL:
        escaped = render(text.body, context, channel="html", field=f"{field}.body")
        body_html = _paragraphs(escaped)
    # A subject is one line: a value with a line break must not start a new header.
    return RenderedMessage(" ".join(subject.split())[:SUBJECT_MAX], body_text, body_html)


def _paragraphs(escaped: str) -> str:
    # Values are escaped already; only the template's own line breaks become markup.
    blocks = [block.replace("\n", "<br>\n") for block in escaped.strip().split("\n\n")]
    return "".join(f"<p>{block}</p>\n" for block in blocks if block.strip())


def enqueue_message(
    tx: UnitOfWork,
    *,
    message_id: uuid.UUID,
    channel: MessageChannel,
    recipient: str,
    message: RenderedMessage,
    idempotency_key: str,
    template: str | None = None,
    patient_person_id: uuid.UUID | None = None,
    not_before: datetime | None = None,
    automation_execution_id: uuid.UUID | None = None,
    known_new: bool = False,
) -> tuple[OutboundMessage, bool]:
    """Queue a message for delivery in the caller's transaction; (message, created). A
    message whose idempotency key is queued already is returned as it is: the patient gets
    one message however many times the same occurrence runs. `known_new`: the caller knows
    the key is unused (a fresh automation execution), so the look-up is skipped and the row
    is inserted at commit with the batch's other messages (`UnitOfWork.add_later`; the
    UNIQUE key still refuses a duplicate)."""
    existing = (
        None
        if known_new
        else tx.session.scalar(
            select(OutboundMessage).where(OutboundMessage.idempotency_key == idempotency_key)
        )
    )
    if existing is not None:
        return existing, False
    row = OutboundMessage(
        id=message_id,
        organization_id=tx.organization_id,
        channel=channel,
        recipient=recipient,
        patient_person_id=patient_person_id,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        template=template,
        idempotency_key=idempotency_key,
        status=MessageStatus.PENDING,
        not_before=not_before or tx.now,
        automation_execution_id=automation_execution_id,
    )
    if known_new:
        tx.add_later(row)
    else:
        tx.session.add(row)
    tx.audit(
        "message.queued",
        "outbound_message",
        row.id,
        {"channel": channel, "template": template, "idempotency_key": idempotency_key},
    )
    return row, True


def save_message_template(
    ctx: ServiceContext, *, key: str, channel: MessageChannel | str, subject: str, body: str
) -> Outcome[MessageTemplate]:
    """An admin writes the organization's wording of a message. Templates that are malformed
    or try to leave the sandbox are refused here, before any patient data meets them."""
    if ctx.actor.role != Role.ADMIN:
        raise PermissionDenied(
            T_("You are not allowed to edit message templates: ask an admin."), field="actor"
        )
    if not key or not key.replace("_", "").isalnum():
        raise InvalidInput.single("key", T_("Use only letters, digits and _ in the key."))
    try:
        chosen = MessageChannel(channel)
    except ValueError:
        raise InvalidInput.single("channel", T_("Choose how it is sent: e-mail or SMS.")) from None
    if not body.strip():
        raise InvalidInput.single("body", T_("Write the message."))
    check_template(subject, field="subject")
    check_template(body, field="body")
    with ctx.transaction() as tx:
        row = tx.session.scalar(
            select(MessageTemplate).where(
                MessageTemplate.organization_id == ctx.organization_id,
                MessageTemplate.key == key,
                MessageTemplate.channel == chosen,
            )
        )
        if row is None:
            row = MessageTemplate(organization_id=ctx.organization_id, key=key, channel=chosen)
            tx.session.add(row)
        row.subject, row.body, row.deleted_at = subject, body, None
        tx.audit("message_template.saved", "message_template", None, {"key": key})
    return Outcome(row, tx.changes)
