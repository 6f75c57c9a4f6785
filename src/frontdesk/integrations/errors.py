"""How a message adapter reports a failure, so the delivery worker knows whether to retry."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be handed over."""


class TemporaryError(DeliveryError):
    """Worth trying again later: the provider is unreachable, busy, or says "not now"."""


class PermanentError(DeliveryError):
    """Retrying will not help: the provider rejected this message for good."""
