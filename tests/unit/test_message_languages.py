"""The shipped message templates in every language the desk speaks, and the language a
recipient is written to in."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pytest

from frontdesk.domain.enums import MessageChannel
from frontdesk.domain.rules.templates import referenced_variables
from frontdesk.project_paths import json_files
from frontdesk.services import messages
from frontdesk.services.message_language import country_language, recipient_language
from frontdesk.services.messages import MESSAGES_DIR, MessageText, render_message, shipped_path

KEYS = sorted(path.name.removesuffix(".json") for path in json_files(MESSAGES_DIR))

ENGLISH_WORDS = frozenset(
    [
        "the",
        "your",
        "you",
        "with",
        "and",
        "is",
        "on",
        "to",
        "of",
        "in",
        "at",
        "for",
        "hello",
        "welcome",
        "reminder",
        "please",
        "today",
        "session",
        "sessions",
        "appointment",
        "appointments",
        "tomorrow",
        "happy",
        "birthday",
        "keep",
        "going",
        "gift",
        "code",
        "exercises",
        "waiting",
        "still",
        "ready",
        "congratulations",
        "link",
        "account",
        "forms",
        "sign",
    ]
)
"""Words of the English templates that no Romanian sentence uses."""


def _document(key: str, language: str) -> dict[str, dict[str, str]]:
    document: dict[str, dict[str, str]] = json.loads(
        shipped_path(key, language).read_text(encoding="utf-8")
    )
    return document


def _fields(key: str, language: str) -> Iterable[tuple[str, str, str]]:
    for channel, wording in sorted(_document(key, language).items()):
        for name, source in sorted(wording.items()):
            yield channel, name, source


def _context(paths: Iterable[str]) -> dict[str, Any]:
    """A context holding a value for every dotted path (`patient.first_name` → "Ana1")."""
    context: dict[str, Any] = {}
    for number, path in enumerate(sorted(paths)):
        *parents, leaf = path.split(".")
        node = context
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = f"Ana{number}"
    return context


def _words(text: str) -> set[str]:
    return {word.casefold() for word in re.findall(r"[^\W\d_]+", text)}


def test_every_shipped_message_has_a_romanian_wording_with_its_channels() -> None:
    assert len(KEYS) == 10
    for key in KEYS:
        assert shipped_path(key, "ro").is_file(), key
        english = {(channel, name) for channel, name, _ in _fields(key, "en")}
        romanian = {(channel, name) for channel, name, _ in _fields(key, "ro")}
        assert romanian == english, key


@pytest.mark.parametrize("key", KEYS)
def test_the_romanian_wording_reads_exactly_the_english_variables(key: str) -> None:
    english = {(c, n): referenced_variables(s) for c, n, s in _fields(key, "en")}
    romanian = {(c, n): referenced_variables(s) for c, n, s in _fields(key, "ro")}
    assert romanian == english


@pytest.mark.parametrize("key", KEYS)
def test_each_shipped_message_renders_in_both_languages(key: str) -> None:
    for channel, wording in _document(key, "en").items():
        variables = referenced_variables(wording.get("subject", "")) | referenced_variables(
            wording["body"]
        )
        context = _context(variables)
        rendered = {}
        for language in ("en", "ro"):
            source = _document(key, language)[channel]
            text = MessageText(
                key, MessageChannel(channel), source.get("subject", ""), source["body"]
            )
            rendered[language] = render_message(text, context)
        for language in ("en", "ro"):
            shown = rendered[language].subject + " " + rendered[language].body_text
            assert all(f"Ana{n}" in shown for n in range(len(variables))), (language, channel)
        english = rendered["en"].subject + " " + rendered["en"].body_text
        romanian = rendered["ro"].subject + " " + rendered["ro"].body_text
        assert _words(english) & ENGLISH_WORDS, (key, channel)  # the list does catch English
        assert not _words(romanian) & ENGLISH_WORDS, (key, channel)
        assert re.search("[ăâîșț]", romanian.casefold()), (key, channel)
        assert not re.search("[şţ]", romanian), "ș and ț take a comma below, not a cedilla"


def test_a_message_shipped_in_english_alone_is_sent_in_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    (tmp_path / "only_english.json").write_text(
        json.dumps({"sms": {"body": "Hello {{ patient.first_name }}"}}), encoding="utf-8"
    )
    monkeypatch.setattr(messages, "MESSAGES_DIR", tmp_path)
    messages._default_document.cache_clear()
    try:
        assert messages._default_document("only_english", "ro") == {
            "sms": {"body": "Hello {{ patient.first_name }}"}
        }
        assert messages._default_document("absent", "ro") is None
    finally:
        messages._default_document.cache_clear()


@pytest.mark.parametrize(
    ("patient", "organization", "language"),
    [
        ("RO", None, "ro"),
        ("md", "GB", "ro"),
        ("GB", "RO", "en"),  # a visitor from abroad at a Romanian clinic
        ("DE", "RO", "en"),
        (None, "RO", "ro"),
        ("  ", "RO", "ro"),
        (None, "GB", "en"),
        (None, None, "en"),
    ],
)
def test_the_patients_country_decides_else_the_clinics_else_english(
    patient: str | None, organization: str | None, language: str
) -> None:
    chosen = recipient_language(patient_country=patient, organization_country=organization)
    assert chosen == language


def test_no_country_names_no_language() -> None:
    assert country_language(None) is None
    assert country_language("") is None
