"""SIGTERM and SIGINT end the desk as closing its window would, so what was started around
the event loop (the mirror, the demo's embedded PostgreSQL) is stopped by its `finally`.

Qt's event loop runs in C: a Python signal handler would wait for the next Python call,
possibly forever on an idle desk. `signal.set_wakeup_fd` has the interpreter write the signal
number to a socket the moment it arrives, and a QSocketNotifier wakes the loop on it."""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from PySide6.QtCore import QCoreApplication, QSocketNotifier

STOPPING = (signal.SIGTERM, signal.SIGINT)


def _noted(_signum: int, _frame: FrameType | None) -> None:
    """The Python-level handler: nothing to do, the wake-up socket carries the signal."""


@contextmanager
def quit_on_stop_signals(app: QCoreApplication) -> Iterator[None]:
    """While the block runs, a stop signal makes `app.exec()` return 128 + its number."""
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def on_signal() -> None:
        received = reader.recv(1)
        if received:
            app.exit(128 + received[0])

    notifier.activated.connect(on_signal)
    previous_fd = signal.set_wakeup_fd(writer.fileno())
    previous = {signum: signal.signal(signum, _noted) for signum in STOPPING}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        reader.close()
        writer.close()
