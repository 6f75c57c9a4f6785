"""Processes the tests start and must see gone: an embedded PostgreSQL by its data folder,
and a free port on loopback for a server process."""

from __future__ import annotations

import socket
from pathlib import Path

import psutil


def postgres_serving(pgdata: Path) -> list[psutil.Process]:
    """The postmaster started with `-D pgdata` (its children rename themselves)."""
    wanted = str(pgdata.resolve()) if pgdata.exists() else str(pgdata)
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        serving = process.info["name"] == "postgres" and wanted in (process.info["cmdline"] or [])
        if serving and alive(process):
            found.append(process)
    return found


def alive(process: psutil.Process) -> bool:
    # A stopped PostgreSQL may stay a zombie a while: its parent is whatever adopted it.
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
