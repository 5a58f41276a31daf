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
