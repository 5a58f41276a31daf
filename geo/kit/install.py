"""What a kit needs to run on a laptop with no package registry: the app's own files and a
wheelhouse of its dependencies.

The project's wheel packages ``geo`` only (``app.py``, the pages, ``ui/``, ``data/`` and
``.streamlit/`` are not Python packages, and :data:`geo.settings.PROJECT_ROOT` would be
``site-packages``), so a kit carries the **source tree** of the app (``DIR/app``) and runs it
from there: ``geo`` is imported from ``DIR/app`` (``streamlit run`` puts the script's folder
first on ``sys.path``), so ``PROJECT_ROOT`` is ``DIR/app`` and ``GEO_DATA_DIR=..`` is the kit.
Only the third-party dependencies are installed, from ``DIR/wheels`` (``pip install
--no-index --find-links wheels -r app/requirements.txt``), pinned to the versions of the
environment that built the kit: the kit runs with what the builder ran and tested.

The tree is taken from the folder the running ``geo`` package sits in (a clone of the
repository, installed with ``pip install -e .``); a ``geo`` installed from its wheel has no
app beside it and the build says so.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from geo.errors import KitError
from geo.settings import PROJECT_ROOT

#: The app's files and folders copied into ``DIR/app``, from the project's root.
APP_FILES = ("app.py", "navigation.py", "pyproject.toml", ".streamlit/config.toml")
APP_TREES = ("geo", "pages", "ui", "static")
#: Of ``data/``, its files only: ``data/cache`` (the default ``GEO_DATA_DIR``) stays behind.
APP_DATA = "data"
APP_DIR = "app"
WHEELS_DIR = "wheels"
REQUIREMENTS = "requirements.txt"
#: Longest a ``pip wheel`` of every dependency may take (a slow connection, a source build).
PIP_TIMEOUT_S = 1800.0


def app_root(root: Path | None = None) -> Path:
    """The project's root holding the app (``app.py``, ``pages/``…), or a French
    :class:`~geo.errors.KitError` saying where the kit must be built from."""
    root = Path(root or PROJECT_ROOT)
    needed = [*APP_FILES[:3], *APP_TREES[:3]]
    absent = [name for name in needed if not (root / name).exists()]
    if absent:
        msg = (
            f"Le code de l'application est introuvable dans {root} (manque : "
            f"{', '.join(absent)}) : construisez le kit depuis une copie du dépôt du projet "
            "(installée par « pip install -e . »), pas depuis un paquet installé."
        )
        raise KitError(msg)
    return root


def _ignored(folder: str, names: list[str]) -> set[str]:
    """Bytecode, and ``static/vendor`` (Leaflet, written by the app at its start)."""
    skipped = {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))}
    if Path(folder).name == "static":
        skipped.add("vendor")
    return skipped


def copy_app(root: Path, target: Path) -> int:
    """Copy the app's files from ``root`` into ``target``; their size in bytes. Never the
    secrets (``.streamlit/secrets.toml``) nor any data directory."""
    for name in APP_FILES:
        source = root / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for name in APP_TREES:
        if (root / name).is_dir():
            shutil.copytree(root / name, target / name, ignore=_ignored)
    (target / APP_DATA).mkdir(parents=True, exist_ok=True)
    for source in sorted((root / APP_DATA).glob("*")):
        if source.is_file():
            shutil.copy2(source, target / APP_DATA / source.name)
    return sum(p.stat().st_size for p in target.rglob("*") if p.is_file())


def _declared(root: Path) -> list[Requirement]:
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    except (OSError, ValueError, KeyError) as error:
        msg = f"Les dépendances du projet sont illisibles dans {root / 'pyproject.toml'} : {error}"
        raise KitError(msg) from error
    return [Requirement(line) for line in project.get("dependencies", [])]


def pinned_requirements(root: Path) -> list[str]:
    """The app's dependencies and theirs, each pinned to the version installed here
    (``name==version``, sorted): what this environment runs, for this Python and platform."""
    pins: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    queue = _declared(root)
    while queue:
        requirement = queue.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            msg = (
                f"La dépendance {requirement.name} n'est pas installée dans cet environnement "
                f"({sys.executable}) : installez le projet (« pip install -e . ») avant de "
                "construire le kit."
            )
            raise KitError(msg) from None
        pins[key[0]] = f"{dist.metadata['Name']}=={dist.version}"
        queue.extend(_needed(dist.requires or [], requirement.extras))
    return sorted(pins.values(), key=str.lower)


def _needed(lines: Iterable[str], extras: Iterable[str]) -> list[Requirement]:
    """The requirements of a distribution that apply here, with the extras asked of it."""
    wanted = ("", *extras)
    chosen = []
    for line in lines:
        requirement = Requirement(line)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": extra}) for extra in wanted):
            chosen.append(requirement)
    return chosen


def platform_label() -> str:
    """``CPython 3.11, linux-x86_64``: what the wheelhouse is built for."""
    return f"{platform.python_implementation()} {python_version()}, {sysconfig.get_platform()}"


def python_version() -> str:
    return ".".join(str(n) for n in sys.version_info[:2])


def write_requirements(target: Path, pins: list[str]) -> None:
    header = (
        "# Les dépendances de l'application, aux versions de l'environnement qui a construit\n"
        f"# le kit ({platform_label()}). Installation sans réseau : voir ../README.md.\n"
    )
    target.write_text(header + "\n".join(pins) + "\n", encoding="utf-8")


def offline_pip_env() -> dict[str, str]:
    """The environment of a pip that may use nothing but the folder it is given: no
    configuration file (``find-links``, extra indexes), no ``PIP_*`` variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _pip(args: list[str], *, env: dict[str, str] | None, what: str) -> None:
    command = [sys.executable, "-m", "pip", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env,
                              timeout=PIP_TIMEOUT_S, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        msg = f"{what} : pip n'a pas fini en {PIP_TIMEOUT_S:.0f} s."
        raise KitError(msg) from None
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        detail = "\n".join(lines[-8:])
        msg = f"{what} : pip a échoué (code {done.returncode}).\n{detail}"
        raise KitError(msg)


def build_wheelhouse(requirements: Path, target: Path) -> int:
    """Every dependency of ``requirements`` as a wheel in ``target`` (``pip wheel``, through
    this machine's pip configuration: the package indexes it uses), checked as the laptop
    will use it (:func:`check_wheelhouse`). The wheelhouse's size in bytes."""
    target.mkdir(parents=True, exist_ok=True)
    _pip(["wheel", "--quiet", "--wheel-dir", str(target), "-r", str(requirements)],
         env=None, what="Les roues Python du kit n'ont pas pu être téléchargées")  # fmt: skip
    check_wheelhouse(requirements, target)
    return sum(p.stat().st_size for p in target.iterdir() if p.is_file())


def check_wheelhouse(requirements: Path, folder: Path) -> None:
    """Resolve ``requirements`` from ``folder`` alone, as ``pip install --no-index
    --find-links`` will on the laptop (no index, no configuration); a French
    :class:`~geo.errors.KitError` naming what is missing otherwise."""
    _pip(
        ["install", "--dry-run", "--quiet", "--ignore-installed", "--no-index",
         "--find-links", str(folder), "-r", str(requirements)],
        env=offline_pip_env(),
        what="Les roues Python du kit ne suffisent pas à l'installer sans réseau",
    )  # fmt: skip
