"""The desk's settings page."""
