"""Fixtures for these screens: video rooms open in a stand-in browser."""

from tests.gui.appointments.browser import browser

__all__ = ["browser"]
