"""Who may do what the public may not: the operator.

Until moderation accounts exist, an :class:`Operator` is someone with shell access to the
server running a command (``python -m geo projects import|status``) or the application itself
loading its demo projects. Only an operator publishes, matches an import on ``source`` +
``external_id``, or acts on a project without its edit token; the audit log names them
``operateur:<name>``. A plain string is never an operator: web code cannot become one by
typing a name. The moderation issue will add authenticated moderators beside them.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass

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
