"""Words that travel: kept as msgid and parameters, translated where they are read."""

from __future__ import annotations

import gettext
import json
from datetime import date

from frontdesk.domain.enums import AppointmentStatus
from frontdesk.i18n.catalogs import activate
from frontdesk.i18n.core import install
from frontdesk.i18n.text import T_, Text, loads, nT_, shown


def test_a_text_reads_in_the_language_active_when_shown() -> None:
    text = T_("“{field}” is required.", field=Text("E-mail"))
    assert str(text) == "“E-mail” is required."
    activate("ro")
    assert str(text) == "Câmpul „E-mail” este obligatoriu."


def test_the_wire_form_is_language_neutral_and_comes_back_whole() -> None:
    text = T_(
        "The appointment is “{current}”: it can become {allowed}, not “{target}”.",
        current=AppointmentStatus.BOOKED.text,
        target=AppointmentStatus.DONE.text,
        allowed=(AppointmentStatus.UPCOMING.text, AppointmentStatus.CANCELLED.text),
    )
    activate("ro")
    wired = json.loads(text.dumps())
    assert "programare" not in text.dumps()
    assert wired["msgid"].startswith("The appointment is “{current}”")
    again = Text.from_wire(wired)
    assert again == text
    assert str(again) == (
        "Programarea este „Rezervată”: poate deveni Programată; Anulată, nu „Încheiată”."
    )
    assert text.english().startswith("The appointment is “Booked”: it can become")


def test_days_are_written_as_the_reader_writes_them() -> None:
    text = T_("Low rating: {rating} of {stars} stars for {specialist} ({day})", rating=2,
              stars=5, specialist="Dr Pop", day=date(2026, 5, 1))  # fmt: skip
    assert (
        str(Text.from_wire(text.to_wire())) == "Low rating: 2 of 5 stars for Dr Pop (01 May 2026)"
    )
    activate("ro")
    assert str(text) == "Notă mică: 2 din 5 stele pentru Dr Pop (01 mai 2026)"


def test_a_count_chooses_the_plural_form_of_the_reader() -> None:
    few = nT_("“{field}” is longer than {count} character.",
              "“{field}” is longer than {count} characters.", 5, field="Nume")  # fmt: skip
    many = Text.from_wire(
        nT_("“{field}” is longer than {count} character.",
            "“{field}” is longer than {count} characters.", 100, field="Nume").to_wire()
    )  # fmt: skip
    assert str(few) == "“Nume” is longer than 5 characters."
    activate("ro")
    assert str(few) == "Câmpul „Nume” depășește 5 caractere."
    assert str(many) == "Câmpul „Nume” depășește 100 de caractere."


def test_a_stored_column_shows_texts_translated_and_plain_words_as_they_are() -> None:
    stored = T_("The session has ended: sign in again.").dumps()
    activate("ro")
    assert shown(stored) == "Sesiunea s-a încheiat: autentificați-vă din nou."
    assert shown("changed on the server too") == "changed on the server too"
    assert shown('{"not": "a text"}') == '{"not": "a text"}'
    assert loads("{broken") is None


class _Stale(gettext.NullTranslations):
    """A catalogue older than the code: its Romanian names a placeholder no longer given."""

    def gettext(self, message: str) -> str:
        return "Salut, {nume}!"


def test_a_translation_naming_an_unknown_placeholder_falls_back_to_english() -> None:
    install("ro", _Stale())
    assert str(T_("Hello, {name}!", name="Ana")) == "Hello, Ana!"


def test_a_wired_text_missing_its_values_is_shown_as_written() -> None:
    # Sent by another version, or damaged: shown, never raised where a person reads it.
    stored = json.dumps({**T_("“{field}” is required.", field="X").to_wire(), "params": {}})
    activate("ro")
    assert shown(stored) == "“{field}” is required."
