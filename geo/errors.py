"""Domain exceptions. Their message is French and can be shown to users as is."""

from __future__ import annotations


class GeoError(Exception):
    """Base of every error whose message is meant for the user."""


class DataUnavailableError(GeoError):
    """A reference file is neither cached nor reachable (mirror or network)."""


class FetchError(GeoError):
    """A download failed: network error, timeout, HTTP error, truncated or corrupt file."""


class InvalidCoordinatesError(GeoError, ValueError):
    """Some coordinates are NaN, out of range or not numbers; the message names the rows."""

    def __init__(self, message: str, rows: list[int]) -> None:
        super().__init__(message)
        self.rows = rows


class UnknownTerritoryError(GeoError, KeyError):
    """No territory has that level and code."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ProjectValidationError(GeoError, ValueError):
    """A project failed validation; ``errors`` maps each field to all its French messages."""

    def __init__(self, errors: dict[str, list[str]], labels: dict[str, str] | None = None) -> None:
        self.errors = errors
        names = labels or {}
        parts = [f"{names.get(f, f)} : {' '.join(m)}" for f, m in errors.items()]
        super().__init__("Projet invalide — " + " ; ".join(parts))


class ProjectNotFoundError(GeoError, KeyError):
    """No project has that id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class EditDeniedError(GeoError, PermissionError):
    """An edit without a valid token for this project, or moderation without a moderator."""
