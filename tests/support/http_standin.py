"""A base for stand-ins of third-party JSON APIs served over real HTTP on loopback."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any


class JsonHandler(BaseHTTPRequestHandler):
    """Reads JSON bodies and answers JSON; subclasses add the `do_…` methods."""

    def log_message(self, *_args: object) -> None:  # quiet test output
        return

    def answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def json_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        parsed: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
        return parsed
