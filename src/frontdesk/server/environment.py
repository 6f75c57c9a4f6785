"""`frontdesk-server` settings from the environment, for containers and service managers.

Every `run` flag `--foo-bar` (and the global `--database-url`) may instead be given as the
variable `FRONTDESK_FOO_BAR`; a flag on the command line wins. Any of them, and the secrets
(`FRONTDESK_TOKEN_SECRET`, `FRONTDESK_SMTP_PASSWORD`, `FRONTDESK_SMS_TOKEN`), may also be read
from a file named by `NAME_FILE` (Docker secrets). An empty variable counts as unset."""

from __future__ import annotations

import argparse
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from frontdesk.i18n import N_, _

PREFIX = "FRONTDESK_"
FILE_SUFFIX = "_FILE"
DATA_DIR_ENV = "FRONTDESK_SERVER_HOME"
DATABASE_URL_ENV = "FRONTDESK_DATABASE_URL"
# Secrets, read by the configuration itself (never flags: `ps` shows a command line).
TOKEN_SECRET_ENV = "FRONTDESK_TOKEN_SECRET"
SMTP_PASSWORD_ENV = "FRONTDESK_SMTP_PASSWORD"
SMS_TOKEN_ENV = "FRONTDESK_SMS_TOKEN"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class EnvironmentValueError(ValueError):
    """An environment variable holds a value the server cannot use; the message names it."""


Convert = Callable[[str], object]


def text(value: str) -> str:
    return value


def path(value: str) -> Path:
    return Path(value)


def boolean(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_("is neither yes nor no (use 1/0, true/false, yes/no or on/off)"))


def _whole_number(value: str, low: int, high: int | None, what: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise ValueError(_("is not {what}").format(what=_(what))) from None
    if number < low or (high is not None and number > high):
        raise ValueError(_("is not {what}").format(what=_(what)))
    return number


def port(value: str) -> int:
    return _whole_number(value, 1, 65535, N_("a port number (1 to 65535)"))


def at_least_one(value: str) -> int:
    return _whole_number(value, 1, None, N_("a whole number of at least 1"))


def addresses(value: str) -> list[str]:
    """Comma- or space-separated IP addresses (a repeatable flag's values)."""
    found = value.replace(",", " ").split()
    for address in found:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(
                _("names {address}, which is not an IP address").format(address=repr(address))
            ) from None
    return found


# `dest` of each flag read from the environment: the variable is PREFIX + DEST (upper case).
GLOBAL_SETTINGS: dict[str, Convert] = {"database_url": text}
RUN_SETTINGS: dict[str, Convert] = {
    "host": text,
    "port": port,
    "certfile": path,
    "keyfile": path,
    "no_automation": boolean,
    "smtp_host": text,
    "smtp_port": port,
    "smtp_from": text,
    "smtp_username": text,
    "smtp_no_starttls": boolean,
    "sms_url": text,
    "trusted_proxy": addresses,
    "debug": boolean,
    "live_streams_per_account": at_least_one,
}
SECRET_VARIABLES = (TOKEN_SECRET_ENV, SMTP_PASSWORD_ENV, SMS_TOKEN_ENV)


def variable_for(dest: str) -> str:
    return PREFIX + dest.upper()


def known_variables() -> frozenset[str]:
    """Every variable the server reads (each setting's `_FILE` twin included)."""
    settings = [variable_for(dest) for dest in {**GLOBAL_SETTINGS, **RUN_SETTINGS}]
    names = [*settings, *SECRET_VARIABLES]
    return frozenset([DATA_DIR_ENV, *names, *(name + FILE_SUFFIX for name in names)])


def environment_value(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The variable's value, else the content of the file `NAME_FILE` names (without its last
    line break), else None. Both set is refused: which one wins would be a guess; so is an
    empty file (an empty database URL would quietly mean the embedded PostgreSQL)."""
    environ = os.environ if environ is None else environ
    value, file_name = environ.get(name) or None, environ.get(name + FILE_SUFFIX) or None
    if value is not None and file_name is not None:
        raise EnvironmentValueError(
            _("set {variable} or {file_variable}, not both").format(
                variable=name, file_variable=name + FILE_SUFFIX
            )
        )
    if file_name is None:
        return value
    try:
        content = Path(file_name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = (error.strerror or str(error)) if isinstance(error, OSError) else _("not UTF-8")
        raise EnvironmentValueError(
            _("{variable}: cannot read {file}: {reason}").format(
                variable=name + FILE_SUFFIX, file=file_name, reason=reason
            )
        ) from None
    content = content.rstrip("\r\n")
    if not content:
        raise EnvironmentValueError(
            _("{variable}: {file} is empty").format(variable=name + FILE_SUFFIX, file=file_name)
        )
    return content


@dataclass(frozen=True)
class FromEnvironment:
    """An argparse default standing for: the variable's value when set, else `default`."""

    variable: str
    default: object
    convert: Convert

    def resolve(self, environ: Mapping[str, str]) -> object:
        raw = environment_value(self.variable, environ)
        if raw is None:
            return self.default
        try:
            return self.convert(raw)
        except ValueError as error:
            source = self.variable if environ.get(self.variable) else self.variable + FILE_SUFFIX
            raise EnvironmentValueError(f"{source}: {raw!r} {error}") from None

    def __copy__(self) -> list[str]:
        # argparse copies an appending flag's default before adding the first value given:
        # values on the command line then replace the environment's instead of adding to them.
        return []


def bind(parser: argparse.ArgumentParser, settings: Mapping[str, Convert]) -> None:
    """Let the environment supply these flags of `parser` when the command line does not."""
    parser.set_defaults(
        **{
            dest: FromEnvironment(variable_for(dest), parser.get_default(dest), convert)
            for dest, convert in settings.items()
        }
    )


def resolve(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> argparse.Namespace:
    """Replace each flag left to the environment with the variable's value or its default.
    Only the flags of the command being run are read, so another command's bad variable
    does not stop this one."""
    environ = os.environ if environ is None else environ
    for dest, value in list(vars(args).items()):
        if isinstance(value, FromEnvironment):
            setattr(args, dest, value.resolve(environ))
    return args
