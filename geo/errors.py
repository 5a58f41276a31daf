"""Every domain exception, each a :class:`GeoError` whose message is French and can be shown
to users as is. Imports nothing: every module may raise them.

The app and the command line catch :class:`GeoError` and show its message; anything else is
a bug and is reported as such.
"""

from __future__ import annotations


class GeoError(Exception):
    """Base of every error whose message is meant for the user."""


class _NamedKeyError(GeoError, KeyError):
    """A lookup that failed; shown as its message (KeyError would quote it)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class SettingsError(GeoError):
    """A setting has an invalid value; the message names it and says what is expected."""


class DataUnavailableError(GeoError):
    """A reference file is neither cached nor reachable (mirror or network)."""


class FetchError(GeoError):
    """A download failed: network error, timeout, HTTP error, truncated or corrupt file."""


class InvalidCoordinatesError(GeoError, ValueError):
    """Some coordinates are NaN, out of range or not numbers; the message names the rows."""

    def __init__(self, message: str, rows: list[int]) -> None:
        super().__init__(message)
        self.rows = rows


class UnknownTerritoryError(_NamedKeyError):
    """No territory has that level and code, or the level is unknown."""


class ProjectValidationError(GeoError, ValueError):
    """A project failed validation; ``errors`` maps each field to all its French messages."""

    def __init__(self, errors: dict[str, list[str]], labels: dict[str, str] | None = None) -> None:
        self.errors = errors
        names = labels or {}
        parts = [f"{names.get(f, f)} : {' '.join(m)}" for f, m in errors.items()]
        super().__init__("Projet invalide — " + " ; ".join(parts))


class EntityValidationError(ProjectValidationError):
    """An actor or a commun failed validation (``what`` names which, in French)."""

    def __init__(
        self, errors: dict[str, list[str]], labels: dict[str, str] | None = None,
        what: str = "Fiche",
    ) -> None:  # fmt: skip
        super().__init__(errors, labels)
        names = labels or {}
        parts = [f"{names.get(f, f)} : {' '.join(m)}" for f, m in errors.items()]
        self.args = (f"{what} invalide — " + " ; ".join(parts),)


class EntityNotFoundError(_NamedKeyError):
    """No actor or commun has that id (or it is not public)."""


class WikiImportError(GeoError):
    """A wiki import failed (network, API error, unreadable answer): nothing was imported."""


class ProjectNotFoundError(_NamedKeyError):
    """No project has that id."""


class EditDeniedError(GeoError, PermissionError):
    """An edit without a valid token for this project, or moderation without a moderator."""


class LoginError(GeoError):
    """A moderator's login refused: wrong name or password, account locked for a while after
    repeated failures (``retry_after`` seconds), unknown identity, session expired."""

    def __init__(self, message: str, *, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ModerationError(GeoError):
    """A moderation action that cannot be done: nothing to approve, reason missing, a project
    merged into itself, an unknown moderator name…"""


class SubmissionLimitError(GeoError):
    """Too many contributions or reports: per session, or on the whole site in the last hour."""


class MapTooHeavyError(GeoError):
    """A layer would send the browser more than its budget; the message says what to choose."""


class UnknownSourceError(_NamedKeyError):
    """A name is neither a declared source nor a group."""


class UnknownDatasetError(_NamedKeyError):
    """No dataset of the catalogue has that id."""


class DatasetFormatError(GeoError):
    """A file is not the dataset it was loaded as (missing required columns, unreadable)."""


class SchemaError(GeoError):
    """A schema file is unreadable or is not a Table Schema."""


class OutputFormatError(GeoError):
    """The output file extension is not one we write."""


class RowError(GeoError):
    """A row of an import that cannot become a project; the message is the French reason."""


class PlacementError(RowError):
    """The French reason why a row could not be placed at a commune."""


class StoreError(GeoError):
    """The project store cannot be read or written (damaged file, permissions, full disk,
    database server away); the message says what to do, the detail goes to the server log."""


class ExportError(GeoError):
    """An export could not be written (no space left, no right to write); nothing was
    replaced."""


class ImportTooLargeError(GeoError):
    """A file to import is over the size limit, or its reading ran out of memory."""


class SheetError(GeoError):
    """A territory sheet could not be produced (no Chromium for the PDF, rendering failed or
    timed out, unknown output format); nothing half-written was left."""


class TourNotFoundError(_NamedKeyError):
    """No tour (parcours) has that id, or its stop is gone."""


class TourError(GeoError, ValueError):
    """A tour or a stop that cannot be saved as given (title empty or too long, note too
    long, a view that is not one); the message says what to change."""


class WorkshopError(GeoError):
    """A workshop session that cannot take a contribution: unknown or closed code, a point
    outside its territory, the participant's or the session's limit reached."""


class KitError(GeoError):
    """An offline territory kit cannot be built or read (unknown territory, a folder that is
    not a kit, no space left)."""
