"""The README is the contract with a new user: two commands, every setting documented."""

from __future__ import annotations

import re

from reference import ROOT

from geo.settings import SETTING_NAMES

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", README, flags=re.DOTALL)]


def test_readme_has_exactly_two_commands_one_line_each() -> None:
    commands = _commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    app, tests = commands
    assert "streamlit run app.py" in app
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _commands()[1]
    assert test_command in ci.splitlines()


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [name for name in SETTING_NAMES if f"`{name}`" not in README]
    assert missing == []
