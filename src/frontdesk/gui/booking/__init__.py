"""Booking a walk-in or phone appointment at the desk."""
