"""argparse in French: the usage line, section titles, ``-h`` and error messages.

argparse builds its own words with ``gettext`` (``argparse._`` and ``argparse.ngettext``,
looked up when each message is built). :func:`install` points those two names at
:func:`translate` and :func:`translate_plural`, which give the French of every message of
argparse (Python 3.11 to 3.13) and the original text of anything else. It is called once,
by :func:`geo.cli.build_parser`, before any parser is built (section titles are translated
when a parser is created); every command of ``python -m geo`` and the benchmark scripts go
through it, so all their ``--help`` and errors read in French. Our own help texts are
written in French where each option is declared.
"""

from __future__ import annotations

import argparse

FRENCH = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "optional arguments": "options",
    "subcommands": "sous-commandes",
    "show this help message and exit": "affiche cette aide et quitte",
    "show program's version number and exit": "affiche la version et quitte",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "l'un de ces arguments est obligatoire : %s",
    "unrecognized arguments: %s": "arguments inconnus : %s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "valeur %r ignorée (cette option n'en prend pas)",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "une valeur au plus attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "invalid %(type)s value: %(value)r": "valeur %(value)r invalide (type attendu : %(type)s)",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix %(value)r inconnu (choisir parmi %(choices)s)"
    ),
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "unexpected option string: %s": "option inattendue : %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "commande %(parser_name)r inconnue (choix : %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "cannot have multiple subparser arguments": "une seule sous-commande par niveau",
    " (default: %(default)s)": " (par défaut : %(default)s)",
}
FRENCH_PLURALS = {
    ("expected %s argument", "expected %s arguments"): (
        "%s valeur attendue",
        "%s valeurs attendues",
    ),
}

_ORIGINAL = (argparse._, argparse.ngettext)  # type: ignore[attr-defined]


def translate(message: str) -> str:
    """The French of one of argparse's messages, or ``message`` itself."""
    return FRENCH.get(message, _ORIGINAL[0](message) if message else message)


def translate_plural(singular: str, plural: str, count: int) -> str:
    french = FRENCH_PLURALS.get((singular, plural))
    if french is None:
        return _ORIGINAL[1](singular, plural, count)
    return french[0] if count == 1 else french[1]


def install() -> None:
    """Make argparse speak French in this process (idempotent)."""
    argparse._ = translate  # type: ignore[attr-defined]
    argparse.ngettext = translate_plural  # type: ignore[attr-defined]


__all__ = ["FRENCH", "install", "translate", "translate_plural"]
