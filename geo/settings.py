"""Every setting of the application, in one documented place.

Each setting is read from an environment variable first, then from a Streamlit secrets file
(``.streamlit/secrets.toml`` in the working directory, then ``~/.streamlit/secrets.toml``) when
such a file exists. The secrets file is parsed here with :mod:`tomllib` so that ``geo`` never
imports Streamlit; a missing or unreadable file is simply ignored.

Settings
--------
GEO_DATA_DIR : path, default ``data/cache``
    Where downloaded reference files, their GeoParquet conversions, the manifest and the
    project database live. Relative paths are taken from the project root.
GEO_DATA_MIRROR : path, default unset
    A local mirror of the official open-data URLs: the file published at ``https://HOST/PATH``
    is read from ``GEO_DATA_MIRROR/HOST/PATH`` (query string dropped). Replaces the network.
GEO_OFFLINE : bool, default ``false``
    Never touch the network: no tile layers, no downloads, no online geocoding.
DATABASE_URL : SQLAlchemy URL, default unset
    The project store. Unset means a SQLite file in ``GEO_DATA_DIR``.
GEO_HTTP_TIMEOUT : float seconds, default ``30``
    Connect/read timeout of every outgoing request (downloads, geocoding).
GEO_USER_AGENT : str, default ``carte-communs-energie/<version>``
    User agent sent with every outgoing request.
GEO_DEMO : bool, default ``true``
    Load the example projects of ``data/demo_projects.csv`` into an empty project store at
    start; ``0`` starts with an empty map.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Setting names, in the order they are documented above (a test checks the docstring and README).
SETTING_NAMES = (
    "GEO_DATA_DIR",
    "GEO_DATA_MIRROR",
    "GEO_OFFLINE",
    "DATABASE_URL",
    "GEO_HTTP_TIMEOUT",
    "GEO_USER_AGENT",
    "GEO_DEMO",
)

_TRUE = {"1", "true", "yes", "on", "oui", "vrai"}
_FALSE = {"0", "false", "no", "off", "non", "faux", ""}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    mirror: Path | None
    offline: bool
    database_url: str | None
    http_timeout: float
    user_agent: str
    demo: bool = True


def _secrets_files() -> list[Path]:
    return [Path.cwd() / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]


def read_secrets(paths: list[Path] | None = None) -> dict[str, Any]:
    """Merged top-level keys of the secrets files that exist (first file wins)."""
    merged: dict[str, Any] = {}
    for path in reversed(paths if paths is not None else _secrets_files()):
        try:
            with path.open("rb") as handle:
                merged.update(tomllib.load(handle))
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            # A broken secrets file must not stop the app: environment variables still apply.
            continue
    return merged


def parse_bool(value: object, *, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    msg = f"Valeur invalide pour {name} : {value!r} (attendu : 1/0, true/false)."
    raise ValueError(msg)


def _resolve(path: str) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


def get_settings(
    environ: dict[str, str] | None = None, secrets: dict[str, Any] | None = None
) -> Settings:
    """Read the settings now (cheap: call it where needed rather than caching a global)."""
    env = os.environ if environ is None else environ
    sec = read_secrets() if secrets is None else secrets

    def raw(name: str, default: object = None) -> object:
        if name in env:
            return env[name]
        return sec.get(name, default)

    from geo import __version__

    mirror = raw("GEO_DATA_MIRROR")
    database_url = raw("DATABASE_URL")
    return Settings(
        data_dir=_resolve(str(raw("GEO_DATA_DIR", "data/cache"))),
        mirror=_resolve(str(mirror)) if mirror else None,
        offline=parse_bool(raw("GEO_OFFLINE", False), name="GEO_OFFLINE"),
        database_url=str(database_url) if database_url else None,
        http_timeout=float(str(raw("GEO_HTTP_TIMEOUT", 30))),
        user_agent=str(raw("GEO_USER_AGENT", f"carte-communs-energie/{__version__}")),
        demo=parse_bool(raw("GEO_DEMO", True), name="GEO_DEMO"),
    )
