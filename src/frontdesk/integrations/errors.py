"""How a message adapter reports a failure, so the delivery worker knows whether to retry."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be handed over."""


class TemporaryError(DeliveryError):
    """Worth trying again later: the provider is unreachable, busy, or says "not now"."""


class PermanentError(DeliveryError):
    """Retrying will not help: the provider rejected this message for good."""


class UnsendableError(PermanentError):
    """The message itself cannot be sent as written (a line break in its subject, a
    recipient that is no address): no provider was asked, and none ever could be. The text
    says why in plain words, e.g. "the subject contains a line break"."""
