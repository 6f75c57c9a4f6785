"""Adapters to the outside world (e-mail, SMS, video rooms, push): small protocols, each
with a provider implementation and a local one that needs no account."""
