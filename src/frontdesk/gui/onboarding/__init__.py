"""Onboarding a public booking: the patient, their forms, the video room."""
