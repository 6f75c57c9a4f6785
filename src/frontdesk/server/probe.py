"""`python -m frontdesk.server.probe [PATH]`: ask the server on this machine for `/health`
(or PATH, e.g. `/ready`); exit 0 when it answers 200, else 1 with the reason.

A container's HEALTHCHECK runs it: slim images have no curl, and it finds the server where the
same environment told `frontdesk-server run` to listen (FRONTDESK_PORT, FRONTDESK_HOST,
FRONTDESK_CERTFILE)."""

from __future__ import annotations

import os
import ssl
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

from frontdesk.server.environment import (
    EnvironmentValueError,
    FromEnvironment,
    path,
    port,
    text,
    variable_for,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8443
TIMEOUT_SECONDS = 5.0
# Listening on every address: ask over loopback.
_LOOPBACK = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}


def probe_url(environ: Mapping[str, str], route: str = "/health") -> str:
    host = str(FromEnvironment(variable_for("host"), DEFAULT_HOST, text).resolve(environ))
    number = FromEnvironment(variable_for("port"), DEFAULT_PORT, port).resolve(environ)
    tls = FromEnvironment(variable_for("certfile"), None, path).resolve(environ) is not None
    host = _LOOPBACK.get(host, f"[{host}]" if ":" in host else host)
    return f"{'https' if tls else 'http'}://{host}:{number}{route}"


def check(url: str) -> str:
    """'' when `url` answers 200; else why not."""
    # The certificate names the clinic's host, not loopback, and this process only asks its
    # own machine whether the server answers: the answer carries nothing to protect.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS, context=context) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return f"{url}: no answer ({reason})"
    return "" if status == 200 else f"{url}: status {status}"


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    route = args[0] if args else "/health"
    try:
        url = probe_url(os.environ if environ is None else environ, route)
    except EnvironmentValueError as error:
        print(f"probe: {error}", file=sys.stderr)
        return 1
    problem = check(url)
    if problem:
        print(f"probe: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
