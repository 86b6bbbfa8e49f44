"""Errors the person can fix. The CLI prints them as one line and exits with `exit_code`."""


class UserError(Exception):
    """A problem with input, configuration or hardware, with the fix in the message."""

    exit_code = 2


class ModelError(UserError):
    """The model file is missing, corrupt, or fails its checksum."""


class SourceError(UserError):
    """A camera or video cannot be opened or stops delivering frames."""

    exit_code = 3


class ConfigError(UserError):
    """A configuration value is unknown, of the wrong type, or out of range."""
