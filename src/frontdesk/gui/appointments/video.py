"""Opening an appointment's video room: in the system browser, never inside the desk."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def open_video_room(url: str) -> bool:
    """Hand the room's address to the system browser; False if nothing could open it."""
    return QDesktopServices.openUrl(QUrl(url))
