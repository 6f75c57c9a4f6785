"""A stand-in for the system browser: video rooms "open" into a list the test can read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices


class BrowserSpy(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def browser() -> Iterator[BrowserSpy]:
    """QDesktopServices hands https addresses to the spy instead of a browser."""
    spy = BrowserSpy()
    QDesktopServices.setUrlHandler("https", spy, "open")
    yield spy
    QDesktopServices.unsetUrlHandler("https")
