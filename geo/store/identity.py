"""Who may do what the public may not: the operator, and authenticated moderators.

An :class:`Operator` is someone with shell access to the server running a command
(``python -m geo projects import|status``, ``moderators add``) or the application itself
loading its demo projects. An operator publishes, matches an import on ``source`` +
``external_id``, manages moderator accounts, or acts on a project without its edit token; the
audit log names them ``operateur:<name>``. A plain string is never an operator: web code
cannot become one by typing a name.

A :class:`Moderator` is what :meth:`geo.store.moderators.ModeratorAccounts.log_in` (password)
or ``log_in_oidc`` (the app's OpenID Connect login) returns: a name and the token of a session
opened in the store. Building one by hand gives nothing: every moderation action checks the
session in the store (its hash, its expiry after ``GEO_MODERATION_SESSION_MINUTES`` idle, the
account still existing) and reads the moderator's scopes from there, in the same transaction
as the action. The audit log names them ``moderateur:<name>``.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass, field

_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Operator:
    """An operator named ``name`` (``cli:camille``, ``demo``)."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip() or _FORBIDDEN.search(self.name):
            msg = f"Nom d'opérateur invalide : {self.name!r}."
            raise ValueError(msg)

    @property
    def actor(self) -> str:
        """How the audit log names this operator."""
        return f"operateur:{self.name.strip()}"[:200]


def shell_operator() -> Operator:
    """The person running a command: ``cli:<login>``."""
    try:
        return Operator(f"cli:{getpass.getuser()}")
    except (KeyError, OSError, ValueError):
        return Operator("cli")


@dataclass(frozen=True)
class Moderator:
    """An authenticated moderator: ``name`` and the store session that proves it."""

    name: str
    session: str = field(repr=False)

    @property
    def actor(self) -> str:
        """How the audit log names this moderator."""
        return f"moderateur:{self.name}"[:200]
