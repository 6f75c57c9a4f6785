"""Serving the API from a background thread of another program (the demo desk, the tests)."""

from __future__ import annotations

import uvicorn


class ThreadedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the program it runs in."""

    def install_signal_handlers(self) -> None:
        return
