"""Sync with the central server: protocol models, client, change application."""
