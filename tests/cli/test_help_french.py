"""Every ``--help`` of ``python -m geo`` is French: argparse's own words and ours."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from geo.cli import build_parser, main

#: Words of English help texts (ours were English before): none may remain.
ENGLISH = re.compile(
    r"\b(the|of|print|file|files|rows?|only|with|every|default|status of|what|from|when|"
    r"show|this|and|or|to|for)\b",
    re.IGNORECASE,
)


def parsers(parser: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, object]]:
    yield path or "python -m geo", parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from parsers(child, f"{path} {name}".strip())


ALL = list(parsers(build_parser()))


@pytest.mark.parametrize(("name", "parser"), ALL, ids=[name for name, _ in ALL])
def test_help_is_french(name: str, parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    assert text.startswith("usage : ")
    for english in ("usage:", "positional arguments", "optional arguments", "show this help",
                    "(default:", "subcommands"):  # fmt: skip
        assert english not in text
    assert "affiche cette aide et quitte" in text
    if parser.description is not None:
        assert not ENGLISH.search(parser.description), parser.description
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            helps = [choice.help for choice in action._choices_actions]
        else:
            helps = [action.help]
        for help_text in helps:
            assert help_text, f"{name} {action.option_strings or action.dest}: no help"
            words = re.sub(r"%\(\w+\)s", "", help_text)  # argparse's placeholders
            assert not ENGLISH.search(words), f"{name}: {help_text!r}"


def test_there_are_all_the_commands() -> None:
    names = {name for name, _ in ALL}
    assert {"data fetch", "territory locate", "datasets load", "projects import",
            "projects export", "bench"} <= names  # fmt: skip


def test_argument_errors_are_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as missing:
        main(["projects", "status"])
    assert missing.value.code == 2
    assert "erreur : arguments obligatoires manquants : ID, STATUT" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["bench", "tout"])
    assert "choix 'tout' inconnu (choisir parmi 'territories'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["territory", "search", "Grenoble", "--limit", "dix"])
    assert "valeur 'dix' invalide (type attendu : int)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["datasets", "list", "--inconnue"])
    assert "arguments inconnus : --inconnue" in capsys.readouterr().err
