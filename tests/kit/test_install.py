"""What a kit carries to install the app on a laptop with no package registry
(:mod:`geo.kit.install`): the app's files from the project's root and nothing private, its
dependencies pinned to what runs here, and a wheelhouse checked as pip will use it offline.
The wheelhouse itself, downloaded and installed with the network off, is tested in
``tests/e2e/test_kit_browser.py``."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from geo.errors import KitError
from geo.kit import install
from geo.settings import PROJECT_ROOT


def _project(root: Path) -> Path:
    """A project root as a clone has it, with what a kit must leave behind."""
    root.mkdir()
    for name in ("app.py", "navigation.py", "pyproject.toml"):
        (root / name).write_text("# essai\n", encoding="utf-8")
    for name in ("geo/__init__.py", "pages/explorer.py", "ui/page.py", "static/README.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("# essai\n", encoding="utf-8")
    (root / "geo" / "__pycache__").mkdir()
    (root / "geo" / "__pycache__" / "settings.cpython-311.pyc").write_bytes(b"\0")
    (root / "static" / "vendor" / "leaflet").mkdir(parents=True)
    (root / "static" / "vendor" / "leaflet" / "leaflet.js").write_text("//", encoding="utf-8")
    (root / ".streamlit").mkdir()
    (root / ".streamlit" / "config.toml").write_text("[server]\n", encoding="utf-8")
    (root / ".streamlit" / "secrets.toml").write_text('mot_de_passe = "secret"\n', "utf-8")
    (root / "data" / "cache").mkdir(parents=True)
    (root / "data" / "categories.json").write_text("{}", encoding="utf-8")
    (root / "data" / "cache" / "projets.sqlite").write_bytes(b"base du serveur")
    (root / ".venv").mkdir()
    (root / "tests").mkdir()
    return root


def test_the_app_is_copied_without_secrets_caches_or_bytecode(tmp_path: Path) -> None:
    root = _project(tmp_path / "depot")
    target = tmp_path / "kit" / "app"
    size = install.copy_app(install.app_root(root), target)
    copied = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert copied == [
        ".streamlit/config.toml", "app.py", "data/categories.json", "geo/__init__.py",
        "navigation.py", "pages/explorer.py", "pyproject.toml", "static/README.md", "ui/page.py",
    ]  # fmt: skip
    assert size == sum((target / name).stat().st_size for name in copied)


def test_a_kit_is_built_only_beside_the_apps_source(tmp_path: Path) -> None:
    """A ``geo`` installed from its wheel has no app beside it: the build says where to go."""
    (tmp_path / "geo").mkdir()
    with pytest.raises(KitError, match=r"introuvable .*manque : app\.py, navigation\.py"):
        install.app_root(tmp_path)
    assert install.app_root() == PROJECT_ROOT  # this clone: the app is here


def test_every_dependency_is_pinned_to_the_version_that_runs_here() -> None:
    pins = install.pinned_requirements(PROJECT_ROOT)
    pinned = {canonicalize_name(Requirement(p).name): Requirement(p) for p in pins}
    assert all(len(r.specifier) == 1 and next(iter(r.specifier)).operator == "==" for r in
               pinned.values())  # fmt: skip
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for line in project["project"]["dependencies"]:
        name = canonicalize_name(Requirement(line).name)
        assert str(pinned[name].specifier) == f"=={version(name)}"
    # Their own dependencies, and those of the extras asked for (streamlit[auth]: Authlib).
    assert {"altair", "pyproj", "authlib"} <= set(pinned)
    assert "pytest" not in pinned and "psycopg" not in pinned  # test and postgres extras: not


def test_a_dependency_not_installed_here_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["paquet-absent-du-kit>=1"]\n', encoding="utf-8"
    )
    with pytest.raises(KitError, match="paquet-absent-du-kit n'est pas installée"):
        install.pinned_requirements(tmp_path)


def test_a_wheelhouse_missing_a_wheel_is_refused_before_the_laptop_finds_out(
    tmp_path: Path,
) -> None:
    """The check runs pip as the laptop will: no index, no configuration, the folder only."""
    requirements = tmp_path / "requirements.txt"
    install.write_requirements(requirements, [f"segno=={version('segno')}"])
    (tmp_path / "wheels").mkdir()
    with pytest.raises(KitError, match="ne suffisent pas à l'installer sans réseau") as caught:
        install.check_wheelhouse(requirements, tmp_path / "wheels")
    assert "segno" in str(caught.value)
