"""Errors raised by the contracts package itself."""


class UnknownMessageType(ValueError):
    """A message type, version or data model that the topic registry does not know."""
