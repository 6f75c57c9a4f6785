"""Patients: search, profile, dependents, their appointments and forms."""
