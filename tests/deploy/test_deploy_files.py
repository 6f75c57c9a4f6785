"""The deployment files under `deploy/`, checked as far as this machine can without a Docker
daemon: the Dockerfile's final stage, the compose file's wiring and the systemd unit."""

from __future__ import annotations

import configparser
import fnmatch
import importlib.util
import ipaddress
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from frontdesk.server.environment import known_variables

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DATA_DIR = "/var/lib/frontdesk-server"
# What building the wheel reads from the context (the repository's root).
WHEEL_SOURCES = ("pyproject.toml", "README.md", "src", "migrations", "resources")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [rest for word, rest in self.instructions if word == keyword]

    def last(self, keyword: str) -> str:
        found = self.all(keyword)
        assert found, f"no {keyword} in the stage FROM {self.base}"
        return found[-1]


def dockerfile_stages(text: str) -> list[Stage]:
    """Instructions by stage: continuation lines joined, comments and blank lines dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    stages: list[Stage] = []
    for line in joined.splitlines():
        if not line.strip():
            continue
        keyword, _, rest = line.strip().partition(" ")
        keyword, rest = keyword.upper(), " ".join(rest.split())
        if keyword == "FROM":
            base, _, name = rest.partition(" AS ")
            stages.append(Stage(base=base, name=name or None))
        elif stages:
            stages[-1].instructions.append((keyword, rest))
    return stages


def exec_form(rest: str) -> list[str]:
    """The JSON array of an exec-form instruction (a shell-form string fails here)."""
    value = json.loads(rest)
    assert isinstance(value, list), rest
    assert all(isinstance(item, str) for item in value), rest
    return value


def env_names(rest: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in rest.split())


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return dockerfile_stages((DEPLOY / "Dockerfile").read_text())


def test_the_image_builds_the_wheel_then_installs_it_into_a_slim_python(
    stages: list[Stage],
) -> None:
    build, final = stages[0], stages[-1]
    assert len(stages) >= 2
    assert any("python -m build --wheel" in run for run in build.all("RUN"))
    assert final.base.startswith("python:")
    assert final.base.endswith("-slim")
    installs = [run for run in final.all("RUN") if "pip install" in run and ".whl" in run]
    assert installs
    assert f"from={build.name}" in installs[0]


def test_the_final_stage_runs_as_an_unprivileged_user_it_creates(stages: list[Stage]) -> None:
    final = stages[-1]
    user = final.last("USER").split(":")[0]
    assert user not in ("root", "0")
    assert any(re.search(rf"useradd [^&]*\s{user}(\s|$)", run) for run in final.all("RUN"))
    # USER comes before the process starts (ENTRYPOINT/CMD run as whoever USER last named).
    keywords = [word for word, _ in final.instructions]
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")


def test_the_process_is_pid_1_in_exec_form_and_stops_on_sigterm(stages: list[Stage]) -> None:
    final = stages[-1]
    assert exec_form(final.last("ENTRYPOINT")) == ["frontdesk-server"]
    assert exec_form(final.last("CMD")) == ["run"]
    assert final.last("STOPSIGNAL") == "SIGTERM"


def test_the_health_check_runs_the_probe_against_health(stages: list[Stage]) -> None:
    rest = stages[-1].last("HEALTHCHECK")
    options, _, command = rest.partition(" CMD ")
    assert "--start-period=" in options
    argv = exec_form(command)
    assert argv[:3] == ["python", "-m", "frontdesk.server.probe"]
    assert argv[3:] == ["/health"]
    assert importlib.util.find_spec("frontdesk.server.probe") is not None


def test_the_images_settings_are_ones_the_server_reads(stages: list[Stage]) -> None:
    final = stages[-1]
    settings: dict[str, str] = {}
    for rest in final.all("ENV"):
        settings.update(env_names(rest))
    frontdesk = {name for name in settings if name.startswith("FRONTDESK_")}
    assert frontdesk <= known_variables()
    assert settings["FRONTDESK_HOST"] == "0.0.0.0"  # reachable from outside the container
    assert final.last("EXPOSE") == settings["FRONTDESK_PORT"]
    assert settings["FRONTDESK_SERVER_HOME"] == DATA_DIR
    assert exec_form(final.last("VOLUME")) == [DATA_DIR]


def test_the_build_context_keeps_what_the_wheel_needs() -> None:
    ignore = DEPLOY / "Dockerfile.dockerignore"
    patterns = [
        line.strip()
        for line in ignore.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for source in WHEEL_SOURCES:
        assert (ROOT / source).exists(), source
        assert not [p for p in patterns if fnmatch.fnmatch(source, p)], source
    assert ".git" in patterns
    assert "tests" in patterns


@pytest.fixture(scope="module")
def compose() -> dict[str, object]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _service(compose: dict[str, object], name: str) -> dict[str, object]:
    services = compose["services"]
    assert isinstance(services, dict)
    return services[name]


def _environment(service: dict[str, object]) -> dict[str, str]:
    given = service.get("environment") or {}
    if isinstance(given, list):
        given = dict(item.split("=", 1) for item in given)
    return {str(key): str(value) for key, value in given.items()}


def _example_settings() -> dict[str, str]:
    """The example env file's settings, commented-out ones included."""
    found = {}
    for line in (DEPLOY / "frontdesk.env.example").read_text().splitlines():
        match = re.fullmatch(r"#?(FRONTDESK_\w+)=(.*)", line.strip())
        if match:
            found[match[1]] = match[2]
    return found


def test_the_server_starts_once_the_database_is_healthy(compose: dict[str, object]) -> None:
    db, server = _service(compose, "db"), _service(compose, "server")
    assert str(db["image"]).startswith("postgres:")
    assert db["healthcheck"]["test"][0] == "CMD"
    assert server["depends_on"]["db"]["condition"] == "service_healthy"
    volumes = compose["volumes"]
    assert any(mount.split(":")[0] in volumes for mount in db["volumes"])
    # The official image keeps its cluster under /var/lib/postgresql from version 18 on.
    assert "db-data:/var/lib/postgresql" in db["volumes"]
    assert str(db["image"]) == "postgres:18"


def test_every_setting_the_compose_file_gives_the_server_is_one_it_reads(
    compose: dict[str, object],
) -> None:
    server = _service(compose, "server")
    given = set(_environment(server)) | set(_example_settings())
    assert given, "no settings found"
    assert sorted(given - known_variables()) == []
    assert server["env_file"][0]["path"] == "./frontdesk.env"


def test_secrets_reach_the_server_as_files(compose: dict[str, object]) -> None:
    server, db = _service(compose, "server"), _service(compose, "db")
    secrets = compose["secrets"]
    for service in (server, db):
        for name in service["secrets"]:
            assert secrets[name]["file"].startswith("./secrets/")
    environment = _environment(server)
    assert "FRONTDESK_DATABASE_URL" not in environment  # a password: never in plain sight
    url_file = environment["FRONTDESK_DATABASE_URL_FILE"]
    assert url_file.startswith("/run/secrets/")
    assert Path(url_file).name in server["secrets"]
    db_environment = _environment(db)
    for variable in ("POSTGRES_PASSWORD_FILE", "APP_PASSWORD_FILE"):
        assert Path(db_environment[variable]).name in db["secrets"]


def test_the_database_setup_script_is_mounted_where_the_image_runs_it(
    compose: dict[str, object],
) -> None:
    db = _service(compose, "db")
    assert "./postgres-init:/docker-entrypoint-initdb.d:ro" in db["volumes"]
    script = DEPLOY / "postgres-init" / "10-frontdesk.sh"
    assert script.stat().st_mode & 0o111  # the image runs executable scripts, sources others
    # pg_isready over TCP passes only once the first-run setup (the script) is done; it names
    # the script's database.
    assert "--dbname=frontdesk" in db["healthcheck"]["test"]


def test_the_trusted_proxy_is_the_proxys_fixed_address(compose: dict[str, object]) -> None:
    server, proxy = _service(compose, "server"), _service(compose, "proxy")
    trusted = _environment(server)["FRONTDESK_TRUSTED_PROXY"]
    assert proxy["networks"]["frontdesk"]["ipv4_address"] == trusted
    (network,) = compose["networks"]["frontdesk"]["ipam"]["config"]
    address = ipaddress.ip_address(trusted)
    assert address in ipaddress.ip_network(network["subnet"])
    assert address not in ipaddress.ip_network(network["ip_range"])  # never handed out
    assert proxy["depends_on"]["server"]["condition"] == "service_healthy"


def test_the_proxy_forwards_to_the_port_the_server_listens_on(
    compose: dict[str, object],
) -> None:
    port = _environment(_service(compose, "server"))["FRONTDESK_PORT"]
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert f"reverse_proxy server:{port} " in caddyfile
    assert "{$SITE_ADDRESS}" in caddyfile
    assert "SITE_ADDRESS" in _environment(_service(compose, "proxy"))


def test_the_server_container_is_built_here_and_stopped_gently(
    compose: dict[str, object],
) -> None:
    server = _service(compose, "server")
    build = server["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    assert server["init"] is True  # reaps any child; signals still reach the server
    assert server["read_only"] is True
    assert f"server-data:{DATA_DIR}" in server["volumes"]
    grace = int(str(server["stop_grace_period"]).removesuffix("s"))
    assert grace >= 10


UNIT = DEPLOY / "frontdesk-server.service"


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser


def test_the_unit_runs_a_dedicated_user_with_an_environment_file_and_hardening() -> None:
    service = _unit()["Service"]
    assert service["User"] == service["Group"] == "frontdesk"
    assert service["EnvironmentFile"].startswith("/etc/frontdesk-server/")
    assert service["ExecStart"].endswith("/frontdesk-server run")
    assert service["Restart"] == "on-failure"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == DATA_DIR
    assert service["StateDirectory"] == Path(DATA_DIR).name
    name, _, value = service["Environment"].partition("=")
    assert (name, value) == ("FRONTDESK_SERVER_HOME", DATA_DIR)
    assert service["KillMode"] in ("mixed", "control-group")
    assert _unit()["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is needed to check the unit"
    # The unit names where a clinic installs the server; here, wherever it is installed.
    installed = shutil.which("frontdesk-server") or "/bin/true"
    text = UNIT.read_text().replace("/opt/frontdesk-server/bin/frontdesk-server", installed)
    copy = tmp_path / UNIT.name
    copy.write_text(text)
    checked = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, check=False
    )
    # It warns (and still exits 0) about unknown keys or bad values: none is allowed.
    assert (checked.returncode, checked.stderr) == (0, "")


def test_every_variable_the_deployment_guide_names_is_one_the_server_reads() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    named = set(re.findall(r"\bFRONTDESK_[A-Z_]*[A-Z]\b", guide))
    # The rule's placeholder, and the table's shorthand for FRONTDESK_SMTP_* (`_PORT`, …).
    named -= {"FRONTDESK_FOO_BAR", "FRONTDESK_FOO_BAR_FILE", "FRONTDESK_SMTP"}
    assert "FRONTDESK_DATABASE_URL_FILE" in named
    assert sorted(named - known_variables()) == []
