from __future__ import annotations

import keyring
import pytest

from frontdesk.domain.errors import InvalidInput
from frontdesk.integrations.sms import HttpSmsSender
from frontdesk.services import settings
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import LocalSetting


def test_settings_have_defaults_and_keep_what_is_set(mirror: Mirror) -> None:
    sessions = mirror.sessions
    assert settings.get_setting(sessions, settings.SMTP_PORT) == 587
    assert settings.get_setting(sessions, settings.SMTP_STARTTLS) is True
    assert settings.set_setting(sessions, settings.SMTP_PORT, 2525) == 2525
    assert settings.get_setting(sessions, settings.SMTP_PORT) == 2525
    settings.set_setting(sessions, settings.SMTP_PORT, 25)
    assert settings.get_setting(sessions, settings.SMTP_PORT) == 25
    stored = settings.set_setting(sessions, settings.FROM_ADDRESS, "  Desk@Riverside.example ")
    assert stored == "Desk@riverside.example"
    assert set(settings.SETTINGS) == {
        "language",
        "theme",
        "smtp_host",
        "smtp_port",
        "smtp_starttls",
        "smtp_username",
        "from_address",
        "sms_api_url",
    }


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (settings.SMTP_PORT, "587", "must be a whole number"),
        (settings.THEME, "purple", "must be one of: auto, light, dark"),
        (settings.LANGUAGE, "de", "must be one of: auto, en, ro"),
        (settings.SMTP_PORT, True, "must be a whole number"),
        (settings.SMTP_PORT, 70000, "must be between 1 and 65535"),
        (settings.SMTP_STARTTLS, "yes", "must be yes or no"),
        (settings.SMTP_HOST, "smtp example.com", "must be a host name"),
        (settings.FROM_ADDRESS, "not an address", "not a valid e-mail address"),
        (settings.SMS_API_URL, "ftp://sms", "must start with https://"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(
    mirror: Mirror, setting: settings.Setting[object], value: object, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        settings.set_setting(mirror.sessions, setting, value)
    assert refused.value.field == setting.key
    assert message in refused.value.errors[0].message


def test_a_stored_value_that_no_longer_fits_reads_as_the_default(mirror: Mirror) -> None:
    with mirror.sessions.begin() as session:
        session.add(LocalSetting(key="setting.smtp_port", value={"value": "oops"}))
    assert settings.get_setting(mirror.sessions, settings.SMTP_PORT) == 587


def test_no_smtp_host_means_no_email_sender(mirror: Mirror) -> None:
    assert settings.email_sender(mirror.sessions) is None
    settings.set_setting(mirror.sessions, settings.SMTP_HOST, "smtp.example.com")
    with pytest.raises(InvalidInput) as refused:
        settings.email_sender(mirror.sessions)
    assert refused.value.field == "from_address"
    settings.set_setting(mirror.sessions, settings.FROM_ADDRESS, "desk@example.com")
    assert settings.email_sender(mirror.sessions) is not None


def test_the_smtp_password_lives_in_the_keyring(mirror: Mirror) -> None:
    settings.set_smtp_password("smtp.example.com", "desk", "s3cret")
    assert keyring.get_password("frontdesk-smtp", "desk@smtp.example.com") == "s3cret"
    with mirror.sessions() as session:
        values = [row.value for row in session.query(LocalSetting)]
    assert "s3cret" not in repr(values)


def test_the_sms_provider_needs_its_token(mirror: Mirror) -> None:
    assert settings.sms_sender(mirror.sessions) is None
    url = "https://sms.example/v1/messages"
    settings.set_setting(mirror.sessions, settings.SMS_API_URL, url)
    with pytest.raises(InvalidInput) as refused:
        settings.sms_sender(mirror.sessions)
    assert refused.value.field == "sms_api_url"
    settings.set_sms_token(url, "tok")
    assert isinstance(settings.sms_sender(mirror.sessions), HttpSmsSender)
