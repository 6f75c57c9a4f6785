"""`frontdesk-server` configured by environment variables, as a container or a systemd
`EnvironmentFile=` configures it: every `run` flag has a variable, a flag wins over it, and a
bad value is refused with the variable's name."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from frontdesk.server import cli, commands, probe
from frontdesk.server.config import ServerConfig
from frontdesk.server.environment import (
    GLOBAL_SETTINGS,
    RUN_SETTINGS,
    EnvironmentValueError,
    environment_value,
    known_variables,
    resolve,
)

URL = "postgresql://frontdesk:secret@db:5432/frontdesk"


def _args(argv: list[str], environ: dict[str, str]) -> argparse.Namespace:
    return resolve(cli.build_parser().parse_args(argv), environ)


def _run_parser() -> argparse.ArgumentParser:
    parser = cli.build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return commands.choices["run"]


def test_every_run_flag_can_come_from_the_environment() -> None:
    flags = {a.dest for a in _run_parser()._actions if a.option_strings and a.dest != "help"}
    # The global options are repeated on every command (they may follow it).
    assert flags - {"data_dir", *GLOBAL_SETTINGS} == set(RUN_SETTINGS)


def test_the_environment_alone_configures_run() -> None:
    args = _args(
        ["run"],
        {
            "FRONTDESK_DATABASE_URL": URL,
            "FRONTDESK_HOST": "0.0.0.0",
            "FRONTDESK_PORT": "8080",
            "FRONTDESK_CERTFILE": "/certs/chain.pem",
            "FRONTDESK_KEYFILE": "/certs/key.pem",
            "FRONTDESK_NO_AUTOMATION": "true",
            "FRONTDESK_SMTP_HOST": "mail.example",
            "FRONTDESK_SMTP_PORT": "465",
            "FRONTDESK_SMTP_FROM": "desk@example.com",
            "FRONTDESK_SMTP_USERNAME": "desk",
            "FRONTDESK_SMTP_NO_STARTTLS": "Yes",
            "FRONTDESK_SMS_URL": "https://sms.example/send",
            "FRONTDESK_TRUSTED_PROXY": "172.30.0.10, 2001:db8::1 10.0.0.1",
            "FRONTDESK_DEBUG": "on",
            "FRONTDESK_LIVE_STREAMS_PER_ACCOUNT": "9",
        },
    )
    assert args.database_url == URL
    assert (args.host, args.port) == ("0.0.0.0", 8080)
    assert (args.certfile, args.keyfile) == (Path("/certs/chain.pem"), Path("/certs/key.pem"))
    assert args.no_automation is True
    assert (args.smtp_host, args.smtp_port) == ("mail.example", 465)
    assert (args.smtp_from, args.smtp_username) == ("desk@example.com", "desk")
    assert args.smtp_no_starttls is True
    assert args.sms_url == "https://sms.example/send"
    assert args.trusted_proxy == ["172.30.0.10", "2001:db8::1", "10.0.0.1"]
    assert args.debug is True
    assert args.live_streams_per_account == 9


def test_without_flags_or_variables_the_built_in_defaults_hold() -> None:
    args = _args(["run"], {"FRONTDESK_PORT": ""})  # empty counts as unset
    assert args.database_url is None
    assert (args.host, args.port, args.certfile) == ("127.0.0.1", 8443, None)
    assert (args.no_automation, args.debug, args.smtp_no_starttls) == (False, False, False)
    assert (args.smtp_port, args.smtp_username, args.trusted_proxy) == (587, "", [])
    assert args.live_streams_per_account == 5


def test_a_flag_wins_over_its_variable() -> None:
    environ = {
        "FRONTDESK_DATABASE_URL": URL,
        "FRONTDESK_PORT": "8080",
        "FRONTDESK_TRUSTED_PROXY": "10.0.0.1,10.0.0.2",
        "FRONTDESK_NO_AUTOMATION": "0",
    }
    argv = ["--database-url", "postgresql://other/db", "run", "--port", "9000"]
    args = _args([*argv, "--trusted-proxy", "192.0.2.7", "--no-automation"], environ)
    assert args.database_url == "postgresql://other/db"
    assert args.port == 9000
    assert args.trusted_proxy == ["192.0.2.7"]  # replaced, not added to
    assert args.no_automation is True


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("FRONTDESK_PORT", "http", "'http' is not a port number (1 to 65535)"),
        ("FRONTDESK_PORT", "70000", "'70000' is not a port number (1 to 65535)"),
        ("FRONTDESK_SMTP_PORT", "0", "'0' is not a port number (1 to 65535)"),
        ("FRONTDESK_DEBUG", "maybe", "'maybe' is neither yes nor no"),
        ("FRONTDESK_NO_AUTOMATION", "2", "'2' is neither yes nor no"),
        ("FRONTDESK_TRUSTED_PROXY", "10.0.0.1,proxy.lan", "'10.0.0.1,proxy.lan' names 'proxy.lan'"),
        ("FRONTDESK_LIVE_STREAMS_PER_ACCOUNT", "0", "'0' is not a whole number of at least 1"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(
    variable: str,
    value: str,
    reason: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(variable, value)
    assert cli.main(["--data-dir", str(tmp_path), "run"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"frontdesk-server: {variable}: {reason}")
    assert not (tmp_path / "pg").exists()  # refused before any database started


def test_another_commands_variables_are_not_read() -> None:
    args = _args(["create-org", "--name", "A", "--slug", "a", "--timezone", "UTC"], {})
    bad = {"FRONTDESK_PORT": "http"}
    assert resolve(args, bad).command == "create-org"


def test_the_database_url_variable_reaches_every_command(tmp_path: Path) -> None:
    args = _args(["--data-dir", str(tmp_path), "migrate"], {"FRONTDESK_DATABASE_URL": URL})
    assert commands._config(args).database_url == URL


def test_a_setting_may_be_read_from_the_file_its_file_variable_names(tmp_path: Path) -> None:
    secret = tmp_path / "database-url"
    secret.write_text(URL + "\n")
    args = _args(["run"], {"FRONTDESK_DATABASE_URL_FILE": str(secret)})
    assert args.database_url == URL  # without the file's line break
    port = tmp_path / "port"
    port.write_text("http")
    with pytest.raises(EnvironmentValueError, match=r"^FRONTDESK_PORT_FILE: 'http' is not"):
        _args(["run"], {"FRONTDESK_PORT_FILE": str(port)})


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "database-url"
    empty.write_text("\n")
    with pytest.raises(EnvironmentValueError, match=r"^FRONTDESK_DATABASE_URL_FILE: .* is empty"):
        _args(["run"], {"FRONTDESK_DATABASE_URL_FILE": str(empty)})


def test_a_variable_and_its_file_variable_together_are_refused(tmp_path: Path) -> None:
    environ = {"FRONTDESK_SMTP_PASSWORD": "a", "FRONTDESK_SMTP_PASSWORD_FILE": str(tmp_path)}
    with pytest.raises(EnvironmentValueError, match=r"set FRONTDESK_SMTP_PASSWORD or .*_FILE, not"):
        environment_value("FRONTDESK_SMTP_PASSWORD", environ)


def test_an_unreadable_file_is_refused_naming_the_variable_and_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("FRONTDESK_DATABASE_URL_FILE", str(missing))
    assert cli.main(["--data-dir", str(tmp_path / "data"), "migrate"]) == 2
    expected = f"frontdesk-server: FRONTDESK_DATABASE_URL_FILE: cannot read {missing}: No such"
    assert capsys.readouterr().err.startswith(expected)


def test_secrets_come_from_files_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"token": "t" * 40, "smtp": "mail-password", "sms": "sms-token"}
    for name, content in files.items():
        (tmp_path / name).write_text(content + "\n")
    monkeypatch.setenv("FRONTDESK_TOKEN_SECRET_FILE", str(tmp_path / "token"))
    monkeypatch.setenv("FRONTDESK_SMTP_PASSWORD_FILE", str(tmp_path / "smtp"))
    monkeypatch.setenv("FRONTDESK_SMS_TOKEN_FILE", str(tmp_path / "sms"))
    for name in ("FRONTDESK_TOKEN_SECRET", "FRONTDESK_SMTP_PASSWORD", "FRONTDESK_SMS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    config = ServerConfig.load(tmp_path / "data", database_url=None)
    assert (config.token_secret, config.smtp_password, config.sms_token) == (
        files["token"],
        files["smtp"],
        files["sms"],
    )
    assert not (tmp_path / "data" / "token-secret").exists()  # none made: one was given


def test_the_known_variables_are_each_setting_and_its_file_twin() -> None:
    known = known_variables()
    assert {"FRONTDESK_SERVER_HOME", "FRONTDESK_PORT", "FRONTDESK_PORT_FILE"} <= known
    assert {"FRONTDESK_TOKEN_SECRET_FILE", "FRONTDESK_DATABASE_URL"} <= known
    assert "FRONTDESK_PROT" not in known


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        ({}, "http://127.0.0.1:8443/health"),
        ({"FRONTDESK_HOST": "0.0.0.0", "FRONTDESK_PORT": "8080"}, "http://127.0.0.1:8080/health"),
        ({"FRONTDESK_HOST": "::", "FRONTDESK_CERTFILE": "/c.pem"}, "https://[::1]:8443/health"),
        ({"FRONTDESK_HOST": "10.1.2.3"}, "http://10.1.2.3:8443/health"),
    ],
)
def test_the_probe_asks_where_the_environment_makes_the_server_listen(
    environ: dict[str, str], url: str
) -> None:
    assert probe.probe_url(environ) == url


def test_the_probes_defaults_are_the_servers() -> None:
    run = _run_parser()
    assert (
        run.get_default("host").default,
        run.get_default("port").default,
    ) == (probe.DEFAULT_HOST, probe.DEFAULT_PORT)


def test_the_probe_fails_without_a_server_or_with_a_bad_port(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert probe.main([], {"FRONTDESK_PORT": "1"}) == 1
    assert "http://127.0.0.1:1/health: no answer" in capsys.readouterr().err
    assert probe.main(["/ready"], {"FRONTDESK_PORT": "none"}) == 1
    assert "FRONTDESK_PORT: 'none' is not a port number" in capsys.readouterr().err


def test_a_secret_file_that_cannot_be_read_is_one_line_on_any_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-secret"
    monkeypatch.setenv("FRONTDESK_TOKEN_SECRET_FILE", str(missing))
    assert cli.main(["--data-dir", str(tmp_path / "data"), "migrate"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"frontdesk-server: FRONTDESK_TOKEN_SECRET_FILE: cannot read {missing}")
    assert "Traceback" not in error
    assert not (tmp_path / "data" / "pg").exists()


def test_in_romanian_a_bad_variable_is_refused_in_romanian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LANG", "ro_RO.UTF-8")
    monkeypatch.setenv("FRONTDESK_PORT", "http")
    assert cli.main(["--data-dir", str(tmp_path / "data"), "run"]) == 2
    assert capsys.readouterr().err == (
        "frontdesk-server: FRONTDESK_PORT: 'http' nu este un număr de port (între 1 și 65535)\n"
    )
    monkeypatch.delenv("FRONTDESK_PORT")
    run = ["--data-dir", str(tmp_path / "data"), "run", "--certfile", "c.pem"]
    assert cli.main(run) == 2
    assert capsys.readouterr().err == (
        "frontdesk-server: dați și --certfile, și --keyfile (sau niciuna)\n"
    )
