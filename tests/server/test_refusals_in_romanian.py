"""The server's own refusals of bad settings and passwords read in the reader's language,
naming what is wrong as a person knows it, and travel language-neutral."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.domain.errors import InvalidInput, words_from_wire
from frontdesk.i18n.catalogs import activate
from frontdesk.server.config import ServerConfig
from frontdesk.server.devices import ACCESS_ENDED, DESK_REVOKED, DeviceRefused
from frontdesk.server.errors import refusal_detail
from frontdesk.server.passwords import validate_password


def test_a_short_or_long_password_is_refused_in_romanian_naming_the_password() -> None:
    activate("ro")
    with pytest.raises(InvalidInput) as short:
        validate_password("short")
    assert short.value.message == "Parola trebuie să aibă cel puțin 10 caractere."
    assert short.value.errors[0].field == "password"
    with pytest.raises(InvalidInput) as long:
        validate_password("x" * 1025)
    assert long.value.message == "Câmpul „Parola” depășește 1024 de caractere."


def test_bad_server_settings_are_refused_in_romanian_naming_the_setting(tmp_path: Path) -> None:
    activate("ro")
    with pytest.raises(InvalidInput) as backoff:
        ServerConfig(data_dir=tmp_path, token_secret="x" * 40, login_backoff_seconds=0)
    assert backoff.value.message == (
        "Câmpul „Prima așteptare după autentificări eșuate” trebuie să fie cel puțin 1."
    )
    with pytest.raises(InvalidInput) as proxy:
        ServerConfig(data_dir=tmp_path, token_secret="x" * 40, trusted_proxies=("proxy.local",))
    assert proxy.value.message == (
        "Proxy-ul de încredere „proxy.local” nu este o adresă IP (--trusted-proxy)."
    )
    assert proxy.value.wire() == [
        {
            "field": "trusted_proxies",
            "message": {
                "msgid": "The trusted proxy “{proxy}” is not an IP address (--trusted-proxy).",
                "params": {"proxy": "proxy.local"},
            },
        }
    ]


def test_a_desks_refused_access_reads_romanian_where_it_is_read() -> None:
    taken = DeviceRefused(DESK_REVOKED, field="device_id")
    assert str(taken) == "An admin revoked this desk's access: sign in again."  # the logs'
    [fault] = refusal_detail(taken.field, taken.text)
    assert fault["loc"] == ["body", "device_id"]
    activate("ro")
    assert str(words_from_wire(fault["text"])) == (
        "Un administrator a revocat accesul acestui birou: autentificați-vă din nou."
    )
    assert str(ACCESS_ENDED) == "Acest cont nu mai are acces la clinică: rugați un administrator."
