"""Errors of the screen player.

``PlayerError``
  ├── ``ConfigError``        a bad command-line option or file (the message says which)
  ├── ``FontNotFound``       no CJK font on the machine (the message says how to install one)
  ├── ``ControllerError``    the controller answered with an error the player cannot retry
  │     └── ``Unreachable``  no answer (network down, controller stopped): retried with backoff
  └── ``MediaError``         a media blob that failed its SHA-256 check or could not be decoded
"""

from __future__ import annotations


class PlayerError(Exception):
    """Base of the player's own errors."""


class ConfigError(PlayerError):
    pass


class FontNotFound(PlayerError):
    pass


class ControllerError(PlayerError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Unreachable(ControllerError):
    pass


class Busy(Unreachable):
    """The controller answered 503 or 429 with ``Retry-After``: come back in that many seconds
    (it paces uploads after an outage); what was sent was not taken, and must be sent again."""

    def __init__(self, message: str, status: int, retry_after_s: float) -> None:
        super().__init__(message, status)
        self.retry_after_s = retry_after_s


class MediaError(PlayerError):
    pass
