"""Errors that reach the user; each message says what to do next."""


class NixlsError(Exception):
    """Base class: the message is a complete sentence for the user."""


class ConfigError(NixlsError):
    """Bad flag, unreadable or invalid configuration: `check` exits with 2."""


class IndexUnavailable(NixlsError):
    """No option index for a release; the index rules are skipped."""
